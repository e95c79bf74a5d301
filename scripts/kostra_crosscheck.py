"""Snakemake script: the round's kartlegging against KOSTRA on frisklivssentraler."""
from kartlegging.infra.runner import run
from kartlegging.steps.kostra_crosscheck import step_crosscheck


def main(smk, logger):
    step_crosscheck(smk.input.kostra, smk.input.services, smk.input.service_kommuner, smk.input.status,
                    smk.params.classification, smk.params.reference_dir, smk.input.crosswalk, smk.output.check)


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
