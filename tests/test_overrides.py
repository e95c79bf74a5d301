"""Overrides with an audit trail: a reason without names, values in the table's vocabulary, errors with
file, line, id and fix, and every override that changed a record nobody had put under review shown."""
from __future__ import annotations

from pathlib import Path

import corpus as C
import pyarrow.parquet as pq
import pytest

from kartlegging.core import store
from kartlegging.core.classification import load
from kartlegging.core.overrides import OverrideError, from_entries, load_overrides, read_entries
from kartlegging.infra.run_summary import summary_lines
from kartlegging.ingest.dispatch import read_dispatch
from kartlegging.ingest.email.reader import ingest_email
from kartlegging.ingest.phone import ingest_phone
from kartlegging.ingest.round_facts import round_facts
from kartlegging.steps.common import applied_frame

ROOT = Path(__file__).resolve().parents[1]
KLASS = C.REFERENCE / "ssb-klass-131" / "version-2015.json"
BYDELER = C.REFERENCE / "oslo-bydeler.csv"
#: A contact person in an extra column of the dispatch list, an e-mail sender, the interviewed person (T20).
CONTACT = "Liv Halvorsen"
SENDER = "Tor Eikeland"


@pytest.fixture(scope="module")
def round_dir(tmp_path_factory) -> Path:
    rd = C.write_base_round(tmp_path_factory.mktemp("ov") / "raw")
    lines = (rd / "utsendelse.csv").read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ";kontaktperson"] + [ln + (f";{CONTACT}" if ln.startswith("K0101;") else ";")
                                              for ln in lines[1:]]
    (rd / "utsendelse.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (rd / "epost" / "privat.eml").write_bytes(C.eml(sender=f"{SENDER} <tor.eikeland@gmail.com>",
                                                    subject=f"SV: {C.SUBJECT}", body="1. Nei\n"))
    return rd


@pytest.fixture(scope="module")
def facts(round_dir):
    return round_facts(round_dir, KLASS, BYDELER)


def _file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "t.yaml"
    path.write_text("round: t\noverrides:\n" + body, encoding="utf-8")
    return path


def _entry(set_: str, reason: str = "the caller's notes give the kommune", source: str = "telefon",
           file: str = "telefonrunde.xlsx", record: str = "'4'", id_: str = "ov-t-001") -> str:
    return (f"  - id: {id_}\n    source: {source}\n    file: {file}\n    record: {record}\n"
            f"    set: {set_}\n    reason: {reason}\n")


# -- names in reasons --------------------------------------------------------------------------------------

@pytest.mark.parametrize("reason, where", [
    (f"{CONTACT} confirmed it by phone", "a contact in the dispatch list"),
    ("confirmed by halvorsen, liv on the phone", "a contact in the dispatch list"),
    ("Halvorsen confirmed it", "a contact in the dispatch list"),            # the surname alone, capitalised
    (f"the sender {SENDER} wrote again", "a sender of an e-mail in epost/ (privat.eml)"),
    (f"{C.PLANTED_NAMES[3]} said so in the interview", "the interviewed person in intervjuer/"),
], ids=["dispatch-contact", "surname-first", "surname-alone", "email-sender", "interview-t20"])
def test_a_reason_holding_a_persons_name_stops_naming_the_override_and_its_line_never_the_name(
        tmp_path, facts, reason, where):
    path = _file(tmp_path, _entry("{svar: ja}") + _entry("{svar: nei}", reason=reason, record="'5'", id_="ov-t-002"))
    with pytest.raises(OverrideError) as err:
        read_entries(path, facts)
    message = str(err.value)
    assert message.startswith(f"{path}: line 14, override ov-t-002: the reason holds the name of a person ({where}")
    assert "[fix: name the role" in message and "ov-t-001" not in message
    for word in ("Halvorsen", "Liv", "Eikeland", "Lyngmo", "Sverre"):
        assert word not in message


