"""Damaged files, failure mode by failure mode: each becomes a reason in words from the catalogue, one
damaged file is set aside by itself, a required file stops the run with one line, and nothing reaches
the native spreadsheet reader that would make it abort the process.

The mutation fuzzing of ``tests/fuzz.py`` finds what no one thought of; these tests pin the failure
modes issue 23 named, with the words an analyst reads.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import corpus as C
import pytest
from fuzz import RAW_EXCEPTION

from kartlegging.core import coding
from kartlegging.core.reasons import CATALOGUE, INTERNAL_FAULTS, LAST_RESORT, message_nb
from kartlegging.ingest.filetype import workbook_problem
from kartlegging.ingest.interviews import WORKBOOK_CODES, ingest_interviews
from kartlegging.ingest.ooxml import MAX_CELLS
from kartlegging.ingest.phone import PhoneLogError, ingest_phone
from kartlegging.ingest.workbook import WorkbookError, read_sheet

SHEET1 = C.SHEET1


@pytest.fixture(scope="module")
def cls():
    from kartlegging.core import classification as klass

    return klass.load(C.REFERENCE, "2015")


def _interview(**answers) -> bytes:
    return C.interview(answers or None)


def _far(xml: bytes, ref: bytes = b"XFD1048576") -> bytes:
    """The sheet with the reference of its first cell with a value (A4, the item code T01) moved to ``ref``."""
    return xml.replace(b'r="A4"', b'r="' + ref + b'"', 1)


SST = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
       b'main" count="1" uniqueCount="4294967295"><si><t>Nr</t></si></sst>')


def _with_huge_string_count(data: bytes) -> bytes:
    parts = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            parts[name] = zf.read(name)
    parts["xl/sharedStrings.xml"] = SST
    return C.zip_of(parts)


def _deflate(data: bytes, part: str) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(part)
    return info.header_offset + 30 + len(part.encode()) + len(info.extra)


def _broken_stream(data: bytes, part: str) -> bytes:
    """The compressed bytes of a part overwritten: deflate reports an invalid stream."""
    at = _deflate(data, part)
    return data[:at] + b"\xff" * 8 + data[at + 8:]


#: (id, the workbook's bytes, WorkbookError kind, words the reason holds)
WORKBOOK_DAMAGE = [
    ("zip-password", lambda: C.tamper(_interview(), SHEET1, flags=0x1), "encrypted", "password-protected"),
    ("bad-crc", lambda: C.tamper(_interview(), SHEET1, crc=0), "damaged",
     f"part {SHEET1} fails its checksum (CRC-32)"),
    ("deflate", lambda: _broken_stream(_interview(), SHEET1), "damaged",
     f"part {SHEET1} cannot be unpacked: its compressed data is damaged"),
    ("cut-member", lambda: C.tamper(_interview(), SHEET1, compressed_size=40), "damaged",
     f"part {SHEET1} fails its checksum (CRC-32): its bytes are not the ones written (changed or cut off)"),
    ("deflate64", lambda: C.tamper(_interview(), SHEET1, method=9), "compression",
     "compressed with deflate64, which Excel does not use"),
    ("aes", lambda: C.tamper(_interview(), SHEET1, method=99), "compression", "AES encryption"),
    ("truncated", lambda: _interview()[:-200], "damaged", "its directory at the end of the file is missing or cut off"),
    ("zip-version", lambda: C.tamper(_interview(), SHEET1, version=148), "damaged",
     "its directory asks for a zip version no tool writes"),
    ("xml", lambda: C.edit_part(_interview(), SHEET1, lambda x: x.replace(b"</row>", b"</rov>", 1)), "xml",
     f"part {SHEET1} is not well-formed XML (mismatched tag at line"),
    ("dtd", lambda: C.edit_part(_interview(), SHEET1, lambda x: b'<!DOCTYPE x [<!ENTITY a "b">]>' + x), "xml",
     "declares a document type (DTD)"),
    ("utf16", lambda: C.edit_part(_interview(), SHEET1, lambda x: x.decode().encode("utf-16")), "xml",
     "is not UTF-8 XML"),
    ("far-cell", lambda: C.edit_part(_interview(), SHEET1, _far), "too_large",
     f"the cells with values span A1:XFD1048576, 17,179,869,184 cells; a sheet read here may span at most "
     f"{MAX_CELLS:,}"),
    ("outside", lambda: C.edit_part(_interview(), SHEET1, lambda x: _far(x, b"XFE1")), "outside",
     "cell XFE1 lies outside any sheet Excel can hold"),
    ("row-outside", lambda: C.edit_part(_interview(), SHEET1, lambda x: _far(x, b"A1048577")), "outside",
     "cell A1048577 lies outside any sheet Excel can hold"),
    ("implicit-outside", lambda: C.edit_part(_interview(), SHEET1, lambda x: x.replace(
        b"</sheetData>", b'<row r="1048576"><c><v>1</v></c></row><row><c><v>2</v></c></row></sheetData>')),
     "outside", "cells without a reference run past the last row or column"),
    ("string-count", lambda: _with_huge_string_count(_interview()), "too_large",
     "the shared-string table claims 4,294,967,295 strings but holds 1"),
    ("shared-formula", lambda: C.edit_part(_interview(), SHEET1, lambda x: x.replace(
        b"</row>", b'<c r="Z1"><f t="shared" si="4294967295" ref="Z1:Z2">1</f><v>1</v></c></row>', 1)),
     "too_large", "a shared formula numbered 4,294,967,295"),
]


@pytest.mark.parametrize("make, kind, words", [c[1:] for c in WORKBOOK_DAMAGE], ids=[c[0] for c in WORKBOOK_DAMAGE])
def test_a_damaged_workbook_is_named_for_its_damage(tmp_path, cls, make, kind, words):
    path = tmp_path / "20141208 LMS Bodø.xlsx"
    path.write_bytes(make())
    with pytest.raises(WorkbookError) as err:
        read_sheet(path, "Intervju")
    assert (err.value.kind, words in str(err.value)) == (kind, True), str(err.value)
    assert not RAW_EXCEPTION.search(str(err.value)) and "\n" not in str(err.value)
    problem = workbook_problem(path, "Intervju")  # the Snakefile's check says the same, in one line
    assert problem is not None and problem.startswith(f"{path}: ") and words in problem and "\n" not in problem
    result = ingest_interviews(tmp_path, cls, "2015", [])
    (issue,) = result.issues
    assert (issue.action, issue.code, issue.file) == ("quarantine", WORKBOOK_CODES[kind], path.name)
    assert words in issue.reason and message_nb(issue.code) != CATALOGUE["intervju.arbeidsbok_uleselig"].nb


def test_the_far_cell_and_the_string_count_abort_the_native_reader_but_not_the_pipeline(tmp_path):
    """Why the checks exist: python-calamine, handed these bytes directly, aborts the whole process
    (a failed allocation in Rust). Read through the pipeline they are a WorkbookError."""
    for name, make in (("far", lambda: C.edit_part(_interview(), SHEET1, _far)),
                       ("strings", lambda: _with_huge_string_count(_interview()))):
        path = tmp_path / f"{name}.xlsx"
        path.write_bytes(make())
        code = (f"from python_calamine import CalamineWorkbook as W\n"
                f"W.from_path({str(path)!r}).get_sheet_by_name('Intervju').to_python(skip_empty_area=False)")
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                              env={"RUST_BACKTRACE": "0", "PATH": "/usr/bin:/bin"})
        assert proc.returncode < 0 and "memory allocation" in proc.stderr, (name, proc.returncode, proc.stderr[-300:])
        with pytest.raises(WorkbookError):
            read_sheet(path, "Intervju")


def test_what_excel_writes_far_away_without_a_value_is_still_read(tmp_path):
    """A cell formatted but left empty at XFD1048576 (Excel keeps its style) allocates nothing: read."""
    path = tmp_path / "a.xlsx"
    path.write_bytes(C.edit_part(_interview(), SHEET1, lambda x: x.replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" s="0"/></row></sheetData>')))
    sheet = read_sheet(path, "Intervju")
    assert sheet.rows[3][0] == "T01" and len(sheet.rows) == 3 + len(C.INTERVIEW_BASE)


def test_deep_xml_nesting_is_no_harm(tmp_path):
    """expat and calamine's XML reader both keep a stack, not recursion: elements nested deeply in a sheet
    are read past like any other unknown element."""
    path = tmp_path / "a.xlsx"
    path.write_bytes(C.edit_part(_interview(), SHEET1, lambda x: x.replace(
        b"<sheetData>", b"<sheetData>" + b"<a>" * 20_000 + b"</a>" * 20_000, 1)))
    assert read_sheet(path, "Intervju").rows[3][0] == "T01"


def test_a_row_number_that_is_no_number_is_no_crash(tmp_path):
    """``²`` passes ``str.isdigit`` but not ``int``: the formula scan must not take it for a row number."""
    from kartlegging.ingest.workbook import _bad_cells

    assert _bad_cells(b'<row r="\xc2\xb2"><c r="A1"><f>1+1</f><v>2</v></c></row>') == {(0, 0): "formula =1+1"}
    path = tmp_path / "a.xlsx"
    path.write_bytes(C.edit_part(_interview(T10="=2+3"), SHEET1,
                                 lambda x: x.replace(b'<row r="4"', b'<row r="\xc2\xb2"')))
    with pytest.raises(WorkbookError, match="the spreadsheet reader cannot read it"):
        read_sheet(path, "Intervju")


def test_cells_without_references_are_numbered_as_calamine_numbers_them(tmp_path):
    """The exact scan (cells without ``r``) reads the same grid as the references give."""
    import re

    path = tmp_path / "a.xlsx"
    path.write_bytes(C.edit_part(_interview(), SHEET1, lambda x: re.sub(rb' r="[A-Z]+\d+"', b"", x)))
    plain = tmp_path / "b.xlsx"
    plain.write_bytes(_interview())
    assert read_sheet(path, "Intervju").rows == read_sheet(plain, "Intervju").rows


def test_one_damaged_interview_is_set_aside_and_the_others_are_read(tmp_path, cls, monkeypatch):
    (tmp_path / "a-bodø.xlsx").write_bytes(_interview())
    (tmp_path / "b-skadet.xlsx").write_bytes(C.tamper(_interview(T02="Fauske"), SHEET1, crc=0))
    (tmp_path / "c-stavanger.xlsx").write_bytes(_interview(T02="Stavanger"))
    result = ingest_interviews(tmp_path, cls, "2015", [])
    assert sorted(result.interviews["file"]) == ["a-bodø.xlsx", "c-stavanger.xlsx"]
    assert [(i.file, i.code) for i in result.issues if i.action == "quarantine"] == [
        ("b-skadet.xlsx", "intervju.arkiv_skadet")]
    # a fault of the reader itself on one workbook: that workbook is set aside, the others are read
    import kartlegging.ingest.interviews as iv

    real = iv.read_interview

    def failing(path, *args):
        if path.name.startswith("c-"):
            raise TypeError("a bug")
        return real(path, *args)

    monkeypatch.setattr(iv, "read_interview", failing)
    result = ingest_interviews(tmp_path, cls, "2015", [])
    assert sorted(result.interviews["file"]) == ["a-bodø.xlsx"]
    fault = next(i for i in result.issues if i.file == "c-stavanger.xlsx")
    assert (fault.action, fault.code) == ("quarantine", "intervju.lesefeil") and fault.code in INTERNAL_FAULTS


def test_a_number_out_of_range_in_an_answer_is_a_review_item_not_an_overflow(tmp_path, cls):
    path = tmp_path / "a.xlsx"
    path.write_bytes(C.edit_part(_interview(T22=1, T10=2), SHEET1, lambda x: x.replace(b"<v>1</v>", b"<v>1e400</v>")
                                 .replace(b"<v>2</v>", b"<v>1e400</v>")))
    result = ingest_interviews(tmp_path, cls, "2015", [])
    assert len(result.interviews) == 1
    reviewed = {i.record: i.reason for i in result.issues if i.action == "review"}
    assert "out of range" in reviewed["T22"] and "out of range" in reviewed["T10"]


@pytest.mark.parametrize("value", [float("inf"), -float("inf"), 1e300, "9" * 400, "1e400"])
def test_counts_and_dates_out_of_range_are_coding_errors(value):
    with pytest.raises(coding.CodingError):
        coding.parse_count(value)
    if not isinstance(value, str):
        with pytest.raises(coding.CodingError):
            coding.parse_date(value)


# -- the phone log: a required file stops the run with one line, at parse time and in the job -------------

@pytest.mark.parametrize("case_id", ["p-bad-crc", "p-cell-far"])
def test_a_damaged_phone_log_stops_with_one_line_naming_it(tmp_path, cls, case_id):
    case = next(c for c in C.PHONE_FILE_CASES if c.id == case_id)
    path = tmp_path / "telefonrunde.xlsx"
    path.write_bytes(case.data())
    problem = workbook_problem(path, "Telefonrunde")
    assert problem.startswith(f"{path}: ") and case.reason in problem and "\n" not in problem
    with pytest.raises(PhoneLogError) as err:
        ingest_phone(path, cls, set(C.UNIT), C.ROUND, [])
    assert str(err.value).startswith(str(path)) and case.reason in str(err.value) and "\n" not in str(err.value)


def test_the_parse_time_check_is_total(tmp_path, monkeypatch):
    """Whatever goes wrong inside the check, the Snakefile gets one line, never an exception."""
    import kartlegging.ingest.filetype as ft

    path = tmp_path / "telefonrunde.xlsx"
    path.write_bytes(C.phone_log(C.PHONE_BASE))
    assert workbook_problem(path, "Telefonrunde") is None

    def broken(*args):
        raise TypeError("a bug")

    monkeypatch.setattr(ft, "check_archive", broken)  # the package check, run from the sniff's opening
    problem = workbook_problem(path, "Telefonrunde")
    assert problem == f"{path}: could not be checked (an unexpected fault in the reader, TypeError: report it)"


# -- KOSTRA ------------------------------------------------------------------------------------------------

def _jsonstat(**change) -> bytes:
    ds = {"class": "dataset", "id": ["Region", "ContentsCode", "Tid"], "size": [1, 1, 1],
          "role": {"geo": ["Region"], "time": ["Tid"], "metric": ["ContentsCode"]},
          "dimension": {"Region": {"label": "region", "category": {"index": ["0101"]}},
                        "ContentsCode": {"label": "statistikkvariabel", "category": {"index": ["Frisklivssentral"]}},
                        "Tid": {"label": "år", "category": {"index": ["2016"]}}},
          "value": [1]}
    ds.update(change)
    return json.dumps(ds).encode()


KOSTRA_DAMAGE = [
    ("nested", lambda: b'{"class": "dataset", "extension": ' + b"[" * 1000 + b"]" * 1000 + b"}",
     "kostra.for_dyp", "nested 1,001 levels deep"),
    ("size-1e999", lambda: _jsonstat(size=[1, 1, 1]).replace(b'"size": [1, 1, 1]', b'"size": [1e999, 1, 1]'),
     "kostra.tall_utenfor", "'size' of dimension Region is inf"),
    ("size-huge", lambda: _jsonstat(size=[10**7, 10**7, 1]), "kostra.tall_utenfor", "'size' of dimension Region"),
    ("long-integer", lambda: _jsonstat().replace(b'"value": [1]', b'"value": [' + b"9" * 5000 + b"]"),
     "kostra.tall_utenfor", "an integer of 5,000 digits"),
    ("dimension-list", lambda: _jsonstat(dimension=[]), "kostra.feil_oppbygning", "'dimension' is not an object"),
    ("label-list", lambda: _jsonstat().replace(b'"label": "region", "category": {"index": ["0101"]}',
                                               b'"label": "region", "category": {"index": ["0101"], "label": ["x"]}'),
     "kostra.feil_oppbygning", "category.label of dimension Region is not an object"),
    ("role-list", lambda: _jsonstat(role=["geo"]), "kostra.feil_oppbygning", "'role' is not an object of lists"),
    ("value-key", lambda: _jsonstat(value={"-1": 1}), "kostra.uleselig", "'value' has the key '-1'"),
    ("status-key", lambda: _jsonstat(status={"2²": "."}), "kostra.uleselig", "'status' has the key '2²'"),
    ("not-json", lambda: b'{"class": "dataset", "id": [', "kostra.json_ugyldig", "not valid JSON: Expecting value"),
]


@pytest.mark.parametrize("make, code, words", [c[1:] for c in KOSTRA_DAMAGE], ids=[c[0] for c in KOSTRA_DAMAGE])
def test_a_damaged_kostra_file_is_set_aside_naming_what_is_wrong(tmp_path, make, code, words):
    from kartlegging.ingest.kostra.reader import read_kostra

    good = tmp_path / "good.json"
    good.write_bytes(_jsonstat())
    bad = tmp_path / "bad.json"
    bad.write_bytes(make())
    frame, issues = read_kostra([good, bad], C.REFERENCE)
    assert list(frame["source_file"]) == ["good.json"]
    (issue,) = [i for i in issues if i.action == "quarantine"]
    assert (issue.file, issue.code, words in issue.reason) == ("bad.json", code, True), issue.reason
    assert not RAW_EXCEPTION.search(issue.reason)


def test_a_fault_of_the_kostra_reader_sets_one_file_aside(tmp_path, monkeypatch):
    import kartlegging.ingest.kostra.reader as reader

    (tmp_path / "a.json").write_bytes(_jsonstat())
    (tmp_path / "b.json").write_bytes(_jsonstat())
    real = reader.parse_jsonstat

    def failing(raw, name, cfg):
        if name == "b.json":
            return {}.get("x").get("y")  # AttributeError, as a bug would raise
        return real(raw, name, cfg)

    monkeypatch.setattr(reader, "parse_jsonstat", failing)
    frame, issues = reader.read_kostra(sorted(tmp_path.iterdir()), C.REFERENCE)
    assert list(frame["source_file"]) == ["a.json"]
    (issue,) = issues
    assert (issue.file, issue.code) == ("b.json", "kostra.lesefeil")
    assert issue.reason == LAST_RESORT and not RAW_EXCEPTION.search(issue.reason)


@pytest.mark.parametrize("text", ["1e400", "9" * 400])
def test_a_kostra_number_out_of_range_is_kept_as_ugyldig(tmp_path, text):
    from kartlegging.ingest.kostra.reader import read_kostra

    path = tmp_path / "t.csv"
    path.write_text(f'"region";"Frisklivssentral 2016"\n"0101 Halden";"{text}"\n', encoding="utf-8")
    frame, issues = read_kostra([path], C.REFERENCE)
    assert list(frame["status"]) == ["ugyldig"] and frame["value"].isna().all()
    assert [i.code for i in issues] == ["kostra.ugyldig_verdi"]


def test_a_kostra_csv_with_a_bom_and_bytes_that_are_not_utf8_is_read(tmp_path):
    """A BOM promises UTF-8; a file edited elsewhere may break the promise: read as windows-1252."""
    from kartlegging.ingest.kostra.reader import read_kostra

    path = tmp_path / "t.csv"
    path.write_bytes(b"\xef\xbb\xbf" + '"region";"Frisklivssentral 2016"\n"0101 Halden ®";"1"\n'.encode("cp1252"))
    frame, issues = read_kostra([path], C.REFERENCE)
    assert list(frame["value"]) == [1.0] and not issues


def test_a_kostra_csv_with_an_unclosed_quote_says_so(tmp_path):
    from kartlegging.ingest.kostra.reader import read_kostra

    path = tmp_path / "t.csv"
    path.write_text('"region";"Frisklivssentral 2016"\n"0101 Halden";"' + "1" * 200_000 + "\n", encoding="utf-8")
    _, issues = read_kostra([path], C.REFERENCE)
    (issue,) = issues
    assert issue.action == "quarantine" and "an opening quote without its closing one?" in issue.reason


# -- e-mail ------------------------------------------------------------------------------------------------

def _nested(depth: int, kind: str) -> bytes:
    inner = C.reply("K1804", "1. Ja\n5. -")
    if kind == "rfc822":
        for _ in range(depth):
            inner = b"From: a@b.no\nSubject: x\nContent-Type: message/rfc822\n\n" + inner
        return inner
    head = b"From: a@b.no\nSubject: x\nContent-Type: multipart/mixed; boundary=b0\n\n"
    opening = b"".join(b"--b%d\nContent-Type: multipart/mixed; boundary=b%d\n\n" % (i - 1, i) for i in range(1, depth))
    return head + opening + b"--b%d\n" % (depth - 1) + inner + b"\n" + b"".join(
        b"--b%d--\n" % i for i in range(depth - 1, -1, -1))


def _ingest(tmp_path: Path, files: dict[str, bytes]):
    from kartlegging.core import classification as klass
    from kartlegging.ingest.dispatch import read_dispatch
    from kartlegging.ingest.email.reader import ingest_email

    folder = tmp_path / "epost"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    (tmp_path / "utsendelse.csv").write_text(C.dispatch_text(), encoding="utf-8")
    cls = klass.load(C.REFERENCE, "2015")
    return ingest_email(folder, read_dispatch(tmp_path / "utsendelse.csv", cls, C.ROUND), cls, C.ROUND, [])


@pytest.mark.parametrize("depth, kind", [(1000, "multipart"), (3000, "rfc822"), (150, "multipart")])
def test_a_mail_nested_too_deeply_is_set_aside_in_words(tmp_path, depth, kind):
    result = _ingest(tmp_path, {"dyp.eml": _nested(depth, kind), "ok.eml": C.reply("K0101", "1. Nei\n5. Nei")})
    status = dict(zip(result.table["file"], result.table["status"]))
    assert status == {"dyp.eml": "karantene", "ok.eml": "svar"}
    (issue,) = [i for i in result.issues if i.file == "dyp.eml"]
    assert issue.code == "epost.for_dyp" and f"{depth:,} multipart or message parts declared" in issue.reason


def test_a_mail_nested_a_few_levels_is_read(tmp_path):
    result = _ingest(tmp_path, {"dyp.eml": _nested(20, "multipart")})
    assert list(result.table["status"]) == ["svar"] and list(result.table["q1"]) == ["ja"]


@pytest.mark.parametrize("charset", ["quopri", "bz2", "rot13", "undefined", "base64", "x-ukjent", "x" * 300])
def test_a_bogus_charset_is_read_as_windows_1252(tmp_path, charset):
    body = "1. Nei, vi har ikke en slik tjeneste i år.\n5. Nei\n".encode("latin-1")
    mail = C.eml(sender="Halden kommune <postmottak@halden.kommune.no>", subject="SV: Kartlegging [K0101]",
                 body=body, content_type=f'text/plain; charset="{charset}"')
    result = _ingest(tmp_path, {"a.eml": mail})
    assert list(result.table["status"]) == ["svar"] and list(result.table["q1"]) == ["nei"]
    assert not [i for i in result.issues if i.action == "quarantine"]


def test_bogus_charsets_in_headers_and_attachment_names_do_not_lose_the_reply(tmp_path):
    text = ("From: Halden kommune <postmottak@halden.kommune.no>\nTo: kartlegging@nklmh.no\n"
            "Subject: =?rot13?Q?Ja?= =?undefined?B?SmE=?= SV: Kartlegging [K0101]\nMIME-Version: 1.0\n"
            "Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/plain\n\n1. Nei\n5. Nei\n"
            "--x\nContent-Type: application/octet-stream\n"
            "Content-Disposition: attachment; filename*=undefined''svar.docx\n\nAAAA\n--x--\n")
    result = _ingest(tmp_path, {"a.eml": text.encode()})
    assert list(result.table["status"]) == ["svar"] and list(result.table["q1"]) == ["nei"]
    assert list(result.table["attachments"]) == ["application/octet-stream (4)"]


def test_a_sender_with_comments_nested_a_thousand_deep_loses_only_the_sender(tmp_path):
    """The standard library's address parser recurses per ``(``: the reply is read, identified by its tag."""
    mail = C.reply("K0101", "1. Nei\n5. Nei").replace(b"From: Halden kommune", b"From: " + b"(" * 3000 + b"Halden", 1)
    result = _ingest(tmp_path, {"a.eml": mail})
    assert list(result.table["status"]) == ["svar"] and list(result.table["enhet_id"]) == ["K0101"]


