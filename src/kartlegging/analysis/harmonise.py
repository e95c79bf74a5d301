"""Every round's kommune_status in one kommune structure, by the territorial crosswalk.

The rule (the README, docs/ and the report's comparison section state it too):

    A kommune of the target structure had a service in a round when at least
    one of the round's kommuner that gave it land had one; else it had none
    when at least one of them answered; else its status is unknown.

"Gave it land" is read from the weights of the ``crosswalk`` table
(:mod:`kartlegging.analysis.crosswalk`): a round kommune gave land to every
kommune it has a link to, that is every candidate of SSB's change table whose
overlap with it is more than drawing noise (or, where no polygons exist, every
candidate). It is not a vote by area, for two reasons: a kommune's service
served all of that kommune's land, so every part of the land had it (when 1850
Tysfjord was split, both 1806 Narvik and 1875 Hamarøy got land that had
Tysfjord's service); and area says nothing about where people live, so a
majority of land would let a large, empty former kommune outvote a town. What
the weights decide is *which* former kommuner count: 1580 Haram (2024) is 2015
Haram's land and nothing of 2015 Ålesund's, so it has 2015 Haram's status.

``fra_vekter`` keeps each weight beside its former kommune, so a reader sees
where a part came from (``delt_del_av``: a former kommune that was split, whose
whole answer this part carries).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import pandas as pd

from kartlegging.analysis.crosswalk import CrosswalkError, pair_of
from kartlegging.core.classification import FYLKER

log = logging.getLogger("kartlegging.analysis.harmonise")

#: How a target kommune got its status in :func:`harmonise_status`.
RULES = ("uendret", "navn", "nytt_nummer", "sammenslått", "delt_del_av")

STATUS_VALUES = ("ja", "nei", "ukjent")

HARMONISED_COLUMNS = [
    "round", "kommunenummer", "kommunenavn", "fylkesnummer", "fylkesnavn",
    "har_tjeneste", "fra_kommuner", "fra_navn", "fra_vekter", "regel",
]


def combine(values: list[str]) -> str:
    """``ja`` if any part said ja; else ``nei`` if any part said nei; else ``ukjent``."""
    if "ja" in values:
        return "ja"
    if "nei" in values:
        return "nei"
    return "ukjent"


def _check_status(round_name: str, status: pd.DataFrame, codes: set[str], version: str) -> dict[str, str]:
    """The round's answers by kommune, or a named error for codes, values or duplicates that do not fit."""
    unknown_codes = sorted(set(status["kommunenummer"].astype(str)) - codes)
    if unknown_codes:
        raise CrosswalkError(
            f"round {round_name}: kommune_status has {', '.join(unknown_codes[:10])}, not kommuner of "
            f"Klass {version} (the round's classification)"
        )
    bad = sorted(set(status["har_tjeneste"].dropna()) - set(STATUS_VALUES))
    if bad or status["har_tjeneste"].isna().any():
        raise CrosswalkError(f"round {round_name}: har_tjeneste must be ja, nei or ukjent, found {bad or 'null'}")
    if status["kommunenummer"].duplicated().any():
        dups = sorted(status.loc[status["kommunenummer"].duplicated(), "kommunenummer"].unique())
        raise CrosswalkError(f"round {round_name}: kommune_status lists {', '.join(dups[:10])} more than once")
    answer = dict(zip(status["kommunenummer"].astype(str), status["har_tjeneste"].astype(str)))
    missing = sorted(codes - set(answer))
    if missing:
        log.warning(
            "round %s: %d kommuner of Klass %s have no kommune_status row and count as ukjent: %s",
            round_name, len(missing), version, ", ".join(missing[:10]),
        )
    return answer


def harmonise_round(round_name: str, status: pd.DataFrame, links: pd.DataFrame) -> list[dict]:
    """One round's status rows in the target structure, from the crosswalk rows of its version pair."""
    version = str(links["from_version"].iloc[0])
    answer = _check_status(round_name, status, set(links["from_code"].astype(str)), version)
    fan_out = links.groupby("from_code")["to_code"].nunique()
    rows = []
    for code, part in links.sort_values(["to_code", "from_code"]).groupby("to_code", sort=True):
        froms = [str(f) for f in part["from_code"]]
        if any(fan_out[f] > 1 for f in froms):
            regel = "delt_del_av"
        elif len(froms) > 1:
            regel = "sammenslått"
        else:
            regel = str(part["change"].iloc[0])
        weights = [None if pd.isna(w) else float(w) for w in part["weight"]]
        rows.append({
            "round": round_name, "kommunenummer": str(code), "kommunenavn": str(part["to_name"].iloc[0]),
            "fylkesnummer": str(code)[:2], "fylkesnavn": FYLKER.get(str(code)[:2], str(code)[:2]),
            "har_tjeneste": combine([answer.get(f, "ukjent") for f in froms]),
            "fra_kommuner": froms, "fra_navn": [str(n) for n in part["from_name"]], "fra_vekter": weights,
            "regel": regel,
        })
    return rows


def harmonise_status(
    statuses: list[pd.DataFrame],
    round_versions: Mapping[str, str],
    target_version: str,
    crosswalk: pd.DataFrame,
) -> pd.DataFrame:
    """Every round's kommune_status in the kommune structure of ``target_version`` (the module's rule).

    ``statuses`` are kommune_status frames (each with a ``round`` column; a frame
    may hold several rounds); ``round_versions`` gives each round's Klass version
    year; ``crosswalk`` is the crosswalk table (or the rows of the pairs needed).
    One row per round and kommune of the target version:

    * ``har_tjeneste``: ``ja`` if a former kommune that gave the kommune land said
      ja, else ``nei`` if one said nei, else ``ukjent``;
    * ``fra_kommuner``, ``fra_navn``, ``fra_vekter``: those former kommuner, their
      names, and the share of each one's land that lies here (empty where the
      polygons cannot tell);
    * ``regel``: ``uendret``, ``navn`` or ``nytt_nummer`` for a 1:1 link;
      ``sammenslått`` when several whole kommuner were combined; ``delt_del_av``
      when at least one of them was split, so its whole answer is attributed to
      this part of it too.
    """
    rows: list[dict] = []
    seen: set[str] = set()
    for frame in statuses:
        missing_cols = {"round", "kommunenummer", "har_tjeneste"} - set(frame.columns)
        if missing_cols:
            raise CrosswalkError(f"kommune_status frame lacks column(s) {', '.join(sorted(missing_cols))}")
        for round_name, part in frame.groupby(frame["round"].astype(str), sort=True):
            if round_name in seen:
                raise CrosswalkError(f"round {round_name} appears in more than one kommune_status")
            seen.add(round_name)
            if round_name not in round_versions:
                raise CrosswalkError(
                    f"round {round_name}: no classification given (rounds configured: "
                    f"{', '.join(sorted(round_versions)) or 'none'})"
                )
            links = pair_of(crosswalk, str(round_versions[round_name]), str(target_version))
            rows += harmonise_round(round_name, part, links)
    return pd.DataFrame(rows, columns=HARMONISED_COLUMNS)


__all__ = ["HARMONISED_COLUMNS", "RULES", "STATUS_VALUES", "combine", "harmonise_round", "harmonise_status"]
