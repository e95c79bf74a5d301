"""The researchers' entry point: a DuckDB file of views over the Parquet tables, and a data dictionary.

Views hold paths relative to the processed folder, so the folder can be moved
or copied as a whole. DuckDB resolves relative paths against its
``file_search_path``; :func:`connect` sets it to the database's own folder.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb

from kartlegging.tables import ALL_TABLES, Table

#: Tables that are not per round, and where their single file lies under the processed folder.
SHARED_TABLES = {
    "kommuner": "reference/kommuner.parquet",
    "kommune_navn": "reference/kommune_navn.parquet",
    "bydeler": "reference/bydeler.parquet",
    "crosswalk": "reference/crosswalk.parquet",
    "harmonised_status": "harmonised/kommune_status.parquet",
    "kostra": "kostra/kostra.parquet",
}

#: Files a per-round view also reads, when present: the KOSTRA extracts' review and quarantine
#: items are shared by the rounds and carry ``round = 'kostra'`` in the ``issues`` view.
EXTRA_FILES = {
    "issues": ["kostra/issues_kostra.parquet"],
}


def _sql_list(paths: list[str]) -> str:
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


def view_sql(table: Table, rounds: list[str], extra: Iterable[str] = ()) -> str:
    """CREATE VIEW over the table's files of every round (or the reference file), plus ``extra`` files."""
    if table.per_round:
        paths = [f"{r}/{table.name}.parquet" for r in rounds] + list(extra)
    else:
        paths = [SHARED_TABLES[table.name]]
    return (
        f"CREATE OR REPLACE VIEW {table.name} AS "
        f"SELECT * FROM read_parquet({_sql_list(paths)}, union_by_name = true)"
    )


def build_database(processed_dir: str | Path, rounds: list[str], db_path: str | Path) -> list[str]:
    """(Re)create the DuckDB file with one view per table; returns the view names."""
    processed = Path(processed_dir).resolve()
    db = Path(db_path)
    if db.exists():
        db.unlink()
    wal = db.with_name(db.name + ".wal")
    if wal.exists():
        wal.unlink()
    names = []
    con = duckdb.connect(str(db))
    try:
        con.execute(f"SET file_search_path = '{str(processed).replace(chr(39), chr(39) * 2)}'")
        for table in ALL_TABLES.values():
            if not table.per_round and table.name not in SHARED_TABLES:
                continue
            if not table.per_round and not (processed / SHARED_TABLES[table.name]).exists():
                continue
            extra = [f for f in EXTRA_FILES.get(table.name, []) if (processed / f).exists()]
            con.execute(view_sql(table, rounds, extra))
            con.execute(f"COMMENT ON VIEW {table.name} IS '{table.description.replace(chr(39), chr(39) * 2)}'")
            names.append(table.name)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return names


def connect(db_path: str | Path, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the database so that its views find their Parquet files wherever the folder lies."""
    db = Path(db_path).resolve()
    con = duckdb.connect(str(db), read_only=read_only)
    con.execute(f"SET file_search_path = '{str(db.parent).replace(chr(39), chr(39) * 2)}'")
    return con


def data_dictionary(rounds: list[str]) -> str:
    """Markdown listing every table and column with type and meaning."""
    lines = [
        "# Data dictionary",
        "",
        "Tables written by the kartlegging pipeline. Per-round tables live in "
        f"`<processed_dir>/<round>/<table>.parquet` (rounds: {', '.join(rounds)}); reference tables in "
        "`<processed_dir>/reference/`. `kartlegging.duckdb` has one view per table across all rounds; open it "
        "with `kartlegging.database.connect(path)` or run `SET file_search_path='<processed_dir>'` first.",
        "",
        "Each ingest step also writes its own `issues_<source>` and `overrides_<source>` tables (same columns as "
        "`issues` and `overrides_applied`, source `epost`, `telefon` or `intervju`), which `consolidate` merges "
        "into those two. The KOSTRA ingest writes `kostra/issues_kostra.parquet` (same columns, `round` = "
        "`kostra`); the `issues` view includes it.",
        "",
    ]
    for table in ALL_TABLES.values():
        lines += [f"## `{table.name}`", "", table.description, "",
                  "| column | type | null | meaning |", "| --- | --- | --- | --- |"]
        for c in table.columns:
            meaning = c.description + (f" (one of: {', '.join(c.allowed)})" if c.allowed else "")
            lines.append(f"| `{c.name}` | {c.type} | {'yes' if c.nullable else 'no'} | {meaning} |")
        lines.append("")
    return "\n".join(lines)
