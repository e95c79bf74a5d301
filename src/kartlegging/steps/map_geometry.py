"""The ``map_geometry`` rule: one kommune geometry file read, projected and simplified once, with its fylker."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

from kartlegging.core import classification as klass
from kartlegging.report.map_geometry import read_own_geometry, write_prepared

log = logging.getLogger("kartlegging")


def step_map_geometry(kommuner_path: str, out: str, fylke_names: Mapping[str, str] | None = None) -> None:
    """The ``map_geometry`` rule: read, project, simplify a kommune file and its fylker once, for every round.
    ``fylke_names``: the fylker by number, by default those of :data:`kartlegging.core.classification.FYLKER`."""
    geometry = read_own_geometry(kommuner_path, klass.FYLKER if fylke_names is None else fylke_names)
    write_prepared(geometry, out)
    log.info("map_geometry %s: %d kommuner and %d fylker (unions of their kommuner) from %s, %d vertices",
             geometry.version, len(geometry.kommuner.shapes), len(geometry.fylker.shapes), Path(kommuner_path).name,
             sum(len(s.path.vertices) for s in geometry.kommuner.shapes))

