"""A synthetic demonstration round 2024, derived from the 2015 design and kept out of the default run.

No kartlegging was carried out in 2024. This round exists to show, and to test,
that the pipeline takes a second round in another kommune structure (Klass 131
version 2024: 357 kommuner, Oslo still with 15 bydeler) and harmonises both
rounds into one structure. Everything in it is invented and it says so: the raw
folder carries a README, the register is marked as a synthetic register whose
``published`` values are this module's design targets, and the round is
configured with ``synthetic: true`` so that the report says so on its first page.

How the round is derived, so that it is plausible rather than random:

1. The 41 services (and the rejected candidates) of the 2015 design are
   translated into the 2024 structure through SSB's change table
   (:func:`kartlegging.analysis.crosswalk.build_crosswalk`). Mergers fold members of one
   service into one kommune (five Indre Østfold kommuner become one kommunal
   service); a kommune split in two keeps its service in the part that kept the
   name; a service whose host merged into a kommune already covered by an
   earlier service is counted there (it is *absorbed*).
2. Coverage grows: one 2015 candidate now meets the definition, new services
   are drawn from the seed (kommunale, interkommunale with neighbouring
   kommuner of the same county, one included on experience), and a couple of
   kommunale frisklivssentraler have closed.
3. Who answered the e-mail, who was phoned and what they said is drawn from
   the seed, with lighter mess than 2015 (one unresolvable sender, one answer
   only in an attachment, one unclear answer, a few corrections and
   auto-replies).

The files are written by the 2015 writers (``dispatch``, ``emails``, ``phone``,
``interviews``), so they follow docs/INPUTS.md exactly as round 2015 does. The
field work is moved 470 weeks later (November 2023 - January 2024): a whole
number of weeks keeps every weekday a weekday and moves the 2014 Christmas
break onto the 2023 one. :func:`calendar_2024` swaps the few year-bearing
texts of those writers for the run; the writers themselves are not changed, so
round 2015 stays byte-identical.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from unittest import mock

from kartlegging.analysis.crosswalk import build_crosswalk
from kartlegging.core.classification import OSLO, Classification, load, normalise
from kartlegging_synth import Generated, default_reference_dir, number_overrides, write_overrides_yaml
from kartlegging_synth import emails as emails_mod
from kartlegging_synth import interviews as interviews_mod
from kartlegging_synth.common import FIXED_DOC_TIME, People, display_name, document_time
from kartlegging_synth.design import (
    FLS,
    FM,
    D,
    Design,
    EmailPlan,
    Interview,
    PhonePlan,
    Service,
    U,
    V,
    add_units,
    build_design,
    merged,
)
from kartlegging_synth.dispatch import dispatch_rows, plan_dispatch, write_dispatch
from kartlegging_synth.emails import EmailWriter
from kartlegging_synth.interviews import InterviewWriter
from kartlegging_synth.phone import BARE_AMBIGUOUS, FIXED_TYPING, PhoneRow, PhoneWriter, write_phone
from kartlegging_synth.register2024 import check_design, register_yaml

ROUND = "2024"
#: The Klass 131 version the round is analysed in.
CLASSIFICATION = "2024"
DEFAULT_SEED = 2024
#: The round and seed whose design is carried forward.
BASE_ROUND = "2015"
BASE_SEED = 2015

#: 2015's field work moved to 2023/2024 by a whole number of weeks (see the module docstring).
SHIFT = timedelta(weeks=470)
#: First and last interview day (both weekdays), and the Christmas break without interviews.
INTERVIEW_PERIOD = (date(2023, 11, 20), date(2024, 1, 26))
CHRISTMAS = (date(2023, 12, 22), date(2024, 1, 2))

#: Growth and decline of coverage since 2015, drawn from the seed.
CLOSED = 2
NEW_KOMMUNALE = 10
NEW_INTERKOMMUNALE = 3
NEW_ERFARING = 1
NEW_REJECTED = 1
#: 2015 candidates that were rejected then and meet the definition now.
NOW_INCLUDED = ("R02",)

#: Share of units that answered the e-mail, by what they are.
EMAIL_RATE = {"host": 0.7, "member": 0.45, "rejected": 0.6, "other": 0.42}
#: The special replies of the round (each one unit; see ``EmailPlan.special``).
SPECIALS = ("unresolvable", "attachment", "unclear")
CORRECTIONS = 2
AUTO_BEFORE = 4
AUTO_ONLY = 5
NEVER_REACHED = 3
#: Oslo: the rådmann is unsure (services sit in the bydeler), Bydel Stovner says ja;
#: the other bydeler are phoned, and these say ja.
OSLO_EMAIL_Q1: dict[str, str] = {"K0301": "vet_ikke", "B030111": "ja"}
OSLO_PHONE_JA: tuple[str, ...] = ("B030102", "B030115", "B030101", "B030110")


# -- deriving the services ------------------------------------------------------------

@dataclass
class Derivation:
    """The 2024 design and a record of how it came from 2015 (what merged, closed, opened), for the tests."""

    design: Design
    translation: dict[str, str]
    #: 2015 services (or rejected candidates) whose host merged into a kommune an earlier
    #: service already covers: key → why. They are counted in that service.
    absorbed: dict[str, str] = field(default_factory=dict)
    #: members dropped from a service because another service covers their 2024 kommune.
    trimmed: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    now_included: list[str] = field(default_factory=list)


def kommune_translation(reference_dir: str | Path) -> dict[str, str]:
    """Each 2015 kommunenummer → the one 2024 kommune its services move to.

    A merger maps several codes to one. A split (1504 Ålesund → 1508 Ålesund and
    1580 Haram) has to pick one part, since a service is run from one place: the
    part that kept the old name, else the lowest code.
    """
    c15 = load(reference_dir, BASE_ROUND)
    c24 = load(reference_dir, CLASSIFICATION)
    cw = build_crosswalk(reference_dir, BASE_ROUND, CLASSIFICATION)
    out: dict[str, str] = {}
    for code, group in cw.groupby("from_code", sort=True):
        targets = sorted(group["to_code"])
        if len(targets) > 1:
            own = normalise(display_name(c15.kommuner[code]))
            same = [t for t in targets if normalise(display_name(c24.kommuner[t])) == own]
            targets = same or targets
        out[str(code)] = targets[0]
    return out


def _moved(iv: Interview, host: str, members: tuple[str, ...]) -> Interview:
    """An interview with its kommuner in 2024 codes; a service left with one kommune is kommunal."""
    t04 = iv.t04 if members or iv.t04.lower() == "kommunal" else "kommunal"
    return replace(iv, host=host, members=members, t04=t04, dato=None)


def _translate(services: list[Service], to24: dict[str, str], taken: dict[str, str], d: Derivation) -> list[Service]:
    """Translate services in order; a kommune already covered stays with the earlier service."""
    out: list[Service] = []
    for s in services:
        host = to24[s.host]
        if host in taken:
            d.absorbed[s.key] = f"host {s.host} is part of {host} since the mergers, which {taken[host]} covers"
            continue
        members: list[str] = []
        for m in s.interviews[0].members:
            code = to24[m]
            if code == host or code in members:
                continue
            if code in taken:
                d.trimmed.append(f"{s.key}: member {m} is part of {code}, which {taken[code]} covers")
                continue
            members.append(code)
        for code in (host, *members):
            taken[code] = s.key
        out.append(Service(s.key, tuple(_moved(iv, host, tuple(members)) for iv in s.interviews)))
    return out


_T06: dict[str, tuple[str, ...]] = {
    FLS: ("frisklivssentral", "Frisklivssentral"),
    FM: ("frisklivs- og mestringssenter", "friskliv og mestring"),
    "koordinator": ("koordinator", "Koordinator"),
    "eget_senter": ("eget senter",),
    "avdeling": ("avdeling",),
}
_NAMES: dict[str, tuple[str, ...]] = {
    FLS: ("Frisklivssentralen i {n}", "{n} frisklivssentral", "Frisklivssentralen {n}"),
    FM: ("Friskliv og mestring {n}", "{n} frisklivs- og mestringssenter", "Frisklivs- og mestringssenteret i {n}"),
    "koordinator": ("Lærings- og mestringskoordinator i {n}", "Koordinator for læring og mestring, {n}"),
    "eget_senter": ("Lærings- og mestringssenteret i {n}", "{n} lærings- og mestringssenter"),
}
_ERFARING: tuple[tuple[str, str], ...] = (
    ("Mestringskurs i {n}", "annet: kurs i regi av psykisk helse og rus"),
    ("Gruppetilbud i helse og omsorg, {n}", "annet: tilbud gjennom fysio- og ergoterapitjenesten"),
)
_WORDS = {2: "to", 3: "tre", 4: "fire", 5: "fem", 6: "seks", 7: "sju", 8: "åtte"}


def _typed_count(rng: random.Random, n: int) -> int | str:
    """T10 as an interviewer types it: mostly a number, sometimes ``ca. N``, a range or a word."""
    form = rng.choices(["int", "ca", "range", "word"], [60, 15, 15, 10])[0]
    if form == "ca":
        return f"ca. {n}"
    if form == "range":
        return f"{n}-{n + 1}"
    if form == "word" and n in _WORDS:
        return _WORDS[n]
    return n


#: How likely a new service names each T11 target group: the four diagnoses of round 2015's
#: findings most often, other diagnoses sporadically, few across diagnoses (as in 2015).
GROUP_ODDS: tuple[tuple[str, float], ...] = (
    ("diabetes", 0.75), ("kols", 0.7), ("hjerte_kar", 0.65), ("kreft", 0.6), ("psykisk_helse", 0.2),
    ("muskel_skjelett", 0.15), ("overvekt", 0.25), ("paa_tvers", 0.1), ("parorende", 0.2), ("annet", 0.05),
)


def _target_groups(rng: random.Random) -> tuple[str, ...]:
    """T11 of a new service, drawn from :data:`GROUP_ODDS` (at least one group)."""
    groups = tuple(g for g, p in GROUP_ODDS if rng.random() < p)
    return groups or ("diabetes",)


def _new_interview(rng: random.Random, c: Classification, host: str, members: tuple[str, ...], org: str,
                   erfaring: bool = False, included: bool = True) -> Interview:
    """A service found in 2024 and not in 2015, with its answers drawn from the seed."""
    name = display_name(c.kommuner[host])
    if members:
        names = [name] + [display_name(c.kommuner[m]) for m in members]
        joined = ", ".join(names[:-1]) + " og " + names[-1]
        navn = rng.choice(["Frisklivssentralen for {n}", "Interkommunal frisklivssentral, {n}"]).format(n=joined)
        if org == FM:
            navn = f"Friskliv og mestring for {joined}"
        t04 = rng.choice(["interkommunal", "IKS", "samarbeid"])
    elif erfaring:
        t04 = "kommunal"
        pattern, t06 = rng.choice(_ERFARING)
        navn = pattern.format(n=name)
    else:
        t04 = "kommunal"
        navn = rng.choice(_NAMES[org]).format(n=name)
    if not erfaring:
        t06 = rng.choice(_T06[org])
    t09 = "ja" if erfaring else rng.choices(["ja", "nei"], [88, 12])[0]
    started = t09 == "ja"
    t14 = rng.choices(["ja", "nei", "vet_ikke"], [80, 15, 5] if not erfaring else [20, 70, 10])[0]
    hf = (lambda: rng.choices(["ja", "nei"], [70, 30])[0]) if t14 == "ja" else (lambda: None)
    return Interview(
        navn=navn, host=host, members=members, t04=t04, t06=t06, organisering="annet" if erfaring else org,
        t07=rng.random() < 0.2, t08=rng.choices(["ja", "nei", "vet_ikke"], [75, 20, 5])[0], t09=t09,
        t10=(_typed_count(rng, 3 if erfaring else rng.randint(1, 8)) if started else None),
        t12=(rng.choices([V, U, D], [85, 10, 5])[0] if started and included else None),
        t13=rng.choices(["ja", "nei"], [45, 55])[0], t14=t14, t15=hf(), t16=hf(), t17=hf(),
        t18="ja" if included else "nei", t19=("erfaring" if erfaring else "tjeneste") if included else None,
    )


def neighbours(reference_dir: str | Path) -> dict[str, set[str]]:
    """Kommuner of 2024 that share a border, from Kartverket's 2024 polygons in ``reference_dir``.

    The simplified polygons keep shared borders as identical vertices, so two
    kommuner that have a vertex in common are neighbours. New interkommunale
    services are drawn among neighbours: kommuner cooperate with the ones next door.
    """
    path = Path(reference_dir) / "kartverket" / "kommuner-2024-S.geojson"
    if not path.exists():
        raise FileNotFoundError(f"{path}: Kartverket's 2024 kommuner, needed to draw neighbouring kommuner")
    data = json.loads(path.read_text(encoding="utf-8"))
    at: dict[tuple[float, float], set[str]] = {}
    for feature in data["features"]:
        code = str(feature["properties"]["kommunenummer"])
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        for polygon in polygons:
            for ring in polygon:
                for x, y in ring:
                    at.setdefault((round(x, 6), round(y, 6)), set()).add(code)
    out: dict[str, set[str]] = {}
    for codes in at.values():
        for code in codes:
            out.setdefault(code, set()).update(codes - {code})
    return out


def _cluster(host: str, size: int, free: set[str], adjacent: dict[str, set[str]]) -> list[str]:
    """Up to ``size`` free kommuner of the host's county reachable from the host through free neighbours."""
    found: list[str] = []
    frontier = [host]
    while frontier and len(found) < size:
        here = frontier.pop(0)
        for k in sorted(adjacent.get(here, set())):
            if k in free and k != host and k not in found and k[:2] == host[:2] and len(found) < size:
                found.append(k)
                frontier.append(k)
    return found


