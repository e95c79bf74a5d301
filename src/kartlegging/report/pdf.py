"""Typeset the report's HTML as a tagged PDF (PDF/UA-1) with Typst, offline and byte-reproducibly.

The HTML is translated to Typst markup by :mod:`kartlegging.report.typst_pdf`;
Typst compiles it in a fraction of a second and writes a tagged PDF with
bookmarks, a table of contents and the document's language. Requesting the
PDF/UA-1 standard makes Typst refuse what would break it (an image without
alt text, a missing title), so such a report fails loudly instead of
shipping inaccessible.

Reproducibility: only the fonts bundled with Typst are used (a system font
could differ between machines), and the PDF's only timestamp is the run date
(midnight UTC of the report's date, which comes from SOURCE_DATE_EPOCH).
"""

from __future__ import annotations

import datetime as dt
import re

from kartlegging.report.numbers import parse_iso_date
from kartlegging.report.typst_pdf import TypstDocument, html_to_typst

PDF_STANDARDS = ("ua-1",)


class PdfError(RuntimeError):
    """Typst could not typeset the report; the message names Typst's reason."""


def _day_of(day: str) -> dt.date | None:
    """The ISO date as a date, None when the text is not a date."""
    return parse_iso_date(day)


def _epoch_of(day: str) -> int:
    """Midnight UTC of an ISO date as Unix seconds; 0 when the text is not a date."""
    parsed = _day_of(day)
    if parsed is None:
        return 0
    return int(dt.datetime(parsed.year, parsed.month, parsed.day, tzinfo=dt.UTC).timestamp())


def compile_typst(document: TypstDocument, run_date: str = "") -> bytes:
    """Compile a Typst document to PDF/UA-1 bytes with the bundled fonts only."""
    import typst

    try:
        return typst.compile(
            document.source.encode("utf-8"),
            format="pdf",
            sys_inputs=document.inputs,
            pdf_standards=list(PDF_STANDARDS),
            ignore_system_fonts=True,
            timestamp=_epoch_of(run_date),
        )
    except typst.TypstError as exc:  # the message names Typst's reason and position
        raise PdfError(f"Typst could not typeset the report: {exc}") from exc


_CREATED = re.compile(r'<meta name="dcterms\.created" content="([0-9]{4}-[0-9]{2}-[0-9]{2})">')


def run_date_of_html(html: str) -> str:
    """The run date the HTML states (``dcterms.created``), '' when it states none.

    The PDF step reads the date from the HTML it typesets, so the two outputs
    cannot carry different dates.
    """
    found = _CREATED.search(html)
    return found.group(1) if found else ""


def html_to_pdf(html: str, run_date: str = "") -> bytes:
    """Typeset the report's HTML as a tagged PDF/UA-1 document.

    The PDF's date is the run date (``run_date``, ISO), so two runs of the
    same inputs give the same bytes.
    """
    day = _day_of(run_date)
    document = html_to_typst(html, (day.year, day.month, day.day) if day else None)
    return compile_typst(document, run_date)
