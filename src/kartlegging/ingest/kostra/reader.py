"""SSB statbank extracts on frisklivssentraler (KOSTRA): ingest, kommune-level values, cross-check.

KOSTRA is the only national register of frisklivssentraler, so it is the
yardstick the kartlegging is held against. Analysts download its tables from
SSB's statbank as they come: CSV (title line, ``;`` or tab, quoted or bare
numbers, decimal comma or point, ``"0301 Oslo"`` regions, UTF-8 or
windows-1252, wide or long layout) or JSON-stat 2.0. Both formats are reduced
here to one tidy frame with a row per region, year and variable, so that the
figures never depend on how a table was downloaded.

Decisions, each documented where it is implemented:

- Region levels: ``kommune`` (a kommune of the structure valid on 1 January of
  the data year), ``bydel`` (one of Oslo's 15 administrative bydeler),
  ``aggregat`` (a code matching a configured aggregate pattern: ``EAK``,
  ``EKA03``, ``EKG13``, ``Rest`` ...) and ``ukjent`` (anything else, including
  Oslo's non-administrative codes such as 030116 Sentrum or 030117 Marka:
  configure a pattern for them if a table carries them). An ``ukjent`` code is kept, so
  the table stays a faithful copy of the extract, and raises one review item,
  because a misread or renumbered region would otherwise vanish from every
  count without anyone noticing.
- KOSTRA keeps old and new kommune codes side by side. A cell without a number
  for a code that is a kommune in another Klass version (1601 Trondheim in 2019)
  is how the statbank says "outside its years": it is skipped and counted in
  the log. The same code *with* a number is an anomaly: kept as ``ukjent``
  with a review item.
- Symbols: ``.``, ``..``, ``...`` and ``:`` give a null value with the symbol
  as status; ``-`` is a true zero (value 0, status ``-``, so the source's
  spelling stays visible). Text that is neither a number nor a symbol is kept
  as status ``ugyldig`` with a review item. Empty cells carry no information
  and are not kept as rows; for a kommune or bydel of the year they are
  counted in one review item per file.
- A file that cannot be read at all becomes one quarantine item naming it.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Mapping

import pandas as pd

from kartlegging.core import classification as klass
from kartlegging.ingest.filetype import sniff
from kartlegging.core.issues import Issue
from kartlegging.core.tables import KOSTRA, KOSTRA_CROSSCHECK

log = logging.getLogger("kartlegging")

SOURCE = "kostra"
#: The value of the ``round`` column of KOSTRA's issues: the extracts belong to no survey round.
ISSUES_ROUND = "kostra"

#: SSB symbols that stand instead of a number (never read as zero).
MISSING_SYMBOLS: tuple[str, ...] = (".", "..", "...", ":")
#: SSB's symbol for nil: a true zero.
NIL_SYMBOL = "-"
#: Status for a cell holding text that is neither a number nor an SSB symbol.
INVALID_STATUS = "ugyldig"

#: The project's variables with the codes and labels of this project's extracts
#: (INPUTS.md section 5). Used when config has no ``kostra.variables``.
DEFAULT_VARIABLES: dict[str, tuple[str, ...]] = {
    "Frisklivssentral": ("Frisklivssentral", "Kommunen har frisklivssentral (1 = ja, 0 = nei)"),
    "AvtalteArsverk": ("AvtalteArsverk", "Avtalte årsverk i frisklivssentralen"),
    "Deltakere": ("Deltakere", "Antall deltakere i frisklivssentralen"),
    "AndreLMTilbud": ("AndreLMTilbud",
                      "Frisklivssentralen har andre lærings- og mestringstilbud (1 = ja, 0 = nei)"),
    "LiknendeTilbud": ("LiknendeTilbud", "Kommunen har liknende tilbud uten frisklivssentral (1 = ja, 0 = nei)"),
    "EPJ": ("EPJ", "Frisklivssentralen bruker elektronisk pasientjournal (1 = ja, 0 = nei)"),
}
#: Yes/no variables: Oslo's value derived from its bydeler is "any bydel has it", not a sum.
FLAG_VARIABLES: frozenset[str] = frozenset({"Frisklivssentral", "AndreLMTilbud", "LiknendeTilbud", "EPJ"})
#: Region codes (after stripping ``K-``) that are aggregates: the country (``EAK``,
#: ``EAKUO``), counties and KOSTRA groups (``EKA03``, ``EKG13``), the rest of a
#: region (``Rest``), two-digit county codes and all-zero "whole country" codes.
DEFAULT_AGGREGATE_PATTERNS: tuple[str, ...] = (r"^EA", r"^EK", r"^Rest$", r"^[0-9]{2}$", r"^0+$")

OSLO = klass.OSLO
_K_PREFIX = re.compile(r"^K-", re.IGNORECASE)
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_YEAR = re.compile(r"^\d{4}$")
_YEAR_AT_END = re.compile(r"^(.*\S)\s+(\d{4})$")
_YEAR_AT_START = re.compile(r"^(\d{4})\s+(.*\S)$")
_PAREN = re.compile(r"\s*\([^)]*\)")
_DELIMITERS = (";", "\t", ",")
_REGION_NAMES = ("region",)
_VARIABLE_NAMES = ("statistikkvariabel", "contents", "contentscode", "variabel")
_YEAR_NAMES = ("år", "tid", "year", "time")


class KostraFormatError(ValueError):
    """A file is not a statbank CSV or JSON-stat 2.0 dataset this module can read."""


# -- configuration -------------------------------------------------------------

def _norm(text: str) -> str:
    """Normalise a variable code or label for matching: NFC, casefold, one space."""
    return " ".join(unicodedata.normalize("NFC", str(text)).casefold().split())


@dataclass(frozen=True)
class KostraConfig:
    """How a statbank table's variables and aggregate rows map to this project's.

    Kept in config (``kostra:``) rather than code, because a real SSB table names
    its variables its own way: plugging one in is a config change.
    """

    variables: Mapping[str, tuple[str, ...]]
    aggregate_patterns: tuple[str, ...] = DEFAULT_AGGREGATE_PATTERNS
    _index: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    _aggregates: tuple[re.Pattern[str], ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        """Index every code and label once, and fail on config that maps one name to two variables."""
        index: dict[str, str] = {}
        for variable, names in self.variables.items():
            for name in (variable, *names):
                for key in {_norm(name), _norm(_PAREN.sub("", str(name)))}:
                    if not key:
                        continue
                    if index.get(key, variable) != variable:
                        raise ValueError(
                            f"config kostra.variables: '{name}' is listed for both {index[key]} and {variable}")
                    index[key] = variable
        try:
            patterns = tuple(re.compile(p) for p in self.aggregate_patterns)
        except re.error as exc:
            raise ValueError(f"config kostra.aggregate_patterns: invalid regular expression ({exc})") from exc
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_aggregates", patterns)

    @classmethod
    def from_config(cls, section: Mapping[str, object] | None) -> "KostraConfig":
        """Build from the ``kostra`` section of config; missing keys take the project's defaults."""
        section = dict(section or {})
        raw_vars = section.get("variables") or DEFAULT_VARIABLES
        if not isinstance(raw_vars, Mapping):
            raise ValueError("config kostra.variables must map a variable to a list of codes and labels")
        variables = {}
        for name, codes in raw_vars.items():
            if isinstance(codes, str):
                codes = [codes]
            if not isinstance(codes, (list, tuple)):
                raise ValueError(f"config kostra.variables.{name} must be a list of codes and labels")
            variables[str(name)] = tuple(str(c) for c in codes)
        patterns = section.get("aggregate_patterns")
        patterns = DEFAULT_AGGREGATE_PATTERNS if patterns is None else tuple(str(p) for p in patterns)
        return cls(variables=variables, aggregate_patterns=patterns)

    def variable_for(self, *names: str | None) -> str | None:
        """The project variable a table's code or label stands for, or None if unmapped."""
        for name in names:
            if name is None:
                continue
            for key in (_norm(name), _norm(_PAREN.sub("", name))):
                if key in self._index:
                    return self._index[key]
        return None

    def is_aggregate(self, code: str) -> bool:
        """Whether a region code is an aggregate row (country, county, KOSTRA group)."""
        return any(p.search(code) for p in self._aggregates)


