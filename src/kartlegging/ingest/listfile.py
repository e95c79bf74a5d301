"""A list a person kept in Excel (the dispatch list, the contact list), read as Excel saved it.

Excel saves "CSV" in the encoding and with the separator of the machine's locale: on a
Norwegian Windows, windows-1252 and ``;``; "CSV UTF-8" gives UTF-8 with a BOM; some save
``,``-separated, "Unicode text" is UTF-16 with tabs; others keep the ``.xlsx``. All of these
are read here, the encoding and the separator detected (and said in :attr:`ListFile.how`,
which the caller logs), so that nobody has to convert a file by hand. What cannot be read
stops with the file, the line and what to do (:class:`ListFileError`).

Standard library and python-calamine only, and cheap: the Snakefile calls the dispatch
list's check while the workflow is parsed.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

#: Separators tried, in order of preference on a tie.
SEPARATORS = (";", ",", "\t")
#: The rows searched for the header of a workbook.
HEADER_ROWS = 10
_SAVE_AS = "save it from Excel as 'CSV UTF-8' or as an .xlsx workbook"


class ListFileError(ValueError):
    """The file cannot be read as a list; the message names the file, the line and what to do."""


@dataclass(frozen=True)
class ListFile:
    """A list's header and non-blank rows, each with its line (CSV) or row (xlsx) number.

    ``where`` is ``line`` or ``row``, the word a message about a record uses; ``how`` says how
    the file was read (``windows-1252 text, ';'-separated``), for the log.
    """

    path: Path
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]
    how: str
    where: str = "line"


def fail(path: Path, line: int | None, reason: str, where: str = "line") -> ListFileError:
    """One format for every problem: file, line (or row), reason."""
    return ListFileError(f"{path}" + (f", {where} {line}" if line is not None else "") + f": {reason}")


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    """(text, encoding name): UTF-8 (BOM or not), UTF-16 with a BOM, else windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ("utf-8-sig",)
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8", "windows-1252")
    error: UnicodeDecodeError | None = None
    for encoding in encodings:
        try:
            name = {"utf-8-sig": "UTF-8 (with BOM)", "utf-8": "UTF-8"}.get(encoding, encoding)
            return data.decode(encoding), name
        except UnicodeDecodeError as exc:
            error = exc
    assert error is not None
    line = data[:error.start].count(b"\n") + 1
    byte = data[error.start:error.start + 1].hex()
    raise fail(path, line, f"byte 0x{byte} is neither UTF-8 nor windows-1252 (the file is not text Excel "
                           f"writes, or it was damaged); {_SAVE_AS}")


def _split(text: str, separator: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))


def _score(header: list[str], expected: tuple[str, ...]) -> tuple[int, int]:
    names = {h.strip().lstrip("\ufeff").casefold() for h in header}
    return sum(1 for c in expected if c.casefold() in names), len(header)


def _pick_separator(first_line: str, expected: tuple[str, ...]) -> str:
    """The separator that splits the header into the most expected columns (then: the most columns)."""
    best, best_score = SEPARATORS[0], (-1, -1)
    for sep in SEPARATORS:
        try:
            header = next(iter(_split(first_line, sep)), [])
        except csv.Error:
            continue
        score = _score(header, expected)
        if score > best_score:
            best, best_score = sep, score
    return best


def _read_text(path: Path, data: bytes, expected: tuple[str, ...]) -> ListFile:
    text, encoding = _decode(path, data)
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    if not first:
        raise fail(path, None, "file is empty: no header row")
    sep = _pick_separator(first, expected)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    rows: list[tuple[int, dict[str, str]]] = []
    header: list[str] | None = None
    try:
        for record in reader:
            line = reader.line_num
            if header is None:
                if not any(cell.strip() for cell in record):
                    continue
                header = [h.strip().lstrip("\ufeff") for h in record]
                continue
            if not any(cell.strip() for cell in record):
                continue  # a blank spreadsheet row carries nothing
            if len(record) > len(header) and any(cell.strip() for cell in record[len(header):]):
                raise fail(path, line, f"{len(record)} fields, header has {len(header)} (a separator "
                                       f"{_name(sep)} inside a value that is not in quotes?)")
            rows.append((line, {h: (record[i] if i < len(record) else "").strip() for i, h in enumerate(header)}))
    except csv.Error as exc:
        raise fail(path, reader.line_num, f"not readable as {_name(sep)}-separated text ({exc}); {_SAVE_AS}") from exc
    how = f"{encoding} text, {_name(sep)}-separated"
    return ListFile(path, header or [], rows, how)


