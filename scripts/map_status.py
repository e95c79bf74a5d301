"""Snakemake script: one round's kommune_status in the kommune structure of the map geometry."""
from logging import Logger
from typing import Any

from kartlegging.infra.runner import run
from kartlegging.steps.map_status import step_map_status


def main(smk: Any, logger: Logger) -> None:
    """Pass the rule's inputs, params and output to the package step (no logic here, so tests can call the step)."""
    step_map_status(smk.input.status, smk.input.services, str(smk.params.round), str(smk.params.classification),
                    str(smk.params.map_version), smk.input.crosswalk, smk.output.status)


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
