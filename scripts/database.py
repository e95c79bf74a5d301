"""Snakemake script: DuckDB views and the data dictionary."""
import os
from pathlib import Path

from kartlegging.infra.database import build_database, data_dictionary
from kartlegging.infra.runner import run


def main(smk, logger):
    processed = smk.params.processed_dir
    rounds = list(smk.params.rounds)
    available = [os.path.relpath(f, processed).replace(os.sep, "/") for f in smk.input.tables]
    views, missing = build_database(processed, rounds, smk.output.db, available)
    Path(smk.output.dictionary).write_text(data_dictionary(rounds, missing), encoding="utf-8")
    logger.info("views: %s", ", ".join(views))
    if missing:
        logger.warning("database: no file, so no view, for %s", ", ".join(missing))


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
