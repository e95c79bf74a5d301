"""What a file is, from its first bytes and (for zip archives) the names of its parts.

Files get renamed: an old ``.xls`` saved as ``.xlsx``, an ``.ods`` or ``.xlsb``
exported by a colleague, a password-protected workbook (an OLE2 container, not a
zip archive). A reader that only knows its own format then reports a symptom
("part xl/workbook.xml is missing") instead of the cause. :func:`sniff` names the
cause, in words an analyst can act on.

Standard library only and cheap (the first bytes and a zip directory): the
Snakefile calls :func:`workbook_problem` while the workflow is parsed, so that an
unusable required workbook stops the run before any job starts.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from pathlib import Path

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: OLE2 directory entries are UTF-16LE names; an encrypted OOXML package is an OLE2
#: container holding the streams ``EncryptionInfo`` and ``EncryptedPackage``.
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_XLS_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))
_SHEET_TAG = re.compile(r"<(?:\w+:)?sheet\b([^>]*?)/?>")
_NAME_ATTR = re.compile(r"""\bname\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REL_TAG = re.compile(r"<(?:\w+:)?Relationship\b([^>]*?)/?>")
#: XML allows either quote around an attribute value (calamine reads both).
_ATTR = re.compile(r"""([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")

XLSX = "xlsx"


def _zip_kind(zf: zipfile.ZipFile) -> tuple[str, str]:
    """(kind, description) of a zip archive by its parts."""
    names = set(zf.namelist())
    if "mimetype" in names:
        mime = zf.read("mimetype")[:100].decode("ascii", errors="replace").strip()
        if mime == "application/vnd.oasis.opendocument.spreadsheet":
            return "ods", "an OpenDocument spreadsheet (.ods), not an xlsx workbook: save it as .xlsx"
        return "zip", f"a zip archive of type {mime!r}, not an xlsx workbook"
    if any(n.endswith(".bin") and n.startswith("xl/workbook") for n in names):
        return "xlsb", "an Excel binary workbook (.xlsb), not an xlsx workbook: save it as .xlsx"
    if workbook_part(zf) is not None:
        return XLSX, "an xlsx workbook"
    if "word/document.xml" in names:
        return "docx", "a Word document (.docx), not an xlsx workbook"
    return "zip", "a zip archive without a workbook part, not an xlsx workbook"


def sniff(data: bytes, name: str = "") -> tuple[str, str]:
    """(kind, description) of a file's bytes: ``xlsx``, ``xls``, ``xlsb``, ``ods``, ``encrypted``,
    ``ole2``, ``utf-16``, ``binary``, ``text``, ``zip``, ``docx``, ``empty``, ``lock``.

    The description says what the file is when it is not what was expected, so a quarantine
    or stop message names the cause (an ``.xls`` renamed, a password) rather than a symptom.
    """
    if not data:
        return "empty", "the file is empty"
    if name.startswith("~$"):
        return "lock", "not a zip archive (an Excel lock file?): remove it"
    if data.startswith(OLE2_MAGIC):
        if _ENCRYPTED_STREAM in data:
            return "encrypted", "a password-protected (encrypted) workbook: save a copy without a password"
        if any(s in data for s in _XLS_STREAMS):
            return "xls", "an Excel 97-2003 workbook (.xls), not an xlsx workbook: save it as .xlsx"
        return "ole2", "an OLE2 compound file (an old Office format), not an xlsx workbook"
    if data.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                return _zip_kind(zf)
        except zipfile.BadZipFile:
            return "zip", "a damaged zip archive (truncated or corrupt), not a readable workbook"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", "not a zip archive but UTF-16 text"
    if b"\x00" in data[:4096]:
        return "binary", "not a zip archive but a binary file of unknown type"
    return "text", "not a zip archive but text"


def workbook_part(zf: zipfile.ZipFile) -> str | None:
    """The path of the workbook part of an OOXML package: from the package relationships
    (``_rels/.rels``, officeDocument), else the usual ``xl/workbook.xml``; None if neither."""
    names = set(zf.namelist())
    if "_rels/.rels" in names:
        rels = zf.read("_rels/.rels").decode("utf-8", errors="replace")
        for m in _REL_TAG.finditer(rels):
            attrs = {k: v or w for k, v, w in _ATTR.findall(m.group(1))}
            if attrs.get("Type", "").endswith("/officeDocument"):
                target = posixpath.normpath(attrs.get("Target", "").lstrip("/"))
                if target in names and target.endswith(".xml"):
                    return target
    return "xl/workbook.xml" if "xl/workbook.xml" in names else None


def sheet_names(zf: zipfile.ZipFile) -> list[str]:
    """The sheet names listed in an OOXML workbook part (XML entities decoded)."""
    import html

    part = workbook_part(zf)
    if part is None:
        return []
    text = zf.read(part).decode("utf-8", errors="replace")
    out = []
    for m in _SHEET_TAG.finditer(text):
        n = _NAME_ATTR.search(m.group(1))
        if n:
            out.append(html.unescape(n.group(1) if n.group(1) is not None else n.group(2)))
    return out


def workbook_problem(path: str | Path, sheet: str) -> str | None:
    """Why ``path`` cannot be read as an xlsx workbook with sheet ``sheet``, or None.

    Light enough for the Snakefile's parse-time check: first bytes and the workbook
    part's sheet list, no cell is read. The sheet name matches as in
    :func:`kartlegging.ingest.workbook.read_sheet` (case and surrounding spaces ignored).
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        return f"{p}: cannot be read ({exc.strerror or exc})"
    kind, description = sniff(data, p.name)
    if kind != XLSX:
        return f"{p}: {description}"
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = sheet_names(zf)
    wanted = sheet.strip().casefold()
    if not any(n.strip().casefold() == wanted for n in names):
        listed = ", ".join(repr(n) for n in names) or "none"
        return f"{p}: no sheet named {sheet!r} (sheets: {listed})"
    return None