def _interview_days(n: int, rng: random.Random) -> list[date]:
    """``n`` interview dates over the period's weekdays outside Christmas, first and last day included."""
    first, last = INTERVIEW_PERIOD
    days = [first + timedelta(d) for d in range((last - first).days + 1)]
    days = [d for d in days if d.weekday() < 5 and not (CHRISTMAS[0] <= d <= CHRISTMAS[1])]
    inner = sorted(rng.choices(days[1:-1], k=n - 2))
    return [days[0], *inner, days[-1]]


def derive_design(reference_dir: str | Path | None = None, seed: int = DEFAULT_SEED) -> Derivation:
    """The 2024 services, rejected candidates and unit answers (see the module docstring)."""
    reference = default_reference_dir(reference_dir)
    rng = random.Random(f"design-{ROUND}-{seed}")
    c15 = load(reference, BASE_ROUND)
    c24 = load(reference, CLASSIFICATION)
    base = build_design(c15, BASE_SEED)
    to24 = kommune_translation(reference)
    d = Derivation(Design(c24, [], []), to24)

    taken: dict[str, str] = {}
    services = _translate(base.services, to24, taken, d)
    rejected = _translate(base.rejected, to24, dict(taken), d)
    # a 2015 candidate that meets the definition now
    for key in NOW_INCLUDED:
        (s,) = [r for r in rejected if r.key == key]
        rejected.remove(s)
        ivs = tuple(replace(iv, t08="ja", t12=V if iv.t09 == "ja" else None, t18="ja", t19="tjeneste")
                    for iv in s.interviews)
        services.append(Service(s.key, ivs))
        taken.update({k: key for k in s.kommuner})
        d.now_included.append(key)
    # closed since 2015: kommunale frisklivssentraler outside Oslo
    closable = [s for s in services if len(s.kommuner) == 1 and s.key not in ("K01", *NOW_INCLUDED)
                and merged(s)["organisering"] in (FLS, FM)]
    for s in rng.sample(closable, CLOSED):
        services.remove(s)
        for k in s.kommuner:
            del taken[k]
        d.closed.append(s.key)
    # new since 2015
    rejected_hosts = {s.host for s in rejected}
    pool = sorted(k for k in c24.kommuner if k not in taken and k not in rejected_hosts and k != OSLO)
    counters = {"N": 0, "R": len(base.rejected)}

    def add(key_prefix: str, host: str, members: tuple[str, ...], org: str, erfaring: bool = False,
            included: bool = True) -> None:
        """Add a new service (or rejected candidate) and take its kommuner out of the pool."""
        counters[key_prefix] += 1
        key = f"{key_prefix}{counters[key_prefix]:02d}"
        iv = _new_interview(rng, c24, host, members, org, erfaring, included)
        # its own stream, so that the target groups leave the rest of the draw as it was
        iv = replace(iv, t11=_target_groups(random.Random(f"malgrupper-{ROUND}-{seed}-{key}")))
        for k in (host, *members):
            pool.remove(k)
        (services if included else rejected).append(Service(key, (iv,)))
        if included:
            taken.update({k: key for k in (host, *members)})
            d.added.append(key)

    adjacent = neighbours(reference)
    for _ in range(NEW_INTERKOMMUNALE):
        members: list[str] = []
        while not members:  # a host with at least one uncovered neighbour in its county
            host = rng.choice(pool)
            members = _cluster(host, rng.randint(1, 3), set(pool), adjacent)
        add("N", host, tuple(members), rng.choice([FLS, FM]))
    for host in rng.sample(pool, NEW_KOMMUNALE):
        add("N", host, (), rng.choices([FLS, FM, "koordinator", "eget_senter"], [45, 35, 10, 10])[0])
    for host in rng.sample(pool, NEW_ERFARING):
        add("N", host, (), "annet", erfaring=True)
    for host in rng.sample(pool, NEW_REJECTED):
        add("R", host, (), FLS, included=False)

    # interview dates over the 2023/2024 field work
    all_ivs = [(s.key, i) for s in services + rejected for i in range(len(s.interviews))]
    order = list(range(len(all_ivs)))
    rng.shuffle(order)
    days = _interview_days(len(all_ivs), rng)
    dated = {all_ivs[idx]: days[pos] for pos, idx in enumerate(order)}

    def with_dates(svcs: list[Service]) -> list[Service]:
        return [Service(s.key, tuple(replace(iv, dato=dated[(s.key, i)]) for i, iv in enumerate(s.interviews)))
                for s in svcs]

    d.design.services = with_dates(services)
    d.design.rejected = with_dates(rejected)
    _allocate_units(d.design, rng)
    return d


