"""The ``harmonise`` rule: the kommune_status of every round in the structure of harmonise_to."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from kartlegging.analysis.crosswalk import harmonise_status
from kartlegging.core import classification as klass
from kartlegging.core import store

log = logging.getLogger("kartlegging")


def step_harmonise(
    reference: Iterable[str] | str, round_versions: Mapping[str, str], target: str, status_paths: Iterable[str],
    out: str,
) -> None:
    """The ``harmonise`` rule: each round's kommune_status in the target structure, one table.
    ``reference``: the reference files the rule declares (or a reference folder: every file in it)."""
    statuses = [store.read_table(p) for p in status_paths]
    frame = harmonise_status(statuses, {str(k): str(v) for k, v in round_versions.items()}, target,
                             klass.reference_of(reference))
    store.write_table(frame, "harmonised_status", out)
    for (round_name, regel), n in frame.groupby(["round", "regel"]).size().items():
        log.info("harmonise round %s: %d kommuner %s", round_name, n, regel)

