"""Kommune crosswalks between Klass 131 versions, and kommune_status in one common structure.

A round is analysed in the kommune structure of its own year (2015: 428
kommuner). To compare rounds, or to draw a 2015 round on a 2024 map (357
kommuner), every round's ``kommune_status`` has to be put into one structure.
This module derives the translation from SSB's own change table of
classification 131 (``changes-*.json``: ``oldCode``/``newCode``/``changeOccurred``)
rather than from a hand-kept list, so a new Klass version only needs its file.

Rules, in one place (the docstrings below say why):

* Forward (older to newer): the change rows dated after the from-version took
  effect and on or before the to-version took effect are applied date by date;
  a code with no row on a date keeps its code. Several codes going to one code is
  a merger, one code going to several codes is a split (0720 Stokke, 2017).
* Backward (newer to older): the forward crosswalk read the other way round. A
  merger read backwards is a split (5054 Indre Fosen 2018 goes back to 1624
  Rissa and 1718 Leksvik; 3905 Tønsberg 2024 to 0704 Tønsberg, 0716 Re and
  0720 Stokke, of which it holds a part) and a split read backwards is a merger.
* Border adjustments: SSB sometimes lists a change for a kommune that goes on
  existing (``0704 Tønsberg -> 0704 Tønsberg`` in 2017, when Tønsberg received
  part of Stokke), and may list a transfer of a small area to a neighbour. When
  the old code goes on existing after the change, the kommune is *not* treated as
  split into the neighbour: its link to its own code is kept and the links to
  other codes are dropped (and logged). A kommune is split only when its code
  ceases.
* Completeness: every code of the from-version must land on a code of the
  to-version, and every code of the to-version must be reached; otherwise the
  change table and the version files disagree and :class:`CrosswalkError` names
  the code. Nothing is dropped silently.
"""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd

from kartlegging.core import classification as klass
from kartlegging.core.classification import Classification

log = logging.getLogger("kartlegging.analysis.crosswalk")

#: Labels of a crosswalk row (see :func:`build_crosswalk`).
CHANGES = ("uendret", "nytt_nummer", "navn", "sammenslått", "delt")

#: How a target kommune got its status in :func:`harmonise_status`.
RULES = ("uendret", "navn", "nytt_nummer", "sammenslått", "delt_del_av")

STATUS_VALUES = ("ja", "nei", "ukjent")

CROSSWALK_COLUMNS = ["from_version", "from_code", "to_version", "to_code", "change"]
HARMONISED_COLUMNS = [
    "round", "kommunenummer", "kommunenavn", "fylkesnummer", "fylkesnavn",
    "har_tjeneste", "fra_kommuner", "regel",
]


