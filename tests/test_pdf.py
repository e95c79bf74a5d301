"""The PDF: Typst markup written from the report's HTML, tagged PDF/UA-1, escaped, reproducible.

The pipeline's own PDF (the demo round) is checked with the ``pdfua`` validator
(the machine-checkable subset of PDF/UA-1) and for what a screen reader needs:
structure tree, language, bookmarks, alt text on every figure.
"""
from __future__ import annotations

import io
import re

import pikepdf
import pytest
from pdfua import validate
from pypdf import PdfReader

from kartlegging.report.pdf import PdfError, html_to_pdf
from kartlegging.report.typst_pdf import escape_markup, escape_text, html_to_typst, parse_html, typst_string

SVG = ("data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHdpZHRoPSIxMCIgaGVpZ2h0PSIxMCI+"
       "PHJlY3Qgd2lkdGg9IjEwIiBoZWlnaHQ9IjEwIi8+PC9zdmc+")
EVIL = ['#panic("x")', "$x^2$", "<etikett>", "// ikke en kommentar", "= ikke en overskrift", "*fet* _kursiv_",
        "@ref", "`raw`", "\\u{41}", "[klammer]", "- ikke en liste", '#let x = 1', "#{ }", "\"sitat\""]


def _page(body: str, title: str = "Test") -> str:
    return (f'<!DOCTYPE html><html lang="nb"><head><title>{title}</title>'
            f'<meta name="author" content="Ola Nordmann; Kari Nordmann"></head><body>{body}</body></html>')


def _text(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def test_escape_markup_leaves_no_markup_character_bare():
    escaped = escape_markup('#a $b *c _d @e <f> [g] `h` \\i =j -k /l ~m')
    assert re.search(r"(?<!\\)[#$*_@<>\[\]`=~/-]", escaped.replace("\\\\", "")) is None


def test_typst_string_escapes_quotes_and_backslashes():
    assert typst_string('a "b" \\c\nd') == '"a \\"b\\" \\\\c d"'


def test_hyphenated_words_stay_on_one_line():
    assert escape_text("HTML-versjonen av") == "#box[HTML\\-versjonen] av"


def test_input_text_is_printed_not_executed():
    html = _page("<h2>Kapittel</h2>" + "".join(f"<p>{t.replace('<', '&lt;')}</p>" for t in EVIL)
                 + f"<table><caption>{EVIL[0]}</caption><thead><tr><th>{EVIL[1]}</th></tr></thead>"
                   f"<tbody><tr><td>{EVIL[5]}</td></tr></tbody></table>")
    text = " ".join(_text(html_to_pdf(html, "2015-01-01")).split())
    for shown in EVIL:
        assert shown in text, shown


def test_alt_text_and_caption_reach_the_figure():
    html = _page(f'<figure class="chart" id="figur-3"><img src="{SVG}" alt="Søyler: Ja 34, Nei 4">'
                 "<figcaption><strong>Figur 3. Samarbeid.</strong> Forklaring</figcaption></figure>")
    document = html_to_typst(html)
    assert 'alt: "Søyler: Ja 34, Nei 4"' in document.source
    assert list(document.inputs) == ["img1"] and document.inputs["img1"].startswith("<svg")
    with pikepdf.open(io.BytesIO(html_to_pdf(html, "2015-01-01"))) as pdf:
        alts = [str(o.get("/Alt")) for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and "/Alt" in o]
    assert "Søyler: Ja 34, Nei 4" in alts


def test_table_gets_a_header_row_and_appendix_a_letter():
    html = _page('<h2>Resultater</h2><section class="appendix" id="vedlegg-a"><h2>Vedlegg A. Avstemming</h2>'
                 '<table><thead><tr><th scope="col">Fylke</th><th class="num">N</th></tr></thead>'
                 '<tbody><tr><th scope="row">Oslo</th><td class="num">1</td></tr></tbody></table></section>')
    source = html_to_typst(html).source
    assert "table.header([Fylke], [N])" in source and "align: (left, right,)" in source
    text = " ".join(_text(html_to_pdf(html, "2015-01-01")).split())
    assert "1 Resultater" in text and "Vedlegg A. Avstemming" in text and "Vedlegg A. Vedlegg A" not in text


def test_screen_only_and_skipped_parts_are_left_out():
    html = _page('<p>synlig</p><section class="screen-only"><p>skjult</p><p class="print-only">til trykk</p></section>'
                 '<div data-pdf="skip">hoppet over</div><details><summary>Åpne</summary><p>innhold</p></details>')
    text = _text(html_to_pdf(html, "2015-01-01"))
    assert "synlig" in text and "til trykk" in text and "Åpne" in text and "innhold" in text
    assert "skjult" not in text and "hoppet over" not in text


def test_a_figure_without_alt_text_is_refused():
    html = _page(f'<figure><img src="{SVG}" alt=""><figcaption>Figur</figcaption></figure>')
    document = html_to_typst(html)
    # An empty alt attribute still gets a (generic) alt text; PDF/UA-1 refuses none at all.
    assert 'alt: "Figur"' in document.source
    broken = document.source.replace('alt: "Figur", ', "")
    from kartlegging.report.pdf import compile_typst
    from kartlegging.report.typst_pdf import TypstDocument

    with pytest.raises(PdfError, match="alt"):
        compile_typst(TypstDocument(broken, document.inputs), "2015-01-01")


def test_parse_html_tolerates_unclosed_elements():
    root = parse_html("<ul><li>a<li>b</ul><p>c")
    assert root.text() == "abc"


# -- the pipeline's PDF ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_pdf(demo_run):
    return demo_run / "report" / "2015" / "kartlegging.pdf"


def test_demo_pdf_passes_the_pdfua_checks(demo_pdf):
    report = validate(str(demo_pdf))
    errors = [f for f in report.findings if f.severity.name == "ERROR"]
    assert errors == [], [(f.rule_id, f.message) for f in errors]
    evaluated = [o for o in report.outcomes if o.skipped_reason is None]
    assert len(evaluated) >= 10


def test_demo_pdf_is_tagged_with_language_bookmarks_and_alt_text(demo_pdf):
    with pikepdf.open(demo_pdf) as pdf:
        root = pdf.Root
        assert bool(root.MarkInfo.Marked) is True and "/StructTreeRoot" in root
        assert str(root.Lang).startswith("nb")
        assert "/Outlines" in root
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
        alts = [str(o.get("/Alt")) for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and "/Alt" in o]
        assert "pdfua" in str(pdf.open_metadata()).lower() or "14289" in str(pdf.open_metadata())
    assert any(re.match(r"\d+\.?\s+Sammendrag", t) for t in titles)  # chapters are numbered
    assert any("Vedlegg A" in t for t in titles) and any("Vedlegg B" in t for t in titles)
    assert len([a for a in alts if a.strip()]) >= 6


def test_demo_pdf_text_has_no_hyphen_at_a_line_end(demo_pdf):
    text = _text(demo_pdf.read_bytes())
    assert re.findall(r"\w[-\u2010\u00ad]\n", text) == []
