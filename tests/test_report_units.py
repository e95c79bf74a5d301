"""The report's frame in small pieces: source lines, table numbers, CSV of a table, the style rules,
date spans, and what the Typst writer makes of footnotes, the outline and group headings."""
from __future__ import annotations

from kartlegging.report import kilder, stil
from kartlegging.report.numbers import fmt_date_span
from kartlegging.report.skjema import INTERVIEW_ITEMS, field_label
from kartlegging.report.tables_csv import tables_of, to_csv
from kartlegging.report.typst_pdf import html_to_typst


def test_synthetic_sources_are_named_per_source():
    both = kilder.source_lines("2015", True, ("2015",), True)
    assert "syntetiske demonstrasjonsdata" in both["intervju"]
    assert "ikke tall fra SSB" in both["kostra"] and "SSB), KOSTRA" not in both["kostra"]
    real = kilder.source_lines("2031", False, (), False)
    assert "syntetisk" not in " ".join(real.values())
    assert real["kostra"] == "Kilde: Statistisk sentralbyrå (SSB), KOSTRA: frisklivssentraler i kommunene."
    # a real round beside synthetic KOSTRA: only KOSTRA is called synthetic
    mixed = kilder.source_lines("2031", False, (), True)
    assert "syntetisk" not in mixed["intervju"] and "syntetiske KOSTRA" in mixed["kostra"]
    compared = kilder.source_lines("2031", False, ("2015",), False, ["2015", "2031"])
    assert compared["sammenligning"].startswith("Kilde: kartleggingen rundene 2015 og 2031 (runde 2015: syntetiske")


def test_tables_are_numbered_in_order_body_and_appendices_apart():
    count = kilder.TableCounter()
    assert [count().number, count().number, count("B").number, count().number, count("B").csv] == \
        ["1", "2", "B.1", "3", "tabell-b2"]


def test_csv_of_a_table_repeats_spanned_cells_and_joins_details():
    html = """<table data-csv="tabell-a1" data-csv-id="Nøkkel" data-csv-detail="Definisjon">
      <caption>Tabell A.1. X</caption>
      <thead><tr><th>Tall</th><th>Publisert</th><th>Status</th></tr></thead>
      <tbody><tr data-id="k1"><th>Kommuner</th><td>16 000</td><td rowspan="2">lik</td></tr>
      <tr class="detail"><td colspan="2">Alle kommuner.</td></tr></tbody>
      <tbody><tr data-id="k2"><th>Andel<a class="fn-ref" href="#fotnote-1"><sup>1</sup></a></th><td>82 %</td>
      <td rowspan="2">avviker</td></tr><tr class="detail"><td colspan="2">Delt på alle.</td></tr></tbody>
    </table>
    <table data-csv="tabell-1"><thead><tr><th>Kilde</th><th>Utfall</th></tr></thead>
      <tbody><tr><th rowspan="2">E-post</th><td>lest</td></tr><tr><td>autosvar</td></tr></tbody></table>
    <table><tr><td>not written</td></tr></table>"""
    found = tables_of(html)
    assert list(found) == ["tabell-a1", "tabell-1"]
    assert found["tabell-a1"] == [["Nøkkel", "Tall", "Publisert", "Status", "Definisjon"],
                                  ["k1", "Kommuner", "16000", "lik", "Alle kommuner."],
                                  ["k2", "Andel", "82 %", "avviker", "Delt på alle."]]
    assert found["tabell-1"][1:] == [["E-post", "lest"], ["E-post", "autosvar"]]
    data = to_csv(found["tabell-1"])
    assert data.startswith("\ufeff".encode()) and data.endswith(b"autosvar\r\n") and b";" in data


def test_style_rules_catch_each_pattern_and_spare_good_text():
    bad = ("Av dem har 4 tjenester. 4 tjenester er nye. Det gjaldt 1 kommuner og 18% av dem. KOLS og fagpersoner; "
           "rørledningen; Kartlegging-prosjektet; spørsmål T06 og q1. Sendt mellom 4. november 2014 og "
           "5. november 2014.")
    assert {f.rule for f in stil.check(bad)} == {r.name for r in stil.RULES} | {stil.SENTENCE_START}
    good = ("Serien nr. 1/2026 kom ut 4. og 5. november 2014. Av dem har 4 tjenester ca. 5 tilbud, "
            "og 1 kommune har 18 % av kols-tilbudene. Kols er vanlig.")
    assert stil.check(good) == []
    # a table cell may open with a number; running text may not
    html = "<table><tr><td>4 tjenester</td></tr></table><p>Ja. 4 tjenester er nye.</p>"
    assert [f.rule for f in stil.check_html(html)] == [stil.SENTENCE_START]


def test_dates_share_month_and_year():
    assert fmt_date_span("2014-11-04", "2014-11-05") == "4. og 5. november 2014"
    assert fmt_date_span("2014-11-30", "2014-12-02") == "30. november og 2. desember 2014"
    assert fmt_date_span("2014-12-30", "2015-01-02") == "30. desember 2014 og 2. januar 2015"
    assert fmt_date_span("2014-11-04", "2014-11-04") == "4. november 2014"


def test_item_codes_have_words():
    assert field_label("q1").startswith("e-post, spørsmål 1") and field_label("T06") == "organisering"
    assert field_label("T99") == "annen opplysning"  # never the code itself
    assert len(INTERVIEW_ITEMS) == 23


def test_typst_footnotes_outline_and_group_headers():
    html = """<html lang="nb"><head><title>T</title><meta name="author" content="A; B"></head><body>
    <nav class="toc"><h2>Innhold</h2><ol><li><a href="#a">A</a></li></ol></nav>
    <main><section id="a"><h2>Kapittel</h2><p>Tall 82 %<a class="fn-ref" href="#fotnote-1"><sup>1</sup></a>
    og igjen<a class="fn-ref" href="#fotnote-1"><sup>1</sup></a>.</p><h3>Under</h3></section>
    <section id="noter" data-pdf="skip"><ol><li id="fotnote-1">Kilden trykket 72 %.</li></ol></section>
    <table data-group="Østfold"><thead><tr><th>Kommune</th><th>Status</th></tr></thead>
    <tbody><tr><td>Halden</td><td>ja</td></tr></tbody></table></main></body></html>"""
    source = html_to_typst(html).source
    assert source.count("#footnote[Kilden trykket 72 \\%\\.] <fn-1>") == 1 and "#footnote(<fn-1>)" in source
    assert "Kilden trykket" not in source.split("#footnote[", 1)[0]  # the endnote list itself is left out
    assert '#heading(level: 2, outlined: false, bookmarked: true)[Under]' in source  # not in the HTML's contents
    assert "#heading(level: 1)[Kapittel] <a>" in source
    assert "table.header(table.cell(colspan: 2, align: left)[#strong[Østfold]]" in source
    assert 'author: ("A", "B", )' in source
