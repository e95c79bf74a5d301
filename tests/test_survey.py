"""The survey commands: new-round, letters, reminders, phone-list, interview-workbooks.

Every test works in a throwaway project folder (tests/survey_project.py): the repository's config is
copied, never edited.
"""

from __future__ import annotations

import email
import email.policy
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
import yaml
from survey_project import ROOT, fill_contacts, make_project, start_round, survey

from kartlegging.core.config_check import validate_config
from kartlegging.survey.context import SurveyError, load_context


@pytest.fixture
def started(tmp_path, monkeypatch):
    project = start_round(tmp_path)
    monkeypatch.chdir(project)
    return project


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


# -- new-round ---------------------------------------------------------------------------------

def test_new_round_writes_every_template_and_a_config_entry_in_the_agreed_shape(tmp_path):
    project = make_project(tmp_path)
    before = (project / "config" / "config.yaml").read_text(encoding="utf-8")
    proc = survey(project, "new-round", "2026")
    assert proc.returncode == 0, proc.stderr
    after = (project / "config" / "config.yaml").read_text(encoding="utf-8")
    config = yaml.safe_load(after)
    assert config["rounds"]["2026"] == {"classification": "2024", "leader_title": "kommunedirektør",
                                        "publication": {"demonstration": False}}
    assert config["rounds"]["2015"] == yaml.safe_load(before)["rounds"]["2015"]
    # every line of the file is kept, comments included, in its place: the entry is only inserted
    added = [ln for ln in after.split("\n") if ln not in before.split("\n")]
    assert [ln for ln in after.split("\n") if ln not in added] == before.split("\n")
    assert added[0] == '  "2026":' and any("# date: YYYY-MM-DD" in ln for ln in added)
    validate_config(config, project / "config" / "schema.yaml")

    raw = project / "data" / "raw" / "2026"
    assert _files(raw) == ["README.md", "kontaktliste.csv", "maler/intervju.xlsx", "telefonrunde.xlsx",
                           "utsendelse.csv"]
    assert (raw / "epost").is_dir() and (raw / "intervjuer").is_dir()
    contacts = (raw / "kontaktliste.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(contacts) == 1 + 357 + 15   # every kommune of Klass 131 version 2024 and Oslo's bydeler
    assert contacts[1].startswith("K0301;0301;;Oslo;") and contacts[-1].startswith("B030115;0301;030115;")
    assert (raw / "utsendelse.csv").read_text(encoding="utf-8-sig").strip().split(";")[-1] == "paminnelse_message_id"
    register = yaml.safe_load((project / "config" / "register" / "2026.yaml").read_text(encoding="utf-8"))
    assert register == {"round": "2026", "figures": []}
    from kartlegging.core.letter import load_letter

    letter = load_letter(project / "config" / "letters" / "2026.yaml")
    assert len(letter.questions) == 5 and letter.reply_by == date(2026, 11, 30)


def test_new_round_templates_are_what_the_pipeline_reads(tmp_path):
    from kartlegging.ingest.dispatch import DispatchError, check_readable
    from kartlegging.ingest.filetype import workbook_problem
    from kartlegging.ingest.interviews import read_interview
    from kartlegging.ingest.phone import ingest_phone

    project = make_project(tmp_path, keep_rounds=False)
    assert survey(project, "new-round", "2026").returncode == 0
    raw = project / "data" / "raw" / "2026"
    ctx = load_context(project / "config" / "config.yaml", "2026")
    assert workbook_problem(raw / "telefonrunde.xlsx", "Telefonrunde") is None
    assert ctx.classification.version == "2024"
    phone = ingest_phone(raw / "telefonrunde.xlsx", ctx.classification, set(), "2026", [])
    assert phone.attempts.empty and phone.issues == []
    interview = read_interview(raw / "maler" / "intervju.xlsx", ctx.classification, [])
    assert {i.code for i in interview.issues} >= {"intervju.vertskommune_mangler"}   # blank: no host yet
    assert not [i for i in interview.issues if i.code == "intervju.sporsmal_mangler"]  # every item is there
    with pytest.raises(DispatchError, match="no recipients.*make letters"):
        check_readable(raw)


def _cls():
    from kartlegging.core.classification import load

    return load(ROOT / "data" / "reference", "2024")


def test_new_round_again_changes_nothing(tmp_path):
    project = make_project(tmp_path)
    assert survey(project, "new-round", "2026").returncode == 0
    snapshot = {p: p.read_bytes() for p in project.rglob("*") if p.is_file() and "reference" not in p.parts}
    proc = survey(project, "new-round", "2026")
    assert proc.returncode == 0, proc.stderr
    assert "kept" in proc.stdout and "wrote" not in proc.stdout
    assert {p: p.read_bytes() for p in snapshot} == snapshot


def test_new_round_refuses_a_round_it_did_not_start(tmp_path):
    project = make_project(tmp_path)
    (project / "data" / "raw" / "2015").mkdir(parents=True)
    (project / "data" / "raw" / "2015" / "utsendelse.csv").write_text("x", encoding="utf-8")
    before = (project / "config" / "config.yaml").read_bytes()
    proc = survey(project, "new-round", "2015")
    assert proc.returncode == 2 and "never overwrites a round" in proc.stderr and "Traceback" not in proc.stderr
    assert (project / "config" / "config.yaml").read_bytes() == before
    assert not (project / "config" / "letters").exists()


def test_a_round_before_2020_writes_to_the_radmann_in_its_own_structure(tmp_path):
    project = make_project(tmp_path, keep_rounds=False)
    assert survey(project, "new-round", "2018").returncode == 0
    entry = yaml.safe_load((project / "config" / "config.yaml").read_text(encoding="utf-8"))["rounds"]["2018"]
    assert entry["classification"] == "2018" and entry["leader_title"] == "rådmann"
    proc = survey(project, "new-round", "vaar-runden")
    assert proc.returncode == 2 and "--date" in proc.stderr
    assert survey(project, "new-round", "vaar-runden", "--date", "2021-03-01").returncode == 0
    entry = yaml.safe_load((project / "config" / "config.yaml").read_text(encoding="utf-8"))["rounds"]["vaar-runden"]
    assert entry["classification"] == "2020"


def test_git_status_after_new_round_shows_no_file_of_the_rounds_raw_folder(tmp_path):
    project = make_project(tmp_path)
    shutil.copy(ROOT / ".gitignore", project / ".gitignore")
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    assert survey(project, "new-round", "2026").returncode == 0
    fill_contacts(project / "data" / "raw" / "2026")
    (project / "data" / "raw" / "2026" / "epost" / "svar.eml").write_text("From: x@y.no\n\nNei\n", encoding="utf-8")
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=project,
                            capture_output=True, text=True, check=True).stdout
    assert "data/raw/2026" not in status
    assert "config/letters/2026.yaml" in status and "config/register/2026.yaml" in status
    # the tracked demonstration round stays visible to git
    (project / "data" / "raw" / "2015").mkdir()
    (project / "data" / "raw" / "2015" / "utsendelse.csv").write_text("x", encoding="utf-8")
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=project,
                            capture_output=True, text=True, check=True).stdout
    assert "data/raw/2015/utsendelse.csv" in status


