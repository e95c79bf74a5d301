"""Map geometry: GeoJSON kommuner read, projected, simplified; fylker as unions of their kommuner.

Split from :mod:`kartlegging.report.maps` (the step and the drawing live there).

Two kinds of file are read:

* Kartverket's 2024 kommuner and fylker in longitude/latitude (``kartverket/``),
  projected here with a Lambert azimuthal equal-area projection centred on
  mainland Norway;
* older kommune structures (``kartverket-historic/kommuner-YYYY.geojson``) in
  ETRS89 / UTM zone 33N, already a plane in metres: used as they are, in
  kilometres. Their property names differ by year (see :data:`CODE_KEYS`), and
  an integer code loses its leading zero, so codes are padded to four digits.

A round's map uses the file whose Klass version is nearest the round's own (the
``map_geometry`` and ``round_map`` rules choose it); the kommuner are simplified as a
coverage (:func:`simplify_coverage`, shapely) and fylke borders are the union of the
fylke's simplified kommuner, so a map never mixes structures and a county border
lies on the kommune borders it follows.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.path import Path as MplPath

LOG = logging.getLogger(__name__)

CENTRE_LON, CENTRE_LAT = 15.0, 65.0
EARTH_RADIUS_KM = 6371.0


# --------------------------------------------------------------------------- geometry


def project(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lambert azimuthal equal-area, in kilometres, centred on :data:`CENTRE_LON`, :data:`CENTRE_LAT`."""
    lam, phi = np.radians(lon), np.radians(lat)
    lam0, phi0 = np.radians(CENTRE_LON), np.radians(CENTRE_LAT)
    cos_c = np.sin(phi0) * np.sin(phi) + np.cos(phi0) * np.cos(phi) * np.cos(lam - lam0)
    k = np.sqrt(2.0 / (1.0 + cos_c))
    x = EARTH_RADIUS_KM * k * np.cos(phi) * np.sin(lam - lam0)
    y = EARTH_RADIUS_KM * k * (np.cos(phi0) * np.sin(phi) - np.sin(phi0) * np.cos(phi) * np.cos(lam - lam0))
    return x, y


def _signed_area(ring: np.ndarray) -> float:
    """Shoelace area: positive for a counter-clockwise ring."""
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(x[:-1] @ y[1:] - y[:-1] @ x[1:] + x[-1] * y[0] - y[-1] * x[0])


def _open_ring(ring: np.ndarray) -> np.ndarray | None:
    """The ring without its closing point and without repeated points; None when it encloses nothing."""
    if len(ring) > 1 and np.array_equal(ring[0], ring[-1]):
        ring = ring[:-1]
    if len(ring) > 1:
        ring = ring[np.r_[True, np.any(np.diff(ring, axis=0) != 0, axis=1)]]
    if len(ring) < 3 or _signed_area(ring) == 0:
        return None
    return ring


