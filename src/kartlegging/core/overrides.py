"""Analysts' decisions on review items, from ``config/overrides/<round>.yaml``: read and validated here, once.

An override targets one record of one source file and sets fields on it::

    overrides:
      - id: ov-001
        source: epost            # epost | telefon | intervju
        file: svar-0412.eml
        record: ""               # telefon: Excel row; intervju: item code (T05); epost: empty
        set: {enhet_id: K1804}
        reason: signed by the helsesjef of Bodø

This module is the one place that knows the file's shape: the Snakefile validates
it while the workflow is parsed (:func:`read_entries`, so ``snakemake -n`` shows a
bad override before anything reruns), and the jobs turn the validated entries
into :class:`Override` objects (:func:`from_entries`). It imports only the
standard library and PyYAML, because it runs at parse time.

What the file is checked for, each problem named with the file, the line, the
override's id and what would fix it:

- its shape: keys, sources, what each source may set, value vocabularies;
- a ``reason`` on every override that says why (the skeleton's ``…`` is not one):
  reasons reach appendix B of the report, so they must hold no person's name; the
  names the round's raw data hold (:class:`RoundFacts`, gathered by
  :mod:`kartlegging.ingest.round_facts`) are looked for in them;
- what the raw data can tell without a job (:class:`RoundFacts`): the file exists,
  the phone row is a row of the log, the kommune, bydel or unit is one of the round.

Values are stored in the table's vocabulary (``q1: yes`` is ``ja``, ``kommunenummer:
441`` is ``0441``); what the analyst wrote is kept beside it (``written``) when the two
differ, so the report can say a number was padded. Numbers are taken from the text of
the file, not from YAML's reading of it (YAML 1.1 reads ``0441`` as an octal number).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SOURCES = ("epost", "telefon", "intervju")
#: The keys of one entry in the file.
ENTRY_KEYS = ("id", "source", "file", "record", "set", "reason")
REQUIRED_KEYS = ("id", "source", "file", "set", "reason")
#: Keys the validated entries carry besides those of the file (rule params): the values as written.
INTERNAL_KEYS = ("written", "line")
#: The keys of the file itself.
FILE_KEYS = ("round", "overrides")
#: What an override may set, per source (README, "Settling review items").
SET_KEYS: dict[str, tuple[str, ...]] = {
    "epost": ("enhet_id", "q1", "q5", "auto_reply"),
    "telefon": ("enhet_id", "kommunenummer", "svar"),
    "intervju": ("value", "kommunenummer", "bydelsnummer", "kommuner"),
}
#: Interview items whose resolved form an override may set besides ``value``.
INTERVIEW_ITEM_KEYS = {"T02": ("kommunenummer",), "T03": ("bydelsnummer",), "T05": ("kommuner",)}
#: Interview items an override may target (the items the pipeline reads: T01-T19 and T22).
INTERVIEW_ITEMS = frozenset([f"T{i:02d}" for i in range(1, 20)] + ["T22"])
#: Value vocabularies; kept equal to ``tables.ANSWER`` and ``coding.PHONE_CODES`` (a test checks),
#: copied because those modules import pyarrow, too heavy for parse time.
EMAIL_ANSWERS = ("ja", "nei", "vet_ikke", "uklart")
PHONE_ANSWERS = ("ja", "nei", "vet_ikke", "ikke_konklusiv")
#: Words an analyst may write for an answer code (YAML 1.1 reads bare yes/no/true/false/on/off as booleans).
ANSWER_ALIASES = {"yes": "ja", "no": "nei", "true": "ja", "false": "nei", "on": "ja", "off": "nei"}
BOOLEAN_WORDS = {"true": True, "ja": True, "yes": True, "1": True, "on": True,
                 "false": False, "nei": False, "no": False, "0": False, "off": False}
#: Reasons that hold no reason: what a skeleton or a hurried hand leaves (compared without case and punctuation).
PLACEHOLDER_REASONS = frozenset({"", "todo", "tbd", "fixme", "xxx", "x", "reason", "n a", "na", "none", "null"})

_ENHET = re.compile(r"[KB]\d{4}(?:\d\d)?")
_KOMMUNE = re.compile(r"\d{3,4}")
_BYDEL = re.compile(r"\d{5,6}")
_ITEM = re.compile(r"[Tt]\s*0*(\d{1,2})")
#: A word of letters (any alphabet), hyphens and apostrophes inside it.
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")

FIX_KEYS = "rename it to one of the allowed keys or remove it"


class OverrideError(ValueError):
    """The overrides file is malformed or an override matched nothing."""


@dataclass(frozen=True)
class Override:
    id: str
    source: str
    file: str
    record: str
    set: dict[str, object] = field(default_factory=dict)
    reason: str = ""
    #: What the analyst wrote, per key, where the stored value differs from it (``441`` for ``0441``).
    written: dict[str, str] = field(default_factory=dict)
    #: Line of the entry in the overrides file (0 when it came from elsewhere).
    line: int = field(default=0, compare=False)

    def matches(self, source: str, file: str, record: str = "") -> bool:
        return self.source == source and self.file == file and self.record == str(record)


# ---------------------------------------------------------------------------------------------
# What the raw data of the round say (gathered by kartlegging.ingest.round_facts)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonName:
    """A person's name found in the raw data, as lower-cased words (given names first, surname last),
    and where it was found (a kind of source and a file name; never the name itself)."""

    words: tuple[str, ...]
    where: str


@dataclass(frozen=True)
class RoundFacts:
    """What the round's raw files tell about the records an override may target. ``None`` where unknown
    (the check is then left to the ingest job)."""

    email_files: frozenset[str] | None = None
    interview_files: frozenset[str] | None = None
    phone_file: str | None = None
    #: First and last Excel row of the phone log's data (below its header).
    phone_rows: tuple[int, int] | None = None
    dispatch_units: frozenset[str] | None = None
    kommuner: frozenset[str] | None = None
    bydeler: frozenset[str] | None = None
    classification: str = ""
    names: tuple[PersonName, ...] = ()
    #: Words of the round's unit names (``bø``, ``nordland``): a surname alone that is also a place is not flagged.
    place_words: frozenset[str] = frozenset()


def words(text: str) -> list[str]:
    """The words of a text, lower-cased (any alphabet; digits and punctuation separate words)."""
    return [w.casefold() for w in _WORD.findall(unicodedata.normalize("NFKC", text))]


def _contains(haystack: list[str], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    return any(tuple(haystack[i:i + n]) == needle for i in range(len(haystack) - n + 1))


class ReasonWords:
    """The words of one reason, read once for every name it is compared with."""

    def __init__(self, reason: str) -> None:
        raw = _WORD.findall(unicodedata.normalize("NFKC", reason))
        self.words = [w.casefold() for w in raw]
        self.pairs = set(zip(self.words, self.words[1:]))
        self.capitalised = {w.casefold() for w in raw if w[:1].isupper()}

    def holds(self, name: PersonName, place_words: frozenset[str] = frozenset()) -> bool:
        """The whole name, or given name and surname next to each other in either order; or the surname alone,
        written with a capital, when it is no place name of the round."""
        full = name.words
        if len(full) < 2:
            return False
        first, last = full[0], full[-1]
        if (first, last) in self.pairs or (last, first) in self.pairs:
            return True
        if len(full) > 2 and _contains(self.words, full):
            return True
        return len(last) >= 3 and last not in place_words and last in self.capitalised


def name_in(reason: str, name: PersonName, place_words: frozenset[str] = frozenset()) -> bool:
    """Whether ``reason`` holds ``name`` (see :meth:`ReasonWords.holds`)."""
    return ReasonWords(reason).holds(name, place_words)


# ---------------------------------------------------------------------------------------------
# Values: vocabulary, normal form, what was written
# ---------------------------------------------------------------------------------------------


def _text(value: object, written: str | None) -> str:
    """The value as the analyst wrote it: the file's own text when known, else the value's."""
    if written is not None:
        return written.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def _answer(value: object, written: str | None, allowed: tuple[str, ...]) -> str | None:
    if isinstance(value, bool):
        return "ja" if value else "nei"
    code = _text(value, written).lower().replace(" ", "_")
    code = ANSWER_ALIASES.get(code, code)
    return code if code in allowed else None


def normalise_value(source: str, key: str, value: object, written: str | None = None) -> tuple[object, str | None]:
    """``(stored value, problem)``: the value in the table's vocabulary, or why it cannot be one.

    ``written`` is the text of the file (a YAML scalar) where known: numbers are read from it, so
    ``0441`` stays 0441 and ``441`` is padded to 0441. Answers become their codes (``yes``, ``Ja`` → ``ja``;
    ``vet ikke`` → ``vet_ikke``), ``auto_reply`` a boolean, unit ids upper case."""
    if key == "enhet_id":
        text = _text(value, written).upper()
        return (text, None) if _ENHET.fullmatch(text) else (None, f"enhet_id {value!r} is not K + 4 digits or "
                                                                   "B + 6 digits")
    if key in ("q1", "q5"):
        code = _answer(value, written, EMAIL_ANSWERS)
        return (code, None) if code else (None, f"{key} {value!r} is not one of {', '.join(EMAIL_ANSWERS)}")
    if key == "svar":
        code = _answer(value, written, PHONE_ANSWERS)
        return (code, None) if code else (None, f"svar {value!r} is not one of {', '.join(PHONE_ANSWERS)}")
    if key == "auto_reply":
        flag = value if isinstance(value, bool) else BOOLEAN_WORDS.get(_text(value, written).lower())
        return (flag, None) if flag is not None else (None, f"auto_reply {value!r} is not true or false")
    if key == "kommunenummer":
        text = _text(value, written)
        return (text.zfill(4), None) if _KOMMUNE.fullmatch(text) else (
            None, f"kommunenummer {value!r} is not a kommune number (4 digits)")
    if key == "bydelsnummer":
        text = _text(value, written)
        return (text.zfill(6), None) if _BYDEL.fullmatch(text) else (
            None, f"bydelsnummer {value!r} is not a bydel number (6 digits)")
    if key == "kommuner":
        items = value if isinstance(value, list) else None
        texts = [_text(v, None) for v in items] if items else []
        if not texts or not all(_KOMMUNE.fullmatch(t) for t in texts):
            return None, f"kommuner {value!r} is not a list of kommune numbers"
        return [t.zfill(4) for t in texts], None
    if key == "value":
        if isinstance(value, bool):
            return ("ja" if value else "nei"), None
        if value is None or _text(value, written) == "" or isinstance(value, (dict, list)):
            return None, "value is empty or not a single value"
        return _text(value, written), None
    return value, None


def stored_text(value: object) -> str:
    """A stored value as the ``overrides_applied`` table writes it (``ja``, ``0441``, ``true``, ``1804, 1805``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def reason_problem(reason: object) -> str | None:
    """Why ``reason`` is no reason (missing, empty, the skeleton's ``…``, a placeholder word), or None.
    Independent of language: it only asks for words of letters that are not a placeholder."""
    if reason is None:
        return "lacks 'reason'"
    text = str(reason)
    found = words(text)
    if not found or " ".join(found) in PLACEHOLDER_REASONS:
        shown = text.strip() or "empty"
        return f"reason {shown!r} is a placeholder, not a reason"
    if len(found) < 2:
        return f"reason {text.strip()!r} is one word: say why the value is right"
    return None


# ---------------------------------------------------------------------------------------------
# One entry
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: where (line, override), what, and what would fix it."""

    line: int | None
    who: str
    what: str
    fix: str = ""

    def text(self) -> str:
        where = f"line {self.line}, " if self.line else ""
        return f"{where}{self.who}: {self.what}" + (f" [fix: {self.fix}]" if self.fix else "")


def _who(item: dict, n: int) -> str:
    return f"override {item['id']}" if item.get("id") not in (None, "") else f"override #{n} (no id)"


def _record_of(source: str, record: object) -> tuple[str, str | None]:
    """The record in its normal form (``T05``, ``52``) and a problem, for the source."""
    text = str(record if record is not None else "").strip()
    if source == "telefon":
        return (str(int(text)), None) if text.isdigit() else (text, f"record {record!r} must be the Excel row number")
    if source == "epost":
        return ("", None) if not text else (text, "record must be empty for an e-mail (the file is the record)")
    m = _ITEM.fullmatch(text)
    item = f"T{int(m.group(1)):02d}" if m else None
    if item is None or item not in INTERVIEW_ITEMS:
        return text, f"record {record!r} is not an item code the pipeline reads (T01-T19, T22)"
    return item, None


def check_entry(item: object, n: int, lines: dict[str, int] | None = None,
                written: dict[str, str] | None = None) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The ``n``-th entry (1-based) validated and normalised, and everything wrong with it.

    ``lines`` gives the file's line of the entry (``""``) and of each key; ``written`` the text of each
    value of ``set`` as the file has it. The entry is None when it has problems."""
    lines = lines or {}
    line = lines.get("")
    if not isinstance(item, dict):
        return None, [Problem(line, f"override #{n}", "is not a mapping (id, source, file, record, set, reason)",
                              "write it as the skeleton `make review` prints")]
    who = _who(item, n)
    out = [Problem(lines.get(str(k), line), who, f"unknown key {str(k)!r} (allowed: {', '.join(ENTRY_KEYS)})",
                   FIX_KEYS) for k in item if k not in ENTRY_KEYS and k not in INTERNAL_KEYS]
    for k in REQUIRED_KEYS:
        if k not in item and k != "reason":  # a missing reason is one of reason_problem's
            out.append(Problem(line, who, f"lacks {k!r}", {
                "id": "give it an id not used before (make review prints the next free one)",
                "source": f"add source: one of {', '.join(SOURCES)}",
                "file": "add file: the file name as the issue names it",
                "set": "add set: {field: value}"}[k]))
    problem = reason_problem(item.get("reason"))
    if problem:
        out.append(Problem(lines.get("reason", line), who, problem,
                           "write why the value is right (who confirmed it, from what), without names of persons"))
    source = item.get("source")
    if "source" in item and source not in SOURCES:
        out.append(Problem(lines.get("source", line), who, f"source {source!r} is not one of {', '.join(SOURCES)}",
                           "epost for an e-mail, telefon for the phone log, intervju for an interview workbook"))
        return None, out
    sets = item.get("set")
    if "set" in item and (not isinstance(sets, dict) or not sets):
        out.append(Problem(lines.get("set", line), who, "'set' must be a non-empty mapping",
                           "write set: {field: value}"))
        return None, out
    if source is None or sets is None:
        return None, out
    record, problem = _record_of(str(source), item.get("record", ""))
    if problem:
        out.append(Problem(lines.get("record", line), who, problem, {
            "telefon": "the row number Excel shows at the left of the phone log",
            "epost": 'write record: ""', "intervju": "the item code in column Nr (T02)"}[str(source)]))
    allowed = SET_KEYS[str(source)]
    if source == "intervju":
        allowed = ("value", *INTERVIEW_ITEM_KEYS.get(record, ()))
    stored: dict[str, object] = {}
    as_written: dict[str, str] = {}
    given = dict(item.get("written") or {})
    for key, value in sets.items():
        key_line = lines.get(f"set.{key}", lines.get("set", line))
        if key not in allowed:
            out.append(Problem(key_line, who, f"cannot set {str(key)!r} on a {source} record "
                                              f"(allowed: {', '.join(allowed)})", FIX_KEYS))
            continue
        text = (written or {}).get(str(key))
        norm, problem = normalise_value(str(source), str(key), value, text)
        if problem:
            out.append(Problem(key_line, who, problem, _vocabulary_fix(str(key))))
            continue
        stored[str(key)] = norm
        was = given.get(str(key), text)
        if was is not None and str(was).strip() != stored_text(norm):
            as_written[str(key)] = str(was).strip()
    if out:
        return None, out
    entry: dict[str, Any] = {"id": str(item["id"]), "source": str(source), "file": str(item["file"]),
                             "record": record, "set": stored, "reason": str(item["reason"]).strip()}
    if as_written:
        entry["written"] = as_written
    return entry, []


def _vocabulary_fix(key: str) -> str:
    return {
        "enhet_id": "K and the four-digit kommunenummer (K1804), or B and the six-digit bydelsnummer",
        "q1": f"one of {', '.join(EMAIL_ANSWERS)}", "q5": f"one of {', '.join(EMAIL_ANSWERS)}",
        "svar": f"one of {', '.join(PHONE_ANSWERS)}", "auto_reply": "true or false",
        "kommunenummer": "the four-digit kommunenummer, in quotes (\"0441\")",
        "bydelsnummer": "the six-digit bydelsnummer, in quotes (\"030101\")",
        "kommuner": "a list of kommunenummer in quotes ([\"1804\", \"1805\"])",
        "value": "the answer as it should have been typed",
    }.get(key, "")


def _fact_problems(entry: dict[str, Any], line: int | None, set_lines: dict[str, int],
                   facts: RoundFacts) -> list[Problem]:
    """What the round's raw data say against an entry: its file, its row, the units it names."""
    who, source, file, record = f"override {entry['id']}", entry["source"], entry["file"], entry["record"]
    out: list[Problem] = []
    files = {"epost": facts.email_files, "intervju": facts.interview_files,
             "telefon": frozenset([facts.phone_file]) if facts.phone_file else None}[source]
    folder = {"epost": "epost/", "intervju": "intervjuer/", "telefon": "the round's folder"}[source]
    if files is not None and file not in files:
        out.append(Problem(line, who, f"no {source} file named {file!r} in {folder}",
                           "copy the file name from the issue (make review prints it)"))
    elif source == "telefon" and facts.phone_rows is not None:
        first, last = facts.phone_rows
        if not first <= int(record) <= last:
            out.append(Problem(line, who, f"row {record} is not a row of {file} (its rows are {first}-{last})",
                               "the row number Excel shows at the left of the phone log"))
    ver = f"the {facts.classification} classification" if facts.classification else "the round's classification"
    for key, value in entry["set"].items():
        at = set_lines.get(key, line)
        if key == "enhet_id":
            units = facts.dispatch_units if source == "epost" else _units(facts)
            if units is not None and value not in units:
                out.append(Problem(at, who, f"enhet_id {value} is not " + (
                    "in the dispatch list" if source == "epost" else f"a unit of {ver}"),
                    "a unit of the dispatch list (utsendelse.csv, column enhet_id)"))
        elif key == "kommunenummer" and facts.kommuner is not None and value not in facts.kommuner:
            out.append(Problem(at, who, f"kommunenummer {value} is not a kommune of {ver}",
                               "the kommune's number in the round's classification (SSB Klass 131)"))
        elif key == "kommuner" and facts.kommuner is not None:
            unknown = [k for k in value if k not in facts.kommuner]
            if unknown:
                out.append(Problem(at, who, f"kommuner {', '.join(unknown)} are not kommuner of {ver}",
                                   "numbers of the round's classification (SSB Klass 131)"))
        elif key == "bydelsnummer" and facts.bydeler is not None and value not in facts.bydeler:
            out.append(Problem(at, who, f"bydelsnummer {value} is not one of Oslo's bydeler",
                               "a six-digit number of data/reference/oslo-bydeler.csv"))
    return out


def _units(facts: RoundFacts) -> frozenset[str] | None:
    if facts.kommuner is None:
        return None
    return frozenset({f"K{k}" for k in facts.kommuner} | {f"B{b}" for b in facts.bydeler or ()})


def _name_problems(entry: dict[str, Any], line: int | None, facts: RoundFacts) -> list[Problem]:
    reason = ReasonWords(entry["reason"])
    for name in facts.names:
        if reason.holds(name, facts.place_words):
            return [Problem(line, f"override {entry['id']}",
                            f"the reason holds the name of a person ({name.where}); reasons are shown in "
                            "appendix B of the report",
                            "name the role (helseleder, rådmann, saksbehandler), not the person")]
    return []


# ---------------------------------------------------------------------------------------------
# The file
# ---------------------------------------------------------------------------------------------


@dataclass
class _Parsed:
    data: object
    #: per entry: line of the entry, of each key, and of each key of ``set`` (``set.<key>``)
    lines: list[dict[str, int]]
    #: per entry: the text of each scalar value of ``set``
    written: list[dict[str, str]]


def _node_lines(node: yaml.Node) -> tuple[list[dict[str, int]], list[dict[str, str]]]:
    """Lines and written texts of the entries under ``overrides:``, from the composed YAML."""
    lines: list[dict[str, int]] = []
    written: list[dict[str, str]] = []
    if not isinstance(node, yaml.MappingNode):
        return lines, written
    seq = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == "overrides"), None)
    if not isinstance(seq, yaml.SequenceNode):
        return lines, written
    for item in seq.value:
        at = {"": item.start_mark.line + 1}
        texts: dict[str, str] = {}
        if isinstance(item, yaml.MappingNode):
            for k, v in item.value:
                if not isinstance(k, yaml.ScalarNode):
                    continue
                at[k.value] = k.start_mark.line + 1
                if k.value == "set" and isinstance(v, yaml.MappingNode):
                    for sk, sv in v.value:
                        if isinstance(sk, yaml.ScalarNode):
                            at[f"set.{sk.value}"] = sk.start_mark.line + 1
                            if isinstance(sv, yaml.ScalarNode):
                                texts[sk.value] = sv.value
        lines.append(at)
        written.append(texts)
    return lines, written


