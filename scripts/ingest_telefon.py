"""Snakemake script: the phone round of one survey round."""
from kartlegging.infra.runner import run
from kartlegging.steps.ingest_telefon import step_ingest_phone


def main(smk, logger):
    step_ingest_phone(smk.params.round, smk.input.klass, smk.input.bydeler, smk.input.log,
                      smk.input.dispatch, list(smk.params.overrides), dict(smk.output.items()))


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