# -- who answered what --------------------------------------------------------------------

def must_reply_by_email(c: Classification) -> set[str]:
    """Kommuner a caller could not log by their everyday name without a number.

    The phone writer types a kommune by its everyday name and checks that the
    name resolves; a bare shared name (``Våler`` in 2024) does not, unless the
    writer has a fixed typing for it. Those kommuner answer by e-mail instead.
    """
    out = set()
    for code, k in c.kommuner.items():
        enhet = f"K{code}"
        if enhet in FIXED_TYPING or enhet in BARE_AMBIGUOUS:
            continue
        if c.resolve_name(display_name(k)).enhet_id != enhet:
            out.add(code)
    return out


def must_be_phoned(c: Classification) -> set[str]:
    """Kommuner the phone writer logs by a bare shared name that is still shared in ``c``.

    They stay in the phone round so that the round keeps one review item an analyst
    settles (``Herøy`` is both 1515 and 1818 in 2024; ``Bø`` and ``Nes`` are unique).
    """
    out = set()
    for enhet, (bare, *_rest) in BARE_AMBIGUOUS.items():
        code = enhet[1:]
        if code in c.kommuner and not c.resolve_name(bare).ok:
            out.add(code)
    return out


def _allocate_units(design: Design, rng: random.Random) -> None:
    """Decide from the seed who answered by e-mail, who was phoned, and what they said."""
    c = design.classification
    add_units(design)
    served = design.service_kommuner
    hosts = {s.host for s in design.services}
    rejected_hosts = {s.host for s in design.rejected}
    erfaring = {s.host for s in design.services if merged(s)["t19"] == "erfaring"}
    forced = must_reply_by_email(c)
    phoned_only = must_be_phoned(c)

    def q5_for(q1: str) -> str:
        if q1 == "ja":
            return rng.choice(["nei", "nei", "ja"])
        return rng.choices(["ja", "nei", "vet_ikke"], [3, 5, 3])[0]

    for enhet, q1 in OSLO_EMAIL_Q1.items():
        design.units[enhet].email = EmailPlan(q1, "nei" if q1 == "ja" else "vet_ikke")
    others: list[str] = []
    for code in sorted(c.kommuner):
        if code == OSLO:
            continue
        unit = design.units[f"K{code}"]
        if code in hosts and code not in erfaring:
            kind, answers, weights = "host", ["ja", "vet_ikke"], [85, 15]
        elif code in served:
            kind, answers, weights = "member", ["ja", "nei", "vet_ikke"], [35, 30, 35]
        elif code in rejected_hosts:
            kind, answers, weights = "rejected", ["ja"], [1]
        else:
            others.append(code)
            continue
        if code not in phoned_only and (code in forced or rng.random() < EMAIL_RATE[kind]):
            q1 = rng.choices(answers, weights)[0]
            unit.email = EmailPlan(q1, q5_for(q1))
    # kommuner without a service: the specials first, then the plain replies
    repliers = [k for k in others if k not in phoned_only and (k in forced or rng.random() < EMAIL_RATE["other"])]
    plain_pool = [k for k in repliers if k not in forced]
    specials = dict(zip(rng.sample(plain_pool, len(SPECIALS)), SPECIALS))
    for code in repliers:
        unit = design.units[f"K{code}"]
        role = specials.get(code)
        if role == "unclear":
            unit.email = EmailPlan("uklart", "uklart", special="unclear")
        elif role is not None:
            unit.email = EmailPlan("nei", rng.choice(["ja", "nei", "vet_ikke"]), special=role)
        else:
            q1 = rng.choices(["nei", "vet_ikke", "ja"], [78, 14, 8])[0]
            unit.email = EmailPlan(q1, q5_for(q1))
    # corrections: the later reply wins
    plain = sorted((u for u in design.units.values() if u.email and u.email.special is None and u.enhet_id[0] == "K"
                    and u.kommunenummer not in served and u.kommunenummer not in rejected_hosts
                    and u.email.q1 == "nei"), key=lambda u: u.enhet_id)
    for unit, first in zip(rng.sample(plain, CORRECTIONS), ("ja", "vet_ikke")):
        unit.email.first_q1 = first
    knew = sorted((u for u in design.units.values() if u.email and u.email.q1 == "ja" and u.kommunenummer in hosts
                   and u.enhet_id[0] == "K"), key=lambda u: u.enhet_id)
    rng.choice(knew).email.first_q1 = "vet_ikke"
    answered = sorted((u for u in design.units.values() if u.email and u.email.special is None
                       and u.email.first_q1 is None), key=lambda u: u.enhet_id)
    for unit in rng.sample(answered, AUTO_BEFORE):
        unit.email.auto_before = True
    # the phone round: every unit without an e-mail answer
    phoned = [u for u in design.units.values() if u.email is None]
    never = set(rng.sample(sorted(u.enhet_id for u in phoned if u.enhet_id[0] == "K" and u.kommunenummer not in served
                                  and u.kommunenummer not in rejected_hosts), NEVER_REACHED))
    for unit in phoned:
        attempts = rng.choices([1, 2, 3], [65, 25, 10])[0]
        if unit.enhet_id in never:
            unit.phone = PhonePlan(None, rng.choice([2, 3]))
            continue
        if unit.enhet_id[0] == "B":
            final = "ja" if unit.enhet_id in OSLO_PHONE_JA else rng.choice(["nei", "nei", "vet_ikke"])
        elif unit.kommunenummer in hosts:
            final = "ja"
        elif unit.kommunenummer in served:
            final = rng.choices(["ja", "nei", "vet_ikke"], [5, 3, 2])[0]
        elif unit.kommunenummer in rejected_hosts:
            final = "ja"
        else:
            final = rng.choices(["nei", "vet_ikke", "ja"], [75, 15, 10])[0]
        unit.phone = PhonePlan(final, attempts)
    for enhet in rng.sample(sorted(u.enhet_id for u in phoned), AUTO_ONLY):
        design.units[enhet].auto_only = True


