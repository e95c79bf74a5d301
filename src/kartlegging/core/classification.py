"""SSB classification 131 (kommuneinndeling) and the resolution of typed names to units.

Survey inputs name kommuner the way people type them: ``Aurskog Høland``,
``Bø i Telemark``, ``Kautokeino``, ``301``. This module loads the Klass versions
served by SSB's API (copied into ``data/reference/ssb-klass-131``), builds every
name variant a person may type, and resolves a name or number to a unit. A name
that fits several units is *ambiguous* and is never resolved to the first match;
:func:`unresolved_reason` says why a typed unit did not resolve.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property, lru_cache
from pathlib import Path

#: County names by county number, 2013-2024 (SSB classification 104, fylkesinndeling, NLOD).
FYLKER: dict[str, str] = {
    "01": "Østfold", "02": "Akershus", "03": "Oslo", "04": "Hedmark", "05": "Oppland",
    "06": "Buskerud", "07": "Vestfold", "08": "Telemark", "09": "Aust-Agder",
    "10": "Vest-Agder", "11": "Rogaland", "12": "Hordaland", "14": "Sogn og Fjordane",
    "15": "Møre og Romsdal", "16": "Sør-Trøndelag", "17": "Nord-Trøndelag",
    "18": "Nordland", "19": "Troms", "20": "Finnmark", "30": "Viken", "31": "Østfold",
    "32": "Akershus", "33": "Buskerud", "34": "Innlandet", "38": "Vestfold og Telemark",
    "39": "Vestfold", "40": "Telemark", "42": "Agder", "46": "Vestland", "50": "Trøndelag",
    "54": "Troms og Finnmark", "55": "Troms", "56": "Finnmark",
}

#: SSB's standard order of the fylker (north-going, as SSB lists them in its tables), for every county
#: number 2013-2024: a fylke's place is that of its territory, so a table of any year, or one that
#: mixes years, lists Østfold, Akershus, Oslo ... Finnmark, and never the order of the numbers
#: (2024's 03 Oslo, 11 Rogaland, 15 Møre og Romsdal come before 31 Østfold by number).
FYLKE_ORDER: tuple[str, ...] = (
    "30", "01", "31", "02", "32", "03", "34", "04", "05", "33", "06", "38", "39", "07", "40", "08",
    "42", "09", "10", "11", "46", "12", "14", "15", "50", "16", "17", "18", "54", "55", "19", "56", "20",
)


def fylke_order(fylkesnummer: object) -> tuple[int, str]:
    """Sort key of a county number in SSB's standard order; an unknown number after every known one."""
    code = str(fylkesnummer)
    return (FYLKE_ORDER.index(code), code) if code in FYLKE_ORDER else (len(FYLKE_ORDER), code)


OSLO = "0301"
_NOT_A_KOMMUNE = {"9999"}


class ClassificationError(ValueError):
    """A classification file is missing or not in the shape SSB's Klass API serves."""


@lru_cache(maxsize=1 << 16)
def normalise(name: str) -> str:
    """Normalise a typed name for matching (memoised: the same names recur in every reply and workbook,
    and the character-by-character accent stripping is the ingest's busiest function otherwise).

    Casefold; drop accents other than æ, ø, å (``Grünerløkka`` → ``grunerløkka``);
    hyphens, dashes, dots, commas and parentheses become spaces; the words
    ``kommune`` and ``bydel`` are dropped; whitespace collapses. So ``Aurskog-Høland``,
    ``Aurskog Høland`` and ``aurskog-høland kommune`` meet.
    """
    text = unicodedata.normalize("NFC", name).casefold()
    kept = []
    for ch in text:
        if ch in "æøå":
            kept.append(ch)
            continue
        decomposed = unicodedata.normalize("NFD", ch)
        kept.append("".join(c for c in decomposed if not unicodedata.combining(c)))
    text = "".join(kept)
    text = re.sub(r"[\-–—_.,;:()/\"'´`]", " ", text)
    words = [w for w in text.split() if w not in {"kommune", "kommunes", "bydel", "bydelen"}]
    return " ".join(words)