# -- cells -----------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    """One value of an extract before its region is classified.

    ``value``/``status`` as in the output table; ``empty`` marks a cell that held
    nothing at all; ``raw`` keeps invalid text for the review item.
    """

    region_raw: str
    year: int
    variable: str
    value: float | None
    status: str | None
    empty: bool = False
    raw: str | None = None


def parse_cell(text: object) -> tuple[float | None, str | None, bool]:
    """Read one statbank cell: ``(value, status, empty)``.

    Decimal comma and point are both accepted, as are spaces used as thousands
    separators (``16 000``); the statbank never writes a thousands separator with
    a decimal mark, so ``1.5`` and ``1,5`` are both one and a half.
    """
    if text is None:
        return None, None, True
    if isinstance(text, bool):
        raise KostraFormatError(f"a cell holds the boolean {text}")
    if isinstance(text, (int, float)):
        if isinstance(text, float) and not math.isfinite(text):
            return None, INVALID_STATUS, False
        return float(text), None, False
    s = str(text).strip()
    if s == "":
        return None, None, True
    if s in MISSING_SYMBOLS:
        return None, s, False
    if s == NIL_SYMBOL:
        return 0.0, NIL_SYMBOL, False
    compact = re.sub(r"[\s\u00a0\u202f]", "", s)
    if _NUMBER.match(compact):
        return float(compact.replace(",", ".")), None, False
    return None, INVALID_STATUS, False


def split_region(text: str) -> str:
    """The region code of a statbank region field: ``"0301 Oslo"`` → ``0301``; ``K-3001`` → ``3001``.

    Split on the first whitespace only: names carry more words (``Gamle Oslo``).
    """
    code = str(text).strip().split(None, 1)[0] if str(text).strip() else ""
    return _K_PREFIX.sub("", code)


# -- CSV -------------------------------------------------------------------------

def decode(raw: bytes) -> tuple[str, str]:
    """Decode a statbank CSV: UTF-8 (BOM or not), else windows-1252, else ISO-8859-1.

    windows-1252 is tried before ISO-8859-1 because it is a superset for every
    printable character; the two only differ in 0x80-0x9F, where ISO-8859-1 has
    control characters no statbank file contains.
    """
    if b"\x00" in raw:
        raise KostraFormatError("the file holds NUL bytes: binary, or UTF-16 text (save it as UTF-8)")
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "iso-8859-1"


def _rows(text: str, delimiter: str) -> list[list[str]]:
    """All rows, parsed by the csv module so quoted fields may hold the delimiter."""
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"'))


def _find_header(text: str) -> tuple[str, int, list[list[str]]]:
    """Delimiter, header row number and all rows: the header is the first row with a ``region`` column.

    The title line and empty line that the statbank may write first hold no
    ``region`` column, so they are passed over.
    """
    for delimiter in _DELIMITERS:
        if delimiter not in text:
            continue
        rows = _rows(text, delimiter)
        for i, row in enumerate(rows[:20]):
            names = [_norm(c) for c in row]
            if len(row) >= 2 and any(n in _REGION_NAMES for n in names):
                return delimiter, i, rows
    raise KostraFormatError("no header row with a 'region' column (separated by ';', tab or ',') in the first 20 lines")


def _column_role(name: str) -> str | None:
    """Which dimension a long-layout column holds, by its header (the order of columns varies)."""
    n = _norm(name)
    if n in _REGION_NAMES:
        return "region"
    if n in _VARIABLE_NAMES:
        return "variable"
    if n in _YEAR_NAMES:
        return "year"
    return None


@dataclass
class _FileResult:
    """What one file gave: its cells, its own review items, unmapped variables (counted) and a log detail."""

    cells: list[Cell] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    unmapped: Counter = field(default_factory=Counter)
    detail: str = ""


def _year(text: str) -> int | None:
    """A four-digit year, or None: KOSTRA years are plain years, anything else is a misread column."""
    t = str(text).strip()
    return int(t) if _YEAR.match(t) else None


def parse_csv(raw: bytes, name: str, cfg: KostraConfig) -> _FileResult:
    """Cells of a statbank CSV in wide or long layout.

    Wide: one column per variable and year (``"Kommunen har frisklivssentral 2016"``).
    Long: columns ``region``, a variable column and a year column in any order,
    and one value column named after the table's title. A third layout, a
    variable column with one column per bare year, is read too: PxWeb offers it.
    """
    text, encoding = decode(raw)
    delimiter, header_at, rows = _find_header(text)
    header = [c.strip() for c in rows[header_at]]
    roles = [_column_role(h) for h in header]
    out = _FileResult(detail=f"{encoding}, delimiter {delimiter!r}")
    i_region = roles.index("region")
    i_var = roles.index("variable") if "variable" in roles else None
    i_year = roles.index("year") if "year" in roles else None
    rest = [i for i, r in enumerate(roles) if r is None]

    if i_var is not None and i_year is not None:
        if len(rest) != 1:
            raise KostraFormatError(
                f"long layout needs exactly one value column besides region, variable and year; found {len(rest)}: "
                + ", ".join(header[i] for i in rest))
        out.detail += ", long layout"
        columns: list[tuple[int, str | None, int | None]] = []
        i_value = rest[0]
    else:
        if i_year is not None:
            raise KostraFormatError("a year column without a variable column: unknown layout")
        columns = []
        for i in rest:
            h = header[i]
            if i_var is not None:
                y = _year(h)
                if y is None:
                    out.issues.append(Issue(SOURCE, name, f"kolonne {i + 1}", "header", "kostra.kolonne_ikke_aar",
                                            "column is not a year; skipped", locator=f"column {i + 1}"))
                    continue
                columns.append((i, None, y))
                continue
            m = _YEAR_AT_END.match(h) or _YEAR_AT_START.match(h)
            if not m:
                out.issues.append(Issue(SOURCE, name, f"kolonne {i + 1}", "header", "kostra.kolonne_uten_aar",
                                        "column header names no year; column skipped", locator=f"column {i + 1}"))
                continue
            label, year = (m.group(1), m.group(2)) if m.re is _YEAR_AT_END else (m.group(2), m.group(1))
            columns.append((i, label, int(year)))
        out.detail += ", wide layout"
        i_value = -1

    for line_no, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            if sum(1 for c in row if c.strip()) == 1:
                out.issues.append(Issue(SOURCE, name, f"linje {line_no}", "linje", "kostra.merknadslinje",
                                        "a line with one field after the header (a note?); not read",
                                        locator=f"line {line_no}"))
            else:
                out.issues.append(Issue(SOURCE, name, f"linje {line_no}", "linje", "kostra.feil_antall_felt",
                                        f"{len(row)} fields where the header has {len(header)}; line not read",
                                        locator=f"line {line_no}"))
            continue
        region = row[i_region].strip()
        if not region:
            out.issues.append(Issue(SOURCE, name, f"linje {line_no}", "region", "kostra.tom_region",
                                    "empty region; line not read", locator=f"line {line_no}"))
            continue
        if i_value >= 0:
            year = _year(row[i_year])
            variable = cfg.variable_for(row[i_var])
            if year is None:
                out.issues.append(Issue(SOURCE, name, f"linje {line_no}", "år", "kostra.ugyldig_aar",
                                        "not a four-digit year; line not read", locator=f"line {line_no}"))
                continue
            if variable is None:
                out.unmapped[row[i_var].strip()] += 1
                continue
            _append_cell(out, name, region, year, variable, row[i_value])
            continue
        for i, label, year in columns:
            variable = cfg.variable_for(row[i_var] if i_var is not None else label)
            if variable is None:
                out.unmapped[(row[i_var] if i_var is not None else label).strip()] += 1
                continue
            _append_cell(out, name, region, year, variable, row[i])
    return out


def _append_cell(out: _FileResult, name: str, region: str, year: int, variable: str, text: object) -> None:
    """Parse one CSV cell the same way for both layouts, keeping invalid text for its review item."""
    value, status, empty = parse_cell(text)
    out.cells.append(Cell(region, year, variable, value, status, empty,
                          str(text) if status == INVALID_STATUS else None))


# -- JSON-stat -------------------------------------------------------------------

def _categories(dim: Mapping, dim_id: str, size: int) -> tuple[list[str], dict[str, str]]:
    """Category codes in index order and their labels."""
    cat = dim.get("category")
    if not isinstance(cat, Mapping):
        raise KostraFormatError(f"dimension {dim_id} has no category")
    labels = cat.get("label") or {}
    index = cat.get("index")
    if index is None:
        if len(labels) != 1:
            raise KostraFormatError(f"dimension {dim_id}: category.index is missing")
        codes = list(labels)
    elif isinstance(index, list):
        codes = [str(c) for c in index]
    elif isinstance(index, Mapping):
        codes = [None] * len(index)  # type: ignore[list-item]
        for code, pos in index.items():
            if not isinstance(pos, int) or not 0 <= pos < len(index) or codes[pos] is not None:
                raise KostraFormatError(f"dimension {dim_id}: category.index positions are not 0..{len(index) - 1}")
            codes[pos] = str(code)
    else:
        raise KostraFormatError(f"dimension {dim_id}: category.index is neither a list nor an object")
    if len(codes) != size:
        raise KostraFormatError(f"dimension {dim_id} has {len(codes)} categories but size says {size}")
    return codes, {str(k): str(v) for k, v in labels.items()}


def _find_dimension(ds: Mapping, ids: list[str], role: str, labels: tuple[str, ...], id_names: tuple[str, ...]) -> str | None:
    """A dimension by its JSON-stat role, else by its label, else by a known id; never by position."""
    roles = ds.get("role") or {}
    for d in roles.get(role) or []:
        if d in ids:
            return d
    for d in ids:
        if _norm(ds["dimension"][d].get("label", "")) in labels:
            return d
    for d in ids:
        if _norm(d) in id_names or (role == "geo" and "region" in _norm(d)):
            return d
    return None


def _statuses(status: object, n: int) -> Callable[[int], str | None]:
    """Status lookup for value index ``i``: object from index to symbol, one symbol per value, or one for all."""
    if status is None:
        return lambda i: None
    if isinstance(status, str):
        return lambda i: status or None
    if isinstance(status, list):
        if len(status) == 1:
            return lambda i: status[0] or None
        if len(status) != n:
            raise KostraFormatError(f"status has {len(status)} entries for {n} values")
        return lambda i: status[i] or None
    if isinstance(status, Mapping):
        by = {int(k): v for k, v in status.items()}
        return lambda i: by.get(i) or None
    raise KostraFormatError("status is neither an object, a list nor a string")


def parse_jsonstat(raw: bytes, name: str, cfg: KostraConfig) -> _FileResult:
    """Cells of a JSON-stat 2.0 dataset; ``value`` row-major over ``id``, symbols in ``status``."""
    text, _ = decode(raw)
    ds = json.loads(text)
    if not isinstance(ds, Mapping):
        raise KostraFormatError("JSON is not an object")
    if ds.get("class") not in (None, "dataset"):
        raise KostraFormatError(f"JSON-stat class '{ds.get('class')}' is not 'dataset' (download one table as a dataset)")
    missing = [k for k in ("id", "size", "dimension", "value") if k not in ds]
    if missing:
        hint = " (a JSON-stat 1.0 bundle? download JSON-stat 2.0)" if "dataset" in ds else ""
        raise KostraFormatError(f"not a JSON-stat 2.0 dataset: missing {', '.join(missing)}{hint}")
    ids, sizes = [str(i) for i in ds["id"]], [int(s) for s in ds["size"]]
    if len(ids) != len(sizes):
        raise KostraFormatError(f"'id' has {len(ids)} dimensions but 'size' {len(sizes)}")
    dims = {d: _categories(ds["dimension"][d], d, s) for d, s in zip(ids, sizes)}
    geo = _find_dimension(ds, ids, "geo", ("region",), ("kokkommuneregion0000", "region"))
    time = _find_dimension(ds, ids, "time", _YEAR_NAMES, ("tid", "time", "year"))
    metric = _find_dimension(ds, ids, "metric", _VARIABLE_NAMES, ("contentscode", "contents"))
    if geo is None or time is None or metric is None:
        found = {"region": geo, "year": time, "variable": metric}
        raise KostraFormatError("cannot find the " + ", ".join(k for k, v in found.items() if v is None)
                                + " dimension (by role, label or id)")
    others = [d for d, s in zip(ids, sizes) if d not in (geo, time, metric) and s != 1]
    if others:
        raise KostraFormatError(f"dimensions besides region, variable and year with more than one category: {others}")
    n = math.prod(sizes)
    values = ds["value"]
    if isinstance(values, Mapping):
        dense: list[object] = [None] * n
        for k, v in values.items():
            dense[int(k)] = v
        values = dense
    if not isinstance(values, list) or len(values) != n:
        raise KostraFormatError(f"'value' holds {len(values) if isinstance(values, list) else '?'} values; size says {n}")
    status_of = _statuses(ds.get("status"), n)
    out = _FileResult(detail="JSON-stat 2.0")

    years: dict[str, int | None] = {c: _year(c) for c in dims[time][0]}
    for code, y in years.items():
        if y is None:
            out.issues.append(Issue(SOURCE, name, f"{time}={code}", "år", "kostra.ugyldig_aar",
                                    "not a four-digit year; values not read", locator=f"dimension {time}"))
    variables: dict[str, str | None] = {}
    for code in dims[metric][0]:
        variables[code] = cfg.variable_for(code, dims[metric][1].get(code))
    unknown_status: Counter = Counter()
    strides = [math.prod(sizes[k + 1:]) for k in range(len(sizes))]
    pos = {d: ids.index(d) for d in (geo, time, metric)}
    for i, v in enumerate(values):
        region_code = dims[geo][0][(i // strides[pos[geo]]) % sizes[pos[geo]]]
        t_code = dims[time][0][(i // strides[pos[time]]) % sizes[pos[time]]]
        m_code = dims[metric][0][(i // strides[pos[metric]]) % sizes[pos[metric]]]
        year, variable = years[t_code], variables[m_code]
        if year is None:
            continue
        if variable is None:
            out.unmapped[dims[metric][1].get(m_code, m_code)] += 1
            continue
        symbol = status_of(i)
        symbol = None if symbol is None else str(symbol).strip() or None
        value, status, empty = parse_cell(v)
        if symbol in MISSING_SYMBOLS:
            value, status, empty = None, symbol, False
        elif symbol == NIL_SYMBOL:
            if value not in (None, 0.0) or status == INVALID_STATUS:
                out.issues.append(Issue(SOURCE, name, f"{region_code} {m_code} {t_code}", "value",
                                        "kostra.null_med_verdi",
                                        "status '-' (nil) beside a non-zero value; the value is kept"))
            else:
                value, status, empty = 0.0, NIL_SYMBOL, False
        elif symbol is not None:
            unknown_status[symbol] += 1
        out.cells.append(Cell(region_code, year, variable, value, status, empty,
                              str(v) if status == INVALID_STATUS else None))
    for symbol, count in sorted(unknown_status.items()):
        out.issues.append(Issue(SOURCE, name, "status", "status", "kostra.ukjent_status",
                                f"status '{symbol}' is no SSB symbol this pipeline knows ({count} values); "
                                "the values are kept, the status is not"))
    return out


# -- regions ---------------------------------------------------------------------

@dataclass
class RegionContext:
    """What a region code can be: kommuner per data year, every kommune code ever, Oslo's bydeler."""

    reference_dir: Path
    cfg: KostraConfig
    bydeler: frozenset[str]
    all_kommuner: frozenset[str]

    @classmethod
    def load(cls, reference_dir: str | Path, cfg: KostraConfig) -> "RegionContext":
        """Read the bydeler and every version's kommune codes, to tell an old code from an unknown one."""
        ref = Path(reference_dir)
        every: set[str] = set()
        for version in klass.available_versions(ref):
            every |= set(klass.load(ref, version).kommuner)
        return cls(ref, cfg, frozenset(klass.read_bydeler(ref)), frozenset(every))

    def kommuner(self, year: int) -> tuple[str, frozenset[str]] | None:
        """Klass version and kommune codes of the structure valid on 1 January ``year``; None if none is."""
        return _kommuner_of_year(str(self.reference_dir.resolve()), year)

    def level(self, code: str, year: int) -> str:
        """``kommune``, ``bydel``, ``aggregat`` or ``ukjent`` for a code in a data year (see the module docstring)."""
        structure = self.kommuner(year)
        if structure is not None and code in structure[1]:
            return "kommune"
        if code in self.bydeler:
            return "bydel"
        if self.cfg.is_aggregate(code):
            return "aggregat"
        return "ukjent"


