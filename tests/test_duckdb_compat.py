"""The demo database as a researcher meets it: any DuckDB from 1.0 on opens it, from any folder, and answers.

DuckDB 1.x clients (the command-line client, R, Java) cannot read DuckDB 2's storage format;
the database step writes DuckDB 1.0's. Each 1.x client below is the PyPI wheel, installed once
into a cache folder of the venv (``pip install --target``) and run in a subprocess with
``PYTHONPATH`` pointing there, so the project's own DuckDB stays out of its way. The command-line
client is the ``duckdb-cli`` wheel, which ships the ``duckdb`` binary.

Each is run twice: from the folder above ``data/processed`` (the repository root of a real
checkout) and from ``data/processed`` itself. The file holds its tables, so no path is resolved
and no setting is needed in either.
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
from kartlegging.infra.database import GUIDES, ISSUE_VIEWS, connect

pytestmark = pytest.mark.e2e

#: The oldest 1.x the README names, and the newest 1.x (the one issue 16 saw refuse DuckDB 2's format).
#: DuckDB 1.0.0 has no wheel for Python 3.13 (it predates it): there the oldest is 1.1.1, the first with one.
CLIENTS = ["1.0.0" if sys.version_info < (3, 13) else "1.1.1", "1.5.6"]
CLI = "1.5.6"
CACHE = Path(sys.prefix) / "cache"

#: Run by the old client: open read-only by the path given, count every table's and view's rows and run
#: every worked query of the data dictionary.
PROBE = r"""
import json, sys
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
names = [r[0] for r in con.execute(
    "SELECT table_name FROM duckdb_tables() UNION ALL "
    "SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1").fetchall()]
counts = {v: con.execute(f'SELECT count(*) FROM "{v}"').fetchone()[0] for v in names}
queries = {name: len(con.execute(sql).fetchall()) for name, sql in json.loads(sys.argv[2]).items()}
print(json.dumps({"version": duckdb.__version__, "counts": counts, "queries": queries}))
"""


def _install(package: str, version: str, folder: str) -> Path:
    target = CACHE / folder / version
    marker = target / package.replace("-", "_")
    if not marker.is_dir():
        shutil.rmtree(target, ignore_errors=True)
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
             "--only-binary=:all:", "--target", str(target), f"{package}=={version}"],
            capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, f"pip could not install {package}=={version}: {proc.stderr[-2000:]}"
    return target


def duckdb_client(version: str) -> Path:
    """The folder holding DuckDB ``version``'s Python package, installed from PyPI on first use."""
    return _install("duckdb", version, "duckdb-clients")


def duckdb_cli(version: str) -> Path:
    """The ``duckdb`` command-line binary of ``version`` (the ``duckdb-cli`` wheel), installed on first use."""
    binary = _install("duckdb-cli", version, "duckdb-cli") / "duckdb_cli" / "duckdb"
    assert binary.is_file(), f"the duckdb-cli wheel has no binary at {binary}"
    return binary


def queries() -> dict[str, str]:
    return {name: g.query for name, g in GUIDES.items() if g.query}


@pytest.fixture(scope="module")
def checkout(demo_run, tmp_path_factory) -> Path:
    """A folder laid out as a checkout: ``data/processed`` holding the demo run's database, and nothing else,
    so a query that needed a Parquet file would fail."""
    root = tmp_path_factory.mktemp("checkout")
    (root / "data" / "processed").mkdir(parents=True)
    shutil.copy2(demo_run / "processed" / "kartlegging.duckdb", root / "data" / "processed" / "kartlegging.duckdb")
    return root


@pytest.mark.parametrize("where", ["root", "processed"])
@pytest.mark.parametrize("version", CLIENTS)
def test_duckdb_1x_client_answers_every_query_from_the_root_and_from_the_processed_folder(checkout, version, where):
    cwd, path = ((checkout, "data/processed/kartlegging.duckdb") if where == "root"
                 else (checkout / "data" / "processed", "kartlegging.duckdb"))
    env = {**os.environ, "PYTHONPATH": str(duckdb_client(version))}
    proc = subprocess.run([sys.executable, "-s", "-c", PROBE, path, json.dumps(queries())], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = json.loads(proc.stdout)
    assert found["version"] == version
    assert set(found["counts"]) == set(ALL_TABLES) | set(ISSUE_VIEWS)
    assert found["counts"]["kommune_status"] == 428
    assert found["counts"]["issues"] == sum(found["counts"][v] for v in ISSUE_VIEWS)
    assert set(found["queries"]) == set(queries())
    assert all(n > 0 for n in found["queries"].values()), found["queries"]


@pytest.mark.parametrize("where", ["root", "processed"])
def test_duckdb_cli_answers_every_worked_query(checkout, where):
    cwd, path = ((checkout, "data/processed/kartlegging.duckdb") if where == "root"
                 else (checkout / "data" / "processed", "kartlegging.duckdb"))
    binary = duckdb_cli(CLI)
    for name, sql in queries().items():
        proc = subprocess.run([str(binary), "-readonly", "-csv", path, "-c", sql], cwd=cwd, capture_output=True,
                              text=True, timeout=120)
        assert proc.returncode == 0 and not proc.stderr, (name, proc.stderr[-2000:])
        assert len(proc.stdout.strip().splitlines()) >= 2, (name, proc.stdout)  # a header and a row at least
    proc = subprocess.run([str(binary), "-readonly", "-csv", "-noheader", path, "-c",
                           "SELECT count(*) FROM issues_kostra; SELECT count(*) FROM kommune_status"],
                          cwd=cwd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["0", "428"]


def test_every_declared_table_is_in_the_file_with_its_comment_and_every_issues_file_has_a_view(demo_run):
    con = connect(demo_run / "processed" / "kartlegging.duckdb")
    try:
        tables = dict(con.execute("SELECT table_name, comment FROM duckdb_tables()").fetchall())
        views = dict(con.execute("SELECT view_name, comment FROM duckdb_views() WHERE NOT internal").fetchall())
        sql = dict(con.execute("SELECT view_name, sql FROM duckdb_views() WHERE NOT internal").fetchall())
    finally:
        con.close()
    assert tables == {name: t.description for name, t in ALL_TABLES.items()}
    # every file of issues a step writes (issues_<source> per round, kostra/issues_kostra) is reachable by its name
    written = {p.stem for p in (demo_run / "processed").rglob("issues_*.parquet")}
    assert written == {"issues_epost", "issues_telefon", "issues_intervju", "issues_kostra"}
    assert set(views) == written and all(views.values())
    assert all("read_parquet" not in text for text in sql.values())  # views over the tables inside, no paths


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
    assert "issues_kostra" in dictionary


def test_the_database_answers_when_a_failed_run_removed_the_tables(demo_run, tmp_path):
    """Snakemake deletes the outputs of the steps it reruns; the file holds its tables, so it still answers."""
    copy = tmp_path / "processed"
    shutil.copytree(demo_run / "processed", copy)
    removed = list(copy.rglob("*.parquet"))
    assert len(removed) > 15
    for p in removed:
        p.unlink()
    con = connect(copy / "kartlegging.duckdb")
    try:
        counts = {name: con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in ALL_TABLES}
    finally:
        con.close()
    assert counts["kommune_status"] == 428 and counts["services"] == 46
