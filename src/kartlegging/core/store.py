"""Validated, byte-stable reading and writing of the processed tables.

Every table goes through :func:`write_table`: columns are put in the declared
order, the frame is validated against the declaration in :mod:`kartlegging.core.tables`
(pandera, lazily, so one message lists every violation), rows are sorted by the
table's key and written with its explicit Arrow schema and no pandas metadata.
Two runs on the same inputs therefore give the same bytes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa_pd
import pyarrow as pa
import pyarrow.parquet as pq

from kartlegging.core.tables import ALL_TABLES, Table


class TableValidationError(ValueError):
    """A table breaks its declared schema; the message names table, column and rows."""


def _check_allowed(allowed: tuple[str, ...]):
    return pa_pd.Check.isin(list(allowed), ignore_na=True, error=f"value outside {allowed}")


def pandera_schema(table: Table) -> pa_pd.DataFrameSchema:
    """Pandera schema derived from the table declaration (types are enforced by Arrow on write)."""
    columns = {}
    for col in table.columns:
        checks = [_check_allowed(col.allowed)] if col.allowed else []
        columns[col.name] = pa_pd.Column(nullable=col.nullable, checks=checks, required=True)
    return pa_pd.DataFrameSchema(columns, strict=True, name=table.name)


def _to_python(value: object, typ: pa.DataType) -> object:
    """Convert one pandas cell to what pyarrow expects for the declared type."""
    if isinstance(value, (list, tuple, np.ndarray)):
        # each item as the list's declared item type (a list of weights stays numbers, a missing one null)
        inner = typ.value_type if pa.types.is_list(typ) else pa.string()
        return [_to_python(v, inner) for v in value]
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if pa.types.is_date32(typ):
        if isinstance(value, pd.Timestamp):
            return value.date()
        if isinstance(value, dt.datetime):
            return value.date()
        return value
    if pa.types.is_timestamp(typ):
        ts = pd.Timestamp(value)
        return (ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")).to_pydatetime()
    if pa.types.is_string(typ):
        return str(value)
    if pa.types.is_integer(typ):
        return int(value)
    if pa.types.is_floating(typ):
        return float(value)
    if pa.types.is_boolean(typ):
        return bool(value)
    return value


def _column_array(series: pd.Series, typ: pa.DataType) -> pa.Array:
    """One column as an Arrow array of the declared type.

    Columns already of that type (pandas text, text only, whole numbers, floats) go to Arrow as they are; any other
    column cell by cell through :func:`_to_python`, which gives the same values for these, so the fast
    path changes no byte of a table, only the time a large one takes (the crosswalk's 33,000 links).
    """
    if pa.types.is_string(typ) and isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow":
        # pandas' own text columns are Arrow already (missing as null): no round trip through Python strings
        arrow = pa.array(series.array)
        return (arrow.combine_chunks() if isinstance(arrow, pa.ChunkedArray) else arrow).cast(typ)
    kind = series.dtype.kind if isinstance(series.dtype, np.dtype) else ""  # numpy columns only, no extension types
    if pa.types.is_floating(typ) and kind == "f":
        return pa.array(series.to_numpy(), type=typ, from_pandas=True)  # NaN is null, as _to_python has it
    if pa.types.is_integer(typ) and kind in "iu":
        return pa.array(series.to_numpy(), type=typ)
    values = series.tolist()
    if pa.types.is_string(typ) and all(v is None or type(v) is str for v in values):
        return pa.array(values, type=typ)
    return pa.array([_to_python(v, typ) for v in values], type=typ)


def to_arrow(df: pd.DataFrame, table: Table) -> pa.Table:
    """Validate and convert a frame to an Arrow table with the declared schema, rows sorted."""
    missing = [c for c in table.column_names if c not in df.columns]
    extra = [c for c in df.columns if c not in table.column_names]
    if missing or extra:
        raise TableValidationError(
            f"table {table.name}: missing columns {missing or '-'}; unexpected columns {extra or '-'}"
        )
    frame = df[table.column_names].reset_index(drop=True)
    try:
        pandera_schema(table).validate(frame, lazy=True)
    except pa_pd.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        lines = [
            f"column {row['column']}: {row['check']} (row {row['index']}, value {row['failure_case']!r})"
            for _, row in cases.head(20).iterrows()
        ]
        raise TableValidationError(f"table {table.name} is invalid:\n  " + "\n  ".join(lines)) from None
    arrays = []
    for col in table.columns:
        try:
            arrays.append(_column_array(frame[col.name], col.type))
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as exc:
            # the conversion of one cell fails too (int('x')): name table and column either way
            raise TableValidationError(f"table {table.name}, column {col.name}: {exc}") from None
    out = pa.Table.from_arrays(arrays, schema=table.schema)
    if table.sort_by and out.num_rows:
        out = out.sort_by([(k, "ascending") for k in table.sort_by])
    return out


def write_table(df: pd.DataFrame, table: Table | str, path: str | Path,
                metadata: dict[str, str] | None = None) -> Path:
    """Validate ``df`` against ``table`` and write it as Parquet, deterministically. ``metadata``: key-value
    pairs stored with the file (what it was built from, :mod:`kartlegging.core.fingerprint`)."""
    tbl = ALL_TABLES[table] if isinstance(table, str) else table
    arrow = to_arrow(df, tbl)
    if metadata:
        arrow = arrow.replace_schema_metadata(metadata)
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".tmp")
    try:
        # key-value metadata is written only with the Arrow schema (deterministic too)
        pq.write_table(arrow, tmp, compression="zstd", write_statistics=True, store_schema=bool(metadata))
        tmp.replace(p)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a half-written file must not outlive the failed step
        raise
    return p


#: Kinds of Arrow type a column may be stored as: a file written by another Parquet writer (pandas, DuckDB)
#: may choose another width, unit or list field name, but never another kind.
_KINDS = (pa.types.is_string, pa.types.is_large_string, pa.types.is_integer, pa.types.is_floating,
          pa.types.is_boolean, pa.types.is_date, pa.types.is_timestamp, pa.types.is_list, pa.types.is_large_list)


def _same_kind(found: pa.DataType, declared: pa.DataType) -> bool:
    """Whether a stored column type can stand for the declared one (an all-null column always can)."""
    if found == declared or pa.types.is_null(found):
        return True
    if pa.types.is_integer(declared) and pa.types.is_floating(found):
        return False
    string = (pa.types.is_string, pa.types.is_large_string)
    if any(k(declared) for k in string):
        return any(k(found) for k in string)
    lists = (pa.types.is_list, pa.types.is_large_list)
    if any(k(declared) for k in lists):
        return any(k(found) for k in lists) and _same_kind(found.value_type, declared.value_type)
    return any(k(declared) and k(found) for k in _KINDS)


def read_table(path: str | Path, table: Table | str | None = None) -> pd.DataFrame:
    """Read a processed table back into pandas (lists stay lists): the one Parquet reader of the package.

    With ``table`` (a declaration or its name), the file is checked against the contract before it is
    used: every declared column present with its declared Arrow type (a file of another version of the
    pipeline, or one written by hand, stops here naming file, table and column), and the frame comes
    back with the contract's columns in contract order. The check reads only the file's schema, so it
    costs nothing next to the read; the values were validated when :func:`write_table` wrote them.
    """
    arrow = pq.read_table(path)
    if table is None:
        return arrow.to_pandas()
    tbl = ALL_TABLES[table] if isinstance(table, str) else table
    types = {f.name: f.type for f in arrow.schema}
    missing = [c.name for c in tbl.columns if c.name not in types]
    if missing:
        raise TableValidationError(f"{path}: table {tbl.name!r} lacks columns {missing}")
    wrong = [f"{c.name} ({types[c.name]}, declared {c.type})" for c in tbl.columns
             if not _same_kind(types[c.name], c.type)]
    if wrong:
        raise TableValidationError(f"{path}: table {tbl.name!r} has columns of another type: {', '.join(wrong)}")
    return arrow.select(tbl.column_names).to_pandas()


def empty_frame(table: Table | str) -> pd.DataFrame:
    """An empty frame with the table's columns."""
    tbl = ALL_TABLES[table] if isinstance(table, str) else table
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in tbl.column_names})
