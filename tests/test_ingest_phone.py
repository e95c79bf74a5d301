"""Tests of the phone-round ingest: resolution of typed units, last conclusive answer, issues, overrides."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook

from kartlegging.core.classification import load
from kartlegging.core.overrides import Override, OverrideError
from kartlegging.core.store import to_arrow
from kartlegging.core.tables import PHONE_ATTEMPTS, PHONE_UNITS
from kartlegging.ingest.phone import PhoneLogError, ingest_phone

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference"
HEADER = ["Kommune/bydel", "Kommunenr", "Dato", "Kontakt", "Svar", "Kommentar"]


@pytest.fixture(scope="module")
def cls():
    return load(REFERENCE, "2015")


@pytest.fixture(scope="module")
def dispatch(cls):
    """Every unit of the 2015 round, as the dispatch list has them."""
    return {f"K{k}" for k in cls.kommuner} | {f"B{b}" for b in cls.bydeler}


def write_log(path: Path, rows: list[list[object]], header: list[str] = HEADER, sheet: str = "Telefonrunde") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def everything(result) -> str:
    """All output of an ingest as one string, to check that nothing personal leaked."""
    parts = [result.attempts.to_csv(), result.units.to_csv()]
    parts += [repr(i) for i in result.issues]
    return "\n".join(parts)


def issues_at(result, record: str) -> list:
    return [i for i in result.issues if i.record == record]


def test_typed_names_numbers_and_dates_resolve(tmp_path, cls, dispatch):
    path = write_log(tmp_path / "telefonrunde.xlsx", [
        ["Aurskog Høland", None, dt.date(2014, 11, 12), "sentralbord", "Ja", "Snakket med Kari Nordmann"],
        ["Bø i Telemark", None, "13.11.2014", "servicetorg", "nei", None],
        ["Kautokeino", None, "2014-11-14", "helseleder", "Nei.", None],
        ["Bydel Grünerløkka", None, "14. nov. 2014", "bydelsdirektør", "usikker", None],
        ["Herøy (Nordland)", None, 41960, "frisklivssentral", "ikke svar", None],
        ["Oslo", 301, dt.datetime(2014, 11, 20, 9, 15), "rådmann", "vet ikke", None],
    ])
    result = ingest_phone(path, cls, dispatch, "2015", [])
    a = result.attempts.set_index("row")
    assert a.loc[2, "enhet_id"] == "K0221" and a.loc[2, "svar"] == "ja"
    assert a.loc[3, "enhet_id"] == "K0821" and a.loc[3, "dato"] == dt.date(2014, 11, 13)
    assert a.loc[4, "enhet_id"] == "K2011" and a.loc[4, "svar"] == "nei"
    assert a.loc[5, "enhet_id"] == "B030102" and a.loc[5, "kommunenummer"] == "0301"
    assert a.loc[5, "svar"] == "vet_ikke" and a.loc[5, "dato"] == dt.date(2014, 11, 14)
    assert a.loc[6, "enhet_id"] == "K1818" and a.loc[6, "svar"] == "ikke_konklusiv"
    assert a.loc[6, "dato"] == dt.date(2014, 11, 17)
    assert a.loc[7, "enhet_id"] == "K0301" and a.loc[7, "kommunenr_raw"] == "301"
    assert a.loc[7, "dato"] == dt.date(2014, 11, 20)
    assert result.issues == []
    assert "Kari" not in everything(result), "Kommentar must not be kept"
    to_arrow(result.attempts, PHONE_ATTEMPTS)
    to_arrow(result.units, PHONE_UNITS)


def test_last_conclusive_attempt_by_date_decides(tmp_path, cls, dispatch):
    path = write_log(tmp_path / "t.xlsx", [
        ["Bodø", None, "20.11.2014", "helseleder", "Ja", None],
        ["Bodø", None, "12.11.2014", "sentralbord", "nei", None],
        ["Bodø", None, "25.11.2014", "sentralbord", "ringer tilbake", None],
        ["Saltdal", None, "12.11.2014", "sentralbord", "ikke svar", None],
        ["Saltdal", None, "14.11.2014", "sentralbord", "ikke truffet", None],
        ["Fauske", None, "14.11.2014", "sentralbord", "nei", None],
        ["Fauske", None, "14.11.2014", "helseleder", "ja, interkommunalt", None],
    ])
    units = ingest_phone(path, cls, dispatch, "2015", []).units.set_index("enhet_id")
    assert units.loc["K1804", "svar"] == "ja"
    assert units.loc["K1804", "forsok"] == 3
    assert units.loc["K1804", "siste_dato"] == dt.date(2014, 11, 20)
    assert units.loc["K1840", "svar"] == "ikke_nådd"
    assert units.loc["K1840", "siste_dato"] == dt.date(2014, 11, 14)
    assert units.loc["K1841", "svar"] == "ja", "same date: the later row decides"


def test_har_frisklivssentral_alone_is_not_a_yes(tmp_path, cls, dispatch):
    path = write_log(tmp_path / "t.xlsx",
                     [["Gildeskål", None, "12.11.2014", "sentralbord", "har frisklivssentral", None]])
    result = ingest_phone(path, cls, dispatch, "2015", [])
    assert result.attempts.loc[0, "svar"] == "ikke_konklusiv"
    assert result.units.loc[0, "svar"] == "ikke_nådd"
    assert result.issues == []


@pytest.mark.parametrize("name", ["Bø", "Herøy", "Nes", "Os", "Sande", "Våler"])
def test_ambiguous_name_goes_to_review_never_first_match(tmp_path, cls, dispatch, name):
    path = write_log(tmp_path / "t.xlsx", [[name, None, "12.11.2014", "sentralbord", "nei", None]])
    result = ingest_phone(path, cls, dispatch, "2015", [])
    assert result.attempts.loc[0, "enhet_id"] is None
    assert result.units.empty
    [issue] = result.issues
    assert issue.action == "review" and issue.record == "2" and issue.field == "enhet_id"
    assert "ambiguous" in issue.reason
    res = cls.resolve(name=name)
    assert all(c in issue.reason for c in res.candidates)


def test_number_settles_an_ambiguous_name_even_without_leading_zero(tmp_path, cls, dispatch):
    path = write_log(tmp_path / "t.xlsx", [["Bø", 821, "12.11.2014", "sentralbord", "nei", None],
                                           ["Bø", "1867", "12.11.2014", "sentralbord", "ja", None]])
    result = ingest_phone(path, cls, dispatch, "2015", [])
    assert list(result.attempts["enhet_id"]) == ["K0821", "K1867"]
    assert result.issues == []


def test_unknown_name_and_number_of_another_version_go_to_review(tmp_path, cls, dispatch):
    path = write_log(tmp_path / "t.xlsx", [
        ["Nordre Langtvekkistan", None, "12.11.2014", "sentralbord", "nei", None],
        [None, 5001, "12.11.2014", "sentralbord", "ja", None],
        ["Trondheim", 5001, "12.11.2014", "sentralbord", "ja", None],
        [None, None, "12.11.2014", "sentralbord", "ja", None],
    ])
    result = ingest_phone(path, cls, dispatch, "2015", [])
    a = result.attempts.set_index("row")
    assert a.loc[2, "enhet_id"] is None and a.loc[3, "enhet_id"] is None and a.loc[5, "enhet_id"] is None
    assert "has this name" in issues_at(result, "2")[0].reason
    assert "another Klass version" in issues_at(result, "3")[0].reason
    assert a.loc[4, "enhet_id"] == "K1601", "the name decides when the number is of another version"
    assert "taken from the name" in issues_at(result, "4")[0].reason
    assert "no kommune or bydel named" in issues_at(result, "5")[0].reason
    assert list(result.units["enhet_id"]) == ["K1601"]


def test_unit_not_in_dispatch_list_goes_to_review(tmp_path, cls):
    path = write_log(tmp_path / "t.xlsx", [["Bodø", None, "12.11.2014", "sentralbord", "ja", None]])
    result = ingest_phone(path, cls, {"K1840"}, "2015", [])
    [issue] = result.issues
    assert "not in the dispatch list" in issue.reason
    assert result.units.loc[0, "enhet_id"] == "K1804"


def test_empty_rows_are_skipped_and_counted(tmp_path, cls, dispatch):
    path = write_log(tmp_path / "t.xlsx", [
        ["Bodø", None, "12.11.2014", "sentralbord", "ja", None],
        [None, None, None, None, None, None],
        [None, None, None, None, None, "bare en kommentar"],
        ["Saltdal", None, "12.11.2014", "sentralbord", "nei", None],
    ])
    result = ingest_phone(path, cls, dispatch, "2015", [])
    assert list(result.attempts["row"]) == [2, 5]
    assert result.empty_rows == 2
    assert "bare en kommentar" not in everything(result)


def test_headers_match_case_and_space_insensitively(tmp_path, cls, dispatch):
    header = ["kommune / bydel", "KOMMUNENR", " Dato ", "kontakt", "svar:", "kommentar"]
    path = write_log(tmp_path / "t.xlsx", [["Bodø", None, "12.11.2014", "sentralbord", "ja", None]], header=header)
    result = ingest_phone(path, cls, dispatch, "2015", [])
    assert result.attempts.loc[0, "enhet_id"] == "K1804"


def test_kommentar_column_is_optional(tmp_path, cls, dispatch):
    path = write_log(tmp_path / "t.xlsx", [["Bodø", None, "12.11.2014", "sentralbord", "ja"]], header=HEADER[:5])
    assert ingest_phone(path, cls, dispatch, "2015", []).attempts.loc[0, "svar"] == "ja"


@pytest.mark.parametrize("renamed, column", [("Resultat", "Svar"), ("Kommunenummer", "Kommunenr"), (None, "Dato")])
def test_missing_or_renamed_column_stops_naming_file_and_column(tmp_path, cls, dispatch, renamed, column):
    """The phone log is required: without its header the round cannot be analysed, so the ingest
    stops (one line naming the file and the column) rather than running on with no phone round."""
    header = [renamed if h == column else h for h in HEADER]
    path = write_log(tmp_path / "telefonrunde.xlsx", [["Bodø", None, "12.11.2014", "x", "ja", None]], header=header)
    with pytest.raises(PhoneLogError) as err:
        ingest_phone(path, cls, dispatch, "2015", [])
    assert str(err.value).startswith(f"{path}: required phone log cannot be used: ")
    assert repr(column) in str(err.value) and "\n" not in str(err.value)


def test_missing_sheet_not_a_zip_and_missing_file_stop(tmp_path, cls, dispatch):
    wrong = write_log(tmp_path / "a.xlsx", [], sheet="Ark1")
    with pytest.raises(PhoneLogError, match="no sheet named 'Telefonrunde'"):
        ingest_phone(wrong, cls, dispatch, "2015", [])
    broken = tmp_path / "b.xlsx"
    broken.write_text("Kommune;Svar\nBodø;ja\n", encoding="utf-8")
    with pytest.raises(PhoneLogError, match="not a zip archive"):
        ingest_phone(broken, cls, dispatch, "2015", [])
    with pytest.raises(PhoneLogError, match="cannot read file"):
        ingest_phone(tmp_path / "missing.xlsx", cls, dispatch, "2015", [])


def test_error_values_formulas_and_unreadable_cells_go_to_review(tmp_path, cls, dispatch):
    path = write_log(tmp_path / "t.xlsx", [
        ["Bodø", None, "12.11.2014", "sentralbord", "#REF!", None],
        ["Saltdal", None, "=TODAY()", "sentralbord", "ja", None],
        ["Fauske", None, "neste uke", "sentralbord", "tja, kanskje", None],
        ["=A2", None, "12.11.2014", "sentralbord", "#N/A", None],
    ])
    result = ingest_phone(path, cls, dispatch, "2015", [])
    a = result.attempts.set_index("row")
    assert a.loc[2, "svar"] == "ikke_konklusiv"
    assert any(i.code == "telefon.formel_eller_feilverdi" and i.locator == "cell E2" for i in issues_at(result, "2"))
    assert a.loc[3, "dato"] is None and a.loc[3, "svar"] == "ja"
    assert any(i.reason.startswith("formula") and i.locator == "cell C3" for i in issues_at(result, "3"))
    assert a.loc[4, "dato"] is None and a.loc[4, "svar"] == "ikke_konklusiv"
    assert {i.field for i in issues_at(result, "4")} == {"dato", "svar"}
    assert a.loc[5, "enhet_id"] is None
    assert {i.field for i in issues_at(result, "5")} >= {"Kommune/bydel", "Svar"}
    assert all(i.action == "review" for i in result.issues)


def test_kontakt_is_masked(tmp_path, cls, dispatch):
    path = write_log(tmp_path / "t.xlsx", [["Bodø", None, "12.11.2014", "helseleder 75 55 55 55 ola@bodo.kommune.no",
                                            "ja", None]])
    kontakt = ingest_phone(path, cls, dispatch, "2015", []).attempts.loc[0, "kontakt"]
    assert "75 55" not in kontakt and "ola@" not in kontakt and kontakt.startswith("helseleder")


def test_overrides_set_unit_and_answer_and_mark_issues_resolved(tmp_path, cls, dispatch):
    path = write_log(tmp_path / "telefonrunde.xlsx", [
        ["Bø", None, "12.11.2014", "sentralbord", "nei", None],
        ["Herøy", None, "12.11.2014", "sentralbord", "tja", None],
        ["Sande", None, "12.11.2014", "sentralbord", "ja", None],
    ])
    overrides = [
        Override("ov-1", "telefon", "telefonrunde.xlsx", "2", {"enhet_id": "K1867"}, "Bø i Vesterålen"),
        Override("ov-2", "telefon", "telefonrunde.xlsx", "3", {"kommunenummer": "1515", "svar": "vet_ikke"}),
        Override("ov-3", "telefon", "other.xlsx", "4", {"svar": "ja"}),
        Override("ov-4", "epost", "telefonrunde.xlsx", "4", {"enhet_id": "K0713"}),
    ]
    result = ingest_phone(path, cls, dispatch, "2015", overrides)
    assert result.applied == {"ov-1", "ov-2"}
    a = result.attempts.set_index("row")
    assert a.loc[2, "enhet_id"] == "K1867"
    assert a.loc[3, "enhet_id"] == "K1515" and a.loc[3, "svar"] == "vet_ikke"
    assert a.loc[4, "enhet_id"] is None
    assert [i.resolved_by for i in issues_at(result, "2")] == ["ov-1"]
    assert {i.resolved_by for i in issues_at(result, "3")} == {"ov-2"}
    assert [i.resolved_by for i in issues_at(result, "4")] == [None]
    assert set(result.units["enhet_id"]) == {"K1867", "K1515"}


@pytest.mark.parametrize("setting", [{"navn": "x"}, {"svar": "kanskje"}, {"enhet_id": "K9998"},
                                     {"kommunenummer": "5001"}])
def test_malformed_override_is_an_error_naming_it(tmp_path, cls, dispatch, setting):
    path = write_log(tmp_path / "t.xlsx", [["Bø", None, "12.11.2014", "sentralbord", "nei", None]])
    with pytest.raises(OverrideError, match="ov-9"):
        ingest_phone(path, cls, dispatch, "2015", [Override("ov-9", "telefon", "t.xlsx", "2", setting)])


def test_a_row_of_the_phone_list_nobody_called_is_no_attempt(tmp_path):
    """`make phone-list` writes one row per unit with name and number; a row left as it was records no call:
    the unit must not count as phoned (it would count as without a service), and the row goes to review."""
    from kartlegging.analysis.conservation import phone_conservation, phone_rows_in
    from kartlegging.core.issues import issues_frame

    cls = load(REFERENCE, "2015")
    path = tmp_path / "telefonrunde.xlsx"
    write_log(path, [
        ["Bodø", "1804", None, None, None, None],                    # listed, not called
        ["Saltdal", "1840", "13.11.2014", "sentralbord", "nei", None],
        ["Fauske", "1841", None, None, None, "ring etter 12"],      # a note is no call either
    ])
    result = ingest_phone(path, cls, {"K1804", "K1840", "K1841"}, "2015", [])
    assert list(result.attempts["enhet_id"]) == ["K1840"]
    assert list(result.units["enhet_id"]) == ["K1840"]
    assert [(i.record, i.code) for i in result.issues] == [("2", "telefon.ikke_ringt"), ("4", "telefon.ikke_ringt")]
    row = phone_conservation("2015", phone_rows_in(path), result.attempts, issues_frame("2015", result.issues))
    assert (row["records_in"], row["ingested"], row["review"], row["unaccounted"]) == (3, 1, 2, 0)
