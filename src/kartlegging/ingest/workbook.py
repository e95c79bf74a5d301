"""Reading .xlsx sheets fast with python-calamine, with clear errors.

The Excel sources (interviews, the phone log) and the conservation count read
one named sheet of a workbook as a grid of cells (:func:`read_sheet`) and locate
its header row by label (:func:`find_header`). ``python_calamine`` reads the
cells, for speed; a scan of the sheet XML adds the two things calamine hides,
formulas and error values (``#REF!`` arrives from calamine as an empty string,
indistinguishable from no answer).

calamine is native code that aborts the process when an allocation fails, so it
never sees a file as it arrived: :func:`kartlegging.ingest.ooxml.check_package`
unpacks and checks every part first (damage, passwords, XML, and the sizes
calamine would allocate) and calamine reads the checked parts only. A workbook
that cannot be read at all raises :class:`WorkbookError`, whose message says why
in words an analyst can act on and whose ``kind`` says which problem it is.
"""

from __future__ import annotations

import html
import io
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook

from kartlegging.core import coding
from kartlegging.ingest.filetype import PACKAGE_RELS, XLSX, sniff_package, workbook_part
from kartlegging.ingest.ooxml import PackageError

#: What a :class:`WorkbookError` is about: the kinds of :mod:`kartlegging.ingest.ooxml`, and
#: ``unreadable`` (no file, no such sheet, the reader failed), ``not_xlsx`` (another format).
WORKBOOK_ERROR_KINDS = ("unreadable", "not_xlsx", "damaged", "encrypted", "compression", "xml", "too_large",
                        "outside")


class WorkbookError(Exception):
    """A workbook that cannot be read at all; the message is the quarantine reason, ``kind`` one of
    :data:`WORKBOOK_ERROR_KINDS`."""

    def __init__(self, message: str, kind: str = "unreadable") -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class SheetData:
    """The cells of one sheet as a grid, plus the cells whose value must not be trusted.

    ``rows[i][j]`` is Excel row ``i + 1``, column ``j + 1`` (leading empty rows
    and columns included), so row numbers in issues match what an analyst sees.
    ``bad_cells`` maps ``(row index, column index)`` to a description
    (``error value #REF!``, ``formula =SUM(C3:C5)``): such a cell holds no typed
    answer even if calamine returns a cached value for it.
    """

    name: str
    rows: list[list[object]]
    bad_cells: dict[tuple[int, int], str] = field(default_factory=dict)

    def value(self, row: int, col: int) -> object:
        """The cell at 0-based ``(row, col)``; None outside the used range."""
        if row < len(self.rows) and col < len(self.rows[row]):
            return self.rows[row][col]
        return None


