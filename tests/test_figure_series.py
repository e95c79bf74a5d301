"""One source of numbers: the charts and tables of the report are rows of figure_series, the text's
numbers rows of figures, both written by the figures step; the report package counts nothing.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from kartlegging.report import katalog

ROOT = Path(__file__).resolve().parents[1]
REPORT_PACKAGE = ROOT / "src" / "kartlegging" / "report"
#: pandas calls that aggregate a table.
AGGREGATIONS = frozenset({"groupby", "value_counts", "nunique", "sum", "mean", "median", "count", "size", "mode",
                          "agg", "aggregate", "pivot_table", "crosstab", "describe", "cumsum"})
#: Where the report package may still call one of those, and why: nowhere (the map's simplification is
#: shapely's coverage_simplify; every count is a row of an analysis/ table).
ALLOWED: set[tuple[str, str]] = set()
#: Jinja filters that count or group rows: a template lays out, it counts nothing either.
TEMPLATE_COUNTING = re.compile(r"\|\s*(sum|selectattr|rejectattr|groupby)\b")


def aggregations(source: str, filename: str) -> list[tuple[str, str, int]]:
    """(function, method, line) of each pandas-style aggregation call outside the allowed places."""
    found = []

    class Visitor(ast.NodeVisitor):
        def __init__(self) -> None:
            self.stack: list[str] = []

        def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
            self.stack.append(node.name)
            self.generic_visit(node)
            self.stack.pop()

        def visit_Call(self, node: ast.Call) -> None:
            if isinstance(node.func, ast.Attribute) and node.func.attr in AGGREGATIONS:
                name = node.func.attr
                function = self.stack[0] if self.stack else "<module>"
                if (filename, "*") not in ALLOWED and (filename, function) not in ALLOWED:
                    found.append((function, name, node.lineno))
            self.generic_visit(node)

    Visitor().visit(ast.parse(source))
    return found


def test_report_package_does_not_aggregate_tables():
    found = {p.name: aggregations(p.read_text(encoding="utf-8"), p.name) for p in sorted(REPORT_PACKAGE.glob("*.py"))}
    assert {name: hits for name, hits in found.items() if hits} == {}
    templates = {p.name: TEMPLATE_COUNTING.findall(p.read_text(encoding="utf-8"))
                 for p in sorted((REPORT_PACKAGE / "templates").glob("*.j2"))}
    assert {name: hits for name, hits in templates.items() if hits} == {}


def test_the_static_check_catches_a_count():
    planted = "def figure(services):\n    return int((services['type'] == 'kommunal').sum())\n"
    assert aggregations(planted, "render.py") == [("figure", "sum", 2)]
    assert aggregations("def f(s):\n    return s.groupby('x').size()\n", "render.py") == [
        ("f", "size", 2), ("f", "groupby", 2)]
    assert TEMPLATE_COUNTING.findall("{{ rows | selectattr('x') | list | length }}") == ["selectattr"]


# --------------------------------------------------------------------------- the demo round


@pytest.fixture(scope="module")
def demo(demo_run):
    folder = demo_run / "processed" / "2015"
    figures = pq.read_table(folder / "figures.parquet").to_pandas().set_index("figure_id")["value"]
    series = pq.read_table(folder / "figure_series.parquet").to_pandas()
    html = (demo_run / "report" / "2015" / "kartlegging.html").read_text(encoding="utf-8")
    return figures, series, html


def _value(series: pd.DataFrame, sid: str, category: str, measure: str) -> float:
    row = series[(series["series_id"] == sid) & (series["category"] == category) & (series["measure"] == measure)]
    assert len(row) == 1, (sid, category, measure)
    return float(row["value"].iloc[0])



@pytest.mark.e2e
def test_charts_and_the_text_quoting_them_are_the_same_rows(demo):
    figures, s, _ = demo
    pairs = [
        (("samarbeid_hf", "ja", "tjenester"), "tjenester_samarbeid_hf"),
        (("samarbeid_hf", "ja", "kommuner"), "kommuner_samarbeid_hf"),
        (("hf_bidrag", "hf_utvikling", "tjenester"), "tjenester_hf_utvikling"),
        (("hf_bidrag", "hf_utvikling", "kommuner"), "kommuner_hf_utvikling"),
        (("hf_bidrag", "hf_helsepedagogikk", "tjenester"), "tjenester_hf_helsepedagogikk"),
        (("hf_bidrag", "hf_helsepedagogikk", "kommuner"), "kommuner_hf_helsepedagogikk"),
        (("hf_bidrag", "hf_tilbud", "tjenester"), "tjenester_hf_tilbud"),
        (("hf_bidrag", "hf_tilbud", "kommuner"), "kommuner_hf_tilbud"),
        (("organisering", "koordinator", "tjenester"), "tjenester_koordinator"),
        (("svarflyt", "mottakere", "antall"), "mottakere_epost"),
        (("svarflyt", "ringt", "antall"), "telefonrunde_enheter"),
        (("svarflyt", "inkludert", "antall"), "tjenester_totalt"),
        (("brukerorg_etablering", "ja", "tjenester"), "brukerorg_etablering_ja"),
        (("brukerorg_etablering", "nei", "tjenester"), "brukerorg_etablering_nei"),
        (("rekruttering", "via_brukerorganisasjoner", "tjenester"), "rekruttering_via_organisasjoner"),
        (("tilbud_antall", "over_5", "tjenester"), "tjenester_over_fem_tilbud"),
        (("kompetansekurs", "ja", "tjenester"), "tjenester_kompetansekurs"),
    ]
    for (sid, cat, measure), fid in pairs:
        assert _value(s, sid, cat, measure) == figures[fid], (sid, cat, measure, fid)
    org = s[(s["series_id"] == "organisering") & (s["measure"] == "tjenester")].set_index("category")["value"]
    assert org["frisklivssentral"] + org["friskliv_og_mestring"] == figures["tjenester_frisklivssentral"]
    assert org.get("eget_senter", 0) + org.get("avdeling", 0) == figures["tjenester_eget_senter"]
    county = s[(s["series_id"] == "dekning_fylke") & (s["measure"] == "med_tjeneste")]["value"]
    assert county.sum() == figures["kommuner_med_tjeneste"]


@pytest.mark.e2e
def test_figure_4_counts_started_services_as_its_caption_says(demo):
    figures, s, html = demo
    groups = s[s["series_id"] == "malgrupper"]
    assert (groups["denominator"] == figures["tjenester_startet"]).all()
    assert groups["value"].max() <= figures["tjenester_startet"] < figures["tjenester_totalt"]
    caption = re.search(r'data-chart="malgrupper".*?<figcaption>(.*?)</figcaption>', html, re.S).group(1)
    assert "tjenester som har startet med tilbud" in caption and "T09" not in caption


@pytest.mark.e2e
def test_each_chart_table_shows_its_rows(demo):
    """The table under each chart holds exactly the chart's figure_series rows, formatted."""
    _, s, html = demo
    for sid, measures in (("organisering", ("tjenester", "kommuner")), ("malgrupper", ("tjenester",)),
                          ("samarbeid_hf", ("tjenester", "kommuner")), ("hf_bidrag", ("tjenester", "kommuner"))):
        block = re.search(rf'data-chart="{sid}".*?</figure>', html, re.S).group(0)
        shown = re.findall(r'<tr><th scope="row">(.*?)</th>((?:<td class="num">[^<]*</td>)+)</tr>', block)
        rows = s[s["series_id"] == sid].sort_values(["nr", "measure"])
        expected = []
        for _nr, part in rows.groupby("nr", sort=True):
            by_measure = part.set_index("measure")["value"]
            expected.append((part["label"].iloc[0], [f"{by_measure[m]:.0f}" for m in measures]))
        got = [(label, re.findall(r'<td class="num">([^<]*)</td>', cells)) for label, cells in shown]
        assert got == expected, sid