# -- contact list and letters --------------------------------------------------------------------

def test_contact_list_problems_are_all_listed_by_line_without_the_address(started):
    from kartlegging.survey.contacts import read_contacts

    path = started / "data" / "raw" / "2026" / "kontaktliste.csv"
    lines = path.read_bytes().decode("windows-1252").split("\r\n")
    lines[3] = lines[3].replace("postmottak@", "postmottak-at-")      # not an address (line 4)
    lines.insert(8, lines[7])                                         # a unit twice (line 9)
    del lines[20]                                                     # a unit missing
    lines.append("K9999;9999;;Atlantis;x@y.no;")                      # no kommune of 2024
    path.write_bytes("\r\n".join(lines).encode("windows-1252"))
    with pytest.raises(SurveyError) as err:
        read_contacts(path, _cls())
    text = str(err.value)
    assert "line 4: the address for" in text and "is not one e-mail address" in text
    assert "line 9:" in text and "listed twice (first on line 8)" in text
    assert "missing from the list (1 of 372" in text and "K9999 is no kommune or bydel" in text
    assert "postmottak-at-" not in text and "read as windows-1252 text, ';'-separated" in text


def test_letters_write_a_draft_per_unit_with_its_tag_and_the_message_id_of_the_dispatch_list(started):
    from kartlegging.ingest.dispatch import read_dispatch
    from kartlegging.ingest.email.identify import tag_units

    proc = survey(started, "letters", "2026", "--sendt", "2026-10-01")
    assert proc.returncode == 0, proc.stderr
    assert "@" not in proc.stdout.replace("kartlegging@", "")   # no address is printed
    raw = started / "data" / "raw" / "2026"
    drafts = sorted((raw / "utsendelse" / "brev").glob("*.eml"))
    assert len(drafts) == 372
    dispatch = read_dispatch(raw / "utsendelse.csv", _cls(), "2026")
    assert len(dispatch.units) == 372
    for path in drafts[:5] + drafts[-3:]:
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        unit = path.stem
        assert tag_units(str(msg["Subject"]), dispatch) == {unit}
        assert dispatch.by_message_id[msg["Message-ID"].strip("<>").lower()] == unit
        assert msg["X-Unsent"] == "1" and msg["To"] == next(iter(
            a for a, units in dispatch.by_address.items() if unit in units))
        body = msg.get_content()
        assert body.startswith("Til bydelsdirektøren" if unit.startswith("B") else "Til kommunedirektøren")
        assert "30. november 2026" in body and "{" not in body
    merge = (raw / "utsendelse" / "flettefil.csv").read_text(encoding="utf-8-sig").splitlines()
    assert merge[0] == "enhet_id;enhet_navn;epost;emne;mottaker" and len(merge) == 373
    assert merge[1].split(";")[3].endswith("[K0301]")
    # a second run refuses, unless forced; forced, the Message-IDs are the same
    again = survey(started, "letters", "2026")
    assert again.returncode == 2 and "FORCE=1" in again.stderr
    first = (raw / "utsendelse.csv").read_bytes()
    assert survey(started, "letters", "2026", "--sendt", "2026-10-01", "--force").returncode == 0
    assert (raw / "utsendelse.csv").read_bytes() == first


