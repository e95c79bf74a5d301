"""Report sections that show rather than tell: the coverage map, the comparison with earlier
rounds, KOSTRA and the explorable kommune list.

Each builder takes the tables it needs and returns a plain dict (or a figure
object) for the template, so the template only lays out. Every count is taken
from the tables handed in; nothing here reads a file. A section whose data is
absent returns ``None`` or says so, and the template says so in words.

Decisions documented where they are implemented:

* The map is drawn in the map geometry's structure (2024) from ``map_status``;
  the caption also gives the round's counts in its own structure, so the two
  can be compared with the text (see :mod:`kartlegging.report.maps` for how
  kommuner combine).
* The comparison shows only rounds up to the report's own round (the rule feeds
  it only those), and compares this round with the one just before it.
* KOSTRA counts kommuner with Oslo once (its own row, or derived from its
  bydeler when Oslo's row has no number: :func:`kartlegging.ingest.kostra.reader.kommune_values`,
  the rule the register's KOSTRA figures use); Oslo's bydeler with a
  frisklivssentral are shown in a column of their own, never added to the count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kartlegging.analysis.crosswalk import MIN_SHARE
from kartlegging.report import charts, maps
from kartlegging.report.labels import ORG_LABELS, ORG_ORDER, TYPE_LABELS, as_list, label, sort_key
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


def _class_rows(classes: Mapping[str, str]) -> list[dict[str, Any]]:
    """Per class: code, label, count and the kommuner (space-separated codes)."""
    rows = []
    for cls in maps.CLASS_STYLES:
        codes = sorted(k for k, v in classes.items() if v == cls)
        rows.append({"code": cls, "label": maps.CLASS_STYLES[cls].label, "count": len(codes),
                     "kommuner": " ".join(codes)})
    return rows


def _map_alt(n: int, version: str, counts: Mapping[str, int], round_name: str | None = None) -> str:
    """Alt text: what the map shows, in numbers, for a reader who cannot see it."""
    head = f"Kart over Norges {fmt_count(n)} kommuner (inndelingen fra {version})"
    if round_name:
        head += f" i runde {round_name}"
    parts = [f"{_plural(counts['kommunal'], 'kommune', 'kommuner')} med kommunal tjeneste",
             f"{fmt_count(counts['interkommunal'])} med interkommunal tjeneste",
             f"{fmt_count(counts['ingen'])} uten tjeneste",
             f"{fmt_count(counts['ukjent'])} med ukjent status"]
    return f"{head}: " + ", ".join(parts) + ". Fylkesgrensene er tegnet med svarte linjer."


def own_coverage_map(round_map: Mapping[str, Any], round_name: str) -> MapFigure:
    """The round's coverage map in its own kommune structure, as the round_map rule drew it.

    The legend's counts and the class lists are the round's own (``kommune_status``
    in the round's codes), so the map, its caption and the text agree.
    """
    classes = round_map["classes"]
    rows = [{"code": cls, "label": maps.CLASS_STYLES[cls].label, "count": len(classes.get(cls, [])),
             "kommuner": " ".join(classes.get(cls, []))} for cls in maps.CLASS_STYLES]
    return MapFigure(
        key="kart", title=f"Kommuner med lærings- og mestringstjeneste, runde {round_name}",
        caption=str(round_map["caption"]), alt=str(round_map["alt"]),
        uri=charts.svg_data_uri(str(round_map["svg"])), classes=rows,
    )


def coverage_map(status: pd.DataFrame, services: pd.DataFrame, map_status: pd.DataFrame | None,
                 geometry: maps.MapGeometry | None, round_name: str, classification: str,
                 round_map: Mapping[str, Any] | None = None) -> MapFigure | None:
    """The round's coverage map, or None when neither its own-structure map nor map status and geometry were given.

    ``round_map`` (the round in its own structure) is preferred; the map in
    the geometry's structure is the fallback for callers without it.
    """
    if round_map is not None:
        return own_coverage_map(round_map, round_name)
    if map_status is None or geometry is None or map_status.empty:
        return None
    classes = dict(zip(map_status["kommunenummer"].astype(str), map_status["status"].astype(str)))
    counts = maps.class_counts(classes)
    version = str(map_status["map_version"].iloc[0]) or geometry.version
    svg = maps.coverage_map_svg(geometry, classes, counts=counts)

    own = maps.class_counts(maps.kommune_classes(status, services))
    n_own = len(status)
    with_service = own["kommunal"] + own["interkommunal"]
    regel = map_status["regel"].astype(str)
    translated = not ((regel == "uendret").all() and len(map_status) == n_own)
    n_split = int((regel == "delt_del_av").sum())

    text = [f"Kommunene i inndelingen fra {version} ({fmt_count(len(map_status))} kommuner), farget etter om de har "
            "en lærings- og mestringstjeneste. Tallene i tegnforklaringen er kommuner i denne inndelingen, og svarte "
            "linjer er fylkesgrenser."]
    if translated:
        own_version = f"fra {classification} " if classification else ""
        text.append(
            f"Runden ble kartlagt i kommuneinndelingen {own_version}(SSB Klass 131), og kommunene er oversatt med SSBs "
            "tabell over endringer i kommunenummer: en kommune på kartet er farget når minst én av kommunene den "
            "består av hadde en tjeneste, og skravert når minst én av dem var med i en interkommunal tjeneste."
        )
        if n_split:
            text.append(
                f"{_plural(n_split, 'kommune', 'kommuner')} på kartet omfatter en del av en kommune som senere ble "
                "delt, og har fått hele den delte kommunens svar, fordi kartleggingen ikke sier hvilken del en "
                "tjeneste lå i."
            )
    own_text = (f"I rundens egen inndeling hadde {fmt_count(with_service)} av {_plural(n_own, 'kommune', 'kommuner')} "
                f"en tjeneste ({fmt_count(own['kommunal'])} med kommunal og {fmt_count(own['interkommunal'])} med "
                f"interkommunal tjeneste), og {fmt_count(own['ingen'])} hadde ingen")
    own_text += f", mens {fmt_count(own['ukjent'])} har ukjent status." if own["ukjent"] else "."
    text.append(own_text)
    text.append("Kartgrunnlag: Kartverket (CC BY 4.0).")
    return MapFigure(
        key="kart", title=f"Kommuner med lærings- og mestringstjeneste, runde {round_name}",
        caption=" ".join(text), alt=_map_alt(len(map_status), version, counts),
        uri=charts.svg_data_uri(svg), classes=_class_rows(classes),
    )


# --------------------------------------------------------------------------- comparison


@dataclass(frozen=True)
class EarlierRound:
    """What the report of a later round needs from an earlier one: its map status and its services."""

    round: str
    map_status: pd.DataFrame
    services: pd.DataFrame


def _included(services: pd.DataFrame) -> pd.DataFrame:
    """Services that meet the definition (T18 = ja)."""
    return services[services["inkludert"].astype("object") == "ja"]


def _coverage_rows(harmonised: pd.DataFrame, rounds: Sequence[str]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Per county of the target structure and per round: kommuner, those with a service, share; and the totals."""
    rows = []
    for (nr, navn), grp in harmonised.groupby(["fylkesnummer", "fylkesnavn"], sort=True):
        cells = []
        for r in rounds:
            part = grp[grp["round"].astype(str) == r]
            med = int((part["har_tjeneste"].astype("object") == "ja").sum())
            cells.append({"med": med, "n": len(part), "andel": fmt_share(med, len(part))})
        rows.append({"fylkesnummer": str(nr), "fylkesnavn": str(navn), "cells": cells})
    total = []
    for r in rounds:
        part = harmonised[harmonised["round"].astype(str) == r]
        med = int((part["har_tjeneste"].astype("object") == "ja").sum())
        total.append({"med": med, "n": len(part), "andel": fmt_share(med, len(part)),
                      "ukjent": int((part["har_tjeneste"].astype("object") == "ukjent").sum())})
    return rows, {"cells": total}


def _changes(harmonised: pd.DataFrame, before: str, after: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Kommuner that gained a service between two rounds, and those that lost one (target structure)."""
    a = harmonised[harmonised["round"].astype(str) == before].set_index("kommunenummer")
    b = harmonised[harmonised["round"].astype(str) == after].set_index("kommunenummer")
    gained, lost = [], []
    for code in sorted(set(a.index) & set(b.index)):
        was, now = str(a.at[code, "har_tjeneste"]), str(b.at[code, "har_tjeneste"])
        if (was == "ja") == (now == "ja"):
            continue
        row = {
            "kommunenummer": str(code), "kommunenavn": str(b.at[code, "kommunenavn"]),
            "fylkesnavn": str(b.at[code, "fylkesnavn"]), "before": STATUS_LABELS.get(was, was),
            "after": STATUS_LABELS.get(now, now),
            "delt": "delt_del_av" in (str(a.at[code, "regel"]), str(b.at[code, "regel"])),
        }
        (gained if now == "ja" else lost).append(row)
    def by_place(row: dict[str, Any]) -> tuple[str, tuple[str, str]]:
        return row["fylkesnavn"], sort_key(row["kommunenavn"])

    return sorted(gained, key=by_place), sorted(lost, key=by_place)


def _org_count(services: pd.DataFrame, code: str) -> int:
    """Included services organised as ``code``."""
    return int((_included(services)["organisering"].astype("object") == code).sum())


def _org_codes(services_by_round: Mapping[str, pd.DataFrame], rounds: Sequence[str]) -> list[str]:
    """Organisation codes any of the rounds uses: the known ones in their order, then unknown ones sorted."""
    used = {str(c) for r in rounds for c in _included(services_by_round[r])["organisering"].dropna()}
    return [c for c in ORG_ORDER if c in used] + sorted(used - set(ORG_ORDER))


def _org_rows(services_by_round: Mapping[str, pd.DataFrame], rounds: Sequence[str],
              codes: Sequence[str]) -> list[dict[str, Any]]:
    """Included services per round: all, by kind, by organisation; with the change from the previous round."""
    rows = []

    def add(label_text: str, counts: list[int], kind: str) -> None:
        change = counts[-1] - counts[-2]
        sign = "+" if change > 0 else ("\u2212" if change < 0 else "±")
        rows.append({"label": label_text, "counts": counts, "change": f"{sign}{fmt_count(abs(change))}", "kind": kind})

    add("Alle tjenester", [len(_included(services_by_round[r])) for r in rounds], "total")
    for kind in ("kommunal", "interkommunal"):
        add(TYPE_LABELS[kind], [int((_included(services_by_round[r])["type"].astype("object") == kind).sum())
                                for r in rounds], "type")
    for code in codes:
        add(label(code, ORG_LABELS), [_org_count(services_by_round[r], code) for r in rounds], "org")
    return rows


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


def _part(code: str, name: str, weight: Any) -> str:
    """One former kommune of a harmonised kommune, with the share of its land when it was split."""
    if is_missing(weight):
        return f"en del av {code} {name} (andelen er ukjent)"
    if float(weight) < 1.0:
        return f"{fmt_percent(100 * float(weight))} av {code} {name}"
    return f"{code} {name}"


def _split_rows(harmonised: pd.DataFrame, rounds: Sequence[str]) -> list[dict[str, Any]]:
    """Where a split kommune's whole answer was given to each part that got some of its land, per round.

    Each item names the former kommuner the part got land from and, for the
    split one, the share of its land (the crosswalk's weight; unknown where no
    polygons show where it went).
    """
    out = []
    for r in rounds:
        part = harmonised[(harmonised["round"].astype(str) == r) & (harmonised["regel"].astype(str) == "delt_del_av")]
        items, unknown = [], False
        for row in part.sort_values("kommunenummer").itertuples(index=False):
            weights = list(row.fra_vekter)
            unknown = unknown or any(is_missing(w) for w in weights)
            parts = [_part(c, n, w) for c, n, w in zip(as_list(row.fra_kommuner), as_list(row.fra_navn), weights)]
            items.append(f"{row.kommunenummer} {row.kommunenavn} (fra {_and_list(parts)})")
        if items:
            out.append({"round": r, "n": len(items), "items": items, "ukjent_andel": unknown})
    return out


def comparison(round_name: str, services: pd.DataFrame, map_status: pd.DataFrame | None,
               earlier: Sequence[EarlierRound], harmonised: pd.DataFrame | None,
               geometry: maps.MapGeometry | None, harmonise_to: str = "") -> dict[str, Any] | None:
    """This round against the earlier ones, or None for a first round (nothing to compare with).

    Only rounds up to this one are shown, whatever else the harmonised table
    holds, so the report of a round says the same however many rounds follow it.
    """
    if not earlier:
        return None
    rounds = sorted({e.round for e in earlier} | {round_name})
    rounds = [r for r in rounds if r <= round_name]
    if harmonised is None:
        raise ValueError(f"round {round_name}: earlier rounds were given but no harmonised kommune_status")
    present = set(harmonised["round"].astype(str))
    missing = [r for r in rounds if r not in present]
    if missing:
        raise ValueError(f"harmonised kommune_status lacks round(s) {', '.join(missing)}; rerun the harmonise rule")
    harm = harmonised[harmonised["round"].astype(str).isin(rounds)]
    previous = rounds[-2]
    services_by_round = {e.round: e.services for e in earlier} | {round_name: services}

    small = None
    statuses = {e.round: e.map_status for e in earlier}
    if map_status is not None:
        statuses[round_name] = map_status
    if geometry is not None and all(r in statuses for r in rounds):
        panels = [(f"Runde {r}", dict(zip(statuses[r]["kommunenummer"].astype(str), statuses[r]["status"].astype(str))))
                  for r in rounds]
        svg = maps.small_multiples_svg(geometry, panels)
        alts = []
        for title, classes in panels:
            c = maps.class_counts(classes)
            alts.append(f"{title}: {fmt_count(c['kommunal'] + c['interkommunal'])} kommuner med tjeneste "
                        f"({fmt_count(c['kommunal'])} kommunal, {fmt_count(c['interkommunal'])} interkommunal), "
                        f"{fmt_count(c['ingen'])} uten, {fmt_count(c['ukjent'])} ukjent")
        version = str(statuses[round_name]["map_version"].iloc[0]) or geometry.version
        small = MapFigure(
            key="kart_runder", title="Kommuner med tjeneste i hver runde",
            caption=(f"Ett kart per runde, alle i kommuneinndelingen fra {version}, med samme fargeregel som i "
                     "figuren over dekningen. Runder i en eldre inndeling er oversatt på samme måte. "
                     "Kartgrunnlag: Kartverket (CC BY 4.0)."),
            alt=f"Kart over Norge, ett per runde ({', '.join(rounds)}). " + ". ".join(alts) + ".",
            uri=charts.svg_data_uri(svg),
        )

    county_rows, totals = _coverage_rows(harm, rounds)
    gained, lost = _changes(harm, previous, round_name)
    codes = _org_codes(services_by_round, rounds)
    org_chart = None
    if codes:
        org_chart = {
            "categories": [label(c, ORG_LABELS) for c in codes],
            "series": {f"Runde {r}": [float(_org_count(services_by_round[r], c)) for c in codes] for r in rounds},
        }
    return {
        "rounds": rounds,
        "previous": previous,
        "harmonise_to": harmonise_to,
        "n_target": int(len(harm[harm["round"].astype(str) == round_name])),
        "small_maps": small,
        "county_rows": county_rows,
        "totals": totals,
        "gained": gained,
        "lost": lost,
        "org_rows": _org_rows(services_by_round, rounds, codes),
        "org_chart": org_chart,
        "split": _split_rows(harm, rounds),
        "rule": rule_sentence(),
    }


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
            groups.append({"code": c.code, "label": c.label, "n": c.get("kommuner"), "year": common, "items": items})
        check = {"groups": groups, "total": 0 if total is None else total}
    return {"present": True, "fls_rows": fls_rows, "chart": chart, "volume_rows": volume_rows, "check": check,
            "first_year": fls_rows[0]["year"] if fls_rows else None,
            "last_year": fls_rows[-1]["year"] if fls_rows else None}


# --------------------------------------------------------------------------- kommune list


def kommune_list(status: pd.DataFrame, services: pd.DataFrame) -> dict[str, Any]:
    """Every kommune of the round with its status, services, kind and county, for the filterable table.

    The class of each row is the map's (:func:`maps.kommune_classes`), so the
    list and the map agree on what kommunal and interkommunal mean.
    """
    classes = maps.kommune_classes(status, services)
    inc = _included(services)
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
    rows.sort(key=lambda r: (r["fylkesnummer"], sort_key(r["navn"]), r["kommunenummer"]))
    counties = sorted({(r["fylkesnummer"], r["fylkesnavn"]) for r in rows})
    return {"rows": rows, "counties": counties, "n": len(rows)}


__all__ = ["EarlierRound", "MapFigure", "comparison", "coverage_map", "kommune_list", "kostra_section"]
