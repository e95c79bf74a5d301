"""Snakemake script: crosswalk of kommune codes between the Klass versions the configuration uses."""
from logging import Logger
from typing import Any

from kartlegging.infra.runner import run
from kartlegging.steps.crosswalk import step_crosswalk


def main(smk: Any, logger: Logger) -> None:
    """Pass the rule's params and output to the package step (no logic here, so tests can call the step)."""
    step_crosswalk(smk.params.reference_dir, dict(smk.params.rounds), smk.params.harmonise_to, smk.output.crosswalk)


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
