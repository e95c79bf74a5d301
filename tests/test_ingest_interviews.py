"""Tests of the interview ingest: reading by item code, coding, Oslo merging, issues, overrides, speed."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook

from kartlegging.core.classification import load
from kartlegging.core.overrides import Override, OverrideError
from kartlegging.core.store import to_arrow
from kartlegging.core.tables import INTERVIEWS, SERVICE_KOMMUNER, SERVICES
from kartlegging.ingest.interviews import ingest_interviews

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference"
PERSON = "Kari Nordmann"
CONTACT = "kari.nordmann@bodo.kommune.no 75 55 55 55"

#: A complete interview of an included interkommunal service hosted by Bodø.
BASE: dict[str, object] = {
    "T01": "Lærings- og mestringssenteret i Salten", "T02": "Bodø", "T03": None, "T04": "interkommunal",
    "T05": "Saltdal og Fauske", "T06": "eget senter", "T07": None, "T08": "ja", "T09": "ja", "T10": "5",
    "T11": "diabetes, KOLS", "T12": "via brukerorganisasjoner", "T13": "ja", "T14": "ja", "T15": "ja",
    "T16": "nei", "T17": "ja", "T18": "ja", "T19": "tjeneste", "T20": PERSON, "T21": CONTACT,
    "T22": dt.date(2014, 11, 12), "T23": "«Vi lærer av hverandre», sa Kari",
}


@pytest.fixture(scope="module")
def cls():
    return load(REFERENCE, "2015")


def write_interview(path: Path, answers: dict[str, object] | None = None, *, rows: list[list[object]] | None = None,
                    sheet: str = "Intervju", before: list[list[object]] | None = None,
                    extra_sheets: tuple[str, ...] = ()) -> Path:
    """A workbook as the interviewers filled it: title, a blank row, header, then one row per item.

    ``answers`` update :data:`BASE`; ``rows`` replace the item rows entirely;
    ``before`` replaces the rows between title and header; ``extra_sheets`` come
    before the answer sheet, so the sheet must be found by name.
    """
    wb = Workbook()
    default = wb.active
    for name in extra_sheets:
        wb.create_sheet(name).append(["notater", "Kari sa noe"])
    ws = wb.create_sheet(sheet)
    wb.remove(default)
    ws.append(["Kartlegging av lærings- og mestringstjenester 2015"])
    for row in before if before is not None else [[]]:
        ws.append(row)
    ws.append(["Nr", "Spørsmål", "Svar", "Kommentar"])
    if rows is None:
        merged = {**BASE, **(answers or {})}
        rows = [[code, f"spørsmål {code}", value, None] for code, value in merged.items()]
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def everything(result) -> str:
    """All output of an ingest as one string, to check that nothing personal leaked."""
    frames = [result.interviews, result.services, result.service_kommuner]
    return "\n".join([f.to_csv() for f in frames] + [repr(i) for i in result.issues])


def issues_of(result, file: str, record: str | None = None) -> list:
    return [i for i in result.issues if i.file == file and (record is None or i.record == record)]


def validate(result) -> None:
    to_arrow(result.interviews, INTERVIEWS)
    to_arrow(result.services, SERVICES)
    to_arrow(result.service_kommuner, SERVICE_KOMMUNER)


def test_complete_interview_is_coded(tmp_path, cls):
    write_interview(tmp_path / "bodo.xlsx")
    result = ingest_interviews(tmp_path, cls, "2015", [])
    assert result.issues == []
    iv = result.interviews.iloc[0]
    assert iv["service_id"] == "2015-1804-01"
    assert iv["vert_kommunenummer"] == "1804" and iv["andre_kommuner"] == ["1840", "1841"]
    assert iv["samarbeidsform"] == "interkommunal" and iv["organisering"] == "eget_senter"
    assert iv["prosjektfinansiert"] is False and iv["antall_tilbud"] == 5.0
    assert iv["malgrupper"] == ["diabetes", "kols"] and iv["rekruttering"] == "via_brukerorganisasjoner"
    assert iv["hf_helsepedagogikk"] == "nei" and iv["inkludert"] == "ja" and iv["grunnlag"] == "tjeneste"
    assert iv["intervjudato"] == dt.date(2014, 11, 12)
    sv = result.services.iloc[0]
    assert sv["type"] == "interkommunal" and sv["antall_kommuner"] == 3 and sv["navn"] == BASE["T01"]
    assert sv["friskliv_og_mestring_navn"] is False and sv["antall_intervjuer"] == 1
    bridge = result.service_kommuner
    assert list(zip(bridge["kommunenummer"], bridge["rolle"])) == [("1804", "vert"), ("1840", "medlem"),
                                                                   ("1841", "medlem")]
    validate(result)
    text = everything(result)
    assert PERSON not in text and "kari" not in text.casefold() and "75 55" not in text


def test_rows_reordered_inserted_empty_and_extra_sheets(tmp_path, cls):
    respelled = {"T05": "t5", "T06": " T06 ", "T07": "T7", "T18": "t18."}
    rows: list[list[object]] = [["Del 1: om tjenesten", None, None, None], [None, None, None, None]]
    for code, value in reversed(list(BASE.items())):
        rows.append([respelled.get(code, code), "spm", value, "kommentar"])
        rows.append([None, None, None, None])
    write_interview(tmp_path / "x.xlsx", rows=rows, extra_sheets=("Notater",), before=[[], [], ["Intervjuer: NN"]])
    result = ingest_interviews(tmp_path, cls, "2015", [])
    assert result.issues == []
    iv = result.interviews.iloc[0]
    assert iv["andre_kommuner"] == ["1840", "1841"]
    assert iv["organisering"] == "eget_senter"
    assert iv["inkludert"] == "ja"
    assert iv["intervjudato"] == dt.date(2014, 11, 12)
    assert PERSON not in everything(result)


def test_number_words_ranges_text_dates_and_lost_zeros(tmp_path, cls):
    write_interview(tmp_path / "a.xlsx", {"T02": 219, "T05": "220; 626", "T10": "tolv", "T22": "12.11.2014"})
    write_interview(tmp_path / "b.xlsx", {"T02": "0301", "T03": 30102, "T04": "kommunal", "T05": None,
                                          "T10": "3–4", "T22": "3. des. 2014"})
    write_interview(tmp_path / "c.xlsx", {"T02": "1804 Bodø", "T04": "kommunal", "T05": None, "T10": "ca. 5",
                                          "T22": 41960})
    write_interview(tmp_path / "d.xlsx", {"T05": "1840 1841"})
    result = ingest_interviews(tmp_path, cls, "2015", [])
    iv = result.interviews.set_index("file")
    assert iv.loc["a.xlsx", "vert_kommunenummer"] == "0219"
    assert iv.loc["a.xlsx", "andre_kommuner"] == ["0220", "0626"]
    assert iv.loc["a.xlsx", "antall_tilbud"] == 12.0
    assert iv.loc["a.xlsx", "intervjudato"] == dt.date(2014, 11, 12)
    assert iv.loc["b.xlsx", "vert_kommunenummer"] == "0301" and iv.loc["b.xlsx", "bydelsnummer"] == "030102"
    assert iv.loc["b.xlsx", "antall_tilbud"] == 3.5 and iv.loc["b.xlsx", "intervjudato"] == dt.date(2014, 12, 3)
    assert iv.loc["c.xlsx", "vert_kommunenummer"] == "1804" and iv.loc["c.xlsx", "antall_tilbud"] == 5.0
    assert iv.loc["c.xlsx", "intervjudato"] == dt.date(2014, 11, 17)
    assert iv.loc["d.xlsx", "andre_kommuner"] == [], "two numbers without a separator are not guessed"
    assert [(i.file, i.record) for i in result.issues] == [("d.xlsx", "T05")]
    validate(result)


def oslo_bydel(tmp_path: Path, file: str, bydel: object, **answers: object) -> Path:
    base = {"T01": "Lærings- og mestringstilbud", "T02": "Oslo", "T03": bydel, "T04": "kommunal", "T05": None}
    return write_interview(tmp_path / file, {**base, **answers})


def test_numbers_joined_by_og_are_a_list_not_number_and_name(tmp_path, cls):
    """'1517 og 1515' once read as 1517 with the name 'og 1515' (a valid number decided), losing 1515."""
    write_interview(tmp_path / "a.xlsx", {"T02": 1804, "T04": "interkommunal", "T05": "1517 og 1515"})
    write_interview(tmp_path / "b.xlsx", {"T02": 1804, "T04": "interkommunal", "T05": "619 og Hol"})
    write_interview(tmp_path / "c.xlsx", {"T02": "1517 og 1515", "T04": "interkommunal", "T05": "Bodø"})
    result = ingest_interviews(tmp_path, cls, "2015", [])
    iv = result.interviews.set_index("file")
    assert iv.loc["a.xlsx", "andre_kommuner"] == ["1515", "1517"]
    assert iv.loc["b.xlsx", "andre_kommuner"] == ["0619", "0620"]
    assert iv.loc["c.xlsx", "vert_kommunenummer"] is None, "two hosts are not one"
    assert ("c.xlsx", "T02") in [(i.file, i.record) for i in result.issues]


def test_oslo_bydeler_merge_into_one_kommunal_service(tmp_path, cls):
    oslo_bydel(tmp_path, "oslo-alna.xlsx", "Bydel Alna", T06="koordinator", T07="x", T08="nei", T09="nei",
               T10="fem", T11="kols\npårørende", T15=None, T22="20.01.2015")
    oslo_bydel(tmp_path, "oslo-frogner.xlsx", "030105", T06="avdeling", T08="ja", T09="nei", T10="3-4",
               T11="kreft", T15=None, T19="erfaring", T22="14.11.2014")
    oslo_bydel(tmp_path, "oslo-grunerlokka.xlsx", 30102, T01="Friskliv og mestring Grünerløkka",
               T06="frisklivssentral", T08="ja", T09="vet ikke", T10=2, T11="diabetes", T15=None)
    oslo_bydel(tmp_path, "oslo-sagene.xlsx", "Sagene", T06="frisklivssentral", T10="7", T18="nei",
               T22="01.12.2014")
    write_interview(tmp_path / "bodo.xlsx")
    result = ingest_interviews(tmp_path, cls, "2015", [])
    services = result.services.set_index("service_id")
    assert list(services.index) == ["2015-0301-01", "2015-0301-02", "2015-1804-01"]
    merged = services.loc["2015-0301-01"]
    assert merged["antall_intervjuer"] == 3
    assert merged["inkludert"] == "ja"
    assert merged["type"] == "kommunal" and merged["antall_kommuner"] == 1
    assert merged["brukerorg_etablering"] == "ja", "two ja and one nei give ja"
    assert merged["tilbud_startet"] == "nei", "no ja, one nei gives nei"
    assert merged["hf_utvikling"] is None, "nobody answered"
    assert merged["antall_tilbud"] == 5 + 3.5 + 2
    assert merged["malgrupper"] == ["diabetes", "kols", "kreft", "parorende"]
    assert merged["prosjektfinansiert"] is True
    assert merged["grunnlag"] == "tjeneste"
    assert merged["organisering"] == "frisklivssentral", "a three-way tie goes to the lowest bydel (030102)"
    assert merged["navn"] == "Oslo kommune (bydelene Grünerløkka, Frogner, Alna)"
    assert merged["friskliv_og_mestring_navn"] is True
    assert merged["forste_intervju"] == dt.date(2014, 11, 12) and merged["siste_intervju"] == dt.date(2015, 1, 20)
    rejected = services.loc["2015-0301-02"]
    assert rejected["inkludert"] == "nei" and rejected["antall_intervjuer"] == 1
    assert rejected["navn"] == "Oslo kommune (bydelene Sagene)" and rejected["antall_tilbud"] == 7.0
    iv = result.interviews.set_index("file")
    assert set(iv.loc[["oslo-alna.xlsx", "oslo-frogner.xlsx", "oslo-grunerlokka.xlsx"], "service_id"]) == {
        "2015-0301-01"}
    assert iv.loc["oslo-sagene.xlsx", "service_id"] == "2015-0301-02"
    assert iv.loc["oslo-alna.xlsx", "bydelsnummer"] == "030112"
    bridge = result.service_kommuner
    assert list(bridge[bridge["service_id"] == "2015-0301-01"]["kommunenummer"]) == ["0301"]
    assert result.issues == []
    validate(result)


def test_oslo_organisation_is_the_most_frequent_code(tmp_path, cls):
    oslo_bydel(tmp_path, "a.xlsx", "030101", T06="koordinator")
    oslo_bydel(tmp_path, "b.xlsx", "030110", T06="avdeling")
    oslo_bydel(tmp_path, "c.xlsx", "030111", T06="avdeling")
    assert ingest_interviews(tmp_path, cls, "2015", []).services.loc[0, "organisering"] == "avdeling"


def test_oslo_bydel_listing_other_kommuner_is_reviewed_not_counted(tmp_path, cls):
    oslo_bydel(tmp_path, "a.xlsx", "Alna", T04="interkommunal", T05="Bærum")
    result = ingest_interviews(tmp_path, cls, "2015", [])
    assert result.services.loc[0, "type"] == "kommunal"
    assert any("one kommunal service" in i.reason for i in issues_of(result, "a.xlsx", "T05"))


def test_rejected_candidate_and_sequence_by_file_name(tmp_path, cls):
    write_interview(tmp_path / "b-bodo.xlsx", {"T18": "nei", "T04": "kommunal", "T05": None})
    write_interview(tmp_path / "a-bodo.xlsx")
    result = ingest_interviews(tmp_path, cls, "2015", [])
    services = result.services.set_index("service_id")
    assert services.loc["2015-1804-01", "inkludert"] == "ja" and services.loc["2015-1804-01", "type"] == "interkommunal"
    assert services.loc["2015-1804-02", "inkludert"] == "nei" and services.loc["2015-1804-02", "type"] == "kommunal"
    assert result.interviews.set_index("file").loc["b-bodo.xlsx", "service_id"] == "2015-1804-02"


def test_unreadable_workbooks_are_quarantined_and_others_still_read(tmp_path, cls):
    write_interview(tmp_path / "good.xlsx")
    write_interview(tmp_path / "wrong-sheet.xlsx", sheet="Ark1")
    (tmp_path / "not-a-zip.xlsx").write_bytes(b"PK? no, just text")
    (tmp_path / "~$good.xlsx").write_bytes(b"\x00lock")
    wb = Workbook()
    wb.active.title = "Intervju"
    wb.active.append(["Bare en tittel"])
    wb.save(tmp_path / "no-header.xlsx")
    (tmp_path / "notes.txt").write_text("not an xlsx: quarantined, since conservation counts every file")
    result = ingest_interviews(tmp_path, cls, "2015", [])
    assert list(result.interviews["file"]) == ["good.xlsx"]
    quarantined = {i.file: i for i in result.issues if i.action == "quarantine"}
    assert set(quarantined) == {"wrong-sheet.xlsx", "not-a-zip.xlsx", "~$good.xlsx", "no-header.xlsx", "notes.txt"}
    assert "not an .xlsx workbook" in quarantined["notes.txt"].reason
    assert "Intervju" in quarantined["wrong-sheet.xlsx"].reason and "Ark1" in quarantined["wrong-sheet.xlsx"].reason
    assert "damaged zip archive" in quarantined["not-a-zip.xlsx"].reason  # starts with PK, like a zip
    assert "lock file" in quarantined["~$good.xlsx"].reason
    assert "header" in quarantined["no-header.xlsx"].reason


def test_sheet_name_matches_case_and_space_insensitively(tmp_path, cls):
    write_interview(tmp_path / "a.xlsx", sheet="intervju ")
    assert len(ingest_interviews(tmp_path, cls, "2015", []).interviews) == 1


def test_duplicated_item_code(tmp_path, cls):
    rows = [[c, "spm", v, None] for c, v in BASE.items()]
    write_interview(tmp_path / "diff.xlsx", rows=rows + [["T08", "spm", "nei", None], ["T09", "spm", "Ja", None],
                                                         ["T20", "spm", "Ola Nordmann", None]])
    result = ingest_interviews(tmp_path, cls, "2015", [])
    iv = result.interviews.iloc[0]
    assert iv["brukerorg_etablering"] is None
    assert iv["tilbud_startet"] == "ja", "a repeated identical answer is no conflict"
    [issue] = result.issues
    assert issue.record == "T08" and "different answers" in issue.reason and issue.action == "review"
    assert "Ola" not in everything(result)


def test_error_values_and_formulas_go_to_review(tmp_path, cls):
    write_interview(tmp_path / "a.xlsx", {"T10": "#REF!", "T08": "=IF(1,\"ja\",\"nei\")", "T13": "#N/A",
                                          "T20": "=CONCAT(\"Kari\",\" Nordmann\")", "T21": "#REF!"})
    result = ingest_interviews(tmp_path, cls, "2015", [])
    iv = result.interviews.iloc[0]
    assert iv["antall_tilbud"] is None and iv["brukerorg_etablering"] is None and iv["kompetansekurs"] is None
    by_record = {i.record: i for i in result.issues}
    assert set(by_record) == {"T08", "T10", "T13"}, "T20/T21 are never looked at"
    assert by_record["T10"].code == "intervju.formel_eller_feilverdi" and by_record["T10"].reason.startswith("error")
    assert by_record["T08"].reason.startswith("formula") and "IF(" not in by_record["T08"].reason
    assert by_record["T10"].locator.startswith("cell C")  # where the review command finds the cell
    assert "Kari" not in everything(result)


def test_unreadable_answers_go_to_review_with_item_code(tmp_path, cls):
    write_interview(tmp_path / "a.xlsx", {"T10": "over 10", "T08": "delvis", "T11": "kols, demens",
                                          "T06": "noe helt annet", "T22": "i fjor"})
    result = ingest_interviews(tmp_path, cls, "2015", [])
    records = {i.record for i in result.issues}
    assert records == {"T06", "T08", "T10", "T11", "T22"}
    iv = result.interviews.iloc[0]
    assert iv["malgrupper"] == ["kols"] and iv["antall_tilbud"] is None
    validate(result)


def test_kommune_of_another_classification_version(tmp_path, cls):
    write_interview(tmp_path / "trondheim.xlsx", {"T02": 5001, "T04": "kommunal", "T05": None})
    write_interview(tmp_path / "member.xlsx", {"T05": "5001, Trondheim"})
    result = ingest_interviews(tmp_path, cls, "2015", [])
    [t02] = issues_of(result, "trondheim.xlsx", "T02")
    assert "another Klass version" in t02.reason
    iv = result.interviews.set_index("file")
    assert iv.loc["trondheim.xlsx", "vert_kommunenummer"] is None and iv.loc["trondheim.xlsx", "service_id"] is None
    assert iv.loc["member.xlsx", "andre_kommuner"] == ["1601"]
    [t05] = issues_of(result, "member.xlsx", "T05")
    assert "5001" in t05.reason
    assert list(result.services["vert_kommunenummer"]) == ["1804"]


def test_ambiguous_names_are_never_resolved_to_the_first_match(tmp_path, cls):
    write_interview(tmp_path / "host.xlsx", {"T02": "Herøy"})
    write_interview(tmp_path / "member.xlsx", {"T05": "Bø og Sande i Møre og Romsdal; Herøy (Møre og Romsdal)"})
    result = ingest_interviews(tmp_path, cls, "2015", [])
    iv = result.interviews.set_index("file")
    assert iv.loc["host.xlsx", "vert_kommunenummer"] is None
    assert "K1515" in issues_of(result, "host.xlsx", "T02")[0].reason
    assert iv.loc["member.xlsx", "andre_kommuner"] == ["1514", "1515"]
    [t05] = issues_of(result, "member.xlsx", "T05")
    assert "Bø" in t05.reason and "K0821" in t05.reason and "K1867" in t05.reason


def test_type_follows_resolved_kommuner(tmp_path, cls):
    write_interview(tmp_path / "a.xlsx", {"T04": "IKS", "T05": None})
    write_interview(tmp_path / "b.xlsx", {"T02": "Saltdal", "T04": "kommunal", "T05": "Bodø, Saltdal"})
    result = ingest_interviews(tmp_path, cls, "2015", [])
    services = result.services.set_index("vert_kommunenummer")
    assert services.loc["1804", "type"] == "kommunal" and services.loc["1804", "antall_kommuner"] == 1
    assert services.loc["1840", "type"] == "interkommunal" and services.loc["1840", "antall_kommuner"] == 2
    assert "names no other kommune" in issues_of(result, "a.xlsx", "T05")[0].reason
    assert "the type follows T05" in issues_of(result, "b.xlsx", "T04")[0].reason


def test_missing_items_and_unlabelled_answers_are_reported(tmp_path, cls):
    rows = [[c, "spm", v, None] for c, v in BASE.items() if c not in {"T12", "T18"}]
    rows.append(["X9", "spm", "noe", None])
    rows.append([None, None, "fortsettelse", None])
    write_interview(tmp_path / "a.xlsx", rows=rows)
    result = ingest_interviews(tmp_path, cls, "2015", [])
    reasons = [i.reason for i in result.issues]
    assert any("absent from the sheet: T12, T18" in r for r in reasons)
    assert any("not answered" in i.reason for i in issues_of(result, "a.xlsx", "T18"))
    unlabelled = [i for i in result.issues if i.record.startswith("row ")]
    assert len(unlabelled) == 2 and all(i.code == "intervju.nr_mangler" for i in unlabelled)
    assert not any("noe" in i.reason or "fortsettelse" in i.reason for i in unlabelled)
    assert result.services.loc[0, "inkludert"] == "vet_ikke"
    validate(result)


def test_friskliv_og_mestring_name_and_organisation(tmp_path, cls):
    write_interview(tmp_path / "a.xlsx",
                    {"T01": "Frisklivs- og mestringssenteret", "T06": "frisklivs- og mestringssenter"})
    sv = ingest_interviews(tmp_path, cls, "2015", []).services.iloc[0]
    assert sv["friskliv_og_mestring_navn"] is True and sv["organisering"] == "friskliv_og_mestring"


def test_overrides_settle_items_and_are_reported(tmp_path, cls):
    write_interview(tmp_path / "a.xlsx", {"T02": "Herøy", "T05": "Bø, Saltdal", "T10": "over 10", "T08": "delvis"})
    overrides = [
        Override("ov-1", "intervju", "a.xlsx", "T02", {"kommunenummer": "1818"}),
        Override("ov-2", "intervju", "a.xlsx", "T5", {"kommuner": ["1867", "1840"]}),
        Override("ov-3", "intervju", "a.xlsx", "T10", {"value": "12"}),
        Override("ov-4", "intervju", "a.xlsx", "T08", {"value": "kanskje"}),
        Override("ov-5", "intervju", "other.xlsx", "T10", {"value": "3"}),
        Override("ov-6", "telefon", "a.xlsx", "T10", {"value": "3"}),
    ]
    result = ingest_interviews(tmp_path, cls, "2015", overrides)
    assert result.applied == {"ov-1", "ov-2", "ov-3", "ov-4"}
    iv = result.interviews.iloc[0]
    assert iv["vert_kommunenummer"] == "1818" and iv["andre_kommuner"] == ["1840", "1867"]
    assert iv["antall_tilbud"] == 12.0 and iv["brukerorg_etablering"] is None
    resolved = {i.record: i.resolved_by for i in result.issues if i.resolved_by}
    assert resolved == {"T02": "ov-1", "T05": "ov-2", "T10": "ov-3", "T08": "ov-4"}
    open_items = [i for i in result.issues if i.resolved_by is None]
    assert len(open_items) == 1 and open_items[0].reason.startswith("override ov-4:")
    assert result.services.loc[0, "service_id"] == "2015-1818-01"


@pytest.mark.parametrize("record, setting", [
    ("T20", {"value": "x"}), ("T10", {"kommuner": ["1804"]}), ("T05", {"kommuner": ["5001"]}),
    ("T02", {"kommunenummer": "9998"}), ("rad 4", {"value": "x"}), ("T03", {"bydelsnummer": "030199"}),
])
def test_malformed_override_is_an_error_naming_it(tmp_path, cls, record, setting):
    write_interview(tmp_path / "a.xlsx")
    with pytest.raises(OverrideError, match="ov-9"):
        ingest_interviews(tmp_path, cls, "2015", [Override("ov-9", "intervju", "a.xlsx", record, setting)])


def test_many_copies_of_one_workbook_give_one_row_each(tmp_path, cls):
    """Every file is read on its own. How fast is the benchmark's business (benchmarks/bench.py: the interview
    ingest at 100x, 1,000 workbooks/s on one core), not a test's: a loaded CI machine is no measure."""
    template = write_interview(tmp_path / "template.xlsx")
    folder = tmp_path / "many"
    folder.mkdir()
    n = 20
    for k in range(n):
        shutil.copyfile(template, folder / f"iv-{k:04d}.xlsx")
    result = ingest_interviews(folder, cls, "2015", [])
    assert sorted(result.interviews["file"]) == [f"iv-{k:04d}.xlsx" for k in range(n)]
    assert not [i for i in result.issues if i.action == "quarantine"]


