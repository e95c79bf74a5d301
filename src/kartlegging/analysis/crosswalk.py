"""The territorial crosswalk: each kommune of one Klass 131 version, and where its land lies in another.

A round is analysed in the kommune structure of its own year (2015: 428
kommuner). To compare rounds, to draw a round on another year's map or to read
KOSTRA of another year, a kommune of one version has to be followed into
another. Two sources do it together:

* **Candidates from SSB's change table** (``changes-*.json``: ``oldCode``,
  ``newCode``, ``changeOccurred``), chained date by date, so a new Klass version
  only needs its file. The chain says which kommuner a kommune's land *may*
  have gone to; it cannot say which part went where when a kommune was merged
  and later split (1534 Haram went into 1507 Ålesund in 2020, which was split
  into 1508 Ålesund and 1580 Haram in 2024: code by code, each of the five
  former kommuner lands in both).
* **Weights from territory.** Where a kommune has several candidates, the
  Kartverket polygons (:mod:`kartlegging.analysis.territory`) measure the share
  of its land that lies in each: ``weight`` is the area of the overlap over the
  sum of its overlaps with the candidates (so the weights of a kommune sum to
  1). A kommune with one candidate needs no polygons: its land went whole
  (weight 1, basis ``hel``).

Rules, in one place (the docstrings below say why):

* Forward (older to newer): the change rows dated after the from-version took
  effect and on or before the to-version took effect are applied date by date;
  a code with no row on a date keeps its code. Backward (newer to older): the
  forward chain read the other way round, so a merger read backwards is a split.
* Border adjustments: a kommune whose code goes on existing after a change
  (``0704 Tønsberg -> 0704 Tønsberg`` in 2017) is not split into its neighbours:
  its link to its own code is kept and the others dropped (and logged). Border
  changes SSB does not list (1520 Ørsta gave Bjørke to Volda in 2020) are not
  followed either: the candidates are the chain's.
* Drawing noise: the polygons are generalised, and two files draw one border a
  little differently, so a kommune overlaps candidates that got none of its land
  by slivers (1534 Haram and 1508 Ålesund share 0.1 % of Haram). An overlap
  smaller than :data:`MIN_SHARE` of both kommuner's areas is no land and the
  link is dropped (logged); the test is symmetric, so the backward crosswalk
  holds the same links as the forward one.
* Polygons of a version without its own file (2013, 2015, 2022, 2023): a
  kommune's polygon is taken from the nearest version with polygons in which
  the same kommune has the same land, i.e. the chain links it one to one both
  ways (2015's 1534 Haram is 2019's 1534). A kommune that was merged before the
  nearest file (2015's 0720 Stokke, split between Tønsberg and Sandefjord in
  2017, the first year with polygons) has no polygon anywhere: when it, or a
  candidate, has none and there are several candidates, the weights are left
  empty (basis ``uten_kart``), every candidate is kept, and the step names the
  kommune in its log. Nothing is guessed.
* Completeness: every code of the from-version lands on a code of the
  to-version and every code of the to-version is reached, or
  :class:`CrosswalkError` names the code. Nothing is dropped silently.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from kartlegging.analysis.territory import KommuneLand, TerritoryError, areas_m2, file_year, overlaps_m2, read_land

log = logging.getLogger("kartlegging.analysis.crosswalk")

#: Labels of a crosswalk row (see :func:`_change`).
CHANGES = ("uendret", "nytt_nummer", "navn", "sammenslått", "delt")

#: How a link's weight was found: the land went whole (no polygons needed), measured by area, or not measurable.
BASES = ("hel", "areal", "uten_kart")

#: An overlap below this share of both kommuner's areas is drawing noise, not land (see the module docstring).
#: Measured on the shipped files, every pair of versions: the largest sliver between a kommune and one of its
#: candidates is 0.5 % (1529 Skodje in 1580 Haram, 2017 or 2019 file against 2024), the smallest real share 2 %
#: (1507 Ålesund of 2020 read back into 1546 Sandøy, which is all of Sandøy's land).
MIN_SHARE = 0.01

CROSSWALK_COLUMNS = [
    "from_version", "from_code", "from_name", "to_version", "to_code", "to_name",
    "change", "weight", "weight_basis", "geometry",
]

#: SSB's code for "Uoppgitt" in every version: no kommune.
_NOT_A_KOMMUNE = "9999"


#: From-code -> its candidate to-codes, sorted: tuples, not sets, as some 30,000 of them live through a build and
#: the garbage collector stops walking a tuple of strings once it has seen it (a set it walks every time).
Chain = dict[str, tuple[str, ...]]


class CrosswalkError(ValueError):
    """The change table, the version files and the polygons do not give a complete translation.

    A ``ValueError`` so the runner reports it as input to fix (a missing or
    outdated Klass file), not as a bug.
    """


@dataclass(frozen=True)
class CodeChange:
    """One row of SSB's change table: ``old_code`` became (all or part of) ``new_code``."""

    old_code: str
    old_name: str
    new_code: str
    new_name: str
    occurred: date


