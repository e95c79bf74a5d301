"""The ``report_pdf`` rule: the report of a round as a tagged PDF/UA-1, typeset by Typst from its HTML.

A rule of its own, so that it imports only the light PDF modules (no pandas, no matplotlib) and the
HTML is written before it. The PDF's date is the report's run date, as in the HTML.
"""

from __future__ import annotations

import logging
from pathlib import Path

from kartlegging.report.pdf import html_to_pdf, run_date_of_html

log = logging.getLogger("kartlegging")


def step_report_pdf(html_path: str, out: str) -> None:
    """Typeset the HTML report as PDF, dated as the HTML."""
    html = Path(html_path).read_text(encoding="utf-8")
    pdf = html_to_pdf(html, run_date_of_html(html))
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_bytes(pdf)
    log.info("report_pdf: wrote %s (%d bytes)", out, len(pdf))