def _load(text: str, path: Path) -> _Parsed:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise OverrideError(f"{path}: not valid YAML{where}: {problem} "
                            "[fix: compare with the skeleton `make review` prints]") from None
    finally:
        loader.dispose()
    lines, written = _node_lines(node) if node is not None else ([], [])
    return _Parsed(data, lines, written)


def _entries(parsed: _Parsed, path: str | Path, facts: RoundFacts | Callable[[], RoundFacts] | None,
             internal: bool) -> list[dict[str, Any]]:
    """The validated, normalised entries, each with its ``line`` where the file gives it."""
    data = parsed.data
    if data is None:
        return []
    items = data.get("overrides", []) if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise OverrideError(f"{path}: expected a mapping with a list 'overrides' of entries "
                            f"(id, source, file, record, set, reason) [fix: start the file with overrides:]")
    problems = [Problem(None, "the file", f"unknown key {str(k)!r} at the top (allowed: {', '.join(FILE_KEYS)})",
                        FIX_KEYS) for k in data if k not in FILE_KEYS]
    seen: dict[str, int | None] = {}
    targets: dict[tuple[str, str, str], str] = {}
    entries: list[tuple[dict[str, Any], dict[str, int]]] = []
    for n, item in enumerate(items, 1):
        lines = parsed.lines[n - 1] if n - 1 < len(parsed.lines) else {}
        written = parsed.written[n - 1] if n - 1 < len(parsed.written) else {}
        if isinstance(item, dict) and not internal:
            problems += [Problem(lines.get(k, lines.get("")), _who(item, n),
                                 f"unknown key {k!r} (allowed: {', '.join(ENTRY_KEYS)})", FIX_KEYS)
                         for k in item if k in INTERNAL_KEYS]
            item = {k: v for k, v in item.items() if k not in INTERNAL_KEYS}
        entry, found = check_entry(item, n, lines, written)
        problems += found
        line = lines.get("") or (item.get("line") if isinstance(item, dict) else None) or None
        if isinstance(item, dict) and "id" in item:
            key = str(item["id"])
            if key in seen:
                first = f" (first at line {seen[key]})" if seen[key] else ""
                problems.append(Problem(line, f"override {key}", f"id is used twice{first}",
                                        "give each override its own id"))
            seen[key] = line
        if entry is None:
            continue
        target = (entry["source"], entry["file"], entry["record"])
        if target in targets:
            problems.append(Problem(line, f"override {entry['id']}",
                                    f"targets the same record as override {targets[target]}",
                                    "merge the two into one override"))
        targets[target] = entry["id"]
        if line:
            entry["line"] = int(line)
        entries.append((entry, lines))
    if facts is not None and entries and not problems:
        known = facts() if callable(facts) else facts
        for entry, lines in entries:
            set_lines = {k.removeprefix("set."): v for k, v in lines.items() if k.startswith("set.")}
            problems += _fact_problems(entry, entry.get("line"), set_lines, known)
            problems += _name_problems(entry, lines.get("reason", entry.get("line")), known)
    if problems:
        raise OverrideError(f"{path}: " + "; ".join(p.text() for p in problems))
    return [entry for entry, _ in entries]


