"""Bar charts for the report, drawn with matplotlib as deterministic SVG.

Why SVG: it stays sharp in print and on a phone, Typst draws it as vectors, and with
stable ids and no date it is byte-stable, so two runs on the same inputs give
identical HTML and PDF. Text is stored as paths (matplotlib's default
``svg.fonttype``) so no font is needed to view it; the numbers the charts show are
also given as text next to each chart.

Thread-safe: the report and the maps are drawn in threads of Snakemake's process,
so nothing here touches matplotlib's global state. Figures are
:class:`matplotlib.figure.Figure` objects (no pyplot), and every setting a chart needs
(font sizes, spines, hatch width) is given to the artist it applies to, never through
``rcParams`` or ``rc_context``. The SVG ids matplotlib derives from a salted hash
(random unless the global ``svg.hashsalt`` is set) are renumbered afterwards
(:func:`stable_ids`).

Why these colours: two blues far apart in lightness plus a hatch on the
second series, so bars stay distinguishable in greyscale print and for readers
with colour-vision deficiencies.
"""

from __future__ import annotations

import base64
import io
import re
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from kartlegging.report.numbers import fmt_count, fmt_decimal

PALETTE: tuple[str, ...] = ("#23415f", "#9dbcdb", "#5b7fa6")
"""Dark, light, medium: distinct luminance (about 25 %, 72 %, 48 %) so greyscale keeps them apart."""

HATCHES: tuple[str, ...] = ("", "///", "..")
LABEL_WIDTH = 26
EDGE = "#111111"

#: Text sizes in points: the body of a chart (ticks, axis labels, legend) and the numbers on the bars.
FONT_SIZE = 9.5
BAR_LABEL_SIZE = 9
AXES_EDGE = "#444444"
#: Width of hatch lines on bars (the maps use thinner ones, which read better in small areas).
HATCH_WIDTH = 0.6

# An id matplotlib's SVG writer made from a salted hash: a short type prefix ("p" clip path, "m" marker,
# "h" hatch, "C0_1_" path of a collection, "image") and ten hex digits.
_HASH_ID = re.compile(r'\bid="((?:[a-z]*|C[0-9a-f]+_[0-9a-f]+_)[0-9a-f]{10})"')


def stable_ids(svg: str) -> str:
    """The SVG with its hash-derived ids renumbered in order of first appearance (``p1``, ``m2``, ...).

    matplotlib names clip paths, markers and hatch patterns by a hash salted with the
    global ``svg.hashsalt``, a random salt when it is unset. Renumbering makes them
    byte-stable without touching that global. Every chart is its own document (a
    ``data:`` URI), so ids need to be unique within one SVG only.
    """
    found = list(dict.fromkeys(_HASH_ID.findall(svg)))
    if not found:
        return svg
    new = {old: f"{re.sub(r'[0-9a-f]{10}$', '', old).rstrip('_') or 'i'}-{n}" for n, old in enumerate(found, 1)}
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, found)) + r")(?![\w-])")
    return pattern.sub(lambda m: new[m.group(1)], svg)


def save_svg(fig: Figure) -> str:
    """The figure as SVG on white, without a date, with stable ids."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None}, facecolor="white")
    return stable_ids(buffer.getvalue())


def style_axes(ax: Any) -> None:
    """The house style of a chart's axes: no top or right spine, grey edges, tick labels at ``FONT_SIZE``."""
    ax.spines[["top", "right"]].set_visible(False)
    for spine in ax.spines.values():
        spine.set_edgecolor(AXES_EDGE)
    ax.tick_params(labelsize=FONT_SIZE)


def _norwegian_ticks(value: float, _pos: int) -> str:
    """Axis tick labels with Norwegian digit grouping (``1 000``)."""
    return fmt_decimal(value, 0)


