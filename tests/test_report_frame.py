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


def test_without_a_date_the_report_is_a_draft_beside_its_version(tmp_path):
    """A round's publication without a date (or none at all): 'Utkast' beside the version, no 'Publisert'."""
    from kartlegging.report import render_html

    inputs = load_inputs(write_round(tmp_path / "processed", fake_frames()), ROUND, REGISTER_PATH)
    undated = {k: v for k, v in PUBLICATION.items() if k != "date"}
    for publication in (undated, None):
        meta = ReportMeta(round=ROUND, run_date="2015-01-01", commit="abc123", synthetic=False, classification="2015",
                          publication=publication)
        html = render_html(inputs, meta)
        title = html[html.index('id="tittel"'):html.index("</header>")]
        assert 'data-meta="draft"' in title and "Utkast" in title and 'data-meta="published"' not in title
        assert "Utkast, 1. januar 2015" in title and "abc123" in title  # the software version beside it
        assert "Publisert" not in html[html.index('id="kolofon"'):]
    # without a publication block the title page names no series or number, and no demonstration
    assert "nr." not in title and 'data-synthetic="true"' not in title
    # a dated round is published and not a draft
    dated = render_html(inputs, ReportMeta(round=ROUND, run_date="2015-01-01", commit="abc123", synthetic=False,
                                           classification="2015", publication=PUBLICATION))
    assert 'data-meta="draft"' not in dated and "1. mars 2026" in dated


def test_the_leader_title_comes_from_the_round(tmp_path):
    from kartlegging.report import render_html
    from kartlegging.report.labels import leader_title

    inputs = load_inputs(write_round(tmp_path / "processed", fake_frames()), ROUND, REGISTER_PATH)
    for title, classification, singular, plural in (("rådmann", "2015", "rådmannen", "rådmenn"),
                                                    ("kommunedirektør", "2015", "kommunedirektøren",
                                                     "kommunedirektører"),
                                                    ("", "2024", "kommunedirektøren", "kommunedirektører"),
                                                    ("", "2015", "rådmannen", "rådmenn")):
        meta = ReportMeta(round=ROUND, run_date="2015-01-01", commit="abc", synthetic=True,
                          classification=classification, leader_title=title)
        html = render_html(inputs, meta)
        method = html[html.index('<section id="metode">'):html.index('<section id="resultater">')]
        assert f"Først fikk {singular} i hver av" in method and f"{plural} og" in method
        assert leader_title(title, classification).definite == singular
