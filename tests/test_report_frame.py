"""The publication's frame: title page, reference list and colophon from config, in HTML and PDF."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from test_report import REFERENCE, REGISTER_PATH, ROUND, fake_frames, write_round

from kartlegging.report import ReportMeta, build_report, load_inputs

PUBLICATION = {"publisher": "Utgiveren & co", "series": "Rapportserie", "number": "7/2026",
               "authors": ["Forfatter En", "Forfatter To"], "date": "2026-03-01", "demonstration": True}


@pytest.fixture(scope="module")
def framed(tmp_path_factory):
    base = tmp_path_factory.mktemp("frame")
    processed = write_round(base / "processed", fake_frames())
    inputs = load_inputs(processed, ROUND, REGISTER_PATH, reference_dir=REFERENCE)
    meta = ReportMeta(round=ROUND, run_date="2015-01-01", commit="abc123", synthetic=False, classification="2015",
                      publication=PUBLICATION)
    build_report(inputs, base / "r.html", base / "r.pdf", meta)
    html = (base / "r.html").read_text(encoding="utf-8")
    reader = PdfReader(io.BytesIO((base / "r.pdf").read_bytes()))
    return html, [" ".join(p.extract_text().split()) for p in reader.pages]


def test_title_page_names_publisher_series_authors_and_dates(framed):
    html, pages = framed
    title = html[html.index('id="tittel"'):html.index("</header>")]
    assert "Utgiveren &amp; co" in title and "Rapportserie, nr. 7/2026" in title
    assert "Forfatter En, Forfatter To" in title and "1. mars 2026" in title
    assert "Versjon" in title and "Kjøredato" not in html and "abc123" in title
    assert "demonstrasjon" in title.lower()  # said plainly, from config, even for a non-synthetic round
    assert "Utgiveren & co" in pages[0] and "Forfatter En, Forfatter To" in pages[0]
    assert "Side" not in pages[0]  # the title page carries no page number


def test_reference_list_and_colophon(framed):
    html, pages = framed
    refs = html[html.index('id="referanser"'):html.index('id="vedlegg-a"')]
    for source in ("NK LMH 4/2016", "Helsedirektoratet (2021)", "KOSTRA", "Klass 131", "Kartverket"):
        assert source in refs, source
    colophon = html[html.index('id="kolofon"'):]
    for item in ("NLOD", "CC BY 4.0", "abc123", "Typst"):
        assert item in colophon, item
    text = " ".join(pages)
    assert "Referanser" in text and "Kolofon" in text and "NK LMH 4/2016" in text
