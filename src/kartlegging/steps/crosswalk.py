"""The ``crosswalk`` rule: kommune codes between the Klass versions the configuration uses."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from kartlegging.analysis.crosswalk import build_crosswalks, crosswalk_pairs
from kartlegging.core import classification as klass
from kartlegging.core import store

log = logging.getLogger("kartlegging")


def step_crosswalk(reference: Iterable[str] | str, round_versions: Mapping[str, str], target: str, out: str) -> None:
    """The ``crosswalk`` rule: every pair of versions the configuration uses, one table.
    ``reference``: the reference files the rule declares (or a reference folder: every file in it)."""
    reference_dir = klass.reference_of(reference)
    versions = sorted({klass.version_for(reference_dir, str(v)) for v in round_versions.values()})
    target_year = klass.version_for(reference_dir, str(target))
    pairs = crosswalk_pairs(versions, target_year)
    frame = build_crosswalks(reference_dir, pairs)
    store.write_table(frame, "crosswalk", out)
    counts = frame.groupby(["from_version", "to_version", "change"]).size()
    for (a, b, change), n in counts.items():
        log.info("crosswalk %s -> %s: %d %s", a, b, n, change)

