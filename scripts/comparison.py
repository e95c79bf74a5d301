"""Snakemake script: a round set beside the rounds before it (kartlegging.steps.comparison)."""
from kartlegging.infra.runner import run
from kartlegging.steps.comparison import step_comparison


def main(smk, logger):
    step_comparison(smk.params.round, smk.params.rounds, smk.params.classifications, list(smk.input.status),
                    list(smk.input.services), list(smk.input.map_status), smk.input.get("harmonised"),
                    smk.output.table)


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