@pytest.mark.e2e
def test_organisation_text_and_chart_say_which_measure(demo):
    _, _, html = demo
    section = html[html.index('<section id="organisering">'):html.index('<section id="aktivitet">')]
    # the two measures in words (the questionnaire's items are in appendix C, no codes in the text)
    assert "Etter navnet tjenesten oppga i intervjuet" in section
    assert "lederne oppga da de ble spurt om hvordan tjenesten er organisert" in " ".join(section.split())
    assert "organiseringen lederne oppga i intervjuet" in section and "T06" not in section


# --------------------------------------------------------------------------- the catalogue


def test_catalogue_has_bokmal_text_for_every_register_figure():
    from kartlegging.analysis.findings import FINDINGS
    from kartlegging.core.register import read_register

    ids = set(FINDINGS)
    for path in sorted((ROOT / "config" / "register").glob("*.yaml")):
        register = read_register(path)
        ids |= set(register.ids)
        used = {str(f["source"]) for f in register.figures if f.get("source")}
        assert used <= set(register.sources), path  # every source the round's entries use is named by the round
    missing = sorted(ids - set(katalog.load()["tall"]))
    assert missing == []
    register = read_register(ROOT / "config" / "register" / "2015.yaml")
    assert "NK LMH" in register.source("notat").full and "KOSTRA" in register.source("ssb").short


def test_catalogue_keeps_only_what_holds_for_every_round():
    """Notes and dated definitions belong to a round's register: the catalogue has labels and round-neutral text."""
    entries = katalog.load()["tall"]
    assert all(set(e) <= {"etikett", "definisjon"} for e in entries.values())
    dated = {fid: e["definisjon"] for fid, e in entries.items()
             if not fid.startswith("kostra_") and re.search(r"\b(19|20)\d\d\b", e.get("definisjon", ""))}
    assert dated == {}
    assert set(katalog.load()) == {"statuser", "registre", "tall"}


@pytest.mark.parametrize("published, expected", [(16000, "16 000"), ("1.05", "1,05"), ("72 %", "72 %"),
                                                 ("doblet", "doblet"), ("> 50 %", "> 50 %"), (1000, "1 000"),
                                                 ("november 2014 – januar 2015", "november 2014 – januar 2015"),
                                                 ("ca. 30 %", "ca. 30 %"), ("16000", "16 000")])
def test_published_values_in_norwegian_form(published, expected):
    assert katalog.fmt_published(published) == expected


@pytest.mark.parametrize("tolerance, expected", [("1.8–2.2x", "1,8–2,2 ganger"), ("2 pp", "±2 prosentpoeng"),
                                                 (1000, "±1 000"), (5, "±5")])
def test_tolerances_in_words(tolerance, expected):
    assert katalog.fmt_tolerance(tolerance) == expected
