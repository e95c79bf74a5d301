"""An xlsx package checked part by part before the spreadsheet reader sees it.

python-calamine (Rust) reads cells fast but trusts what a file declares: a cell with a value at
``XFD1048576`` beside one at ``A1`` makes it allocate the whole sheet (17 billion cells), a
shared-string table claiming ``uniqueCount="4294967295"`` makes it reserve room for them, and an
allocation that fails in Rust aborts the process. With the steps inside Snakemake's own process
that would end the whole run, with no message. Python's ``zipfile`` and expat, by contrast, fail
with exceptions that can be named. So a workbook is opened here first, with the standard library
only (the Snakefile calls this while the workflow is parsed):

- the zip archive: its directory, and of each part the reader opens its flags (encryption),
  compression method, size and CRC-32, by unpacking it with a size limit;
- every XML part the reader opens (``.xml``, ``.rels``) with expat: well-formed, UTF-8, no document type
  declaration (so no entities to expand); deep nesting is no harm (expat and calamine's
  XML reader keep a stack, they do not recurse);
- what the native reader would be asked to allocate: the area spanned by the cells with content
  of every ``sheetData``, numbered as calamine numbers them (cells and rows without a reference
  included, never below its count), every cell, row, dimension and merge reference within
  Excel's limits, the shared-string count against the strings present, shared-formula indexes.

The reader is then given a new archive holding exactly the XML parts checked, stored
uncompressed (:meth:`CheckedPackage.repacked`): what it reads is what was checked, whatever
the original archive's directory and local headers say. Binary parts (images, printer
settings, macros) and the XML parts the reader never opens (document properties, the
theme, drawings) are neither unpacked nor passed on: no cell lives in them, so damage
there loses nothing and sets nothing aside.

A problem is a :class:`PackageError` whose ``kind`` says which (see :data:`KINDS`) and whose
message says what is wrong in words an analyst can act on.
"""

from __future__ import annotations

import io
import lzma
import re
import struct
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from xml.parsers import expat

#: What a :class:`PackageError` can be about.
KINDS = ("damaged", "encrypted", "compression", "xml", "too_large", "outside")

#: Excel's largest sheet: 1,048,576 rows and 16,384 columns (A to XFD).
EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384
#: The most cells the area of one sheet's values may span (the reader builds the full grid:
#: a survey sheet spans a few thousand; two million cells are about 100 MB in the reader).
MAX_CELLS = 2_000_000
#: A shared-string count above both this and the strings actually present is not believed.
MAX_STRINGS_CLAIM = 100_000
#: The highest shared-formula index accepted (the reader sizes a table by it).
MAX_SHARED_FORMULA = 100_000
#: Parts of an archive, and bytes of one part and of all parts unpacked.
MAX_PARTS = 5_000
MAX_PART_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024

#: Compression methods Python unpacks: stored, deflate, bzip2, LZMA (Excel writes deflate).
_METHODS = {0: "stored", 8: "deflate", 12: "bzip2", 14: "LZMA"}
_METHOD_NAMES = {1: "shrink", 6: "implode", 9: "deflate64", 19: "LZ77", 93: "Zstandard", 95: "XZ",
                 98: "PPMd", 99: "AES encryption"}
_XML_SUFFIXES = (".xml", ".rels")
#: XML parts the reader never opens (document properties, the colour theme, drawings): neither
#: unpacked nor passed on, so that damage there loses no answer.
_NOT_READ = re.compile(r"(?:^|/)(?:docProps|customXml|theme|media|printerSettings|drawings|charts|diagrams|"
                       r"embeddings|activeX|ctrlProps)/", re.IGNORECASE)
_CELL_REF = re.compile(r"([A-Za-z]+)([0-9]+)")
_ROW_REF = re.compile(r"[A-Za-z]*([0-9]+)")
_LEADING_NUMBER = re.compile(r"\s*\+?([0-9]+)")
_UTF8 = {"utf-8", "utf8"}


