"""The researchers' entry point: a DuckDB file of views over the Parquet tables, and a data dictionary.

Three choices, each for a researcher opening the file:

- **Every current DuckDB opens it.** The file is written in the storage format of
  DuckDB 1.0 (:data:`STORAGE_VERSION`): the command-line, R and Java clients follow
  the Python package with a lag, and a file in DuckDB 2's format is refused by every
  1.x client. The file holds only views and comments, which that format stores fully.
- **The views read copies.** The database step copies every table it makes a view of
  into ``<processed_dir>/duckdb/`` (:data:`COPY_DIR`) and the views read those copies.
  When a later run fails, Snakemake deletes the outputs of the steps it was rerunning;
  views over those files would all fail ("No files found"). The copies belong to the
  database step alone, so after a failed run the file still opens and every view
  answers, with the tables of the last run that got as far as the database step.
- **Built aside, moved into place.** The file and the copies are built in a temporary
  folder beside them and moved into place only when complete, so a database step that
  fails half-way leaves no half-built file.

Views hold paths relative to the processed folder, so the folder can be moved or
copied as a whole. DuckDB resolves relative paths against its ``file_search_path``
(:func:`connect` sets it to the database's own folder), or else against the working
directory: a client started in the processed folder needs no setting.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from kartlegging.core.tables import ALL_TABLES

#: Storage format of the file: DuckDB 1.0's, which every DuckDB from 1.0 (in fact 0.10) on reads.
#: The README names the oldest client verified; tests/test_duckdb_compat.py opens the file with 1.x.
STORAGE_VERSION = "v1.0.0"

#: Folder (under the processed folder) of the copies the views read.
COPY_DIR = "duckdb"

#: Files a view also reads, when present: the KOSTRA extracts' review and quarantine items are
#: shared by the rounds and carry ``round = 'kostra'`` in the ``issues`` view.
EXTRA_FILES = {
    "issues": ["kostra/issues_kostra.parquet"],
}


@dataclass(frozen=True)
class Guide:
    """What a researcher should know before counting from a table: the rows usually kept, and a query."""

    filter: str
    query: str | None = None


#: Per table: which rows a researcher usually filters, with one worked query for each main table.
#: Every query runs against the demo database in the tests (tests/test_duckdb_compat.py).
GUIDES: dict[str, Guide] = {
    "dispatch": Guide(
        "None: one row per unit asked (428 kommuner, Oslo as its 15 bydeler). Count kommuner with "
        "`count(DISTINCT kommunenummer)`, not rows."),
    "email_replies": Guide(
        "Keep `status = 'svar'` for the replies that count: auto-replies (`autosvar`), replies replaced by a "
        "later one (`erstattet`), those awaiting review (`til_vurdering`) and unreadable files (`karantene`) "
        "are listed too.",
        "SELECT round, q1, count(*) AS svar FROM email_replies WHERE status = 'svar' GROUP BY round, q1 "
        "ORDER BY round, q1"),
    "phone_attempts": Guide(
        "None; one row per attempt. `phone_units` holds the answer that counts per unit."),
    "phone_units": Guide(
        "`svar = 'ikke_nådd'` marks units never reached; leave them out of shares of answers.",
        "SELECT round, svar, count(*) AS enheter FROM phone_units GROUP BY round, svar ORDER BY round, svar"),
    "interviews": Guide(
        "Keep `inkludert = 'ja'` for services that meet the definition; Oslo's bydeler have one interview "
        "each but share one service (`services` merges them)."),
    "services": Guide(
        "Keep `inkludert = 'ja'`: the table also holds the candidate services that do not meet the "
        "definition (in the demo 2015 round 46 rows, 41 of them included).",
        "SELECT round, type, count(*) AS tjenester FROM services WHERE inkludert = 'ja' GROUP BY round, type "
        "ORDER BY round, type"),
    "service_kommuner": Guide(
        "Join `services` and keep `inkludert = 'ja'`: the bridge also covers the excluded services (in the "
        "demo 2015 round 84 kommuner against the 79 with an included service).",
        "SELECT sk.round, count(DISTINCT sk.kommunenummer) AS kommuner FROM service_kommuner sk "
        "JOIN services s USING (round, service_id) WHERE s.inkludert = 'ja' GROUP BY sk.round ORDER BY sk.round"),
    "kommune_status": Guide(
        "None: one row per kommune of the round's classification; `har_tjeneste` already counts included "
        "services only.",
        "SELECT round, fylkesnavn, count(*) FILTER (WHERE har_tjeneste = 'ja') AS med_tjeneste, count(*) AS "
        "kommuner FROM kommune_status GROUP BY round, fylkesnavn ORDER BY round, fylkesnavn"),
    "issues": Guide(
        "Keep `resolved_by IS NULL` for the items still open; `action` tells review items (kept, awaiting an "
        "analyst) from quarantined files and records. `round = 'kostra'` holds the KOSTRA extracts' items.",
        "SELECT round, action, count(*) AS open_items FROM issues WHERE resolved_by IS NULL "
        "GROUP BY round, action ORDER BY round, action"),
    "overrides_applied": Guide("None: one row per field an override set."),
    "figures": Guide(
        "Pick figures by `figure_id` (ids of config/register/<round>.yaml); `unit` says how to read `value`.",
        "SELECT round, figure_id, value, unit FROM figures WHERE figure_id LIKE 'kommuner_med_tjeneste%' "
        "ORDER BY round, figure_id"),
    "reconciliation": Guide(
        "`status <> 'lik'` lists the figures that differ from the published ones.",
        "SELECT round, figure_id, published, computed, status FROM reconciliation WHERE status <> 'lik' "
        "ORDER BY round, nr"),
    "conservation": Guide(
        "None: one row per source; `unaccounted` is 0 in every run that finished.",
        "SELECT round, source, records_in, review, quarantined FROM conservation ORDER BY round, source"),
    "kostra_crosscheck": Guide("None: every row is a kommune where the mapping and KOSTRA disagree."),
    "map_status": Guide(
        "None: one row per kommune of the map's (2024) structure; compare rounds here or in "
        "`harmonised_status`, never by kommunenummer across rounds in `kommune_status`.",
        "SELECT round, status, count(*) AS kommuner FROM map_status GROUP BY round, status ORDER BY round, status"),
    "harmonised_status": Guide(
        "None; use it to compare rounds in one kommune structure (`fra_kommuner` and `fra_vekter` say which of "
        "the round's kommuner gave each kommune land, and how much of theirs).",
        "SELECT round, count(*) FILTER (WHERE har_tjeneste = 'ja') AS med_tjeneste FROM harmonised_status "
        "GROUP BY round ORDER BY round"),
    "kommuner": Guide("Keep one `version` (the Klass version of the round's classification)."),
    "kommune_navn": Guide("Keep one `version`."),
    "crosswalk": Guide(
        "Keep one pair of `from_version` and `to_version`; `weight` is the share of the from-kommune's land in "
        "the to-kommune (null where `weight_basis = 'uten_kart'`).",
        "SELECT from_code, from_name, to_code, to_name, weight FROM crosswalk WHERE from_version = '2015' AND "
        "to_version = '2024' AND change = 'delt' ORDER BY from_code, to_code"),
    "kostra": Guide(
        "Keep `region_level = 'kommune'` for kommuner (aggregates and Oslo's bydeler are rows too) and "
        "`value IS NOT NULL` (SSB symbols such as '..' leave it empty).",
        "SELECT year, count(*) FILTER (WHERE value = 1) AS med_frisklivssentral FROM kostra "
        "WHERE variable = 'Frisklivssentral' AND region_level = 'kommune' GROUP BY year ORDER BY year"),
}


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sql_list(paths: list[str]) -> str:
    return "[" + ", ".join(_sql_str(p) for p in paths) + "]"


def view_sql(name: str, paths: list[str]) -> str:
    """CREATE VIEW over ``paths`` (relative to the processed folder), columns matched by name."""
    return f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM read_parquet({_sql_list(paths)}, union_by_name = true)"


def view_files(rounds: list[str], available: Iterable[str]) -> tuple[dict[str, list[str]], list[str]]:
    """Per declared table, its files among ``available`` (paths relative to the processed folder).

    The view list comes from the declarations in :mod:`kartlegging.core.tables`: a table declared
    there gets a view as soon as a step writes its file. Returns the files per view and the
    tables without any file (named in the log and the data dictionary, never a broken view)."""
    have = set(available)
    files: dict[str, list[str]] = {}
    missing = []
    for table in ALL_TABLES.values():
        found = [f for f in table.files(rounds) if f in have]
        if not found:
            missing.append(table.name)
            continue
        files[table.name] = found + [f for f in EXTRA_FILES.get(table.name, []) if f in have]
    return files, missing


def build_database(processed_dir: str | Path, rounds: list[str], db_path: str | Path,
                   available: Iterable[str]) -> tuple[list[str], list[str]]:
    """(Re)create the DuckDB file with one view per table over copies of its files.

    ``available``: the table files the step may use, relative to the processed folder (its
    declared inputs). Built in a temporary folder and moved into place at the end. Returns the
    view names and the declared tables left without a view."""
    processed = Path(processed_dir).resolve()
    db = Path(db_path).resolve()
    files, missing = view_files(rounds, available)
    work = processed / f".{db.name}.building"
    if work.exists():
        shutil.rmtree(work)
    (work / COPY_DIR).mkdir(parents=True)
    try:
        copied: dict[str, list[str]] = {}
        for name, paths in files.items():
            copied[name] = []
            for rel in paths:
                target = work / COPY_DIR / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(processed / rel, target)
                copied[name].append(f"{COPY_DIR}/{rel}")
        _write_views(work / db.name, work, copied)
        _move_into_place(work, processed, db)
    finally:
        if work.exists():
            shutil.rmtree(work)
    return list(files), missing


def _write_views(db: Path, search_path: Path, views: dict[str, list[str]]) -> None:
    """Write the views, with each table's description as the view's comment, in DuckDB 1.0's format."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH {_sql_str(str(db))} AS kartlegging (STORAGE_VERSION {_sql_str(STORAGE_VERSION)})")
        con.execute("USE kartlegging")
        con.execute(f"SET file_search_path = {_sql_str(str(search_path))}")
        for name, paths in views.items():
            con.execute(view_sql(name, paths))
            con.execute(f"COMMENT ON VIEW {name} IS {_sql_str(ALL_TABLES[name].description)}")
        con.execute("CHECKPOINT")
        con.execute("USE memory")
        con.execute("DETACH kartlegging")
    finally:
        con.close()


