"""Snakemake script: KOSTRA extracts into the kostra table and its review/quarantine items."""
from kartlegging.infra.runner import run
from kartlegging.steps.kostra import step_kostra


def main(smk, logger):
    step_kostra(list(smk.input.files), smk.params.reference_dir, dict(smk.params.kostra),
                smk.output.table, smk.output.issues)


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
