"""Coverage maps: Norway's kommuner coloured by whether they have a service, drawn as deterministic SVG.

Two halves:

* :func:`map_status_frame` (the ``map_status`` rule) puts one round's
  ``kommune_status`` into the kommune structure of the map geometry
  (Kartverket's 2024 kommuner) through :func:`kartlegging.crosswalk.harmonise_status`,
  so the map agrees with the harmonised table by construction, and adds the kind
  of service the kommune is drawn with.
* :func:`coverage_map_svg` and :func:`small_multiples_svg` draw those classes
  with matplotlib, one compound path per kommune, county borders on top.

Classes and how several kommuner of the round combine into one map kommune
(the round may be in an older structure: 2015 had 428 kommuner, 2024 has 357):

* ``kommunal``: the kommune has an included service and takes part in no
  interkommunal one; ``interkommunal``: it takes part in at least one
  interkommunal service (also when it has a kommunal one besides, because the
  interkommunal arrangement is what a reader of the map needs to see);
  ``ingen``: it answered but has no service; ``ukjent``: no source mentions it.
* A map kommune made of several of the round's kommuner gets the strongest class
  among its parts, in the order interkommunal, kommunal, ingen, ukjent. That is
  the harmonised table's rule (a service if any part had one) with the kind
  added: interkommunal if any part with a service had an interkommunal one.
* A round kommune later split (2015's 0720 Stokke) passes its class to every part.

Projection: Lambert azimuthal equal-area centred on 65° N 15° E, the middle of
mainland Norway, so areas compare fairly between north and south (a plain
lon/lat plot makes Finnmark look twice its size) without a GIS dependency.

Size: the outlines are simplified (:func:`decimate`, the same way in every ring
so neighbours keep one common border) and tiny islands left out, less for the
large map than for the small ones; the large map's SVG is about 0.45 MB.

Determinism: fixed ``svg.hashsalt``, no date in the metadata, rows and shapes in
code order, and path coordinates cut to tenths of a point after drawing (0.035
mm on paper, invisible at any zoom, and it keeps the SVG a quarter smaller).
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

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath

from kartlegging import classification as klass
from kartlegging import store
from kartlegging.crosswalk import harmonise_status
from kartlegging.report.charts import chart_rc
from kartlegging.report.numbers import fmt_count
from kartlegging.tables import MAP_CLASSES, MAP_STATUS

LOG = logging.getLogger(__name__)

#: The map geometry, relative to the reference folder: Kartverket's 2024 kommuner and fylker (CC BY 4.0).
KOMMUNER_GEOJSON = "kartverket/kommuner-2024-S.geojson"
FYLKER_GEOJSON = "kartverket/fylker-2024-S.geojson"

CENTRE_LON, CENTRE_LAT = 15.0, 65.0
EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class ClassStyle:
    """How one class is drawn: label, fill and hatch. Fills differ in lightness so greyscale keeps them apart."""

    label: str
    face: str
    hatch: str
    hatch_colour: str = "#111111"


CLASS_STYLES: dict[str, ClassStyle] = {
    "kommunal": ClassStyle("Kommunal tjeneste", "#23415f", ""),        # dark, about 25 % luminance
    "interkommunal": ClassStyle("Interkommunal tjeneste", "#8fb0d3", "////"),  # medium, with dark hatching
    "ingen": ClassStyle("Ingen tjeneste", "#e2e5e9", ""),             # pale grey, about 90 %
    # White with grey lines the other way: plain lines, not dots, because a dotted pattern (many small
    # circles) is slow for WeasyPrint to paint over hundreds of kommuner.
    "ukjent": ClassStyle("Ukjent", "#ffffff", "\\\\", "#6f6f6f"),
}
if tuple(CLASS_STYLES) != MAP_CLASSES:
    raise RuntimeError("CLASS_STYLES and tables.MAP_CLASSES name different classes")

#: Precedence when parts combine: the first class any part has wins.
PRECEDENCE: tuple[str, ...] = ("interkommunal", "kommunal", "ingen", "ukjent")

KOMMUNE_EDGE = "#6f7680"
COUNTY_EDGE = "#111111"


# --------------------------------------------------------------------------- classes


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
    inc = services[services["inkludert"].astype("object") == "ja"]
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


def map_status_frame(
    status: pd.DataFrame,
    services: pd.DataFrame,
    round_name: str,
    round_version: str,
    map_version: str,
    reference_dir: str | Path,
) -> pd.DataFrame:
    """One round's classes in the map's kommune structure: the ``map_status`` table.

    ``fra_kommuner`` and ``regel`` come from :func:`harmonise_status`, so they
    match the harmonised table; a kommune of the round missing from
    ``kommune_status`` counts as ``ukjent`` there too (and is logged). An empty
    kommune_status (a round not yet collected) gives every kommune ``ukjent``.
    """
    if status.empty:
        cls = klass.load(reference_dir, str(round_version))
        status = pd.DataFrame({
            "round": round_name, "kommunenummer": sorted(cls.kommuner), "har_tjeneste": "ukjent",
            "service_ids": [[] for _ in cls.kommuner], "tjenestetype": None,
        })
    status = status.assign(round=str(round_name))
    harmonised = harmonise_status([status], {str(round_name): str(round_version)}, str(map_version), reference_dir)
    part_class = kommune_classes(status, services)
    map_year = klass.version_for(reference_dir, str(map_version))
    rows = []
    for row in harmonised.itertuples(index=False):
        parts = list(row.fra_kommuner)
        cls = combine_classes([part_class.get(p, "ukjent") for p in parts])
        if (cls in ("kommunal", "interkommunal")) != (row.har_tjeneste == "ja"):
            raise ValueError(
                f"round {round_name}: kommune {row.kommunenummer} is {cls} on the map but har_tjeneste "
                f"{row.har_tjeneste} in the harmonised status; kommune_status and services disagree"
            )
        rows.append({
            "round": str(round_name), "kommunenummer": row.kommunenummer, "kommunenavn": row.kommunenavn,
            "fylkesnummer": row.fylkesnummer, "fylkesnavn": row.fylkesnavn, "status": cls,
            "fra_kommuner": parts, "regel": row.regel, "map_version": map_year,
        })
    return pd.DataFrame(rows, columns=MAP_STATUS.column_names)


def step_map_status(
    status_path: str, services_path: str, round_name: str, round_version: str, map_version: str,
    reference_dir: str, out: str,
) -> None:
    """The ``map_status`` rule: read, translate, write, and log the counts per class."""
    frame = map_status_frame(store.read_table(status_path), store.read_table(services_path), round_name,
                             round_version, map_version, reference_dir)
    store.write_table(frame, MAP_STATUS, out)
    counts = frame["status"].value_counts()
    for cls in MAP_CLASSES:
        LOG.info("map_status round %s: %d kommuner of Klass %s %s", round_name, int(counts.get(cls, 0)),
                 map_version, cls)
    split = int((frame["regel"] == "delt_del_av").sum())
    if split:
        LOG.info("map_status round %s: %d kommuner hold part of a split kommune and take its whole answer",
                 round_name, split)


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


def read_features(path: str | Path, code_key: str, name_key: str) -> list[Feature]:
    """The features of a GeoJSON FeatureCollection, in code order, with a named error for what cannot be drawn."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid GeoJSON ({exc})") from exc
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list) or not features:
        raise ValueError(f"{path}: no features (expected a GeoJSON FeatureCollection)")
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