class PackageError(Exception):
    """A workbook package that cannot be handed to the reader; ``kind`` is one of :data:`KINDS`."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def shown(name: str, limit: int = 80) -> str:
    """A part name as it may appear in a one-line message: printable characters only, shortened."""
    if len(name) <= limit and name.isprintable():
        return name
    text = "".join(ch if ch.isprintable() else "?" for ch in name)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def column_letters(col: int) -> str:
    """Excel's letters of a 0-based column index (0 → ``A``, 16383 → ``XFD``)."""
    letters, n = "", col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# -- the zip archive ---------------------------------------------------------------------------------

def open_archive(data: bytes) -> zipfile.ZipFile:
    """The zip archive of ``data``, or :class:`PackageError` when its directory cannot be read."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        if str(exc) == "File is not a zip file":
            raise PackageError("damaged", "its directory at the end of the file is missing or cut off "
                                          "(a truncated copy?)") from None
        raise PackageError("damaged", "its directory is damaged") from None
    except zipfile.LargeZipFile:
        raise PackageError("too_large", "it declares a ZIP64 archive larger than any workbook") from None
    except NotImplementedError:  # "zip file version 14.8": a version field no zip tool writes
        raise PackageError("damaged", "its directory asks for a zip version no tool writes") from None
    except (OSError, EOFError, ValueError, struct.error, OverflowError, UnicodeDecodeError):
        raise PackageError("damaged", "its directory points outside the file") from None
    if len(zf.infolist()) > MAX_PARTS:
        zf.close()
        raise PackageError("too_large", f"it holds {len(zf.infolist()):,} parts; a workbook has a few dozen")
    return zf


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int = MAX_PART_BYTES) -> bytes:
    """One part unpacked and checked against its CRC-32, at most ``limit`` bytes; or :class:`PackageError`."""
    name = shown(info.filename)
    if info.flag_bits & 0x1:
        raise PackageError("encrypted", f"the workbook is password-protected (part {name} is encrypted)")
    if info.compress_type not in _METHODS:
        method = _METHOD_NAMES.get(info.compress_type, f"method {info.compress_type}")
        raise PackageError("compression", f"part {name} is compressed with {method}, which Excel does not use "
                                          "(and this reader cannot unpack)")
    if info.file_size > limit:
        raise PackageError("too_large", f"part {name} declares {info.file_size:,} bytes unpacked; "
                                        f"at most {limit:,} are read")
    try:
        with zf.open(info) as f:
            data = f.read(limit + 1)
            if len(data) > limit:
                raise PackageError("too_large", f"part {name} unpacks to more than {limit:,} bytes")
            if f.read(1):  # the CRC is checked once the end of the part has been read
                raise PackageError("too_large", f"part {name} unpacks to more than {limit:,} bytes")
    except zipfile.BadZipFile as exc:
        text = str(exc)
        if text.startswith("Bad CRC-32"):
            raise PackageError("damaged", f"part {name} fails its checksum (CRC-32): its bytes are not the "
                                          "ones written (changed or cut off)") from None
        raise PackageError("damaged", f"part {name} is not where the archive's directory says it is") from None
    except RuntimeError:  # "File ... is encrypted, password required for extraction"
        raise PackageError("encrypted", f"the workbook is password-protected (part {name} is encrypted)") from None
    except NotImplementedError:
        raise PackageError("compression", f"part {name} is compressed with a method this reader cannot "
                                          "unpack") from None
    except EOFError:
        raise PackageError("damaged", f"part {name} is cut off: its compressed data ends too early") from None
    except (zlib.error, lzma.LZMAError, OSError):
        raise PackageError("damaged", f"part {name} cannot be unpacked: its compressed data is damaged") from None
    except (ValueError, struct.error, OverflowError, UnicodeDecodeError):
        raise PackageError("damaged", f"part {name} cannot be read: its entry in the archive is damaged") from None
    return data


# -- XML parts -----------------------------------------------------------------------------------------

def _number(digits: str) -> int:
    """A run of digits as a number, capped (Python refuses to convert more than 4,300 digits)."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= 15 else 10**15


