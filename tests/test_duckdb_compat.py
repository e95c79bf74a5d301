"""The demo database as a researcher meets it: any DuckDB from 1.0 on opens it, every view answers.

DuckDB 1.x clients (the command-line client, R, Java) cannot read DuckDB 2's storage format;
the database step writes DuckDB 1.0's. Each 1.x client below is the PyPI wheel, installed once
into a cache folder of the venv (``pip install --target``) and run in a subprocess with
``PYTHONPATH`` pointing there, so the project's own DuckDB stays out of its way.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kartlegging.core.tables import ALL_TABLES
from kartlegging.infra.database import COPY_DIR, GUIDES, connect

pytestmark = pytest.mark.e2e

#: The oldest 1.x the README names, and the newest 1.x (the one issue 16 saw refuse DuckDB 2's format).
#: DuckDB 1.0.0 has no wheel for Python 3.13 (it predates it): there the oldest is 1.1.1, the first with one.
CLIENTS = ["1.0.0" if sys.version_info < (3, 13) else "1.1.1", "1.5.6"]
CACHE = Path(sys.prefix) / "cache" / "duckdb-clients"

#: Run by the old client: open read-only from the processed folder (the CLI route of the README,
#: no setting needed), count every view's rows and run every worked query of the data dictionary.
PROBE = r"""
import json, sys
import duckdb
con = duckdb.connect("kartlegging.duckdb", read_only=True)
views = [r[0] for r in con.execute(
    "SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY view_name").fetchall()]
counts = {v: con.execute(f'SELECT count(*) FROM "{v}"').fetchone()[0] for v in views}
queries = {name: len(con.execute(sql).fetchall()) for name, sql in json.loads(sys.argv[1]).items()}
print(json.dumps({"version": duckdb.__version__, "counts": counts, "queries": queries}))
"""


def duckdb_client(version: str) -> Path:
    """The folder holding DuckDB ``version``'s Python package, installed from PyPI on first use."""
    target = CACHE / version
    if not (target / "duckdb").is_dir():
        shutil.rmtree(target, ignore_errors=True)
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
             "--only-binary=:all:", "--target", str(target), f"duckdb=={version}"],
            capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, f"pip could not install duckdb=={version}: {proc.stderr[-2000:]}"
    return target


def queries() -> dict[str, str]:
    return {name: g.query for name, g in GUIDES.items() if g.query}


@pytest.mark.parametrize("version", CLIENTS)
def test_duckdb_1x_client_opens_the_database_and_every_view_answers(demo_run, version):
    processed = demo_run / "processed"
    env = {**os.environ, "PYTHONPATH": str(duckdb_client(version))}
    proc = subprocess.run([sys.executable, "-s", "-c", PROBE, json.dumps(queries())], cwd=processed, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = json.loads(proc.stdout)
    assert found["version"] == version
    assert set(found["counts"]) == set(ALL_TABLES)
    assert found["counts"]["kommune_status"] == 428
    assert set(found["queries"]) == set(queries())
    assert all(n > 0 for n in found["queries"].values()), found["queries"]


def test_every_declared_table_has_a_view_with_its_comment(demo_run):
    con = connect(demo_run / "processed" / "kartlegging.duckdb")
    try:
        views = dict(con.execute("SELECT view_name, comment FROM duckdb_views() WHERE NOT internal").fetchall())
    finally:
        con.close()
    assert views == {name: t.description for name, t in ALL_TABLES.items()}


def test_worked_queries_answer_as_the_dictionary_says(demo_run):
    con = connect(demo_run / "processed" / "kartlegging.duckdb")
    try:
        covered = con.execute(queries()["service_kommuner"]).fetchall()
        bridge = con.execute("SELECT count(DISTINCT kommunenummer) FROM service_kommuner").fetchone()[0]
        included = con.execute("SELECT count(*) FROM services WHERE inkludert = 'ja'").fetchone()[0]
    finally:
        con.close()
    assert covered == [("2015", 79)]
    assert bridge == 84
    assert included == 41
    dictionary = (demo_run / "processed" / "data_dictionary.md").read_text(encoding="utf-8")
    for name, sql in queries().items():
        assert sql + ";" in dictionary, name
    assert "## `map_status`" in dictionary and "Usual filter:" in dictionary


def test_views_still_answer_when_a_failed_run_removed_the_tables(demo_run, tmp_path):
    """Snakemake deletes the outputs of the steps it reruns; the views read the database step's copies."""
    copy = tmp_path / "processed"
    shutil.copytree(demo_run / "processed", copy)
    removed = [p for p in copy.rglob("*.parquet") if COPY_DIR not in p.relative_to(copy).parts]
    assert len(removed) > 15
    for p in removed:
        p.unlink()
    con = connect(copy / "kartlegging.duckdb")
    try:
        counts = {name: con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in ALL_TABLES}
    finally:
        con.close()
    assert counts["kommune_status"] == 428 and counts["services"] == 46