def grouped_barh_svg(
    categories: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    value_label: str,
    category_label: str,
) -> str:
    """Horizontal (grouped) bars with the count written at the end of each bar.

    Horizontal because the category labels are phrases ("Tilbyr kurs i
    helsepedagogikk") that would have to be rotated on a vertical chart, and
    because a narrow phone screen has more height than width. Categories run
    top to bottom in the order given.
    """
    if not categories:
        raise ValueError("a chart needs at least one category")
    names = list(series)
    if not names:
        raise ValueError("a chart needs at least one series")
    for name in names:
        if len(series[name]) != len(categories):
            raise ValueError(f"series {name!r} has {len(series[name])} values for {len(categories)} categories")

    n_series = len(names)
    bar_height = 0.8 / n_series
    height_in = 0.9 + 0.32 * len(categories) * max(n_series, 1.5) + (0.3 if n_series > 1 else 0)
    fig = Figure(figsize=(6.4, height_in), layout="constrained")
    ax = fig.add_subplot()
    style_axes(ax)
    top = 0.0
    for i, name in enumerate(names):
        positions = [k - 0.4 + bar_height * (i + 0.5) for k in range(len(categories))]
        values = [float(v) for v in series[name]]
        bars = ax.barh(
            positions, values, height=bar_height * 0.92,
            color=PALETTE[i % len(PALETTE)], edgecolor=EDGE, linewidth=0.6,
            hatch=HATCHES[i % len(HATCHES)], hatchcolor=EDGE, label=name,
        )
        for bar in bars:
            bar.set_hatch_linewidth(HATCH_WIDTH)
        ax.bar_label(bars, labels=[fmt_count(v) for v in values], padding=3, fontsize=BAR_LABEL_SIZE)
        top = max([top, *values])
    # Long labels wrap onto lines of at most LABEL_WIDTH characters so the bars keep their room.
    ax.set_yticks(range(len(categories)), labels=[textwrap.fill(c, LABEL_WIDTH) for c in categories])
    ax.invert_yaxis()
    ax.set_xlabel(value_label, fontsize=FONT_SIZE)
    ax.set_ylabel(category_label, fontsize=FONT_SIZE)
    # Room for the count labels at the end of the longest bar.
    ax.set_xlim(0, max(top * 1.15, 1.0))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(_norwegian_ticks))
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    if n_series > 1:
        legend = fig.legend(loc="outside upper center", ncols=n_series, frameon=False, fontsize=FONT_SIZE)
        for handle in legend.legend_handles:  # copies of the bars, with the global default hatch width
            handle.set_hatch_linewidth(HATCH_WIDTH)
    return save_svg(fig)


def columns_svg(
    categories: Sequence[str],
    values: Sequence[float],
    *,
    value_label: str,
    category_label: str,
) -> str:
    """Vertical columns with the count on top of each: for a series over years, read left to right.

    One series only, in the dark palette colour, so it needs no legend and
    stays clear in greyscale.
    """
    if not categories:
        raise ValueError("a chart needs at least one category")
    if len(values) != len(categories):
        raise ValueError(f"{len(values)} values for {len(categories)} categories")
    numbers = [float(v) for v in values]
    fig = Figure(figsize=(6.4, 3.2), layout="constrained")
    ax = fig.add_subplot()
    style_axes(ax)
    bars = ax.bar(range(len(categories)), numbers, width=0.65, color=PALETTE[0], edgecolor=EDGE, linewidth=0.6)
    ax.bar_label(bars, labels=[fmt_count(v) for v in numbers], padding=2, fontsize=BAR_LABEL_SIZE)
    ax.set_xticks(range(len(categories)), labels=list(categories))
    ax.set_xlabel(category_label, fontsize=FONT_SIZE)
    ax.set_ylabel(value_label, fontsize=FONT_SIZE)
    ax.set_ylim(0, max(max(numbers, default=0.0) * 1.15, 1.0))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(FuncFormatter(_norwegian_ticks))
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    return save_svg(fig)


def svg_data_uri(svg: str) -> str:
    """The SVG as a ``data:`` URI, so the HTML stays one self-contained file.

    An ``<img>`` with a data URI, rather than inline ``<svg>``, keeps each
    chart's internal ids (glyphs, clip paths) from clashing with the others'.
    """
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
