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
misspelled key or a wrong source before anything reruns), and the jobs turn the
validated entries into :class:`Override` objects (:func:`from_entries`). It
imports only the standard library and PyYAML, because it runs at parse time.

What can only be checked against the data (a kommune number of the round's
classification, an ``enhet_id`` in the dispatch list, the item an interview
workbook holds) is checked by the ingest step of the source, which names the
override; an override that matches nothing is an error naming it, because a typo
in a file name would otherwise silently leave the item open.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SOURCES = ("epost", "telefon", "intervju")
#: The keys of one entry; ``record`` and ``reason`` may be left out.
ENTRY_KEYS = ("id", "source", "file", "record", "set", "reason")
REQUIRED_KEYS = ("id", "source", "file", "set")
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
#: Value vocabularies; kept equal to ``tables.ANSWER`` and ``coding.PHONE_CODES`` (a test checks),
#: copied because those modules import pyarrow, too heavy for parse time.
EMAIL_ANSWERS = ("ja", "nei", "vet_ikke", "uklart")
PHONE_ANSWERS = ("ja", "nei", "vet_ikke", "ikke_konklusiv")
BOOLEAN_WORDS = ("true", "false", "ja", "nei", "yes", "no", "1", "0")

_ENHET = re.compile(r"K\d{4}|B\d{6}")
_KOMMUNE = re.compile(r"\d{3,4}")
_BYDEL = re.compile(r"\d{6}")
_ITEM = re.compile(r"[Tt]\s*0*(\d{1,2})")


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

    def matches(self, source: str, file: str, record: str = "") -> bool:
        return self.source == source and self.file == file and self.record == str(record)


def _answer(value: object, allowed: tuple[str, ...]) -> bool:
    """YAML reads a bare yes/no as a boolean; the ingest takes it as ja/nei."""
    return isinstance(value, bool) or str(value).strip().lower().replace(" ", "_") in allowed


def _value_problems(source: str, record: str, key: str, value: object) -> list[str]:
    """What is wrong with one value of ``set`` (empty when nothing is): vocabularies and forms
    that need no data. The ingest checks the rest (a number of the classification, a dispatched unit)."""
    text = str(value).strip()
    if key == "enhet_id" and not _ENHET.fullmatch(text.upper()):
        return [f"enhet_id {value!r} is not K + 4 digits or B + 6 digits"]
    if source == "epost" and key in ("q1", "q5") and not _answer(value, EMAIL_ANSWERS):
        return [f"{key} {value!r} is not one of {', '.join(EMAIL_ANSWERS)}"]
    if key == "auto_reply" and not (isinstance(value, bool) or text.lower() in BOOLEAN_WORDS):
        return [f"auto_reply {value!r} is not true or false"]
    if source == "telefon" and key == "svar" and value not in PHONE_ANSWERS:
        return [f"svar {value!r} is not one of {', '.join(PHONE_ANSWERS)}"]
    if key == "kommunenummer" and not _KOMMUNE.fullmatch(text):
        return [f"kommunenummer {value!r} is not a kommune number (4 digits)"]
    if key == "bydelsnummer" and not _BYDEL.fullmatch(text):
        return [f"bydelsnummer {value!r} is not a bydel number (6 digits)"]
    if key == "kommuner" and (not isinstance(value, list) or not value
                              or not all(_KOMMUNE.fullmatch(str(v).strip()) for v in value)):
        return [f"kommuner {value!r} is not a list of kommune numbers"]
    return []


