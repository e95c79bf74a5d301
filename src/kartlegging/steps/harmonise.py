"""The ``harmonise`` rule: the kommune_status of every round in the structure of harmonise_to."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from kartlegging.analysis.harmonise import harmonise_status
from kartlegging.core import store

log = logging.getLogger("kartlegging")


def step_harmonise(crosswalk_path: str, round_versions: Mapping[str, str], target: str,
                   status_paths: Iterable[str], out: str) -> None:
    """The ``harmonise`` rule: each round's kommune_status in the target structure, by the crosswalk table.

    ``round_versions`` and ``target`` are Klass version years (the rule resolves a
    round's classification to its version).
    """
    statuses = [store.read_table(p) for p in status_paths]
    crosswalk = store.read_table(crosswalk_path)
    frame = harmonise_status(statuses, {str(k): str(v) for k, v in round_versions.items()}, str(target), crosswalk)
    store.write_table(frame, "harmonised_status", out)
    for (round_name, regel), n in frame.groupby(["round", "regel"]).size().items():
        log.info("harmonise round %s: %d kommuner %s", round_name, n, regel)
