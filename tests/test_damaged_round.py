"""End to end: a copy of the 2015 round with one damaged interview workbook runs through Snakemake to the
end; that workbook is in the quarantine (issues, conservation, the report's appendix B) and every other
interview is in the tables and the figures, as in the demo run."""

from __future__ import annotations

import shutil
from pathlib import Path

import corpus as C
import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import ROOT, snakemake

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

#: An included service outside Oslo, one interview, no review item of its own in the demo round.
DAMAGED = "20150107 Frisklivssentralen i Hamar.xlsx"


def _read(base: Path, name: str) -> pd.DataFrame:
    return pq.read_table(base / "processed" / "2015" / f"{name}.parquet").to_pandas()


def test_one_damaged_interview_is_set_aside_and_the_round_runs_to_the_end(tmp_path, demo_run):
    raw = tmp_path / "raw"
    shutil.copytree(ROOT / "data" / "raw" / "2015", raw / "2015")
    shutil.copytree(ROOT / "data" / "raw" / "kostra", raw / "kostra")
    workbook = raw / "2015" / "intervjuer" / DAMAGED
    workbook.write_bytes(C.tamper(workbook.read_bytes(), C.SHEET1, crc=0))
    out = tmp_path / "out"
    proc = snakemake("--cores", "2", "--directory", ROOT, "--snakefile", ROOT / "Snakefile", "--config",
                     f"raw_dir={raw}", f"processed_dir={out / 'processed'}", f"report_dir={out / 'report'}",
                     f"log_dir={out / 'logs'}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr

    issues = _read(out, "issues")
    quarantined = issues[issues["action"] == "quarantine"]
    assert list(zip(quarantined["source"], quarantined["file"], quarantined["reason_code"])) == [
        ("intervju", DAMAGED, "intervju.arkiv_skadet")]
    assert "fails its checksum (CRC-32)" in quarantined["reason"].iloc[0]

    demo = _read(demo_run, "interviews")
    assert DAMAGED in set(demo["file"]) and (demo.loc[demo["file"] == DAMAGED, "inkludert"] == "ja").all()
    got = _read(out, "interviews")
    assert sorted(got["file"]) == sorted(set(demo["file"]) - {DAMAGED})
    # every other interview's service is in the tables as in the demo run, and one service fewer in the figures
    gone = demo.loc[demo["file"] == DAMAGED, "service_id"].iloc[0]
    demo_services = _read(demo_run, "services").set_index("service_id").drop(gone).sort_index()
    services = _read(out, "services").set_index("service_id").sort_index()
    pd.testing.assert_frame_equal(services, demo_services)
    figures = _read(out, "figures").set_index("figure_id")["value"]
    demo_figures = _read(demo_run, "figures").set_index("figure_id")["value"]
    assert float(figures["tjenester_totalt"]) == float(demo_figures["tjenester_totalt"]) - 1

    conservation = _read(out, "conservation").set_index("source")
    assert conservation.loc["intervju", ["records_in", "quarantined", "unaccounted"]].tolist() == [
        len(demo), 1, 0]
    html = (out / "report" / "2015" / "kartlegging.html").read_text(encoding="utf-8")
    appendix = html[html.index('id="vedlegg-b"'):] if 'id="vedlegg-b"' in html else html
    assert DAMAGED in appendix and "Arbeidsboken er skadet" in appendix
