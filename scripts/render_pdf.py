"""Snakemake script: the round's report as a tagged PDF/UA-1, typeset by Typst from the report's HTML.

A rule of its own, so that it imports only the light PDF modules (no pandas, no
matplotlib) and the HTML is written before it. The PDF's date is the report's
run date (SOURCE_DATE_EPOCH, else the commit time), as in the HTML.
"""
from pathlib import Path

from kartlegging.report.pdf import html_to_pdf, run_date_of_html
from kartlegging.infra.runner import run


def main(smk, logger):
    html = Path(smk.input.html).read_text(encoding="utf-8")
    pdf = html_to_pdf(html, run_date_of_html(html))
    out = Path(smk.output.pdf)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pdf)
    logger.info("report_pdf: wrote %s (%d bytes)", out, len(pdf))


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