def _ref(text: str, part: str) -> tuple[int, int]:
    """0-based (row, column) of a cell reference such as ``B7``; outside Excel's sheet is an error."""
    m = _CELL_REF.fullmatch(text)
    if not m:
        raise PackageError("xml", f"part {part}: {shown(text, 20)!r} is not a cell reference")
    col = 0
    for ch in m.group(1).upper()[:8]:
        col = col * 26 + ord(ch) - 64
    row = _number(m.group(2))
    if not (1 <= row <= EXCEL_ROWS and 1 <= col <= EXCEL_COLUMNS):
        raise PackageError("outside", f"part {part}: cell {shown(text, 20)} lies outside any sheet Excel can hold "
                                      f"(at most column XFD and row {EXCEL_ROWS:,})")
    return row - 1, col - 1


class _Scan:
    """Callbacks for expat over one part: what the native reader would allocate.

    Cell positions follow calamine's own numbering (a ``<row>`` without ``r`` is the one after the
    last, a ``<c>`` without ``r`` the column after the last) but never fall below it: where the two
    could differ (empty elements, elements nested where a worksheet has none) the count here is the
    higher one, so the area checked is at least the area the reader will allocate.
    """

    def __init__(self, part: str) -> None:
        self.part = part
        self.sheet_data = 0
        self.row = 0
        self.col = 0
        self.rows: list[list[bool]] = []  # per open <row>: [inside sheetData, has a child]
        self.cells: list[list] = []  # per open <c>: [row, col, has content, inside sheetData]
        self.max_row = -1
        self.max_col = -1
        self.claimed_strings: int | None = None
        self.strings = 0

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        local = tag.rpartition(":")[2]
        if self.cells:
            self.cells[-1][2] = True  # anything inside a cell is a value to the reader
        if self.rows:
            self.rows[-1][1] = True
        if local == "sheetData":
            self.sheet_data += 1
        elif local == "row":
            if self.sheet_data:
                for value in _local_attrs(attrs, "r"):
                    m = _ROW_REF.fullmatch(value)
                    if not m:
                        raise PackageError("xml", f"part {self.part}: row number {shown(value, 20)!r} is not a number")
                    number = _number(m.group(1))
                    if not 1 <= number <= EXCEL_ROWS:
                        raise PackageError("outside", f"part {self.part}: row {number:,} lies outside any sheet "
                                                      f"Excel can hold (at most {EXCEL_ROWS:,} rows)")
                    self.row = max(self.row, number - 1)
            self.rows.append([bool(self.sheet_data), False])
        elif local == "c":
            refs = [_ref(v, self.part) for v in _local_attrs(attrs, "r")] if self.sheet_data else []
            if refs:
                row, col = max(r for r, _ in refs), max(c for _, c in refs)
                self.col = max(self.col, col)
            else:
                row, col = self.row, self.col
            self.cells.append([row, col, False, bool(self.sheet_data)])
        elif local in ("dimension", "mergeCell"):
            for value in _local_attrs(attrs, "ref"):
                for corner in value.split(":", 1):
                    _ref(corner, self.part)
        elif local == "sst":
            for value in _local_attrs(attrs, "uniqueCount"):
                m = _LEADING_NUMBER.match(value)
                if m:
                    self.claimed_strings = max(self.claimed_strings or 0, _number(m.group(1)))
        elif local == "si":
            self.strings += 1
        elif local == "f":
            for value in _local_attrs(attrs, "si"):
                m = _LEADING_NUMBER.match(value)
                if m and _number(m.group(1)) > MAX_SHARED_FORMULA:
                    raise PackageError("too_large", f"part {self.part}: a shared formula numbered "
                                                    f"{_number(m.group(1)):,}; a sheet has a few hundred at most")

    def end(self, tag: str) -> None:
        local = tag.rpartition(":")[2]
        if local == "sheetData" and self.sheet_data:
            self.sheet_data -= 1
        elif local == "c" and self.cells:
            row, col, content, tracked = self.cells.pop()
            if not tracked:
                return
            if content:
                if row >= EXCEL_ROWS or col >= EXCEL_COLUMNS:
                    raise PackageError("outside", f"part {self.part}: cells without a reference run past "
                                                  "the last row or column any sheet in Excel can hold")
                self.max_row, self.max_col = max(self.max_row, row), max(self.max_col, col)
            self.col += 1
        elif local == "row" and self.rows:
            tracked, had_child = self.rows.pop()
            if tracked:
                if had_child:
                    self.col = 0
                self.row += 1

    def finish(self) -> None:
        """The checks that need the whole part: the area spanned, the shared strings claimed."""
        if self.max_row >= 0:
            area = (self.max_row + 1) * (self.max_col + 1)
            if area > MAX_CELLS:
                corner = f"{column_letters(self.max_col)}{self.max_row + 1}"
                raise PackageError("too_large", f"part {self.part}: the cells with values span A1:{corner}, "
                                                f"{area:,} cells; a sheet read here may span at most "
                                                f"{MAX_CELLS:,} (a stray value far below or right of the table?)")
        claimed = self.claimed_strings
        if claimed is not None and claimed > max(self.strings, MAX_STRINGS_CLAIM):
            raise PackageError("too_large", f"part {self.part}: the shared-string table claims {claimed:,} "
                                            f"strings but holds {self.strings:,}")


