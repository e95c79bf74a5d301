"""The register's ``kostra_*`` figures, computed from the ``kostra`` table, and their reconciliation status.

Units are kommuner in the structure of each year with Oslo once (the register's
rule): sums and counts run over ``region_level == kommune`` rows, so aggregate
rows, unknown codes and Oslo's bydeler never add to them. Oslo's own row is
used when it holds a number, else Oslo is derived from its bydeler
(:func:`kartlegging.ingest.kostra.reader.kommune_values`). The one exception is
``kostra_2018_fls_kommuner_og_bydeler``, whose definition counts Oslo's bydeler
instead of Oslo.

Shares are of the kommuner with a number in the variable concerned: a
kommune with ``..`` or ``:`` is neither a yes nor a no, and counting it as a no
would bend the share towards whatever the symbols hide.

``kostra_deltakere_2019_mot_2013`` is published as "doblet"; the reconciliation
(:func:`kartlegging.analysis.figures.status_for`) reads such ratio words against the
register's range tolerance (``1.8–2.2x``).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from kartlegging.analysis.figures import Figure
from kartlegging.analysis.kostra_values import dedupe, kommune_values
from kartlegging.core.register import Register
from kartlegging.ingest.kostra.parse import OSLO

FLS = "Frisklivssentral"


def _fls(k: pd.DataFrame, year: int, wanted: float) -> set[str]:
    """Kommuner of ``year`` whose Frisklivssentral is ``wanted`` (1 or 0)."""
    v = kommune_values(k, year, FLS)
    return set(v.loc[v["value"] == wanted, "region_code"])


def _count(fid: str, n: int | None) -> Figure:
    """A count; None when the year has no data, so the reconciliation says ikke beregnet rather than 0."""
    return Figure(fid, None if n is None else float(n), "antall")


def _share(fid: str, num: int, den: int) -> Figure:
    """A percentage with its numerator and denominator kept, so a reader can check the base."""
    return Figure(fid, 100.0 * num / den if den else None, "prosent", float(num), float(den))


def _has_year(k: pd.DataFrame, year: int, variable: str) -> bool:
    """Whether any region has a number for the variable that year: no extract must not read as zero."""
    return (
        bool(((k["year"] == year) & (k["variable"] == variable) & k["value"].notna()).any())
        if not k.empty else False
    )


def _sum(fid: str, variable: str, year: int) -> Callable[[pd.DataFrame], Figure]:
    """Sum of a count over the kommuner of the year; null when the year has no number at all."""
    def fig(k: pd.DataFrame) -> Figure:
        """The sum, or None without data."""
        if not _has_year(k, year, variable):
            return _count(fid, None)
        return Figure(fid, float(kommune_values(k, year, variable)["value"].sum()), "antall")
    return fig


def _flag_share_among(fid: str, variable: str, year: int, fls: float) -> Callable[[pd.DataFrame], Figure]:
    """Share with ``variable`` = 1 among the kommuner with Frisklivssentral = ``fls`` and a number in ``variable``."""
    def fig(k: pd.DataFrame) -> Figure:
        """The share, or None without data."""
        if not _has_year(k, year, variable):
            return Figure(fid, None, "prosent")
        among = _fls(k, year, fls)
        v = kommune_values(k, year, variable)
        v = v[v["region_code"].isin(among) & v["value"].notna()]
        return _share(fid, int((v["value"] == 1).sum()), len(v))
    return fig


def _fls_kommuner_og_bydeler_2018(k: pd.DataFrame) -> Figure:
    """Kommuner other than Oslo with a centre, plus Oslo's bydeler with one (the definition's units)."""
    fid = "kostra_2018_fls_kommuner_og_bydeler"
    if not _has_year(k, 2018, FLS):
        return _count(fid, None)
    kom = _fls(k, 2018, 1.0) - {OSLO}
    sel = dedupe(k[(k["year"] == 2018) & (k["variable"] == FLS) & (k["region_level"] == "bydel")])
    return _count(fid, len(kom) + int((sel["value"] == 1).sum()))


def _fls_share_2019(k: pd.DataFrame) -> Figure:
    """Share of kommuner with a centre in 2019, of those with a number (Oslo once)."""
    fid = "kostra_2019_fls_andel"
    v = kommune_values(k, 2019, FLS).dropna(subset=["value"])
    if v.empty:
        return Figure(fid, None, "prosent")
    return _share(fid, int((v["value"] == 1).sum()), len(v))


def _without_fls_2019(k: pd.DataFrame) -> Figure:
    """Kommuner reporting Frisklivssentral = 0 in 2019; a symbol is not a no."""
    fid = "kostra_2019_uten_fls"
    return _count(fid, len(_fls(k, 2019, 0.0)) if _has_year(k, 2019, FLS) else None)


def _without_fls_without_tilbud_2019(k: pd.DataFrame) -> Figure:
    """Of the kommuner without a centre in 2019, those reporting no similar tilbud either."""
    fid = "kostra_2019_uten_fls_uten_tilbud"
    if not _has_year(k, 2019, "LiknendeTilbud"):
        return _count(fid, None)
    v = kommune_values(k, 2019, "LiknendeTilbud")
    return _count(fid, int((v["region_code"].isin(_fls(k, 2019, 0.0)) & (v["value"] == 0)).sum()))


def _arsverk_mean_2019(k: pd.DataFrame) -> Figure:
    """Årsverk per frisklivssentral: kommuner with a centre and a number of årsverk (Oslo one centre)."""
    fid = "kostra_2019_arsverk_snitt"
    if not _has_year(k, 2019, "AvtalteArsverk"):
        return Figure(fid, None, "forhold")
    v = kommune_values(k, 2019, "AvtalteArsverk")
    v = v[v["region_code"].isin(_fls(k, 2019, 1.0)) & v["value"].notna()]
    total, n = float(v["value"].sum()), len(v)
    return Figure(fid, total / n if n else None, "forhold", total, float(n))


def _deltakere_ratio(k: pd.DataFrame) -> Figure:
    """Deltakere 2019 over 2013, each year's total over its own kommuner.

    Between 2013 and 2019 kommuner only merged, so each year's national total
    is already the total in any common structure: translating 2013 into the
    2019 structure (or back) moves numbers between codes without changing
    their sum. Suppressed cells are missing from both totals alike.
    """
    fid = "kostra_deltakere_2019_mot_2013"
    if not (_has_year(k, 2013, "Deltakere") and _has_year(k, 2019, "Deltakere")):
        return Figure(fid, None, "forhold")
    num = float(kommune_values(k, 2019, "Deltakere")["value"].sum())
    den = float(kommune_values(k, 2013, "Deltakere")["value"].sum())
    return Figure(fid, num / den if den else None, "forhold", num, den)


KOSTRA_FIGURES: dict[str, Callable[[pd.DataFrame], Figure]] = {
    "kostra_2018_fls_kommuner_og_bydeler": _fls_kommuner_og_bydeler_2018,
    "kostra_2019_fls_andel": _fls_share_2019,
    "kostra_2019_uten_fls": _without_fls_2019,
    "kostra_2019_uten_fls_uten_tilbud": _without_fls_without_tilbud_2019,
    "kostra_2016_arsverk": _sum("kostra_2016_arsverk", "AvtalteArsverk", 2016),
    "kostra_2019_arsverk": _sum("kostra_2019_arsverk", "AvtalteArsverk", 2019),
    "kostra_2019_arsverk_snitt": _arsverk_mean_2019,
    "kostra_deltakere_2019_mot_2013": _deltakere_ratio,
    "kostra_2013_deltakere": _sum("kostra_2013_deltakere", "Deltakere", 2013),
    "kostra_2016_deltakere": _sum("kostra_2016_deltakere", "Deltakere", 2016),
    "kostra_2019_deltakere": _sum("kostra_2019_deltakere", "Deltakere", 2019),
    "kostra_2019_uten_fls_liknende_andel": _flag_share_among(
        "kostra_2019_uten_fls_liknende_andel", "LiknendeTilbud", 2019, 0.0),
    "kostra_2019_fls_andre_lm_andel": _flag_share_among("kostra_2019_fls_andre_lm_andel", "AndreLMTilbud", 2019, 1.0),
    "kostra_2019_fls_epj_andel": _flag_share_among("kostra_2019_fls_epj_andel", "EPJ", 2019, 1.0),
}

FIGURE_COLUMNS = ["round", "figure_id", "value", "numerator", "denominator", "unit", "text"]


def kostra_figures(kostra_df: pd.DataFrame, round_name: str, register: Register | None = None) -> pd.DataFrame:
    """The ``kostra_*`` figures as rows of the ``figures`` table, in register order.

    Every ``kostra_*`` id of the register this module knows gets a row; one
    without data (no extract for its year) has a null value, which the
    reconciliation reports as ``ikke beregnet``.
    """
    wanted = list(register.ids) if register and register.ids else list(KOSTRA_FIGURES)
    rows = []
    for fid in wanted:
        if fid not in KOSTRA_FIGURES:
            continue
        f = KOSTRA_FIGURES[fid](kostra_df)
        rows.append({"round": round_name, "figure_id": f.figure_id, "value": f.value, "numerator": f.numerator,
                     "denominator": f.denominator, "unit": f.unit, "text": f.text})
    return pd.DataFrame(rows, columns=FIGURE_COLUMNS)


__all__ = ["KOSTRA_FIGURES", "kostra_figures"]
