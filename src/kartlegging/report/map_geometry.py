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

A round's map uses the file whose Klass version is nearest the round's own
(:func:`geometry_file_for`); fylke borders are the union of the fylke's kommuner
(shapely), so a map never mixes structures.
"""

from __future__ import annotations

import json
import logging
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
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def _open_ring(ring: np.ndarray) -> np.ndarray | None:
    """The ring without its closing point and without repeated points; None when it encloses nothing."""
    if len(ring) > 1 and np.array_equal(ring[0], ring[-1]):
        ring = ring[:-1]
    if len(ring) > 1:
        ring = ring[np.r_[True, np.any(np.diff(ring, axis=0) != 0, axis=1)]]
    if len(ring) < 3 or _signed_area(ring) == 0:
        return None
    return ring


def decimate(rings: Sequence[np.ndarray], min_area: float, groups: Sequence[int] | None = None,
             max_passes: int = 60) -> list[np.ndarray]:
    """Drop vertices that add less than ``min_area`` (km²) to their ring, the same way in every ring.

    Visvalingam's effective-area rule, made consistent across rings so that
    neighbouring kommuner (and a county and its kommuner) keep one common
    border instead of two slightly different ones with slivers between them:

    * a vertex is identified by its coordinates, so a border vertex is the same
      vertex in every ring that holds it, and it goes only where every ring
      holding it would drop it: removal is all or nothing;
    * in each pass a ring drops a vertex only if its triangle is smaller than
      both neighbours' (ties by coordinates), so no two neighbours go at once;
    * junctions, where three or more rings of one group (``groups``: the layer
      of each ring) meet, never move, nor does the first vertex (by
      coordinates) of every ring; a ring keeps at least four vertices.
    """
    if not rings:
        return []
    sizes = np.array([len(r) for r in rings])
    offsets = np.cumsum(np.r_[0, sizes[:-1]])
    xy = np.vstack(rings)
    n = len(xy)
    ring_of = np.repeat(np.arange(len(rings)), sizes)
    start = np.repeat(offsets, sizes)
    size = np.repeat(sizes, sizes)
    pos = np.arange(n) - start
    prev = start + (pos - 1) % size
    nxt = start + (pos + 1) % size
    _, key = np.unique(xy, axis=0, return_inverse=True)
    key = key.ravel()
    n_keys = int(key.max()) + 1

    group = np.zeros(len(rings), dtype=np.int64) if groups is None else np.asarray(groups, dtype=np.int64)
    pairs = np.unique(np.column_stack([key, group[ring_of], ring_of]), axis=0)
    per_group = np.unique(pairs[:, :2], axis=0, return_counts=True)
    fixed_key = np.zeros(n_keys, dtype=bool)
    fixed_key[per_group[0][per_group[1] >= 3, 0]] = True
    first_key = np.full(len(rings), n_keys)
    np.minimum.at(first_key, ring_of, key)
    fixed_key[first_key] = True

    idx = np.arange(n)
    alive = np.ones(n, dtype=bool)
    for _ in range(max_passes):
        d1, d2 = xy[prev] - xy, xy[nxt] - xy
        area = 0.5 * np.abs(d1[:, 0] * d2[:, 1] - d1[:, 1] * d2[:, 0])
        area[~alive | fixed_key[key]] = np.inf
        alive_in_ring = np.bincount(ring_of[alive], minlength=len(rings))
        protected = np.zeros(n_keys, dtype=bool)
        protected[key[alive & (alive_in_ring[ring_of] <= 4)]] = True

        def before(i: np.ndarray, j: np.ndarray) -> np.ndarray:
            return (area[i] < area[j]) | ((area[i] == area[j]) & (key[i] < key[j]))

        chosen = alive & (area < min_area) & ~protected[key] & before(idx, prev) & before(idx, nxt)
        refused = np.zeros(n_keys, dtype=bool)
        refused[key[alive & ~chosen]] = True
        drop = chosen & ~refused[key]
        if not drop.any():
            break
        gone = np.flatnonzero(drop)
        nxt[prev[gone]] = nxt[gone]
        prev[nxt[gone]] = prev[gone]
        alive[gone] = False
    return [xy[s:s + m][alive[s:s + m]] for s, m in zip(offsets.tolist(), sizes.tolist())]


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


def _without_specks(parts: list[list[np.ndarray]], min_part: float) -> list[list[np.ndarray]]:
    """The parts (islands) of at least ``min_part`` km², and always the largest, so no area vanishes."""
    if min_part <= 0 or len(parts) < 2:
        return parts
    sizes = [abs(_signed_area(part[0])) for part in parts]
    largest = max(range(len(parts)), key=lambda i: (sizes[i], -i))
    return [part for i, part in enumerate(parts) if i == largest or sizes[i] >= min_part]


def _layers(sources: Sequence[tuple[str, list[Feature]]], min_area: float, min_part: float) -> list[Layer]:
    """Layers simplified together, so a county border stays on the kommune borders it follows.

    Islands smaller than ``min_part`` km² are left out first (the same island
    has the same area in the kommune and the county file, so both lose it).
    """
    kept = [(source, [(code, name, _without_specks(parts, min_part)) for code, name, parts in feats])
            for source, feats in sources]
    rings = [ring for _, feats in kept for _, _, parts in feats for part in parts for ring in part]
    groups = [g for g, (_, feats) in enumerate(kept) for _, _, parts in feats for part in parts for _ in part]
    simple = iter(decimate(rings, min_area, groups) if min_area > 0 else rings)
    layers = []
    for source, feats in kept:
        shapes = []
        for code, name, parts in feats:
            new_parts = [[next(simple) for _ in part] for part in parts]
            path = polygon_path(new_parts)
            if path is None:
                raise ValueError(f"{source}: {code} {name} vanished when simplified; lower the tolerance")
            shapes.append(Shape(code, name, path))
        layers.append(Layer(source, tuple(shapes)))
    return layers


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
    sources = [(kommuner, read_features(kommuner, "kommunenummer", "kommunenavn")),
               (fylker, read_features(fylker, "fylkesnummer", "fylkesnavn"))]
    k_big, f_big = _layers(sources, DETAIL_KM2, SPECK_KM2)
    k_small, f_small = _layers(sources, SMALL_DETAIL_KM2, SMALL_SPECK_KM2)
    match = re.search(r"(\d{4})", Path(kommuner).name)
    return MapGeometry(k_big, f_big, k_small, f_small, match.group(1) if match else "")


def read_geometry(kommuner_path: str | Path, fylker_path: str | Path) -> MapGeometry:
    """Both layers of the map; the Klass version is the year in the kommune file's name (``kommuner-2024-S``).

    Properties read: ``kommunenummer``/``kommunenavn`` and ``fylkesnummer``/``fylkesnavn``.
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


