"""The mutations of the fuzz harness (``tests/fuzz.py``): each takes a seeded random generator and a
file's bytes and returns damaged bytes. Generic ones for every reader, and ones that know the formats:
e-mail headers and MIME, the zip archive and XML of a workbook, JSON-stat, CSV. A mutation never
raises on bytes an earlier one damaged (the harness reports it as a harness fault if it does)."""

from __future__ import annotations

import base64
import io
import json
import random
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable

Mutator = Callable[[random.Random, bytes], bytes]
TOKENS = (b"\x00", b"\xff", b"\x80", b"\r", b"\n", b"\r\n", b'"', b"'", b"<", b">", b"=", b";", b",", b"\t",
          b"{", b"}", b"[", b"]", b":", b"\\", b"&", b"&#0;", b"\xc3", b"\xef\xbb\xbf", b"--", b"=?", b"?=")


def bit_flips(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return data
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(out))
        out[i] ^= 1 << rng.randrange(8)
    return bytes(out)


def set_bytes(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return data
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(out))
        out[i] = rng.choice((0, 0xFF, 0x7F, 0x80, 0x20, 0x30, 0x39, 0x3C, 0x22))
    return bytes(out)


def insert(rng: random.Random, data: bytes) -> bytes:
    i = rng.randint(0, len(data))
    chunk = rng.choice(TOKENS) if rng.random() < 0.6 else rng.randbytes(rng.randint(1, 64))
    return data[:i] + chunk * rng.choice((1, 1, 2, 10, 1000)) + data[i:]


def delete(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return data
    i = rng.randrange(len(data))
    return data[:i] + data[i + rng.randint(1, 64):]


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randint(0, len(data))]


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True) or [data]


