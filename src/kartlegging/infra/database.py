"""The researchers' entry point: one self-contained DuckDB file of every table, and a data dictionary.

Three choices, each for a researcher opening the file:

- **Self-contained.** The tables are stored inside the file (one DuckDB table per
  declared table, across all rounds), not as views over Parquet paths: it answers
  from any working folder, with any client, moved or copied on its own, and after a
  later run that failed and removed the Parquet files of the steps it was rerunning.
  The per-source issue tables (``issues_epost``, ``issues_telefon``, ``issues_intervju``
  and the KOSTRA extracts' ``issues_kostra``) are views over ``issues``.
- **Every current DuckDB opens it.** The file is written in the storage format of
  DuckDB 1.0 (:data:`STORAGE_VERSION`): the command-line, R and Java clients follow
  the Python package with a lag, and a file in DuckDB 2's format is refused by every
  1.x client.
- **Built aside, moved into place.** The file is written under a temporary name beside
  it and renamed over the old one only when complete, so a database step that fails
  half-way leaves the previous file (the rule marks its output ``update``, so Snakemake
  does not delete it before the step runs either, and restores it when the step fails).
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

#: Files a table also holds, when present: the KOSTRA extracts' review and quarantine items are
#: shared by the rounds and carry ``round = 'kostra'`` in the ``issues`` table.
EXTRA_FILES = {
    "issues": ["kostra/issues_kostra.parquet"],
}

#: Views over ``issues``, one per table of issues a step writes (``issues_<source>.parquet`` per round and
#: the KOSTRA extracts' ``kostra/issues_kostra.parquet``), so each is reachable by the name of its file.
ISSUE_VIEWS: dict[str, tuple[str, str]] = {
    "issues_epost": ("source = 'epost' AND round <> 'kostra'",
                     "The e-mail ingest's review and quarantine items (and the contradictions found on e-mail "
                     "replies)."),
    "issues_telefon": ("source = 'telefon' AND round <> 'kostra'", "The phone ingest's review and quarantine items."),
    "issues_intervju": ("source = 'intervju' AND round <> 'kostra'",
                        "The interview ingest's review and quarantine items (and the contradictions found on "
                        "interviews)."),
    "issues_kostra": ("round = 'kostra'", "The KOSTRA extracts' review and quarantine items (round = 'kostra')."),
}

#: Compression methods DuckDB is left without: their segments carry uninitialised bytes into the file
#: (duckdb/duckdb#23382, FSST strings; the floating-point ones likewise in our tests), so two builds of the same
#: tables would differ beyond the file header and the file could hold stray bytes of the building process.
#: Without them the file is the same, byte for byte past its header, for the same tables.
NONDETERMINISTIC_COMPRESSION = ("fsst", "dict_fsst", "alp", "alprd", "chimp", "patas")

#: Old folder of Parquet copies the views of earlier versions read; removed when the file is rebuilt.
OLD_COPY_DIR = "duckdb"


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


def table_files(rounds: list[str], available: Iterable[str]) -> tuple[dict[str, list[str]], list[str]]:
    """Per declared table, its files among ``available`` (paths relative to the processed folder).

    The table list comes from the declarations in :mod:`kartlegging.core.tables`: a table declared
    there is stored as soon as a step writes its file. Returns the files per table and the
    tables without any file (named in the log and the data dictionary)."""
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
    """(Re)create the DuckDB file with one table per declared table and the views over ``issues``.

    ``available``: the table files the step may use, relative to the processed folder (its
    declared inputs). Written under a temporary name and renamed over the old file at the end.
    Returns the table names and the declared tables left without a file."""
    processed = Path(processed_dir).resolve()
    db = Path(db_path).resolve()
    files, missing = table_files(rounds, available)
    work = db.with_name(f".{db.name}.building")
    for stale in (work, work.with_name(work.name + ".wal")):
        stale.unlink(missing_ok=True)
    try:
        _write_tables(work, {name: [str(processed / rel) for rel in paths] for name, paths in files.items()})
        os.replace(work, db)
    finally:
        for stale in (work, work.with_name(work.name + ".wal")):
            stale.unlink(missing_ok=True)
    db.with_name(db.name + ".wal").unlink(missing_ok=True)
    _remove_old_copies(processed / OLD_COPY_DIR)
    return list(files), missing


def _write_tables(db: Path, tables: dict[str, list[str]]) -> None:
    """Write each table from its Parquet files (columns matched by name) with the table's description as its
    comment, and the views over ``issues``, in DuckDB 1.0's format. One thread and no compression method that
    leaves uninitialised bytes (:data:`NONDETERMINISTIC_COMPRESSION`), so the same tables give the same file."""
    con = duckdb.connect()
    try:
        con.execute("SET threads = 1")
        con.execute(f"SET disabled_compression_methods = {_sql_str(','.join(NONDETERMINISTIC_COMPRESSION))}")
        con.execute(f"ATTACH {_sql_str(str(db))} AS kartlegging (STORAGE_VERSION {_sql_str(STORAGE_VERSION)})")
        con.execute("USE kartlegging")
        for name, paths in tables.items():
            order = ", ".join(f'"{c}"' for c in ALL_TABLES[name].sort_by)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet({_sql_list(paths)}, union_by_name = true)"
                        + (f" ORDER BY {order}" if order else ""))
            con.execute(f"COMMENT ON TABLE {name} IS {_sql_str(ALL_TABLES[name].description)}")
        if "issues" in tables:
            for view, (where, description) in ISSUE_VIEWS.items():
                con.execute(f"CREATE VIEW {view} AS SELECT * FROM issues WHERE {where}")
                con.execute(f"COMMENT ON VIEW {view} IS {_sql_str(description)}")
        con.execute("CHECKPOINT")
        con.execute("USE memory")
        con.execute("DETACH kartlegging")
    finally:
        con.close()


def _remove_old_copies(folder: Path) -> None:
    """Remove the folder of Parquet copies an earlier version kept for its views, when it holds nothing else."""
    if folder.is_dir() and all(p.suffix == ".parquet" or p.name == ".snakemake_timestamp"
                               for p in folder.rglob("*") if p.is_file()):
        shutil.rmtree(folder)


def connect(db_path: str | Path, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the database (read-only by default). The file is self-contained: any DuckDB client can open it
    the same way, from any folder."""
    return duckdb.connect(str(Path(db_path).resolve()), read_only=read_only)


