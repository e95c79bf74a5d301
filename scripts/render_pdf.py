"""Snakemake script: the round's report as a tagged PDF/UA-1 (kartlegging.steps.report_pdf)."""
from kartlegging.infra.runner import run
from kartlegging.steps.report_pdf import step_report_pdf


def main(smk, logger):
    step_report_pdf(smk.input.html, smk.output.pdf)


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