def _move_into_place(work: Path, processed: Path, db: Path) -> None:
    """Replace the copies and then the file: each a rename within one filesystem."""
    copies = processed / COPY_DIR
    old = work / "previous"
    if copies.exists():
        copies.rename(old)
    (work / COPY_DIR).rename(copies)
    for stale in (db, db.with_name(db.name + ".wal")):
        if stale.exists():
            stale.unlink()
    os.replace(work / db.name, db)


def connect(db_path: str | Path, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the database so that its views find their Parquet files wherever the folder lies."""
    db = Path(db_path).resolve()
    con = duckdb.connect(str(db), read_only=read_only)
    con.execute(f"SET file_search_path = {_sql_str(str(db.parent))}")
    return con


def data_dictionary(rounds: list[str], missing: Iterable[str] = ()) -> str:
    """Markdown listing every table and column with type and meaning, the rows usually kept, and a query."""
    lines = [
        "# Data dictionary",
        "",
        "Tables written by the kartlegging pipeline. Per-round tables live in "
        f"`<processed_dir>/<round>/<table>.parquet` (rounds: {', '.join(rounds)}); reference tables in "
        "`<processed_dir>/reference/`. `kartlegging.duckdb` has one view per table across all rounds, over "
        f"copies of the tables in `<processed_dir>/{COPY_DIR}/` taken when the database was built: after a run "
        "that failed it still answers, with the tables of the last run that reached the database step. Open it "
        "with `kartlegging.infra.database.connect(path)`, or from any DuckDB client (1.0 or later) started in "
        "`<processed_dir>`, or run `SET file_search_path='<processed_dir>'` first.",
        "",
        "Without the database, one table of every round is a glob over the round folders: "
        "`SELECT round, count(*) FILTER (WHERE har_tjeneste = 'ja') FROM "
        "read_parquet('<processed_dir>/*/kommune_status.parquet') GROUP BY round`. Only a round's folder holds "
        "per-round tables; a table that spans rounds has a file named as its view (`harmonised/"
        "harmonised_status.parquet`, `reference/crosswalk.parquet`), so the glob never reads one.",
        "",
        "Each ingest step also writes its own `issues_<source>` and `overrides_<source>` tables (same columns as "
        "`issues` and `overrides_applied`, source `epost`, `telefon` or `intervju`), which `consolidate` merges "
        "into those two. The KOSTRA ingest writes `kostra/issues_kostra.parquet` (same columns, `round` = "
        "`kostra`); the `issues` view includes it.",
        "",
    ]
    missing = list(missing)
    if missing:
        lines += [f"**No view in this build** (no file): {', '.join(f'`{m}`' for m in missing)}.", ""]
    for table in ALL_TABLES.values():
        lines += [f"## `{table.name}`", "", table.description, ""]
        guide = GUIDES.get(table.name)
        if guide:
            lines += [f"Usual filter: {guide.filter}", ""]
            if guide.query:
                lines += ["```sql", guide.query + ";", "```", ""]
        lines += ["| column | type | null | meaning |", "| --- | --- | --- | --- |"]
        for c in table.columns:
            meaning = c.description + (f" (one of: {', '.join(c.allowed)})" if c.allowed else "")
            lines.append(f"| `{c.name}` | {c.type} | {'yes' if c.nullable else 'no'} | {meaning} |")
        lines.append("")
    return "\n".join(lines)