def _local_attrs(attrs: dict[str, str], local: str) -> list[str]:
    """The values of every attribute named ``local``, with or without a namespace prefix."""
    return [v for k, v in attrs.items() if k == local or k.rpartition(":")[2] == local]


def _refuse_doctype(*_args: object) -> None:
    raise PackageError("xml", "declares a document type (DTD), which no workbook part has")


#: What the reader allocates by is in these elements; a part without their names needs no scan.
_INTERESTING = (b"sheetData", b"sst", b"dimension", b"mergeCell")
_PREFIX = rb"<(?:[^\s<>/!?:\"'=]+:)?"
#: One pass over the start tags that matter: (local name, the rest of the tag up to its first ``>``).
_START_TAGS = re.compile(_PREFIX + rb"(c|f|dimension|mergeCell|sst|si)(?=[\s/>])([^>]*)")
#: A ``<c>`` start tag without an ``r`` attribute (with any prefix).
_CELL_WITHOUT_R = re.compile(_PREFIX + rb"c(?=[\s/>])(?:(?!(?<![\w.-])r\s*=)[^>])*>")


def _attr(local: bytes) -> re.Pattern[bytes]:
    """Values of attributes named ``local`` (with any prefix) in tags' text; a value holding the other
    quote is cut at it, which only makes it fail :data:`_PLAIN_REFS` (and go to the exact scan)."""
    return re.compile(rb"(?<![\w.-])" + local + rb"\s*=\s*[\"']([^\"']*)")


_R_ATTR, _REF_ATTR, _UNIQUE_ATTR, _SI_ATTR = _attr(b"r"), _attr(b"ref"), _attr(b"uniqueCount"), _attr(b"si")
_PLAIN_REFS = re.compile(rb"(?:[A-Za-z]{1,3}[0-9]{1,7}\x00)*")
_LETTERS = re.compile(rb"[A-Za-z]+")
_DIGITS = re.compile(rb"[0-9]+")


def _max_ref(refs: list[bytes]) -> tuple[int, int] | None:
    """(rows, columns) of the area from A1 to the furthest of ``refs``; None when one is no plain reference."""
    joined = b"\x00".join(r.strip() for r in refs) + b"\x00"
    if not refs:
        return 0, 0
    if not _PLAIN_REFS.fullmatch(joined):
        return None
    rows = max(map(int, _DIGITS.findall(joined)))
    return rows, _column_number(max(_LETTERS.findall(joined), key=lambda t: (len(t), t.upper())).upper())


def _column_number(letters: bytes) -> int:
    """The 1-based column of upper-case column letters (``A`` 1, ``XFD`` 16,384)."""
    col = 0
    for ch in letters:
        col = col * 26 + ch - 64
    return col


def _quick_scan(data: bytes) -> bool:
    """Whether a well-formed part is certainly within every limit, judged from its tags' text alone.

    Meant for what Excel and openpyxl write, where every cell names its position: when every
    ``<c>`` tag has an ``r``, the cells calamine numbers are among these references, so the area
    from A1 to the furthest reference (empty cells and text in comments included, and every ``r``
    in a tag, which only adds) bounds what it allocates. False sends the part to the exact scan,
    which also words the problem.
    """
    tags = _tags(_START_TAGS.findall(data))
    if b"c" in tags:
        if _CELL_WITHOUT_R.search(data):
            return False
        area = _max_ref(_R_ATTR.findall(b" ".join(tags[b"c"])))
        if area is None or not _area_ok(*area):
            return False
    return _other_tags_ok(tags)