@lru_cache(maxsize=None)
def _kommuner_of_year(reference_dir: str, year: int) -> tuple[str, frozenset[str]] | None:
    """Cached per year: every cell asks, and loading a Klass version builds a name index."""
    try:
        version = klass.version_for(reference_dir, str(year))
    except klass.ClassificationError:
        return None
    return version, frozenset(klass.load(reference_dir, version).kommuner)


# -- ingest ----------------------------------------------------------------------

def _sniff_json(raw: bytes) -> bool:
    """JSON-stat by content, since downloads get renamed (``.txt``, no extension)."""
    head = raw.lstrip(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"{")


def read_file(path: Path, cfg: KostraConfig) -> _FileResult:
    """Parse one file by its content (``{`` starts JSON-stat), not its extension."""
    raw = path.read_bytes()
    if not raw.strip():
        raise KostraFormatError("the file is empty")
    kind, description = sniff(raw, path.name)
    if kind not in ("text", "utf-16", "binary"):
        # a workbook or archive (an .xlsx download, an .xls renamed .csv): say what it is, not "UTF-16 text"
        raise KostraFormatError(f"{description.replace(', not an xlsx workbook', '').split(': save')[0]}, "
                                "not a statbank CSV or JSON-stat file: download the table as CSV or JSON-stat 2.0")
    return parse_jsonstat(raw, path.name, cfg) if _sniff_json(raw) else parse_csv(raw, path.name, cfg)