# -- writing -------------------------------------------------------------------------------

def _swap(text: str, old: str, new: str) -> str:
    """``text`` with ``old`` replaced; fails loudly when the 2015 writer no longer says ``old``."""
    if old not in text:
        raise RuntimeError(f"the 2015 writer's text no longer contains {old!r}; update kartlegging_synth.round2024")
    return text.replace(old, new)


@contextmanager
def calendar_2024() -> Iterator[None]:
    """Swap the writers' year-bearing texts and the workbook timestamp for 2023/2024, for one run.

    The writers keep these as module constants and may not change (round 2015's
    bytes are fixed); patching them for the length of this block and no longer is
    the smallest way to reuse them. Dates that the writers draw (send times,
    phone attempts) are moved afterwards by :data:`SHIFT`.
    """
    titles = interviews_mod._TITLES
    if not any("2014/2015" in t for t in titles):
        raise RuntimeError("the 2015 interview titles no longer name 2014/2015; update kartlegging_synth.round2024")
    with ExitStack() as stack:
        stack.enter_context(mock.patch.object(
            emails_mod, "LETTER_INTRO", _swap(emails_mod.LETTER_INTRO, "1. desember 2014", "1. desember 2023")))
        stack.enter_context(mock.patch.dict(
            emails_mod._PROSE_NEI, {"ja": _swap(emails_mod._PROSE_NEI["ja"], "i løpet av 2015", "i løpet av 2024")}))
        stack.enter_context(mock.patch.object(
            interviews_mod, "_TITLES", tuple(t.replace("2014/2015", "2023/2024") for t in titles)))
        stack.enter_context(document_time(FIXED_DOC_TIME + SHIFT))
        yield