#: XML allows either quote around an attribute value (calamine reads both).
_ATTR = re.compile(r"""([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_SHEET_TAG = re.compile(r"<(?:\w+:)?sheet\b([^>]*?)/?>")
_REL_TAG = re.compile(r"<(?:\w+:)?Relationship\b([^>]*?)/?>")
#: A formula tag or an error-value cell: what :func:`_bad_cells` looks for, tried one at a time behind a
#: search for the bytes each needs (``f`` after ``<`` or a prefix's ``:``; ``t="e"``), which is far cheaper.
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_ERROR_TYPE = re.compile(rb'\bt="e"')
_CELL_OR_ROW = re.compile(
    r"<(?:\w+:)?row\b([^>]*)>|<(?:\w+:)?c\b([^>]*?)/>|<(?:\w+:)?c\b([^>]*)>(.*?)</(?:\w+:)?c>",
    re.DOTALL,
)
_FORMULA = re.compile(r"<(?:\w+:)?f\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?f>)", re.DOTALL)
_VALUE = re.compile(r"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.DOTALL)
_CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
#: A row number as Excel writes it (``str.isdigit`` would let ``²`` through to ``int``, which refuses it).
_ROW_NUMBER = re.compile(r"[0-9]{1,7}")


def _attrs(text: str) -> dict[str, str]:
    """The attributes of one XML tag, entities decoded; a regex is enough for the parts read here."""
    return {k: html.unescape(v if v or not w else w) for k, v, w in _ATTR.findall(text)}


def _col_index(letters: str) -> int:
    """0-based column index of a cell reference's letters (``A`` → 0, ``AA`` → 26), to match calamine's grid."""
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _sheet_parts(parts: Mapping[str, bytes]) -> list[tuple[str, str]] | None:
    """(sheet name, path of its XML part) in workbook order, from the workbook part and its rels;
    None when the package has no workbook relationships to follow (calamine may still read it)."""
    book = workbook_part(parts, parts.get(PACKAGE_RELS))
    if book is None:
        return None
    folder, base = posixpath.split(book)
    rels_part = posixpath.join(folder, "_rels", base + ".rels")
    if rels_part not in parts:
        return None
    workbook = parts[book].decode("utf-8", errors="replace")
    rels = parts[rels_part].decode("utf-8", errors="replace")
    targets = {}
    for m in _REL_TAG.finditer(rels):
        a = _attrs(m.group(1))
        if "Id" in a and "Target" in a:
            target = a["Target"]
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            targets[a["Id"]] = path
    out = []
    for m in _SHEET_TAG.finditer(workbook):
        a = _attrs(m.group(1))
        rid = next((v for k, v in a.items() if k.endswith(":id")), None)
        if "name" in a and rid in targets:
            out.append((a["name"], targets[rid]))
    return out


def _maybe_bad(xml: bytes) -> bool:
    """Whether a sheet's XML may hold a formula or an error value (``<f>``, ``t="e"``)."""
    return bool((b't="e"' in xml and _ERROR_TYPE.search(xml))
                or ((b"<f" in xml or b":f" in xml) and _FORMULA_TAG.search(xml)))


def _bad_cells(xml: bytes) -> dict[tuple[int, int], str]:
    """Cells holding a formula or an error value, by 0-based (row, col).

    The cheap byte tests (:func:`_maybe_bad`) keep the common case (no formulas, no errors)
    at a few searches; only sheets that have either are walked cell by cell.
    """
    if not _maybe_bad(xml):
        return {}
    text = xml.decode("utf-8", errors="replace")
    out: dict[tuple[int, int], str] = {}
    row, col = -1, -1
    for m in _CELL_OR_ROW.finditer(text):
        if m.group(1) is not None:
            a = _attrs(m.group(1))
            row = int(a["r"]) - 1 if _ROW_NUMBER.fullmatch(a.get("r", "")) else row + 1
            col = -1
            continue
        a = _attrs(m.group(2) if m.group(2) is not None else m.group(3))
        ref = _CELL_REF.fullmatch(a.get("r", ""))
        if ref:
            row, col = int(ref.group(2)) - 1, _col_index(ref.group(1))
        else:
            col += 1
        body = m.group(4) or ""
        f = _FORMULA.search(body)
        if f:
            formula = html.unescape(f.group(2) or "").strip()
            out[(row, col)] = f"formula ={formula}" if formula else "formula (shared or array)"
        elif a.get("t") == "e":
            v = _VALUE.search(body)
            out[(row, col)] = f"error value {html.unescape(v.group(1)) if v else '#?'}"
    return out


def _pick(parts: list[tuple[str, str]], sheet: str) -> tuple[str, str] | None:
    """The sheet by exact name, else case and surrounding spaces ignored."""
    wanted = sheet.strip().casefold()
    return next((p for p in parts if p[0] == sheet), None) or next(
        (p for p in parts if p[0].strip().casefold() == wanted), None)


def read_sheet(path: Path, sheet: str) -> SheetData:
    """Read one sheet of an xlsx workbook, or raise :class:`WorkbookError` saying why not.

    The sheet is found by name, case and surrounding spaces ignored
    (``intervju `` is the sheet ``Intervju``). A file that is not a zip
    archive, not an xlsx (no ``xl/workbook.xml``), damaged, password-protected,
    with sizes no survey sheet has (:mod:`kartlegging.ingest.ooxml`) or without
    the sheet is unreadable as a whole, which the caller quarantines.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise WorkbookError(f"cannot read file: {exc.strerror or exc}") from None
    try:
        kind, description, package = sniff_package(data, path.name)
    except PackageError as exc:
        raise WorkbookError(str(exc), exc.kind) from None
    if kind != XLSX or package is None:
        if kind in ("encrypted", "damaged"):
            raise WorkbookError(description, kind)
        raise WorkbookError(f"not an xlsx workbook: {description}", "not_xlsx")
    parts = _sheet_parts(package.parts)
    xml = b""
    if parts is not None:
        match = _pick(parts, sheet)
        if match is None:
            names = ", ".join(repr(n) for n, _ in parts) or "none"
            raise WorkbookError(f"no sheet named {sheet!r} (sheets: {names})")
        name, part = match
        if part not in package.parts:
            raise WorkbookError(f"sheet {name!r} is listed but its part {part} is missing")
        xml = package.parts[part]
    rows = _calamine_rows(package.repacked(), sheet, None if parts is None else name)
    return SheetData(rows[0], rows[1], _bad_cells(xml) if xml else {})


def _calamine_rows(data: bytes, sheet: str, name: str | None) -> tuple[str, list[list[object]]]:
    """(sheet name, grid of cells) as calamine reads them from a checked package.

    A Rust panic reaches Python as ``pyo3_runtime.PanicException``, which derives from
    BaseException (not Exception): it is turned into a :class:`WorkbookError` here, like the
    reader's own errors, so that one workbook cannot stop a round.
    """
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if name is None:
            # A minimal package without workbook relationships: calamine decides what the sheets are;
            # without the sheet XML no formula or error value can be flagged.
            match = _pick([(n, "") for n in workbook.sheet_names], sheet)
            if match is None:
                names = ", ".join(repr(n) for n in workbook.sheet_names) or "none"
                raise WorkbookError(f"no sheet named {sheet!r} (sheets: {names})")
            name = match[0]
        return name, workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except CalamineError as exc:
        raise WorkbookError(f"the spreadsheet reader cannot read it: {_one_line(str(exc))}") from None
    except BaseException as exc:
        if type(exc).__name__ != "PanicException":
            raise
        raise WorkbookError(f"the spreadsheet reader failed on it: {_one_line(str(exc))}") from None


def _one_line(text: str, limit: int = 200) -> str:
    """A reader's message as one line, shortened: it becomes a quarantine reason or a stop line."""
    out = " ".join(text.split())
    return out if len(out) <= limit else out[: limit - 1] + "…"


def cell_ref(row: int, col: int) -> str:
    """``cell E34`` for 0-based ``(row, col)``: where an analyst finds a value in Excel."""
    letters = ""
    n = col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return f"cell {letters}{row + 1}"


def find_header(sheet: SheetData, wanted: dict[str, str], search_rows: int) -> tuple[int, dict[str, int], list[str]]:
    """Locate a header row: ``(row index, {key: column index}, missing labels)``.

    ``wanted`` maps keys to labels as the contract spells them; cells match
    case- and space-insensitively (:func:`coding.normalise_header`). The row in
    the first ``search_rows`` holding the most wanted labels wins (the first such
    row on a tie); labels it lacks are returned so the caller can name them.
    """
    targets = {coding.normalise_header(label): key for key, label in wanted.items()}
    best: tuple[int, dict[str, int]] = (0, {})
    for r, row in enumerate(sheet.rows[:search_rows]):
        found: dict[str, int] = {}
        for c, value in enumerate(row):
            key = targets.get(coding.normalise_header(value)) if isinstance(value, str) else None
            if key is not None and key not in found:
                found[key] = c
        if len(found) > len(best[1]):
            best = (r, found)
            if len(found) == len(wanted):
                break
    missing = [label for key, label in wanted.items() if key not in best[1]]
    return best[0], best[1], missing