#: Errors that mean "this file is not what the contract describes": the file is quarantined.
_UNREADABLE = (KostraFormatError, UnicodeError, json.JSONDecodeError, csv.Error, ValueError,
               KeyError, IndexError, TypeError, AttributeError, OSError)


def _classify(result: _FileResult, name: str, ctx: RegionContext, rows: list[dict], issues: list[Issue]) -> dict[str, int]:
    """Turn a file's cells into table rows; collect the review items their regions and values raise."""
    counts: Counter = Counter()
    unknown: dict[str, tuple[str, set[int]]] = {}
    empty_in_structure = 0
    for cell in result.cells:
        code = split_region(cell.region_raw)
        level = ctx.level(code, cell.year)
        outside_years = level == "ukjent" and code in ctx.all_kommuner
        if cell.empty or (cell.value is None and outside_years):
            if level in ("kommune", "bydel"):
                empty_in_structure += 1
            counts["skipped_outside_years" if outside_years else "skipped_empty"] += 1
            continue
        if level == "ukjent":
            raw, years = unknown.setdefault(code, (cell.region_raw, set()))
            years.add(cell.year)
        if cell.status == INVALID_STATUS:
            issues.append(Issue(SOURCE, name, f"{code} {cell.variable} {cell.year}", "value", "kostra.ugyldig_verdi",
                                "neither a number nor an SSB symbol; kept with status ugyldig and no value"))
        rows.append({"region_code": code, "region_level": level, "year": cell.year, "variable": cell.variable,
                     "value": cell.value, "status": cell.status, "source_file": name})
        counts[level] += 1
    for code, (raw, years) in sorted(unknown.items()):
        structures = ", ".join(
            f"{y} (Klass {s[0]})" if (s := ctx.kommuner(y)) else f"{y} (no Klass version)" for y in sorted(years))
        known = " It is a kommune code of another year's structure." if code in ctx.all_kommuner else ""
        issues.append(Issue(SOURCE, name, code, "region", "kostra.ukjent_region",
                            f"not a kommune of the structure of {structures}, not an Oslo bydel and no aggregate "
                            f"pattern; kept with region_level ukjent and left out of every count.{known}"))
    if empty_in_structure:
        issues.append(Issue(SOURCE, name, "", "value", "kostra.tomme_celler",
                            f"{empty_in_structure} empty cells (no number, no symbol) for kommuner or bydeler of "
                            "their year; not kept as rows"))
    for label, count in sorted(result.unmapped.items()):
        issues.append(Issue(SOURCE, name, label, "variable", "kostra.ukjent_variabel",
                            f"variable not mapped in config kostra.variables ({count} values not read)"))
    return dict(counts)