def data_dictionary(rounds: list[str], missing: Iterable[str] = ()) -> str:
    """Markdown listing every table and column with type and meaning, the rows usually kept, and a query."""
    lines = [
        "# Data dictionary",
        "",
        "Tables written by the kartlegging pipeline. Per-round tables live in "
        f"`<processed_dir>/<round>/<table>.parquet` (rounds: {', '.join(rounds)}); reference tables in "
        "`<processed_dir>/reference/`. `kartlegging.duckdb` holds every table below across all rounds, stored "
        "inside the file: open it from any folder, with any DuckDB client from 1.0 on (`duckdb -readonly "
        "data/processed/kartlegging.duckdb`, or in Python `duckdb.connect(path, read_only=True)`). After a run "
        "that failed it still answers, with the tables of the last run that reached the database step.",
        "",
        "Without the database, one table of every round is a glob over the round folders: "
        "`SELECT round, count(*) FILTER (WHERE har_tjeneste = 'ja') FROM "
        "read_parquet('<processed_dir>/*/kommune_status.parquet') GROUP BY round`. Only a round's folder holds "
        "per-round tables; a table that spans rounds has a file named as its view (`harmonised/"
        "harmonised_status.parquet`, `reference/crosswalk.parquet`), so the glob never reads one.",
        "",
        "Each ingest step also writes its own `issues_<source>` and `overrides_<source>` tables (same columns as "
        "`issues` and `overrides_applied`, source `epost`, `telefon` or `intervju`), which `consolidate` merges "
        "into those two, adding the review items of answers that contradict across sources (reason codes "
        "`*.motstrid_*`). The KOSTRA ingest writes `kostra/issues_kostra.parquet` (same columns, `round` = "
        "`kostra`); the `issues` table includes it. In the database, "
        + ", ".join(f"`{v}`" for v in ISSUE_VIEWS) + " are views over `issues`, one per file of issues.",
        "",
    ]
    missing = list(missing)
    if missing:
        lines += [f"**Not in this build** (no file): {', '.join(f'`{m}`' for m in missing)}.", ""]
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
