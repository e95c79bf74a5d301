"""The design of the synthetic 2015 round: who has which service, and who answered what.

The published figures of NK LMH 4/2016 are the target. This module states, as
plain data, the 41 included services (with every coded interview answer), the
rejected candidates, and - drawn from the seed - which units answered by e-mail,
which were phoned and what they said. :func:`check_design` recomputes every
survey figure from the design alone and fails loudly when one is off, so a wrong
figure is caught here and not only after the whole pipeline has run.

The writers (``emails``, ``phone``, ``interviews``) only decide how the answers
are *typed*; what is answered is fixed here.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import pandas as pd

from kartlegging.analysis.findings import FINDINGS
from kartlegging.core.classification import OSLO, Classification

ROUND = "2015"


class DesignError(AssertionError):
    """The design does not reproduce a published figure."""


# -- services -------------------------------------------------------------------

@dataclass(frozen=True)
class Interview:
    """The coded answers of one interview workbook (T01-T19, T22).

    Typed text is chosen by the writer, except where the typing is itself a
    design decision: ``t04`` (``IKS``/``samarbeid``), ``t06`` (the organisation as
    said) and ``t10`` (``ca. 5``, ``3-4``, ``fem``). ``t11`` holds the target
    groups as codes (:data:`kartlegging.core.coding.MALGRUPPER`); the writer types them.
    """

    navn: str
    host: str
    members: tuple[str, ...]
    t04: str
    t06: str
    organisering: str
    t07: bool
    t08: str
    t09: str
    t10: int | str | None
    t12: str | None
    t13: str
    t14: str
    t15: str | None
    t16: str | None
    t17: str | None
    t18: str = "ja"
    t19: str | None = "tjeneste"
    bydel: str | None = None
    dato: date | None = None
    t11: tuple[str, ...] = ()


@dataclass(frozen=True)
class Service:
    """A candidate service: one interview, or several (Oslo's bydeler) merged."""

    key: str
    interviews: tuple[Interview, ...]

    @property
    def host(self) -> str:
        return self.interviews[0].host

    @property
    def kommuner(self) -> tuple[str, ...]:
        return (self.host,) + self.interviews[0].members

    @property
    def included(self) -> bool:
        return merge_yes_no([i.t18 for i in self.interviews]) == "ja"


_NUMBER_WORDS = {"en": 1, "ett": 1, "to": 2, "tre": 3, "fire": 4, "fem": 5, "seks": 6,
                 "sju": 7, "syv": 7, "åtte": 8, "ni": 9, "ti": 10}


def count_value(typed: int | str | None) -> float | None:
    """T10 as the published total counts it: ranges at their midpoint, ``ca. N`` as N."""
    if typed is None:
        return None
    if isinstance(typed, int):
        return float(typed)
    text = re.sub(r"^(ca\.?|cirka)\s*", "", typed.strip().lower())
    if text in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[text])
    m = re.fullmatch(r"(\d+)\s*-\s*(\d+)", text)
    if m:
        return (int(m.group(1)) + int(m.group(2))) / 2
    return float(int(text))


