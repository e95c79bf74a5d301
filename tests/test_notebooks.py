"""The DuckDB notebook runs headless on the demo run and its queries give the report's figures.

The notebook (Jupytext percent format) is executed as a script with runpy, which
returns its globals: the query results are checked against figures.parquet of
the same run, so the notebook's SQL and the pipeline's figure code must agree.
"""
from __future__ import annotations

import importlib.util
import runpy
import shutil
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "kartlegging_duckdb.py"

pytestmark = pytest.mark.e2e


def _run(processed: Path, charts: Path, monkeypatch) -> dict:
    monkeypatch.setenv("KARTLEGGING_PROCESSED", str(processed))
    monkeypatch.setenv("KARTLEGGING_CHARTS", str(charts))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    return runpy.run_path(str(NOTEBOOK), run_name="__main__")


def _figures(processed: Path) -> pd.Series:
    figs = pd.read_parquet(processed / "2015" / "figures.parquet")
    return figs.set_index("figure_id")["value"]


@pytest.fixture(scope="module")
def processed(demo_run) -> Path:
    return demo_run / "processed"


@pytest.fixture()
def result(processed, tmp_path, monkeypatch) -> dict:
    return _run(processed, tmp_path / "charts", monkeypatch)


def test_coverage_by_county_adds_up_to_the_report(result, processed):
    figs = _figures(processed)
    totals = result["coverage_totals"].set_index("round")
    assert totals.loc["2015", "med_tjeneste"] == figs["kommuner_med_tjeneste"] == 79
    assert totals.loc["2015", "kommuner"] == figs["kommuner_totalt"]
    assert result["coverage"]["fylkesnummer"].is_unique


def test_services_by_organisation_and_kind_match_the_report(result, processed):
    figs = _figures(processed)
    kinds = result["services_by_kind"]
    kinds = kinds[kinds["round"] == "2015"].set_index("organisering")
    assert kinds["tjenester"].sum() == figs["tjenester_totalt"]
    assert kinds["kommunal"].sum() == figs["tjenester_kommunale"]
    assert kinds["interkommunal"].sum() == figs["tjenester_interkommunale"]
    assert kinds.loc["koordinator", "tjenester"] == figs["tjenester_koordinator"]
    assert kinds.loc[["eget_senter", "avdeling"], "tjenester"].sum() == figs["tjenester_eget_senter"]
    friskliv = kinds.loc[["frisklivssentral", "friskliv_og_mestring"], "tjenester"].sum()
    assert friskliv == figs["tjenester_frisklivssentral"]


def test_kostra_against_kartlegging_matches_the_report(result, processed):
    figs = _figures(processed)
    by_year = result["kostra_by_year"].set_index("year")
    assert by_year.loc[2019, "uten_fls"] == figs["kostra_2019_uten_fls"]
    vs = result["kartlegging_vs_kostra"].set_index("round")
    assert vs.loc["2015", "kommuner_fls_kartlegging"] == figs["kommuner_frisklivssentral"]
    check = pd.read_parquet(processed / "2015" / "kostra_crosscheck.parquet")
    counted = vs.loc["2015", ["fls_men_kostra_0", "fls_kostra_mangler", "kostra_fls_uten_tjeneste"]].sum()
    assert counted == len(check)


def test_every_chart_is_saved_as_png(result):
    for name in ("chart_coverage", "chart_services", "chart_kostra"):
        path = result[name]
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


def test_missing_kostra_views_are_reported_and_skipped(processed, tmp_path, monkeypatch, capsys):
    """A database without the KOSTRA tables: the notebook says so, skips those queries, answers the rest."""
    from kartlegging.infra.database import connect

    copy = tmp_path / "processed"
    shutil.copytree(processed, copy, ignore=shutil.ignore_patterns("notebook"))
    con = connect(copy / "kartlegging.duckdb", read_only=False)
    con.execute("DROP TABLE kostra")
    con.execute("DROP TABLE kostra_crosscheck")
    con.close()
    out = _run(copy, tmp_path / "charts", monkeypatch)
    printed = capsys.readouterr().out
    assert "The kostra table is not in this database" in printed
    assert "The kostra_crosscheck table is not in this database" in printed
    assert "No KOSTRA data in this database: no chart." in printed
    assert out["kostra_by_year"] is None and out["kartlegging_vs_kostra"] is None and out["chart_kostra"] is None
    assert out["coverage_totals"].set_index("round").loc["2015", "med_tjeneste"] == 79


def test_ipynb_is_in_step_with_the_percent_source():
    spec = importlib.util.spec_from_file_location("build_ipynb", ROOT / "notebooks" / "build_ipynb.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--check"]) == 0, "run: python notebooks/build_ipynb.py"
    nb = module.percent_to_notebook(NOTEBOOK.read_text(encoding="utf-8"))
    kinds = [c.cell_type for c in nb.cells]
    assert kinds.count("markdown") >= 4 and kinds.count("code") >= 6
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
