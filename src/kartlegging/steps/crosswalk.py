"""The ``crosswalk`` rule: the territorial crosswalk between every pair of Klass 131 versions, one table."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from kartlegging.analysis.crosswalk import KlassFiles, crosswalk_table
from kartlegging.core import store

log = logging.getLogger("kartlegging")


def step_crosswalk(version_files: Sequence[str], changes_files: Sequence[str], polygon_files: Sequence[str],
                   out: str) -> None:
    """The ``crosswalk`` rule: build, write, log the links per basis and name every split without polygons.

    Reads exactly the files it is given (the rule's declared inputs): the Klass
    version files, SSB's change table and Kartverket's kommune polygons.
    """
    files = KlassFiles(tuple(sorted(map(str, version_files))), tuple(sorted(map(str, changes_files))),
                       tuple(sorted(map(str, polygon_files))))
    frame = crosswalk_table(files)
    store.write_table(frame, "crosswalk", out)
    pairs = frame[["from_version", "to_version"]].drop_duplicates()
    counts = frame["weight_basis"].value_counts()
    log.info("crosswalk: %d version pairs, %d links: %s", len(pairs), len(frame),
             ", ".join(f"{basis} {int(counts.get(basis, 0))}" for basis in ("hel", "areal", "uten_kart")))
    unknown = frame[frame["weight_basis"] == "uten_kart"]
    # one line per split kommune whose land no polygons show (read forwards: the kommune that was split); the
    # pairs it touches are in the log at INFO level
    forward = unknown[unknown["from_version"] < unknown["to_version"]]
    for (code, name), part in (forward if not forward.empty else unknown).groupby(["from_code", "from_name"]):
        log.warning("crosswalk: %s %s (Klass %s) was split, and no kommune polygons of its structure show where "
                    "its land went: the share in each part is unknown (weight empty, every part kept; the links "
                    "have weight_basis uten_kart)", code, name, ", ".join(sorted(set(part["from_version"]))))
