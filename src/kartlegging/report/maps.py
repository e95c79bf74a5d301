"""Coverage maps: Norway's kommuner coloured by whether they have a service, drawn as deterministic SVG.

Three parts (the geometry itself, reading and simplifying, lives in
:mod:`kartlegging.report.map_geometry`):

* :func:`own_map_figure` (the ``round_map`` rule) draws a round in its own
  kommune structure, on the geometry of its Klass version or the nearest one,
  translating through the crosswalk only the kommuner that differ
  (:func:`own_structure`); its legend counts the round's own kommuner, and an
  inset shows the Oslo area;
* :func:`map_status_frame` (the ``map_status`` rule) puts one round's
  ``kommune_status`` into the kommune structure of the map geometry
  (Kartverket's 2024 kommuner) through :func:`kartlegging.analysis.harmonise.harmonise_status`
  on the ``crosswalk`` table, so the map agrees with the harmonised table by construction (the
  same rule: a map kommune takes the statuses of the round's kommuner that gave it land), and adds the kind
  of service the kommune is drawn with; the maps comparing rounds use it;
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
* A round kommune later split (2015's 0720 Stokke) passes its class to every part that got some of
  its land; a kommune that got none of it (2024's 1580 Haram, none of 2015's Ålesund) gets nothing.

Projection: Lambert azimuthal equal-area centred on 65° N 15° E, the middle of
mainland Norway, so areas compare fairly between north and south (a plain
lon/lat plot makes Finnmark look twice its size) without a GIS dependency.

Size: the outlines are simplified as a coverage
(:func:`kartlegging.report.map_geometry.simplify_coverage`: neighbours keep one common
border) and tiny islands left out, less for the large map than for the small ones; the
large map's SVG is about 0.45 MB.

Determinism: stable SVG ids (:func:`kartlegging.report.charts.stable_ids`), no date in
the metadata, rows and shapes in code order, and path coordinates cut to tenths of a
point after drawing (0.035 mm on paper, invisible at any zoom, and it keeps the SVG a
quarter smaller). Thread-safe like the charts: a :class:`~matplotlib.figure.Figure`
per map and every setting given to its artist, never through ``rcParams``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath

from kartlegging.analysis.coverage import (  # noqa: F401 (re-exported)
    PRECEDENCE,
    class_counts,
    combine_classes,
    kommune_classes,
)
from kartlegging.analysis.crosswalk import pair_of
from kartlegging.analysis.harmonise import harmonise_status
from kartlegging.core.classification import FYLKER
from kartlegging.core.tables import MAP_CLASSES, MAP_STATUS
from kartlegging.report.charts import FONT_SIZE, save_svg, style_axes
from kartlegging.report.map_geometry import (  # noqa: F401 (re-exported: the public names of the map)
    DETAIL_KM2,
    SMALL_DETAIL_KM2,
    SMALL_SPECK_KM2,
    SPECK_KM2,
    Feature,
    Layer,
    MapGeometry,
    Shape,
    polygon_path,
    project,
    read_features,
    read_geometry,
)
from kartlegging.report.numbers import fmt_count

LOG = logging.getLogger(__name__)

#: The map geometry, relative to the reference folder: Kartverket's 2024 kommuner and fylker (CC BY 4.0).
KOMMUNER_GEOJSON = "kartverket/kommuner-2024-S.geojson"
FYLKER_GEOJSON = "kartverket/fylker-2024-S.geojson"



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

KOMMUNE_EDGE = "#6f7680"
COUNTY_EDGE = "#111111"


# --------------------------------------------------------------------------- classes


def map_status_frame(
    status: pd.DataFrame,
    services: pd.DataFrame,
    round_name: str,
    round_version: str,
    map_version: str,
    crosswalk: pd.DataFrame,
) -> pd.DataFrame:
    """One round's classes in the map's kommune structure: the ``map_status`` table.

    ``round_version`` and ``map_version`` are Klass version years; ``crosswalk``
    is the crosswalk table. ``fra_kommuner`` and ``regel`` come from
    :func:`harmonise_status`, so they match the harmonised table; a kommune of
    the round missing from ``kommune_status`` counts as ``ukjent`` there too
    (and is logged). An empty kommune_status (a round not yet collected) gives
    every kommune ``ukjent``.
    """
    if status.empty:
        codes = sorted(set(pair_of(crosswalk, str(round_version), str(map_version))["from_code"].astype(str)))
        status = pd.DataFrame({
            "round": round_name, "kommunenummer": codes, "har_tjeneste": "ukjent",
            "service_ids": [[] for _ in codes], "tjenestetype": None,
        })
    status = status.assign(round=str(round_name))
    harmonised = harmonise_status([status], {str(round_name): str(round_version)}, str(map_version), crosswalk)
    part_class = kommune_classes(status, services)
    map_year = str(map_version)
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



# --------------------------------------------------------------------------- the round's own structure


@dataclass(frozen=True)
class OwnStructure:
    """A round's kommuner on the polygons of one geometry file (the round's Klass version or the nearest).

    ``polygons``: geometry code -> the round's kommuner it stands for (one,
    unless the structures differ there); ``classes``: geometry code -> class;
    ``grouped``: sets of round kommuner drawn as one area, with the geometry
    code; ``missing``: round kommuner with no polygon at all.
    """

    polygons: dict[str, list[str]]
    classes: dict[str, str]
    grouped: list[tuple[str, list[str]]]
    missing: list[str]


def own_structure(status: pd.DataFrame, services: pd.DataFrame, round_name: str, round_version: str,
                  geometry_version: str, geometry_codes: Sequence[str], crosswalk: pd.DataFrame) -> OwnStructure:
    """Place each kommune of the round on the geometry's polygons, translating only those that differ.

    A round kommune whose code is a polygon of the geometry and exists in the
    geometry's Klass version under the same code is drawn on its own. The
    others go through the crosswalk table (:func:`harmonise_status`, round
    version to geometry version): a polygon that several round kommuner became
    is drawn in their combined class (:func:`combine_classes`) and named in the
    caption; a round kommune whose polygon the file lacks is not drawn and named too.
    """
    part_class = kommune_classes(status, services)
    codes = set(geometry_codes)
    status = status.assign(round=str(round_name))
    harmonised = harmonise_status([status], {str(round_name): str(round_version)}, str(geometry_version),
                                  crosswalk)
    target_codes = set(harmonised["kommunenummer"].astype(str))
    round_codes = sorted(part_class)
    polygons: dict[str, list[str]] = {}
    for code in round_codes:
        if code in codes and code in target_codes:
            polygons[code] = [code]
    placed = {c for parts in polygons.values() for c in parts}
    for row in harmonised.itertuples(index=False):
        target = str(row.kommunenummer)
        parts = sorted(str(p) for p in row.fra_kommuner if str(p) not in placed or str(p) == target)
        if target in polygons or target not in codes or not parts:
            continue
        polygons[target] = parts
    drawn = {c for parts in polygons.values() for c in parts}
    classes = {g: combine_classes([part_class.get(p, "ukjent") for p in parts]) for g, parts in polygons.items()}
    # polygons of the file no round kommune reaches (none for a file in the round's own version)
    for code in codes - set(polygons):
        classes[code] = "ukjent"
        polygons[code] = []
    grouped = sorted((g, parts) for g, parts in polygons.items() if len(parts) > 1)
    missing = sorted(set(round_codes) - drawn)
    return OwnStructure(dict(sorted(polygons.items())), dict(sorted(classes.items())), grouped, missing)


def _names(codes: Sequence[str], names: Mapping[str, str]) -> str:
    """'Sandefjord, Andebu og Stokke'."""
    named = [names.get(c, c) for c in codes]
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " og " + named[-1]


def own_map_figure(status: pd.DataFrame, services: pd.DataFrame, round_name: str, round_version: str,
                   geometry_path: str | Path, geometry_version: str, crosswalk: pd.DataFrame) -> dict[str, Any]:
    """The round's coverage map in its own kommune structure, as a JSON-ready dict.

    ``round_version`` is the round's Klass version year, ``geometry_version`` the
    Klass version the geometry file draws (the 2021 file draws version 2020) and
    ``crosswalk`` the crosswalk table (the round's kommuner and their names are
    its rows from the round's version). Keys: ``svg``, ``alt``, ``caption``
    (bokmål), ``counts`` (the round's own counts per class, which the legend
    shows), ``classes`` (class -> the round's kommuner drawn in it), ``polygons``
    (geometry code -> round kommuner), ``version`` (the round's Klass version)
    and ``geometry`` (the geometry file's year).
    """
    from kartlegging.report.map_geometry import read_own_geometry

    version = str(round_version)
    geometry = read_own_geometry(geometry_path, FYLKER)
    own = own_structure(status, services, round_name, version, str(geometry_version), geometry.kommuner.codes,
                        crosswalk)
    own_rows = pair_of(crosswalk, version, version)
    round_klass_names = dict(zip(own_rows["from_code"].astype(str), own_rows["from_name"].astype(str)))
    round_classes = kommune_classes(status, services)
    counts = class_counts(round_classes)
    svg = coverage_map_svg(geometry, own.classes, counts=counts, inset=True)
    names = {**{k: v for k, v in geometry.kommuner.names().items()}, **round_klass_names}
    n = len(round_classes)
    caption = [f"Rundens egen kommuneinndeling (SSB Klass 131, versjon {version}, "
               f"{fmt_count(n)} kommuner), farget etter om kommunen har en lærings- og mestringstjeneste. "
               "Tallene i tegnforklaringen er kommuner i denne inndelingen, og svarte linjer er fylkesgrenser."]
    if geometry.version != version:
        caption.append(f"Kartet er tegnet med Kartverkets kommunegrenser fra {geometry.version}, den nærmeste "
                       "inndelingen det finnes kart for; kommuner som er like i de to inndelingene, er tegnet "
                       "hver for seg.")
    for target, parts in own.grouped:
        caption.append(f"{_names(parts, names)} er tegnet som ett område ({names.get(target, target)} i "
                       f"inndelingen fra {geometry.version}), farget etter den sterkeste statusen blant dem.")
    if own.missing:
        caption.append(f"{_names(own.missing, names)} mangler i kartgrunnlaget og er ikke tegnet; "
                       "de er med i tallene.")
    caption.append("Innfelt: Oslo-området forstørret. Kartgrunnlag: Kartverket.")
    alt = (f"Kart over Norges {fmt_count(n)} kommuner i runde {round_name} (inndelingen fra {version}): "
           f"{fmt_count(counts['kommunal'])} kommuner med kommunal tjeneste, {fmt_count(counts['interkommunal'])} "
           f"med interkommunal tjeneste, {fmt_count(counts['ingen'])} uten tjeneste og {fmt_count(counts['ukjent'])} "
           "med ukjent status. Fylkesgrensene er tegnet med svarte linjer; Oslo-området er vist forstørret.")
    return {
        "svg": svg, "alt": alt, "caption": " ".join(caption), "counts": counts,
        "classes": {cls: sorted(c for c, v in round_classes.items() if v == cls) for cls in MAP_CLASSES},
        "polygons": own.polygons, "grouped": [[t, p] for t, p in own.grouped], "missing": own.missing,
        "version": version, "geometry": geometry.version,
    }



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


def _draw(ax: Any, kommuner: Layer, fylker: Layer, classes: Mapping[str, str], scale: float,
          bbox: tuple[float, float, float, float] | None = None) -> None:
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
                              edgecolor="none", hatchcolor=style.hatch_colour, linewidth=0, hatch=style.hatch,
                              zorder=1.5)
            hatch.set_hatch_linewidth(MAP_HATCH_WIDTH)
            hatch.set_gid(f"map-{cls}-hatch")
            ax.add_patch(hatch)
    borders = PathCollection(
        [s.path for s in fylker.shapes], facecolors="none", edgecolors=COUNTY_EDGE,
        linewidths=0.6 * scale, zorder=2,
    )
    borders.set_gid("map-fylker")
    ax.add_collection(borders, autolim=False)
    if bbox is None:
        verts = np.vstack([s.path.vertices for s in kommuner.shapes])
        (x0, y0), (x1, y1) = verts.min(axis=0), verts.max(axis=0)
    else:
        x0, y0, x1, y1 = bbox
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


def _thin_hatching(legend: Any) -> None:
    """A legend draws copies of its handles, which take the hatch width from the global default: set it."""
    for handle in legend.legend_handles:
        handle.set_hatch_linewidth(MAP_HATCH_WIDTH)


_COORD = re.compile(r"(-?\d+\.\d)\d+")


def _save(fig: Figure) -> str:
    """The figure as SVG without a date and with stable ids, path coordinates cut to tenths of a point."""
    return re.sub(r'( d="[^"]*")', lambda m: _COORD.sub(r"\1", m.group(1)), save_svg(fig))


#: Hatch lines on the maps are thinner than on the charts: they read better in small areas.
MAP_HATCH_WIDTH = 0.45


#: The kommune the inset centres on (Oslo) and how far around it the inset reaches (km).
INSET_CENTRE, INSET_REACH_KM = "0301", 38.0


def _inset_bbox(layer: Layer) -> tuple[float, float, float, float] | None:
    """A square around Oslo for the inset, or None when the layer has no Oslo."""
    oslo = [s for s in layer.shapes if s.code == INSET_CENTRE]
    if not oslo:
        return None
    (x0, y0), (x1, y1) = oslo[0].path.vertices.min(axis=0), oslo[0].path.vertices.max(axis=0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return cx - INSET_REACH_KM, cy - INSET_REACH_KM, cx + INSET_REACH_KM, cy + INSET_REACH_KM


def coverage_map_svg(geometry: MapGeometry, classes: Mapping[str, str], *,
                     counts: Mapping[str, int] | None = None, width_in: float = 5.4, inset: bool = False) -> str:
    """The coverage map of one round: every kommune of the geometry in its class, a legend with counts.

    The legend sits in the lower right, where Sweden leaves the map empty;
    with ``inset`` the Oslo area is drawn enlarged in the upper left (the sea),
    so Oslo and its small neighbours can be seen.
    """
    _check_codes(geometry.kommuner, classes)
    fig = Figure(figsize=(width_in, width_in * 1.3))
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    _draw(ax, geometry.kommuner, geometry.fylker, classes, 1.0)
    bbox = _inset_bbox(geometry.kommuner) if inset else None
    if bbox is not None:
        sub = ax.inset_axes((0.01, 0.62, 0.36, 0.36))
        _draw(sub, geometry.kommuner, geometry.fylker, classes, 1.6, bbox=bbox)
        sub.set_title("Oslo-området", fontsize=8.5, loc="left")
        sub.set_axis_on()
        sub.set_xticks([])
        sub.set_yticks([])
        style_axes(sub)  # the charts' frame: left and bottom edges, in grey
        for spine in sub.spines.values():
            spine.set_linewidth(0.6)
        ax.indicate_inset((bbox[0], bbox[1], bbox[2] - bbox[0], bbox[3] - bbox[1]), sub, edgecolor="#111111",
                          linewidth=0.6)
    _thin_hatching(ax.legend(handles=_legend_handles(counts), loc="lower right", frameon=False, fontsize=8.5,
                             title="Kommuner", title_fontsize=9, alignment="left", handlelength=1.6,
                             handleheight=1.1))
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
    fig = Figure(figsize=(width_in, nrows * panel_w * 1.3 + 0.55), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for i, (title, classes) in enumerate(panels):
        _check_codes(geometry.kommuner_small, classes)
        ax = axes[i // ncols][i % ncols]
        _draw(ax, geometry.kommuner_small, geometry.fylker_small, classes, 0.6)
        ax.set_title(title, fontsize=FONT_SIZE)
    for j in range(n, nrows * ncols):
        axes[j // ncols][j % ncols].set_axis_off()
    _thin_hatching(fig.legend(handles=_legend_handles(None), loc="outside lower center", ncols=4, frameon=False,
                              fontsize=8, handlelength=1.4))
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
    "own_map_figure",
    "own_structure",
]