def test_letters_need_the_senders_address(tmp_path, monkeypatch):
    project = make_project(tmp_path, keep_rounds=False)
    assert survey(project, "new-round", "2026").returncode == 0
    fill_contacts(project / "data" / "raw" / "2026")
    proc = survey(project, "letters", "2026")
    assert proc.returncode == 2 and "sender.address is empty" in proc.stderr


def _reply(raw: Path, name: str, unit: str, text: str, sender: str = "x@gmail.com") -> None:
    draft = email.message_from_bytes((raw / "utsendelse" / "brev" / f"{unit}.eml").read_bytes(),
                                     policy=email.policy.default)
    msg = email.message.EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "kartlegging@example.no", "SV: " + str(draft["Subject"])
    msg["Date"], msg["Message-ID"] = "Mon, 05 Oct 2026 10:00:00 +0200", f"<{name}@test.invalid>"
    msg.set_content(text + "\n\n" + "\n".join("> " + ln for ln in draft.get_content().split("\n")))
    (raw / "epost" / f"{name}.eml").write_bytes(bytes(msg))


def test_phone_list_has_exactly_the_units_without_a_reply_and_they_get_reminders(started):
    from python_calamine import CalamineWorkbook

    raw = started / "data" / "raw" / "2026"
    assert survey(started, "letters", "2026", "--sendt", "2026-10-01").returncode == 0
    _reply(raw, "a", "K1804", "1. Ja\n2. LMS Bodø\n3. Kommunal\n4. Kari Nordmann, 99 00 12 34\n5. -")
    _reply(raw, "b", "B030102", "Nei, vi har ikke en slik tjeneste.")
    (raw / "epost" / "c.eml").write_text("From: y@gmail.com\nSubject: Automatisk svar\nAuto-Submitted: auto-replied"
                                         "\n\nJeg er borte.\n", encoding="utf-8")   # an auto-reply is no reply
    proc = survey(started, "phone-list", "2026", "--sendt", "2026-12-01")
    assert proc.returncode == 0, proc.stderr
    rows = CalamineWorkbook.from_path(str(raw / "telefonrunde.xlsx")).get_sheet_by_name("Telefonrunde").to_python()
    assert rows[0][:6] == ["Kommune/bydel", "Kommunenr", "Dato", "Kontakt", "Svar", "Kommentar"]
    listed = [r[1] for r in rows[1:]]
    assert len(listed) == 370 and "1804" not in listed and "030102" not in listed and "0301" in listed
    reminders = sorted(p.stem for p in (raw / "utsendelse" / "paminnelse").glob("*.eml"))
    assert len(reminders) == 370 and "K1804" not in reminders
    msg = email.message_from_bytes((raw / "utsendelse" / "paminnelse" / "K0301.eml").read_bytes(),
                                   policy=email.policy.default)
    original = email.message_from_bytes((raw / "utsendelse" / "brev" / "K0301.eml").read_bytes(),
                                        policy=email.policy.default)
    assert msg["In-Reply-To"] == original["Message-ID"] and str(msg["Subject"]).startswith("Påminnelse: ")
    dispatch = (raw / "utsendelse.csv").read_text(encoding="utf-8-sig")
    assert msg["Message-ID"] in dispatch
    # once a call is written down, the list is not replaced
    from openpyxl import load_workbook

    wb = load_workbook(raw / "telefonrunde.xlsx")
    wb["Telefonrunde"]["E2"] = "nei"
    wb.save(raw / "telefonrunde.xlsx")
    again = survey(started, "phone-list", "2026")
    assert again.returncode == 2 and "already records 1 call" in again.stderr


