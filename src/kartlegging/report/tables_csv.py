"""Every numbered table of the report as a CSV file beside the HTML, read back from the HTML itself.

Why from the HTML: the CSV then holds exactly what the reader sees in the table it is linked from
(same rows, same order, same labels), and the report still counts nothing. A table is written
when it carries ``data-csv="<name>"``; the template links ``tabeller/<name>.csv`` under it.

The files are for a spreadsheet in Norwegian settings: semicolon-separated, UTF-8 with a byte-order
mark (so Excel reads æ, ø and å), numbers as the report prints them but without the thin spaces of
digit grouping. Only what the report already shows reaches them (counts, kommune and service names,
labels), never personal data. Same HTML, same bytes.

Layout rules a table can ask for with attributes:

- ``data-csv-id="<header>"``: rows with ``data-id`` get that id as a first column (appendix A gives
  each figure's key here, out of the reader's way in the report);
- rows with class ``detail`` (a definition under a row) are joined onto the row above as one more
  column, headed by the table's ``data-csv-detail``;
- a cell spanning rows (``rowspan``) is repeated on each row it spans, so every row stands alone.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from kartlegging.report.typst_pdf import Node, parse_html

_WS = re.compile(r"\s+")
_DIGIT_GROUP = re.compile(r"(?<=\d)[\u00a0\u202f ](?=\d{3}(?!\d))")
_NAME = re.compile(r"[a-z0-9][a-z0-9.-]*")
# Parts of a cell that are not its value: footnote markers and screen-reader or screen-only extras.
_SKIP_CLASSES = frozenset({"fn-ref", "visually-hidden", "screen-only"})


def _text(node: Node | str) -> str:
    if isinstance(node, str):
        return node
    if node.classes & _SKIP_CLASSES or node.tag in ("sup", "script", "style"):
        return ""
    sep = " " if node.tag in ("br", "div", "p", "li") else ""
    return sep + "".join(_text(c) for c in node.children) + sep


def cell_text(node: Node) -> str:
    """A cell's text as the reader sees it, whitespace collapsed, digit groups closed up (``16 000`` -> ``16000``)."""
    return _DIGIT_GROUP.sub("", _WS.sub(" ", _text(node)).strip())


def _walk(node: Node) -> list[Node]:
    out: list[Node] = []
    for child in node.elements():
        out.append(child)
        out.extend(_walk(child))
    return out


def _rows(table: Node, tag: str) -> list[Node]:
    rows: list[Node] = []
    for child in table.elements():
        if child.tag == tag:
            rows.extend(child.elements("tr"))
        elif child.tag == "tr" and tag == "tbody":
            rows.append(child)
    return rows


def _expand(rows: list[Node]) -> list[tuple[Node, list[str]]]:
    """Each row with its cells' texts, a cell spanning rows repeated in every row it spans."""
    pending: dict[int, tuple[str, int]] = {}
    out: list[tuple[Node, list[str]]] = []
    for row in rows:
        cells: list[str] = []
        given = iter(row.elements("td", "th"))
        col = 0
        while True:
            if col in pending:
                text, left = pending[col]
                cells.append(text)
                if left <= 1:
                    del pending[col]
                else:
                    pending[col] = (text, left - 1)
                col += 1
                continue
            cell = next(given, None)
            if cell is None:
                break
            text = cell_text(cell)
            span = cell.attrs.get("rowspan", "1")
            if span.isdigit() and int(span) > 1:
                pending[col] = (text, int(span) - 1)
            width = cell.attrs.get("colspan", "1")
            for _ in range(int(width) if width.isdigit() and int(width) > 0 else 1):
                cells.append(text)
                col += 1
        out.append((row, cells))
    return out


def table_rows(table: Node) -> list[list[str]]:
    """The table as CSV rows: the header (its last head row), then body and foot rows."""
    id_header = table.attrs.get("data-csv-id", "")
    detail_header = table.attrs.get("data-csv-detail", "")
    head = _expand(_rows(table, "thead"))
    header = head[-1][1] if head else []
    body: list[list[str]] = []
    for row, cells in _expand(_rows(table, "tbody") + _rows(table, "tfoot")):
        if "detail" in row.classes and body:
            # its own cells only: a cell spanning into it from the row above is that row's already
            body[-1].append(" ".join(cell_text(c) for c in row.elements("td", "th")))
            continue
        body.append(([row.attrs.get("data-id", "")] if id_header else []) + cells)
    if id_header:
        header = [id_header, *header]
    if detail_header:
        header = [*header, detail_header]
        width = len(header)
        body = [r + [""] * (width - len(r)) for r in body]
    return ([header] if header else []) + body


def tables_of(html: str) -> dict[str, list[list[str]]]:
    """The report's tables that ask for a CSV (``data-csv``), by name, in document order."""
    found: dict[str, list[list[str]]] = {}
    for node in _walk(parse_html(html)):
        if node.tag != "table" or "data-csv" not in node.attrs:
            continue
        name = node.attrs["data-csv"]
        if not _NAME.fullmatch(name):
            raise ValueError(f"table name {name!r} is not a safe file name")
        if name in found:
            raise ValueError(f"two tables are named {name!r}")
        found[name] = table_rows(node)
    return found


def to_csv(rows: list[list[str]]) -> bytes:
    """Semicolon-separated UTF-8 with a byte-order mark, one line per row (``\\r\\n``, as spreadsheets write)."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_table_csvs(html: str, folder: str | Path) -> list[Path]:
    """Write each table of the HTML that asks for it as ``<folder>/<name>.csv``; returns the paths written.

    The folder is emptied of earlier CSV files first, so a table the report no longer has does not linger.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.csv"):
        old.unlink()
    written = []
    for name, rows in tables_of(html).items():
        path = out / f"{name}.csv"
        path.write_bytes(to_csv(rows))
        written.append(path)
    return written