def test_bydel_in_t02_means_oslo_and_a_kommune_in_t03_is_reviewed(tmp_path, cls):
    write_interview(tmp_path / "a.xlsx", {"T02": "Bydel Alna", "T04": "kommunal", "T05": None})
    write_interview(tmp_path / "b.xlsx", {"T02": None, "T03": "Bydel Stovner", "T04": "kommunal", "T05": None})
    write_interview(tmp_path / "c.xlsx", {"T02": "Oslo", "T03": "Bærum", "T04": "kommunal", "T05": None})
    write_interview(tmp_path / "d.xlsx", {"T03": "Grorud"})
    result = ingest_interviews(tmp_path, cls, "2015", [])
    iv = result.interviews.set_index("file")
    assert (iv.loc["a.xlsx", "vert_kommunenummer"], iv.loc["a.xlsx", "bydelsnummer"]) == ("0301", "030112")
    assert (iv.loc["b.xlsx", "vert_kommunenummer"], iv.loc["b.xlsx", "bydelsnummer"]) == ("0301", "030111")
    assert iv.loc["c.xlsx", "bydelsnummer"] is None
    assert "names a kommune" in issues_of(result, "c.xlsx", "T03")[0].reason
    assert iv.loc["d.xlsx", "vert_kommunenummer"] == "1804" and iv.loc["d.xlsx", "bydelsnummer"] is None
    assert "not used" in issues_of(result, "d.xlsx", "T03")[0].reason
    assert list(result.services["service_id"]) == ["2015-0301-01", "2015-1804-01"]
    assert result.services.loc[0, "antall_intervjuer"] == 3


