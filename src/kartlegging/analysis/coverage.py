"""The class each kommune of a round is drawn in on a coverage map, and how many are in each class.

The map (:mod:`kartlegging.report.maps`), the map_status table, the round's own map and the report's
kommune list all classify a kommune the same way; the counts a legend or caption shows are taken
here, in the analysis stage, and never in the report:

* ``kommunal``: the kommune has an included service and takes part in no interkommunal one;
* ``interkommunal``: it takes part in at least one interkommunal service (also when it has a
  kommunal one besides: the interkommunal arrangement is what a reader of the map needs to see);
* ``ingen``: it answered but has no service; ``ukjent``: no source mentions it.

A map kommune made of several of the round's kommuner takes the strongest class among its parts
(:data:`PRECEDENCE`): the harmonised table's rule (a service if any part had one) with the kind added.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from kartlegging.core.tables import MAP_CLASSES, included

#: Precedence when parts combine: the first class any part has wins.
PRECEDENCE: tuple[str, ...] = ("interkommunal", "kommunal", "ingen", "ukjent")


def _as_list(value: Any) -> list[str]:
    """A list cell (numpy array, list or None) as strings."""
    if value is None or (isinstance(value, float) and value != value):
        return []
    return [str(v) for v in value if v is not None]


def kommune_classes(status: pd.DataFrame, services: pd.DataFrame) -> dict[str, str]:
    """The map class of every kommune of a round, in the round's own structure.

    ``interkommunal`` when any included service covering the kommune is
    interkommunal (looked up in ``services``; ``tjenestetype`` as well, which
    holds the kind of its first service), ``kommunal`` for any other kommune
    with ``har_tjeneste = ja``; ``ingen`` for ``nei`` and ``ukjent`` for ``ukjent``.
    """
    inc = included(services)
    kind_of = dict(zip(inc["service_id"].astype(str), inc["type"].astype(str)))
    out: dict[str, str] = {}
    for row in status.itertuples(index=False):
        code = str(row.kommunenummer)
        har = str(row.har_tjeneste)
        if har == "ja":
            kinds = {kind_of.get(s) for s in _as_list(row.service_ids)}
            if isinstance(row.tjenestetype, str):
                kinds.add(row.tjenestetype)
            out[code] = "interkommunal" if "interkommunal" in kinds else "kommunal"
        elif har == "nei":
            out[code] = "ingen"
        else:
            out[code] = "ukjent"
    return out


def combine_classes(classes: Sequence[str]) -> str:
    """The class of a map kommune made of several parts: the first of :data:`PRECEDENCE` any part has."""
    for cls in PRECEDENCE:
        if cls in classes:
            return cls
    return "ukjent"


def class_counts(classes: Mapping[str, str]) -> dict[str, int]:
    """How many kommuner in each class, every class present (zero when none)."""
    values = list(classes.values())
    return {c: values.count(c) for c in MAP_CLASSES}
