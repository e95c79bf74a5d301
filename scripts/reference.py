"""Snakemake script: Klass 131 reference tables."""
from kartlegging.infra.runner import run
from kartlegging.steps.reference import step_reference


def main(smk, logger):
    step_reference(smk.params.reference_dir, list(smk.params.versions),
                   smk.output.kommuner, smk.output.navn, smk.output.bydeler)


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
