"""The ``round_map`` rule: the coverage map of one round in its own kommune structure (kart.json)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from kartlegging.core import store
from kartlegging.report.maps import own_map_figure

log = logging.getLogger("kartlegging")


def step_round_map(status_path: str, services_path: str, round_name: str, round_version: str, geometry_path: str,
                   geometry_version: str, crosswalk_path: str, out: str) -> None:
    """The ``round_map`` rule: the round's own-structure map as JSON (SVG, caption, alt text, classes)."""
    figure = own_map_figure(store.read_table(status_path), store.read_table(services_path), round_name,
                            round_version, geometry_path, geometry_version, store.read_table(crosswalk_path))
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(figure, ensure_ascii=False, sort_keys=True, indent=1), encoding="utf-8")
    log.info("round_map %s: Klass %s drawn on the %s geometry; counts %s; grouped %s; not drawn %s", round_name,
             figure["version"], figure["geometry"], figure["counts"], figure["grouped"] or "none",
             figure["missing"] or "none")
