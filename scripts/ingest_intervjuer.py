"""Snakemake script: the telephone interviews of one survey round."""
from kartlegging.infra.runner import run
from kartlegging.steps.ingest_intervjuer import step_ingest_interviews


def main(smk, logger):
    step_ingest_interviews(smk.params.round, smk.input.klass, smk.input.bydeler,
                           smk.params.intervju_dir, list(smk.params.overrides), dict(smk.output.items()))


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
