"""Snakemake script: figures and reconciliation of one round."""
from kartlegging.infra.runner import run
from kartlegging.steps.figures import step_figures


def main(smk, logger):
    inputs = {k: v for k, v in smk.input.items()}
    step_figures(smk.params.round, inputs, smk.input.get("register"), smk.output.figures, smk.output.reconciliation,
                 smk.output.series, smk.params.reference_year)


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