def _conflicts(frame: pd.DataFrame) -> list[Issue]:
    """Review items for a region, year and variable given different values in two places."""
    if frame.empty:
        return []
    out = []
    key = ["region_code", "year", "variable"]
    dup = frame[frame.duplicated(key, keep=False)]
    for (code, year, variable), grp in dup.groupby(key, sort=True):
        seen = {(None if pd.isna(v) else float(v), s) for v, s in zip(grp["value"], grp["status"])}
        if len(seen) > 1:
            where = ", ".join(f"{f}: {v if s is None else s}" for f, v, s in
                              zip(grp["source_file"], grp["value"], grp["status"]))
            out.append(Issue(SOURCE, ",".join(sorted(set(grp["source_file"]))), f"{code} {variable} {year}",
                             "value", "kostra.ulike_verdier", f"given differently in two places ({where}); figures "
                             "use the first number by file name"))
    return out


def read_kostra(paths: Iterable[str | Path], reference_dir: str | Path,
                cfg: KostraConfig | None = None) -> tuple[pd.DataFrame, list[Issue]]:
    """Every KOSTRA file into one tidy frame (the ``kostra`` table) and its review/quarantine items."""
    cfg = cfg or KostraConfig.from_config(None)
    ctx = RegionContext.load(reference_dir, cfg)
    rows: list[dict] = []
    issues: list[Issue] = []
    for path in sorted((Path(p) for p in paths), key=lambda p: p.name):
        try:
            result = read_file(path, cfg)
        except _UNREADABLE as exc:
            reason = str(exc) if isinstance(exc, KostraFormatError) else f"{type(exc).__name__}: {exc}"
            issues.append(Issue(SOURCE, path.name, "", "file", "kostra.uleselig",
                                f"cannot be read as statbank CSV or JSON-stat 2.0: {reason}", "quarantine",
                                locator="file"))
            log.warning("kostra: %s quarantined: %s", path.name, reason)
            continue
        issues += [*result.issues]
        counts = _classify(result, path.name, ctx, rows, issues)
        log.info("kostra: %s (%s): %s", path.name, result.detail,
                 ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "no values")
    frame = pd.DataFrame(rows, columns=KOSTRA.column_names)
    if not frame.empty:
        frame["year"] = frame["year"].astype("int64")
        frame["value"] = frame["value"].astype("float64")
        frame = frame.sort_values(list(KOSTRA.sort_by), kind="stable").reset_index(drop=True)
    issues += _conflicts(frame)
    return frame, issues



