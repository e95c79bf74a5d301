"""What a file is, from its first bytes and (for zip archives) the names of its parts.

Files get renamed: an old ``.xls`` saved as ``.xlsx``, an ``.ods`` or ``.xlsb``
exported by a colleague, a password-protected workbook (an OLE2 container, not a
zip archive). A reader that only knows its own format then reports a symptom
("part xl/workbook.xml is missing") instead of the cause. :func:`sniff` names the
cause, in words an analyst can act on.

Standard library only and cheap (the first bytes, a zip directory, and for a
workbook the checks of :mod:`kartlegging.ingest.ooxml`): the Snakefile calls
:func:`workbook_problem` while the workflow is parsed, so that an unusable
required workbook stops the run before any job starts. Both functions are
total: whatever the bytes, they return a description, never raise.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Collection, Mapping
from pathlib import Path

from kartlegging.ingest.ooxml import CheckedPackage, PackageError, check_archive, open_archive, read_member

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
PACKAGE_RELS = "_rels/.rels"

XLSX = "xlsx"


def _zip_kind(data: bytes, check: bool = False) -> tuple[str, str, CheckedPackage | None]:
    """(kind, description) of a zip archive by its parts; a damaged archive is ``damaged``. With ``check``,
    an xlsx workbook's parts are checked too, from the same opening of the archive (:func:`sniff_package`)."""
    try:
        zf = open_archive(data)
    except PackageError as exc:
        return (*_damage(exc), None)
    with zf:
        try:
            infos = {i.filename: i for i in zf.infolist()}
            if "mimetype" in infos:
                mime = read_member(zf, infos["mimetype"], 100).decode("ascii", errors="replace").strip()
                if mime == "application/vnd.oasis.opendocument.spreadsheet":
                    return "ods", "an OpenDocument spreadsheet (.ods), not an xlsx workbook: save it as .xlsx", None
                return "zip", f"a zip archive of type {mime[:60]!r}, not an xlsx workbook", None
            if any(n.endswith(".bin") and n.startswith("xl/workbook") for n in infos):
                return "xlsb", "an Excel binary workbook (.xlsb), not an xlsx workbook: save it as .xlsx", None
            rels_info = infos.get(PACKAGE_RELS)
            rels = read_member(zf, rels_info) if rels_info is not None else None
        except PackageError as exc:
            return (*_damage(exc), None)
        if workbook_part(infos, rels) is not None:
            # the package relationships just read are the same part the check would unpack next
            known = {rels_info: rels} if rels_info is not None and rels is not None else None
            return XLSX, "an xlsx workbook", check_archive(zf, known) if check else None
    if "word/document.xml" in infos:
        return "docx", "a Word document (.docx), not an xlsx workbook", None
    return "zip", "a zip archive without a workbook part, not an xlsx workbook", None


def _damage(exc: PackageError) -> tuple[str, str]:
    """What :func:`sniff` says of a zip archive it cannot open or unpack."""
    if exc.kind == "encrypted":
        return "encrypted", f"{exc}: save a copy without a password"
    return "damaged", f"a damaged zip archive: {exc}"


def sniff_package(data: bytes, name: str = "") -> tuple[str, str, CheckedPackage | None]:
    """:func:`sniff`, and for an xlsx workbook also :func:`kartlegging.ingest.ooxml.check_package`, with the
    archive opened and its package relationships unpacked once for both.

    Returns ``(kind, description, package)``: the first two exactly as :func:`sniff` gives them, the
    checked package when ``kind`` is ``xlsx`` (None otherwise). A part that fails the check raises
    :class:`PackageError` exactly as ``check_package`` would, and only when ``kind`` is ``xlsx``, so
    :func:`sniff` followed by ``check_package`` and this function say the same of every file.
    """
    if data.startswith(b"PK") and not name.startswith("~$"):
        return _zip_kind(data, check=True)
    kind, description = sniff(data, name)
    return kind, description, None


def sniff(data: bytes, name: str = "") -> tuple[str, str]:
    """(kind, description) of a file's bytes: ``xlsx``, ``xls``, ``xlsb``, ``ods``, ``encrypted``,
    ``ole2``, ``utf-16``, ``binary``, ``text``, ``zip``, ``damaged`` (a zip archive that cannot be
    opened), ``docx``, ``empty``, ``lock``.

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
        return _zip_kind(data)[:2]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", "not a zip archive but UTF-16 text"
    if b"\x00" in data[:4096]:
        return "binary", "not a zip archive but a binary file of unknown type"
    return "text", "not a zip archive but text"


def _attrs(text: str) -> dict[str, str]:
    return {k: html.unescape(v if v or not w else w) for k, v, w in _ATTR.findall(text)}


def workbook_part(names: Collection[str], rels: bytes | None) -> str | None:
    """The path of the workbook part of an OOXML package with parts ``names``: from the package
    relationships ``rels`` (``_rels/.rels``, officeDocument), else the usual ``xl/workbook.xml``;
    None if neither."""
    if rels is not None:
        for m in _REL_TAG.finditer(rels.decode("utf-8", errors="replace")):
            attrs = _attrs(m.group(1))
            if attrs.get("Type", "").endswith("/officeDocument"):
                target = posixpath.normpath(attrs.get("Target", "").lstrip("/"))
                if target in names and target.endswith(".xml"):
                    return target
    return "xl/workbook.xml" if "xl/workbook.xml" in names else None


def sheet_names(parts: Mapping[str, bytes]) -> list[str]:
    """The sheet names listed in the workbook part of a checked package's XML parts (entities decoded)."""
    part = workbook_part(parts, parts.get(PACKAGE_RELS))
    if part is None:
        return []
    out = []
    for m in _SHEET_TAG.finditer(parts[part].decode("utf-8", errors="replace")):
        n = _NAME_ATTR.search(m.group(1))
        if n:
            out.append(html.unescape(n.group(1) if n.group(1) is not None else n.group(2)))
    return out


def workbook_problem(path: str | Path, sheet: str) -> str | None:
    """Why ``path`` cannot be read as an xlsx workbook with sheet ``sheet``, or None; one line.

    Light enough for the Snakefile's parse-time check: first bytes, the archive unpacked and
    its XML parts checked (:func:`kartlegging.ingest.ooxml.check_package`), the workbook
    part's sheet list; no cell is read. The sheet name matches as in
    :func:`kartlegging.ingest.workbook.read_sheet` (case and surrounding spaces ignored).
    Total: a fault of this check itself is returned as a problem too, never raised, so the
    run stops with one line rather than a traceback while the Snakefile is parsed.
    """
    p = Path(path)
    try:
        return _workbook_problem(p, sheet)
    except Exception as exc:  # the last resort: a fault of the check must still be one line
        return f"{p}: could not be checked (an unexpected fault in the reader, {type(exc).__name__}: report it)"


def _workbook_problem(p: Path, sheet: str) -> str | None:
    try:
        data = p.read_bytes()
    except OSError as exc:
        return f"{p}: cannot be read ({exc.strerror or exc})"
    try:
        kind, description, package = sniff_package(data, p.name)
    except PackageError as exc:
        return f"{p}: {exc}"
    if kind != XLSX or package is None:
        return f"{p}: {description}"
    names = sheet_names(package.parts)
    wanted = sheet.strip().casefold()
    if not any(n.strip().casefold() == wanted for n in names):
        listed = ", ".join(repr(n) for n in names) or "none"
        return f"{p}: no sheet named {sheet!r} (sheets: {listed})"
    return None
