"""What the series tables share: one row of a series, and the labels of the organisation codes (T06).

Apart from :mod:`kartlegging.analysis.figure_series` so that the comparison between rounds
(:mod:`kartlegging.analysis.comparison`) builds its rows without importing the figures of a round: a
change to the figures module then reruns the figures rule, not the comparison.
"""

from __future__ import annotations

from dataclasses import dataclass

#: How the report prints the organisation codes of a service (T06).
ORG_LABELS = {
    "frisklivssentral": "Frisklivssentral",
    "friskliv_og_mestring": "Frisklivs- og mestringssenter",
    "eget_senter": "Eget senter",
    "avdeling": "Avdeling",
    "koordinator": "Koordinator",
    "annet": "Annet",
}


@dataclass(frozen=True)
class Row:
    """One value of a series."""

    category: str
    label: str
    measure: str
    value: float | None
    denominator: float | None = None
    unit: str = "antall"
    text: str | None = None
