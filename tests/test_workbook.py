"""Tests of the xlsx reader shared by the Excel sources: sheets by name, header rows, bad cells, clear errors."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from kartlegging.ingest.workbook import WorkbookError, find_header, read_sheet


def write_workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """A workbook with the given sheets, in order, each filled row by row."""
    wb = Workbook()
    default = wb.active
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.remove(default)
    wb.save(path)
    return path


def test_header_below_a_title_row_is_found_case_and_space_insensitively(tmp_path):
    path = write_workbook(tmp_path / "a.xlsx", {"Data": [
        ["Telefonrunde 2015"],
        [],
        [None, " KOMMUNE / BYDEL: ", "svar", "Kommentar"],
        [None, "Bodø", "ja", None],
    ]})
    sheet = read_sheet(path, "Data")
    row, cols, missing = find_header(sheet, {"navn": "Kommune/bydel", "svar": "Svar"}, 10)
    assert (row, cols, missing) == (2, {"navn": 1, "svar": 2}, [])
    assert sheet.value(3, 1) == "Bodø"
    assert sheet.value(3, 9) is None and sheet.value(99, 0) is None, "outside the used range"


def test_find_header_names_the_labels_the_best_row_lacks(tmp_path):
    path = write_workbook(tmp_path / "a.xlsx", {"Data": [["Nr", "Spørsmål"], ["Nr", "Svar?"], ["x"] * 3]})
    row, cols, missing = find_header(read_sheet(path, "Data"), {"nr": "Nr", "svar": "Svar"}, 10)
    assert (row, cols, missing) == (0, {"nr": 0}, ["Svar"]), "the first row wins a tie"


def test_find_header_looks_only_at_the_first_rows(tmp_path):
    path = write_workbook(tmp_path / "a.xlsx", {"Data": [["tittel"], [], ["Nr", "Svar"]]})
    assert find_header(read_sheet(path, "Data"), {"nr": "Nr", "svar": "Svar"}, 2)[2] == ["Nr", "Svar"]


def test_sheet_is_found_by_name_ignoring_case_and_surrounding_spaces(tmp_path):
    path = write_workbook(tmp_path / "a.xlsx", {"Notater": [["x"]], "intervju ": [["Nr", "Svar"]]})
    sheet = read_sheet(path, "Intervju")
    assert sheet.name == "intervju "
    assert sheet.rows == [["Nr", "Svar"]]


def test_missing_sheet_names_the_sheet_and_the_sheets_present(tmp_path):
    path = write_workbook(tmp_path / "a.xlsx", {"Ark1": [["x"]], "Notater": [["y"]]})
    with pytest.raises(WorkbookError) as exc:
        read_sheet(path, "Telefonrunde")
    assert str(exc.value) == "no sheet named 'Telefonrunde' (sheets: 'Ark1', 'Notater')"


def test_a_file_that_is_not_a_zip_archive_is_a_workbook_error(tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_text("Nr;Svar\nT01;ja\n", encoding="utf-8")
    with pytest.raises(WorkbookError, match=r"^not an xlsx workbook: not a zip archive but text$"):
        read_sheet(path, "Intervju")
    lock = tmp_path / "~$a.xlsx"
    lock.write_bytes(b"\x00" * 165)
    with pytest.raises(WorkbookError, match=r"not a zip archive \(an Excel lock file\?\)"):
        read_sheet(lock, "Intervju")


def test_a_zip_archive_without_a_workbook_part_is_a_workbook_error(tmp_path):
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<document/>")
    with pytest.raises(WorkbookError,
                       match=r"^not an xlsx workbook: a Word document \(\.docx\), not an xlsx workbook$"):
        read_sheet(path, "Intervju")


def test_a_missing_file_is_a_workbook_error(tmp_path):
    with pytest.raises(WorkbookError, match=r"^cannot read file: "):
        read_sheet(tmp_path / "absent.xlsx", "Intervju")


def test_read_sheet_reports_formula_and_error_cells_by_position(tmp_path):
    path = write_workbook(tmp_path / "a.xlsx", {"Intervju": [
        ["Kartlegging 2015"], [], ["Nr", "Spørsmål", "Svar"],
        ["T09", "spørsmål T09", "ja"], ["T10", "spørsmål T10", "#REF!"], ["T13", "spørsmål T13", "=1+2"],
    ]})
    sheet = read_sheet(path, "Intervju")
    assert sheet.rows[2][:2] == ["Nr", "Spørsmål"], "row index 2 is Excel row 3"
    bad = {sheet.rows[r][0]: d for (r, c), d in sheet.bad_cells.items()}
    assert bad == {"T10": "error value #REF!", "T13": "formula =1+2"}
    assert set(sheet.bad_cells) == {(4, 2), (5, 2)}


# -- misleading reasons: the cause, not a symptom ---------------------------------------------

def _ole2(*streams: str) -> bytes:
    """The first bytes of an OLE2 compound file with the given directory entry names (UTF-16LE)."""
    body = b"".join(name.encode("utf-16-le") + b"\x00\x00" for name in streams)
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + body


@pytest.mark.parametrize("make, kind, words", [
    (lambda: _ole2("Root Entry", "Workbook", "SummaryInformation"), "xls", "Excel 97-2003 workbook (.xls)"),
    (lambda: _ole2("Root Entry", "EncryptionInfo", "EncryptedPackage"), "encrypted", "password-protected"),
    (lambda: _zip({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"}),
     "ods", "OpenDocument spreadsheet (.ods)"),
    (lambda: _zip({"[Content_Types].xml": "<x/>", "xl/workbook.bin": "\x00"}), "xlsb", "Excel binary workbook (.xlsb)"),
    (lambda: "Region;2015\n".encode("utf-16"), "utf-16", "UTF-16 text"),
], ids=["xls", "encrypted", "ods", "xlsb", "utf-16"])
def test_a_renamed_file_is_named_for_what_it_is(tmp_path, make, kind, words):
    from kartlegging.ingest.filetype import sniff, workbook_problem

    path = tmp_path / "a.xlsx"
    path.write_bytes(make())
    assert sniff(path.read_bytes())[0] == kind
    with pytest.raises(WorkbookError) as exc:
        read_sheet(path, "Intervju")
    assert words in str(exc.value) and "workbook.xml" not in str(exc.value)
    assert words in workbook_problem(path, "Intervju")


def _zip(parts: dict[str, str]) -> bytes:
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
    return buf.getvalue()


MINIMAL_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def test_a_minimal_ooxml_package_calamine_reads_is_accepted(tmp_path):
    """A valid package written by another tool: single-quoted attributes (XML allows them), inline
    strings, no shared strings, styles or document properties. What calamine reads is read."""
    rels_ns = "http://schemas.openxmlformats.org/package/2006/relationships"
    path = tmp_path / "a.xlsx"
    path.write_bytes(_zip({
        "[Content_Types].xml": (
            "<Types xmlns='http://schemas.openxmlformats.org/package/2006/content-types'>"
            "<Default Extension='rels' ContentType='application/vnd.openxmlformats-package.relationships+xml'/>"
            "<Default Extension='xml' ContentType='application/xml'/></Types>"),
        "_rels/.rels": (f"<Relationships xmlns='{rels_ns}'><Relationship Id='r1' "
                        f"Type='{REL_NS}/officeDocument' Target='xl/workbook.xml'/></Relationships>"),
        "xl/workbook.xml": (f"<workbook xmlns='{MINIMAL_NS}' xmlns:r='{REL_NS}'><sheets>"
                            "<sheet name='Intervju' sheetId='1' r:id='s1'/></sheets></workbook>"),
        "xl/_rels/workbook.xml.rels": (f"<Relationships xmlns='{rels_ns}'><Relationship Id='s1' "
                                       f"Type='{REL_NS}/worksheet' Target='/xl/s1.xml'/></Relationships>"),
        "xl/s1.xml": (
            f"<worksheet xmlns='{MINIMAL_NS}'><sheetData><row r='1'>"
            "<c r='A1' t='inlineStr'><is><t>Nr</t></is></c><c r='B1' t='inlineStr'><is><t>Svar</t></is></c></row>"
            "<row r='2'><c r='A2' t='inlineStr'><is><t>T01</t></is></c><c r='B2'><f>1+1</f><v>2</v></c></row>"
            "</sheetData></worksheet>"),
    }))
    sheet = read_sheet(path, "Intervju")
    assert sheet.rows[0] == ["Nr", "Svar"] and sheet.rows[1][0] == "T01"
    assert sheet.bad_cells == {(1, 1): "formula =1+1"}