def merge_yes_no(values: list[str | None]) -> str | None:
    """INPUTS.md's rule for Oslo's bydeler: ja if any ja, else nei if any nei, else vet_ikke."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    if "ja" in present:
        return "ja"
    if "nei" in present:
        return "nei"
    return "vet_ikke"


def _most_frequent(values: list[str | None]) -> str | None:
    present = [v for v in values if v is not None]
    if not present:
        return None
    return max(sorted(set(present)), key=present.count)


def merged(service: Service) -> dict[str, object]:
    """The service-level answers, merged over its interviews as the pipeline must merge them."""
    ivs = service.interviews
    yn = {f"t{n:02d}": merge_yes_no([getattr(i, f"t{n:02d}") for i in ivs])
          for n in (8, 9, 13, 14, 15, 16, 17, 18)}
    counts = [count_value(i.t10) for i in ivs if i.t10 is not None]
    return {
        **yn,
        "organisering": _most_frequent([i.organisering for i in ivs]),
        "fm_navn": any("friskliv" in i.navn.lower() and "mestring" in i.navn.lower() for i in ivs),
        "t07": any(i.t07 for i in ivs),
        "t10": sum(counts) if counts else None,
        "t11": sorted({g for i in ivs for g in i.t11}),
        "t12": _most_frequent([i.t12 for i in ivs]),
        "t19": _most_frequent([i.t19 for i in ivs]),
    }


def _iv(key: str, host: str, members: str, navn: str, t04: str, t06: str, org: str, t07: bool,
        t08: str, t09: str, t10: int | str | None, t12: str | None, t13: str, t14: str,
        t15: str | None, t16: str | None, t17: str | None, t19: str | None = "tjeneste",
        t18: str = "ja", bydel: str | None = None) -> tuple[str, Interview]:
    return key, Interview(navn, host, tuple(members.split()), t04, t06, org, t07, t08, t09, t10,
                          t12, t13, t14, t15, t16, t17, t18, t19, bydel)


V, U, D = "via_brukerorganisasjoner", "utenom_organisasjonene", "vet_ikke"
FLS, FM = "frisklivssentral", "friskliv_og_mestring"

#: The 41 included services plus Oslo's bydel interviews, one row per interview.
#: Columns: key, host, other kommuner, T01, T04, T06 as said, T06 coded, T07,
#: T08, T09, T10 as typed, T12, T13, T14, T15, T16, T17, (T19, T18, bydel).
_INCLUDED_ROWS: tuple[tuple[str, Interview], ...] = (
    # interkommunale frisklivssentraler (10 services, 34 kommuner)
    _iv("IF01", "0124", "0125 0138 0123 0122", "Friskliv og mestring Indre Østfold", "interkommunal",
        "frisklivs- og mestringssenter", FM, False, "ja", "ja", 6, V, "ja", "ja", "ja", "nei", "ja"),
    _iv("IF02", "0437", "0438 0439 0436 0432", "Frisklivssentralen i Nord-Østerdal", "IKS",
        "frisklivssentral", FLS, False, "ja", "ja", 3, V, "nei", "ja", "ja", "ja", "ja"),
    _iv("IF03", "0517", "0516 0519 0520", "Frisklivssentralen Midt-Gudbrandsdal", "samarbeid",
        "frisklivssentral", FLS, False, "ja", "ja", "3-4", V, "nei", "ja", "ja", "ja", "ja"),
    _iv("IF04", "0617", "0618 0619 0620", "Hallingdal frisklivs- og mestringssenter", "interkommunal",
        "frisklivs- og mestringssenter", FM, False, "ja", "ja", 5, V, "ja", "ja", "ja", "ja", "ja"),
    _iv("IF05", "0821", "0822 0819", "Frisklivssentralen i Midt-Telemark", "interkommunal",
        "frisklivssentral", FLS, False, "ja", "ja", 3, V, "nei", "ja", "ja", "ja", "ja"),
    _iv("IF06", "1221", "1222 1219", "Frisklivssentralen i Sunnhordland", "samarbeid",
        "frisklivssentral", FLS, False, "ja", "ja", "2-3", V, "nei", "ja", "ja", "ja", "nei"),
    _iv("IF07", "1432", "1433 1431", "Frisklivs- og mestringssentralen i Sunnfjord", "interkommunal",
        "frisklivs- og mestringssenter", FM, False, "ja", "ja", 4, V, "ja", "ja", "ja", "ja", "ja"),
    _iv("IF08", "1516", "1517 1515", "Frisklivssentralen på Søre Sunnmøre", "IKS",
        "frisklivssentral", FLS, False, "ja", "ja", 3, V, "nei", "ja", "nei", "ja", "ja"),
    _iv("IF09", "1841", "1845", "Frisklivssentralen i Fauske og Sørfold", "interkommunal",
        "frisklivssentral", FLS, False, "nei", "ja", 2, V, "nei", "ja", "ja", "ja", "ja"),
    _iv("IF10", "2003", "2027", "Frisklivssentralen Vadsø og Nesseby", "samarbeid",
        "Frisklivssentral", FLS, True, "vet_ikke", "ja", 1, U, "nei", "ja", "ja", "ja", "ja"),
    # interkommunale koordinatorer (3 services, 17 kommuner)
    _iv("IK01", "1702", "1724 1725 1736 1756 1721 1719", "Koordinator for læring og mestring i Innherred",
        "samarbeid", "koordinator", "koordinator", False, "ja", "ja", "ca. 5", V, "ja", "ja", "ja", "nei", "ja"),
    _iv("IK02", "1931", "1929 1928 1927 1925 1926", "Læring og mestring Midt-Troms", "interkommunal",
        "koordinator", "koordinator", False, "nei", "ja", 3, V, "ja", "ja", "ja", "nei", "ja"),
    _iv("IK03", "1502", "1547 1545 1548", "Lærings- og mestringskoordinator i Romsdal", "IKS",
        "koordinator", "koordinator", True, "ja", "nei", None, None, "nei", "ja", "nei", "ja", "ja"),
    # kommunale frisklivssentraler (17 services; Oslo is three bydel interviews)
    _iv("K01", OSLO, "", "Frisklivssentralen i Bydel Grünerløkka", "kommunal", "frisklivssentral", FLS, False,
        "ja", "ja", 3, V, "nei", "ja", "ja", "nei", "ja", bydel="030102"),
    _iv("K01", OSLO, "", "Frisklivssentralen Stovner", "kommunal", "frisklivssentral", FLS, False,
        "nei", "ja", 2, V, "ja", "vet_ikke", None, None, None, bydel="030111"),
    _iv("K01", OSLO, "", "Lærings- og mestringskoordinator i Bydel Søndre Nordstrand", "Kommunal",
        "koordinator", "koordinator", False, "ja", "ja", "ca. 2", V, "nei", "nei", None, None, None,
        bydel="030115"),
    _iv("K02", "0106", "", "Frisklivssentralen i Fredrikstad", "kommunal", "frisklivssentral", FLS, False,
        "ja", "ja", 3, V, "nei", "ja", "ja", "ja", "ja"),
    _iv("K03", "0219", "", "Frisklivssentralen i Bærum", "kommunal", "frisklivssentral", FLS, False,
        "ja", "ja", 5, V, "ja", "ja", "ja", "nei", "ja"),
    _iv("K04", "0231", "", "Skedsmo frisklivssentral", "kommunal", "frisklivssentral", FLS, False,
        "nei", "ja", 2, V, "nei", "nei", None, None, None),
    _iv("K05", "0403", "", "Frisklivssentralen i Hamar", "Kommunal", "frisklivssentral", FLS, False,
        "ja", "ja", 3, V, "nei", "ja", "nei", "ja", "nei"),
    _iv("K06", "0501", "", "Lillehammer frisklivs- og mestringssenter", "kommunal",
        "frisklivs- og mestringssenter", FM, True, "ja", "ja", "fem", V, "ja", "ja", "ja", "ja", "ja"),
    _iv("K07", "0602", "", "Frisklivssentralen Drammen", "kommunal", "frisklivssentral", FLS, False,
        "ja", "ja", 3, V, "nei", "ja", "ja", "ja", "ja"),
    _iv("K08", "0704", "", "Frisklivssentralen i Tønsberg", "kommunal", "frisklivssentral", FLS, False,
        "ja", "ja", 3, V, "nei", "ja", "nei", "ja", "ja"),
    _iv("K09", "0806", "", "Skien frisklivssentral", "kommunal", "frisklivssentral", FLS, False,
        "nei", "ja", 2, V, "nei", "ja", "ja", "nei", "nei"),
    _iv("K10", "1001", "", "Friskliv og mestring Kristiansand", "kommunal",
        "friskliv og mestring", FM, False, "ja", "ja", "ca. 4", V, "ja", "ja", "ja", "ja", "ja"),
    _iv("K11", "1103", "", "Frisklivssentralen i Stavanger", "kommunal", "frisklivssentral", FLS, False,
        "ja", "ja", 5, V, "ja", "ja", "ja", "ja", "ja"),
    _iv("K12", "1102", "", "Sandnes frisklivs- og mestringssenter", "kommunal",
        "frisklivs- og mestringssenter", FM, False, "ja", "ja", 4, V, "ja", "ja", "ja", "ja", "ja"),
    _iv("K13", "1201", "", "Frisklivssentralen i Bergen", "kommunal", "frisklivssentral", FLS, False,
        "nei", "ja", 6, V, "nei", "vet_ikke", None, None, None),
    _iv("K14", "1235", "", "Frisklivssentralen på Voss", "kommunal", "frisklivssentral", FLS, False,
        "ja", "ja", "tre", V, "nei", "ja", "nei", "ja", "nei"),
    _iv("K15", "1601", "", "Frisklivs- og mestringssenteret i Trondheim", "kommunal",
        "frisklivs- og mestringssenter", FM, False, "ja", "ja", "sju", V, "ja", "ja", "ja", "ja", "ja"),
    _iv("K16", "1804", "", "Frisklivs- og mestringssenteret i Bodø", "kommunal",
        "frisklivs- og mestringssenter", FM, False, "ja", "ja", 5, V, "ja", "ja", "ja", "ja", "ja"),
    _iv("K17", "1902", "", "Frisklivssentralen i Tromsø", "kommunal", "frisklivssentral", FLS, False,
        "ja", "ja", 3, V, "nei", "ja", "ja", "ja", "ja"),
    # eget senter / avdeling (4, kommunale)
    _iv("E01", "0220", "", "Lærings- og mestringssenteret i Asker", "kommunal", "eget senter", "eget_senter",
        True, "ja", "ja", 4, V, "ja", "ja", "ja", "nei", "ja"),
    _iv("E02", "0906", "", "Avdeling for læring og mestring, Arendal", "kommunal", "avdeling", "avdeling",
        False, "ja", "ja", 3, U, "ja", "ja", "ja", "ja", "nei"),
    _iv("E03", "1504", "", "Ålesund lærings- og mestringssenter", "kommunal", "eget senter", "eget_senter",
        True, "ja", "nei", None, None, "nei", "ja", "nei", "nei", "nei"),
    _iv("E04", "1106", "", "Læring og mestring, Haugesund", "kommunal", "avdeling", "avdeling",
        False, "nei", "ja", 2, V, "nei", "nei", None, None, None),
    # kommunale koordinatorer (3)
    _iv("C01", "0605", "", "Lærings- og mestringskoordinator i Ringerike", "kommunal", "koordinator",
        "koordinator", True, "nei", "nei", None, None, "nei", "vet_ikke", None, None, None),
    _iv("C02", "0709", "", "Koordinator for læring og mestring, Larvik", "kommunal", "koordinator",
        "koordinator", False, "ja", "ja", "to", V, "ja", "ja", "ja", "nei", "ja"),
    _iv("C03", "1833", "", "Læring og mestring i Rana", "kommunal", "koordinator", "koordinator",
        True, "vet_ikke", "nei", None, None, "nei", "ja", "nei", "nei", "nei"),
    # included on experience (4, kommunale)
    _iv("X01", "0502", "", "Gruppetilbud i helse og omsorg, Gjøvik", "kommunal",
        "annet: tilbud gjennom ergo- og fysioterapitjenesten", "annet", False, "nei", "ja", 3, V, "nei",
        "nei", None, None, None, t19="erfaring"),
    _iv("X02", "1149", "", "Mestringskurs i Karmøy", "kommunal",
        "annet: helsestasjon og psykisk helse i samarbeid", "annet", False, "ja", "ja", "fire", U, "nei",
        "ja", "nei", "nei", "nei", t19="erfaring"),
    _iv("X03", "1703", "", "Kurs for personer med kronisk sykdom, Namsos", "kommunal",
        "annet: tilbud i regi av hjemmetjenesten", "annet", False, "nei", "ja", 3, V, "nei",
        "vet_ikke", None, None, None, t19="erfaring"),
    _iv("X04", "2004", "", "Gruppetilbud i Hammerfest", "kommunal",
        "annet: ulike enheter i helse og omsorg", "annet", False, "nei", "ja", "ca. 3", D, "nei",
        "nei", None, None, None, t19="erfaring"),
)

#: Candidates interviewed but not included (T18 = nei): no equal user participation.
_REJECTED_ROWS: tuple[tuple[str, Interview], ...] = (
    _iv("R01", "0805", "", "Koordinator for pasientopplæring, Porsgrunn", "kommunal", "koordinator",
        "koordinator", False, "nei", "ja", 2, None, "nei", "nei", None, None, None, t19=None, t18="nei"),
    _iv("R02", "1124", "", "Frisklivssentralen i Sola", "kommunal", "frisklivssentral", FLS, False,
        "nei", "ja", 3, None, "nei", "ja", "nei", "nei", "ja", t19=None, t18="nei"),
    _iv("R03", "1938", "", "Kurs ved Lyngen helsesenter", "kommunal", "annet: kurs i regi av helsesenteret",
        "annet", False, "nei", "ja", 1, None, "nei", "nei", None, None, None, t19=None, t18="nei"),
    _iv("R04", "0412", "", "Frisklivssentralen i Ringsaker", "kommunal", "frisklivssentral", FLS, False,
        "vet_ikke", "ja", 2, None, "nei", "vet_ikke", None, None, None, t19=None, t18="nei"),
    _iv("R05", "1653", "", "Rehabiliteringsavdelingen i Melhus", "kommunal", "avdeling", "avdeling", False,
        "nei", "ja", 1, None, "ja", "ja", "ja", "nei", "nei", t19=None, t18="nei"),
)


#: One letter per T11 target group code, to keep the table below readable.
_GROUP_LETTERS: dict[str, str] = {
    "d": "diabetes", "k": "kols", "h": "hjerte_kar", "c": "kreft", "p": "psykisk_helse",
    "m": "muskel_skjelett", "o": "overvekt", "t": "paa_tvers", "r": "parorende", "a": "annet",
}

#: T11 target groups per interview (Oslo's by bydel), as in a national mapping: most services
#: name several groups, the four diagnoses of the published text (diabetes, kols, hjerte- og kar,
#: kreft) dominate, other diagnoses are sporadic and few tilbud are across diagnoses. Services
#: that have not started (T09 = nei) and rejected candidates name the groups they plan for.
TARGET_GROUPS: dict[str, str] = {
    "IF01": "dkhco", "IF02": "dkhc", "IF03": "dkh", "IF04": "dkhcp", "IF05": "dkc", "IF06": "kco",
    "IF07": "dkhcr", "IF08": "dhc", "IF09": "kmo", "IF10": "kd", "IK01": "dkhct", "IK02": "dkhcr",
    "IK03": "dkh", "K01/030102": "dko", "K01/030111": "kp", "K01/030115": "dhct", "K02": "dkhc",
    "K03": "dkhm", "K04": "dk", "K05": "dhco", "K06": "dkhcpr", "K07": "dkc", "K08": "dkhm", "K09": "kho",
    "K10": "dkhcpt", "K11": "dkhcm", "K12": "dkhcr", "K13": "dkhco", "K14": "kcp", "K15": "dkhcpma",
    "K16": "dkhcrt", "K17": "kho", "E01": "dkhcpa", "E02": "dkcr", "E03": "cp", "E04": "hpo",
    "C01": "om", "C02": "kr", "C03": "dk", "X01": "dkm", "X02": "cpr", "X03": "dkht", "X04": "dhoa",
    "R01": "dk", "R02": "do", "R03": "a", "R04": "dko", "R05": "m",
}


def _target_groups(key: str, iv: Interview) -> tuple[str, ...]:
    """The interview's T11 codes from :data:`TARGET_GROUPS`."""
    letters = TARGET_GROUPS[f"{key}/{iv.bydel}" if iv.bydel else key]
    return tuple(_GROUP_LETTERS[x] for x in letters)