def test_interview_workbooks_one_per_service_named_prefilled_and_readable_by_the_ingest(started):
    from kartlegging.ingest.interviews import read_interview

    raw = started / "data" / "raw" / "2026"
    assert survey(started, "letters", "2026", "--sendt", "2026-10-01").returncode == 0
    _reply(raw, "molde", "K1506", "1. Ja\n2. Romsdal lærings- og mestringssenter\n3. Interkommunalt, sammen med "
                                  "Aukra og Herøy, Møre og Romsdal\n4. Per Olsen, per.olsen@molde.kommune.no\n5. -")
    _reply(raw, "aukra", "K1547", "1. Ja\n2. Vi er med i Romsdal LMS\n3. Interkommunal: Molde\n5. -")
    _reply(raw, "bodo", "K1804", "1. Ja\n2. Frisklivs- og mestringssenteret\n3. Kommunal\n4. Kari, 99 00 12 34")
    _reply(raw, "gl", "B030102", "1. Ja\n2. Frisklivssentralen i bydelen\n3. Kommunal")
    _reply(raw, "halden", "K3101", "1. Nei\n5. Nei")
    proc = survey(started, "interview-workbooks", "2026")
    assert proc.returncode == 0, proc.stderr
    books = sorted(p.name for p in (raw / "intervjuer").glob("*.xlsx"))
    assert books == ["intervju-B030102-bydel-grunerlokka.xlsx", "intervju-K1506-molde.xlsx",
                     "intervju-K1804-bodo.xlsx"]
    molde = read_interview(raw / "intervjuer" / "intervju-K1506-molde.xlsx", _cls(), [])
    assert molde.values["vert_kommunenummer"] == "1506" and molde.values["samarbeidsform"] == "interkommunal"
    assert molde.members == ["1515", "1547"]
    assert molde.values["tjeneste_navn"] is None     # the reply's own words stay beside T01, unread
    from python_calamine import CalamineWorkbook

    cells = CalamineWorkbook.from_path(str(raw / "intervjuer" / "intervju-K1506-molde.xlsx")).get_sheet_by_name(
        "Intervju").to_python()
    t01 = next(r for r in cells if r[0] == "T01")
    assert t01[2] == "" and t01[3] == "svar på spørsmål 2: Romsdal lærings- og mestringssenter"
    t21 = next(r for r in cells if r[0] == "T21")
    assert t21[2] == "per.olsen@molde.kommune.no"
    grunerlokka = read_interview(raw / "intervjuer" / "intervju-B030102-bydel-grunerlokka.xlsx", _cls(), [])
    assert (grunerlokka.host, grunerlokka.bydel) == ("0301", "030102")
    # run again: nothing is replaced
    again = survey(started, "interview-workbooks", "2026")
    assert again.returncode == 0 and "wrote 0 interview workbook(s)" in again.stdout


def test_the_commands_stop_with_one_line_when_the_round_is_not_in_the_config(tmp_path):
    project = make_project(tmp_path, keep_rounds=False)
    proc = survey(project, "letters", "2027")
    assert proc.returncode == 2 and proc.stderr.strip().count("\n") == 0
    assert "make new-round ROUND=2027" in proc.stderr


def test_make_survey_targets_need_a_round():
    proc = subprocess.run(["make", "-s", "new-round"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0 and "usage: make new-round ROUND=<round>" in proc.stdout
