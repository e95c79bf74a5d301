"""Snakemake script: DuckDB views and the data dictionary."""
from pathlib import Path

from kartlegging.database import build_database, data_dictionary
from kartlegging.runner import run


def main(smk, logger):
    views = build_database(smk.params.processed_dir, list(smk.params.rounds), smk.output.db)
    Path(smk.output.dictionary).write_text(data_dictionary(list(smk.params.rounds)), encoding="utf-8")
    logger.info("views: %s", ", ".join(views))


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
