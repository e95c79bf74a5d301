"""Tests of the xlsx reader shared by the Excel sources: sheets by name, header rows, bad cells, clear errors."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from kartlegging.workbook import WorkbookError, find_header, read_sheet


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
    with pytest.raises(WorkbookError, match=r"^not an xlsx workbook: not a zip archive; password-protected"):
        read_sheet(path, "Intervju")
    lock = tmp_path / "~$a.xlsx"
    lock.write_bytes(b"\x00" * 165)
    with pytest.raises(WorkbookError, match=r"not a zip archive \(an Excel lock file\?\)"):
        read_sheet(lock, "Intervju")


def test_a_zip_archive_without_a_workbook_part_is_a_workbook_error(tmp_path):
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<document/>")
    with pytest.raises(WorkbookError, match=r"^not an xlsx workbook: part xl/workbook\.xml is missing$"):
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