def test_place_names_roles_and_ordinary_words_in_a_reason_pass(tmp_path, facts):
    reasons = ["bare name 'Bø' is shared by several kommuner; the caller's notes give Bø (Telemark)",
               "the helseleder of Bodø confirmed it; Liv er viktig",  # a given name alone is an ordinary word
               "svaret ligger i vedlegget; kodet for hånd etter lesing"]
    body = "".join(_entry("{svar: ja}", reason=f'"{r}"', record=f"'{n + 2}'", id_=f"ov-t-{n:03d}")
                   for n, r in enumerate(reasons, 1))
    assert [e["id"] for e in read_entries(_file(tmp_path, body), facts)] == ["ov-t-001", "ov-t-002", "ov-t-003"]
    assert len(facts.names) >= 3  # the check had names to look for


def test_the_demo_overrides_pass_every_check_against_the_demo_round():
    """Written by the generator (kartlegging_synth); the check looks at the names the demo round holds."""
    facts = round_facts(ROOT / "data" / "raw" / "2015", KLASS, BYDELER)
    assert len(facts.names) > 100 and facts.phone_rows is not None and facts.email_files
    entries = read_entries(ROOT / "config" / "overrides" / "2015.yaml", facts)
    assert len(entries) >= 11 and all(e["reason"] for e in entries)


# -- values in the table's vocabulary ------------------------------------------------------------------------

def test_values_are_stored_in_the_tables_vocabulary_with_what_was_written(tmp_path):
    body = (_entry("{q1: yes, q5: Vet ikke, auto_reply: 'no'}", source="epost", file="a.eml", record='""')
            + _entry("{kommunenummer: 441}", id_="ov-t-002")
            + _entry("{kommunenummer: 0441, svar: Ikke konklusiv}", record="'5'", id_="ov-t-003")
            + _entry("{bydelsnummer: 30102}", source="intervju", file="i.xlsx", record="t3", id_="ov-t-004")
            + _entry("{kommuner: [1804, '1841']}", source="intervju", file="i.xlsx", record="T05", id_="ov-t-005"))
    entries = {e["id"]: e for e in read_entries(_file(tmp_path, body))}
    assert entries["ov-t-001"]["set"] == {"q1": "ja", "q5": "vet_ikke", "auto_reply": False}
    assert entries["ov-t-001"]["written"] == {"q1": "yes", "q5": "Vet ikke", "auto_reply": "no"}
    assert entries["ov-t-002"]["set"] == {"kommunenummer": "0441"}  # padded, and said so
    assert entries["ov-t-002"]["written"] == {"kommunenummer": "441"}
    # YAML 1.1 reads a bare 0441 as an octal number (289): the text of the file is what counts
    assert entries["ov-t-003"]["set"] == {"kommunenummer": "0441", "svar": "ikke_konklusiv"}
    assert entries["ov-t-003"]["written"] == {"svar": "Ikke konklusiv"}
    assert entries["ov-t-004"]["record"] == "T03" and entries["ov-t-004"]["set"] == {"bydelsnummer": "030102"}
    assert entries["ov-t-005"]["set"] == {"kommuner": ["1804", "1841"]}
    # rule params carry no line (a line moved above would rerun every ingest), Override objects from the file do
    assert all("line" not in e for e in entries.values())
    assert [o.line for o in load_overrides(_file(tmp_path, body))] == [3, 9, 15, 21, 27]


