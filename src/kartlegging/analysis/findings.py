"""Findings the published report states in words, each computed as a condition on the tables.

A register entry of ``kind: utsagn`` names a statement of the publication ("most
tilbud are for diabetes, kols, heart and vascular disease and cancer") and the
``definition`` that turns it into a condition on the data. Each id has one small
function here, keyed in :data:`FINDINGS`; it takes the round's *included*
services (``services`` with T18 = ja) and returns a :class:`Finding`. The figures
step stores it as a figure of unit ``utsagn``: value 1 where the statement holds
and 0 where it does not, with the counts it rests on as numerator and
denominator. The reconciliation reads 1 as ``lik`` and 0 as ``avviker``.

A register of another round states a finding by listing its id with
``kind: utsagn``, the statement as ``published`` and the definition; a new kind
of finding is one function added to :data:`FINDINGS` (see the README).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from kartlegging.core.tables import DOES_NOT_HOLD, HOLDS

#: The unit of a finding in figures.parquet.
UTSAGN = "utsagn"

#: The four diagnoses the publication names as the main target groups (T11 codes).
FOUR_DIAGNOSES: tuple[str, ...] = ("diabetes", "kols", "hjerte_kar", "kreft")
#: The other diagnoses the publication calls sporadic.
OTHER_DIAGNOSES: tuple[str, ...] = ("psykisk_helse", "muskel_skjelett", "overvekt")
ACROSS_DIAGNOSES = "paa_tvers"


@dataclass(frozen=True)
class Finding:
    """Whether a statement holds, and the two counts that show why (for a reader of the table)."""

    holds: bool
    numerator: float | None = None
    denominator: float | None = None


def _started(services: pd.DataFrame) -> pd.DataFrame:
    """Services that have started tilbud (T09 = ja): what the target-group findings count."""
    return services.loc[services["tilbud_startet"] == "ja"]


def _groups(value: object) -> set[str]:
    """One service's T11 codes; a missing answer (None, NaN) is no group."""
    if value is None or isinstance(value, float):
        return set()
    if isinstance(value, str):
        return {value}
    return {str(v) for v in value}


def target_group_counts(services: pd.DataFrame) -> Counter[str]:
    """How many started services name each T11 target group (a service counts once per group)."""
    counts: Counter[str] = Counter()
    for value in _started(services)["malgrupper"]:
        counts.update(_groups(value))
    return counts


def four_diagnoses_most_named(services: pd.DataFrame) -> Finding:
    """The four diagnoses are the four most named groups, each named by more services than any
    other group (a tie would not make them "the" four), and together over half of all mentions."""
    counts = target_group_counts(services)
    four = [counts[g] for g in FOUR_DIAGNOSES]
    others = [n for g, n in counts.items() if g not in FOUR_DIAGNOSES]
    total = sum(counts.values())
    holds = min(four) > max(others, default=0) and 2 * sum(four) > total
    return Finding(holds, float(sum(four)), float(total))


def other_diagnoses_sporadic(services: pd.DataFrame) -> Finding:
    """Each of the other diagnoses is named by fewer started services than the least named of the four."""
    counts = target_group_counts(services)
    least_of_four = min(counts[g] for g in FOUR_DIAGNOSES)
    most_other = max(counts[g] for g in OTHER_DIAGNOSES)
    return Finding(most_other < least_of_four, float(most_other), float(least_of_four))


def few_across_diagnoses(services: pd.DataFrame) -> Finding:
    """"Few": on tvers av diagnoser for at most a quarter of the started services (and some started)."""
    started = len(_started(services))
    n = target_group_counts(services)[ACROSS_DIAGNOSES]
    return Finding(started > 0 and 4 * n <= started, float(n), float(started))


def experience_several_tilbud(services: pd.DataFrame) -> Finding:
    """Every service included on experience (T19 = erfaring) reports two or more tilbud (T10).

    Without any such service the statement, which is about them, does not hold.
    """
    exp = services.loc[services["grunnlag"] == "erfaring"]
    several = int((pd.to_numeric(exp["antall_tilbud"], errors="coerce").fillna(0) >= 2).sum())
    return Finding(len(exp) > 0 and several == len(exp), float(several), float(len(exp)))


def name_matches_organisation(services: pd.DataFrame) -> Finding:
    """The services named with both friskliv and mestring (T01) are exactly those organised (T06) as
    frisklivs- og mestringssenter, so name and organisation split the frisklivssentraler alike.

    How many there are is the register's ``tjenester_friskliv_og_mestring_navn``; this
    finding is only that the two ways of counting them agree.
    """
    named = set(services.loc[services["friskliv_og_mestring_navn"].fillna(False).astype(bool), "service_id"])
    organised = set(services.loc[services["organisering"] == "friskliv_og_mestring", "service_id"])
    return Finding(named == organised, float(len(named & organised)), float(len(named | organised)))


#: Organisation codes (T06) of a service organised as or with a frisklivssentral, and the groups the
#: report compares them with (an own centre and a department are one group, as in the register).
FLS_CODES: tuple[str, ...] = ("frisklivssentral", "friskliv_og_mestring")
OTHER_ORGANISATION: tuple[tuple[str, ...], ...] = (("eget_senter", "avdeling"), ("koordinator",), ("annet",))


def frisklivssentral_most_common(services: pd.DataFrame) -> Finding:
    """More services are organised as or with a frisklivssentral (T06) than in any other way.

    The other ways are an own centre or department (together), a coordinator, and other; the
    counts are the frisklivssentral services and the largest other group.
    """
    org = services["organisering"]
    fls = int(org.isin(FLS_CODES).sum())
    largest_other = max(int(org.isin(group).sum()) for group in OTHER_ORGANISATION)
    return Finding(fls > largest_other, float(fls), float(largest_other))


#: Every finding the pipeline can compute, by register id.
FINDINGS: dict[str, Callable[[pd.DataFrame], Finding]] = {
    "malgrupper_fire_diagnoser_flest": four_diagnoses_most_named,
    "malgrupper_andre_diagnoser_sporadisk": other_diagnoses_sporadic,
    "malgrupper_pa_tvers_fa": few_across_diagnoses,
    "erfaring_flere_tilbud": experience_several_tilbud,
    "frisklivsnavn_som_organisering": name_matches_organisation,
    "frisklivssentral_vanligst": frisklivssentral_most_common,
}


def finding_values(finding_id: str, included: pd.DataFrame) -> dict[str, object]:
    """The figure fields of one finding: value 1/0, its counts, and ``holder``/``holder ikke`` as text."""
    f = FINDINGS[finding_id](included)
    return {"value": 1.0 if f.holds else 0.0, "numerator": f.numerator, "denominator": f.denominator,
            "text": HOLDS if f.holds else DOES_NOT_HOLD}


def finding_status(value: object) -> tuple[str, str | None]:
    """Reconciliation of a finding: ``lik`` where it holds, ``avviker`` where not; computed reads holder/holder ikke."""
    if value is None or (isinstance(value, float) and value != value):
        return "ikke beregnet", None
    return ("lik", HOLDS) if float(value) == 1 else ("avviker", DOES_NOT_HOLD)
