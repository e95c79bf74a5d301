"""Snakemake script: the dispatch list of one survey round as a table."""
from kartlegging.infra.runner import run
from kartlegging.steps.dispatch import step_dispatch


def main(smk, logger):
    step_dispatch(smk.params.round, smk.input.klass, smk.input.bydeler, smk.input.dispatch,
                  smk.output.dispatch)


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
