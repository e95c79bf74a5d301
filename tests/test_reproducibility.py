"""Two runs on the same inputs, in two fresh output folders, give the same bytes, with threads as without.

The session's demo run (``demo_run``) is the first run: the default profile, every job's
step in a thread of Snakemake's process. This module makes a second one into another
folder without the profile's ``force-use-threads``, so that every job runs in a process
of its own (the local executor spawns one per ``run:`` job), and compares every file:
Parquet tables, the data dictionary, HTML, PDF, any image and every log, byte for byte.
(tests/test_executors.py does the same under the cluster-generic executor.)

Two exceptions, each narrowed as far as it goes:

- Logs may name the output folder itself (the report step logs the paths it
  wrote), and the two folders necessarily differ. Logs are compared after that
  folder's path is replaced by ``<out>``; nothing else may differ.
- ``kartlegging.duckdb``: DuckDB writes a random 16-byte database identifier
  into the file header on creation (with the header checksums that cover it),
  so two files built from the same tables are never byte-identical. The test
  proves that every byte outside the header blocks is identical, and that the
  tables and views (names, SQL definitions, and every row) are the same.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_pipeline

pytestmark = pytest.mark.e2e

#: DuckDB's file header: the main header and the two database headers, 4 KiB each.
DUCKDB_HEADER_BYTES = 3 * 4096


@pytest.fixture(scope="module")
def second_run(tmp_path_factory):
    """The demo round again, each job in a process of its own: without the default profile (which sets
    force-use-threads), with its quiet console and rerun-incomplete given on the command line."""
    out = tmp_path_factory.mktemp("second")
    proc = run_pipeline(out, "--workflow-profile", "none", "--logger", "kartlegging", "--rerun-incomplete")
    assert proc.returncode == 0, proc.stderr[-4000:]
    return out, proc


def _files(root: Path) -> dict[str, Path]:
    return {str(p.relative_to(root)): p for p in sorted(root.rglob("*")) if p.is_file()}


def test_both_runs_write_the_same_files(demo_run, second_run):
    out, _ = second_run
    first, second = _files(demo_run), _files(out)
    assert sorted(first) == sorted(second)
    kinds = {Path(name).suffix for name in first}
    assert {".parquet", ".html", ".pdf", ".csv", ".log", ".duckdb", ".md"} <= kinds  # .csv: the report's tables


def test_tables_report_and_images_are_byte_identical(demo_run, second_run):
    out, _ = second_run
    first, second = _files(demo_run), _files(out)
    compared = [n for n in first if Path(n).suffix not in (".log", ".duckdb")]
    differ = [n for n in compared if first[n].read_bytes() != second[n].read_bytes()]
    assert len(compared) > 25 and differ == []


def test_logs_are_identical_but_for_the_output_folder(demo_run, second_run):
    out, _ = second_run
    first, second = _files(demo_run), _files(out)
    logs = [n for n in first if n.endswith(".log")]
    assert len(logs) >= 10

    def normal(path: Path, root: Path) -> bytes:
        return path.read_bytes().replace(str(root).encode(), b"<out>")

    differ = [n for n in logs if normal(first[n], demo_run) != normal(second[n], out)]
    assert differ == []


def test_duckdb_differs_only_in_its_header_and_its_tables_are_identical(demo_run, second_run):
    from kartlegging.infra.database import connect

    out, _ = second_run
    a = (demo_run / "processed" / "kartlegging.duckdb").read_bytes()
    b = (out / "processed" / "kartlegging.duckdb").read_bytes()
    assert len(a) == len(b) > DUCKDB_HEADER_BYTES
    assert a[DUCKDB_HEADER_BYTES:] == b[DUCKDB_HEADER_BYTES:]

    def contents(db: Path) -> dict[str, tuple[str, object, object, list]]:
        con = connect(db)
        try:
            found = {}
            for name, sql, comment in con.execute(
                    "SELECT table_name, sql, comment FROM duckdb_tables() UNION ALL "
                    "SELECT view_name, sql, comment FROM duckdb_views() WHERE NOT internal ORDER BY 1"
            ).fetchall():
                rows = con.sql(f'SELECT * FROM "{name}"').to_arrow_table()
                found[name] = (sql, comment, rows.schema, rows.to_pylist())
            return found
        finally:
            con.close()

    first = contents(demo_run / "processed" / "kartlegging.duckdb")
    second = contents(out / "processed" / "kartlegging.duckdb")
    assert sorted(first) == sorted(second) and len(first) >= 20
    for name in first:
        assert first[name] == second[name], name


def test_console_output_of_a_run_holds_no_personal_data(second_run):
    """Snakemake's own output (job listings, params, errors) is read by people too."""
    from privacy_scan import collect_round, leaks

    from kartlegging_synth import PERSONAL_PATTERNS

    _, proc = second_run
    personal = collect_round(Path(__file__).resolve().parents[1] / "data" / "raw" / "2015")
    assert leaks(proc.stdout + proc.stderr, personal, tuple(PERSONAL_PATTERNS)) == []