def _group(rows: tuple[tuple[str, Interview], ...]) -> list[Service]:
    keys: list[str] = []
    by_key: dict[str, list[Interview]] = {}
    for key, iv in rows:
        iv = replace(iv, t11=_target_groups(key, iv))
        if key not in by_key:
            keys.append(key)
        by_key.setdefault(key, []).append(iv)
    return [Service(k, tuple(by_key[k])) for k in keys]


# -- units: e-mail and phone ------------------------------------------------------

#: Service kommuner (outside Oslo) that answered the e-mail, with their question-1
#: answer. Hosts mostly knew; members of interkommunale services and kommuner
#: included on experience often did not (the report stresses the lack of knowledge).
SERVICE_EMAIL_Q1: dict[str, str] = {
    # ja: hosts that knew their service
    "0106": "ja", "0219": "ja", "0501": "ja", "0602": "ja", "1001": "ja", "1103": "ja",
    "1804": "ja", "0124": "ja", "0617": "ja", "0220": "ja", "0709": "ja", "1702": "ja",
    # nei: members and experience-based kommuner that did not see themselves as having a service
    "0138": "nei", "0439": "nei", "0519": "nei", "0620": "nei", "1222": "nei", "1724": "nei",
    "1928": "nei", "1547": "nei", "0502": "nei", "2004": "nei",
    # vet ikke
    "0125": "vet_ikke", "0436": "vet_ikke", "0822": "vet_ikke", "1433": "vet_ikke",
    "1517": "vet_ikke", "1926": "vet_ikke", "1149": "vet_ikke",
}
#: Oslo's two replying units: the rådmann (unsure: services sit in the bydeler)
#: and Bydel Stovner (ja). Every other bydel is phoned.
OSLO_EMAIL_Q1: dict[str, str] = {"K0301": "vet_ikke", "B030111": "ja"}
#: Rejected candidates that said ja by e-mail (Lyngen said ja on the phone).
REJECTED_EMAIL_JA: tuple[str, ...] = ("0805", "1124", "0412", "1653")
#: Kommuner whose phone rows are typed with a bare ambiguous name or a
#: disambiguated one; they must be in the phone round, not among the e-mail replies.
PHONE_ONLY: tuple[str, ...] = ("1818", "0236", "0713", "1867", "0426", "0441", "0137", "1515",
                               "0821", "1243", "0616", "1514", "1938", "0829", "0221", "0612",
                               "0101", "2011")
