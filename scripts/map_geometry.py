"""Snakemake script: one kommune geometry file read, projected and simplified once, with its fylker."""
from logging import Logger
from typing import Any

from kartlegging.core import classification as klass
from kartlegging.infra.runner import run
from kartlegging.steps.map_geometry import step_map_geometry


def main(smk: Any, logger: Logger) -> None:
    """Pass the rule's input and output to the package step (no logic here, so tests can call the step)."""
    step_map_geometry(smk.input.geometry, klass.FYLKER, smk.output.geometry)


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
