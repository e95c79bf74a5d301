"""Parsing of one JSON-stat 2.0 dataset into cells, after its text and its shape have been checked.

A JSON-stat file is read as untrusted text: before :func:`json.loads` sees it, its nesting is
measured (the standard library's decoder recurses, and a file nested a thousand levels deep
would end in ``RecursionError``, or on a thread with a small stack in a crash); an integer of
more digits than any table holds is refused by the decoder's own hook; and before a field is
used, its kind is checked (:func:`_check_shape`), so that a list where an object belongs is
"dimension 'Tid' is not an object", not ``AttributeError``. Each problem is a
:class:`~kartlegging.ingest.kostra.parse.KostraFormatError` whose ``code`` names it in the
reasons catalogue (``kostra.json_ugyldig``, ``kostra.for_dyp``, ``kostra.tall_utenfor``,
``kostra.feil_oppbygning``).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Mapping

from kartlegging.core.issues import Issue
from kartlegging.ingest.kostra.parse import (
    INVALID_STATUS,
    MISSING_SYMBOLS,
    NIL_SYMBOL,
    SOURCE,
    VARIABLE_NAMES,
    YEAR_NAMES,
    Cell,
    FileResult,
    KostraConfig,
    KostraFormatError,
    decode,
    norm,
    parse_cell,
    year_of,
)

#: A JSON-stat dataset is four or five levels deep (dataset, dimension, category, label).
MAX_DEPTH = 32
#: The most values one table may hold (a statbank table of every kommune, year and variable
#: holds a few tens of thousands).
MAX_VALUES = 5_000_000
#: An integer of more digits than this is no number of a statistics table.
MAX_DIGITS = 30
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")


def _structure(message: str) -> KostraFormatError:
    return KostraFormatError(message, "kostra.feil_oppbygning")


def nesting_depth(text: str) -> int:
    """How deep the arrays and objects of a JSON text nest, counted without parsing it (brackets
    inside strings do not count); a text that does not parse is measured as far as it goes."""
    depth = deepest = 0
    for ch in _NOT_BRACKETS.sub("", _STRINGS.sub("", text)):
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif depth:
            depth -= 1
    return deepest


def _int(text: str) -> int:
    """The decoder's hook for integers: more than :data:`MAX_DIGITS` digits is out of range."""
    digits = len(text.lstrip("-"))
    if digits > MAX_DIGITS:
        raise KostraFormatError(f"an integer of {digits:,} digits; no number in a statistics table has more than "
                                f"{MAX_DIGITS}", "kostra.tall_utenfor")
    return int(text)


def load(raw: bytes) -> Mapping:
    """The dataset object of a JSON-stat file, its nesting and integers checked first."""
    text, _ = decode(raw)
    depth = nesting_depth(text)
    if depth > MAX_DEPTH:
        raise KostraFormatError(f"nested {depth:,} levels deep; a JSON-stat dataset is a few levels deep "
                                f"(at most {MAX_DEPTH} are read)", "kostra.for_dyp")
    try:
        ds = json.loads(text, parse_int=_int)
    except json.JSONDecodeError as exc:
        raise KostraFormatError(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
                                "kostra.json_ugyldig") from None
    except RecursionError:  # the depth was measured, so this is a fault of the measure, said as such
        raise KostraFormatError(f"nested too deeply for the JSON decoder (measured {depth:,} levels)",
                                "kostra.for_dyp") from None
    if not isinstance(ds, Mapping):
        raise _structure("the JSON text is not an object (a JSON-stat dataset is one)")
    return ds