#: Bydeler that said ja on the phone (two of them were interviewed).
OSLO_PHONE_JA: tuple[str, ...] = ("B030102", "B030115", "B030101")

#: Counts of the seeded allocation.
NON_SERVICE_EMAIL = 158        # 187 - 29 service kommuner
NON_SERVICE_EMAIL_JA = 15      # plus the 4 rejected candidates = 19
NON_SERVICE_EMAIL_VET_IKKE = 22
UNRESOLVABLE = 3
ATTACHMENT_ONLY = 2
UNCLEAR = 2
NEVER_REACHED = 5


@dataclass
class EmailPlan:
    """What one unit answered by e-mail (the final answer; ``first`` if it corrected itself).

    ``special``: ``unresolvable`` (no cascade step can identify the sender),
    ``attachment`` (the answer is only in an attached file), ``unclear`` (q1
    cannot be coded), or None. ``q1`` is the answer after the analyst's overrides.
    """

    q1: str
    q5: str
    special: str | None = None
    first_q1: str | None = None
    auto_before: bool = False


@dataclass
class PhonePlan:
    """A phoned unit's final conclusive answer (None: never reached)."""

    final: str | None
    attempts: int = 1


@dataclass
class Unit:
    """One dispatch unit: a kommune's rådmann or an Oslo bydelsdirektør."""

    enhet_id: str
    kommunenummer: str
    navn: str
    email: EmailPlan | None = None
    auto_only: bool = False
    phone: PhonePlan | None = None

    @property
    def replied(self) -> bool:
        return self.email is not None