# --------------------------------------------------------------------------- drawing


def _check_codes(layer: Layer, classes: Mapping[str, str]) -> None:
    """The classes must cover exactly the layer's kommuner: a kommune left white by accident would look 'ukjent'."""
    have, want = set(classes), set(layer.codes)
    if have != want:
        missing, extra = sorted(want - have), sorted(have - want)
        raise ValueError(
            f"map: the status has no class for {missing[:10] or '-'} and classes for kommuner not in "
            f"{Path(layer.source).name}: {extra[:10] or '-'}; map_status must be in the map's kommune structure"
        )
    bad = sorted(set(classes.values()) - set(MAP_CLASSES))
    if bad:
        raise ValueError(f"map: unknown classes {bad}; expected {MAP_CLASSES}")


def _draw(ax: Any, kommuner: Layer, fylker: Layer, classes: Mapping[str, str], scale: float) -> None:
    """One map on ``ax``: a collection per class (one path per kommune), county borders on top.

    Collections rather than a patch per kommune: one style per class is written
    once, which keeps drawing fast and the SVG small. A class's hatching is
    drawn over its fills as one compound path: WeasyPrint paints a pattern
    anew for every path that uses it, which took minutes for a map of hundreds
    of hatched kommuner, and once per class takes no time.
    """
    for cls in MAP_CLASSES:
        style = CLASS_STYLES[cls]
        shapes = [s for s in kommuner.shapes if classes[s.code] == cls]
        if not shapes:
            continue
        coll = PathCollection(
            [s.path for s in shapes], facecolors=style.face, edgecolors=KOMMUNE_EDGE, linewidths=0.2 * scale,
            zorder=1,
        )
        # The group is named after the class and each kommune's path is linked to its number, so the
        # SVG itself says which kommune is drawn how (for a reader's inspector, and for the tests).
        coll.set_gid(f"map-{cls}")
        coll.set_urls([f"#k{s.code}" for s in shapes])
        ax.add_collection(coll, autolim=False)
        if style.hatch:
            hatch = PathPatch(MplPath.make_compound_path(*(s.path for s in shapes)), facecolor="none",
                              edgecolor="none", hatchcolor=style.hatch_colour, linewidth=0, hatch=style.hatch, zorder=1.5)
            hatch.set_gid(f"map-{cls}-hatch")
            ax.add_patch(hatch)
    borders = PathCollection(
        [s.path for s in fylker.shapes], facecolors="none", edgecolors=COUNTY_EDGE,
        linewidths=0.6 * scale, zorder=2,
    )
    borders.set_gid("map-fylker")
    ax.add_collection(borders, autolim=False)
    verts = np.vstack([s.path.vertices for s in kommuner.shapes])
    (x0, y0), (x1, y1) = verts.min(axis=0), verts.max(axis=0)
    pad = 0.01 * max(x1 - x0, y1 - y0)
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)
    ax.set_aspect("equal")
    ax.set_axis_off()