def _tags(found: list[tuple[bytes, bytes]]) -> dict[bytes, list[bytes]]:
    """(local name, rest of the tag) pairs grouped by name."""
    tags: dict[bytes, list[bytes]] = {}
    for name, rest in found:
        tags.setdefault(name, []).append(rest)
    return tags


def _area_ok(rows: int, cols: int) -> bool:
    """Whether an area from A1 of ``rows`` by ``cols`` fits a sheet and :data:`MAX_CELLS`."""
    return rows <= EXCEL_ROWS and cols <= EXCEL_COLUMNS and rows * cols <= MAX_CELLS


def _other_tags_ok(tags: dict[bytes, list[bytes]]) -> bool:
    """The checks of :func:`_quick_scan` beyond the cells: shared formulas, dimensions and merges,
    the shared strings claimed."""
    if b"f" in tags:
        si = _SI_ATTR.findall(b" ".join(tags[b"f"]))
        if any(len(v.strip()) > 6 or not v.strip().isdigit() or int(v) > MAX_SHARED_FORMULA for v in si):
            return False
    refs = _REF_ATTR.findall(b" ".join(tags.get(b"dimension", []) + tags.get(b"mergeCell", [])))
    area = _max_ref([c for v in refs for c in v.split(b":", 1)])
    if area is None or area[0] > EXCEL_ROWS or area[1] > EXCEL_COLUMNS:
        return False
    if b"sst" in tags:
        numbers = [_LEADING_NUMBER.match(c.decode("latin-1")) for c in _UNIQUE_ATTR.findall(b" ".join(tags[b"sst"]))]
        claimed = max((_number(m.group(1)) for m in numbers if m), default=0)
        if claimed > max(len(tags.get(b"si", [])), MAX_STRINGS_CLAIM):
            return False
    return True


#: A tag :data:`_START_TAGS` knows, written with a namespace prefix (``<x:c ...>``).
_PREFIXED_TAG = re.compile(rb":(?:c|f|dimension|mergeCell|sst|si)(?=[\s/>])")
#: Every ``<c>`` start tag without a prefix; those written as Excel and openpyxl write them (``r`` first,
#: then only ``s``, ``t``, ``cm``, ``vm`` or ``ph``; no ``r`` in any value) give their reference, others
#: two empty groups.
_PLAIN_CELL = re.compile(rb'<c(?=[\s/>])(?: r="([A-Z]{1,3})([1-9][0-9]{0,6})"(?: (?:s|t|cm|vm|ph)="[^"<>=]*")* ?/?>)?')
#: The other tags of :data:`_START_TAGS`, without a prefix.
_PLAIN_TAGS = re.compile(rb"<(f|dimension|mergeCell|sst|si)(?=[\s/>])([^>]*)")


def _plain_scan(data: bytes) -> bool:
    """A faster road to :func:`_quick_scan`'s True for a part as Excel and openpyxl write it.

    True only where :func:`_quick_scan` says True too; False says nothing (the caller asks
    :func:`_quick_scan`). Why it implies it: with no prefixed tag of interest (:data:`_PREFIXED_TAG`),
    the cell tags :func:`_quick_scan` sees are among the ``<c`` tags found here; when each of those
    is whole and plain (:data:`_PLAIN_CELL`: ``r`` first, nothing after it that :data:`_R_ATTR`
    could read as another ``r``, no ``<``, ``>`` or ``=`` in a value), none lacks an ``r``, the
    references it reads are among the ones read here (so its area is at most this one), and no
    other tag can start inside them, so its lists of the other tags are the ones found here.
    """
    if _PREFIXED_TAG.search(data):
        return False
    cells = _PLAIN_CELL.findall(data)
    if cells:
        letters, digits = zip(*cells)
        columns = set(letters)
        if b"" in columns:
            return False
        if not _area_ok(max(map(int, set(digits))), _column_number(max(columns, key=lambda t: (len(t), t)))):
            return False
    return _other_tags_ok(_tags(_PLAIN_TAGS.findall(data)))