@dataclass
class Design:
    """The whole synthetic round: services, rejected candidates and every unit's answers."""

    classification: Classification
    services: list[Service]
    rejected: list[Service]
    units: dict[str, Unit] = field(default_factory=dict)

    @property
    def service_kommuner(self) -> set[str]:
        return {k for s in self.services for k in s.kommuner}

    def interviews(self) -> list[tuple[Service, Interview]]:
        return [(s, iv) for s in self.services + self.rejected for iv in s.interviews]


def _dates(n: int, rng: random.Random, first: date, last: date) -> list[date]:
    """``n`` weekday dates from ``first`` to ``last``, both ends included, in order."""
    days = [first + timedelta(d) for d in range((last - first).days + 1)]
    days = [d for d in days if d.weekday() < 5 and not (date(2014, 12, 22) <= d <= date(2015, 1, 2))]
    inner = sorted(rng.choices(days[1:-1], k=n - 2))
    return [days[0], *inner, days[-1]]


def build_design(classification: Classification, seed: int) -> Design:
    """Build the design: fixed services, seeded allocation of answers to units."""
    rng = random.Random(f"design-{seed}")
    services, rejected = _group(_INCLUDED_ROWS), _group(_REJECTED_ROWS)
    # interview dates: first in November 2014, last in January 2015
    all_ivs = [(s, i) for s in services + rejected for i in range(len(s.interviews))]
    order = list(range(len(all_ivs)))
    rng.shuffle(order)
    dates = _dates(len(all_ivs), rng, date(2014, 11, 17), date(2015, 1, 23))
    dated: dict[tuple[str, int], date] = {}
    for pos, idx in enumerate(order):
        s, i = all_ivs[idx]
        dated[(s.key, i)] = dates[pos]

    def with_dates(svcs: list[Service]) -> list[Service]:
        return [Service(s.key, tuple(_replace_date(iv, dated[(s.key, n)]) for n, iv in enumerate(s.interviews)))
                for s in svcs]

    design = Design(classification, with_dates(services), with_dates(rejected))
    _allocate_units(design, rng)
    return design