def polygon_path(polygons: Sequence[Sequence[np.ndarray]]) -> MplPath | None:
    """One compound path for a (Multi)Polygon: each part's outer ring counter-clockwise, its holes clockwise.

    GeoJSON files do not always keep the winding order of RFC 7946; SVG fills
    with the nonzero rule, so holes (an enclave kommune) stay open only when
    they wind against their outer ring. Orientation is therefore set here.
    """
    vertices: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for rings in polygons:
        for i, ring in enumerate(rings):
            if len(ring) < 3 or _signed_area(ring) == 0:
                continue
            if (_signed_area(ring) > 0) != (i == 0):
                ring = ring[::-1]
            vertices.append(np.vstack([ring, ring[:1]]))
            c = np.full(len(ring) + 1, MplPath.LINETO, dtype=MplPath.code_type)
            c[0], c[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            codes.append(c)
    if not vertices:
        return None
    return MplPath(np.vstack(vertices), np.concatenate(codes))


@dataclass(frozen=True)
class Shape:
    """One area of a map layer: code, name and its projected outline."""

    code: str
    name: str
    path: MplPath


@dataclass(frozen=True)
class Layer:
    """The areas of one GeoJSON file, projected, in code order."""

    source: str
    shapes: tuple[Shape, ...]

    @property
    def codes(self) -> list[str]:
        """Codes of the areas, sorted."""
        return [s.code for s in self.shapes]

    def names(self) -> dict[str, str]:
        """Code to name."""
        return {s.code: s.name for s in self.shapes}


#: A feature as read: code, name and its parts, each a list of rings (outer first), projected.
Feature = tuple[str, str, list[list[np.ndarray]]]


def _polygons_of(geometry: Mapping[str, Any], where: str) -> list[list[np.ndarray]]:
    """The rings of a Polygon or MultiPolygon, projected and opened; other geometry types are an input error."""
    kind = geometry.get("type")
    if kind == "Polygon":
        parts = [geometry["coordinates"]]
    elif kind == "MultiPolygon":
        parts = geometry["coordinates"]
    else:
        raise ValueError(f"{where}: geometry type {kind!r}, expected Polygon or MultiPolygon")
    out = []
    for part in parts:
        rings = []
        for ring in part:
            arr = np.asarray(ring, dtype=float)[:, :2]
            x, y = project(arr[:, 0], arr[:, 1])
            opened = _open_ring(np.column_stack([x, y]))
            if opened is not None:
                rings.append(opened)
        if rings:
            out.append(rings)
    return out


def _feature_collection(path: str | Path) -> tuple[dict[str, Any], list[Any]]:
    """A GeoJSON file and its features, or a ValueError naming the file when it is not a FeatureCollection."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid GeoJSON ({exc})") from exc
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list) or not features:
        raise ValueError(f"{path}: no features (expected a GeoJSON FeatureCollection)")
    return data, features


def feature_names(path: str | Path, code_key: str, name_key: str) -> dict[str, str]:
    """Code to name of every feature of a GeoJSON FeatureCollection (its geometry is not read)."""
    _, features = _feature_collection(path)
    props = [feature.get("properties") or {} for feature in features]
    return {str(p.get(code_key) or "").strip(): str(p.get(name_key) or p.get(code_key)) for p in props}


def read_features(path: str | Path, code_key: str, name_key: str) -> list[Feature]:
    """The features of a GeoJSON FeatureCollection, in code order, with a named error for what cannot be drawn."""
    data, features = _feature_collection(path)
    out: dict[str, Feature] = {}
    for i, feature in enumerate(features):
        props = feature.get("properties") or {}
        code = str(props.get(code_key) or "").strip()
        if not code:
            raise ValueError(f"{path}: feature {i} has no {code_key!r}")
        if code in out:
            raise ValueError(f"{path}: {code_key} {code} appears twice")
        polygons = _polygons_of(feature.get("geometry") or {}, f"{path}: feature {code}")
        if not polygons:
            raise ValueError(f"{path}: feature {code} has no area")
        out[code] = (code, str(props.get(name_key) or code), polygons)
    return [out[c] for c in sorted(out)]


def _without_specks(geom: Any, min_part: float) -> Any:
    """The parts (islands) of at least ``min_part`` km² (by their outer ring), and always the largest, so no
    area vanishes. Leaving out islands keeps a coverage a coverage."""
    import shapely

    parts = shapely.get_parts(geom)
    if min_part <= 0 or len(parts) < 2:
        return geom
    sizes = shapely.area(shapely.polygons(shapely.get_exterior_ring(parts)))
    largest = int(np.argmax(sizes))  # the first of equals, as parts are in file order
    kept = [part for i, part in enumerate(parts) if i == largest or sizes[i] >= min_part]
    return kept[0] if len(kept) == 1 else shapely.MultiPolygon(kept)


def coverage_of(features: Sequence[Feature]) -> np.ndarray:
    """The features as a polygonal coverage: one valid (Multi)Polygon each, in order, neighbours sharing their
    border vertices exactly. A file whose neighbours do not (Kartverket's simplified 2024 file has a few such
    borders) is cleaned into one (:func:`shapely.coverage_clean`, which moves those borders by metres)."""
    import shapely

    geoms = np.array([_to_shapely(parts) for _, _, parts in features], dtype=object)
    return geoms if shapely.coverage_is_valid(geoms) else shapely.coverage_clean(geoms)


def simplify_coverage(coverage: np.ndarray, detail_km2: float, speck_km2: float) -> np.ndarray:
    """A coverage (:func:`coverage_of`) simplified as one, so that neighbours keep one common border.

    Islands smaller than ``speck_km2`` are left out first (the largest part of a
    kommune always stays). Then shapely's :func:`shapely.coverage_simplify`
    (GEOS, Visvalingam-Whyatt on the edges between junctions) drops the vertices
    whose triangle is below about ``detail_km2`` (its tolerance is the square
    root of that area): a border shared by two kommuner is one edge of the
    coverage, simplified once, junctions stay where they are, and no kommune
    vanishes. Deterministic: the same coverage gives the same vertices.
    Returns the simplified (Multi)Polygons in the order given.
    """
    import shapely

    geoms = np.array([_without_specks(g, speck_km2) for g in coverage], dtype=object)
    return shapely.coverage_simplify(geoms, math.sqrt(detail_km2)) if detail_km2 > 0 else geoms


def _layer(source: str, features: Sequence[Feature]) -> Layer:
    """Features as a layer of drawable shapes; an area the simplification emptied is an input error."""
    shapes = []
    for code, name, parts in features:
        path = polygon_path(parts)
        if path is None:
            raise ValueError(f"{source}: {code} {name} vanished when simplified; lower the tolerance")
        shapes.append(Shape(code, name, path))
    return Layer(source, tuple(shapes))


def _layers(source: str, kommuner: Sequence[Feature], coverage: np.ndarray, fylke_names: Mapping[str, str],
            detail_km2: float, speck_km2: float, fylker_source: str | None = None) -> tuple[Layer, Layer]:
    """The kommuner (``coverage``: their polygons) simplified as a coverage, and the fylker as unions of the
    simplified kommuner, so a county border lies exactly on the kommune borders it follows."""
    simple = simplify_coverage(coverage, detail_km2, speck_km2)
    codes = [code for code, _, _ in kommuner]
    kommune_features = [(code, name, _from_shapely(geom)) for (code, name, _), geom in zip(kommuner, simple)]
    return (_layer(source, kommune_features),
            _layer(fylker_source or f"{source} (fylker)", fylke_features(codes, simple, fylke_names)))


@dataclass(frozen=True)
class MapGeometry:
    """Kommuner and fylker of the map, simplified for the large map and more for the small ones."""

    kommuner: Layer
    fylker: Layer
    kommuner_small: Layer
    fylker_small: Layer
    version: str


#: Largest triangle (km²) a dropped vertex may add: about a third of a square point on the large map (one
#: point is about 3 km there) and on the small maps (one point is about 7 km). Islands below the second
#: number are left out (the largest part of a kommune always stays).
DETAIL_KM2, SPECK_KM2 = 2.5, 0.5
SMALL_DETAIL_KM2, SMALL_SPECK_KM2 = 15.0, 20.0


@lru_cache(maxsize=4)
def _read_geometry(kommuner: str, fylker: str, stamp: tuple[int, ...]) -> MapGeometry:
    """Cached read; ``stamp`` (mtimes and sizes) makes an edited file read again."""
    feats = read_features(kommuner, "kommunenummer", "kommunenavn")
    coverage = coverage_of(feats)
    names = feature_names(fylker, "fylkesnummer", "fylkesnavn")
    k_big, f_big = _layers(kommuner, feats, coverage, names, DETAIL_KM2, SPECK_KM2, fylker)
    k_small, f_small = _layers(kommuner, feats, coverage, names, SMALL_DETAIL_KM2, SMALL_SPECK_KM2, fylker)
    match = re.search(r"(\d{4})", Path(kommuner).name)
    return MapGeometry(k_big, f_big, k_small, f_small, match.group(1) if match else "")


def read_geometry(kommuner_path: str | Path, fylker_path: str | Path) -> MapGeometry:
    """Both layers of the map; the Klass version is the year in the kommune file's name (``kommuner-2024-S``).

    Properties read: ``kommunenummer``/``kommunenavn`` and ``fylkesnummer``/``fylkesnavn``. The fylker are
    drawn as unions of the kommuner (their first two digits), named from the fylke file.
    """
    paths = [Path(kommuner_path).resolve(), Path(fylker_path).resolve()]
    stamp = tuple(v for p in paths for v in (p.stat().st_mtime_ns, p.stat().st_size))
    return _read_geometry(str(paths[0]), str(paths[1]), stamp)




# --------------------------------------------------------------------------- the round's own structure

#: Property names of the kommune code and name, by file (the historic files differ by year).
CODE_KEYS = ("kommunenummer", "kommunenr", "Kommunenum", "Kommunenummer")
NAME_KEYS = ("kommunenavn", "Kommunenav", "Kommunenavn")
UTM33 = "EPSG::25833"
_YEAR = re.compile(r"kommuner-(\d{4})")


def _is_utm33(data: Mapping[str, Any]) -> bool:
    crs = ((data.get("crs") or {}).get("properties") or {}).get("name", "")
    return str(crs).endswith(UTM33) or str(crs).endswith("EPSG:25833")


def _rings_plane(geometry: Mapping[str, Any], where: str) -> list[list[np.ndarray]]:
    """The rings of a Polygon or MultiPolygon in UTM 33 metres, as kilometres, opened."""
    kind = geometry.get("type")
    parts = {"Polygon": [geometry.get("coordinates")], "MultiPolygon": geometry.get("coordinates")}.get(str(kind))
    if parts is None:
        raise ValueError(f"{where}: geometry type {kind!r}, expected Polygon or MultiPolygon")
    out = []
    for part in parts:
        opened = (_open_ring(np.asarray(ring, dtype=float)[:, :2] / 1000.0) for ring in part)
        rings = [r for r in opened if r is not None]
        if rings:
            out.append(rings)
    return out


def read_kommune_features(path: str | Path) -> list[Feature]:
    """The kommuner of any of the geometry files, codes padded to four digits, parts of one code merged.

    A file in UTM 33 is used as a plane (km); one in longitude/latitude is
    projected (:func:`project`). A code given twice (the 2021 file splits three
    kommuner into two features) becomes one kommune with all the parts.
    """
    data, features = _feature_collection(path)
    plane = _is_utm33(data)
    merged: dict[str, tuple[str, list[list[np.ndarray]]]] = {}
    for i, feature in enumerate(features):
        props = feature.get("properties") or {}
        code_key = next((k for k in CODE_KEYS if props.get(k) not in (None, "")), None)
        if code_key is None:
            raise ValueError(f"{path}: feature {i} has none of the code properties {', '.join(CODE_KEYS)}")
        code = str(props[code_key]).strip().zfill(4)
        name = next((str(props[k]) for k in NAME_KEYS if props.get(k)), code)
        where = f"{path}: feature {code}"
        polygons = _rings_plane(feature.get("geometry") or {}, where) if plane else \
            _polygons_of(feature.get("geometry") or {}, where)
        if not polygons:
            raise ValueError(f"{where} has no area")
        if code in merged:
            merged[code][1].extend(polygons)
        else:
            merged[code] = (name, polygons)
    return [(code, merged[code][0], merged[code][1]) for code in sorted(merged)]


def _to_shapely(parts: list[list[np.ndarray]]) -> Any:
    """A feature's parts as one valid (Multi)Polygon: repaired where a ring crosses itself, and only its
    areas kept (a repair can leave a line where a ring doubled back on itself)."""
    import shapely

    polys = [shapely.Polygon(rings[0], rings[1:]) for rings in parts]
    geom = shapely.MultiPolygon(polys) if len(polys) > 1 else polys[0]
    if shapely.is_valid(geom):
        return geom
    valid = shapely.make_valid(geom)
    areas = [p for part in shapely.get_parts(valid) for p in shapely.get_parts(part)
             if isinstance(p, shapely.Polygon) and not p.is_empty]
    return areas[0] if len(areas) == 1 else shapely.MultiPolygon(areas)


def _from_shapely(geom: Any) -> list[list[np.ndarray]]:
    import shapely

    polys = [g for g in shapely.get_parts(geom) if isinstance(g, shapely.Polygon) and not g.is_empty]
    out = []
    for poly in sorted(polys, key=lambda p: (-p.area, p.bounds)):
        rings = [_open_ring(np.asarray(poly.exterior.coords)[:, :2])]
        rings += [_open_ring(np.asarray(r.coords)[:, :2]) for r in poly.interiors]
        rings = [r for r in rings if r is not None]
        if rings and rings[0] is not None:
            out.append(rings)
    return out


def fylke_features(codes: Sequence[str], kommuner: Sequence[Any], fylke_names: Mapping[str, str]) -> list[Feature]:
    """Fylker as the union of their kommuner (the first two digits of the kommunenummer).

    ``kommuner``: the kommune polygons as a coverage (:func:`simplify_coverage`), in the
    order of ``codes``. Drawn from the same outlines, a fylke border lies exactly on the
    kommune borders it follows, whatever structure the map is in; a coverage union
    (:func:`shapely.coverage_union_all`) only drops the shared edges, so it moves none.
    """
    import shapely

    by_fylke: dict[str, list[Any]] = {}
    for code, geom in zip(codes, kommuner):
        by_fylke.setdefault(code[:2], []).append(geom)
    return [(fylke, fylke_names.get(fylke, fylke), _from_shapely(shapely.coverage_union_all(by_fylke[fylke])))
            for fylke in sorted(by_fylke)]


@lru_cache(maxsize=4)
def _read_own(kommuner: str, stamp: tuple[int, int], fylke_names: tuple[tuple[str, str], ...]) -> MapGeometry:
    if kommuner.endswith(PREPARED_SUFFIX):
        return read_prepared(kommuner)
    feats = read_kommune_features(kommuner)
    k_big, f_big = _layers(kommuner, feats, coverage_of(feats), dict(fylke_names), DETAIL_KM2, SPECK_KM2)
    match = _YEAR.search(Path(kommuner).name)
    # one map per round: the small-multiple layers are the large ones (only the harmonise_to maps use them)
    return MapGeometry(k_big, f_big, k_big, f_big, match.group(1) if match else "")


def read_own_geometry(kommuner_path: str | Path, fylke_names: Mapping[str, str]) -> MapGeometry:
    """One kommune file and the fylker made from it (see :func:`fylke_features`), or a prepared geometry.

    A prepared geometry (:func:`write_prepared`, ``*.geometry.json``) is read as
    it is: the ``map_geometry`` rule makes it once per geometry file, so a
    round's map is only drawn, not simplified again, when the round's data change.
    """
    path = Path(kommuner_path).resolve()
    return _read_own(str(path), (path.stat().st_mtime_ns, path.stat().st_size), tuple(sorted(fylke_names.items())))


PREPARED_SUFFIX = ".geometry.json"


def _layer_json(layer: Layer) -> list[dict[str, Any]]:
    return [{"code": s.code, "name": s.name,
             "xy": np.rint(s.path.vertices * 1000).astype(np.int64).ravel().tolist(),
             "ops": s.path.codes.astype(int).tolist()}
            for s in layer.shapes]


def _layer_from(source: str, items: Sequence[Mapping[str, Any]]) -> Layer:
    shapes = []
    for item in items:
        xy = np.asarray(item["xy"], dtype=float).reshape(-1, 2) / 1000.0
        shapes.append(Shape(str(item["code"]), str(item["name"]),
                            MplPath(xy, np.asarray(item["ops"], dtype=MplPath.code_type))))
    return Layer(source, tuple(shapes))


def write_prepared(geometry: MapGeometry, out: str | Path) -> None:
    """The projected, simplified kommuner and fylker of one geometry as JSON, coordinates in whole metres.

    Whole metres: far below what the map can show (its paths are cut to a tenth
    of a point, about 300 m on the large map), and no coordinate is a long run
    of digits that could read as a phone number in the privacy scan.
    """
    data = {"version": geometry.version, "kommuner": _layer_json(geometry.kommuner),
            "fylker": _layer_json(geometry.fylker)}
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")


def read_prepared(path: str | Path) -> MapGeometry:
    """A geometry written by :func:`write_prepared`."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    kommuner = _layer_from(str(path), data["kommuner"])
    fylker = _layer_from(f"{path} (fylker)", data["fylker"])
    return MapGeometry(kommuner, fylker, kommuner, fylker, str(data["version"]))