class CrosswalkError(ValueError):
    """The change table and the version files do not give a complete translation.

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


# -- reading the change table ---------------------------------------------------

def changes_file(reference_dir: str | Path | klass.ReferenceFiles) -> Path:
    """The one change table in ``<reference_dir>/ssb-klass-131`` (or among the reference files given).

    Exactly one ``changes-*.json`` is required: two files covering different
    periods would give different crosswalks depending on which one was read.
    """
    found = [Path(p) for p in klass.reference_of(reference_dir).changes]
    if len(found) != 1:
        raise CrosswalkError(
            f"{klass.klass_dir(reference_dir)}: expected exactly one changes-*.json (SSB's change table "
            f"of classification 131), found {len(found)}: {', '.join(p.name for p in found) or 'none'}"
        )
    return found[0]


@cache
def _read_changes(path: Path) -> tuple[CodeChange, ...]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CrosswalkError(f"{path}: not valid JSON ({exc})") from exc
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


def read_changes(reference_dir: str | Path) -> tuple[CodeChange, ...]:
    """Every row of the change table, in file order."""
    return _read_changes(changes_file(reference_dir).resolve())


# -- chaining --------------------------------------------------------------------

def _all_versions(reference_dir: str | Path) -> list[Classification]:
    """Every available version, oldest first; used to know which codes exist after a change date."""
    return sorted(
        (klass.load(reference_dir, year) for year in klass.available_versions(reference_dir)),
        key=lambda c: c.valid_from,
    )


def _codes_valid_on(versions: list[Classification], when: date) -> set[str] | None:
    """Codes of the version in force on ``when``; ``None`` when no file covers that date."""
    for cls in versions:
        if cls.valid_from <= when and (cls.valid_to is None or when < cls.valid_to):
            return set(cls.kommuner)
    return None


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


def _forward(reference_dir: str | Path, src: Classification, dst: Classification) -> dict[str, set[str]]:
    """From-code -> to-codes for ``src`` older than ``dst``, chaining the change dates in between."""
    versions = _all_versions(reference_dir)
    by_date: dict[date, list[CodeChange]] = defaultdict(list)
    for ch in read_changes(reference_dir):
        if src.valid_from < ch.occurred <= dst.valid_from:
            by_date[ch.occurred].append(ch)
    current = {code: {code} for code in src.kommuner}
    for when in sorted(by_date):
        step = _step(by_date[when], _codes_valid_on(versions, when), when)
        current = {
            code: set().union(*(step.get(c, {c}) for c in now)) for code, now in current.items()
        }
    return current


def _check_complete(mapping: Mapping[str, set[str]], src: Classification, dst: Classification) -> None:
    """Every from-code lands in the to-version and every to-code is reached, or a named error."""
    for code in sorted(src.kommuner):
        landed = mapping.get(code, set())
        if not landed:
            raise CrosswalkError(
                f"kommune {code} {src.kommuner[code].name} (Klass {src.version}) maps to no kommune of "
                f"Klass {dst.version}: the change table does not say what became of it"
            )
        stray = sorted(landed - set(dst.kommuner))
        if stray:
            raise CrosswalkError(
                f"kommune {code} {src.kommuner[code].name} (Klass {src.version}) maps to {', '.join(stray)}, "
                f"which is not a kommune of Klass {dst.version}: the change table and the version files disagree"
            )
    reached = set().union(*mapping.values()) if mapping else set()
    orphans = sorted(set(dst.kommuner) - reached)
    if orphans:
        names = ", ".join(f"{c} {dst.kommuner[c].name}" for c in orphans)
        raise CrosswalkError(
            f"kommune(s) {names} of Klass {dst.version} are reached from no kommune of Klass {src.version}: "
            "the change table does not say where they came from"
        )


def _bare_name(name: str) -> str:
    """A name without SSB's county qualifier, for telling a renaming from a relabelling.

    SSB adds a county in parentheses to names several kommuner share, and has
    added or changed these qualifiers in old versions after the fact (``Vang
    (Oppland)`` in 2015, ``Vang`` in 2017; ``Våler (Viken)`` to ``Våler
    (Østfold)``). The kommune's name did not change, so these are not ``navn``.
    """
    return re.sub(r"\s*\([^)]*\)\s*$", "", name).strip()


def _label(mapping: Mapping[str, set[str]], src: Classification, dst: Classification) -> pd.DataFrame:
    """Rows with their change label.

    A from-code going to several to-codes is ``delt``; this wins over
    ``sammenslått`` when both hold (0720 Stokke -> 0704 Tønsberg, which also took
    in 0704 itself), because the split is what makes the row lossy: the whole
    kommune's value is read for a part of it. Otherwise a to-code reached from
    several from-codes is ``sammenslått``; a 1:1 row is ``uendret`` or ``navn``
    (same code, name in the to-version differs) or ``nytt_nummer``.
    """
    incoming: dict[str, int] = defaultdict(int)
    for targets in mapping.values():
        for t in targets:
            incoming[t] += 1
    rows = []
    for code in sorted(mapping):
        targets = mapping[code]
        for t in sorted(targets):
            if len(targets) > 1:
                change = "delt"
            elif incoming[t] > 1:
                change = "sammenslått"
            elif t == code:
                same = _bare_name(src.kommuner[code].name) == _bare_name(dst.kommuner[t].name)
                change = "uendret" if same else "navn"
            else:
                change = "nytt_nummer"
            rows.append({"from_version": src.version, "from_code": code,
                         "to_version": dst.version, "to_code": t, "change": change})
    return pd.DataFrame(rows, columns=CROSSWALK_COLUMNS)


def build_crosswalk(reference_dir: str | Path, from_version: str, to_version: str) -> pd.DataFrame:
    """Translation of every kommune code of ``from_version`` into ``to_version``.

    Versions are given as in a round's ``classification`` (a version year, or a
    year or date inside a version's validity) and written as the version year.
    Columns ``from_version, from_code, to_version, to_code, change``; one row per
    link, so a split gives several rows for one from-code and a merger several
    rows for one to-code. ``change`` is one of ``uendret``, ``navn``,
    ``nytt_nummer``, ``sammenslått``, ``delt`` (see :func:`_label`).

    Forward translation chains SSB's change rows dated in
    ``(from.validFrom, to.validFrom]`` date by date. Backward translation is the
    forward crosswalk inverted, so a merger read backwards is a split (``delt``)
    and a split read backwards a merger (``sammenslått``). Change rows for a
    kommune whose code goes on existing are read as border adjustments and do
    not split it (see the module docstring). Raises :class:`CrosswalkError` when
    a code of either version is left without a partner.
    """
    src = klass.load(reference_dir, str(from_version))
    dst = klass.load(reference_dir, str(to_version))
    if src.version == dst.version:
        mapping = {code: {code} for code in src.kommuner}
    elif src.valid_from < dst.valid_from:
        mapping = _forward(reference_dir, src, dst)
    else:
        inverse: dict[str, set[str]] = defaultdict(set)
        for old, news in _forward(reference_dir, dst, src).items():
            for new in news:
                inverse[new].add(old)
        mapping = dict(inverse)
    _check_complete(mapping, src, dst)
    return _label(mapping, src, dst)


def crosswalk_pairs(round_versions: Iterable[str], target_version: str) -> list[tuple[str, str]]:
    """Ordered version pairs the configuration needs: every round version to every other one and to the target."""
    rounds = sorted({str(v) for v in round_versions})
    every = sorted(set(rounds) | {str(target_version)})
    return [(a, b) for a in rounds for b in every if a != b]


def build_crosswalks(reference_dir: str | Path, pairs: Iterable[tuple[str, str]]) -> pd.DataFrame:
    """The crosswalks of several version pairs stacked, for the ``crosswalk`` table."""
    frames = [build_crosswalk(reference_dir, a, b) for a, b in pairs]
    if not frames:
        return pd.DataFrame(columns=CROSSWALK_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def newest_version(reference_dir: str | Path) -> str:
    """The newest Klass version present: the default structure to harmonise to."""
    versions = _all_versions(reference_dir)
    if not versions:
        raise CrosswalkError(f"{klass.klass_dir(reference_dir)}: no version-*.json files")
    return versions[-1].version


# -- harmonising kommune_status ---------------------------------------------------

def _combine(values: list[str]) -> str:
    """A target kommune has a service if any of its parts had one.

    ``ja`` if any part said ja; else ``nei`` if any part said nei; else
    ``ukjent``. A merged kommune where one former kommune had a service thus
    has one: the service now serves part of the merged kommune, which is what
    "has a service" means in the report.
    """
    if "ja" in values:
        return "ja"
    if "nei" in values:
        return "nei"
    return "ukjent"


def _harmonise_round(
    round_name: str, status: pd.DataFrame, version: str, target: Classification, reference_dir: str | Path
) -> list[dict]:
    """One round's status rows translated to the target structure."""
    source = klass.load(reference_dir, version)
    unknown_codes = sorted(set(status["kommunenummer"]) - set(source.kommuner))
    if unknown_codes:
        raise CrosswalkError(
            f"round {round_name}: kommune_status has {', '.join(unknown_codes[:10])}, not kommuner of "
            f"Klass {source.version} (the round's classification)"
        )
    bad = sorted(set(status["har_tjeneste"].dropna()) - set(STATUS_VALUES))
    if bad or status["har_tjeneste"].isna().any():
        raise CrosswalkError(f"round {round_name}: har_tjeneste must be ja, nei or ukjent, found {bad or 'null'}")
    if status["kommunenummer"].duplicated().any():
        dups = sorted(status.loc[status["kommunenummer"].duplicated(), "kommunenummer"].unique())
        raise CrosswalkError(f"round {round_name}: kommune_status lists {', '.join(dups[:10])} more than once")
    answer = dict(zip(status["kommunenummer"], status["har_tjeneste"]))
    missing = sorted(set(source.kommuner) - set(answer))
    if missing:
        log.warning(
            "round %s: %d kommuner of Klass %s have no kommune_status row and count as ukjent: %s",
            round_name, len(missing), source.version, ", ".join(missing[:10]),
        )

    cw = build_crosswalk(reference_dir, source.version, target.version)
    fan_out = cw.groupby("from_code")["to_code"].nunique()
    parts: dict[str, list[str]] = defaultdict(list)
    single_change: dict[str, str] = {}
    for row in cw.itertuples(index=False):
        parts[row.to_code].append(row.from_code)
        single_change[row.to_code] = row.change
    rows = []
    for code in sorted(target.kommuner):
        froms = sorted(parts[code])
        if any(fan_out[f] > 1 for f in froms):
            regel = "delt_del_av"
        elif len(froms) > 1:
            regel = "sammenslått"
        else:
            regel = single_change[code]
        kommune = target.kommuner[code]
        rows.append({
            "round": round_name, "kommunenummer": code, "kommunenavn": kommune.name,
            "fylkesnummer": kommune.fylkesnummer, "fylkesnavn": kommune.fylkesnavn,
            "har_tjeneste": _combine([answer.get(f, "ukjent") for f in froms]),
            "fra_kommuner": froms, "regel": regel,
        })
    return rows