def _shift_row(r: PhoneRow) -> PhoneRow:
    """A phone attempt moved to 2023/2024, its text date retyped the way it was typed."""
    when = r.dato + SHIFT
    text = None
    if r.dato_as_text:
        text = when.strftime("%d.%m.%Y" if len(r.dato_as_text) == 10 else "%d.%m.%y")
    return replace(r, dato=when, dato_as_text=text, kommentar=r.kommentar.replace("i 2015", "i 2024"))


README = """# Round 2024: SYNTHETIC DEMONSTRATION DATA

No kartlegging was carried out in 2024. Every file in this folder was written by
`make demo-round-2024` (kartlegging_synth.round2024, seed {seed}) to demonstrate a
second round in the 2024 kommune structure (357 kommuner). The services are the
2015 design translated through SSB's change table, with coverage grown from the
seed; names, phone numbers and addresses are invented. Do not cite any figure of
this round. Regenerate with `make demo-round-2024`.
"""


def _clear(round_dir: Path) -> None:
    """Remove files an earlier run wrote, so that no stale reply survives a regeneration."""
    for pattern in ("README.md", "utsendelse.csv", "telefonrunde.xlsx", "epost/*.eml", "intervjuer/*.xlsx"):
        for path in round_dir.glob(pattern):
            path.unlink()


