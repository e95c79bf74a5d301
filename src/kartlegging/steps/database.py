"""The ``database`` rule: one self-contained DuckDB file of every table, and the data dictionary."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path

from kartlegging.infra.database import build_database, data_dictionary

log = logging.getLogger("kartlegging")


def step_database(rounds: list[str], tables: Iterable[str], out_db: str, out_dictionary: str) -> None:
    """One table per declared table whose file is among ``tables`` (the rules' Parquet outputs), and the
    dictionary. The processed folder is the database file's: tables are named by their path below it."""
    processed_dir = os.path.dirname(out_db)
    available = [os.path.relpath(f, processed_dir).replace(os.sep, "/") for f in tables]
    tables, missing = build_database(processed_dir, rounds, out_db, available)
    Path(out_dictionary).write_text(data_dictionary(rounds, missing), encoding="utf-8")
    log.info("tables: %s", ", ".join(tables))
    if missing:
        log.warning("database: no file, so no table, for %s", ", ".join(missing))