# -- kommune-level values --------------------------------------------------------

def dedupe(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per region, year and variable: a number before a symbol, then the first file by name."""
    if frame.empty:
        return frame
    ordered = frame.assign(_missing=frame["value"].isna()).sort_values(
        ["region_code", "year", "variable", "_missing", "source_file"], kind="stable")
    return ordered.drop_duplicates(["region_code", "year", "variable"]).drop(columns="_missing")


def kommune_values(kostra: pd.DataFrame, year: int, variable: str) -> pd.DataFrame:
    """One row per kommune of ``year`` with columns ``region_code, value, status, via``. Oslo counts once.

    Oslo answers per bydel. Its kommune row is used when it holds a number;
    otherwise Oslo's value is derived from the bydeler (any bydel for a yes/no
    variable, the sum for a count), and ``via`` says ``bydeler``. Aggregates
    and unknown codes never enter.
    """
    cols = ["region_code", "value", "status", "via"]
    if kostra.empty:
        return pd.DataFrame(columns=cols)
    sel = dedupe(kostra[(kostra["year"] == year) & (kostra["variable"] == variable)])
    kom = sel[sel["region_level"] == "kommune"][["region_code", "value", "status"]].assign(via="kommune")
    by = sel[(sel["region_level"] == "bydel") & sel["value"].notna()]
    oslo = kom[kom["region_code"] == OSLO]
    if not by.empty and (oslo.empty or oslo["value"].isna().all()):
        value = float(by["value"].max() if variable in FLAG_VARIABLES else by["value"].sum())
        kom = pd.concat([kom[kom["region_code"] != OSLO],
                         pd.DataFrame([{"region_code": OSLO, "value": value, "status": None, "via": "bydeler"}])],
                        ignore_index=True)
    return kom[cols].sort_values("region_code").reset_index(drop=True)


# -- cross-check with the kartlegging --------------------------------------------

#: Organisation codes (T06) that mean the service is a frisklivssentral.
FLS_ORGANISERING = ("frisklivssentral", "friskliv_og_mestring")
AVVIK_FLS_KOSTRA_0 = "fls_i_kartlegging_kostra_0"
AVVIK_FLS_KOSTRA_MANGLER = "fls_i_kartlegging_kostra_mangler"
AVVIK_KOSTRA_FLS_INGEN_TJENESTE = "kostra_fls_ingen_tjeneste"

CrosswalkBuilder = Callable[[str | Path, str, str], pd.DataFrame]


def _default_crosswalk() -> CrosswalkBuilder | None:
    """``kartlegging.analysis.crosswalk.build_crosswalk`` when that module exists (written in parallel), else None."""
    try:
        from kartlegging.analysis.crosswalk import build_crosswalk  # type: ignore[import-not-found]
    except ImportError:
        return None
    return build_crosswalk


@dataclass(frozen=True)
class _YearSource:
    year: int
    version: str
    translate: dict[str, tuple[str, ...]] | None  # round code -> codes of the year's structure; None = same codes


def _year_sources(kostra: pd.DataFrame, target: int, round_version: str, reference_dir: str | Path,
                  crosswalk: CrosswalkBuilder | None) -> tuple[list[_YearSource], list[int]]:
    """KOSTRA years usable for the round, nearest first (ties: the earlier year), and those left out.

    A year in the round's structure, or in one with the same kommune codes, is
    used as it is. Another structure needs the crosswalk; without it the year
    is left out rather than matched on codes that may mean other kommuner.
    """
    years = sorted({int(y) for y in kostra.loc[kostra["variable"] == "Frisklivssentral", "year"]},
                   key=lambda y: (abs(y - target), y))
    round_codes = frozenset(klass.load(reference_dir, round_version).kommuner)
    sources, skipped = [], []
    for y in years:
        structure = _kommuner_of_year(str(Path(reference_dir).resolve()), y)
        if structure is None:
            skipped.append(y)
            continue
        version, codes = structure
        if version == round_version or codes == round_codes:
            sources.append(_YearSource(y, version, None))
        elif crosswalk is not None:
            cw = crosswalk(reference_dir, version, round_version)
            mapping: dict[str, list[str]] = defaultdict(list)
            for f, t in zip(cw["from_code"].astype(str), cw["to_code"].astype(str)):
                mapping[t].append(f)
            sources.append(_YearSource(y, version, {k: tuple(sorted(set(v))) for k, v in mapping.items()}))
        else:
            skipped.append(y)
    return sources, skipped


def _kostra_fls(per_year: Mapping[int, pd.DataFrame], sources: list[_YearSource], kommune: str) -> dict[str, object]:
    """The nearest-year KOSTRA frisklivssentral value of one kommune of the round's structure.

    Years where the kommune has only a symbol are passed over for the next
    nearest; if no year has a number, the nearest symbol is reported.
    """
    first_symbol: dict[str, object] | None = None
    for src in sources:
        vals = per_year[src.year]
        codes = (kommune,) if src.translate is None else src.translate.get(kommune, ())
        hits = vals[vals["region_code"].isin(codes)]
        numbers = hits["value"].dropna()
        via = ",".join(f"{c} (via bydeler)" if v == "bydeler" else c
                       for c, v in zip(hits["region_code"], hits["via"]))
        if not numbers.empty:
            return {"kostra_aar": src.year, "kostra_verdi": float(numbers.max()), "kostra_status": None,
                    "kostra_regioner": via or None, "oversatt": src.translate is not None}
        if first_symbol is None and not hits.empty:
            first_symbol = {"kostra_aar": src.year, "kostra_verdi": None,
                            "kostra_status": ",".join(sorted({s for s in hits["status"] if s})) or None,
                            "kostra_regioner": via or None, "oversatt": src.translate is not None}
    return first_symbol or {"kostra_aar": None, "kostra_verdi": None, "kostra_status": None,
                            "kostra_regioner": None, "oversatt": False}


def cross_check(kostra_df: pd.DataFrame, services: pd.DataFrame, service_kommuner: pd.DataFrame,
                kommune_status: pd.DataFrame, round_version: str, reference_dir: str | Path,
                crosswalk: CrosswalkBuilder | None | bool = True) -> pd.DataFrame:
    """Kommuner where the kartlegging and KOSTRA disagree on frisklivssentral (the ``kostra_crosscheck`` table).

    Three kinds (``avvik``):

    - ``fls_i_kartlegging_kostra_0``: an included service organised as a
      frisklivssentral covers the kommune, but KOSTRA says Frisklivssentral = 0;
    - ``fls_i_kartlegging_kostra_mangler``: the same, but KOSTRA has no number
      for the kommune in any usable year;
    - ``kostra_fls_ingen_tjeneste``: KOSTRA says 1, but the kartlegging found no
      included service (``har_tjeneste`` nei or ukjent). A frisklivssentral is
      where kommunal lærings- og mestringstilbud usually sit, so these are the
      kommuner where the kartlegging may have missed a service.

    KOSTRA is read in the year nearest the round's (the round's classification
    year; ties go to the earlier year, nearer the field work), kommune by kommune,
    skipping years where the kommune has only a symbol. Years in another kommune
    structure are translated with ``crosswalk`` (default: ``kartlegging.analysis.crosswalk``
    if present; ``False`` to never translate); a merged kommune's value applies
    to each of its parts. Without a crosswalk only years whose structure has the
    round's kommune codes are used: for round 2015 that is 2013-2016.
    """
    builder = _default_crosswalk() if crosswalk is True else (crosswalk or None)
    cols = KOSTRA_CROSSCHECK.column_names
    if kommune_status.empty:
        return pd.DataFrame(columns=cols)
    round_name = str(kommune_status["round"].iloc[0])
    version = klass.version_for(reference_dir, str(round_version))
    target = int(str(round_version)[:4])
    sources, skipped = _year_sources(kostra_df, target, version, reference_dir, builder)
    if skipped:
        log.info("kostra cross-check: years not used (another kommune structure and no crosswalk, or no "
                 "structure): %s", ", ".join(map(str, skipped)))
    per_year = {src.year: kommune_values(kostra_df, src.year, "Frisklivssentral") for src in sources}

    inc = services[services["inkludert"] == "ja"]
    fls_ids = set(inc.loc[inc["organisering"].isin(FLS_ORGANISERING), "service_id"])
    org_of = dict(zip(inc["service_id"], inc["organisering"]))
    bridge = service_kommuner[service_kommuner["service_id"].isin(set(inc["service_id"]))]
    by_kommune: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for sid, k, rolle in zip(bridge["service_id"], bridge["kommunenummer"], bridge["rolle"]):
        by_kommune[str(k)].append((str(sid), str(rolle)))

    rows = []
    for rec in kommune_status.sort_values("kommunenummer").itertuples(index=False):
        k = str(rec.kommunenummer)
        svc = sorted(by_kommune.get(k, []))
        fls_svc = [(s, r) for s, r in svc if s in fls_ids]
        kv = _kostra_fls(per_year, sources, k)
        base = {"round": round_name, "kommunenummer": k, "kommunenavn": rec.kommunenavn,
                "har_tjeneste": rec.har_tjeneste, **kv}
        if fls_svc and kv["kostra_verdi"] == 0:
            avvik, note = AVVIK_FLS_KOSTRA_0, "the kartlegging found a frisklivssentral; KOSTRA reports none"
        elif fls_svc and kv["kostra_verdi"] is None:
            avvik, note = AVVIK_FLS_KOSTRA_MANGLER, "the kartlegging found a frisklivssentral; KOSTRA has no number"
        elif kv["kostra_verdi"] is not None and kv["kostra_verdi"] >= 1 and rec.har_tjeneste != "ja":
            avvik, note = (AVVIK_KOSTRA_FLS_INGEN_TJENESTE,
                           "KOSTRA reports a frisklivssentral; the kartlegging found no included service")
        else:
            continue
        chosen = fls_svc or svc
        if kv["oversatt"]:
            note += f"; KOSTRA {kv['kostra_aar']} translated to Klass {version}"
        rows.append({**base, "avvik": avvik, "service_ids": [s for s, _ in chosen],
                     "organisering": ",".join(sorted({str(org_of[s]) for s, _ in chosen})) or None,
                     "rolle": ",".join(sorted({r for _, r in chosen})) or None, "merknad": note})
    out = pd.DataFrame(rows, columns=cols)
    if not out.empty:
        out = out.sort_values(list(KOSTRA_CROSSCHECK.sort_by), kind="stable").reset_index(drop=True)
    return out


def cross_check_counts(check: pd.DataFrame) -> dict[str, int]:
    """How many kommuner of each kind of disagreement, every kind present (zero when none)."""
    kinds = (AVVIK_FLS_KOSTRA_0, AVVIK_FLS_KOSTRA_MANGLER, AVVIK_KOSTRA_FLS_INGEN_TJENESTE)
    counts = check["avvik"].value_counts().to_dict() if not check.empty else {}
    return {k: int(counts.get(k, 0)) for k in kinds}