def generate(out: str | Path, seed: int = DEFAULT_SEED, overrides_path: str | Path | None = None,
             reference_dir: str | Path | None = None, register_path: str | Path | None = None) -> Generated:
    """Write ``out/2024/`` (and the overrides file and register, where paths are given).

    The same seed gives byte-identical files. Review items the phone writer
    settles for 2015 are settled here only when the 2024 classification still
    cannot resolve the typed name (``Bø`` is unique since 2020, ``Herøy`` is not).
    """
    derivation = derive_design(reference_dir, seed)
    design = derivation.design
    targets = check_design(design)
    round_dir = Path(out) / ROUND
    (round_dir / "epost").mkdir(parents=True, exist_ok=True)
    (round_dir / "intervjuer").mkdir(parents=True, exist_ok=True)
    _clear(round_dir)
    tag = f"{ROUND}-{seed}"
    people = People(random.Random(f"people-{tag}"))
    with calendar_2024():
        sent = {k: replace(s, sent_at=s.sent_at + SHIFT)
                for k, s in plan_dispatch(design, random.Random(f"dispatch-{tag}")).items()}
        write_dispatch(dispatch_rows(sent), round_dir / "utsendelse.csv")
        mail = EmailWriter(design, sent, random.Random(f"email-{tag}"), people)
        replies = mail.write_all(round_dir / "epost")
        phone = PhoneWriter(design, random.Random(f"phone-{tag}"), people)
        by_row = write_phone([_shift_row(r) for r in phone.rows()], round_dir / "telefonrunde.xlsx")
        iw = InterviewWriter(design, random.Random(f"interviews-{tag}"), people)
        written = iw.write_all(round_dir / "intervjuer")
    (round_dir / "README.md").write_text(README.format(seed=seed), encoding="utf-8")

    overrides = [{k: v for k, v in o.items() if k != "_kind"} for o in mail.overrides]
    expected: list[dict[str, str]] = []
    for r in replies:
        if r.special == "unclear":
            expected.append({"source": "epost", "file": r.file, "record": "",
                             "reason": "question 1 cannot be coded (no ja/nei/vet ikke given)",
                             "settled": "no (a non-answer; changes no figure)"})
    c = design.classification
    for row, r in by_row.items():
        if r.review is None:
            continue
        res = c.resolve(r.navn, r.nummer)
        if res.ok:
            if res.enhet_id != r.enhet_id:
                raise AssertionError(f"phone row {row}: {r.navn!r} resolves to {res.enhet_id}, not {r.enhet_id}")
            continue  # the name is unique in 2024: the rules settle it
        if r.review == "settle":
            overrides.append({"source": "telefon", "file": "telefonrunde.xlsx", "record": str(row),
                              "set": {"kommunenummer": r.enhet_id[1:]},
                              "reason": f"Navnet «{r.navn}» alene passer på flere kommuner; notatene fra "
                                        f"samtalen viser at det er {c.kommuner[r.enhet_id[1:]].name}."})
        else:
            expected.append({"source": "telefon", "file": "telefonrunde.xlsx", "record": str(row),
                             "reason": f"ambiguous bare name {r.navn!r} without number",
                             "settled": "no (a later attempt names the kommune; changes no figure)"})
    number_overrides(overrides, ROUND, expected)
    result = Generated(round_dir, None, design, overrides, expected,
                       personal=mail.personal | phone.personal | iw.personal, replies=replies,
                       phone_rows=by_row, interview_files=[name for name, _, _ in written], features=iw.features)
    if overrides_path is not None:
        result.overrides_path = Path(overrides_path)
        write_overrides(overrides, seed, result.overrides_path)
    if register_path is not None:
        Path(register_path).parent.mkdir(parents=True, exist_ok=True)
        Path(register_path).write_text(register_yaml(targets, seed, ROUND), encoding="utf-8")
    return result


def write_overrides(overrides: list[dict[str, object]], seed: int, path: Path) -> None:
    """The overrides file, in the shape kartlegging.core.overrides reads, marked synthetic."""
    header = [
        f"# SYNTHETIC DEMONSTRATION ROUND {ROUND}: analyst decisions on the generated raw files.",
        f"# Written by `make demo-round-2024` (kartlegging_synth.round2024, seed {seed}); edits are overwritten.",
    ]
    write_overrides_yaml(header, ROUND, overrides, path)