@dataclass(frozen=True)
class Version:
    """One Klass 131 version: its year, validity and kommuner (code -> name)."""

    year: str
    valid_from: date
    valid_to: date | None
    kommuner: dict[str, str] = field(hash=False, compare=False)


@dataclass(frozen=True)
class KlassFiles:
    """The files a crosswalk is built from: Klass 131 versions, the change table and kommune polygons.

    A step gets them as its declared inputs; :meth:`in_folder` finds them in a
    reference folder laid out as ``data/reference`` (for tests, notebooks and
    the demo generator).
    """

    versions: tuple[str, ...]
    changes: tuple[str, ...]
    polygons: tuple[str, ...] = ()

    @classmethod
    def in_folder(cls, reference_dir: str | Path) -> KlassFiles:
        ref = Path(reference_dir)
        klass = ref / "ssb-klass-131"
        polygons = [p for pattern in ("kartverket/kommuner-*.geojson", "kartverket-historic/kommuner-*.geojson")
                    for p in ref.glob(pattern)]
        return cls(tuple(sorted(str(p) for p in klass.glob("version-*.json"))),
                   tuple(sorted(str(p) for p in klass.glob("changes-*.json"))),
                   tuple(sorted(str(p) for p in polygons)))


Source = str | Path | KlassFiles


def _files(source: Source) -> KlassFiles:
    return source if isinstance(source, KlassFiles) else KlassFiles.in_folder(source)


# -- reading -------------------------------------------------------------------------