def _replace_date(iv: Interview, when: date) -> Interview:
    return replace(iv, dato=when)


def add_units(design: Design) -> None:
    """One dispatch unit per kommune and per Oslo bydel of the design's classification, in code order."""
    c = design.classification
    for code in sorted(c.kommuner):
        design.units[f"K{code}"] = Unit(f"K{code}", code, c.kommuner[code].name)
    for code in sorted(c.bydeler):
        design.units[f"B{code}"] = Unit(f"B{code}", OSLO, f"Bydel {c.bydeler[code]}")


def _allocate_units(design: Design, rng: random.Random) -> None:
    """Decide, from the seed, who answered by e-mail, who was phoned, and what they said."""
    c = design.classification
    add_units(design)
    served = design.service_kommuner
    rejected_hosts = {s.host for s in design.rejected}

    def q5_for(q1: str) -> str:
        if q1 == "ja":
            return rng.choice(["nei", "nei", "ja"])
        return rng.choices(["ja", "nei", "vet_ikke"], [3, 5, 3])[0]

    # Oslo and the service kommuner that answered by e-mail
    for enhet, q1 in OSLO_EMAIL_Q1.items():
        design.units[enhet].email = EmailPlan(q1, "nei" if q1 == "ja" else "vet_ikke")
    for code, q1 in SERVICE_EMAIL_Q1.items():
        design.units[f"K{code}"].email = EmailPlan(q1, q5_for(q1))
    # the kommuner without service: 158 reply, drawn from the seed
    pool = sorted(k for k in c.kommuner if k not in served and k not in rejected_hosts
                  and k not in PHONE_ONLY and k != OSLO)
    chosen = sorted(rng.sample(pool, NON_SERVICE_EMAIL - len(REJECTED_EMAIL_JA)))
    roles = (["ja"] * NON_SERVICE_EMAIL_JA + ["vet_ikke"] * NON_SERVICE_EMAIL_VET_IKKE
             + ["unresolvable"] * UNRESOLVABLE + ["attachment"] * ATTACHMENT_ONLY + ["unclear"] * UNCLEAR)
    roles += ["nei"] * (len(chosen) - len(roles))
    rng.shuffle(roles)
    for code, role in zip(chosen, roles):
        if role in ("ja", "nei", "vet_ikke"):
            plan = EmailPlan(role, q5_for(role))
        elif role == "unclear":
            plan = EmailPlan("uklart", "uklart", special="unclear")
        else:
            plan = EmailPlan("nei", rng.choice(["ja", "nei", "vet_ikke"]), special=role)
        design.units[f"K{code}"].email = plan
    for code in REJECTED_EMAIL_JA:
        design.units[f"K{code}"].email = EmailPlan("ja", "nei")
    # corrections: the later reply wins (one service kommune unsure first, then ja;
    # one kommune said ja first and corrected to nei; a colleague repeating nei;
    # one unsure first, then nei)
    plain = [u for u in design.units.values() if u.email and u.email.special is None
             and u.enhet_id.startswith("K") and u.kommunenummer not in served
             and u.kommunenummer not in rejected_hosts]
    rng.shuffle(plain)
    design.units["K1804"].email.first_q1 = "vet_ikke"
    firsts = {"nei": ["ja", "nei", "vet_ikke"]}
    picked = [u for u in plain if u.email.q1 == "nei"][:3]
    for unit, first in zip(picked, firsts["nei"]):
        unit.email.first_q1 = first
    # auto-replies before a real reply
    repliers = sorted((u for u in design.units.values() if u.email and u.email.special is None
                       and u.email.first_q1 is None), key=lambda u: u.enhet_id)
    for unit in rng.sample(repliers, 6):
        unit.email.auto_before = True
    # the phone round: every unit without a non-auto reply
    phoned = [u for u in design.units.values() if u.email is None]
    never = set(rng.sample(sorted(u.enhet_id for u in phoned if u.kommunenummer not in served
                                  and u.enhet_id.startswith("K") and u.kommunenummer not in PHONE_ONLY
                                  and u.kommunenummer not in rejected_hosts), NEVER_REACHED))
    for unit in phoned:
        attempts = rng.choices([1, 2, 3], [65, 25, 10])[0]
        if unit.enhet_id in never:
            unit.phone = PhonePlan(None, rng.choice([2, 3]))
            continue
        if unit.enhet_id.startswith("B"):
            final = "ja" if unit.enhet_id in OSLO_PHONE_JA else rng.choice(["nei", "nei", "vet_ikke"])
        elif unit.kommunenummer in served:
            hosts = {s.host for s in design.services}
            final = "ja" if unit.kommunenummer in hosts else rng.choices(["ja", "nei", "vet_ikke"], [5, 3, 2])[0]
        elif unit.kommunenummer in rejected_hosts:
            final = "ja"
        else:
            final = rng.choices(["nei", "vet_ikke", "ja"], [75, 15, 10])[0]
        unit.phone = PhonePlan(final, attempts)
    # auto-replies from units that never answered by e-mail (they were phoned)
    autos = sorted(u.enhet_id for u in phoned if u.kommunenummer not in PHONE_ONLY)
    for enhet in rng.sample(autos, 7) + ["B030105"]:
        design.units[enhet].auto_only = True