def _read(path: Path, facts: RoundFacts | Callable[[], RoundFacts] | None) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise OverrideError(f"{path}: cannot be read ({err}) [fix: save it as UTF-8 text]") from None
    return _entries(_load(text, path), path, facts, internal=False)


def parse_entries(data: object, path: str | Path) -> list[dict[str, Any]]:
    """Validate loaded entries (plain data, as rule params carry them) and return them normalised, or raise
    :class:`OverrideError` with one line naming the file and every problem found (id, key, fix)."""
    return _entries(_Parsed(data, [], []), path, None, internal=True)


def read_entries(path: str | Path, facts: RoundFacts | Callable[[], RoundFacts] | None = None) -> list[dict[str, Any]]:
    """The validated entries of an overrides file as plain mappings (rule params), values normalised; a missing
    file means none. ``facts`` (or a function giving them, called only when the file has entries) adds the
    checks against the round's raw data: files, rows, units and the names of persons in reasons.

    The entries carry no line numbers: as rule params they would rerun every ingest when a line above moved.
    Raises :class:`OverrideError`: one line naming the file and, per problem, the line, the override and a fix."""
    return [{k: v for k, v in e.items() if k != "line"} for e in _read(Path(path), facts)]


def from_entries(items: Iterable[dict[str, Any]], path: str | Path = "overrides") -> list[Override]:
    """Validated entries (as :func:`read_entries` returns them, or rule params) as :class:`Override`
    objects; validated again, since a job may be given entries from anywhere."""
    entries = parse_entries({"overrides": list(items)}, path)
    return [
        Override(o["id"], o["source"], o["file"], o["record"], dict(o["set"]), o["reason"],
                 dict(o.get("written") or {}), int(o.get("line") or 0))
        for o in entries
    ]


def load_overrides(path: str | Path) -> list[Override]:
    """Read and validate an overrides file; a missing file means no overrides. Each override knows its line."""
    return from_entries(_read(Path(path), None), path)


def check_all_matched(overrides: list[Override], applied: set[str], path: str | Path) -> None:
    """Raise naming every override that matched no record, with its line and what to check."""
    unmatched = [o for o in overrides if o.id not in applied]
    if unmatched:
        lines = "; ".join(
            Problem(o.line or None, f"override {o.id}", f"matched no record ({o.source}: {o.file} [{o.record}])",
                    "check the file name and record against the issue (make review prints them)").text()
            for o in unmatched)
        raise OverrideError(f"{path}: {lines}")
