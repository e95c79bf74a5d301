"""Report sections that show rather than tell: the coverage map, the comparison with earlier
rounds, KOSTRA and the explorable kommune list.

Each builder takes the tables it needs and returns a plain dict (or a figure
object) for the template, so the template only lays out. Every count is a row of
a table of the analysis stage (figure_series, the comparison table, the round
map's counts); nothing here counts or reads a file. A section whose data is
absent returns ``None`` or says so, and the template says so in words.

Decisions documented where they are implemented:

* The round's map is drawn by the round_map rule in the round's own structure
  (:func:`kartlegging.report.maps.own_map_figure`); the report shows it as drawn.
* The comparison shows only rounds up to the report's own round (the comparison
  table holds only those), and compares this round with the one just before it.
* KOSTRA counts kommuner with Oslo once (its own row, or derived from its
  bydeler when Oslo's row has no number: :func:`kartlegging.analysis.kostra_values.kommune_values`,
  the rule the register's KOSTRA figures use); Oslo's bydeler with a
  frisklivssentral are shown in a column of their own, never added to the count.
* Counties are listed in SSB's standard order (:func:`kartlegging.core.classification.fylke_order`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kartlegging.analysis.crosswalk import MIN_SHARE
from kartlegging.core.classification import fylke_order
from kartlegging.core.tables import included
from kartlegging.report import charts, maps
from kartlegging.report.labels import TYPE_LABELS, as_list, sort_key
from kartlegging.report.numbers import fmt_count, fmt_decimal, fmt_percent, fmt_share, is_missing
from kartlegging.report.series import SeriesBook

STATUS_LABELS = {"ja": "Har tjeneste", "nei": "Ingen tjeneste", "ukjent": "Ukjent"}


@dataclass
class MapFigure:
    """A map with its number, caption, alt text and, per class, the kommuner drawn in it.

    ``classes`` carries the kommune codes of each class so the HTML can say, in
    a data attribute, exactly which kommuner the picture colours (and a test
    can check that against the tables).
    """

    key: str
    title: str
    caption: str
    alt: str
    uri: str
    classes: list[dict[str, Any]] = field(default_factory=list)
    number: int = 0


def _plural(n: int, one: str, many: str) -> str:
    """'1 kommune', '2 kommuner'."""
    return f"{fmt_count(n)} {one if n == 1 else many}"


# --------------------------------------------------------------------------- coverage map


def own_coverage_map(round_map: Mapping[str, Any], round_name: str) -> MapFigure:
    """The round's coverage map in its own kommune structure, as the round_map rule drew it.

    The legend's counts and the class lists are the round's own (``kommune_status``
    in the round's codes, counted by the round_map rule), so the map, its caption and
    the text agree.
    """
    classes, counts = round_map["classes"], round_map["counts"]
    rows = [{"code": cls, "label": maps.CLASS_STYLES[cls].label, "count": counts.get(cls, 0),
             "kommuner": " ".join(classes.get(cls, []))} for cls in maps.CLASS_STYLES]
    return MapFigure(
        key="kart", title=f"Kommuner med lærings- og mestringstjeneste, runde {round_name}",
        caption=str(round_map["caption"]), alt=str(round_map["alt"]),
        uri=charts.svg_data_uri(str(round_map["svg"])), classes=rows,
    )


def coverage_map(round_map: Mapping[str, Any] | None, round_name: str) -> MapFigure | None:
    """The round's coverage map, or None when the round_map rule's figure was not given."""
    return None if round_map is None else own_coverage_map(round_map, round_name)


# --------------------------------------------------------------------------- comparison


@dataclass(frozen=True)
class EarlierRound:
    """What the report of a later round draws of an earlier one: its map status (one small map per round)."""

    round: str
    map_status: pd.DataFrame


def _series(comparison: pd.DataFrame, series_id: str) -> pd.DataFrame:
    return comparison[comparison["series_id"] == series_id].sort_values(["nr", "of_round", "measure"],
                                                                        na_position="first", kind="stable")


def _by_category(comparison: pd.DataFrame, series_id: str) -> list[tuple[str, str, dict]]:
    """(category, label, cells) per category of a series, in the order the analysis gave them (``nr``)."""
    part = _series(comparison, series_id)
    out: dict[int, tuple[str, str, dict]] = {}
    for row in part.itertuples(index=False):
        cat = out.setdefault(int(row.nr), (str(row.category), str(row.label), {}))
        key = (None if is_missing(row.of_round) else str(row.of_round), str(row.measure))
        cat[2][key] = row.text if is_missing(row.value) else row.value
    return [out[nr] for nr in sorted(out)]


#: The comparison's rule, in one sentence: what a kommune of the common structure inherits from the round's
#: kommuner (kartlegging.analysis.harmonise; the threshold is the crosswalk's, so the sentence follows the code).
RULE_SENTENCE = (
    "En kommune i den felles inndelingen regnes som å ha hatt en tjeneste i en runde når minst én av rundens "
    "kommuner som den har fått land fra, hadde en; hvor landet gikk da en kommune ble delt, er målt med "
    "Kartverkets kommunegrenser, og overlapp under {terskel} av kommunens areal regnes som unøyaktighet i "
    "grensene, ikke som land."
)


def rule_sentence() -> str:
    """The comparison's rule sentence, with the crosswalk's noise threshold in Norwegian form."""
    return RULE_SENTENCE.format(terskel=fmt_percent(100 * MIN_SHARE))


def _and_list(items: Sequence[str]) -> str:
    """'a, b og c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " og " + items[-1]


def _part(kommune: str, weight: Any) -> str:
    """One former kommune ("1850 Tysfjord") of a harmonised kommune, with the share of its land when it was
    split (the crosswalk's weight, a row of the comparison table; unknown where no polygons show it)."""
    if is_missing(weight):
        return f"en del av {kommune} (andelen er ukjent)"
    if float(weight) < 1.0:
        return f"{fmt_percent(100 * float(weight))} av {kommune}"
    return kommune


def _round_summary(rounds: list[str], cells: Mapping[str, dict]) -> list[dict[str, Any]]:
    out = []
    for r in rounds:
        c = cells[r]
        out.append({
            "round": r, "classification": c.get((r, "klassifikasjon")) or "",
            "kommuner": c.get((r, "kommuner")), "med": c.get((r, "med_tjeneste")),
            "andel": fmt_share(c.get((r, "med_tjeneste")), c.get((r, "kommuner"))),
            "ukjent": c.get((r, "ukjent")), "tjenester": c.get((r, "tjenester")),
            "kommuner_felles": c.get((r, "kommuner_felles")), "med_felles": c.get((r, "med_tjeneste_felles")),
            "andel_felles": fmt_share(c.get((r, "med_tjeneste_felles")), c.get((r, "kommuner_felles"))),
            "ukjent_felles": c.get((r, "ukjent_felles")),
        })
    return out


def comparison(round_name: str, table: pd.DataFrame | None, map_status: pd.DataFrame | None,
               earlier: Sequence[EarlierRound], geometry: maps.MapGeometry | None,
               harmonise_to: str = "") -> dict[str, Any] | None:
    """This round against the earlier ones, as the comparison table has it; None for a first round.

    The table (written by the comparison rule, :mod:`kartlegging.analysis.comparison`) holds only
    rounds up to this one, so the report of a round says the same however many rounds follow it.
    """
    if table is None or table.empty:
        if earlier:
            raise ValueError(f"round {round_name}: earlier rounds were given but no comparison table; "
                             "rerun the comparison rule")
        return None
    by_round = {cat: cells for cat, _, cells in _by_category(table, "runder")}
    rounds = sorted(by_round)
    if rounds[-1] != round_name or len(rounds) < 2:
        raise ValueError(f"comparison table of round {round_name} holds rounds {rounds}")
    previous = rounds[-2]
    summary = _round_summary(rounds, by_round)

    county_rows = []
    for code, label, cells in _by_category(table, "dekning_fylke"):
        county_rows.append({"fylkesnummer": code, "fylkesnavn": label, "cells": [
            {"med": cells.get((r, "med_tjeneste")), "n": cells.get((r, "kommuner")),
             "andel": fmt_share(cells.get((r, "med_tjeneste")), cells.get((r, "kommuner")))} for r in rounds]})
    totals = {"cells": [{"med": s["med_felles"], "n": s["kommuner_felles"], "andel": s["andel_felles"],
                         "ukjent": s["ukjent_felles"]} for s in summary]}

    gained, lost = [], []
    for code, name, cells in _by_category(table, "endring"):
        was, now = str(cells.get((previous, "status"))), str(cells.get((round_name, "status")))
        row = {"kommunenummer": code, "kommunenavn": name, "fylkesnavn": cells.get((None, "fylke")),
               "before": STATUS_LABELS.get(was, was), "after": STATUS_LABELS.get(now, now),
               "delt": cells.get((None, "delt")) == 1.0}
        (gained if cells.get((None, "retning")) == "fikk" else lost).append(row)
    change_counts = {code: cells.get((None, "kommuner")) for code, _, cells in _by_category(table, "endring_antall")}

    org_rows, org_codes = [], []
    for _code, label, cells in _by_category(table, "organisering"):
        change = cells.get((None, "endring")) or 0.0
        sign = "+" if change > 0 else ("\u2212" if change < 0 else "±")
        kind = str(cells.get((None, "slag")))
        org_rows.append({"label": label, "counts": [cells.get((r, "tjenester")) for r in rounds],
                         "change": f"{sign}{fmt_count(abs(change))}", "kind": kind})
        if kind == "org":
            org_codes.append((label, [float(cells.get((r, "tjenester")) or 0) for r in rounds]))
    org_chart = None
    if org_codes:
        org_chart = {"categories": [label for label, _ in org_codes],
                     "series": {f"Runde {r}": [counts[i] for _, counts in org_codes] for i, r in enumerate(rounds)}}

    split: dict[str, list[str]] = {}
    unknown_share: dict[str, bool] = {}
    for _, label, cells in _by_category(table, "delte"):
        for r in sorted({r for r, _ in cells if r is not None}):
            n_parts = sum(1 for rr, measure in cells if rr == r and measure.startswith("del"))
            shares = [cells.get((r, f"andel{i}")) for i in range(1, n_parts + 1)]
            parts = [_part(str(cells[(r, f"del{i}")]), shares[i - 1]) for i in range(1, n_parts + 1)]
            split.setdefault(r, []).append(f"{label} (fra {_and_list(parts)})")
            unknown_share[r] = unknown_share.get(r, False) or any(is_missing(w) for w in shares)
    split_rows = [{"round": r, "n": len(items), "items": items, "ukjent_andel": unknown_share[r]}
                  for r, items in sorted(split.items())]

    small = _small_maps(rounds, round_name, table, map_status, earlier, geometry)
    return {
        "rounds": rounds,
        "previous": previous,
        "harmonise_to": harmonise_to,
        "n_target": summary[-1]["kommuner_felles"],
        "summary": summary,
        "small_maps": small,
        "county_rows": county_rows,
        "totals": totals,
        "gained": gained,
        "lost": lost,
        "change_counts": change_counts,
        "org_rows": org_rows,
        "org_chart": org_chart,
        "split": split_rows,
        "rule": rule_sentence(),
        # some part's share of a split kommune's land is unknown (no polygons of that structure)
        "split_unknown_share": any(row["ukjent_andel"] for row in split_rows),
    }


def _small_maps(rounds: Sequence[str], round_name: str, table: pd.DataFrame, map_status: pd.DataFrame | None,
                earlier: Sequence[EarlierRound], geometry: maps.MapGeometry | None) -> MapFigure | None:
    """One small map per round in the harmonise_to structure; the alt text's counts are the comparison table's."""
    statuses = {e.round: e.map_status for e in earlier}
    if map_status is not None:
        statuses[round_name] = map_status
    if geometry is None or not all(r in statuses for r in rounds):
        return None
    panels = [(f"Runde {r}", dict(zip(statuses[r]["kommunenummer"].astype(str), statuses[r]["status"].astype(str))))
              for r in rounds]
    svg = maps.small_multiples_svg(geometry, panels)
    counts = {cls: cells for cls, _, cells in _by_category(table, "kart_runder")}
    alts = []
    for r in rounds:
        c = {cls: counts.get(cls, {}).get((r, "kommuner")) or 0 for cls in maps.CLASS_STYLES}
        alts.append(f"Runde {r}: {fmt_count(c['kommunal'] + c['interkommunal'])} kommuner med tjeneste "
                    f"({fmt_count(c['kommunal'])} kommunal, {fmt_count(c['interkommunal'])} interkommunal), "
                    f"{fmt_count(c['ingen'])} uten, {fmt_count(c['ukjent'])} ukjent")
    version = str(statuses[round_name]["map_version"].iloc[0]) or geometry.version
    return MapFigure(
        key="kart_runder", title="Kommuner med tjeneste i hver runde",
        caption=(f"Ett kart per runde, alle i kommuneinndelingen fra {version}, med samme fargeregel som i "
                 "figuren over dekningen. Runder i en eldre inndeling er oversatt på samme måte. "
                 "Kartgrunnlag: Kartverket (CC BY 4.0)."),
        alt=f"Kart over Norge, ett per runde ({', '.join(rounds)}). " + ". ".join(alts) + ".",
        uri=charts.svg_data_uri(svg),
    )


# --------------------------------------------------------------------------- KOSTRA


def kostra_section(kostra: pd.DataFrame | None, book: SeriesBook, crosscheck: pd.DataFrame | None) -> dict[str, Any]:
    """Frisklivssentraler per year, årsverk and deltakere, and the cross-check with the kartlegging.

    Every count is a row of figure_series (series ``kostra_fls``, ``kostra_volum``,
    ``kostra_avvik``, written by the figures step); the cross-check table only gives
    the names listed. ``present`` is False when no KOSTRA table was given or it is
    empty; the template then says that no KOSTRA data were given, rather than showing zeros.
    """
    if kostra is None or kostra.empty:
        return {"present": False}
    fls_rows = []
    for c in book.categories("kostra_fls"):
        med = c.get("med_fls")
        fls_rows.append({
            "year": int(c.code), "med": med, "med_tall": c.get("med_tall"),
            "andel": fmt_share(med, c.denominators.get("med_fls")),
            "oslo_via_bydeler": c.get("oslo_via_bydeler") == 1.0, "bydeler": c.get("bydeler_med_fls"),
        })
    chart = None
    if fls_rows:
        chart = {"categories": [str(r["year"]) for r in fls_rows], "values": [float(r["med"] or 0) for r in fls_rows]}
    volume_rows = []
    for c in book.categories("kostra_volum"):
        arsverk, deltakere = c.get("arsverk"), c.get("deltakere")
        volume_rows.append({
            "year": int(c.code),
            "arsverk": "–" if arsverk is None else fmt_decimal(arsverk, 1),
            "arsverk_n": c.get("arsverk_kommuner"),
            "deltakere": "–" if deltakere is None else fmt_decimal(deltakere, 0),
            "deltakere_n": c.get("deltakere_kommuner"),
        })

    check = None
    if crosscheck is not None:
        groups = []
        total = book.value("kostra_avvik", "i_alt", "kommuner")
        for c in book.categories("kostra_avvik"):
            if c.code == "i_alt":
                continue
            part = crosscheck[crosscheck["avvik"].astype(str) == c.code].sort_values(
                "kommunenavn", key=lambda s: s.map(lambda v: sort_key(v)[0]))
            year = c.get("vanligste_aar")
            common = None if year is None else int(year)
            items = []
            for row in part.itertuples(index=False):
                y = None if is_missing(row.kostra_aar) else int(row.kostra_aar)
                suffix = f" ({y})" if y is not None and y != common else ""
                items.append(f"{row.kommunenavn}{suffix}")
            groups.append({"code": c.code, "label": c.label, "n": c.get("kommuner"), "year": common, "items": items,
                           "years_off": c.get("aar_fra_runde")})
        reference = book.value("kostra_avvik", "i_alt", "rundens_aar")
        # the KOSTRA years used, where they are not the round's own: how far off, said in the text
        off = sorted({(g["year"], int(g["years_off"])) for g in groups
                      if g["year"] is not None and g["years_off"] not in (None, 0.0) and g["n"]})
        check = {"groups": groups, "total": 0 if total is None else total,
                 "reference_year": None if reference is None else int(reference),
                 "off": [{"year": y, "years": abs(d), "before": d < 0} for y, d in off]}
    return {"present": True, "fls_rows": fls_rows, "chart": chart, "volume_rows": volume_rows, "check": check,
            "first_year": fls_rows[0]["year"] if fls_rows else None,
            "last_year": fls_rows[-1]["year"] if fls_rows else None}


# --------------------------------------------------------------------------- kommune list


def kommune_list(status: pd.DataFrame, services: pd.DataFrame, book: SeriesBook) -> dict[str, Any]:
    """Every kommune of the round with its status, services, kind and county, for the filterable table.

    The class of each row is the map's (:func:`kartlegging.analysis.coverage.kommune_classes`), so the
    list and the map agree on what kommunal and interkommunal mean. Counties follow SSB's standard
    order, each with its counts from figure_series (``dekning_fylke``).
    """
    classes = maps.kommune_classes(status, services)
    inc = included(services)
    names = dict(zip(inc["service_id"].astype(str), inc["navn"]))
    rows = []
    for row in status.itertuples(index=False):
        code = str(row.kommunenummer)
        cls = classes.get(code, "ukjent")
        tjenester = sorted({("(uten navn)" if is_missing(names.get(s)) else str(names[s]))
                            for s in as_list(row.service_ids) if s in names}, key=sort_key)
        rows.append({
            "kommunenummer": code, "navn": str(row.kommunenavn), "fylkesnummer": str(row.fylkesnummer),
            "fylkesnavn": str(row.fylkesnavn), "klasse": cls,
            "status": STATUS_LABELS.get(str(row.har_tjeneste), str(row.har_tjeneste)),
            "type": TYPE_LABELS.get(cls, "–"), "tjenester": "; ".join(tjenester),
            # Lower-cased as the script lower-cases the query (JavaScript has no casefold).
            "sok": f"{row.kommunenavn} {code}".lower(),
        })
    rows.sort(key=lambda r: (fylke_order(r["fylkesnummer"]), sort_key(r["navn"]), r["kommunenummer"]))
    counts = {c.code: c for c in book.categories("dekning_fylke")}
    groups: dict[str, dict[str, Any]] = {}
    for r in rows:
        nr = r["fylkesnummer"]
        if nr not in groups:
            cat = counts.get(nr)
            groups[nr] = {"fylkesnummer": nr, "fylkesnavn": r["fylkesnavn"], "rows": [],
                          "n": None if cat is None else cat.get("kommuner"),
                          "med": None if cat is None else cat.get("med_tjeneste")}
        groups[nr]["rows"].append(r)
    counties = [(g["fylkesnummer"], g["fylkesnavn"]) for g in groups.values()]
    return {"rows": rows, "groups": list(groups.values()), "counties": counties}


__all__ = ["EarlierRound", "MapFigure", "comparison", "coverage_map", "kommune_list", "kostra_section"]