def duplicate_line(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    i = rng.randrange(len(lines))
    lines[i:i] = [lines[i]] * rng.choice((1, 1, 3, 100))
    return b"".join(lines)


def delete_lines(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    i = rng.randrange(len(lines))
    del lines[i:i + rng.choice((1, 1, 2, 10))]
    return b"".join(lines)


def swap_lines(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return b"".join(lines)


def repeat_chunk(rng: random.Random, data: bytes) -> bytes:
    """A piece repeated many times: a file grown past what anyone types, for slow paths."""
    if not data:
        return data
    i = rng.randrange(len(data))
    chunk = data[i:i + rng.randint(1, 200)]
    return data[:i] + chunk * rng.choice((10, 100, 2000)) + data[i:]


GENERIC: tuple[Mutator, ...] = (bit_flips, set_bytes, insert, delete, truncate, duplicate_line, delete_lines,
                                swap_lines, repeat_chunk)

# -- e-mail --------------------------------------------------------------------------------------------

CHARSETS = ("utf-8", "iso-8859-1", "windows-1252", "us-ascii", "utf-16", "utf-32", "utf-7", "quopri", "bz2",
            "rot13", "undefined", "base64", "hex", "zlib", "idna", "punycode", "unicode_escape", "x-unknown",
            "", "\"\"", "utf-8\x00", "x" * 300, "ut\xff8",
            "unknown-8bit", "cp65001", "mbcs", "utf-8-sig", "iso-2022-jp", "big5", "koi8-r")
ENCODINGS = ("7bit", "8bit", "binary", "base64", "quoted-printable", "x-uuencode", "uuencode", "x-uue", "bogus",
             "", "base64 base64", "QUOTED-PRINTABLE", "Base64")
_CHARSET = re.compile(rb"charset\s*=\s*\"?[^\";\s]*\"?", re.I)
_CTE = re.compile(rb"(content-transfer-encoding\s*:[ \t]*)([^\r\n]*)", re.I)


def email_charset(rng: random.Random, data: bytes) -> bytes:
    new = rng.choice(CHARSETS).encode("latin-1")
    hits = list(_CHARSET.finditer(data))
    if not hits:
        return data.replace(b"\n\n", b"\nContent-Type: text/plain; charset=" + new + b"\n\n", 1)
    m = rng.choice(hits)
    return data[:m.start()] + b"charset=\"" + new + b"\"" + data[m.end():]


def email_encoding(rng: random.Random, data: bytes) -> bytes:
    new = rng.choice(ENCODINGS).encode()
    hits = list(_CTE.finditer(data))
    if not hits:
        return data.replace(b"\n\n", b"\nContent-Transfer-Encoding: " + new + b"\n\n", 1)
    m = rng.choice(hits)
    return data[:m.start(2)] + new + data[m.end(2):]


def email_base64(rng: random.Random, data: bytes) -> bytes:
    """A body turned into base64, then broken: bad characters, lost padding, cut short."""
    head, sep, body = data.partition(b"\n\n")
    if not sep:
        head, sep, body = data.partition(b"\r\n\r\n")
    encoded = base64.encodebytes(body)
    kind = rng.randrange(4)
    if kind == 0:
        i = rng.randrange(len(encoded) or 1)
        encoded = encoded[:i] + rng.choice((b"!", b"*", b"=", b"\x00", b"====", b"\xff")) + encoded[i:]
    elif kind == 1:
        encoded = encoded.rstrip().rstrip(b"=")
    elif kind == 2:
        encoded = encoded[: rng.randint(0, len(encoded))]
    else:
        encoded = encoded.replace(b"\n", b"")[: rng.randint(1, 77)] + b"@@@"
    head = _CTE.sub(b"", head)
    return head + b"\nContent-Transfer-Encoding: base64" + (sep or b"\n\n") + encoded


def email_nesting(rng: random.Random, data: bytes) -> bytes:
    """The message wrapped in many levels of multipart or message/rfc822."""
    depth = rng.choice((5, 50, 150, 500, 1000, 3000))
    if rng.random() < 0.5:
        for _ in range(depth):
            data = b"From: a@b.no\nSubject: x\nContent-Type: message/rfc822\n\n" + data
        return data
    head = b"From: a@b.no\nSubject: x\nContent-Type: multipart/mixed; boundary=b0\n\n"
    opening = b"".join(b"--b%d\nContent-Type: multipart/mixed; boundary=b%d\n\n" % (i - 1, i)
                       for i in range(1, depth))
    closing = b"".join(b"--b%d--\n" % i for i in range(depth - 1, -1, -1))
    return head + opening + b"--b%d\n" % (depth - 1) + data + b"\n" + closing


def email_headers(rng: random.Random, data: bytes) -> bytes:
    """Headers no mail client writes: encoded words in odd charsets, RFC 2231 names, huge or many lines."""
    extra = rng.choice((
        b"Subject: =?rot13?Q?Ja?= =?undefined?B?SmE=?= =?utf-8?B?!!!?=\n",
        b"From: =?bz2?B?QlpoOTFBWSZTWQ==?= <a@b.no>\n",
        b"Content-Disposition: attachment; filename*=undefined''svar.docx\n",
        b"Content-Disposition: attachment; filename*=x-bogus'no'%FF%FE\n",
        b"Subject: " + b"a" * 100_000 + b"\n",
        b"X-Many: 1\n" * 10_000,
        b"Date: Mon, 99 Foo 99999 99:99:99 +9999\n",
        b"Content-Type: multipart/mixed\n",
        b"Content-Type: text/plain; charset*=utf-8''%FF\n",
    ))
    return extra + data


EMAIL: tuple[Mutator, ...] = (email_charset, email_encoding, email_base64, email_nesting, email_headers)

# -- workbooks -----------------------------------------------------------------------------------------


def _members(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(i.filename, zf.read(i)) for i in zf.infolist()]


def _zip(members: Iterable[tuple[str, bytes]]) -> bytes:
    import warnings

    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        warnings.simplefilter("ignore")  # "Duplicate name": a member written twice is one of the damages
        for name, content in members:
            zf.writestr(zipfile.ZipInfo(name, date_time=(2015, 1, 1, 0, 0, 0)), content,
                        compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


XML_EDITS: tuple[tuple[bytes, tuple[bytes, ...]], ...] = (
    (rb'(?<=\br=")[A-Z]+[0-9]+(?=")', (b"XFD1048576", b"XFE1", b"A1048577", b"A0", b"AAAA1", b"A99999999999",
                                       b"", b"$A$1", b"xfd1048576", b"A" + b"9" * 5000, b"B2:C3")),
    (rb'(?<=<row r=")[0-9]+(?=")', (b"1048576", b"1048577", b"0", b"4294967296", b"-1", b"A5", b"9" * 50)),
    (rb'(?<=<dimension ref=")[^"]*(?=")', (b"A1:XFD1048576", b"A1:XFE1", b"A0", b"ZZZZZZ9", b"")),
    (rb"(?<=<v>)[^<]*(?=</v>)", (b"1e400", b"-1e400", b"nan", b"inf", b"1e308", b"9e15", b"0x10", b"",
                                 b"4294967295", b"-0", b"1" * 400, b"99999999999999999999")),
    (rb'(?<=\bt=")[a-zA-Z]+(?=")', (b"s", b"e", b"b", b"d", b"str", b"n", b"inlineStr", b"x")),
    (rb'(?<=\bs=")[0-9]+(?=")', (b"4294967295", b"99999", b"-1")),
)


def _sheet_edit(rng: random.Random, xml: bytes) -> bytes:
    kind = rng.randrange(9)
    if kind < len(XML_EDITS):
        pattern, values = XML_EDITS[kind]
        hits = list(re.finditer(pattern, xml))
        if not hits:
            return xml
        chosen = rng.sample(hits, min(len(hits), rng.choice((1, 1, 3))))
        for m in sorted(chosen, key=lambda m: -m.start()):
            xml = xml[:m.start()] + rng.choice(values) + xml[m.end():]
        return xml
    if kind == 6:  # nesting
        depth = rng.choice((50, 200, 5000))
        i = xml.find(b"<sheetData>")
        i = i + len(b"<sheetData>") if i >= 0 else rng.randrange(len(xml) or 1)
        return xml[:i] + b"<a>" * depth + b"</a>" * depth + xml[i:]
    if kind == 7:  # cells without references, many of them, far down
        xml = re.sub(rb'\s\br="[A-Z]+[0-9]+"', b"", xml)
        if rng.random() < 0.5:
            xml = xml.replace(b"</sheetData>", b"<row r=\"1048576\">" + b"<c><v>1</v></c>" * rng.choice((2, 20000))
                              + b"</row></sheetData>")
        return xml
    return rng.choice((
        lambda x: b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>' + x,
        lambda x: x.replace(b"<?xml version=\"1.0\"", b"<?xml version=\"1.0\" encoding=\"UTF-16\"", 1)
        if x.startswith(b"<?xml") else b'<?xml version="1.0" encoding="ISO-8859-1"?>' + x,
        lambda x: x.replace(b"</row>", b'<c r="A1"><f t="shared" si="4294967295" ref="A1:B2">1</f><v>1</v></c>'
                                       b"</row>", 1),
        lambda x: x.replace(b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="A1:XFD1048577"/>'
                                             b"</mergeCells>", 1),
        lambda x: x.replace(b"<sheetData>", b"<sheetData><row><c><v>1</v></c></row>" * 3, 1),
        lambda x: x.decode("utf-8", "replace").encode("utf-16"),
    ))(xml)


SST = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/'
       b'spreadsheetml/2006/main" count="%s" uniqueCount="%s"><si><t>Nr</t></si></sst>')


def zip_xml(rng: random.Random, data: bytes) -> bytes:
    """An XML member changed (references, counts, numbers, types, nesting, DTD, encoding) and the archive rebuilt."""
    try:
        members = _members(data)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, RuntimeError, NotImplementedError, zlib.error):
        return bit_flips(rng, data)
    if rng.random() < 0.2:  # a shared-string table with a count it does not hold
        count = rng.choice((b"4294967295", b"18446744073709551615", b"-1", b"1000000000", b"1e9", b" 99999999"))
        members = [m for m in members if m[0] != "xl/sharedStrings.xml"] + [
            ("xl/sharedStrings.xml", SST % (count, count))]
        return _zip(members)
    if not members:
        return insert(rng, data)
    xml = [i for i, (n, _) in enumerate(members) if n.endswith((".xml", ".rels"))]
    sheets = [i for i in xml if "worksheets/" in members[i][0]]
    i = rng.choice(sheets) if sheets and rng.random() < 0.75 else rng.choice(xml or [0])
    name, content = members[i]
    new = _sheet_edit(rng, content) if rng.random() < 0.85 else rng.choice(GENERIC)(rng, content)
    members[i] = (name, new)
    return _zip(members)


def zip_members(rng: random.Random, data: bytes) -> bytes:
    """A member deleted, duplicated or renamed."""
    try:
        members = _members(data)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, RuntimeError, NotImplementedError, zlib.error):
        return truncate(rng, data)
    if not members:
        return insert(rng, data)
    i = rng.randrange(len(members))
    kind = rng.randrange(3)
    if kind == 0:
        del members[i]
    elif kind == 1:
        members.insert(rng.randint(0, len(members)), (members[i][0], rng.choice((b"", b"<x/>", members[i][1][:50]))))
    else:
        members[i] = (rng.choice(("XL/WORKBOOK.XML", "xl/../xl/workbook.xml", "/xl/worksheets/sheet1.xml",
                                  "xl\\worksheets\\sheet1.xml", "\x00", "a" * 300)), members[i][1])
    return _zip(members)


def _headers(data: bytes) -> tuple[list[int], list[int]]:
    """Offsets of the local headers and of the central directory entries."""
    local = [m.start() for m in re.finditer(rb"PK\x03\x04", data)]
    central = [m.start() for m in re.finditer(rb"PK\x01\x02", data)]
    return local, central


def _get(buf: bytearray, at: int, width: int) -> int | None:
    """A little-endian field of ``width`` bytes, or None past the end (the signature found may be a stray one)."""
    return int.from_bytes(buf[at:at + width], "little") if 0 <= at and at + width <= len(buf) else None


def _put(buf: bytearray, at: int, width: int, value: int) -> None:
    if 0 <= at and at + width <= len(buf):
        buf[at:at + width] = (value % (1 << (8 * width))).to_bytes(width, "little")


def zip_fields(rng: random.Random, data: bytes) -> bytes:
    """A field of a local header or directory entry altered: CRC, flags, method, sizes, name length; or the
    end-of-directory record; or the compressed bytes of a member."""
    local, central = _headers(data)
    out = bytearray(data)
    kind = rng.randrange(6)
    if kind == 0:  # bytes inside a member's compressed data
        if not local:
            return bit_flips(rng, data)
        start = rng.choice(local)
        name_len, extra_len, size = _get(out, start + 26, 2), _get(out, start + 28, 2), _get(out, start + 18, 4)
        if name_len is None or extra_len is None or not size:
            return bit_flips(rng, data)
        first = start + 30 + name_len + extra_len
        for _ in range(rng.randint(1, 4)):
            j = first + rng.randrange(size)
            if j < len(out):
                out[j] ^= 1 << rng.randrange(8)
        return bytes(out)
    if kind == 5:  # the end-of-central-directory record
        end = data.rfind(b"PK\x05\x06")
        field = rng.choice((8, 10, 12, 16))
        width = 2 if field < 12 else 4
        if end >= 0:
            _put(out, end + field, width, rng.choice((0, 1, (1 << (8 * width)) - 1, rng.randrange(1 << (8 * width)))))
        return bytes(out)
    places = [(o, "local") for o in local] + [(o, "central") for o in central]
    if not places:
        return bit_flips(rng, data)
    offset, where = rng.choice(places)
    fields = {  # (offset within the header, width): local / central
        1: ((14, 4), (16, 4)),  # CRC-32
        2: ((6, 2), (8, 2)),  # flags
        3: ((8, 2), (10, 2)),  # compression method
        4: (rng.choice(((18, 4), (22, 4), (26, 2))), rng.choice(((20, 4), (24, 4), (28, 2), (42, 4)))),  # sizes
    }[kind]
    at, width = fields[0] if where == "local" else fields[1]
    if kind == 2:
        value = (_get(out, offset + at, 2) or 0) | rng.choice((0x1, 0x8, 0x800, 0x40, 0xFFFF))
    elif kind == 3:
        value = rng.choice((1, 6, 9, 12, 14, 93, 98, 99, 0, 0xFFFF))
    else:
        value = rng.choice((0, 1, 0x7FFFFFFF, 0xFFFFFFFF, rng.randrange(1 << 32))) if width == 4 else \
            rng.choice((0, 1, 0xFFFF, rng.randrange(1 << 16)))
    _put(out, offset + at, width, value)
    return bytes(out)


WORKBOOK: tuple[Mutator, ...] = (zip_xml, zip_xml, zip_xml, zip_members, zip_fields, zip_fields)

# -- JSON-stat -----------------------------------------------------------------------------------------

NUMBERS = (b"1e400", b"-1e400", b"1e999", b"1e-400", b"NaN", b"Infinity", b"-Infinity", b"1" * 40,
           b"9" * 5000, b"18446744073709551616", b"-1", b"0", b"1.5", b"true", b"null", b'"3"', b"[]", b"{}")


def json_nesting(rng: random.Random, data: bytes) -> bytes:
    """A value of the dataset, or the whole of it, nested in thousands of arrays or objects."""
    depth = rng.choice((40, 100, 1000, 5000, 100_000))
    opening, closing = (b"[" * depth, b"]" * depth) if rng.random() < 0.5 else (b'{"a":' * depth, b"}" * depth)
    try:
        ds = json.loads(data)
    except (ValueError, RecursionError):
        ds = None
    paths = [p for p in _paths(ds) if p] if ds is not None else []
    if not paths or rng.random() < 0.3:
        return opening + data + closing
    path = rng.choice(paths)
    parent = ds
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = "__NEST__"
    return json.dumps(ds).encode("utf-8").replace(b'"__NEST__"', opening + b"1" + closing, 1)


def json_numbers(rng: random.Random, data: bytes) -> bytes:
    hits = list(re.finditer(rb"(?<=[\[,:\s])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?=[\],}\s])", data))
    if not hits:
        return data
    for m in sorted(rng.sample(hits, min(len(hits), rng.choice((1, 1, 5)))), key=lambda m: -m.start()):
        data = data[:m.start()] + rng.choice(NUMBERS) + data[m.end():]
    return data


def _paths(node: object, path: tuple = ()) -> list[tuple]:
    out = [path]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node[:20]):
            out += _paths(v, (*path, i))
    return out


