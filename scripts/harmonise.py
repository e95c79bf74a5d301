"""Snakemake script: every round's kommune_status in the kommune structure of harmonise_to."""
from logging import Logger
from typing import Any

from kartlegging.infra.runner import run
from kartlegging.steps.harmonise import step_harmonise


def main(smk: Any, logger: Logger) -> None:
    """Pass the rule's params, inputs and output to the package step (no logic here, so tests can call the step)."""
    step_harmonise(smk.input.crosswalk, dict(smk.params.rounds), smk.params.harmonise_to,
                   list(smk.input.status), smk.output.status)


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