def geometry_files(reference_dir: str | Path) -> dict[str, Path]:
    """Every kommune geometry under the reference folder, by the year in its file name."""
    base = Path(reference_dir)
    found: dict[str, Path] = {}
    for pattern in ("kartverket/kommuner-*.geojson", "kartverket-historic/kommuner-*.geojson"):
        for path in sorted(base.glob(pattern)):
            match = _YEAR.search(path.name)
            if match:
                found.setdefault(match.group(1), path)
    return dict(sorted(found.items()))


def geometry_file_for(round_version: str, files: Mapping[str, str | Path], versions: Mapping[str, str]) -> str:
    """The geometry year for a round: the file whose Klass version is the round's, or the nearest one.

    ``versions`` maps each file year to its Klass version (the 2021 file holds
    version 2020). Ties go to the later file, which has fewer changes to
    translate for a round between two versions.
    """
    if not files:
        raise ValueError("no kommune geometry (kommuner-YYYY*.geojson) in the reference folder")
    target = int(str(round_version)[:4])
    return min(files, key=lambda year: (abs(int(versions[year][:4]) - target), -int(year)))


def _is_utm33(data: Mapping[str, Any]) -> bool:
    crs = ((data.get("crs") or {}).get("properties") or {}).get("name", "")
    return str(crs).endswith(UTM33) or str(crs).endswith("EPSG:25833")


def _rings_plane(geometry: Mapping[str, Any], where: str) -> list[list[np.ndarray]]:
    """The rings of a Polygon or MultiPolygon in UTM 33 metres, as kilometres, opened."""
    kind = geometry.get("type")
    parts = [geometry["coordinates"]] if kind == "Polygon" else geometry.get("coordinates") if kind == "MultiPolygon" else None
    if parts is None:
        raise ValueError(f"{where}: geometry type {kind!r}, expected Polygon or MultiPolygon")
    out = []
    for part in parts:
        rings = [r for r in (_open_ring(np.asarray(ring, dtype=float)[:, :2] / 1000.0) for ring in part) if r is not None]
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
    import shapely

    polys = [shapely.Polygon(rings[0], rings[1:]) for rings in parts]
    return shapely.make_valid(shapely.MultiPolygon(polys)) if len(polys) > 1 else shapely.make_valid(polys[0])


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


def fylke_features(kommuner: Sequence[Feature], fylke_names: Mapping[str, str]) -> list[Feature]:
    """Fylker as the union of their kommuner (the first two digits of the kommunenummer).

    Drawn from the same kommune outlines, a fylke border lies exactly on the
    kommune borders it follows, whatever structure the map is in. The union is
    snapped to a 1 m grid first, so the slivers between two simplified
    neighbours do not become borders of their own.
    """
    import shapely

    by_fylke: dict[str, list[Any]] = {}
    for code, _name, parts in kommuner:
        by_fylke.setdefault(code[:2], []).append(_to_shapely(parts))
    out: list[Feature] = []
    for fylke in sorted(by_fylke):
        union = shapely.union_all(by_fylke[fylke], grid_size=0.001)
        out.append((fylke, fylke_names.get(fylke, fylke), _from_shapely(union)))
    return out


@lru_cache(maxsize=4)
def _read_own(kommuner: str, stamp: tuple[int, int], fylke_names: tuple[tuple[str, str], ...]) -> MapGeometry:
    if kommuner.endswith(PREPARED_SUFFIX):
        return read_prepared(kommuner)
    feats = read_kommune_features(kommuner)
    sources = [(kommuner, feats), (f"{kommuner} (fylker)", fylke_features(feats, dict(fylke_names)))]
    k_big, f_big = _layers(sources, DETAIL_KM2, SPECK_KM2)
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