def test_a_fault_of_the_mail_reader_sets_one_file_aside(tmp_path, monkeypatch):
    import kartlegging.ingest.email.reader as reader

    real = reader.read_message

    def failing(path, *args):
        if path.name == "b.eml":
            raise TypeError("a bug")
        return real(path, *args)

    monkeypatch.setattr(reader, "read_message", failing)
    result = _ingest(tmp_path, {"a.eml": C.reply("K0101", "1. Nei\n5. Nei"), "b.eml": C.reply("K1804", "1. Ja")})
    assert dict(zip(result.table["file"], result.table["status"])) == {"a.eml": "svar", "b.eml": "karantene"}
    (issue,) = [i for i in result.issues if i.file == "b.eml"]
    assert issue.code == "epost.lesefeil"


def test_every_new_reason_has_its_bokmal_text():
    for code in ("intervju.passordbeskyttet", "intervju.arkiv_skadet", "intervju.ukjent_komprimering",
                 "intervju.xml_ugyldig", "intervju.urimelig_stor", "intervju.celle_utenfor_ark", "epost.for_dyp",
                 "kostra.json_ugyldig", "kostra.for_dyp", "kostra.tall_utenfor", "kostra.feil_oppbygning",
                 *INTERNAL_FAULTS):
        assert CATALOGUE[code].nb and CATALOGUE[code].en
    assert set(WORKBOOK_CODES.values()) <= set(CATALOGUE)


