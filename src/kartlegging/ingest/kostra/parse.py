"""Parsing of one KOSTRA extract (statbank CSV or JSON-stat 2.0) into cells: region, year, variable,
value and SSB status."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kartlegging.core import classification as klass
from kartlegging.core.issues import Issue
from kartlegging.ingest.filetype import sniff

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



_VARIABLE_NAMES = ("statistikkvariabel", "contents", "contentscode", "variabel")



_YEAR_NAMES = ("år", "tid", "year", "time")



class KostraFormatError(ValueError):
    """A file is not a statbank CSV or JSON-stat 2.0 dataset this module can read."""



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
            for key in (_norm(name), _norm(_PAREN.sub("", name))):
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
        return float(compact.replace(",", ".")), None, False
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
class FileResult:
    """What one file gave: its cells, its own review items, unmapped variables (counted) and a log detail."""

    cells: list[Cell] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    unmapped: Counter = field(default_factory=Counter)
    detail: str = ""



def _year(text: str) -> int | None:
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



def _append_cell(out: FileResult, name: str, region: str, year: int, variable: str, text: object) -> None:
    """Parse one CSV cell the same way for both layouts, keeping invalid text for its review item."""
    value, status, empty = parse_cell(text)
    out.cells.append(Cell(region, year, variable, value, status, empty,
                          str(text) if status == INVALID_STATUS else None))



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



def _find_dimension(
    ds: Mapping, ids: list[str], role: str, labels: tuple[str, ...], id_names: tuple[str, ...]
) -> str | None:
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



def parse_jsonstat(raw: bytes, name: str, cfg: KostraConfig) -> FileResult:
    """Cells of a JSON-stat 2.0 dataset; ``value`` row-major over ``id``, symbols in ``status``."""
    text, _ = decode(raw)
    ds = json.loads(text)
    if not isinstance(ds, Mapping):
        raise KostraFormatError("JSON is not an object")
    if ds.get("class") not in (None, "dataset"):
        raise KostraFormatError(
            f"JSON-stat class '{ds.get('class')}' is not 'dataset' (download one table as a dataset)"
        )
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
        raise KostraFormatError(
            f"'value' holds {len(values) if isinstance(values, list) else '?'} values; size says {n}"
        )
    status_of = _statuses(ds.get("status"), n)
    out = FileResult(detail="JSON-stat 2.0")

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



def _sniff_json(raw: bytes) -> bool:
    """JSON-stat by content, since downloads get renamed (``.txt``, no extension)."""
    head = raw.lstrip(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"{")



def read_file(path: Path, cfg: KostraConfig) -> FileResult:
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
UNREADABLE = (KostraFormatError, UnicodeError, json.JSONDecodeError, csv.Error, ValueError,
               KeyError, IndexError, TypeError, AttributeError, OSError)