@dataclass(frozen=True)
class Kommune:
    """One kommune of one classification version."""

    code: str
    name: str

    @property
    def fylkesnummer(self) -> str:
        return self.code[:2]

    @property
    def fylkesnavn(self) -> str:
        return FYLKER.get(self.fylkesnummer, self.fylkesnummer)


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving a typed name or number.

    ``status`` is ``ok`` (exactly one unit), ``ambiguous`` (several; see
    ``candidates``), ``unknown`` (none) or ``conflict`` (name and number disagree).
    ``enhet_id`` is ``K0301``-style or ``B030102``-style when ``ok``.
    """

    status: str
    enhet_id: str | None = None
    candidates: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def kommunenummer(self) -> str | None:
        if self.enhet_id is None:
            return None
        return self.enhet_id[1:5] if self.enhet_id.startswith("K") else OSLO


def kommune_name_variants(name: str, fylkesnavn: str) -> list[tuple[str, str]]:
    """All (variant, kind) pairs a person may type for one kommune name.

    ``Guovdageaidnu - Kautokeino`` gives the whole name and each language part;
    ``Bø (Telemark)`` gives ``Bø (Telemark)``, ``Bø i Telemark`` and the bare
    ``Bø`` (which will be ambiguous where another Bø exists). Every kommune also
    gets ``<name> (<county>)`` and ``<name> i <county>`` so that a typed county
    disambiguates.
    """
    out: list[tuple[str, str]] = [(name, "offisiell")]
    base = name
    paren = re.fullmatch(r"(.+?)\s*\((.+)\)\s*", name)
    if paren:
        base, qualifier = paren.group(1), paren.group(2)
        out += [(base, "uten_fylke"), (f"{base} i {qualifier}", "fylke"), (f"{base} {qualifier}", "fylke")]
    parts = [p.strip() for p in re.split(r"\s+-\s+", base) if p.strip()]
    if len(parts) > 1:
        out += [(p, "språkdel") for p in parts]
    for part in parts or [base]:
        out += [(f"{part} ({fylkesnavn})", "fylke"), (f"{part} i {fylkesnavn}", "fylke")]
    return out


@dataclass
class Classification:
    """One Klass 131 version with its name index and Oslo's bydeler."""

    version: str
    valid_from: date
    valid_to: date | None
    kommuner: dict[str, Kommune]
    bydeler: dict[str, str]
    index: dict[str, set[str]] = field(default_factory=dict)
    variant_kind: dict[tuple[str, str], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.index:
            self._build_index()

    def _add(self, variant: str, enhet_id: str, kind: str) -> None:
        key = normalise(variant)
        if not key:
            return
        self.index.setdefault(key, set()).add(enhet_id)
        self.variant_kind.setdefault((key, enhet_id), kind)

    def _build_index(self) -> None:
        for k in self.kommuner.values():
            for variant, kind in kommune_name_variants(k.name, k.fylkesnavn):
                self._add(variant, f"K{k.code}", kind)
        if OSLO in self.kommuner:
            for code, name in self.bydeler.items():
                enhet = f"B{code}"
                self._add(name, enhet, "bydel")
                self._add(f"Bydel {name}", enhet, "bydel")
                self._add(f"{name} bydel", enhet, "bydel")
                self._add(f"Oslo {name}", enhet, "bydel")

    # -- lookups ---------------------------------------------------------

    def unit_name(self, enhet_id: str) -> str:
        """Official name of a unit (``Bydel Grünerløkka`` for a bydel)."""
        if enhet_id.startswith("B"):
            return f"Bydel {self.bydeler[enhet_id[1:]]}"
        return self.kommuner[enhet_id[1:]].name

    def resolve_number(self, raw: object) -> Resolution:
        """Resolve a typed number: ``301`` → K0301, ``30102`` → B030102, ``1804.0`` → K1804."""
        if raw is None:
            return Resolution("unknown")
        text = str(raw).strip()
        if re.fullmatch(r"\d+\.0+", text):
            text = text.split(".")[0]
        text = re.sub(r"^[KB]-?", "", text, flags=re.IGNORECASE)
        if not text.isdigit():
            return Resolution("unknown")
        if len(text) <= 4:
            code = text.zfill(4)
            if code in self.kommuner:
                return Resolution("ok", f"K{code}")
            return Resolution("unknown")
        if len(text) <= 6:
            code = text.zfill(6)
            if code in self.bydeler and OSLO in self.kommuner:
                return Resolution("ok", f"B{code}")
        return Resolution("unknown")

    def resolve_name(self, raw: object) -> Resolution:
        """Resolve a typed name; ambiguous names are reported, never guessed."""
        if raw is None:
            return Resolution("unknown")
        key = normalise(str(raw))
        hits = self.index.get(key, set())
        if len(hits) == 1:
            return Resolution("ok", next(iter(hits)))
        if len(hits) > 1:
            return Resolution("ambiguous", None, tuple(sorted(hits)))
        return Resolution("unknown")

    def resolve(self, name: object = None, number: object = None) -> Resolution:
        """Resolve a unit from a name and/or a number.

        A valid number decides, unless the name resolves to another unit
        (``conflict``) or is a bydel of Oslo given with Oslo's number (then the bydel).
        An ambiguous name is settled by a number that picks one of its candidates.
        """
        by_name = self.resolve_name(name) if _present(name) else Resolution("unknown")
        by_num = self.resolve_number(number) if _present(number) else Resolution("unknown")
        if by_num.ok:
            if by_name.ok and by_name.enhet_id != by_num.enhet_id:
                if by_name.kommunenummer == by_num.kommunenummer:
                    return by_name if by_name.enhet_id.startswith("B") else by_num
                return Resolution("conflict", None, tuple(sorted({by_name.enhet_id, by_num.enhet_id})))
            if by_name.status == "ambiguous" and by_num.enhet_id not in by_name.candidates:
                return Resolution("conflict", None, by_name.candidates + (by_num.enhet_id,))
            return by_num
        if _present(number) and not by_num.ok and not _present(name):
            return by_num
        return by_name

    def fylke_named(self, text: str) -> str | None:
        """The fylke (its number) of this version that ``text`` names (``Møre og Romsdal``,
        ``Nordland fylke``), or None. A kommune list names one after an ambiguous kommune to say
        which of the namesakes it means (``Herøy, Møre og Romsdal``)."""
        key = re.sub(r"\s+fylke(?:skommune)?$", "", normalise(text))
        return self._fylke_keys.get(key)

    @cached_property
    def _fylke_keys(self) -> dict[str, str]:
        """The fylker of this version by normalised name (the first number, in order, where two share one)."""
        keys: dict[str, str] = {}
        for code in sorted({k.fylkesnummer for k in self.kommuner.values()}):
            keys.setdefault(normalise(FYLKER.get(code, "")), code)
        return keys

    def find_in_text(self, text: str) -> set[str]:
        """Units named in free text, as ``Bodø kommune`` or ``Bydel Grünerløkka``.

        Only explicit forms count (a name followed by ``kommune``, or ``Bydel``
        followed by a name), so that ordinary words are not read as kommuner.
        Returns every unit found; the caller decides what several hits mean.
        """
        found: set[str] = set()
        previous_end = 0
        for m in re.finditer(r"\bkommunes?\b", text):
            before = text[previous_end:m.start()].splitlines()[-1:] or [""]
            previous_end = m.end()
            words = re.findall(r"[\wæøåÆØÅ\-]+", before[0])[-4:]
            for start in range(len(words)):
                if not words[start][:1].isupper():
                    continue
                res = self.resolve_name(" ".join(words[start:]))
                if res.ok and res.enhet_id.startswith("K"):
                    found.add(res.enhet_id)
                    break
        for m in re.finditer(r"\b[Bb]ydel(?:en)?\s+([A-ZÆØÅ][\wæøåüÆØÅÜ.\-]+(?:\s+[A-ZÆØÅ][\wæøåüÆØÅÜ.\-]+)?)", text):
            words = m.group(1).split()
            for end in range(len(words), 0, -1):
                res = self.resolve_name(" ".join(words[:end]))
                if res.ok and res.enhet_id.startswith("B"):
                    found.add(res.enhet_id)
                    break
        return found


def _describe(res: Resolution, classification: Classification) -> str:
    """The candidates of a resolution as ``K1804 Bodø, ...``, so an analyst sees which units were meant."""
    names = []
    for enhet in res.candidates:
        try:
            names.append(f"{enhet} {classification.unit_name(enhet)}")
        except KeyError:
            names.append(enhet)
    return ", ".join(names)


def unresolved_reason(res: Resolution, text: str, classification: Classification) -> str:
    """Why a typed unit did not resolve, in words an analyst can act on."""
    if res.status == "ambiguous":
        return f"ambiguous name, candidates: {_describe(res, classification)}; set the unit by override"
    if res.status == "conflict":
        return f"name and number point to different units: {_describe(res, classification)}"
    if re.search(r"\d", text):
        return (f"not a kommune or bydel of the {classification.version} classification "
                f"(a number from another Klass version?)")
    return f"no kommune or bydel of the {classification.version} classification has this name"


def _present(value: object) -> bool:
    if value is None:
        return False
    try:
        if value != value:  # NaN
            return False
    except TypeError:
        pass
    return str(value).strip() != ""


# -- loading ----------------------------------------------------------------

@dataclass(frozen=True)
class ReferenceFiles:
    """The reference files a pipeline step may read, given as files rather than as a folder.

    A rule declares each file its step reads (Klass 131 version files, SSB's change
    table, Oslo's bydeler) and the step sees exactly those: a version that is not among
    them does not exist for it, so a step cannot read a file Snakemake does not know
    of. Every function here that takes ``reference_dir`` accepts one in its place; a
    folder (tests, notebooks) stands for every file in it.
    """

    #: Klass 131 version files by year (``version-2015.json`` -> ``2015``), oldest first.
    versions: tuple[tuple[str, str], ...]
    #: SSB's change tables (``changes-*.json``); the crosswalk needs exactly one.
    changes: tuple[str, ...] = ()
    #: ``oslo-bydeler.csv``, when given.
    bydeler: str | None = None

    @classmethod
    def from_files(cls, files: Iterable[str | Path]) -> ReferenceFiles:
        """Sort the declared files into their roles by name; a file of no known role is an error."""
        versions: dict[str, str] = {}
        changes: list[str] = []
        bydeler = None
        for f in files:
            path = Path(f)
            if path.name.startswith("version-") and path.suffix == ".json":
                versions[path.stem.split("-", 1)[1]] = str(path)
            elif path.name.startswith("changes-") and path.suffix == ".json":
                changes.append(str(path))
            elif path.name == "oslo-bydeler.csv":
                bydeler = str(path)
            else:
                raise ClassificationError(f"{path}: not a reference file (version-*.json, changes-*.json, "
                                          "oslo-bydeler.csv)")
        return cls(tuple(sorted(versions.items())), tuple(sorted(changes)), bydeler)

    @classmethod
    def from_folder(cls, reference_dir: str | Path) -> ReferenceFiles:
        """Every reference file in a reference folder (``ssb-klass-131/`` and ``oslo-bydeler.csv``)."""
        base = Path(reference_dir)
        files = [*sorted((base / "ssb-klass-131").glob("version-*.json")),
                 *sorted((base / "ssb-klass-131").glob("changes-*.json"))]
        bydeler = base / "oslo-bydeler.csv"
        return cls.from_files([*files, *([bydeler] if bydeler.is_file() else [])])

    @property
    def folder(self) -> Path:
        """Where the files are, for messages: the folder of the first version file."""
        first = next(iter([p for _, p in self.versions] or list(self.changes) or [self.bydeler or "."]))
        return Path(first).parent


def reference_of(reference: str | Path | ReferenceFiles | Iterable[str | Path]) -> ReferenceFiles:
    """The reference files a ``reference_dir`` argument stands for: the files a rule declares (a list), or
    a folder, which stands for every reference file in it."""
    if isinstance(reference, ReferenceFiles):
        return reference
    if isinstance(reference, (str, Path)):
        return ReferenceFiles.from_folder(reference)
    return ReferenceFiles.from_files(reference)


def klass_dir(reference_dir: str | Path | ReferenceFiles) -> Path:
    """The folder of the Klass 131 files (for messages and for listing a reference folder)."""
    if isinstance(reference_dir, ReferenceFiles):
        return reference_dir.folder
    return Path(reference_dir) / "ssb-klass-131"


def available_versions(reference_dir: str | Path | ReferenceFiles) -> dict[str, Path]:
    """Version files present, keyed by the year of ``validFrom`` (``2015``)."""
    return {year: Path(path) for year, path in reference_of(reference_dir).versions}


def bydeler_file(reference_dir: str | Path | ReferenceFiles) -> Path:
    """Oslo's bydeler (``oslo-bydeler.csv``) among the reference files."""
    if not isinstance(reference_dir, ReferenceFiles):
        return Path(reference_dir) / "oslo-bydeler.csv"
    if reference_dir.bydeler is None:
        raise ClassificationError(f"oslo-bydeler.csv is not among the reference files given "
                                  f"(from {reference_dir.folder}); declare it as an input of the rule")
    return Path(reference_dir.bydeler)


@cache
def kommuner_of_year(reference_dir: str | Path | ReferenceFiles, year: int) -> tuple[str, frozenset[str]] | None:
    """Klass version and kommune codes of the structure valid on 1 January ``year``; None if no version is.

    Cached per year: KOSTRA asks for every cell, and loading a Klass version builds a name index."""
    try:
        version = version_for(reference_dir, str(year))
    except ClassificationError:
        return None
    return version, frozenset(load(reference_dir, version).kommuner)


def _validity(path: Path) -> tuple[date, date | None]:
    meta = _read_json(path)
    start = date.fromisoformat(meta["validFrom"])
    end = date.fromisoformat(meta["validTo"]) if meta.get("validTo") else None
    return start, end


def _when(wanted: str) -> date:
    """The date a ``classification`` setting names: an ISO date, or 1 January of a year."""
    text = str(wanted).strip()
    try:
        return date.fromisoformat(text) if len(text) == 10 else date(int(text), 1, 1)
    except ValueError as exc:
        raise ClassificationError(
            f"classification '{wanted}' is neither a year nor a date (YYYY or YYYY-MM-DD)") from exc


def version_in_force(reference_dir: str | Path, when: date) -> str | None:
    """The Klass 131 version (its year) in force on ``when`` among the files at hand, or None.

    The newest version's period is open (``validTo`` empty): it is in force until SSB
    publishes the next one, so a round run in 2026 is analysed in version 2024.
    """
    for year, path in available_versions(reference_dir).items():
        start, end = _validity(path)
        if start <= when and (end is None or when < end):
            return year
    return None


def version_for(reference_dir: str | Path, wanted: str) -> str:
    """Pick the Klass version file for a round's ``classification`` setting.

    ``wanted`` is a version year (``2015``) or any date or year inside a
    version's validity (``2016`` → version 2015, valid 2015-01-01 to 2017-01-01;
    ``2026`` → version 2024, whose validity is open). A setting no version covers
    raises :class:`ClassificationError` with the version to use instead
    (:func:`classification_problem`).
    """
    versions = available_versions(reference_dir)
    if wanted in versions:
        return wanted
    year = version_in_force(reference_dir, _when(wanted))
    if year is None:
        raise ClassificationError(classification_problem(reference_dir, wanted) or f"no version for {wanted}")
    return year


def classification_problem(reference_dir: str | Path, wanted: str, round_name: str | None = None) -> str | None:
    """Why a round's ``classification`` setting names no Klass 131 version of ``reference_dir``, or None.

    Light (the version files' headers only): the Snakefile calls it while it is parsed, so a round
    whose setting cannot be used stops before any job runs. The message says which setting to
    write instead: the version in force on that date when there is one (``2024`` for ``2026``), else
    the versions at hand and where to get another (a date before the oldest file, or after a newest
    one that SSB has closed).
    """
    versions = available_versions(reference_dir)
    who = f"round {round_name}: " if round_name else ""
    folder = klass_dir(reference_dir)
    if not versions:
        return f"{who}no Klass 131 version files (version-YYYY.json) in {folder}"
    if str(wanted) in versions:
        return None
    try:
        when = _when(str(wanted))
    except ClassificationError as exc:
        return f"{who}{exc}"
    if version_in_force(reference_dir, when) is not None:
        return None
    years = sorted(versions)
    first_start, _ = _validity(versions[years[0]])
    _, last_end = _validity(versions[years[-1]])
    if when < first_start:
        hint = (f"the oldest version here is {years[0]} (valid from {first_start}); add the version in force on "
                f"{when} from SSB (see data/reference/README.md), or write classification: \"{years[0]}\" "
                "to analyse the round in that structure")
    elif last_end is not None and when >= last_end:
        hint = (f"the newest version here, {years[-1]}, was valid until {last_end}; add the version in force on "
                f"{when} from SSB (see data/reference/README.md)")
    else:
        hint = f"no version file covers that date (versions at hand: {', '.join(years)})"
    return f"{who}classification {wanted!r}: no Klass 131 version in {folder} is in force on {when}; {hint}"


@cache
def _read_json(path: Path) -> dict:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ClassificationError(f"{path}: file not found") from exc
    except json.JSONDecodeError as exc:
        raise ClassificationError(f"{path}: not valid JSON ({exc})") from exc


def read_bydeler(reference_dir: str | Path | ReferenceFiles) -> dict[str, str]:
    """Oslo's bydeler from ``oslo-bydeler.csv`` (``bydelsnummer;bydel``) in ``reference_dir``."""
    return _read_bydeler_file(bydeler_file(reference_dir))


def _read_bydeler_file(path: Path) -> dict[str, str]:
    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        return {row["bydelsnummer"].strip(): row["bydel"].strip() for row in csv.DictReader(fh, delimiter=";")}


def load(reference_dir: str | Path | ReferenceFiles, wanted: str) -> Classification:
    """Load the classification a round is analysed in (the version :func:`version_for` picks)."""
    year = version_for(reference_dir, wanted)
    return load_files(available_versions(reference_dir)[year], bydeler_file(reference_dir))


def load_files(version_file: str | Path, bydeler_file: str | Path) -> Classification:
    """The classification of one Klass version file (``version-YYYY.json``) with Oslo's bydeler: the two
    files a step that resolves units reads, both declared inputs of its rule (no folder is searched)."""
    return _load_cached(str(Path(version_file).resolve()), str(Path(bydeler_file).resolve()))


@cache
def _load_cached(version_file: str, bydeler_file: str) -> Classification:
    year = Path(version_file).stem.split("-", 1)[1]
    meta = _read_json(Path(version_file))
    if "classificationItems" not in meta or "validFrom" not in meta:
        raise ClassificationError(f"version {year}: missing classificationItems or validFrom")
    kommuner = {
        item["code"]: Kommune(item["code"], item["name"].strip())
        for item in meta["classificationItems"]
        if item["code"] not in _NOT_A_KOMMUNE
    }
    return Classification(
        version=year,
        valid_from=date.fromisoformat(meta["validFrom"]),
        valid_to=date.fromisoformat(meta["validTo"]) if meta.get("validTo") else None,
        kommuner=kommuner,
        bydeler=_read_bydeler_file(Path(bydeler_file)),
    )


# -- tables for researchers ---------------------------------------------------

def reference_frames(reference_dir: str | Path | ReferenceFiles, wanted: list[str]):
    """Kommuner, name variants and bydeler of the versions the rounds use, as frames.

    Returned in the column order of ``tables.KOMMUNER``, ``KOMMUNE_NAVN`` and
    ``BYDELER`` so the reference rule only has to write them.
    """
    import pandas as pd

    kommune_rows, navn_rows = [], []
    for year in sorted({version_for(reference_dir, w) for w in wanted}):
        cls = load(reference_dir, year)
        for k in sorted(cls.kommuner.values(), key=lambda k: k.code):
            kommune_rows.append({
                "version": year, "kommunenummer": k.code, "navn": k.name,
                "fylkesnummer": k.fylkesnummer, "fylkesnavn": k.fylkesnavn,
                "gyldig_fra": cls.valid_from, "gyldig_til": cls.valid_to,
            })
        for (variant, enhet_id), kind in sorted(cls.variant_kind.items()):
            navn_rows.append({"version": year, "enhet_id": enhet_id, "variant": variant, "kilde": kind})
    bydeler = read_bydeler(reference_dir)
    return (
        pd.DataFrame(kommune_rows),
        pd.DataFrame(navn_rows),
        pd.DataFrame([{"bydelsnummer": c, "navn": n} for c, n in sorted(bydeler.items())]),
    )