def test_the_parse_time_name_check_reads_damaged_workbooks_without_aborting(tmp_path):
    """The overrides check runs while Snakemake parses the workflow and reads the interview contacts and the
    phone log (kartlegging.ingest.round_facts): the two abort patterns must leave it standing, the damaged
    workbooks unread (the ingest job names them), in the process that reads them."""
    folder = tmp_path / "runde" / "intervjuer"
    folder.mkdir(parents=True)
    (folder / "far.xlsx").write_bytes(C.edit_part(_interview(), SHEET1, _far))
    (folder / "strings.xlsx").write_bytes(_with_huge_string_count(_interview()))
    (tmp_path / "runde" / "telefonrunde.xlsx").write_bytes(_with_huge_string_count(_interview()))
    code = ("from pathlib import Path\n"
            "from kartlegging.ingest.round_facts import interview_contact_names, phone_log\n"
            f"print(len(interview_contact_names(Path({str(folder)!r}))), "
            f"phone_log(Path({str(tmp_path / 'runde' / 'telefonrunde.xlsx')!r})))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={"RUST_BACKTRACE": "0", "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr[-500:]
    assert proc.stdout.split() == ["0", "(None,", "[])"]


def test_a_damaged_dispatch_workbook_stops_with_one_line_not_an_abort(tmp_path):
    """A dispatch list saved as .xlsx is read at parse time too (kartlegging.ingest.listfile): the string-count
    pattern is a DispatchError naming the file, in the process that reads it."""
    path = tmp_path / "utsendelse.xlsx"
    path.write_bytes(_with_huge_string_count(_interview()))
    code = ("from kartlegging.ingest.dispatch import DispatchError, check_readable\n"
            "try:\n"
            f"    check_readable({str(path)!r})\n"
            "except DispatchError as exc:\n"
            "    print('stopped:', exc)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={"RUST_BACKTRACE": "0", "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr[-500:]
    assert proc.stdout.startswith(f"stopped: {path}") and len(proc.stdout.strip().splitlines()) == 1
