"""The ``map_status`` rule: the kommune_status of one round in the kommune structure of the map geometry."""

from __future__ import annotations

import logging

from kartlegging.core import store
from kartlegging.core.tables import MAP_CLASSES, MAP_STATUS
from kartlegging.report.maps import map_status_frame

log = logging.getLogger("kartlegging")


def step_map_status(
    status_path: str, services_path: str, round_name: str, round_version: str, map_version: str,
    crosswalk_path: str, out: str,
) -> None:
    """The ``map_status`` rule: read, translate by the crosswalk table, write, and log the counts per class."""
    frame = map_status_frame(store.read_table(status_path), store.read_table(services_path), round_name,
                             round_version, map_version, store.read_table(crosswalk_path))
    store.write_table(frame, MAP_STATUS, out)
    counts = frame["status"].value_counts()
    for cls in MAP_CLASSES:
        log.info("map_status round %s: %d kommuner of Klass %s %s", round_name, int(counts.get(cls, 0)),
                 map_version, cls)
    split = int((frame["regel"] == "delt_del_av").sum())
    if split:
        log.info("map_status round %s: %d kommuner hold part of a split kommune and take its whole answer",
                 round_name, split)
