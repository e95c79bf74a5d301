"""Lookup of ``figure_series`` rows for the report: the charts' values and the tables of counts.

The figures step writes every breakdown the report shows (:mod:`kartlegging.analysis.figure_series`);
this module only looks rows up and hands them to the template in display order. Nothing is
counted here: a value the table lacks reads ``ikke beregnet``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kartlegging.report.numbers import is_missing


@dataclass
class Category:
    """One category of a series with its value per measure (and denominators, texts)."""

    code: str
    label: str
    values: dict[str, float | None] = field(default_factory=dict)
    denominators: dict[str, float | None] = field(default_factory=dict)
    texts: dict[str, str | None] = field(default_factory=dict)

    def get(self, measure: str) -> float | None:
        """The value of one measure, None when absent."""
        return self.values.get(measure)


class SeriesBook:
    """Rows of figure_series by series id, in the order the figures step gave them (``nr``)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self._series: dict[str, dict[str, Category]] = {}
        ordered = frame.sort_values(["series_id", "nr", "measure"], kind="stable")
        for row in ordered.itertuples(index=False):
            cats = self._series.setdefault(str(row.series_id), {})
            cat = cats.setdefault(str(row.category), Category(str(row.category), str(row.label)))
            measure = str(row.measure)
            if measure in cat.values:
                raise ValueError(f"figure_series has {row.series_id}/{row.category}/{measure} twice")
            cat.values[measure] = None if is_missing(row.value) else float(row.value)
            cat.denominators[measure] = None if is_missing(row.denominator) else float(row.denominator)
            cat.texts[measure] = None if is_missing(row.text) else str(row.text)

    def has(self, series_id: str) -> bool:
        """Whether the figures step wrote this series."""
        return series_id in self._series

    def categories(self, series_id: str) -> list[Category]:
        """The categories of a series in display order; [] for a series not written."""
        return list(self._series.get(series_id, {}).values())

    def value(self, series_id: str, category: str, measure: str = "antall") -> float | None:
        """One value, or None."""
        cat = self._series.get(series_id, {}).get(category)
        return None if cat is None else cat.get(measure)

    def text(self, series_id: str, category: str, measure: str) -> str | None:
        """One text value (an ISO date), or None."""
        cat = self._series.get(series_id, {}).get(category)
        return None if cat is None else cat.texts.get(measure)

    def mapping(self, series_id: str, measure: str = "antall") -> dict[str, float | None]:
        """Category code -> value of one measure."""
        return {c.code: c.get(measure) for c in self.categories(series_id)}

    def pairs(self, series_id: str, measure: str) -> list[tuple[str, float | None]]:
        """(label, value) of one measure, in order: the rows of an answer table."""
        return [(c.label, c.get(measure)) for c in self.categories(series_id)]

    def chart_data(self, series_id: str, legends: dict[str, str]) -> tuple[list[str], dict[str, list[float]]]:
        """Category labels and, per legend name, the values of its measure: what a chart draws."""
        cats = self.categories(series_id)
        series = {name: [float(c.get(m) or 0.0) for c in cats] for m, name in legends.items()}
        return [c.label for c in cats], series

    def as_records(self, series_id: str) -> list[dict[str, Any]]:
        """Every category as a dict: code, label and each measure (for tables with several columns)."""
        out = []
        for c in self.categories(series_id):
            out.append({"code": c.code, "label": c.label, **c.values,
                        **{f"{m}_denominator": d for m, d in c.denominators.items()}})
        return out
