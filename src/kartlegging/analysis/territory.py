"""Kommune land from Kartverket's polygons: how much of one kommune's land lies in another.

The crosswalk (:mod:`kartlegging.analysis.crosswalk`) takes the *candidates* of a
link from SSB's change table and the *weights* from here: the area of the overlap
of two kommune polygons, in ETRS89 / UTM zone 33N (EPSG:25833, metres), the
projection of the historic files. A file in longitude/latitude (Kartverket's 2024
file; GeoJSON without a ``crs`` member is WGS 84 by RFC 7946) is reprojected with
pyproj, so that every file is measured on the same plane. UTM 33 is not an
equal-area projection, but both polygons of an overlap are measured on it at the
same place, so the ratio of two areas (all a weight is) is off by far less than
the generalised borders are.

What is read, and why no more: the property names of the code differ by year
(:data:`CODE_KEYS`; integer codes lose their leading zero and are padded), a code
given in several features is one kommune (the 2021 file splits three), and each
polygon is made valid once. Nothing is simplified: the files are small and the
overlaps are computed only for the kommuner that were split.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

#: Property names of the kommune code and name in Kartverket's files (2017 kommunenr, 2018 Kommunenum, 2019
#: kommunenummer, 2021 Kommunenummer, 2024 kommunenummer).
CODE_KEYS = ("kommunenummer", "kommunenr", "Kommunenum", "Kommunenummer")
#: The plane every area is measured on.
UTM33 = "EPSG:25833"
_LONLAT = ("CRS84", "EPSG::4326", "EPSG:4326", "EPSG::4258", "EPSG:4258")
_UTM33_NAMES = ("EPSG::25833", "EPSG:25833")
_YEAR = re.compile(r"kommuner-(\d{4})")


class TerritoryError(ValueError):
    """A polygon file cannot be used; the message names the file and the reason (input to fix, not a bug)."""


@dataclass(frozen=True)
class KommuneLand:
    """The kommuner of one polygon file: code -> valid shapely geometry in UTM 33 metres."""

    path: str
    year: str
    shapes: dict[str, Any]

    @property
    def name(self) -> str:
        """The file's name without its extension (``kommuner-2019``), as the crosswalk table names it."""
        return Path(self.path).stem


def file_year(path: str | Path) -> str:
    """The year in a polygon file's name (``kommuner-2024-S.geojson`` -> ``2024``)."""
    match = _YEAR.search(Path(path).name)
    if not match:
        raise TerritoryError(f"{path}: the file name has no year (expected kommuner-YYYY*.geojson)")
    return match.group(1)


def _crs_name(data: dict[str, Any]) -> str | None:
    crs = data.get("crs")
    if crs is None:
        return None
    return str(((crs or {}).get("properties") or {}).get("name", ""))


def _to_utm33(path: str, data: dict[str, Any]) -> Any:
    """A function mapping an (n, 2) array of the file's coordinates to UTM 33 metres."""
    name = _crs_name(data)
    if name is not None and name.endswith(_UTM33_NAMES):
        return lambda xy: xy
    if name is None or name.endswith(_LONLAT):
        from pyproj import Transformer

        transformer = Transformer.from_crs("EPSG:4326", UTM33, always_xy=True)
        return lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
    raise TerritoryError(f"{path}: coordinate reference system {name!r}; expected UTM 33 (EPSG:25833) or WGS 84")


def _geometry(geometry: dict[str, Any], where: str, project: Any) -> Any:
    import shapely

    kind = (geometry or {}).get("type")
    if kind == "Polygon":
        parts = [geometry["coordinates"]]
    elif kind == "MultiPolygon":
        parts = geometry["coordinates"]
    else:
        raise TerritoryError(f"{where}: geometry type {kind!r}, expected Polygon or MultiPolygon")
    polygons = []
    for part in parts:
        rings = [project(np.asarray(ring, dtype=float)[:, :2]) for ring in part if len(ring) >= 4]
        if rings:
            polygons.append(shapely.Polygon(rings[0], rings[1:]))
    if not polygons:
        raise TerritoryError(f"{where}: no polygon with an area")
    return shapely.make_valid(shapely.MultiPolygon(polygons) if len(polygons) > 1 else polygons[0])


@cache
def _read(path: str, stamp: tuple[int, int]) -> KommuneLand:
    import shapely

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise TerritoryError(f"{path}: not valid GeoJSON ({exc})") from exc
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list) or not features:
        raise TerritoryError(f"{path}: no features (expected a GeoJSON FeatureCollection)")
    project = _to_utm33(path, data)
    shapes: dict[str, Any] = {}
    for i, feature in enumerate(features):
        props = feature.get("properties") or {}
        key = next((k for k in CODE_KEYS if props.get(k) not in (None, "")), None)
        if key is None:
            raise TerritoryError(f"{path}: feature {i} has none of the code properties {', '.join(CODE_KEYS)}")
        code = str(props[key]).strip().zfill(4)
        shape = _geometry(feature.get("geometry") or {}, f"{path}: feature {i} ({code})", project)
        shapes[code] = shapely.union(shapes[code], shape) if code in shapes else shape
    return KommuneLand(path, file_year(path), dict(sorted(shapes.items())))


def read_land(path: str | Path) -> KommuneLand:
    """The kommune polygons of one file, in UTM 33; read once per process (and again when the file changes)."""
    resolved = Path(path).resolve()
    try:
        stat = resolved.stat()
    except FileNotFoundError as exc:
        raise TerritoryError(f"{path}: file not found") from exc
    return _read(str(resolved), (stat.st_mtime_ns, stat.st_size))


def overlap_m2(a: Any, b: Any) -> float:
    """Area (m²) the two kommune polygons share; 0 when they do not meet."""
    return float(a.intersection(b).area) if a.intersects(b) else 0.0


__all__ = ["CODE_KEYS", "KommuneLand", "TerritoryError", "UTM33", "file_year", "overlap_m2", "read_land"]
