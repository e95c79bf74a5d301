"""Typeset the report's HTML as a PDF with WeasyPrint, offline and byte-reproducibly."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
from collections.abc import Iterator

from kartlegging.report.numbers import parse_iso_date


@contextlib.contextmanager
def _source_date_epoch(epoch: int) -> Iterator[None]:
    """Set SOURCE_DATE_EPOCH while the PDF is written, unless the caller already set it.

    fontTools stamps each embedded font subset with the current time (its
    ``head.modified``) unless SOURCE_DATE_EPOCH is set; that timestamp alone
    made two otherwise identical PDFs differ. The variable is restored after,
    so nothing else in the process sees a changed environment.
    """
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]


def _epoch_of(day: str) -> int:
    """Midnight UTC of an ISO date as Unix seconds; 0 when the text is not a date."""
    parsed = parse_iso_date(day)
    if parsed is None:
        return 0
    return int(dt.datetime(parsed.year, parsed.month, parsed.day, tzinfo=dt.timezone.utc).timestamp())


class _ScreenOnlyCss(logging.Filter):
    """Demote WeasyPrint's notes on the stylesheet's screen-only media queries to DEBUG.

    The one stylesheet carries ``@media (max-width: ...)`` rules for phones.
    WeasyPrint does not evaluate such queries and says so on every run; the
    rules are meant for browsers only, so the note is expected and would
    otherwise bury real warnings in the rule's log.
    """

    PATTERNS = ("Expected a media type", "Invalid media type")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.WARNING and any(p in str(record.msg) for p in self.PATTERNS):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return True


def html_to_pdf(html: str, run_date: str = "") -> bytes:
    """Typeset the HTML with WeasyPrint, offline and reproducibly.

    Only ``data:`` URLs may be fetched, so the PDF cannot depend on the
    network. The PDF's file identifier is a hash of the HTML (WeasyPrint would
    otherwise write none, and some viewers then invent one); its only date is
    the run date from the HTML's ``dcterms.created``; embedded fonts carry the
    run date too (see :func:`_source_date_epoch`).
    """
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=("data",))
    identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
    screen_only = _ScreenOnlyCss()
    weasy_log = logging.getLogger("weasyprint")
    weasy_log.addFilter(screen_only)
    try:
        document = HTML(string=html, url_fetcher=fetcher, base_url=None)
        with _source_date_epoch(_epoch_of(run_date)):
            return document.write_pdf(pdf_identifier=identifier)
    finally:
        weasy_log.removeFilter(screen_only)
