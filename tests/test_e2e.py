"""End to end: Snakemake on the demo round reproduces the register's survey figures."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[1]
REGISTER = yaml.safe_load((ROOT / "config" / "register" / "2015.yaml").read_text(encoding="utf-8"))
ALL_IDS = [f["id"] for f in REGISTER["figures"]]
SURVEY_IDS = [i for i in ALL_IDS if not i.startswith("kostra_")]
KOSTRA_IDS = [i for i in ALL_IDS if i.startswith("kostra_")]
MISPRINT = "kommuner_uten_tjeneste_andel"
#: The register's note says the published mean does not square with the other KOSTRA figures.
INCONSISTENT = "kostra_2019_arsverk_snitt"

pytestmark = pytest.mark.e2e


def _read(demo_run: Path, name: str) -> pd.DataFrame:
    return pq.read_table(demo_run / "processed" / "2015" / f"{name}.parquet").to_pandas()


def test_every_register_figure_is_computed(demo_run):
    figs = _read(demo_run, "figures")
    assert sorted(figs["figure_id"]) == sorted(ALL_IDS)
    assert figs.loc[figs["unit"] != "tekst", "value"].notna().all()


@pytest.mark.parametrize("figure_id", [i for i in ALL_IDS if i not in (MISPRINT, INCONSISTENT)])
def test_figure_matches_published(demo_run, figure_id):
    rec = _read(demo_run, "reconciliation").set_index("figure_id")
    row = rec.loc[figure_id]
    assert row["status"] in ("lik", "innenfor toleranse"), (figure_id, row["published"], row["computed"])


def test_misprint_gives_arithmetic_truth(demo_run):
    rec = _read(demo_run, "reconciliation").set_index("figure_id")
    # the register marks the published 72 % as a misprint: its own status, not an unexplained deviation
    assert rec.loc[MISPRINT, "status"] == "trykkfeil i kilden"
    assert rec.loc[MISPRINT, "value"] == pytest.approx(100 * 349 / 428)
    assert rec.loc[MISPRINT, "computed"] == "82 %"


def test_headline_counts(demo_run):
    figs = _read(demo_run, "figures").set_index("figure_id")["value"]
    assert figs["kommuner_totalt"] == 428
    assert figs["mottakere_epost"] == 443
    assert figs["tjenester_totalt"] == 41
    assert figs["kommuner_med_tjeneste"] == 79


def test_kommune_status_has_one_row_per_kommune(demo_run):
    ks = _read(demo_run, "kommune_status")
    assert len(ks) == 428 and ks["kommunenummer"].is_unique
    assert set(ks["har_tjeneste"]) <= {"ja", "nei", "ukjent"}


def test_inconsistent_kostra_mean_is_reported_as_it_is(demo_run):
    rec = _read(demo_run, "reconciliation").set_index("figure_id")
    figs = _read(demo_run, "figures").set_index("figure_id")
    assert rec.loc[INCONSISTENT, "status"] == "avviker"
    total, mean = figs.loc["kostra_2019_arsverk", "value"], figs.loc[INCONSISTENT, "value"]
    assert mean == pytest.approx(total / figs.loc[INCONSISTENT, "denominator"])


def test_duckdb_tables_answer_from_any_folder(demo_run, tmp_path, monkeypatch):
    import duckdb

    monkeypatch.chdir(tmp_path)
    con = duckdb.connect(str(demo_run / "processed" / "kartlegging.duckdb"), read_only=True)
    n = con.execute("SELECT count(*) FROM kommune_status WHERE har_tjeneste = 'ja'").fetchone()[0]
    assert n == 79
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert {"services", "kommune_status", "figures", "figure_series", "reconciliation", "kommuner"} <= tables
    assert (demo_run / "processed" / "data_dictionary.md").read_text(encoding="utf-8").count("## `") >= 15


def test_report_html_and_pdf_carry_the_round_and_its_headline_figures(demo_run):
    """Both reports hold the title, the round and the computed headline counts (not merely some bytes)."""
    figs = _read(demo_run, "figures").set_index("figure_id")["value"]
    headline = [f"{int(figs[i])}" for i in ("tjenester_totalt", "kommuner_med_tjeneste", "kommuner_totalt")]
    html = (demo_run / "report" / "2015" / "kartlegging.html").read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html>") and '<html lang="nb"' in html
    assert "<title>Lærings- og mestringstjenester i kommunene – kartlegging 2015</title>" in html
    assert html.rstrip().endswith("</html>")
    reader = PdfReader(demo_run / "report" / "2015" / "kartlegging.pdf")
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert len(reader.pages) > 1 and "Lærings- og mestringstjenester i kommunene" in text
    for value in headline:
        assert re.search(rf"(?<![\d,]){value}(?![\d,])", html), value
        assert re.search(rf"(?<![\d,]){value}(?![\d,])", text), value


def test_every_settled_review_item_stays_in_issues_marked_resolved(demo_run):
    """An override settles a review item; the item stays listed with the override's id (none vanish)."""
    issues = _read(demo_run, "issues")
    applied = _read(demo_run, "overrides_applied")
    settled = issues[issues["resolved_by"].notna()]
    resolved = set(zip(settled["source"], settled["file"], settled["resolved_by"]))
    for o in applied.itertuples():
        if o.source == "epost":  # e-mail overrides each settle one item of their file
            assert (o.source, o.file, o.override_id) in resolved, o.override_id
    assert {"ov-2015-003", "ov-2015-004", "ov-2015-005"} <= set(
        issues.loc[(issues["source"] == "epost") & (issues["field"] == "enhet_id"), "resolved_by"].dropna())


FINDING_IDS = [f["id"] for f in REGISTER["figures"] if f.get("kind") == "utsagn"]


def test_findings_hold_and_reconcile_as_lik(demo_run):
    """The five findings stated in words: value 1 (unit utsagn) in figures, lik in the reconciliation."""
    assert len(FINDING_IDS) == 5
    figs = _read(demo_run, "figures").set_index("figure_id")
    rec = _read(demo_run, "reconciliation").set_index("figure_id")
    for fid in FINDING_IDS:
        assert figs.loc[fid, "unit"] == "utsagn" and figs.loc[fid, "value"] == 1, fid
        assert rec.loc[fid, "status"] == "lik" and rec.loc[fid, "computed"] == "holder", fid
        assert rec.loc[fid, "published"] == next(f["published"] for f in REGISTER["figures"] if f["id"] == fid)