# -- the self-check -------------------------------------------------------------------

#: The published survey figures the design must reproduce (ids of the register).
TARGETS: dict[str, object] = {
    "kommuner_totalt": 428, "mottakere_epost": 443, "epost_kommuner_med_svar": 188,
    "telefonrunde_enheter": 254, "tjenester_totalt": 41, "tjenester_kommunale": 28,
    "tjenester_interkommunale": 13, "kommuner_i_interkommunale": 51, "kommuner_med_tjeneste": 79,
    "kommuner_uten_tjeneste": 349, "tjenester_prosjektfinansiert": 7,
    "brukerorg_etablering_ja": 29, "brukerorg_etablering_nei": 10, "brukerorg_etablering_vet_ikke": 2,
    "rekruttering_via_organisasjoner": 33, "rekruttering_utenom": 3, "rekruttering_vet_ikke": 1,
    "tjenester_frisklivssentral": 27, "kommuner_frisklivssentral": 51,
    "tjenester_friskliv_og_mestring_navn": 8, "tjenester_frisklivssentral_ren": 19,
    "kommuner_ikke_frisklivssentral": 24, "tjenester_eget_senter": 4, "tjenester_koordinator": 6,
    "tjenester_inkludert_erfaring": 4, "tjenester_ikke_startet": 4, "tjenester_startet": 37,
    "tilbud_totalt": 135.0, "tjenester_kompetansekurs": 16, "tjenester_samarbeid_hf": 34,
    "kommuner_samarbeid_hf": 72, "tjenester_hf_utvikling": 26, "kommuner_hf_utvikling": 59,
    "tjenester_hf_helsepedagogikk": 23, "kommuner_hf_helsepedagogikk": 46,
    "tjenester_hf_tilbud": 26, "kommuner_hf_tilbud": 62,
    "intervju_periode": ("2014-11", "2015-01"),
}


def compute_figures(design: Design) -> dict[str, object]:
    """Every survey figure of the register, recomputed from the design alone."""
    inc = [s for s in design.services if s.included]
    m = {s.key: merged(s) for s in inc}
    kommuner = lambda ss: {k for s in ss for k in s.kommuner}  # noqa: E731
    fls = [s for s in inc if m[s.key]["organisering"] in (FLS, FM)]
    non_fls = [s for s in inc if m[s.key]["organisering"] in ("eget_senter", "avdeling", "koordinator")]
    started = [s for s in inc if m[s.key]["t09"] == "ja"]
    hf = [s for s in inc if m[s.key]["t14"] == "ja"]
    units = design.units.values()
    replied_kommuner = {u.kommunenummer for u in units if u.email is not None}
    ja_kommuner = {u.kommunenummer for u in units if u.email is not None and u.email.q1 == "ja"}
    served = kommuner(inc)
    dates = sorted(iv.dato for _, iv in design.interviews() if iv.dato)
    f: dict[str, object] = {
        "kommuner_totalt": len(design.classification.kommuner),
        "mottakere_epost": len(design.units),
        "epost_kommuner_med_svar": len(replied_kommuner),
        "telefonrunde_enheter": sum(1 for u in units if u.phone is not None),
        "tjenester_totalt": len(inc),
        "tjenester_kommunale": sum(1 for s in inc if len(s.kommuner) == 1),
        "tjenester_interkommunale": sum(1 for s in inc if len(s.kommuner) > 1),
        "kommuner_i_interkommunale": len(kommuner([s for s in inc if len(s.kommuner) > 1])),
        "kommuner_med_tjeneste": len(served),
        "kommuner_uten_tjeneste": len(design.classification.kommuner) - len(served),
        "tjenester_prosjektfinansiert": sum(1 for s in inc if m[s.key]["t07"]),
        "brukerorg_etablering_ja": sum(1 for s in inc if m[s.key]["t08"] == "ja"),
        "brukerorg_etablering_nei": sum(1 for s in inc if m[s.key]["t08"] == "nei"),
        "brukerorg_etablering_vet_ikke": sum(1 for s in inc if m[s.key]["t08"] == "vet_ikke"),
        "rekruttering_via_organisasjoner": sum(1 for s in started if m[s.key]["t12"] == V),
        "rekruttering_utenom": sum(1 for s in started if m[s.key]["t12"] == U),
        "rekruttering_vet_ikke": sum(1 for s in started if m[s.key]["t12"] == D),
        "tjenester_frisklivssentral": len(fls),
        "kommuner_frisklivssentral": len(kommuner(fls)),
        "tjenester_friskliv_og_mestring_navn": sum(1 for s in fls if m[s.key]["fm_navn"]),
        "tjenester_frisklivssentral_ren": sum(1 for s in fls if not m[s.key]["fm_navn"]),
        "kommuner_ikke_frisklivssentral": len(kommuner(non_fls)),
        "tjenester_eget_senter": sum(1 for s in inc if m[s.key]["organisering"] in ("eget_senter", "avdeling")),
        "tjenester_koordinator": sum(1 for s in inc if m[s.key]["organisering"] == "koordinator"),
        "tjenester_inkludert_erfaring": sum(1 for s in inc if m[s.key]["t19"] == "erfaring"),
        "tjenester_ikke_startet": sum(1 for s in inc if m[s.key]["t09"] == "nei"),
        "tjenester_startet": len(started),
        "tilbud_totalt": sum(m[s.key]["t10"] or 0 for s in started),
        "tjenester_over_fem_tilbud": sum(1 for s in started if (m[s.key]["t10"] or 0) > 5),
        "tjenester_kompetansekurs": sum(1 for s in inc if m[s.key]["t13"] == "ja"),
        "tjenester_samarbeid_hf": len(hf),
        "kommuner_samarbeid_hf": len(kommuner(hf)),
        "intervju_periode": (dates[0].strftime("%Y-%m"), dates[-1].strftime("%Y-%m")),
        "epost_ja_kommuner": len(ja_kommuner),
        "epost_ja_uten_tjeneste": len(ja_kommuner - served),
    }
    for item, name in (("t15", "hf_utvikling"), ("t16", "hf_helsepedagogikk"), ("t17", "hf_tilbud")):
        yes = [s for s in hf if m[s.key][item] == "ja"]
        f[f"tjenester_{name}"] = len(yes)
        f[f"kommuner_{name}"] = len(kommuner(yes))
    return f


