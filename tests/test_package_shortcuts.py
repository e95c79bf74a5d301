"""The shortcuts of the workbook package check: each says exactly what the longer road says.

The check of :mod:`kartlegging.ingest.ooxml` is what keeps a hostile workbook from aborting the
process in the native reader, so a faster road through it must never let through what the slower
one stops, nor stop what it lets through (the quarantine reasons would change). Pinned here:

- :func:`ooxml._plain_scan` (sheets as Excel and openpyxl write them) says True only where
  :func:`ooxml._quick_scan` says True, and the demo workbooks do take it;
- :func:`filetype.sniff_package` (the archive opened once for the sniff and the check) gives what
  :func:`filetype.sniff` followed by :func:`ooxml.check_package` gives, error for error;
- :func:`ooxml.check_archive` checks the parts it is handed as unpacked, as it checks the others;
- :func:`workbook._maybe_bad` finds what the single regex it replaced found.
"""

from __future__ import annotations

import io
import random
import re
import zipfile

import corpus as C
import pytest
from fuzz import base_files, make_case
from fuzz_mutations import GENERIC, _members, _sheet_edit, _zip

from kartlegging.ingest import ooxml
from kartlegging.ingest.filetype import PACKAGE_RELS, XLSX, sniff, sniff_package
from kartlegging.ingest.ooxml import PackageError, check_archive, check_package, open_archive
from kartlegging.ingest.workbook import _maybe_bad

SHEET1 = C.SHEET1


def _demo_packages() -> list[tuple[str, dict[str, bytes]]]:
    files = base_files("intervju") + base_files("telefon")
    return [(f.name, dict(check_package(f.read_bytes()).parts)) for f in files] + [
        ("corpus", dict(check_package(C.interview()).parts))]


def _interesting(parts: dict[str, bytes]) -> list[tuple[str, bytes]]:
    return [(n, b) for n, b in parts.items() if any(t in b for t in ooxml._INTERESTING)]


def _sheet() -> bytes:
    with zipfile.ZipFile(io.BytesIO(C.interview())) as zf:
        return zf.read(SHEET1)


def test_the_demo_workbooks_take_the_plain_road():
    seen = 0
    for name, parts in _demo_packages():
        for part, data in _interesting(parts):
            assert (ooxml._plain_scan(data), ooxml._quick_scan(data)) == (True, True), (name, part)
            seen += 1
    assert seen >= 50


#: (id, edit of the corpus sheet, what _quick_scan says): cells _plain_scan leaves to it.
NOT_PLAIN = [
    ("cell-without-r", lambda x: x.replace(b'<c r="A1" ', b"<c ", 1), False),
    ("prefixed-cell", lambda x: x.replace(b'<c r="A1" ', b'<x:c r="A1" ', 1).replace(b"</c>", b"</x:c>", 1), True),
    ("r-inside-a-value", lambda x: x.replace(b'<c r="A1" ', b'<c r="A1" foo=\'r="XFD1048576"\' ', 1), False),
    ("prefixed-second-r", lambda x: x.replace(b'<c r="A1" ', b'<c r="A1" x:r="XFD1048576" ', 1), False),
    ("far-cell", lambda x: x.replace(b'<c r="A1" ', b'<c r="XFD1048576" ', 1), False),
    ("outside", lambda x: x.replace(b'<c r="A1" ', b'<c r="XFE1" ', 1), False),
    ("leading-zero", lambda x: x.replace(b'<c r="A1" ', b'<c r="A01" ', 1), True),
    ("lower-case", lambda x: x.replace(b'<c r="A1" ', b'<c r="a1" ', 1), True),
    ("r-not-first", lambda x: x.replace(b'<c r="A1" t=', b'<c t="inlineStr" r="A1" x=', 1), True),
    # a cell the quick scan does not see as one (inside the text of a comment, after an <f): it may
    # pass where this road refuses, so both roads are asked in turn
    ("comment", lambda x: x.replace(b"<sheetData>", b'<sheetData><!-- <f <c r="XFD1048576" s="1"> -->', 1), True),
    ("shared-formula", lambda x: x.replace(b"</row>", b'<c r="Z1"><f t="shared" si="4294967295" ref="Z1:Z2">1</f>'
                                                      b"<v>1</v></c></row>", 1), False),
    ("merge-outside", lambda x: x.replace(b"</sheetData>", b'</sheetData><mergeCells count="1">'
                                                           b'<mergeCell ref="A1:XFD1048577"/></mergeCells>', 1), False),
]


