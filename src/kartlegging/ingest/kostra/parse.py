"""Parsing of one KOSTRA extract into cells (region, year, variable, value and SSB status): the statbank
CSV here, with what both formats share; JSON-stat 2.0 in :mod:`.jsonstat`."""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from kartlegging.core import classification as klass
from kartlegging.core.issues import Issue

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
VARIABLE_NAMES = ("statistikkvariabel", "contents", "contentscode", "variabel")
YEAR_NAMES = ("år", "tid", "year", "time")


class KostraFormatError(ValueError):
    """A file is not a statbank CSV or JSON-stat 2.0 dataset this module can read; ``code`` is the
    reason code of its quarantine item (:mod:`kartlegging.core.reasons`)."""

    def __init__(self, message: str, code: str = "kostra.uleselig") -> None:
        super().__init__(message)
        self.code = code


def norm(text: str) -> str:
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
                for key in {norm(name), norm(_PAREN.sub("", str(name)))}:
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
    def from_config(cls, section: Mapping[str, object] | None) -> KostraConfig:
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
            for key in (norm(name), norm(_PAREN.sub("", name))):
                if key in self._index:
                    return self._index[key]
        return None

    def is_aggregate(self, code: str) -> bool:
        """Whether a region code is an aggregate row (country, county, KOSTRA group)."""
        return any(p.search(code) for p in self._aggregates)


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
        value = float(compact.replace(",", "."))
        return (value, None, False) if math.isfinite(value) else (None, INVALID_STATUS, False)
    return None, INVALID_STATUS, False


def split_region(text: str) -> str:
    """The region code of a statbank region field: ``"0301 Oslo"`` → ``0301``; ``K-3001`` → ``3001``.

    Split on the first whitespace only: names carry more words (``Gamle Oslo``).
    """
    code = str(text).strip().split(None, 1)[0] if str(text).strip() else ""
    return _K_PREFIX.sub("", code)


def decode(raw: bytes) -> tuple[str, str]:
    """Decode a statbank CSV: UTF-8 (BOM or not), else windows-1252, else ISO-8859-1.

    windows-1252 is tried before ISO-8859-1 because it is a superset for every
    printable character; the two only differ in 0x80-0x9F, where ISO-8859-1 has
    control characters no statbank file contains.
    """
    if b"\x00" in raw:
        raise KostraFormatError("the file holds NUL bytes: binary, or UTF-16 text (save it as UTF-8)")
    bom = raw.startswith(b"\xef\xbb\xbf")
    body = raw[3:] if bom else raw
    try:
        return body.decode("utf-8"), "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError:
        pass  # a BOM promises UTF-8, but a file edited in another program may break the promise
    try:
        return body.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        return body.decode("latin-1"), "iso-8859-1"


def _rows(text: str, delimiter: str) -> list[list[str]]:
    """All rows, parsed by the csv module so quoted fields may hold the delimiter."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    try:
        return list(reader)
    except csv.Error as exc:  # a field past the csv module's size limit: an unclosed quote, as a rule
        raise KostraFormatError(f"not readable as {delimiter!r}-separated text at line {reader.line_num} "
                                f"({exc}; an opening quote without its closing one?)") from None


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
            names = [norm(c) for c in row]
            if len(row) >= 2 and any(n in _REGION_NAMES for n in names):
                return delimiter, i, rows
    raise KostraFormatError("no header row with a 'region' column (separated by ';', tab or ',') in the first 20 lines")


def _column_role(name: str) -> str | None:
    """Which dimension a long-layout column holds, by its header (the order of columns varies)."""
    n = norm(name)
    if n in _REGION_NAMES:
        return "region"
    if n in VARIABLE_NAMES:
        return "variable"
    if n in YEAR_NAMES:
        return "year"
    return None


@dataclass
class FileResult:
    """What one file gave: its cells, its own review items, unmapped variables (counted) and a log detail."""

    cells: list[Cell] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    unmapped: Counter = field(default_factory=Counter)
    detail: str = ""


def year_of(text: str) -> int | None:
    """A four-digit year, or None: KOSTRA years are plain years, anything else is a misread column."""
    t = str(text).strip()
    return int(t) if _YEAR.match(t) else None


def parse_csv(raw: bytes, name: str, cfg: KostraConfig) -> FileResult:
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
    out = FileResult(detail=f"{encoding}, delimiter {delimiter!r}")
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
                y = year_of(h)
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
            year = year_of(row[i_year])
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


def _append_cell(out: FileResult, name: str, region: str, year: int, variable: str, text: object) -> None:
    """Parse one CSV cell the same way for both layouts, keeping invalid text for its review item."""
    value, status, empty = parse_cell(text)
    out.cells.append(Cell(region, year, variable, value, status, empty,
                          str(text) if status == INVALID_STATUS else None))