def _json(path: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CrosswalkError(f"{path}: file not found") from exc
    except json.JSONDecodeError as exc:
        raise CrosswalkError(f"{path}: not valid JSON ({exc})") from exc


def _read_version(path: str) -> Version:
    """A ``version-YYYY.json`` as SSB's Klass API serves it: validity and the kommuner (no 9999)."""
    data = _json(path)
    try:
        items = data["classificationItems"]
        valid_to = date.fromisoformat(data["validTo"][:10]) if data.get("validTo") else None
        return Version(Path(path).stem.split("-", 1)[1], date.fromisoformat(data["validFrom"][:10]), valid_to,
                       {str(i["code"]): str(i["name"]).strip() for i in items if str(i["code"]) != _NOT_A_KOMMUNE})
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise CrosswalkError(f"{path}: not a Klass version (classificationItems, validFrom): {exc!r}") from exc


def _read_changes(path: str) -> tuple[CodeChange, ...]:
    data = _json(path)
    rows = data.get("codeChanges") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise CrosswalkError(f"{path}: no 'codeChanges' list (the shape SSB's Klass API serves)")
    out = []
    for i, row in enumerate(rows):
        try:
            out.append(CodeChange(
                str(row["oldCode"]).strip(), str(row.get("oldName") or "").strip(),
                str(row["newCode"]).strip(), str(row.get("newName") or "").strip(),
                date.fromisoformat(str(row["changeOccurred"])[:10]),
            ))
        except (KeyError, TypeError, ValueError) as exc:
            raise CrosswalkError(f"{path}: codeChanges[{i}] is not a change row ({exc!r})") from exc
    return tuple(out)


class _Klass:
    """The versions, the change table and the polygon files of one set of files, read once and never changed.

    :func:`_klass` shares one instance between every thread of the process, so it
    holds nothing a build fills in: the chains, polygons and overlaps a build works
    out are kept by that build's :class:`_Build`.
    """

    def __init__(self, files: KlassFiles) -> None:
        if not files.versions:
            raise CrosswalkError("no Klass 131 version files (version-YYYY.json)")
        if len(files.changes) != 1:
            # two files covering different periods would give different crosswalks depending on which one was read
            raise CrosswalkError(
                f"expected exactly one changes-*.json (SSB's change table of classification 131), found "
                f"{len(files.changes)}: {', '.join(Path(p).name for p in files.changes) or 'none'}")
        self.versions = sorted((_read_version(p) for p in files.versions), key=lambda v: v.valid_from)
        self.by_year = {v.year: v for v in self.versions}
        #: version year -> the version after it (none for the newest): a forward chain is walked version by version
        self.following = {a.year: b for a, b in itertools.pairwise(self.versions)}
        self.changes = _read_changes(files.changes[0])
        self.polygon_files = self._polygon_versions(files.polygons)

    def version_for(self, wanted: str) -> Version:
        """A version year (``2015``), or the version valid on a date or 1 January of a year (``2016`` -> 2015)."""
        text = str(wanted)
        if text in self.by_year:
            return self.by_year[text]
        try:
            when = date.fromisoformat(text) if len(text) == 10 else date(int(text), 1, 1)
        except ValueError as exc:
            raise CrosswalkError(f"classification '{wanted}' is neither a year nor a date") from exc
        found = self.valid_on(when)
        if found is None:
            raise CrosswalkError(f"no Klass 131 version is valid on {when}; available: {', '.join(self.by_year)}")
        return found

    def valid_on(self, when: date) -> Version | None:
        for v in self.versions:
            if v.valid_from <= when and (v.valid_to is None or when < v.valid_to):
                return v
        return None

    def _polygon_versions(self, paths: Iterable[str]) -> dict[str, str]:
        """Klass version -> the polygon file of that structure: the version valid on 1 January of the file's year.

        When two files draw one version, the one named for the version's year wins, else the later one.
        """
        best: dict[str, tuple[tuple[bool, str], str]] = {}
        for path in sorted(paths):
            try:
                year = file_year(path)
            except TerritoryError as exc:
                raise CrosswalkError(str(exc)) from exc
            version = self.valid_on(date(int(year), 1, 1))
            if version is None:
                raise CrosswalkError(f"{path}: no Klass 131 version is valid on 1 January {year}")
            rank = (year == version.year, year)
            if version.year not in best or rank > best[version.year][0]:
                best[version.year] = (rank, path)
        return {v: path for v, (_, path) in sorted(best.items())}

    def nearest_polygon_versions(self, version: str) -> list[str]:
        """The versions with a polygon file, nearest to ``version`` first (the later of two as near)."""
        here = self.by_year[version].valid_from
        return sorted(self.polygon_files, key=lambda v: (abs((self.by_year[v].valid_from - here).days), -int(v)))

    def forward(self, src: Version, dst: Version) -> Chain:
        """Chain the change dates in ``(src.validFrom, dst.validFrom]``, date by date."""
        by_date: dict[date, list[CodeChange]] = defaultdict(list)
        for ch in self.changes:
            if src.valid_from < ch.occurred <= dst.valid_from:
                by_date[ch.occurred].append(ch)
        current = {code: {code} for code in src.kommuner}
        for when in sorted(by_date):
            after = self.valid_on(when)
            step = _step(by_date[when], set(after.kommuner) if after else None, when)
            current = {code: set().union(*(step.get(c, {c}) for c in now)) for code, now in current.items()}
        return {code: tuple(sorted(now)) for code, now in current.items()}


@cache
def _klass(files: KlassFiles) -> _Klass:
    return _Klass(files)


class _Polygon(NamedTuple):
    """A kommune's polygon as one file draws it; ``path`` and ``code`` name it (one overlap serves every pair)."""

    path: str
    name: str
    code: str
    shape: Any

    @property
    def key(self) -> tuple[str, str]:
        return self.path, self.code


class _Build:
    """The chains, polygons and overlaps of one build, worked out once for all its version pairs.

    Most pairs ask the same questions (2013 -> 2024 and 2015 -> 2024 measure
    the same polygons), so each is answered once. Made per call and never
    shared between threads, so its memos need no lock.
    """

    def __init__(self, k: _Klass) -> None:
        self.k = k
        self._chains: dict[tuple[str, str], Chain] = {}
        self._polygons: dict[tuple[str, str], _Polygon | None] = {}
        self._land: dict[str, KommuneLand] = {}
        self._overlaps: dict[tuple[tuple[str, str], tuple[str, str]], float] = {}
        self._areas: dict[tuple[str, str], float] = {}

    def chain(self, a: str, b: str) -> Chain:
        """From-code -> candidate to-codes, by SSB's change table alone.

        A forward chain over several versions is the chain to the next version
        followed by the chain from there: the change dates are applied one by one
        either way, and each date is then read once for all the pairs that span it.
        """
        if (a, b) not in self._chains:
            src, dst = self.k.by_year[a], self.k.by_year[b]
            if a == b:
                mapping = {code: (code,) for code in src.kommuner}
            elif src.valid_from < dst.valid_from:
                step = self.k.following[a]
                if step.year == b:
                    mapping = self.k.forward(src, dst)
                else:
                    mapping = _compose(self.chain(a, step.year), self.chain(step.year, b))
            else:
                mapping = _inverse(self.chain(b, a))
            _check_complete(mapping, src, dst)
            self._chains[(a, b)] = mapping
        return self._chains[(a, b)]

    def land(self, version: str) -> KommuneLand:
        if version not in self._land:
            try:
                self._land[version] = read_land(self.k.polygon_files[version])
            except TerritoryError as exc:
                raise CrosswalkError(str(exc)) from exc
        return self._land[version]

    def polygon(self, version: str, code: str) -> _Polygon | None:
        """The polygon of a kommune of ``version``, or None when no file has its land.

        Its own version's file first; else the nearest version with a file in which
        the chain links the kommune one to one in both directions (the same land).
        """
        if (version, code) not in self._polygons:
            self._polygons[(version, code)] = self._find_polygon(version, code)
        return self._polygons[(version, code)]

    def _find_polygon(self, version: str, code: str) -> _Polygon | None:
        for other in self.k.nearest_polygon_versions(version):
            if other == version:
                target = code
            else:
                forward = self.chain(version, other).get(code, ())
                if len(forward) != 1:
                    continue
                target = forward[0]
                if self.chain(other, version).get(target) != (code,):
                    continue
            land = self.land(other)
            if target in land.codes:
                return _Polygon(land.path, land.name, target, land.shape(target))
        return None

    def measure(self, splits: Iterable[_Split]) -> None:
        """Every overlap and area the measurable splits ask for, in one vectorised pass (see :meth:`overlap`)."""
        pending: dict[tuple[tuple[str, str], tuple[str, str]], tuple[Any, Any]] = {}
        shapes: dict[tuple[str, str], Any] = {}
        for split in splits:
            if split.own is None or any(p is None for p in split.theirs.values()):
                continue
            for theirs in split.theirs.values():
                key = (split.own.key, theirs.key)
                if key not in self._overlaps:
                    pending.setdefault(key, (split.own.shape, theirs.shape))
                shapes.update({p.key: p.shape for p in (split.own, theirs) if p.key not in self._areas})
        self._overlaps.update(zip(pending, overlaps_m2(list(pending.values()))))
        self._areas.update(zip(shapes, areas_m2(list(shapes.values()))))

    def overlap(self, a: _Polygon, b: _Polygon) -> float:
        """Area two kommune polygons share, as :meth:`measure` found it."""
        return self._overlaps[(a.key, b.key)]

    def area(self, p: _Polygon) -> float:
        """Area of a kommune polygon, as :meth:`measure` found it."""
        return self._areas[p.key]


def _compose(first: Chain, then: Chain) -> Chain:
    """``first`` followed by ``then``: where each code's candidates go next (most go one to one)."""
    return {code: then[now[0]] if len(now) == 1 else tuple(sorted(set().union(*(then[c] for c in now))))
            for code, now in first.items()}


def _inverse(chain: Chain) -> Chain:
    """A chain read backwards: each to-code's from-codes (a merger read backwards is a split)."""
    inverse: dict[str, list[str]] = defaultdict(list)
    for old, news in chain.items():
        for new in news:
            inverse[new].append(old)
    return {new: tuple(sorted(olds)) for new, olds in inverse.items()}


def _step(batch: list[CodeChange], live_after: set[str] | None, when: date) -> dict[str, set[str]]:
    """Where each code listed on one change date goes, border adjustments removed.

    A listed code *goes on existing* when SSB lists it onto itself, or when the
    version in force after the date still has it and no other code was renumbered
    onto it (that would be the code being reused, not the kommune continuing).
    A code that goes on existing keeps only its own code: a part of its area moved
    to a neighbour does not make the whole kommune's answers count for the
    neighbour. Only a code that ceases is a split.
    """
    targets: dict[str, set[str]] = defaultdict(set)
    for ch in batch:
        targets[ch.old_code].add(ch.new_code)
    renumbered_onto = {ch.new_code for ch in batch if ch.new_code != ch.old_code}
    out: dict[str, set[str]] = {}
    for old, new in targets.items():
        continues = old in new or (
            live_after is not None and old in live_after and old not in renumbered_onto
        )
        if continues and new != {old}:
            log.info(
                "%s: %s goes on existing; the change rows to %s are read as border adjustments, not a split",
                when, old, ", ".join(sorted(new - {old})),
            )
            out[old] = {old}
        else:
            out[old] = set(new)
    return out


def _check_complete(mapping: Chain, src: Version, dst: Version) -> None:
    """Every from-code lands in the to-version and every to-code is reached, or a named error."""
    to_codes = set(dst.kommuner)
    # one pass over sets for the common case; only a failure walks the codes in order to name the first
    if not all(mapping.get(code) for code in src.kommuner) or not to_codes.issuperset(
            set().union(*(mapping[code] for code in src.kommuner))):
        _name_unlanded(mapping, src, dst, to_codes)
    reached = set().union(*mapping.values()) if mapping else set()
    orphans = sorted(set(dst.kommuner) - reached)
    if orphans:
        names = ", ".join(f"{c} {dst.kommuner[c]}" for c in orphans)
        raise CrosswalkError(
            f"kommune(s) {names} of Klass {dst.year} are reached from no kommune of Klass {src.year}: "
            "the change table (or, after a split, the polygons) does not say where they came from"
        )


def _name_unlanded(mapping: Chain, src: Version, dst: Version, to_codes: set[str]) -> None:
    """The error for the first from-code, in code order, that lands nowhere or outside the to-version."""
    for code in sorted(src.kommuner):
        landed = set(mapping.get(code, ()))
        if not landed:
            raise CrosswalkError(
                f"kommune {code} {src.kommuner[code]} (Klass {src.year}) maps to no kommune of "
                f"Klass {dst.year}: the change table does not say what became of it"
            )
        stray = sorted(landed - to_codes)
        if stray:
            raise CrosswalkError(
                f"kommune {code} {src.kommuner[code]} (Klass {src.year}) maps to {', '.join(stray)}, "
                f"which is not a kommune of Klass {dst.year}: the change table and the version files disagree"
            )


# -- weights ---------------------------------------------------------------------------


class Link(NamedTuple):
    """One link of a from-kommune: its target, the share of its land there, and how that share was found."""

    to_code: str
    weight: float | None
    basis: str
    geometry: str | None = None


@dataclass(frozen=True)
class _Split:
    """A from-kommune with several candidates, and the polygons of it and of each (None: no file has its land)."""

    code: str
    targets: list[str]
    own: _Polygon | None
    theirs: dict[str, _Polygon | None]


def _splits(b: _Build, src: Version, dst: Version) -> list[_Split]:
    """The from-kommuner of a pair that have several candidates, with their polygons found."""
    out = []
    for code, targets in sorted(b.chain(src.year, dst.year).items()):
        if len(targets) > 1:
            own = b.polygon(src.year, code)
            out.append(_Split(code, list(targets), own, {t: b.polygon(dst.year, t) for t in targets}))
    return out


def _measured(b: _Build, src: Version, dst: Version, split: _Split) -> list[Link]:
    """The links of a kommune with several candidates, weighted by the area it shares with each."""
    code, targets, own, theirs = split.code, split.targets, split.own, split.theirs
    if own is None or any(v is None for v in theirs.values()):
        lacking = ([f"{code} {src.kommuner[code]} (Klass {src.year})"] if own is None else []) + [
            f"{t} {dst.kommuner[t]} (Klass {dst.year})" for t, v in theirs.items() if v is None]
        log.info("Klass %s -> %s: %s %s goes to %s; no polygons of %s, so the shares are unknown and every "
                 "candidate is kept", src.year, dst.year, code, src.kommuner[code], ", ".join(targets),
                 ", ".join(lacking))
        return [Link(t, None, "uten_kart") for t in targets]
    found = {t: p for t, p in theirs.items() if p is not None}
    overlaps = {t: b.overlap(own, found[t]) for t in targets}
    kept = {t: a for t, a in overlaps.items() if a > 0 and a >= MIN_SHARE * min(b.area(own), b.area(found[t]))}
    for t in targets:
        if t not in kept:
            log.info("Klass %s -> %s: %s %s -> %s %s dropped: they share %.3f %% of %s's land, drawing noise "
                     "below %g %%", src.year, dst.year, code, src.kommuner[code], t, dst.kommuner[t],
                     100 * overlaps[t] / b.area(own), code, 100 * MIN_SHARE)
    if not kept:
        raise CrosswalkError(
            f"kommune {code} {src.kommuner[code]} (Klass {src.year}) shares no land with its candidates "
            f"{', '.join(targets)} of Klass {dst.year} in the polygon files; a polygon file is wrong")
    total = sum(kept.values())
    geometry = " / ".join([own.name, *sorted({found[t].name for t in kept} - {own.name})])
    return [Link(t, 1.0 if len(kept) == 1 else round(a / total, 6), "areal", geometry) for t, a in sorted(kept.items())]


@cache
def _bare_name(name: str) -> str:
    """A name without SSB's county qualifier, for telling a renaming from a relabelling.

    SSB adds a county in parentheses to names several kommuner share, and has
    added or changed these qualifiers in old versions after the fact (``Vang
    (Oppland)`` in 2015, ``Vang`` in 2017; ``Våler (Viken)`` to ``Våler
    (Østfold)``). The kommune's name did not change, so these are not ``navn``.
    """
    return re.sub(r"\s*\([^)]*\)\s*$", "", name).strip()


def _change(code: str, to_code: str, split: bool, incoming: int, src: Version, dst: Version) -> str:
    """The change label of one link (``split``: the from-code has several links; ``incoming``: how many
    from-codes reach ``to_code``).

    A from-code going to several to-codes is ``delt``; this wins over
    ``sammenslått`` when both hold (0720 Stokke -> 0704 Tønsberg, which also took
    in 0704 itself), because the split is what makes the row lossy: the whole
    kommune's value is read for a part of it. Otherwise a to-code reached from
    several from-codes is ``sammenslått``; a 1:1 row is ``uendret`` or ``navn``
    (same code, name in the to-version differs) or ``nytt_nummer``.
    """
    if split:
        return "delt"
    if incoming > 1:
        return "sammenslått"
    if to_code == code:
        return "uendret" if _bare_name(src.kommuner[code]) == _bare_name(dst.kommuner[to_code]) else "navn"
    return "nytt_nummer"


def _pair_rows(b: _Build, src: Version, dst: Version, splits: list[_Split]) -> list[tuple[Any, ...]]:
    """The rows of one version pair (columns :data:`CROSSWALK_COLUMNS`), its overlaps already measured.

    A from-code with one candidate goes whole (``hel``), one with several is
    weighted by territory (:func:`_measured`). Nearly all of the table's links
    are whole, so those are written straight off the chain, in one pass.
    """
    chain = b.chain(src.year, dst.year)
    measured = {split.code: _measured(b, src, dst, split) for split in splits}
    mapping = chain
    if any(len(links) < len(chain[code]) for code, links in measured.items()):
        # a candidate dropped as drawing noise: check again that every to-code is still reached
        mapping = {**chain, **{code: tuple(link.to_code for link in links) for code, links in measured.items()}}
        _check_complete(mapping, src, dst)
    incoming = Counter(itertools.chain.from_iterable(mapping.values()))
    rows = []
    for code in sorted(mapping):
        links = measured.get(code) or [Link(mapping[code][0], 1.0, "hel")]
        split = len(links) > 1
        for to_code, weight, basis, geometry in links:
            rows.append((src.year, code, src.kommuner[code], dst.year, to_code, dst.kommuner[to_code],
                         _change(code, to_code, split, incoming[to_code], src, dst), weight, basis, geometry))
    return rows


def _rows(source: Source, pairs: Iterable[tuple[str, str]]) -> list[tuple[Any, ...]]:
    """The rows of several version pairs: every pair's chains and polygons first, then every overlap at once."""
    k = _klass(_files(source))
    b = _Build(k)
    versions = [(k.version_for(str(a)), k.version_for(str(z))) for a, z in pairs]
    splits = [_splits(b, src, dst) for src, dst in versions]
    b.measure(split for part in splits for split in part)
    return [row for (src, dst), part in zip(versions, splits) for row in _pair_rows(b, src, dst, part)]


def build_crosswalk(source: Source, from_version: str, to_version: str) -> pd.DataFrame:
    """Every kommune of ``from_version``, and the share of its land in each kommune of ``to_version``.

    ``source`` is a reference folder or the :class:`KlassFiles`. Versions are
    given as in a round's ``classification`` (a version year, or a year or date
    inside a version's validity) and written as the version year. One row per
    link (columns :data:`CROSSWALK_COLUMNS`): a split gives several rows for one
    from-code, a merger several rows for one to-code. ``weight`` is the share of
    the from-kommune's land in the to-kommune (1 where it went whole, empty where
    it cannot be measured); ``change`` is one of :data:`CHANGES`
    (see :func:`_change`). Raises :class:`CrosswalkError` when a code of either
    version is left without a partner.
    """
    return build_crosswalks(source, [(from_version, to_version)])


def build_crosswalks(source: Source, pairs: Iterable[tuple[str, str]]) -> pd.DataFrame:
    """The crosswalks of several version pairs stacked, built together (one frame, each overlap measured once)."""
    return pd.DataFrame(_rows(source, pairs), columns=CROSSWALK_COLUMNS)


def version_years(source: Source) -> list[str]:
    """Every Klass version of the files, oldest first."""
    return [v.year for v in _klass(_files(source)).versions]


def crosswalk_table(source: Source) -> pd.DataFrame:
    """The ``crosswalk`` table: every ordered pair of the versions, a version with itself included.

    Every pair, not only those the configuration uses, so that adding a round or
    changing ``harmonise_to`` never reruns it, and every reader finds its pair.
    """
    years = version_years(source)
    return build_crosswalks(source, [(a, b) for a, b in itertools.product(years, years)])


def newest_version(source: Source) -> str:
    """The newest Klass version present: the default structure to harmonise to."""
    return version_years(source)[-1]


def pair_of(crosswalk: pd.DataFrame, from_version: str, to_version: str) -> pd.DataFrame:
    """The rows of one version pair of the crosswalk table, or a named error when the table lacks it."""
    part = crosswalk[(crosswalk["from_version"].astype(str) == str(from_version))
                     & (crosswalk["to_version"].astype(str) == str(to_version))]
    if part.empty:
        raise CrosswalkError(f"the crosswalk table has no rows from Klass {from_version} to Klass {to_version} "
                             "(give version years that have a version-YYYY.json; rerun the crosswalk rule)")
    return part


__all__ = [
    "BASES", "CHANGES", "CROSSWALK_COLUMNS", "MIN_SHARE", "CrosswalkError", "KlassFiles", "Link", "Version",
    "build_crosswalk", "build_crosswalks", "crosswalk_table", "newest_version", "pair_of", "version_years",
]
