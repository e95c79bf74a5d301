"""Tests of the dispatch list reader: the frame every reply is matched against."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from kartlegging.core.classification import load
from kartlegging.core.store import to_arrow
from kartlegging.core.tables import DISPATCH, salted_hash
from kartlegging.ingest.dispatch import DispatchError, normalise_message_id, read_dispatch

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference"
HEADER = "enhet_id;kommunenummer;bydelsnummer;enhet_navn;mottaker_rolle;epost;message_id;sendt"
ROWS = [
    "K1804;1804;;Bodø kommune;rådmann;postmottak@bodo.kommune.no;<k1804.2014@nklmh.no>;2014-11-10",
    "K0301;0301;;Oslo kommune;rådmann;postmottak@oslo.kommune.no;<k0301.2014@nklmh.no>;2014-11-10",
    "B030102;0301;030102;Bydel Grünerløkka;bydelsdirektør;postmottak@bga.oslo.kommune.no;"
    "<b030102.2014@nklmh.no>;2014-11-10",
]


@pytest.fixture(scope="module")
def classification():
    return load(REFERENCE, "2015")


def write(tmp_path: Path, rows: list[str], header: str = HEADER, bom: bool = True) -> Path:
    path = tmp_path / "utsendelse.csv"
    text = "\n".join([header, *rows]) + "\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_reads_valid_list_with_bom(tmp_path, classification):
    result = read_dispatch(write(tmp_path, ROWS), classification, "2015")
    table = result.table
    assert list(table.columns) == DISPATCH.column_names
    assert list(table["enhet_id"]) == ["B030102", "K0301", "K1804"]  # sorted by enhet_id
    bydel = table.set_index("enhet_id").loc["B030102"]
    assert bydel["kommunenummer"] == "0301" and bydel["bydelsnummer"] == "030102"
    assert pd.isna(table.set_index("enhet_id").loc["K1804", "bydelsnummer"])
    assert table.set_index("enhet_id").loc["K1804", "sendt"] == date(2014, 11, 10)
    assert (table["round"] == "2015").all()


def test_addresses_are_hashed_and_kept_only_in_memory(tmp_path, classification):
    result = read_dispatch(write(tmp_path, ROWS), classification, "2015")
    flat = " ".join(str(v) for v in result.table.to_numpy().ravel())
    assert "postmottak" not in flat and "kommune.no;" not in flat
    assert result.table.set_index("enhet_id").loc["K1804", "adresse_hash"] == salted_hash("postmottak@bodo.kommune.no")
    assert result.by_address["postmottak@bodo.kommune.no"] == {"K1804"}
    assert result.by_domain["bga.oslo.kommune.no"] == {"B030102"}
    assert result.by_message_id[normalise_message_id("<K1804.2014@nklmh.no>")] == "K1804"
    assert result.units == {"K1804": "1804", "K0301": "0301", "B030102": "0301"}
    assert "postmottak" not in repr(result)


def test_shared_address_maps_to_both_units(tmp_path, classification):
    rows = ROWS + ["K1840;1840;;Saltdal kommune;rådmann;POSTMOTTAK@bodo.kommune.no;<k1840@nklmh.no>;2014-11-10"]
    result = read_dispatch(write(tmp_path, rows), classification, "2015")
    assert result.by_address["postmottak@bodo.kommune.no"] == {"K1804", "K1840"}


def test_lost_leading_zero_and_blank_rows_are_tolerated(tmp_path, classification):
    rows = ["K0301;301;;Oslo kommune;rådmann;postmottak@oslo.kommune.no;<a@b>;10.11.2014", ";;;;;;;", ""]
    result = read_dispatch(write(tmp_path, rows, bom=False), classification, "2015")
    assert list(result.table["kommunenummer"]) == ["0301"]
    assert result.table.loc[0, "sendt"] == date(2014, 11, 10)
    assert result.table.loc[0, "message_id"] == salted_hash("a@b")  # the Message-ID stays in data/raw


def test_missing_file(tmp_path, classification):
    with pytest.raises(DispatchError, match="not found"):
        read_dispatch(tmp_path / "utsendelse.csv", classification, "2015")


def test_missing_columns(tmp_path, classification):
    header = HEADER.replace(";sendt", "")
    with pytest.raises(DispatchError, match="missing column.*sendt"):
        read_dispatch(write(tmp_path, [], header=header), classification, "2015")


def _frame(result):
    return result.table.to_dict("records"), result.by_message_id, result.by_address


def test_excel_windows_1252_semicolon_list_reads_as_its_utf8_twin(tmp_path, classification):
    """What Excel on a Norwegian Windows saves as "CSV": windows-1252, ';', CRLF, no BOM."""
    twin = read_dispatch(write(tmp_path, ROWS), classification, "2015")
    excel = tmp_path / "excel" / "utsendelse.csv"
    excel.parent.mkdir()
    excel.write_bytes("\r\n".join([HEADER, *ROWS]).encode("windows-1252") + b"\r\n")
    assert "ø".encode("windows-1252") in excel.read_bytes()  # Bodø in one byte: not UTF-8
    assert _frame(read_dispatch(excel, classification, "2015")) == _frame(twin)


@pytest.mark.parametrize("sep", [",", "\t"])
def test_comma_and_tab_separated_lists_read_as_their_twin(tmp_path, classification, sep):
    twin = read_dispatch(write(tmp_path, ROWS), classification, "2015")
    other = tmp_path / "other" / "utsendelse.csv"
    other.parent.mkdir()
    other.write_text("\n".join(r.replace(";", sep) for r in [HEADER, *ROWS]) + "\n", encoding="utf-8")
    assert _frame(read_dispatch(other, classification, "2015")) == _frame(twin)


def test_xlsx_list_reads_as_its_twin(tmp_path, classification):
    from openpyxl import Workbook

    twin = read_dispatch(write(tmp_path, ROWS), classification, "2015")
    wb = Workbook()
    ws = wb.active
    ws.title = "Utsendelse"
    ws.append(HEADER.split(";"))
    for row in ROWS:
        cells: list[object] = row.split(";")
        cells[1] = int(cells[1])  # Excel turned 0301 into the number 301
        ws.append(cells)
    path = tmp_path / "x" / "utsendelse.xlsx"
    path.parent.mkdir()
    wb.save(path)
    assert _frame(read_dispatch(path, classification, "2015")) == _frame(twin)


def test_text_in_no_known_encoding_stops_naming_the_line_and_what_to_do(tmp_path, classification):
    path = tmp_path / "utsendelse.csv"
    path.write_bytes(("\n".join([HEADER, ROWS[0], ROWS[1]])).encode("utf-8").replace(b"Oslo kommune", b"Oslo\x81"))
    with pytest.raises(DispatchError, match=r"line 3: byte 0x81 is neither UTF-8 nor windows-1252.*CSV UTF-8"):
        read_dispatch(path, classification, "2015")


def test_old_excel_format_stops_saying_what_to_do(tmp_path, classification):
    from kartlegging.ingest.filetype import OLE2_MAGIC

    path = tmp_path / "utsendelse.csv"
    path.write_bytes(OLE2_MAGIC + b"\x00" * 64 + "Workbook".encode("utf-16-le"))
    with pytest.raises(DispatchError, match=r"\.xls.*save it as \.xlsx"):
        read_dispatch(path, classification, "2015")


def test_message_ids_are_optional(tmp_path, classification):
    """Letters sent by mail merge: the mail client sets the Message-IDs, the list has none."""
    header = HEADER.replace(";message_id", "")
    rows = [";".join(f for i, f in enumerate(r.split(";")) if i != 6) for r in ROWS]
    result = read_dispatch(write(tmp_path, rows, header=header), classification, "2015")
    assert result.by_message_id == {} and result.table["message_id"].isna().all()
    to_arrow(result.table, DISPATCH)   # the table as the dispatch step writes it
    empty = read_dispatch(write(tmp_path, [ROWS[0].replace("<k1804.2014@nklmh.no>", "")]), classification, "2015")
    assert empty.by_message_id == {} and list(empty.units) == ["K1804"]


def test_reminder_message_ids_identify_too(tmp_path, classification):
    header = HEADER + ";paminnelse_message_id"
    rows = [ROWS[0] + ";<reminder.k1804@nklmh.no>", ROWS[1] + ";"]
    result = read_dispatch(write(tmp_path, rows, header=header), classification, "2015")
    assert result.by_message_id["reminder.k1804@nklmh.no"] == "K1804"
    assert result.by_message_id["k1804.2014@nklmh.no"] == "K1804"
    bad = [ROWS[0] + ";<k0301.2014@nklmh.no>", ROWS[1] + ";"]
    with pytest.raises(DispatchError, match="message_id of K0301 is also the message_id of K1804"):
        read_dispatch(write(tmp_path, bad, header=header), classification, "2015")


def test_check_readable_finds_the_list_of_a_round_folder_and_says_how_it_was_read(tmp_path):
    from kartlegging.ingest.dispatch import check_readable

    write(tmp_path, ROWS)
    assert check_readable(tmp_path) == "UTF-8 (with BOM) text, ';'-separated"
    (tmp_path / "utsendelse.xlsx").write_bytes(b"PK")
    with pytest.raises(DispatchError, match="two dispatch lists"):
        check_readable(tmp_path)


def test_header_only_is_an_error(tmp_path, classification):
    with pytest.raises(DispatchError, match="no recipients"):
        read_dispatch(write(tmp_path, []), classification, "2015")


@pytest.mark.parametrize(
    "row, message",
    [
        ("K18O4;1804;;Bodø;rådmann;a@bodo.kommune.no;<x@y>;2014-11-10", "not K \\+ 4 digits"),
        ("K9998;9998;;Nowhere;rådmann;a@b.no;<x@y>;2014-11-10", "not in Klass 131"),
        ("K1840;1804;;Saltdal;rådmann;a@saltdal.kommune.no;<x@y>;2014-11-10", "disagrees with kommunenummer"),
        ("B030199;0301;030199;Bydel X;bydelsdirektør;a@x.oslo.kommune.no;<x@y>;2014-11-10",
         "not one of Oslo's bydeler"),
        ("B030103;0301;030104;Bydel Sagene;bydelsdirektør;a@x.oslo.kommune.no;<x@y>;2014-11-10",
         "disagrees with bydelsnummer"),
        ("B030103;1804;030103;Bydel Sagene;bydelsdirektør;a@x.oslo.kommune.no;<x@y>;2014-11-10", "expected 0301"),
        ("K1840;1840;030101;Saltdal;rådmann;a@saltdal.kommune.no;<x@y>;2014-11-10", "bydelsnummer"),
        ("K1840;1840;;Saltdal;rådmann;not-an-address;<x@y>;2014-11-10", "not an e-mail address"),
        ("K1840;1840;;Saltdal;rådmann;a@saltdal.kommune.no;<k1804.2014@nklmh.no>;2014-11-10",
         "also the message_id of K1804"),
        ("K1840;1840;;Saltdal;rådmann;a@saltdal.kommune.no;<x@y>;november", "not an ISO date"),
        ("K1840;1840;;;rådmann;a@saltdal.kommune.no;<x@y>;2014-11-10", "enhet_navn is empty"),
        ("K1840;1840;;Saltdal;rådmann;a@saltdal.kommune.no;<x@y>;2014-11-10;extra", "9 fields, header has 8"),
    ],
)
def test_invalid_rows_stop_the_run_naming_file_and_line(tmp_path, classification, row, message):
    path = write(tmp_path, [ROWS[0], row])
    with pytest.raises(DispatchError, match=message) as info:
        read_dispatch(path, classification, "2015")
    assert str(path) in str(info.value) and "line 3" in str(info.value)


def test_duplicated_enhet_id(tmp_path, classification):
    rows = ROWS + ["k1804;1804;;Bodø kommune;rådmann;other@bodo.kommune.no;<other@nklmh.no>;2014-11-10"]
    with pytest.raises(DispatchError, match=r"line 5: enhet_id K1804 duplicated \(first on line 2\)"):
        read_dispatch(write(tmp_path, rows), classification, "2015")