@pytest.mark.parametrize("edit, quick", [c[1:] for c in NOT_PLAIN], ids=[c[0] for c in NOT_PLAIN])
def test_cells_not_written_plainly_are_left_to_the_quick_scan(edit, quick):
    xml = edit(_sheet())
    assert xml != _sheet()
    assert (ooxml._plain_scan(xml), ooxml._quick_scan(xml)) == (False, quick)


def test_plain_shared_formulas_and_merges_within_limits_pass():
    xml = _sheet().replace(b"</row>", b'<c r="Z1"><f t="shared" si="12" ref="Z1:Z2">1</f><v>1</v></c></row>', 1)
    xml = xml.replace(b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="A1:B2"/></mergeCells>')
    assert (ooxml._plain_scan(xml), ooxml._quick_scan(xml)) == (True, True)


def test_the_plain_road_never_passes_what_the_quick_scan_refuses():
    """Damaged sheets as the fuzzing damages them: wherever _plain_scan says True, so does _quick_scan."""
    sheets = [data for _, parts in _demo_packages() for _, data in _interesting(parts)]
    plain = refused = 0
    for seed in range(600):
        rng = random.Random(f"plain/{seed}")
        xml = rng.choice(sheets)
        for _ in range(rng.choice((1, 1, 2, 3))):
            xml = _sheet_edit(rng, xml) if rng.random() < 0.8 else rng.choice(GENERIC)(rng, xml)
        if ooxml._plain_scan(xml):
            plain += 1
            assert ooxml._quick_scan(xml), seed
        elif not ooxml._quick_scan(xml):
            refused += 1
    assert plain > 100 and refused > 50  # both sides of the question were asked


def _old_way(data: bytes, name: str) -> tuple:
    kind, description = sniff(data, name)
    if kind != XLSX:
        return kind, description, None
    try:
        return kind, description, sorted(check_package(data).parts.items())
    except PackageError as exc:
        return kind, description, ("error", exc.kind, str(exc))


def _new_way(data: bytes, name: str) -> tuple:
    try:
        kind, description, package = sniff_package(data, name)
    except PackageError as exc:
        kind, description = sniff(data, name)
        return kind, description, ("error", exc.kind, str(exc))
    return kind, description, None if package is None else sorted(package.parts.items())


def test_sniff_package_says_what_sniff_and_check_package_say():
    cases = [(f"{reader}/{seed}", make_case(reader, seed).data) for reader in ("intervju", "telefon")
             for seed in range(150)]
    cases += [("empty", b""), ("ole2", C.ole2_file("Workbook")), ("text", b"Nr;Svar\n"),
              ("duplicate-rels", _zip([(n, b) for n, b in _members(C.interview())]
                                      + [(PACKAGE_RELS, b"<Relationships/>")])),
              ("encrypted-rels", C.tamper(C.interview(), PACKAGE_RELS, flags=0x1)),
              ("ods", C.zip_of({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}))]
    kinds = set()
    for label, data in cases:
        for name in ("intervju.xlsx", "~$intervju.xlsx"):
            new = _new_way(data, name)
            assert new == _old_way(data, name), label
            kinds.add((new[0], isinstance(new[2], tuple)))
    # read, refused by the check, and refused by the sniff: every road was taken
    assert {(XLSX, False), (XLSX, True), ("damaged", False), ("lock", False)} <= kinds


def test_check_archive_checks_the_parts_it_is_handed_unpacked():
    data = C.interview()
    with open_archive(data) as zf:
        rels = next(i for i in zf.infolist() if i.filename == PACKAGE_RELS)
        assert check_archive(zf, {rels: b"<Relationships/>"}).parts[PACKAGE_RELS] == b"<Relationships/>"
        with pytest.raises(PackageError) as err:
            check_archive(zf, {rels: b"<Relationships>"})
    assert err.value.kind == "xml" and f"part {PACKAGE_RELS} is not well-formed XML" in str(err.value)


_OLD_MAYBE_BAD = re.compile(rb'<(?:\w+:)?f[\s>/]|\bt="e"')


@pytest.mark.parametrize("xml", [
    b"<c><f>1+1</f></c>", b"<x:f>1</x:f>", b"<f/>", b'<f t="shared"/>', b'<c t="e"><v>#REF!</v></c>',
    b'<c at="e">', b"<fo>", b"<c><v>f</v></c>", b"x:f", b":f>", b"<1:f ", b"", b'<c t="e"', b'\xc3t="e"',
])
def test_maybe_bad_finds_what_the_single_regex_found(xml):
    assert _maybe_bad(xml) == bool(_OLD_MAYBE_BAD.search(xml))


def test_maybe_bad_on_the_demo_sheets():
    for _, parts in _demo_packages():
        for data in parts.values():
            assert _maybe_bad(data) == bool(_OLD_MAYBE_BAD.search(data))
