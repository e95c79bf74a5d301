"""Snakemake script: the report of one round as one self-contained HTML file (kartlegging.steps.report).

Thin on purpose: it maps the rule's inputs, params and output onto the step; the PDF is typeset from the
HTML by scripts/render_pdf.py, a rule of its own.
"""
from pathlib import Path

from kartlegging.infra.runner import run
from kartlegging.steps.report import step_report


def main(smk, logger):
    step_report(dict(smk.input.items()), dict(smk.params.items()), Path(smk.scriptdir).parent, smk.output.html,
                smk.output.tables)


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