def services_frame(design: Design) -> pd.DataFrame:
    """The included services as the pipeline's ``services`` table would hold them (the columns the
    findings read), so the design is checked by the same finding functions as the data."""
    rows = []
    for s in design.services:
        if not s.included:
            continue
        m = merged(s)
        rows.append({"service_id": s.key, "tilbud_startet": m["t09"], "antall_tilbud": m["t10"],
                     "malgrupper": list(m["t11"]), "grunnlag": m["t19"], "organisering": m["organisering"],
                     "friskliv_og_mestring_navn": bool(m["fm_navn"])})
    return pd.DataFrame(rows)


def findings(design: Design) -> dict[str, bool]:
    """Whether each finding of :data:`kartlegging.analysis.findings.FINDINGS` holds in the design."""
    frame = services_frame(design)
    return {fid: fn(frame).holds for fid, fn in FINDINGS.items()}


def check_design(design: Design) -> dict[str, object]:
    """Recompute every figure and the design's invariants; raise :class:`DesignError` on any miss."""
    f = compute_figures(design)
    problems = [f"{k}: design gives {f[k]!r}, published {v!r}" for k, v in TARGETS.items() if f[k] != v]
    if not 3 <= f["tjenester_over_fem_tilbud"] <= 5:
        problems.append(f"tjenester_over_fem_tilbud should be 'få' (3-5), is {f['tjenester_over_fem_tilbud']}")
    if not f["epost_ja_uten_tjeneste"] * 2 > f["epost_ja_kommuner"]:
        problems.append("epost_ja_ikke_bekreftet_andel must exceed 50 %")
    problems += [f"finding {fid} does not hold in the design" for fid, holds in findings(design).items() if not holds]
    inc = [s for s in design.services if s.included]
    seen: dict[str, str] = {}
    for s in inc:
        for k in s.kommuner:
            if k not in design.classification.kommuner:
                problems.append(f"{s.key}: {k} is no kommune of 2015")
            if k in seen:
                problems.append(f"kommune {k} is in both {seen[k]} and {s.key}")
            seen[k] = s.key
    for s in design.rejected:
        if s.host in seen:
            problems.append(f"rejected candidate {s.key} is in a kommune with a service")
    for s in inc:
        mm = merged(s)
        if mm["organisering"] in ("eget_senter", "avdeling", "annet") and len(s.kommuner) > 1:
            problems.append(f"{s.key}: own centre/department or experience-based services are kommunal")
        if mm["t14"] != "ja" and len(s.kommuner) > 1:
            problems.append(f"{s.key}: the services without HF cooperation are all kommunal")
    oslo = [u for u in design.units.values() if u.kommunenummer == OSLO and u.email is not None]
    if len(oslo) != 2:
        problems.append(f"exactly two of Oslo's 16 units must reply by e-mail, not {len(oslo)}")
    for u in design.units.values():
        if (u.email is None) == (u.phone is None):
            problems.append(f"{u.enhet_id}: must be either an e-mail replier or phoned, not both or neither")
    missing = design.service_kommuner - {u.kommunenummer for u in design.units.values()}
    if missing:
        problems.append(f"service kommuner in no source: {sorted(missing)}")
    if problems:
        raise DesignError("design misses published figures:\n  " + "\n  ".join(problems))
    return f
