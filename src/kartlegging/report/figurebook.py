"""Figures of figures.parquet as the report shows them: tagged spans, with a footnote where the
source printed something else.

Each rendered figure carries ``data-figure-id`` and ``data-value`` so a test (or a reader with
the browser's inspector) can check every number in the text against the table it came from.
Where the reconciliation says the published value differs (``trykkfeil i kilden``, ``avviker``,
``innenfor toleranse``), the first mention in the body gets a numbered footnote saying what the
source printed; later mentions point to the same note. Appendix A shows the plain value
(:meth:`FigureBook.plain`): the comparison is its subject.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from markupsafe import Markup

from kartlegging.report import katalog
from kartlegging.report.numbers import MISSING, canonical_value, fmt_figure, fmt_share, is_missing

#: Reconciliation statuses under which the published value differs from the one shown.
DIFFERS = ("trykkfeil i kilden", "avviker", "innenfor toleranse")


@dataclass(frozen=True)
class FigureValue:
    """One figure as the report shows it."""

    figure_id: str
    unit: str
    value: float | None
    text: str | None
    numerator: float | None
    denominator: float | None

    @property
    def formatted(self) -> str:
        """Norwegian display form (``18 %``, ``1,05``, ``16 000``)."""
        return fmt_figure(self.value, self.unit, self.text)

    @property
    def canonical(self) -> str:
        """Machine-readable form for the ``data-value`` attribute."""
        return canonical_value(self.value, self.unit, self.text)


@dataclass(frozen=True)
class Footnote:
    """A note under the body: what the source printed for a figure the body shows."""

    number: int
    figure_id: str
    text: str


def _none(value: Any) -> Any:
    """NaN/NA to None, so templates and formatters see one kind of 'absent'."""
    return None if is_missing(value) else value


class FigureBook:
    """Lookup of figures.parquet by id, rendering each figure as a tagged span."""

    def __init__(self, figures: pd.DataFrame, reconciliation: pd.DataFrame | None = None,
                 sources: Mapping[str, str] | None = None) -> None:
        """``sources``: the short name of each source code of the round's register (for the footnotes)."""
        self._sources = dict(sources or {})
        self._by_id: dict[str, FigureValue] = {}
        for row in figures.sort_values("figure_id").itertuples(index=False):
            fid = str(row.figure_id)
            if fid in self._by_id:
                raise ValueError(f"figures.parquet has figure {fid!r} twice")
            self._by_id[fid] = FigureValue(
                figure_id=fid, unit=str(row.unit), value=_none(row.value), text=_none(row.text),
                numerator=_none(row.numerator), denominator=_none(row.denominator),
            )
        self._differs: dict[str, tuple[str, str, str]] = {}
        if reconciliation is not None:
            for r in reconciliation.itertuples(index=False):
                if str(r.status) in DIFFERS:
                    self._differs[str(r.figure_id)] = (str(r.status), str(r.published),
                                                       "" if is_missing(r.source) else str(r.source))
        self._notes: dict[str, Footnote] = {}

    @property
    def ids(self) -> list[str]:
        """Ids present, sorted."""
        return sorted(self._by_id)

    def has(self, figure_id: str) -> bool:
        """True when the figure was computed and has a value."""
        fig = self._by_id.get(figure_id)
        return fig is not None and fig.formatted != MISSING

    def get(self, figure_id: str) -> FigureValue | None:
        """The figure, or None when figures.parquet lacks it."""
        return self._by_id.get(figure_id)

    def value(self, figure_id: str) -> float | None:
        """The numeric value, or None."""
        fig = self._by_id.get(figure_id)
        return None if fig is None else fig.value

    def truth(self, figure_id: str) -> float | None:
        """What a condition reads of a figure: its number (a finding 1 or 0), 1 for a text that is there,
        None when the figure was not computed."""
        fig = self._by_id.get(figure_id)
        if fig is None:
            return None
        if fig.unit == "tekst":
            return None if fig.text is None else 1.0
        return fig.value

    def plain(self, figure_id: str) -> Markup:
        """The figure as ``<span data-figure-id=... data-value=...>formatted</span>``, no footnote.

        An absent figure reads 'ikke beregnet' and is tagged ``data-missing-figure-id``,
        so it is visible but never mistaken for a value.
        """
        fig = self._by_id.get(figure_id)
        if fig is None:
            return Markup('<span class="fig missing" data-missing-figure-id="{}">{}</span>').format(
                figure_id, MISSING
            )
        css_class = "fig fig-text" if fig.unit == "tekst" else "fig"
        return Markup('<span class="{}" data-figure-id="{}" data-value="{}">{}</span>').format(
            css_class, fig.figure_id, fig.canonical, fig.formatted
        )

    def _footnote(self, figure_id: str) -> Footnote:
        note = self._notes.get(figure_id)
        if note is None:
            status, published, source = self._differs[figure_id]
            shown = self._by_id[figure_id].formatted
            where = self._sources.get(source, source) if source else "Kilden"
            printed = katalog.fmt_published(published)
            if status == "trykkfeil i kilden":
                text = f"{where} trykket {printed}, som er en trykkfeil; dataene gir {shown}. Se vedlegg A."
            elif status == "innenfor toleranse":
                text = (f"{where} oppga {printed}; dataene gir {shown}, innenfor det kilden selv sier er omtrentlig. "
                        "Se vedlegg A.")
            else:
                text = f"{where} oppga {printed}; dataene gir {shown}. Forskjellen er ikke forklart. Se vedlegg A."
            note = Footnote(len(self._notes) + 1, figure_id, text)
            self._notes[figure_id] = note
        return note

    def span(self, figure_id: str) -> Markup:
        """The figure as a tagged span, with a footnote marker when the source printed something else."""
        shown = self.plain(figure_id)
        if figure_id not in self._differs or figure_id not in self._by_id:
            return shown
        note = self._footnote(figure_id)
        marker = Markup('<a class="fn-ref" href="#fotnote-{0}" aria-label="fotnote {0}"><sup>{0}</sup></a>')
        return shown + marker.format(note.number)

    @property
    def footnotes(self) -> list[Footnote]:
        """The footnotes made so far, in number order (call after the body is rendered)."""
        return sorted(self._notes.values(), key=lambda n: n.number)

    def share(self, numerator_id: str, denominator_id: str) -> str:
        """A share derived from two figures (not itself in the register)."""
        return fmt_share(self.value(numerator_id), self.value(denominator_id))
