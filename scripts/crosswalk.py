"""Snakemake script: the territorial crosswalk between every pair of Klass 131 versions."""
from logging import Logger
from typing import Any

from kartlegging.infra.runner import run
from kartlegging.steps.crosswalk import step_crosswalk


def main(smk: Any, logger: Logger) -> None:
    """Pass the rule's inputs and output to the package step (no logic here, so tests can call the step)."""
    step_crosswalk(list(smk.input.klass), list(smk.input.changes), list(smk.input.polygons), smk.output.crosswalk)


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
