"""The demo report as an editor reads it (issue 22): synthetic sources named as such, every table numbered
with its caption and source, the style sheet's rules kept, a CSV beside each table, real footnotes and one
table of contents in the PDF. Runs on the session's pipeline run (``demo_run``)."""
from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from kartlegging.report import stil
from kartlegging.report.tables_csv import tables_of, to_csv
from kartlegging.report.typst_pdf import Node, parse_html

pytestmark = pytest.mark.e2e
ROUND = "2015"


@pytest.fixture(scope="module")
def report(demo_run) -> Path:
    return demo_run / "report" / ROUND / "kartlegging.html"


@pytest.fixture(scope="module")
def html(report) -> str:
    return report.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def tree(html) -> Node:
    return parse_html(html)


def _all(node: Node) -> list[Node]:
    out = []
    for child in node.elements():
        out.append(child)
        out.extend(_all(child))
    return out


def _section(html: str, ident: str) -> str:
    start = html.index(f'<section id="{ident}"')
    return html[start:html.index("</section>", start)]


def test_synthetic_kostra_is_named_wherever_the_source_is(html):
    kostra = _section(html, "kostra")
    assert 'data-synthetic-source="kostra"' in kostra and "ikke SSBs tall" in kostra
    caption = re.search(r'<figure class="chart" id="figur-\d+" data-chart="kostra_fls">.*?<figcaption>(.*?)'
                        r'</figcaption>', html, re.S).group(1)
    assert ("Kilde: KOSTRA, frisklivssentraler: syntetiske KOSTRA-uttrekk laget av arbeidsflyten, "
            "ikke tall fra SSB") in caption
    colophon = html[html.index('<footer class="colophon"'):]
    assert re.search(r'<dd data-synthetic-source="kostra">Syntetiske KOSTRA-uttrekk', colophon)
    references = _section(html, "referanser")
    assert 'data-synthetic-source="kostra"' in references and "statbank" not in references
    assert "KOSTRA-tallene i kapitlet om frisklivssentraler er også laget av arbeidsflyten" in html  # title page
    assert "resultater beregnet på nytt" not in html and "demonstrasjon av arbeidsflyten med syntetiske data" in html
    # appendix A says what "lik" means on generated data
    assert "viser derfor bare at arbeidsflyten regner ut det datagenereringen la inn" in _section(html, "vedlegg-a")


def test_every_figure_and_table_has_caption_number_and_source(tree):
    nodes = _all(tree)
    figures = [n for n in nodes if n.tag == "figure"]
    assert len(figures) >= 7
    for fig in figures:
        caption = fig.elements("figcaption")
        assert caption and re.match(r"Figur \d+\. ", caption[0].text()), fig.attrs.get("id")
        assert "Kilde: " in caption[0].text(), fig.attrs.get("id")
    in_figures = {id(t) for f in figures for t in f.find_all("table")}
    numbers = []
    for node in nodes:
        if "table-wrap" in node.classes:
            continue  # its table is looked at from the box, whose next paragraph is the source line
        for i, child in enumerate(node.elements()):
            wrapped = child.find_all("table") if "table-wrap" in child.classes else []
            tables = [child] if child.tag == "table" else wrapped
            for table in tables:
                caption = table.elements("caption")
                assert caption, table.attrs
                if id(table) in in_figures:
                    continue  # the numbers under a chart: captioned, its figure gives the source
                found = re.match(r"Tabell ([A-D]\.)?(\d+)\. ", caption[0].text())
                assert found, caption[0].text()
                numbers.append(found.group(0).strip())
                after = [n for n in node.elements()[i + 1:] if n.tag == "p"][:1]
                source = after[0] if after else None
                assert source is not None and "kilde" in source.classes, caption[0].text()
                assert source.text().startswith("Kilde: "), caption[0].text()
    assert len(numbers) == len(set(numbers)) and numbers[0] == "Tabell 1."


def _without(html: str, *patterns: str) -> str:
    for pattern in patterns:
        html = re.sub(pattern, "", html, flags=re.S)
    return html