def entry_problems(item: object, n: int) -> list[str]:
    """Everything wrong with the ``n``-th entry (1-based), each naming the entry by its id
    (``#n`` when it has none) and the key concerned; empty for a valid entry."""
    if not isinstance(item, dict):
        return [f"override #{n} is not a mapping (id, source, file, record, set, reason)"]
    name = f"override {item['id']}" if item.get("id") not in (None, "") else f"override #{n} (no id)"
    out = [f"{name}: unknown key {str(k)!r} (allowed: {', '.join(ENTRY_KEYS)})" for k in item if k not in ENTRY_KEYS]
    out += [f"{name}: lacks {k!r}" for k in REQUIRED_KEYS if k not in item]
    source = item.get("source")
    if "source" in item and source not in SOURCES:
        out.append(f"{name}: source {source!r} is not one of {', '.join(SOURCES)}")
        return out
    sets = item.get("set")
    if "set" in item and (not isinstance(sets, dict) or not sets):
        out.append(f"{name}: 'set' must be a non-empty mapping")
        return out
    if source is None or sets is None:
        return out
    record = str(item.get("record", "") or "").strip()
    allowed = SET_KEYS[source]
    if source == "telefon" and not record.isdigit():
        out.append(f"{name}: record {item.get('record')!r} must be the Excel row number")
    if source == "epost" and record:
        out.append(f"{name}: record must be empty for an e-mail (the file is the record)")
    if source == "intervju":
        m = _ITEM.fullmatch(record)
        if m is None:
            out.append(f"{name}: record {item.get('record')!r} is not an item code (T01-T19, T22)")
        else:
            allowed = ("value", *INTERVIEW_ITEM_KEYS.get(f"T{int(m.group(1)):02d}", ()))
    for key, value in sets.items():
        if key not in allowed:
            out.append(f"{name}: cannot set {str(key)!r} on a {source} record (allowed: {', '.join(allowed)})")
        else:
            out += [f"{name}: {p}" for p in _value_problems(source, record, str(key), value)]
    return out


def parse_entries(data: object, path: str | Path) -> list[dict[str, Any]]:
    """Validate a loaded overrides file and return its entries, or raise :class:`OverrideError`
    with one line naming the file and every problem found (each with its override's id and key)."""
    if data is None:
        return []
    items = data.get("overrides", []) if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise OverrideError(f"{path}: expected a mapping with a list 'overrides' of entries "
                            f"(id, source, file, record, set, reason)")
    problems = [f"unknown key {str(k)!r} at the top (allowed: {', '.join(FILE_KEYS)})"
                for k in data if k not in FILE_KEYS]
    seen: set[str] = set()
    for n, item in enumerate(items, 1):
        problems += entry_problems(item, n)
        if isinstance(item, dict) and "id" in item:
            if str(item["id"]) in seen:
                problems.append(f"override id {item['id']} is used twice")
            seen.add(str(item["id"]))
    if problems:
        raise OverrideError(f"{path}: " + "; ".join(problems))
    return items


def read_entries(path: str | Path) -> list[dict[str, Any]]:
    """The validated entries of an overrides file as plain mappings (rule params); a missing file
    means none. Raises :class:`OverrideError` naming the file, and the line for a YAML error."""
    p = Path(path)
    if not p.exists():
        return []
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise OverrideError(f"{p}: cannot be read ({err})") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise OverrideError(f"{p}: not valid YAML{where}: {problem}") from None
    return parse_entries(data, p)


def from_entries(items: Iterable[dict[str, Any]], path: str | Path = "overrides") -> list[Override]:
    """Validated entries (as :func:`read_entries` returns them, or rule params) as :class:`Override`
    objects; validated again, since a job may be given entries from anywhere."""
    entries = parse_entries({"overrides": list(items)}, path)
    return [
        Override(str(o["id"]), str(o["source"]), str(o["file"]), str(o.get("record", "") or ""),
                 dict(o["set"]), str(o.get("reason", "") or ""))
        for o in entries
    ]


def load_overrides(path: str | Path) -> list[Override]:
    """Read and validate an overrides file; a missing file means no overrides."""
    return from_entries(read_entries(path), path)


def check_all_matched(overrides: list[Override], applied: set[str], path: str | Path) -> None:
    """Raise naming every override that matched no record."""
    unmatched = [o for o in overrides if o.id not in applied]
    if unmatched:
        lines = "; ".join(f"{o.id} ({o.source}: {o.file} [{o.record}])" for o in unmatched)
        raise OverrideError(f"{path}: override(s) matched no record: {lines}")