def _size(value: object, dim: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _structure(f"'size' of dimension {dim} is not a number")
    if not math.isfinite(value) or not 0 <= value <= MAX_VALUES:
        raise KostraFormatError(f"'size' of dimension {dim} is {value!r}; at most {MAX_VALUES:,} values are read",
                                "kostra.tall_utenfor")
    if value != int(value):
        raise _structure(f"'size' of dimension {dim} is {value!r}, not a whole number")
    return int(value)


def _check_shape(ds: Mapping) -> tuple[list[str], list[int]]:
    """Dimension ids and sizes, after checking the kind of every field the parser uses."""
    missing = [k for k in ("id", "size", "dimension", "value") if k not in ds]
    if missing:
        hint = " (a JSON-stat 1.0 bundle? download JSON-stat 2.0)" if "dataset" in ds else ""
        raise KostraFormatError(f"not a JSON-stat 2.0 dataset: missing {', '.join(missing)}{hint}")
    if not isinstance(ds["id"], list) or not all(isinstance(i, (str, int)) for i in ds["id"]):
        raise _structure("'id' is not a list of dimension names")
    if not isinstance(ds["size"], list):
        raise _structure("'size' is not a list of numbers")
    ids = [str(i) for i in ds["id"]]
    if len(ids) != len(ds["size"]):
        raise KostraFormatError(f"'id' has {len(ids)} dimensions but 'size' {len(ds['size'])}")
    sizes = [_size(s, d) for d, s in zip(ids, ds["size"])]
    n = math.prod(sizes)
    if n > MAX_VALUES:
        raise KostraFormatError(f"'size' says {n:,} values; at most {MAX_VALUES:,} are read", "kostra.tall_utenfor")
    dimension = ds["dimension"]
    if not isinstance(dimension, Mapping):
        raise _structure("'dimension' is not an object")
    for d in ids:
        dim = dimension.get(d)
        if not isinstance(dim, Mapping):
            raise _structure(f"dimension {d} is listed in 'id' but is not an object in 'dimension'")
        cat = dim.get("category")
        if not isinstance(cat, Mapping):
            raise KostraFormatError(f"dimension {d} has no category")
        if not isinstance(cat.get("label") or {}, Mapping):
            raise _structure(f"category.label of dimension {d} is not an object")
    role = ds.get("role") or {}
    if not isinstance(role, Mapping) or not all(isinstance(v, list) for v in role.values() if v):
        raise _structure("'role' is not an object of lists")
    return ids, sizes


def _categories(dim: Mapping, dim_id: str, size: int) -> tuple[list[str], dict[str, str]]:
    """Category codes in index order and their labels."""
    cat = dim["category"]
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
            if isinstance(pos, bool) or not isinstance(pos, int) or not 0 <= pos < len(index) \
                    or codes[pos] is not None:
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
        if norm(ds["dimension"][d].get("label", "")) in labels:
            return d
    for d in ids:
        if norm(d) in id_names or (role == "geo" and "region" in norm(d)):
            return d
    return None


def _index(key: object, n: int, what: str) -> int:
    """A value's position from an object key: a whole number from 0 to n - 1."""
    text = str(key).strip()
    if not re.fullmatch(r"[0-9]{1,12}", text) or int(text) >= n:  # not isdigit(): it takes "²" for a digit
        raise KostraFormatError(f"{what} has the key {text[:20]!r}, not a position from 0 to {n - 1}")
    return int(text)


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
        by = {_index(k, n, "'status'"): v for k, v in status.items()}
        return lambda i: by.get(i) or None
    raise KostraFormatError("status is neither an object, a list nor a string")


def parse_jsonstat(raw: bytes, name: str, cfg: KostraConfig) -> FileResult:
    """Cells of a JSON-stat 2.0 dataset; ``value`` row-major over ``id``, symbols in ``status``."""
    ds = load(raw)
    if ds.get("class") not in (None, "dataset"):
        raise KostraFormatError(
            f"JSON-stat class '{str(ds.get('class'))[:40]}' is not 'dataset' (download one table as a dataset)"
        )
    ids, sizes = _check_shape(ds)
    dims = {d: _categories(ds["dimension"][d], d, s) for d, s in zip(ids, sizes)}
    geo = _find_dimension(ds, ids, "geo", ("region",), ("kokkommuneregion0000", "region"))
    time = _find_dimension(ds, ids, "time", YEAR_NAMES, ("tid", "time", "year"))
    metric = _find_dimension(ds, ids, "metric", VARIABLE_NAMES, ("contentscode", "contents"))
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
            dense[_index(k, n, "'value'")] = v
        values = dense
    if not isinstance(values, list) or len(values) != n:
        raise KostraFormatError(
            f"'value' holds {len(values) if isinstance(values, list) else '?'} values; size says {n}"
        )
    status_of = _statuses(ds.get("status"), n)
    out = FileResult(detail="JSON-stat 2.0")

    years: dict[str, int | None] = {c: year_of(c) for c in dims[time][0]}
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