def _name(sep: str) -> str:
    return {"\t": "tab"}.get(sep, repr(sep))


def _cell(value: object) -> str:
    """A workbook cell as the text a person typed: ``301.0`` as ``301``, a date as ``2026-10-01``."""
    from datetime import date, datetime

    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).split())


def _read_workbook(path: Path, expected: tuple[str, ...]) -> ListFile:
    """The sheet named like the file (``utsendelse``), else the first sheet; header in the first rows."""
    from kartlegging.ingest.filetype import sheet_names
    from kartlegging.ingest.ooxml import PackageError, check_package
    from kartlegging.ingest.workbook import WorkbookError, find_header, read_sheet

    # the sheet names from the checked package (calamine is handed only what the checks let through: a
    # damaged workbook must not abort the process, here or while the Snakefile is parsed)
    try:
        names = sheet_names(check_package(path.read_bytes()).parts)
    except (PackageError, OSError) as exc:
        raise fail(path, None, f"unreadable workbook ({exc}); {_SAVE_AS}") from None
    if not names:
        raise fail(path, None, "the workbook has no sheet")
    name = next((n for n in names if n.strip().casefold() == path.stem.casefold()), names[0])
    try:
        sheet = read_sheet(path, name)
    except WorkbookError as exc:
        raise fail(path, None, f"{exc}; {_SAVE_AS}") from None
    header_row, cols, _ = find_header(sheet, {c: c for c in expected}, HEADER_ROWS)
    header_cells = sheet.rows[header_row] if header_row < len(sheet.rows) else []
    header = [_cell(v) for v in header_cells]
    while header and not header[-1]:
        header.pop()
    rows: list[tuple[int, dict[str, str]]] = []
    for r in range(header_row + 1, len(sheet.rows)):
        values: dict[str, str] = {}
        for c, label in enumerate(header):
            bad = sheet.bad_cells.get((r, c))
            if bad and not bad.startswith("formula"):
                raise fail(path, r + 1, f"column {label or c + 1}: {bad.split(' (', 1)[0]} where a value should be; "
                                        "correct the cell in Excel", "row")
            values[label] = _cell(sheet.value(r, c))
        if any(values.values()):
            rows.append((r + 1, values))
    return ListFile(path, header, rows, f"xlsx workbook, sheet {name!r}", "row")


def read_list(path: str | Path, expected: tuple[str, ...]) -> ListFile:
    """Read a list saved from Excel as CSV (any of the encodings and separators above) or ``.xlsx``.

    ``expected`` are the column names the caller looks for: they decide the separator (the one
    that finds most of them in the header) and the header row of a workbook. Whether all are
    there is the caller's check. A missing or empty file, a workbook in another format (``.xls``,
    ``.ods``, password-protected), text in an unknown encoding and a malformed CSV line raise
    :class:`ListFileError` naming the file, the line and what to do.
    """
    from kartlegging.ingest.filetype import XLSX, sniff

    p = Path(path)
    if not p.is_file():
        raise fail(p, None, "file not found")
    data = p.read_bytes()
    if not data.strip():
        raise fail(p, None, "file is empty: no header row")
    kind, description = sniff(data, p.name)
    if kind == XLSX:
        return _read_workbook(p, expected)
    if kind not in ("text", "utf-16"):
        raise fail(p, None, description if "save it" in description else f"{description}; {_SAVE_AS}")
    return _read_text(p, data, expected)
