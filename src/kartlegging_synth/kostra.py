"""Synthetic KOSTRA extracts on frisklivssentraler, 2013-2019, for the demonstration pipeline.

The real statbank tables cannot ship with the project, so this writes two
extracts shaped like the ones analysts download, with the quirks the reader
must survive (INPUTS.md section 5):

- ``frisklivssentraler-2013-2016.csv``: statbank CSV, wide layout, title line,
  ``;``, every field quoted, decimal comma, windows-1252, CRLF;
- ``frisklivssentraler-2017-2019.json``: JSON-stat 2.0, region dimension
  ``KOKkommuneregion0000`` found by its role, symbols in ``status``, old and new
  kommune codes side by side with empty cells outside their years.

Each year is in the kommune structure valid on 1 January that year (Klass 131
via :func:`kartlegging.core.classification.version_for`; 2019 carries 5001
Trondheim and 5061 Rindal). Oslo answers per bydel and its kommune row sums
its bydeler; ``EAK``, ``EAKUO`` and county rows are aggregates of the kommune
rows. ``Frisklivssentral`` is reported every year, the other variables in 2013,
2016 and 2019; cells of years without the question hold ``.``.

The totals are chosen so that the ``kostra_*`` figures of the register come
out within their stated tolerances, except where the published numbers
contradict each other: 306 årsverk over 247 centres give a mean of 1.24, not
the published 1.05, and the reconciliation shows it. Kommune histories are
coherent: each 2013 kommune has a latent propensity, a merged kommune takes
the highest of its parts, and each year the kommuner with the highest
propensity have a centre, so centres rarely close.

The extracts agree with the synthetic survey round (:mod:`kartlegging_synth.design`)
where a real KOSTRA would: every kommune covered by one of the round's
frisklivssentral services reports a centre, except two member kommuner of
interkommunale centres, which report none of their own, as members often do.
Those two are what the cross-check should find in that direction; in the other,
KOSTRA's many centres without a lærings- og mestringstjeneste are expected.

Everything is derived from ``seed`` through string-seeded generators (stable
across Python runs), and files are written as bytes: same seed, same bytes.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import random
import sys
from dataclasses import dataclass
from pathlib import Path

from kartlegging.analysis.crosswalk import build_crosswalk
from kartlegging.core import classification as klass
from kartlegging.core.classification import FYLKER, OSLO
from kartlegging_synth import default_reference_dir
from kartlegging_synth.design import build_design

CSV_NAME = "frisklivssentraler-2013-2016.csv"
JSON_NAME = "frisklivssentraler-2017-2019.json"
CSV_YEARS = (2013, 2014, 2015, 2016)
JSON_YEARS = (2017, 2018, 2019)
DETAIL_YEARS = (2013, 2016, 2019)
BASE_VERSION = "2013"

#: Variable code -> (full label as in JSON-stat, short label as in the CSV's wide headers).
VARIABLES: dict[str, tuple[str, str]] = {
    "Frisklivssentral": ("Kommunen har frisklivssentral (1 = ja, 0 = nei)", "Kommunen har frisklivssentral"),
    "AvtalteArsverk": ("Avtalte årsverk i frisklivssentralen", "Avtalte årsverk i frisklivssentralen"),
    "Deltakere": ("Antall deltakere i frisklivssentralen", "Antall deltakere i frisklivssentralen"),
    "AndreLMTilbud": ("Frisklivssentralen har andre lærings- og mestringstilbud (1 = ja, 0 = nei)",
                      "Frisklivssentralen har andre lærings- og mestringstilbud"),
    "LiknendeTilbud": ("Kommunen har liknende tilbud uten frisklivssentral (1 = ja, 0 = nei)",
                       "Kommunen har liknende tilbud uten frisklivssentral"),
    "EPJ": ("Frisklivssentralen bruker elektronisk pasientjournal (1 = ja, 0 = nei)",
            "Frisklivssentralen bruker elektronisk pasientjournal"),
}
FLAGS = ("Frisklivssentral", "AndreLMTilbud", "LiknendeTilbud", "EPJ")
#: The survey round the extracts agree with, and how many of its interkommunal members report no centre.
SURVEY_ROUND = "2015"
SURVEY_FLS_ORGANISERING = ("frisklivssentral", "friskliv_og_mestring")
MEMBERS_WITHOUT_OWN_CENTRE = 2
NOT_ASKED = "."


@dataclass(frozen=True)
class YearPlan:
    """What one year's data must add up to.

    Counts are of kommuner in the year's structure with Oslo once. Shares are
    of kommuner with a number in the variable. ``*_missing`` are cells with
    ``..`` (not available), ``suppressed`` cells with ``:``, ``nil`` with ``-``.
    """

    fls_kommuner: int
    fls_bydeler: int
    fls_missing: int = 0
    arsverk_tenths: int | None = None
    arsverk_missing: int = 0
    deltakere: int | None = None
    suppressed: int = 0
    nil: int = 0
    andre_share: float = 0.0
    epj_share: float = 0.0
    epj_missing: int = 0
    liknende_share: float = 0.0


#: The plan. 2018: 260 kommuner besides Oslo + 14 bydeler = 274. 2019: 247 of 422
#: kommuner (58.5 %, within 2 pp of 60 %), 175 without, 125 of them with a
#: similar tilbud and 50 without; 306.1 årsverk; deltakere 15 842 -> 30 276 (x1.91).
PLAN: dict[int, YearPlan] = {
    2013: YearPlan(158, 6, arsverk_tenths=1843, deltakere=15842, suppressed=4, andre_share=0.25,
                   epj_share=0.60, liknende_share=0.55),
    2014: YearPlan(178, 8, fls_missing=3),
    2015: YearPlan(199, 9, fls_missing=3),
    2016: YearPlan(221, 11, arsverk_tenths=2478, arsverk_missing=1, deltakere=26911, suppressed=3, nil=1,
                   andre_share=0.28, epj_share=0.75, liknende_share=0.62),
    2017: YearPlan(238, 12, fls_missing=2),
    2018: YearPlan(261, 14),
    2019: YearPlan(247, 15, arsverk_tenths=3061, arsverk_missing=2, deltakere=30276, suppressed=5, nil=2,
                   andre_share=0.30, epj_share=0.85, epj_missing=2, liknende_share=125 / 175),
}

@dataclass(frozen=True)
class Tenths:
    """Årsverk in tenths, so sums are exact and both decimal marks are written from the same integer."""

    n: int

    def comma(self) -> str:
        """As the older statbank CSV writes it: decimal comma."""
        return f"{self.n // 10},{self.n % 10}"

    def number(self) -> float:
        """As JSON-stat holds it: a number with one decimal."""
        return round(self.n / 10, 1)


def _rng(seed: int, *parts: object) -> random.Random:
    """A generator per purpose, seeded by a string: stable across runs and independent of draw order elsewhere."""
    return random.Random(":".join(str(p) for p in ("kostra", seed, *parts)))


def survey_centres(reference_dir: Path, seed: int) -> tuple[frozenset[str], frozenset[str]]:
    """Kommuner of the survey round's frisklivssentral services, and the members that report no centre.

    The members are drawn from the interkommunale services' non-host kommuner,
    so the disagreement is of the kind a real comparison meets.
    """
    design = build_design(klass.load(reference_dir, SURVEY_ROUND), seed)
    services = [s for s in design.services
                if s.included and s.interviews[0].organisering in SURVEY_FLS_ORGANISERING]
    covered = frozenset(k for s in services for k in s.kommuner)
    members = sorted({k for s in services for k in s.kommuner[1:]} - {s.host for s in services})
    return covered, frozenset(_rng(seed, "members").sample(members, MEMBERS_WITHOUT_OWN_CENTRE))


def _allocate(total: int, weights: list[float], minimum: int) -> list[int]:
    """Split ``total`` into integers >= ``minimum`` proportional to ``weights``.

    Largest remainder, ties by position.
    """
    n = len(weights)
    if n == 0:
        return []
    rest = total - minimum * n
    if rest < 0:
        raise ValueError(f"cannot give {n} units at least {minimum} out of {total}")
    wsum = sum(weights)
    exact = [rest * w / wsum for w in weights]
    out = [math.floor(x) for x in exact]
    order = sorted(range(n), key=lambda i: (-(exact[i] - out[i]), i))
    for i in order[: rest - sum(out)]:
        out[i] += 1
    return [minimum + x for x in out]


@dataclass
class _World:
    """Latent propensity and size of every kommune of every year's structure, and of Oslo's bydeler."""

    reference_dir: Path
    seed: int
    versions: dict[int, str]
    kommuner: dict[int, dict[str, str]]  # year -> code -> name
    score: dict[int, dict[str, float]]
    weight: dict[int, dict[str, float]]
    bydeler: dict[str, str]
    by_score: dict[str, float]
    by_weight: dict[str, float]

    @classmethod
    def build(cls, reference_dir: Path, seed: int) -> _World:
        """Draw the 2013 kommuner once and carry them through every merger, so histories stay coherent."""
        base = klass.load(reference_dir, BASE_VERSION)
        rng = _rng(seed, "base")
        b_weight = {c: rng.lognormvariate(0.0, 0.9) for c in sorted(base.kommuner)}
        # Larger kommuner are likelier to have a centre: the exponent shrinks with size.
        b_score = {c: rng.random() ** (1.0 / (0.6 + b_weight[c])) for c in sorted(base.kommuner)}
        b_score[OSLO] = 10.0  # Oslo has centres in its bydeler every year
        covered, no_own_centre = survey_centres(reference_dir, seed)
        for c in sorted(covered):
            b_score[c] = 2.0 + b_score[c] if c not in no_own_centre else 0.01 * b_score[c]
        versions, kommuner, score, weight = {}, {}, {}, {}
        for year in (*CSV_YEARS, *JSON_YEARS):
            version = klass.version_for(reference_dir, str(year))
            cls_y = klass.load(reference_dir, version)
            versions[year] = version
            kommuner[year] = {c: k.name for c, k in sorted(cls_y.kommuner.items())}
            parts: dict[str, list[str]] = {}
            cw = build_crosswalk(reference_dir, BASE_VERSION, version)
            for f, t in zip(cw["from_code"], cw["to_code"]):
                parts.setdefault(str(t), []).append(str(f))
            score[year] = {c: max(b_score[p] for p in parts[c]) for c in kommuner[year]}
            weight[year] = {c: sum(b_weight[p] for p in parts[c]) for c in kommuner[year]}
        bydeler = klass.read_bydeler(reference_dir)
        brng = _rng(seed, "bydeler")
        by_score = {c: brng.random() for c in sorted(bydeler)}
        by_weight = {c: brng.lognormvariate(1.2, 0.3) for c in sorted(bydeler)}
        return cls(reference_dir, seed, versions, kommuner, score, weight, bydeler, by_score, by_weight)


def _year_cells(world: _World, year: int) -> dict[str, dict[str, object]]:
    """Variable -> region code -> cell for the kommuner and bydeler of one year."""
    plan = PLAN[year]
    codes = list(world.kommuner[year])
    others = [c for c in codes if c != OSLO]
    score, weight = world.score[year], world.weight[year]
    ranked = sorted(codes, key=lambda c: (-score[c], c))
    has_fls = set(ranked[: plan.fls_kommuner])
    by_ranked = sorted(world.bydeler, key=lambda c: (-world.by_score[c], c))
    by_fls = set(by_ranked[: plan.fls_bydeler])
    rng = _rng(world.seed, year)

    cells: dict[str, dict[str, object]] = {v: {} for v in VARIABLES}
    fls_missing = set(rng.sample(sorted(others), plan.fls_missing))
    for c in codes:
        cells["Frisklivssentral"][c] = ".." if c in fls_missing else int(c in has_fls)
    for b in world.bydeler:
        cells["Frisklivssentral"][b] = int(b in by_fls)
    if year not in DETAIL_YEARS:
        return cells

    fls_others = sorted(c for c in others if c in has_fls and c not in fls_missing)
    without = sorted(c for c in others if c not in has_fls and c not in fls_missing)
    fls_bydeler = sorted(by_fls)

    # Årsverk: '..' for a few kommuner, the total spread over the rest by size; Oslo = its bydeler.
    ars_missing = set(rng.sample(fls_others, plan.arsverk_missing))
    units = [c for c in fls_others if c not in ars_missing] + fls_bydeler
    w = [(weight[u] if u in weight else world.by_weight[u]) ** 0.5 for u in units]
    for u, n in zip(units, _allocate(plan.arsverk_tenths or 0, w, 2)):
        cells["AvtalteArsverk"][u] = Tenths(n)
    for c in ars_missing:
        cells["AvtalteArsverk"][c] = ".."
    cells["AvtalteArsverk"][OSLO] = Tenths(sum(cells["AvtalteArsverk"][b].n for b in fls_bydeler))

    # Deltakere: the smallest centres suppressed (':'), a few new ones with none ('-').
    by_size = sorted(fls_others, key=lambda c: (weight[c], c))
    suppressed = set(by_size[: plan.suppressed])
    nil = set(rng.sample(sorted(set(fls_others) - suppressed), plan.nil))
    units = [c for c in fls_others if c not in suppressed | nil] + fls_bydeler
    w = [(weight[u] if u in weight else world.by_weight[u]) ** 0.8 for u in units]
    for u, n in zip(units, _allocate(plan.deltakere or 0, w, 5)):
        cells["Deltakere"][u] = n
    for c in suppressed:
        cells["Deltakere"][c] = ":"
    for c in nil:
        cells["Deltakere"][c] = "-"
    cells["Deltakere"][OSLO] = sum(cells["Deltakere"][b] for b in fls_bydeler)

    # Yes/no among centres: Oslo counts once and has a yes in at least one bydel.
    for var, share, missing in (("AndreLMTilbud", plan.andre_share, 0), ("EPJ", plan.epj_share, plan.epj_missing)):
        miss = set(rng.sample(fls_others, missing))
        answering = [c for c in fls_others if c not in miss]
        ones = round(share * (len(answering) + 1)) - 1
        yes = set(rng.sample(answering, ones))
        for c in fls_others:
            cells[var][c] = ".." if c in miss else int(c in yes)
        by_yes = {b for b in fls_bydeler if rng.random() < share} or {fls_bydeler[0]}
        for b in fls_bydeler:
            cells[var][b] = int(b in by_yes)
        cells[var][OSLO] = 1

    # A similar tilbud where there is no centre.
    yes = set(rng.sample(without, round(plan.liknende_share * len(without))))
    for c in without:
        cells["LiknendeTilbud"][c] = int(c in yes)
    for b in world.bydeler:
        if b not in by_fls:
            cells["LiknendeTilbud"][b] = int(rng.random() < plan.liknende_share)

    # Questions that cannot occur: centre questions without a centre, the similar-tilbud question with one.
    for c in [*codes, *world.bydeler]:
        centre = c in has_fls or c in by_fls
        for var in ("AvtalteArsverk", "Deltakere", "AndreLMTilbud", "EPJ"):
            if not centre:
                cells[var].setdefault(c, NOT_ASKED)
        if centre:
            cells["LiknendeTilbud"].setdefault(c, NOT_ASKED)
    return cells


def _aggregate(var: str, values: list[object], county: bool) -> object:
    """An aggregate row: count of yes for a yes/no variable, sum for a count.

    A county with a suppressed kommune is suppressed too (':'), or the
    kommune's number could be recovered by subtraction.
    """
    numbers = [v for v in values if isinstance(v, (int, Tenths))]
    if not numbers:
        return NOT_ASKED if all(v == NOT_ASKED for v in values) else ".."
    if county and var == "Deltakere" and any(v == ":" for v in values):
        return ":"
    if var in FLAGS:
        return sum(1 for v in numbers if v == 1)
    if var == "AvtalteArsverk":
        return Tenths(sum(v.n for v in numbers))
    return sum(numbers)


def _aggregates(cells: dict[str, dict[str, object]], kommuner: list[str],
                counties: list[str]) -> dict[str, dict[str, object]]:
    """Region code -> variable -> cell for EAK, EAKUO and one EKA row per county (None: county not in the year)."""
    present = {c[:2] for c in kommuner}
    out: dict[str, dict[str, object]] = {}
    groups = {"EAK": kommuner, "EAKUO": [c for c in kommuner if c != OSLO]}
    groups.update({f"EKA{f}": [c for c in kommuner if c[:2] == f] for f in counties})
    for code, members in groups.items():
        out[code] = {}
        for var in VARIABLES:
            if code.startswith("EKA") and code[3:] not in present:
                out[code][var] = None
            else:
                out[code][var] = _aggregate(var, [cells[var].get(c, NOT_ASKED) for c in members],
                                            code.startswith("EKA"))
    return out


def _aggregate_names(counties: list[str]) -> dict[str, str]:
    """Code -> name of the aggregate rows, in the order the statbank lists them (country first)."""
    return {"EAK": "Landet", "EAKUO": "Landet uten Oslo", **{f"EKA{f}": FYLKER.get(f, f) for f in counties}}


def _cp1252_name(name: str) -> str:
    """A name as a windows-1252 export writes it: the few Sami letters outside the code page lose their mark."""
    plain = name.translate(str.maketrans({"ŋ": "n", "Ŋ": "N", "ŧ": "t", "đ": "d", "Đ": "D", "č": "c", "Č": "C"}))
    return plain.encode("cp1252", errors="replace").decode("cp1252")


def _csv_bytes(world: _World, by_year: dict[int, dict[str, dict[str, object]]]) -> bytes:
    """The 2013-2016 extract: wide layout, all fields quoted, decimal comma, windows-1252, CRLF."""
    years = CSV_YEARS
    codes = sorted(set().union(*(world.kommuner[y] for y in years)))
    names = {c: n for y in years for c, n in world.kommuner[y].items()}
    counties = sorted({c[:2] for c in codes})
    columns = [(var, y) for var in VARIABLES for y in years if var == "Frisklivssentral" or y in DETAIL_YEARS]
    aggs = {y: _aggregates(by_year[y], list(world.kommuner[y]), counties) for y in years}
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    buf.write('"Frisklivssentraler (K) 2013 - 2016. Syntetiske demonstrasjonsdata, ikke tall fra SSB"\r\n\r\n')
    writer.writerow(["region", *[f"{VARIABLES[v][1]} {y}" for v, y in columns]])

    def fmt(v: object) -> str:
        """One CSV field: empty for no cell, decimal comma for årsverk."""
        if v is None:
            return ""
        return v.comma() if isinstance(v, Tenths) else str(v)

    for code, name in _aggregate_names(counties).items():
        writer.writerow([f"{code} {name}", *[fmt(aggs[y][code][v]) for v, y in columns]])
    regions = sorted([*codes, *world.bydeler])
    for code in regions:
        name = names.get(code) or world.bydeler[code]
        writer.writerow([_cp1252_name(f"{code} {name}"), *[fmt(by_year[y][v].get(code)) for v, y in columns]])
    return buf.getvalue().encode("cp1252")


def _json_bytes(world: _World, by_year: dict[int, dict[str, dict[str, object]]]) -> bytes:
    """The 2017-2019 extract as a JSON-stat 2.0 dataset; codes outside their years have empty cells."""
    years = JSON_YEARS
    codes = sorted(set().union(*(world.kommuner[y] for y in years)))
    names = {c: n for y in years for c, n in world.kommuner[y].items()}
    counties = sorted({c[:2] for c in codes})
    agg_names = _aggregate_names(counties)
    aggs = {y: _aggregates(by_year[y], list(world.kommuner[y]), counties) for y in years}
    regions = [*agg_names, *sorted([*codes, *world.bydeler])]
    labels = {**agg_names, **{c: names.get(c) or world.bydeler[c] for c in regions if c not in agg_names}}
    values: list[object] = []
    status: dict[str, str] = {}
    for region in regions:
        for var in VARIABLES:
            for y in years:
                if region in agg_names:
                    cell = aggs[y][region][var]
                else:
                    cell = by_year[y][var].get(region, NOT_ASKED)
                if region not in agg_names and region not in world.kommuner[y] and region not in world.bydeler:
                    cell = None  # a code outside its years: an empty cell, as the statbank leaves it
                if isinstance(cell, str):
                    status[str(len(values))] = cell
                    values.append(0 if cell == "-" else None)
                else:
                    values.append(cell.number() if isinstance(cell, Tenths) else cell)
    dataset = {
        "version": "2.0",
        "class": "dataset",
        "label": "Frisklivssentraler (K) 2017 - 2019. Syntetiske demonstrasjonsdata, ikke tall fra SSB",
        "source": "kartlegging.synth.kostra (synthetic)",  # the old module name: the committed extract keeps its bytes
        "updated": "2020-06-15T06:00:00Z",
        "id": ["KOKkommuneregion0000", "ContentsCode", "Tid"],
        "size": [len(regions), len(VARIABLES), len(years)],
        "role": {"geo": ["KOKkommuneregion0000"], "metric": ["ContentsCode"], "time": ["Tid"]},
        "dimension": {
            "KOKkommuneregion0000": {"label": "region", "category": {
                "index": {c: i for i, c in enumerate(regions)}, "label": labels}},
            "ContentsCode": {"label": "statistikkvariabel", "category": {
                "index": {v: i for i, v in enumerate(VARIABLES)}, "label": {v: VARIABLES[v][0] for v in VARIABLES}}},
            "Tid": {"label": "år", "category": {
                "index": {str(y): i for i, y in enumerate(years)}, "label": {str(y): str(y) for y in years}}},
        },
        "value": values,
        "status": status,
    }
    return (json.dumps(dataset, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def write_kostra(out_dir: Path, seed: int, reference_dir: Path | None = None) -> list[Path]:
    """Write the two demonstration extracts into ``out_dir``; returns their paths. Same seed, same bytes."""
    ref = default_reference_dir(reference_dir)
    world = _World.build(ref, seed)
    by_year = {y: _year_cells(world, y) for y in (*CSV_YEARS, *JSON_YEARS)}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / CSV_NAME, out / JSON_NAME]
    paths[0].write_bytes(_csv_bytes(world, by_year))
    paths[1].write_bytes(_json_bytes(world, by_year))
    return paths


def main(argv: list[str] | None = None) -> int:
    """``python -m kartlegging_synth.kostra --out data/raw/kostra --seed 2015``."""
    parser = argparse.ArgumentParser(prog="python -m kartlegging_synth.kostra",
                                     description="Write synthetic KOSTRA extracts on frisklivssentraler, 2013-2019.")
    parser.add_argument("--out", required=True, type=Path, help="folder to write into (data/raw/kostra)")
    parser.add_argument("--seed", type=int, default=2015, help="random seed (default 2015)")
    parser.add_argument("--reference", type=Path, default=None, help="reference folder with ssb-klass-131")
    args = parser.parse_args(argv)
    try:
        paths = write_kostra(args.out, args.seed, args.reference)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
