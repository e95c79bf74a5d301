"""Snakemake script: one round's coverage map in its own kommune structure (kart.json)."""
from logging import Logger
from typing import Any

from kartlegging.infra.runner import run
from kartlegging.steps.round_map import step_round_map


def main(smk: Any, logger: Logger) -> None:
    """Pass the rule's inputs, params and output to the package step (no logic here, so tests can call the step)."""
    step_round_map(smk.input.status, smk.input.services, str(smk.params.round), str(smk.params.classification),
                   smk.input.geometry, str(smk.params.geometry_version), smk.input.crosswalk, smk.output.figure)


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