def harmonise_status(
    statuses: list[pd.DataFrame],
    round_versions: Mapping[str, str],
    target_version: str,
    reference_dir: str | Path,
) -> pd.DataFrame:
    """Every round's kommune_status in the kommune structure of ``target_version``.

    ``statuses`` are kommune_status frames (each with a ``round`` column; a frame
    may hold several rounds); ``round_versions`` gives each round's
    classification. One row per round and kommune of the target version:

    * ``har_tjeneste``: ``ja`` if any former kommune that makes up the target
      kommune (or a part of it) said ja, else ``nei`` if any said nei, else
      ``ukjent``;
    * ``fra_kommuner``: the codes of the round's structure that were combined;
    * ``regel``: ``uendret``, ``navn`` or ``nytt_nummer`` for a 1:1 link;
      ``sammenslått`` when several whole kommuner were combined; ``delt_del_av``
      when at least one of them was split, so the whole former kommune's answer
      is attributed to this part of it (the survey cannot say which part a
      service served). Harmonising backwards, a merged kommune's answer is
      attributed to each former kommune in the same way.
    """
    target = klass.load(reference_dir, str(target_version))
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
            rows += _harmonise_round(round_name, part, str(round_versions[round_name]), target, reference_dir)
    return pd.DataFrame(rows, columns=HARMONISED_COLUMNS)


# -- pipeline steps ------------------------------------------------------------------