def test_the_style_sheet_holds_outside_the_analysts_chapters(html):
    """Everything the templates and the code write keeps the style sheet's checkable rules; a rule the
    analysts' own chapters break is listed, with its file, in appendix B (as typed numbers are)."""
    own = _without(html, r'<section id="kapittel-[^"]*" class="analyst-chapter">.*?</section>',
                   r'<table class="compact style-findings".*?</table>')
    assert stil.check_html(own) == []
    listed = re.findall(r'<tr data-style-rule="([^"]+)"><td><code>([^<]+)</code>', html)
    for match in re.finditer(r'<section id="kapittel-([^"]*)" class="analyst-chapter">(.*?)</section>', html, re.S):
        for finding in stil.check_html(match.group(2)):
            assert any(rule == finding.rule for rule, _ in listed), finding


def test_no_item_codes_or_field_names_anywhere(html):
    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.parts, self.skip = [], 0

        def handle_starttag(self, tag, attrs):
            self.skip += tag in ("script", "style")

        def handle_endtag(self, tag):
            self.skip -= tag in ("script", "style")

        def handle_data(self, data):
            if not self.skip:
                self.parts.append(data)

    parser = Text()
    parser.feed(html)
    text = " ".join(parser.parts)
    assert not re.findall(r"\bT\d{2}\b|\bq[1-5]\b|\benhet_id\b|\bkommuner_totalt\b", text)
    assert "Vedlegg C. Spørreskjemaene" in text and text.count('data-item="T') == 0  # codes stay in attributes


def test_each_table_is_a_csv_beside_the_report_linked_under_it(report, html):
    tables = tables_of(html)
    folder = report.parent / "tabeller"
    assert sorted(p.stem for p in folder.glob("*.csv")) == sorted(tables)
    for name, rows in tables.items():
        assert (folder / f"{name}.csv").read_bytes() == to_csv(rows)
        assert f'href="tabeller/{name}.csv"' in html
    appendix_a = (folder / "tabell-a1.csv").read_text(encoding="utf-8-sig").splitlines()
    assert appendix_a[0].startswith("Nøkkel i tabellen figures;Tall;Publisert;Beregnet;Status;")
    assert any(line.startswith("kommuner_uten_tjeneste_andel;") and "trykkfeil i kilden" in line for line in appendix_a)


def _html_toc(tree: Node) -> list[str]:
    nav = next(n for n in _all(tree) if n.tag == "nav" and "toc" in n.classes)
    entries = []

    def walk(ol: Node, prefix: str) -> None:
        items = [li for li in ol.elements("li") if li.attrs.get("data-pdf") != "skip"]
        for i, li in enumerate(items, 1):
            link = li.elements("a")[0]
            entries.append(f"{prefix}{i} {link.text()}")
            for sub in li.elements("ol"):
                walk(sub, f"{prefix}{i}.")

    walk(nav.elements("ol")[0], "")
    for ul in nav.elements("ul"):
        entries += [li.elements("a")[0].text() for li in ul.elements("li") if li.attrs.get("data-pdf") != "skip"]
    return entries


def test_html_and_pdf_tables_of_contents_agree(demo_run, tree):
    pdf = PdfReader(io.BytesIO((demo_run / "report" / ROUND / "kartlegging.pdf").read_bytes()))
    text = "\n".join(page.extract_text() for page in pdf.pages[1:4])
    toc = text[text.index("Innhold"):]
    pdf_entries = [re.sub(r"\s+", " ", m.group(1)).strip()
                   for m in re.finditer(r"^(.+?)(?: \.){3,}", toc, re.M)]
    assert pdf_entries == _html_toc(tree)
    assert "Vedlegg D. Alle kommuner, etter fylke" in pdf_entries


def test_pdf_footnotes_are_notes_at_the_foot_of_the_page(demo_run):
    path = demo_run / "report" / ROUND / "kartlegging.pdf"
    with pikepdf.open(path) as pdf:
        roles = set()
        stack = [pdf.Root.StructTreeRoot]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Dictionary):
                if "/S" in node:
                    roles.add(str(node.S))
                kids = node.get("/K")
                if isinstance(kids, pikepdf.Array):
                    stack.extend(kids)
                elif isinstance(kids, pikepdf.Dictionary):
                    stack.append(kids)
        assert roles & {"/Note", "/FENote"}, sorted(roles)
        assert str(pdf.docinfo.get("/Author", "")) or pdf.open_metadata().get("dc:creator")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)
    assert "Noter" not in re.findall(r"\bNoter\b", text[:3000])  # no endnote chapter in the PDF's contents
    assert "trykket 72 %, som er en trykkfeil" in text