@pytest.mark.parametrize("typed, members, review", [
    # a fylke right after an ambiguous name settles it: Herøy in Møre og Romsdal, not in Nordland
    ("Molde, Herøy, Møre og Romsdal, Aukra", ["1502", "1515", "1547"], None),
    ("Herøy; Nordland\nSaltdal", ["1818", "1840"], None),
    # after a name it agrees with, a fylke adds nothing
    ("Molde, Møre og Romsdal", ["1502"], None),
    # a fylke that contradicts the name before it, or stands alone, is no kommune: review
    ("Saltdal, Møre og Romsdal", ["1840"], "a fylke, not a kommune"),
    ("Nordland, Saltdal", ["1840"], "a fylke, not a kommune"),
    # without a fylke after it, Herøy stays ambiguous
    ("Molde, Herøy, Aukra", ["1502", "1547"], "ambiguous name"),
])
def test_a_fylke_after_an_ambiguous_name_in_a_kommune_list_settles_it(tmp_path, cls, typed, members, review):
    write_interview(tmp_path / "a.xlsx", {"T02": "Fauske", "T05": typed})
    result = ingest_interviews(tmp_path, cls, "2015", [])
    assert result.interviews.set_index("file").loc["a.xlsx", "andre_kommuner"] == members
    reasons = [i.reason for i in issues_of(result, "a.xlsx", "T05")]
    assert (reasons == []) if review is None else any(review in r for r in reasons)


def test_herøy_named_with_its_fylke_counts_in_every_coverage_figure(tmp_path):
    """In the 2024 structure too: the kommune no longer drops out of the service's kommuner."""
    write_interview(tmp_path / "a.xlsx", {"T02": "Molde", "T05": "Herøy, Møre og Romsdal, Aukra"})
    result = ingest_interviews(tmp_path, load(REFERENCE, "2024"), "2026", [])
    bridge = result.service_kommuner
    assert sorted(bridge["kommunenummer"]) == ["1506", "1515", "1547"]
    assert issues_of(result, "a.xlsx", "T05") == []
