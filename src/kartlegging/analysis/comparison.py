"""A round set beside the rounds before it: the ``comparison`` table its report's chapter on change reads.

Rounds are compared in two ways, and the table keeps both so the report can say why totals differ:

* each round in its own kommune structure (2015: 428 kommuner; 2024: 357), as its own report counts;
* every round in one common structure (config ``harmonise_to``), from the harmonised ``kommune_status``,
  so a county or a kommune can be followed from one round to the next.

Series (one row per series, category, round described and measure; see :data:`kartlegging.core.tables.COMPARISON`):

* ``runder``: per round, kommuner, those with a service and unknown ones, in its own structure and in the
  common one; included services; the round's Klass version (text);
* ``dekning_fylke``: per county of the common structure (SSB's standard order) and round, kommuner and
  those with a service;
* ``endring``: kommuner of the common structure whose status changed between the last two rounds (gained
  or lost a service), with both statuses, the county and whether a split kommune's answer is involved;
  ``endring_antall`` counts them, and those where one of the statuses is ``ukjent``;
* ``organisering``: included services per round, all, by kind and by organisation (T06), and the change
  between the last two rounds;
* ``delte``: per round, the kommuner of the common structure that hold a part of a kommune later split,
  with the kommuner (code and name, in the round's own structure) they are made of;
* ``kart_runder``: per round, the kommuner of the map structure in each map class (``map_status``).

Everything a report of a later round counts about earlier rounds is here; the report formats it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from kartlegging.analysis.series_rows import ORG_LABELS, Row
from kartlegging.core.classification import fylke_order
from kartlegging.core.tables import COMPARISON, MAP_CLASSES, included

#: How each kind of service reads in the organisation table.
TYPE_LABELS = {"kommunal": "Kommunal", "interkommunal": "Interkommunal"}
#: The harmonised table's rule for a kommune that holds a part of a kommune later split.
SPLIT_RULE = "delt_del_av"
UNKNOWN = "ukjent"


@dataclass(frozen=True)
class RoundTables:
    """What the comparison needs of one round: its own kommune_status and services, its map_status."""

    round: str
    classification: str
    kommune_status: pd.DataFrame
    services: pd.DataFrame
    map_status: pd.DataFrame | None = None


def _as_list(value: object) -> list[str]:
    if value is None or isinstance(value, float):
        return []
    return [str(v) for v in value]  # type: ignore[union-attr]


def _status(frame: pd.DataFrame) -> pd.Series:
    return frame["har_tjeneste"].astype("object")


def _rounds_rows(rounds: Sequence[RoundTables], harmonised: pd.DataFrame) -> list[tuple[str | None, Row]]:
    rows: list[tuple[str | None, Row]] = []
    for r in rounds:
        own, common = r.kommune_status, harmonised[harmonised["round"].astype(str) == r.round]
        n, n_common = float(len(own)), float(len(common))
        label = f"Runde {r.round}"
        rows += [(r.round, row) for row in (
            Row(r.round, label, "kommuner", n),
            Row(r.round, label, "med_tjeneste", float((_status(own) == "ja").sum()), n),
            Row(r.round, label, "ukjent", float((_status(own) == UNKNOWN).sum()), n),
            Row(r.round, label, "tjenester", float(len(included(r.services)))),
            Row(r.round, label, "kommuner_felles", n_common),
            Row(r.round, label, "med_tjeneste_felles", float((_status(common) == "ja").sum()), n_common),
            Row(r.round, label, "ukjent_felles", float((_status(common) == UNKNOWN).sum()), n_common),
            Row(r.round, label, "klassifikasjon", None, unit="tekst", text=r.classification),
        )]
    return rows


def _county_rows(rounds: Sequence[RoundTables], harmonised: pd.DataFrame) -> list[tuple[str | None, Row]]:
    counties = harmonised[["fylkesnummer", "fylkesnavn"]].drop_duplicates("fylkesnummer")
    rows: list[tuple[str | None, Row]] = []
    for nr, navn in sorted(counties.itertuples(index=False), key=lambda c: fylke_order(c[0])):
        grp = harmonised[harmonised["fylkesnummer"] == nr]
        for r in rounds:
            part = grp[grp["round"].astype(str) == r.round]
            n = float(len(part))
            rows += [(r.round, Row(str(nr), str(navn), "kommuner", n)),
                     (r.round, Row(str(nr), str(navn), "med_tjeneste", float((_status(part) == "ja").sum()), n))]
    return rows


def _change_rows(harmonised: pd.DataFrame, before: str, after: str) -> tuple[list[tuple[str | None, Row]], list[Row]]:
    """Kommuner of the common structure that gained or lost a service from ``before`` to ``after``, and the counts."""
    a = harmonised[harmonised["round"].astype(str) == before].set_index("kommunenummer")
    b = harmonised[harmonised["round"].astype(str) == after].set_index("kommunenummer")
    changed = []
    for code in sorted(set(a.index) & set(b.index)):
        was, now = str(a.at[code, "har_tjeneste"]), str(b.at[code, "har_tjeneste"])
        if (was == "ja") == (now == "ja"):
            continue
        split = SPLIT_RULE in (str(a.at[code, "regel"]), str(b.at[code, "regel"]))
        changed.append((str(code), str(b.at[code, "kommunenavn"]), str(b.at[code, "fylkesnummer"]),
                        str(b.at[code, "fylkesnavn"]), was, now, split))
    changed.sort(key=lambda c: (fylke_order(c[2]), c[1].casefold(), c[0]))
    rows: list[tuple[str | None, Row]] = []
    for code, name, _fnr, fylke, was, now, split in changed:
        rows += [(None, Row(code, name, "retning", None, unit="tekst", text="fikk" if now == "ja" else "mistet")),
                 (before, Row(code, name, "status", None, unit="tekst", text=was)),
                 (after, Row(code, name, "status", None, unit="tekst", text=now)),
                 (None, Row(code, name, "fylke", None, unit="tekst", text=fylke)),
                 (None, Row(code, name, "delt", 1.0 if split else 0.0, unit="flagg"))]
    counts = [Row("fikk", "Fikk tjeneste", "kommuner", float(sum(c[5] == "ja" for c in changed))),
              Row("mistet", "Mistet tjeneste", "kommuner", float(sum(c[4] == "ja" for c in changed))),
              Row("ukjent", "Ukjent status i én av rundene", "kommuner",
                  float(sum(UNKNOWN in (c[4], c[5]) for c in changed)))]
    return rows, counts


def _org_codes(rounds: Sequence[RoundTables]) -> list[str]:
    """Organisation codes any round uses: the known ones in their order, then unknown ones sorted."""
    used = {str(c) for r in rounds for c in included(r.services)["organisering"].dropna()}
    return [c for c in ORG_LABELS if c in used] + sorted(used - set(ORG_LABELS))


def _org_rows(rounds: Sequence[RoundTables]) -> list[tuple[str | None, Row]]:
    groups: list[tuple[str, str, str, object]] = [("alle", "Alle tjenester", "total", None)]
    groups += [(kind, TYPE_LABELS[kind], "type", ("type", kind)) for kind in TYPE_LABELS]
    groups += [(code, ORG_LABELS.get(code, code.replace("_", " ").capitalize()), "org", ("organisering", code))
               for code in _org_codes(rounds)]
    rows: list[tuple[str | None, Row]] = []
    for code, label, kind, selector in groups:
        counts = []
        for r in rounds:
            inc = included(r.services)
            n = len(inc) if selector is None else int((inc[selector[0]].astype("object") == selector[1]).sum())
            counts.append(n)
            rows.append((r.round, Row(code, label, "tjenester", float(n))))
        rows.append((None, Row(code, label, "slag", None, unit="tekst", text=kind)))
        rows.append((None, Row(code, label, "endring", float(counts[-1] - counts[-2]))))
    return rows


def _split_rows(rounds: Sequence[RoundTables], harmonised: pd.DataFrame) -> list[tuple[str | None, Row]]:
    """Per round, the kommuner of the common structure holding part of a kommune later split, with the round's
    own kommuner they are made of: measure ``del<i>`` names the i-th (code and name, as the crosswalk has them),
    ``andel<i>`` is the share of its land the kommune got (the crosswalk's weight; 1 where it came whole, empty
    where no polygons show where a split kommune's land went)."""
    rows: list[tuple[str | None, Row]] = []
    for r in rounds:
        part = harmonised[(harmonised["round"].astype(str) == r.round)
                          & (harmonised["regel"].astype(str) == SPLIT_RULE)].sort_values("kommunenummer")
        for row in part.itertuples(index=False):
            category, label = str(row.kommunenummer), f"{row.kommunenummer} {row.kommunenavn}"
            names, weights = _as_list(row.fra_navn), list(row.fra_vekter) if row.fra_vekter is not None else []
            for i, code in enumerate(_as_list(row.fra_kommuner), start=1):
                weight = weights[i - 1] if i <= len(weights) else None
                share = None if weight is None or pd.isna(weight) else float(weight)
                name = names[i - 1] if i <= len(names) else ""
                rows += [(r.round, Row(category, label, f"del{i}", None, unit="tekst", text=f"{code} {name}".strip())),
                         (r.round, Row(category, label, f"andel{i}", share))]
    return rows


def _map_rows(rounds: Sequence[RoundTables]) -> list[tuple[str | None, Row]]:
    rows: list[tuple[str | None, Row]] = []
    for r in rounds:
        if r.map_status is None:
            continue
        status = r.map_status["status"].astype("object")
        rows += [(r.round, Row(cls, cls, "kommuner", float((status == cls).sum()))) for cls in MAP_CLASSES]
    return rows


def compare_rounds(round_name: str, rounds: Iterable[RoundTables], harmonised: pd.DataFrame) -> pd.DataFrame:
    """The ``comparison`` table of ``round_name``: it and every earlier round given, oldest first.

    Later rounds are left out whatever else the harmonised table holds, so a round's comparison (and its
    report) says the same however many rounds follow it. Needs at least one earlier round.
    """
    shown = sorted((r for r in rounds if r.round <= round_name), key=lambda r: r.round)
    if len(shown) < 2 or shown[-1].round != round_name:
        raise ValueError(f"round {round_name}: the comparison needs the round and at least one earlier round")
    present = set(harmonised["round"].astype(str))
    missing = [r.round for r in shown if r.round not in present]
    if missing:
        raise ValueError(f"harmonised kommune_status lacks round(s) {', '.join(missing)}; rerun the harmonise rule")
    harm = harmonised[harmonised["round"].astype(str).isin([r.round for r in shown])]
    changes, change_counts = _change_rows(harm, shown[-2].round, round_name)
    series: Mapping[str, list[tuple[str | None, Row]]] = {
        "runder": _rounds_rows(shown, harm),
        "dekning_fylke": _county_rows(shown, harm),
        "endring": changes,
        "endring_antall": [(None, row) for row in change_counts],
        "organisering": _org_rows(shown),
        "delte": _split_rows(shown, harm),
        "kart_runder": _map_rows(shown),
    }
    records = []
    for series_id, rows in series.items():
        order: dict[str, int] = {}
        for of_round, r in rows:
            nr = order.setdefault(r.category, len(order) + 1)
            records.append({"round": round_name, "series_id": series_id, "nr": nr, "category": r.category,
                            "label": r.label, "of_round": of_round, "measure": r.measure, "value": r.value,
                            "denominator": r.denominator, "text": r.text})
    return pd.DataFrame(records, columns=COMPARISON.column_names)


__all__ = ["RoundTables", "SPLIT_RULE", "compare_rounds"]
