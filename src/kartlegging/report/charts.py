"""Bar charts for the report, drawn with matplotlib as deterministic SVG.

Why SVG: it stays sharp in print and on a phone, WeasyPrint draws it as
vectors, and with a fixed hash salt and no date it is byte-stable, so two runs
on the same inputs give identical HTML and PDF. Text is stored as paths
(``svg.fonttype = 'path'``) so no font is needed to view it; the numbers the
charts show are also given as text next to each chart.

Why these colours: two blues far apart in lightness plus a hatch on the
second series, so bars stay distinguishable in greyscale print and for readers
with colour-vision deficiencies.
"""

from __future__ import annotations

import base64
import io
import textwrap
from collections.abc import Mapping, Sequence

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from kartlegging.report.numbers import fmt_count, fmt_decimal

# One salt for every SVG id, so ids do not depend on a random seed.
HASH_SALT = "kartlegging"

PALETTE: tuple[str, ...] = ("#23415f", "#9dbcdb", "#5b7fa6")
"""Dark, light, medium: distinct luminance (about 25 %, 72 %, 48 %) so greyscale keeps them apart."""

HATCHES: tuple[str, ...] = ("", "///", "..")
LABEL_WIDTH = 26
EDGE = "#111111"

_RC = {
    "svg.hashsalt": HASH_SALT,
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 9.5,
    "axes.titlesize": 10,
    "axes.labelsize": 9.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#444444",
    "hatch.color": EDGE,
    "hatch.linewidth": 0.6,
    "savefig.facecolor": "white",
    "path.simplify": False,
}


def chart_rc() -> dict[str, object]:
    """The matplotlib settings every report figure is drawn with (a copy, safe to extend)."""
    return dict(_RC)


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
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(6.4, height_in), layout="constrained")
        ax = fig.add_subplot()
        top = 0.0
        for i, name in enumerate(names):
            positions = [k - 0.4 + bar_height * (i + 0.5) for k in range(len(categories))]
            values = [float(v) for v in series[name]]
            bars = ax.barh(
                positions, values, height=bar_height * 0.92,
                color=PALETTE[i % len(PALETTE)], edgecolor=EDGE, linewidth=0.6,
                hatch=HATCHES[i % len(HATCHES)], label=name,
            )
            ax.bar_label(bars, labels=[fmt_count(v) for v in values], padding=3, fontsize=9)
            top = max([top, *values])
        # Long labels wrap onto lines of at most LABEL_WIDTH characters so the bars keep their room.
        ax.set_yticks(range(len(categories)), labels=[textwrap.fill(c, LABEL_WIDTH) for c in categories])
        ax.invert_yaxis()
        ax.set_xlabel(value_label)
        ax.set_ylabel(category_label)
        # Room for the count labels at the end of the longest bar.
        ax.set_xlim(0, max(top * 1.15, 1.0))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.xaxis.set_major_formatter(FuncFormatter(_norwegian_ticks))
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        if n_series > 1:
            fig.legend(loc="outside upper center", ncols=n_series, frameon=False)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


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
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(6.4, 3.2), layout="constrained")
        ax = fig.add_subplot()
        bars = ax.bar(range(len(categories)), numbers, width=0.65, color=PALETTE[0], edgecolor=EDGE, linewidth=0.6)
        ax.bar_label(bars, labels=[fmt_count(v) for v in numbers], padding=2, fontsize=9)
        ax.set_xticks(range(len(categories)), labels=list(categories))
        ax.set_xlabel(category_label)
        ax.set_ylabel(value_label)
        ax.set_ylim(0, max(max(numbers, default=0.0) * 1.15, 1.0))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(FuncFormatter(_norwegian_ticks))
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def svg_data_uri(svg: str) -> str:
    """The SVG as a ``data:`` URI, so the HTML stays one self-contained file.

    An ``<img>`` with a data URI, rather than inline ``<svg>``, keeps each
    chart's internal ids (glyphs, clip paths) from clashing with the others'.
    """
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