def test_yes_is_stored_as_ja_in_the_replies_and_in_overrides_applied(tmp_path, round_dir):
    cls = load(C.REFERENCE, C.CLASSIFICATION)
    dispatch = read_dispatch(round_dir / "utsendelse.csv", cls, C.ROUND)
    path = _file(tmp_path, _entry("{q1: yes}", source="epost", file="base-halden.eml", record='""',
                                  reason="rådmannen rettet svaret i en telefonsamtale"))
    overrides = from_entries(read_entries(path))
    result = ingest_email(round_dir / "epost", dispatch, cls, C.ROUND, overrides)
    replies = result.table.set_index("file")
    assert replies.loc["base-halden.eml", "q1"] == "ja"
    frame = applied_frame(C.ROUND, overrides, result.applied, result.before, result.issues)
    row = frame.iloc[0]
    assert (row["value"], row["value_before"], row["value_written"]) == ("ja", "nei", "yes")
    assert not row["under_review"]  # the rules had coded the reply: nobody had put it under review
    store.write_table(frame, "overrides_applied", tmp_path / "overrides_applied.parquet")
    assert pq.read_table(tmp_path / "overrides_applied.parquet").column("value").to_pylist() == ["ja"]


# -- errors with file, line, id and fix, also for what only the raw data can tell --------------------------------

@pytest.mark.parametrize("entry, problem", [
    (_entry("{q1: ja}", source="epost", file="finnes-ikke.eml", record='""'),
     "line 3, override ov-t-001: no epost file named 'finnes-ikke.eml' in epost/ [fix: copy the file name"),
    (_entry("{svar: ja}", record="'999'"),
     "line 3, override ov-t-001: row 999 is not a row of telefonrunde.xlsx (its rows are 2-"),
    (_entry("{kommunenummer: '9999'}"),
     "line 7, override ov-t-001: kommunenummer 9999 is not a kommune of the 2015 classification [fix: the "
     "kommune's number"),
    (_entry("{enhet_id: K9999}", source="epost", file="privat.eml", record='""'),
     "line 7, override ov-t-001: enhet_id K9999 is not in the dispatch list [fix: a unit of the dispatch list"),
    (_entry("{value: ja}", source="intervju", file="ukjent.xlsx", record="T18"),
     "line 3, override ov-t-001: no intervju file named 'ukjent.xlsx' in intervjuer/"),
], ids=["unknown-email-file", "phone-row-999", "kommunenummer-9999", "enhet-not-dispatched", "unknown-workbook"])
def test_what_the_raw_data_contradict_stops_the_parse_with_file_line_id_and_fix(tmp_path, facts, entry, problem):
    path = _file(tmp_path, entry)
    with pytest.raises(OverrideError) as err:
        read_entries(path, facts)
    assert str(err.value).startswith(f"{path}: {problem}")


def test_facts_are_gathered_only_when_the_file_has_overrides(tmp_path):
    calls = []
    assert read_entries(_file(tmp_path, "  []\n"), lambda: calls.append(1)) == []
    assert calls == []


# -- an override of a record not under review: allowed, and shown -------------------------------------------------

def test_an_override_of_a_record_not_under_review_is_listed_with_the_value_before_and_after(tmp_path, round_dir):
    """Row 4 of the phone log is Stavanger, resolved by the rules; the override moves it to Bergen. Nothing
    stops it, but overrides_applied and the run summary show the move."""
    cls = load(C.REFERENCE, C.CLASSIFICATION)
    path = _file(tmp_path, _entry("{kommunenummer: 1201}", reason="innringer sa at notatet gjaldt en annen kommune"))
    overrides = from_entries(read_entries(path))
    result = ingest_phone(round_dir / "telefonrunde.xlsx", cls, set(C.UNIT), C.ROUND, overrides)
    frame = applied_frame(C.ROUND, overrides, result.applied, result.before, result.issues)
    row = frame.iloc[0]
    assert (row["field"], row["value_before"], row["value"], row["under_review"]) == (
        "kommunenummer", "1103", "1201", False)
    processed = tmp_path / "processed"
    store.write_table(frame, "overrides_applied", processed / C.ROUND / "overrides_applied.parquet")
    text = "\n".join(summary_lines(str(processed), str(tmp_path / "report"), [C.ROUND], [], ok=True))
    assert ("overrides of records not under review (1): ov-t-001 (telefon telefonrunde.xlsx [4]: "
            "kommunenummer 1103 → 1201)") in text