def _legend_handles(counts: Mapping[str, int] | None) -> list[Patch]:
    """One patch per class drawn like the map, with the count of kommuner when given."""
    handles = []
    for cls in MAP_CLASSES:
        style = CLASS_STYLES[cls]
        label = style.label if counts is None else f"{style.label} ({fmt_count(counts.get(cls, 0))})"
        handles.append(Patch(facecolor=style.face, edgecolor=KOMMUNE_EDGE, hatch=style.hatch or None,
                             hatchcolor=style.hatch_colour, linewidth=0.6, label=label))
    return handles


_COORD = re.compile(r"(-?\d+\.\d)\d+")


def _save(fig: Figure) -> str:
    """The figure as SVG without a date, path coordinates cut to tenths of a point."""
    import io

    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    return re.sub(r'( d="[^"]*")', lambda m: _COORD.sub(r"\1", m.group(1)), svg)


def _map_rc() -> dict[str, Any]:
    """The charts' settings with thinner hatching, which reads better in small areas."""
    return {**chart_rc(), "hatch.linewidth": 0.45}


def coverage_map_svg(geometry: MapGeometry, classes: Mapping[str, str], *,
                     counts: Mapping[str, int] | None = None, width_in: float = 5.4) -> str:
    """The coverage map of one round: every kommune of the geometry in its class, a legend with counts.

    The legend sits in the lower right, where Sweden leaves the map empty.
    """
    _check_codes(geometry.kommuner, classes)
    with matplotlib.rc_context(_map_rc()):
        fig = Figure(figsize=(width_in, width_in * 1.3))
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        _draw(ax, geometry.kommuner, geometry.fylker, classes, 1.0)
        ax.legend(handles=_legend_handles(counts), loc="lower right", frameon=False, fontsize=8.5,
                  title="Kommuner", title_fontsize=9, alignment="left", handlelength=1.6, handleheight=1.1)
        return _save(fig)


def small_multiples_svg(geometry: MapGeometry, panels: Sequence[tuple[str, Mapping[str, str]]],
                        width_in: float = 6.4) -> str:
    """One small map per round, side by side (at most four in a row), and one legend below them."""
    if not panels:
        raise ValueError("small multiples need at least one round")
    n = len(panels)
    ncols = min(n, 4)
    nrows = -(-n // ncols)
    panel_w = width_in / ncols
    with matplotlib.rc_context(_map_rc()):
        fig = Figure(figsize=(width_in, nrows * panel_w * 1.3 + 0.55), layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=False)
        for i, (title, classes) in enumerate(panels):
            _check_codes(geometry.kommuner_small, classes)
            ax = axes[i // ncols][i % ncols]
            _draw(ax, geometry.kommuner_small, geometry.fylker_small, classes, 0.6)
            ax.set_title(title, fontsize=9.5)
        for j in range(n, nrows * ncols):
            axes[j // ncols][j % ncols].set_axis_off()
        fig.legend(handles=_legend_handles(None), loc="outside lower center", ncols=4, frameon=False,
                   fontsize=8, handlelength=1.4)
        return _save(fig)


__all__ = [
    "CLASS_STYLES",
    "MapGeometry",
    "class_counts",
    "combine_classes",
    "coverage_map_svg",
    "kommune_classes",
    "map_status_frame",
    "read_geometry",
    "small_multiples_svg",
    "step_map_status",
]