def _parser(part: str) -> expat.XMLParserType:
    """An expat parser that refuses a document type declaration and any encoding but UTF-8."""
    parser = expat.ParserCreate()

    def declaration(_version: str | None, encoding: str | None, _standalone: int) -> None:
        if encoding is not None and encoding.strip().lower() not in _UTF8:
            raise PackageError("xml", f"part {part} declares the encoding {shown(encoding, 20)!r}; "
                                      "workbook parts are UTF-8")

    parser.XmlDeclHandler = declaration
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    return parser


def _parse(part: str, parser: expat.XMLParserType, data: bytes) -> None:
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        where = f"line {exc.lineno}, column {exc.offset + 1}"
        raise PackageError("xml", f"part {part} is not well-formed XML "
                                  f"({expat.errors.messages[exc.code]} at {where})") from None
    except PackageError as exc:
        message = str(exc)
        raise PackageError(exc.kind, message if message.startswith("part ") else f"part {part} {message}") from None


def check_xml(name: str, data: bytes) -> None:
    """Check one XML part (see the module docstring), or raise :class:`PackageError`.

    Every part is parsed by expat (in C, no callback per element). A part that can hold what the
    reader allocates by (``sheetData``, ``sst``, dimensions, merges) is then judged by
    :func:`_plain_scan` or else :func:`_quick_scan`, and only when neither can vouch for it scanned element by element
    (:class:`_Scan`), which numbers cells exactly as the reader does.
    """
    part = shown(name)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise PackageError("xml", f"part {part} is not UTF-8 XML (it holds NUL bytes, as UTF-16 text does)")
    _parse(part, _parser(part), data)
    if not any(t in data for t in _INTERESTING) or _plain_scan(data) or _quick_scan(data):
        return
    scan = _Scan(part)
    parser = _parser(part)
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    _parse(part, parser, data)
    scan.finish()


# -- the whole package ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class CheckedPackage:
    """The XML parts of a checked workbook by name, in archive order."""

    parts: Mapping[str, bytes]

    def repacked(self) -> bytes:
        """A new archive with exactly the checked parts, stored: the bytes the native reader is given."""
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as out:
            for name, data in self.parts.items():
                out.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)
        return buf.getvalue()


def check_package(data: bytes) -> CheckedPackage:
    """Every part of a workbook's archive unpacked and checked; :class:`PackageError` on the first problem."""
    try:
        zf = open_archive(data)
    except PackageError as exc:
        raise PackageError(exc.kind, f"a damaged zip archive: {exc}" if exc.kind == "damaged" else str(exc)) from None
    with zf:
        return check_archive(zf)


def check_archive(zf: zipfile.ZipFile, unpacked: Mapping[zipfile.ZipInfo, bytes] | None = None) -> CheckedPackage:
    """:func:`check_package` on an archive already opened with :func:`open_archive`.

    ``unpacked`` holds parts of this archive already unpacked by :func:`read_member` with its
    default limit (by the very :class:`zipfile.ZipInfo` of ``zf.infolist()``): their bytes are
    taken as they are rather than unpacked a second time, and checked like every other part.
    """
    infos = zf.infolist()
    names = [i.filename for i in infos]
    if "" in names:
        raise PackageError("damaged", "the archive holds a part without a name")
    if len(set(names)) != len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise PackageError("damaged", f"the archive holds two parts named {shown(twice)}")
    unpacked = unpacked or {}
    parts: dict[str, bytes] = {}
    total = 0
    for info in infos:
        if not info.filename.lower().endswith(_XML_SUFFIXES) or _NOT_READ.search(info.filename):
            continue  # no cell lives there and the reader never opens it: its damage loses nothing
        member = unpacked.get(info)
        if member is None:
            member = read_member(zf, info)
        total += len(member)
        if total > MAX_TOTAL_BYTES:
            raise PackageError("too_large", f"its parts unpack to more than {MAX_TOTAL_BYTES:,} bytes")
        check_xml(info.filename, member)
        parts[info.filename] = member
    return CheckedPackage(parts)
