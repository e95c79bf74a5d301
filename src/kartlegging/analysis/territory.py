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

When: a file is parsed and checked when it is read (so a bad file is named at
once), and each geometry's coordinates become arrays as soon as the parser has
them (:func:`_arrays_hook`: the lists of a whole file alive at once are some
200,000 objects for the garbage collector to walk, which cost as much as the
parse). A kommune's shapely geometry is projected, built and made valid only
when it is first asked for: the crosswalk measures about a quarter of the
kommuner of a file, and building the rest cost it more than its overlaps did.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Mapping, Sequence
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


#: One feature's polygons: each a tuple of rings (shell first, then holes), each an (n, 2) array as in the file.
Parts = tuple[tuple[np.ndarray, ...], ...]


class KommuneLand:
    """The kommuner of one polygon file: code -> valid shapely geometry in UTM 33 metres (:meth:`shape`), built on
    first use.

    One instance serves every thread of the process (:func:`read_land` caches it),
    so the geometries it builds are kept under a lock.
    """

    def __init__(self, path: str, year: str, features: Mapping[str, tuple[Parts, ...]],
                 project: Callable[[np.ndarray], np.ndarray]) -> None:
        self.path = path
        self.year = year
        self._features = dict(features)
        #: the kommune codes the file draws, known without building a geometry
        self.codes = frozenset(self._features)
        self._project = project
        self._built: dict[str, Any] = {}
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """The file's name without its extension (``kommuner-2019``), as the crosswalk table names it."""
        return Path(self.path).stem

    def shape(self, code: str) -> Any:
        """The valid geometry of one kommune (KeyError when the file does not draw it)."""
        with self._lock:
            if code not in self._built:
                self._built[code] = _build(self._features[code], self._project)
            return self._built[code]


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


class _Rings:
    """A Polygon or MultiPolygon as :func:`_arrays_hook` left it: its polygons as arrays of the file's coordinates."""

    __slots__ = ("parts",)

    def __init__(self, parts: Parts) -> None:
        self.parts = parts


def _arrays_hook(obj: dict[str, Any]) -> Any:
    """``json.loads`` object hook: a Polygon's or MultiPolygon's coordinates as arrays the moment they are parsed.

    Rings of fewer than four points (no area) are left out, and so is a polygon
    left without rings. Coordinates that are not rings of numbers are left as
    parsed, for :func:`_parts` to name the feature.
    """
    kind = obj.get("type")
    coordinates = obj.get("coordinates")
    if kind not in ("Polygon", "MultiPolygon") or not isinstance(coordinates, list):
        return obj
    try:
        polygons = (coordinates,) if kind == "Polygon" else coordinates
        parts = (tuple(np.asarray(ring, dtype=float)[:, :2] for ring in rings if len(ring) >= 4) for rings in polygons)
        return _Rings(tuple(rings for rings in parts if rings))
    except (TypeError, ValueError, IndexError):
        return obj


def _parts(geometry: Any, where: str) -> Parts:
    """A feature's polygons, checked when the file is read: the type, the coordinates, at least one ring with area."""
    if not isinstance(geometry, _Rings):
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        if kind in ("Polygon", "MultiPolygon"):
            raise TerritoryError(f"{where}: the coordinates are not rings of points (x, y)")
        raise TerritoryError(f"{where}: geometry type {kind!r}, expected Polygon or MultiPolygon")
    if not geometry.parts:
        raise TerritoryError(f"{where}: no polygon with an area")
    return geometry.parts


def _build(features: tuple[Parts, ...], project: Callable[[np.ndarray], np.ndarray]) -> Any:
    """One kommune's geometry in UTM 33: each feature made valid, the features of one code united in file order."""
    import shapely

    shape = None
    for parts in features:
        polygons = [shapely.Polygon(project(rings[0]), [project(ring) for ring in rings[1:]]) for rings in parts]
        one = shapely.make_valid(shapely.MultiPolygon(polygons) if len(polygons) > 1 else polygons[0])
        shape = one if shape is None else shapely.union(shape, one)
    return shape


@cache
def _read(path: str, stamp: tuple[int, int]) -> KommuneLand:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"), object_hook=_arrays_hook)
    except json.JSONDecodeError as exc:
        raise TerritoryError(f"{path}: not valid GeoJSON ({exc})") from exc
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list) or not features:
        raise TerritoryError(f"{path}: no features (expected a GeoJSON FeatureCollection)")
    project = _to_utm33(path, data)
    by_code: dict[str, list[Parts]] = {}
    for i, feature in enumerate(features):
        props = feature.get("properties") if isinstance(feature, dict) else None
        props = props if isinstance(props, dict) else {}
        key = next((k for k in CODE_KEYS if props.get(k) not in (None, "")), None)
        if key is None:
            raise TerritoryError(f"{path}: feature {i} has none of the code properties {', '.join(CODE_KEYS)}")
        code = str(props[key]).strip().zfill(4)
        by_code.setdefault(code, []).append(_parts(feature.get("geometry"), f"{path}: feature {i} ({code})"))
    return KommuneLand(path, file_year(path), {code: tuple(parts) for code, parts in sorted(by_code.items())}, project)


def read_land(path: str | Path) -> KommuneLand:
    """The kommune polygons of one file, in UTM 33; read once per process (and again when the file changes)."""
    resolved = Path(path).resolve()
    try:
        stat = resolved.stat()
    except FileNotFoundError as exc:
        raise TerritoryError(f"{path}: file not found") from exc
    return _read(str(resolved), (stat.st_mtime_ns, stat.st_size))


def overlaps_m2(pairs: Sequence[tuple[Any, Any]]) -> list[float]:
    """Area (m²) each pair of kommune polygons shares, 0 where they do not meet.

    All pairs in one call of each GEOS operation (intersects, intersection, area)
    rather than three Python calls a pair: the crosswalk asks several hundred,
    and the operations, so the areas, are those of ``a.intersection(b).area``.
    """
    import shapely

    if not pairs:
        return []
    a = np.array([p[0] for p in pairs], dtype=object)
    b = np.array([p[1] for p in pairs], dtype=object)
    meet = shapely.intersects(a, b)
    areas = np.zeros(len(pairs))
    areas[meet] = shapely.area(shapely.intersection(a[meet], b[meet]))
    return [float(x) for x in areas]


def areas_m2(shapes: Sequence[Any]) -> list[float]:
    """The area (m²) of each polygon, in one GEOS call."""
    import shapely

    return [float(a) for a in shapely.area(np.array(shapes, dtype=object))] if shapes else []


__all__ = ["CODE_KEYS", "KommuneLand", "TerritoryError", "UTM33", "areas_m2", "file_year", "overlaps_m2", "read_land"]