def json_structure(rng: random.Random, data: bytes) -> bytes:
    """A field of the dataset replaced by one of the wrong kind, deleted, or given odd keys."""
    try:
        ds = json.loads(data)
    except (ValueError, RecursionError):
        return bit_flips(rng, data)
    paths = [p for p in _paths(ds) if p]
    if not paths:
        return data
    path = rng.choice(paths)
    parent = ds
    for key in path[:-1]:
        parent = parent[key]
    replacement = rng.choice(([], {}, "x", None, 7, True, -1, 1e308, [[1]], {"0": 1, "-1": 2, "1e3": 3, "x": 4},
                              {"99999999999999999999": 1}, ["a"] * 3, 2**63))
    if isinstance(parent, dict) and rng.random() < 0.3:
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement
    return json.dumps(ds, ensure_ascii=rng.random() < 0.5).encode("utf-8")


JSONSTAT: tuple[Mutator, ...] = (json_nesting, json_numbers, json_structure, json_structure)

# -- CSV (KOSTRA and the dispatch list) ----------------------------------------------------------------


def csv_fields(rng: random.Random, data: bytes) -> bytes:
    """Delimiters, quotes, numbers and encodings changed."""
    kind = rng.randrange(6)
    if kind == 0:
        a, b = rng.sample((b";", b",", b"\t", b"|"), 2)
        return data.replace(a, b)
    if kind == 1:
        i = rng.randint(0, len(data))
        return data[:i] + b'"' + (b"x" * rng.choice((1, 200_000))) + data[i:]
    if kind == 2:
        return json_numbers(rng, data.replace(b";", b"; ").replace(b"\n", b" \n"))
    if kind == 3:
        text = data.decode("utf-8", "replace")
        return text.encode(rng.choice(("utf-16", "utf-16-le", "cp1252", "utf-8-sig", "utf-32")), "replace")
    if kind == 4:
        return data.replace(b"\n", rng.choice((b"\r", b"\r\n", b"\n\n", b"\x85", "\u2028".encode())))
    return data.replace(b";", b";" * rng.choice((2, 100)), rng.choice((1, 10)))


CSV: tuple[Mutator, ...] = (csv_fields, csv_fields)

MUTATORS: dict[str, tuple[Mutator, ...]] = {
    "epost": GENERIC + EMAIL + EMAIL,
    "intervju": GENERIC + WORKBOOK + WORKBOOK,
    "telefon": GENERIC + WORKBOOK + WORKBOOK,
    "kostra_csv": GENERIC + CSV,
    "kostra_json": GENERIC + JSONSTAT + JSONSTAT,
    "utsendelse": GENERIC + CSV,
}
