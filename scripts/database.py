"""Snakemake script: the DuckDB file and the data dictionary."""
from kartlegging.infra.runner import run
from kartlegging.steps.database import step_database


def main(smk, logger):
    step_database(smk.params.processed_dir, list(smk.params.rounds), list(smk.input.tables), smk.output.db,
                  smk.output.dictionary)


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
