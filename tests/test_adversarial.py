"""Trustworthy under bad input: every case of the adversarial corpus (``tests/corpus.py``).

For each case the test asserts three things: the message (the reason of the
review or quarantine item, or the one error that stops the run), where the
record went (a status, a review item, quarantine, or a stop), and how the
conservation check counts it. Most cases run at unit level against the ingest
functions; one pipeline run on a small round with every keepable case planted
checks the same end to end, including the report's quality appendix, and two
short runs check the cases that must stop the run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import corpus as C
import pandas as pd
import pyarrow.parquet as pq
import pytest

from kartlegging.analysis import conservation as cons
from kartlegging.core import store
from kartlegging.core.classification import load
from kartlegging.core.config_check import ConfigError, validate_config
from kartlegging.core.issues import issues_frame
from kartlegging.core.overrides import Override, OverrideError, check_all_matched, load_overrides
from kartlegging.core.rawfolder import ignored_entries, record_files
from kartlegging.core.tables import EMAIL_REPLIES, INTERVIEWS, PHONE_ATTEMPTS
from kartlegging.ingest.dispatch import DispatchError, check_readable, read_dispatch
from kartlegging.ingest.email.mime import decode_bytes
from kartlegging.ingest.email.reader import ingest_email
from kartlegging.ingest.interviews import ingest_interviews
from kartlegging.ingest.phone import PhoneLogError, ingest_phone

# The two reference files a step that resolves units reads (declared inputs of its rule).
REF_FILES = (str(C.REFERENCE / "ssb-klass-131" / "version-2015.json"), str(C.REFERENCE / "oslo-bydeler.csv"))

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")
#: email_replies.status -> the conservation outcome it counts as.
STATUS_OUTCOME = {"svar": "ingested", "erstattet": "superseded", "autosvar": "autosvar",
                  "til_vurdering": "review", "karantene": "quarantined"}


@pytest.fixture(scope="module")
def cls():
    return load(C.REFERENCE, C.CLASSIFICATION)


@pytest.fixture(scope="module")
def dispatch(cls, tmp_path_factory):
    path = tmp_path_factory.mktemp("dispatch") / "utsendelse.csv"
    path.write_text(C.dispatch_text(), encoding="utf-8")
    return read_dispatch(path, cls, C.ROUND)


def files_of(folder: Path) -> list[str]:
    """The files of a raw folder as the Snakefile lists them (``files_in``): no folders, no dot-files."""
    return record_files(folder)


def outcomes(row: dict) -> dict[str, int]:
    return {k: row[k] for k in cons.OUTCOMES}


def everything(*frames: pd.DataFrame) -> str:
    return "\n".join(f.to_csv() for f in frames)


# ---------------------------------------------------------------------------
# E-mail
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("case", C.EMAIL_CASES, ids=lambda c: c.id)
def test_email_case(case: C.EmailCase, tmp_path, cls, dispatch):
    folder = tmp_path / "epost"
    folder.mkdir()
    for name, data in case.files.items():
        (folder / name).write_bytes(data)
    result = ingest_email(folder, dispatch, cls, C.ROUND, [])
    table = result.table.set_index("file")
    issues = issues_frame(C.ROUND, result.issues)

    # destination
    assert table["status"].to_dict() == case.status
    for name, q1 in case.q1.items():
        assert table.loc[name, "q1"] == q1, name
    for name, enhet in case.enhet.items():
        got = table.loc[name, "enhet_id"]
        assert (None if pd.isna(got) else got) == enhet, name
    # message
    if case.reason is None:
        assert issues.empty, issues.to_dict("records")
    else:
        named = case.issue_file or next(iter(case.files))
        hit = issues[(issues["file"] == named) & issues["reason"].str.contains(case.reason, regex=False)]
        assert len(hit) == 1, issues[["file", "reason"]].to_dict("records")
        assert hit["action"].iloc[0] == case.action
    # conservation: every file counted once, in the bucket its status names
    row = cons.email_conservation(C.ROUND, files_of(folder), result.table)
    expected = {k: 0 for k in cons.OUTCOMES}
    for status in case.status.values():
        expected[STATUS_OUTCOME[status]] += 1
    assert row["records_in"] == len(case.files) and row["unaccounted"] == 0
    assert outcomes(row) == expected
    store.to_arrow(result.table, EMAIL_REPLIES)


def test_html_script_and_onerror_are_never_read_or_copied(tmp_path, cls, dispatch):
    """The script claims 'Ja'; the visible text says nei. Only the visible text counts, and no
    script text reaches the table or an issue."""
    case = next(c for c in C.EMAIL_CASES if c.id == "e-html-script")
    folder = tmp_path / "epost"
    folder.mkdir()
    for name, data in case.files.items():
        (folder / name).write_bytes(data)
    result = ingest_email(folder, dispatch, cls, C.ROUND, [])
    assert result.table.loc[0, "content_type"] == "text/html"
    assert C.SCRIPT_MARKER not in everything(result.table, issues_frame(C.ROUND, result.issues))


def test_attachment_names_are_listed_by_type_and_size_only(tmp_path, cls, dispatch):
    case = next(c for c in C.EMAIL_CASES if c.id == "e-attachment-personal-name")
    folder = tmp_path / "epost"
    folder.mkdir()
    for name, data in case.files.items():
        (folder / name).write_bytes(data)
    result = ingest_email(folder, dispatch, cls, C.ROUND, [])
    assert result.table.loc[0, "attachments"] == ".docx (10)"  # a file name may name a person
    text = everything(result.table, issues_frame(C.ROUND, result.issues))
    assert C.PLANTED_ADDRESSES[1] not in text and C.PLANTED_PHONES[2] not in text


def test_body_invalid_in_its_declared_charset_is_decoded_without_loss():
    raw = "Nei, vi har dessverre ingen lærings- og mestringstjeneste i Bærum.".encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = decode_bytes(raw, "utf-8")
    assert "lærings" in text and "Bærum" in text and "\ufffd" not in text


def test_a_folder_or_hidden_file_in_epost_is_not_read_and_is_named_by_conservation(tmp_path, cls, dispatch):
    folder = tmp_path / "epost"
    (folder / "gamle svar").mkdir(parents=True)
    (folder / "a.eml").write_bytes(C.reply("K1804", "1. Ja"))
    (folder / "._a.eml").write_bytes(b"\x00\x05\x16\x07")  # a Mac's resource fork beside a copied file
    for given in (folder, files_of(folder)):  # the folder (tests, notebooks) or the files a rule declares
        result = ingest_email(given, dispatch, cls, C.ROUND, [])
        assert list(result.table["file"]) == ["a.eml"] and result.issues == []
    row = cons.email_conservation(C.ROUND, files_of(folder), result.table, ignored_entries(folder))
    assert row["records_in"] == 1 and row["ingested"] == 1 and row["unaccounted"] == 0
    assert (row["ignored"], row["ignored_names"]) == (2, "._a.eml; gamle svar")


# ---------------------------------------------------------------------------
# Phone log: rows
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def phone_baseline(cls, tmp_path_factory):
    """Conservation of the clean phone log: what each case adds to."""
    path = tmp_path_factory.mktemp("phone") / "telefonrunde.xlsx"
    path.write_bytes(C.phone_rows_log(())[0])
    result = ingest_phone(path, cls, set(C.UNIT), C.ROUND, [])
    return cons.phone_conservation(C.ROUND, cons.phone_rows_in(path), result.attempts,
                                   issues_frame(C.ROUND, result.issues))


@pytest.mark.parametrize("case", C.PHONE_ROW_CASES, ids=lambda c: c.id)
def test_phone_row_case(case: C.PhoneRowCase, tmp_path, cls, phone_baseline):
    data, where = C.phone_rows_log((case,))
    path = tmp_path / "telefonrunde.xlsx"
    path.write_bytes(data)
    result = ingest_phone(path, cls, set(C.UNIT), C.ROUND, [])
    excel_row = where[case.id]
    attempts = result.attempts.set_index("row")
    issues = issues_frame(C.ROUND, result.issues)
    at_row = issues[issues["record"] == str(excel_row)]

    # destination
    if case.destination == "skipped":
        assert excel_row not in attempts.index and at_row.empty
    else:
        assert excel_row in attempts.index
        resolved = attempts.loc[excel_row, "enhet_id"] is not None
        assert resolved == (case.destination == "ingested")
    # message: file, record (the Excel row), field and reason
    if case.reason is not None:
        hit = at_row[(at_row["field"] == case.field) & at_row["reason"].str.contains(case.reason, regex=False)]
        assert len(hit) == 1, at_row[["field", "reason"]].to_dict("records")
        assert hit["file"].iloc[0] == "telefonrunde.xlsx" and hit["action"].iloc[0] == "review"
    elif case.field is not None:
        assert case.field in set(at_row["field"])
    else:
        assert at_row.empty
    # conservation: the row lands in exactly one bucket more than the clean log has
    row = cons.phone_conservation(C.ROUND, cons.phone_rows_in(path), result.attempts, issues)
    expected = dict(phone_baseline)
    if case.destination != "skipped":
        expected["records_in"] += 1
        expected["ingested" if case.destination == "ingested" else "review"] += 1
    assert row == expected
    store.to_arrow(result.attempts, PHONE_ATTEMPTS)


def test_kontakt_keeps_the_role_never_the_person(tmp_path, cls):
    case = next(c for c in C.PHONE_ROW_CASES if c.id == "p-kontakt-person")
    data, where = C.phone_rows_log((case,))
    path = tmp_path / "telefonrunde.xlsx"
    path.write_bytes(data)
    result = ingest_phone(path, cls, set(C.UNIT), C.ROUND, [])
    row = result.attempts.set_index("row").loc[where[case.id]]
    assert row["kontakt"] == "helseleder" and row["enhet_id"] == "K1804"
    text = everything(result.attempts, result.units, issues_frame(C.ROUND, result.issues))
    for value in C.PLANTED_PERSONAL:
        assert value not in text


# ---------------------------------------------------------------------------
# Phone log: files that cannot be read at all
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("case", C.PHONE_FILE_CASES, ids=lambda c: c.id)
def test_phone_file_case(case: C.PhoneFileCase, tmp_path, cls):
    """The phone log is required: an unusable one stops the ingest with one line naming it and why."""
    path = tmp_path / "telefonrunde.xlsx"
    path.write_bytes(case.data())
    with pytest.raises(PhoneLogError) as err:
        ingest_phone(path, cls, set(C.UNIT), C.ROUND, [])
    assert str(err.value).startswith(str(path)) and case.reason in str(err.value)
    assert "\n" not in str(err.value)
    assert cons.phone_rows_in(path) == case.rows_in  # what a conservation count would have seen


# ---------------------------------------------------------------------------
# Interviews
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("case", C.INTERVIEW_CASES, ids=lambda c: c.id)
def test_interview_case(case: C.InterviewCase, tmp_path, cls):
    folder = tmp_path / "intervjuer"
    folder.mkdir()
    (folder / "20141208 LMS Bodø.xlsx").write_bytes(C.interview())
    (folder / case.name).write_bytes(case.data())
    result = ingest_interviews(folder, cls, C.ROUND, [])
    interviews = result.interviews.set_index("file")
    issues = issues_frame(C.ROUND, result.issues)
    mine = issues[issues["file"] == case.name]

    # destination
    if case.destination == "quarantined":
        assert case.name not in interviews.index
    else:
        has_service = interviews.loc[case.name, "service_id"] is not None
        assert has_service == (case.destination == "ingested")
    # message
    if case.reason:
        hit = mine[mine["reason"].str.contains(case.reason, regex=False)]
        assert len(hit) == 1, mine[["record", "reason"]].to_dict("records")
        assert hit["action"].iloc[0] == case.action and hit["record"].iloc[0] == case.record
    else:
        assert mine.empty, mine.to_dict("records")
    # conservation: the clean workbook is ingested; the case lands in its own bucket
    row = cons.interview_conservation(C.ROUND, files_of(folder), result.interviews, issues)
    expected = {k: 0 for k in cons.OUTCOMES}
    expected["ingested"] += 1
    expected[case.destination] += 1  # the destinations are named as conservation's outcomes
    assert row["records_in"] == 2 and row["unaccounted"] == 0 and outcomes(row) == expected
    store.to_arrow(result.interviews, INTERVIEWS)


def test_missing_interview_folder_stops_the_step(tmp_path, cls):
    with pytest.raises(FileNotFoundError, match="interview folder not found"):
        ingest_interviews(tmp_path / "intervjuer", cls, C.ROUND, [])


def test_a_folder_or_hidden_file_in_intervjuer_is_not_read_and_is_named_by_conservation(tmp_path, cls):
    (tmp_path / "gamle").mkdir()
    (tmp_path / ".DS_Store").write_bytes(b"Bud1")
    result = ingest_interviews(tmp_path, cls, C.ROUND, [])
    assert result.issues == [] and result.interviews.empty
    row = cons.interview_conservation(C.ROUND, files_of(tmp_path), result.interviews,
                                      issues_frame(C.ROUND, result.issues), ignored_entries(tmp_path))
    assert (row["records_in"], row["ignored"], row["ignored_names"]) == (0, 2, ".DS_Store; gamle")


def test_duplicated_item_leaves_the_service_undecided(tmp_path, cls):
    case = next(c for c in C.INTERVIEW_CASES if c.id == "i-duplicated-item")
    (tmp_path / case.name).write_bytes(case.data())
    result = ingest_interviews(tmp_path, cls, C.ROUND, [])
    assert result.interviews.loc[0, "inkludert"] is None
    assert result.services.loc[0, "inkludert"] == "vet_ikke"


def test_personal_items_of_a_workbook_never_leave_the_ingest(tmp_path, cls):
    for case in C.INTERVIEW_CASES:
        (tmp_path / case.name).write_bytes(case.data())
    (tmp_path / "20141208 LMS Bodø.xlsx").write_bytes(C.interview())
    result = ingest_interviews(tmp_path, cls, C.ROUND, [])
    text = everything(result.interviews, result.services, result.service_kommuner,
                      issues_frame(C.ROUND, result.issues))
    for value in C.PLANTED_PERSONAL:
        assert value not in text


# ---------------------------------------------------------------------------
# The dispatch list: unusable input stops the run with one message
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("case", C.DISPATCH_CASES, ids=lambda c: c.id)
def test_unusable_dispatch_list_stops_the_step_with_one_message(case: C.StopCase, tmp_path, capsys, quiet_logger):
    from kartlegging.steps.ingest_epost import step_ingest_email

    raw = tmp_path / "raw"
    rd = C.write_base_round(raw)
    (rd / "utsendelse.csv").write_bytes(case.data())
    with pytest.raises(DispatchError) as err:
        read_dispatch(rd / "utsendelse.csv", load(C.REFERENCE, "2015"), C.ROUND)
    message = str(err.value)
    assert message.startswith(str(rd / "utsendelse.csv")) and case.message in message

    out = {k: str(tmp_path / "out" / f"{k}.parquet") for k in ("dispatch", "replies", "issues", "applied")}
    stop = C.stopped("ingest_epost", list(out.values()), tmp_path / "ingest_epost.log",
                     lambda: step_ingest_email(C.ROUND, *REF_FILES, str(rd / "utsendelse.csv"), str(rd / "epost"),
                                               [], out))
    assert stop == f"rule ingest_epost stopped: DispatchError: {message}"
    assert capsys.readouterr().err == ""  # Snakemake shows the line (the logger plugin); nothing else
    assert not any(Path(p).exists() or Path(p + ".tmp").exists() for p in out.values())


@pytest.mark.parametrize("case", [c for c in C.DISPATCH_CASES if c.id != "d-unknown-kommune"], ids=lambda c: c.id)
def test_structural_dispatch_errors_are_found_without_the_classification(case: C.StopCase, tmp_path):
    """``check_readable`` is what the Snakefile can call while parsing, before any job runs."""
    path = tmp_path / "utsendelse.csv"
    path.write_bytes(case.data())
    with pytest.raises(DispatchError, match=case.message.replace("(", r"\(").replace(")", r"\)")):
        check_readable(path)


def test_clean_dispatch_list_passes_the_early_check(tmp_path):
    path = tmp_path / "utsendelse.csv"
    path.write_text(C.dispatch_text(), encoding="utf-8")
    check_readable(path)
    assert cons.dispatch_rows_in(path) == len(C.ALL_UNITS) == 443


# ---------------------------------------------------------------------------
# KOSTRA
# ---------------------------------------------------------------------------

def test_kostra_unknown_region_is_kept_apart_and_reviewed(tmp_path):
    from kartlegging.ingest.kostra.reader import read_kostra

    path = tmp_path / "kostra-ukjent-region.csv"
    path.write_bytes(C.KOSTRA_UNKNOWN_REGION)
    frame, issues = read_kostra([path], C.REFERENCE)
    assert len(frame) == 6  # every cell of the file is a row: nothing lost
    unknown = frame[frame["region_code"] == "9999"]
    assert len(unknown) == 2 and set(unknown["region_level"]) == {"ukjent"}
    hit = [i for i in issues if i.record == "9999"]
    assert len(hit) == 1 and hit[0].action == "review" and hit[0].file == path.name
    assert "not a kommune of the structure of 2015" in hit[0].reason and "left out of every count" in hit[0].reason


def test_kostra_symbol_in_every_cell_is_never_read_as_zero(tmp_path):
    from kartlegging.ingest.kostra.reader import read_kostra

    path = tmp_path / "kostra-bare-symboler.csv"
    path.write_bytes(C.KOSTRA_ALL_SYMBOLS)
    frame, issues = read_kostra([path], C.REFERENCE)
    assert len(frame) == 6 and not issues
    by = {(r.region_code, r.year): (r.value, r.status) for r in frame.itertuples()}
    assert by[("1840", 2015)] == (0.0, "-")  # SSB's nil is a true zero
    for key, (value, status) in by.items():
        if status != "-":
            assert pd.isna(value) and status in (".", "..", "...", ":"), key


def test_kostra_unreadable_file_is_quarantined(tmp_path):
    from kartlegging.ingest.kostra.reader import read_kostra

    path = tmp_path / "kostra-bilde.csv"
    path.write_bytes(C.KOSTRA_BINARY)
    frame, issues = read_kostra([path], C.REFERENCE)
    assert frame.empty and len(issues) == 1
    assert issues[0].action == "quarantine" and "NUL bytes" in issues[0].reason


# ---------------------------------------------------------------------------
# Overrides and config
# ---------------------------------------------------------------------------

def test_override_that_matches_nothing_names_itself(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("overrides:\n  - id: ov-t-001\n    source: epost\n    file: finnes-ikke.eml\n"
                    "    set: {enhet_id: K1804}\n    reason: typo in the file name\n", encoding="utf-8")
    overrides = load_overrides(path)
    with pytest.raises(OverrideError) as err:
        check_all_matched(overrides, set(), path)
    assert str(err.value) == (f"{path}: line 2, override ov-t-001: matched no record (epost: finnes-ikke.eml []) "
                              "[fix: check the file name and record against the issue (make review prints them)]")


R = ", reason: checked by phone"


@pytest.mark.parametrize("text, fragment", [
    ("overrides: [\n", "not valid YAML"),
    ("overrides:\n  - id: a\n    source: sms\n    file: x\n    set: {q1: ja}\n    reason: checked by phone\n",
     "line 3, override a: source 'sms' is not one of"),
    ("overrides:\n  - id: a\n    source: email\n    file: x\n    set: {q1: ja}\n    reason: checked by phone\n",
     "line 3, override a: source 'email' is not one of"),
    ("overrides:\n  - id: a\n    source: epost\n    file: x\n    set: {}\n    reason: checked by phone\n",
     "line 5, override a: 'set' must be a non-empty mapping"),
    ("overrides:\n  - {id: a, source: epost, file: x, set: {q1: ja}" + R + "}\n"
     "  - {id: a, source: epost, file: y, set: {q1: ja}" + R + "}\n",
     "line 3, override a: id is used twice (first at line 2)"),
    ("overrides:\n  - id: ov-13\n    source: epost\n    file: x\n    sett: {q1: ja}\n    reason: checked by phone\n",
     "line 5, override ov-13: unknown key 'sett' (allowed: id, source, file, record, set, reason) [fix: rename it "
     "to one of the allowed keys or remove it]; line 2, override ov-13: lacks 'set'"),
    ("overrides:\n  - {source: epost, file: x, set: {q1: ja}" + R + "}\n", "line 2, override #1 (no id): lacks 'id'"),
    ("overrides:\n  - {id: a, source: epost, file: x, set: {q1: kanskje}" + R + "}\n",
     "line 2, override a: q1 'kanskje' is not one of ja, nei"),
    ("overrides:\n  - {id: a, source: epost, file: x, set: {svar: ja}" + R + "}\n",
     "override a: cannot set 'svar' on a epost record"),
    ("overrides:\n  - {id: a, source: epost, file: x, set: {enhet_id: Bodø}" + R + "}\n",
     "override a: enhet_id 'Bodø' is not K + 4"),
    ("overrides:\n  - {id: a, source: telefon, file: t.xlsx, record: 7, set: {svar: kanskje}" + R + "}\n",
     "override a: svar 'kanskje' is not one of ja, nei, vet_ikke, ikke_konklusiv"),
    ("overrides:\n  - {id: a, source: telefon, file: t.xlsx, record: rad 7, set: {svar: ja}" + R + "}\n",
     "override a: record 'rad 7' must be the Excel row number"),
    ("overrides:\n  - {id: a, source: intervju, file: t.xlsx, record: T09, set: {kommuner: ['1804']}" + R + "}\n",
     "override a: cannot set 'kommuner' on a intervju record (allowed: value)"),
    ("overrides:\n  - {id: a, source: intervju, file: t.xlsx, record: T05, set: {kommuner: [Bodø]}" + R + "}\n",
     "override a: kommuner ['Bodø'] is not a list of kommune numbers"),
    ("runde: 2015\noverrides: []\n", "unknown key 'runde' at the top"),
    ("overrides:\n  - {id: a, source: epost, file: x, set: {q1: ja}}\n", "line 2, override a: lacks 'reason'"),
    ("overrides:\n  - {id: a, source: epost, file: x, set: {q1: ja}, reason: …}\n",
     "line 2, override a: reason '…' is a placeholder, not a reason [fix: write why"),
    ("overrides:\n  - {id: a, source: epost, file: x, set: {q1: ja}, reason: TODO}\n",
     "override a: reason 'TODO' is a placeholder"),
    ("overrides:\n  - {id: a, source: epost, file: x, set: {q1: ja}, reason: '...'}\n",
     "override a: reason '...' is a placeholder"),
    ("overrides:\n  - {id: a, source: telefon, file: t.xlsx, record: 7, set: {svar: ja}" + R + "}\n"
     "  - {id: b, source: telefon, file: t.xlsx, record: '07', set: {svar: nei}" + R + "}\n",
     "line 3, override b: targets the same record as override a [fix: merge the two into one override]"),
], ids=["yaml", "source", "source-email", "empty-set", "duplicate-id", "misspelled-set", "no-id", "q1-vocabulary",
        "epost-key", "enhet-form", "svar-vocabulary", "phone-record", "intervju-key", "kommuner-form", "top-key",
        "no-reason", "skeleton-reason", "todo-reason", "dots-reason", "same-record"])
def test_malformed_overrides_file_names_file_and_problem(tmp_path, text, fragment):
    """Validated by kartlegging.core.overrides, the one module the parse-time check and the jobs share."""
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(OverrideError) as err:
        load_overrides(path)
    assert str(err.value).startswith(str(path)) and fragment in str(err.value)


def test_phone_override_with_a_bad_record_names_the_override(tmp_path, cls):
    path = tmp_path / "telefonrunde.xlsx"
    path.write_bytes(C.phone_log(C.PHONE_BASE))
    bad = Override("ov-t-009", "telefon", "telefonrunde.xlsx", "rad 7", {"svar": "ja"})
    with pytest.raises(OverrideError, match="override ov-t-009: record 'rad 7' must be the Excel row number"):
        ingest_phone(path, cls, set(C.UNIT), C.ROUND, [bad])


def test_config_with_an_unknown_round_key_names_the_key():
    cfg = {"raw_dir": "r", "processed_dir": "p", "report_dir": "d", "reference_dir": "x",
           "rounds": {"t": {"classification": "2015", "klassifikasjon": "2015"}}}
    with pytest.raises(ConfigError) as err:
        validate_config(cfg, ROOT / "config" / "schema.yaml")
    assert "rounds.t" in str(err.value) and "klassifikasjon" in str(err.value)


# ---------------------------------------------------------------------------
# End to end: the adversarial round, and the input that stops the run
# ---------------------------------------------------------------------------

def snakemake(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    """The pipeline in ``workdir`` (its ``config/config.yaml`` names the corpus round only)."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1420070400", "PYTHONHASHSEED": "0"}
    cmd = [str(SNAKEMAKE), "--cores", "2", "--snakefile", str(ROOT / "Snakefile"), "--directory", str(workdir), *args]
    return subprocess.run(cmd, cwd=workdir, env=env, capture_output=True, text=True, timeout=900)


def assert_stopped_before_any_job(proc: subprocess.CompletedProcess, tmp_path: Path) -> None:
    """The run failed, with a message and no traceback, before any job wrote under ``tmp_path/out``."""
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()  # nothing ran


@dataclass
class Run:
    raw: Path
    out: Path
    proc: subprocess.CompletedProcess

    def table(self, name: str) -> pd.DataFrame:
        return pq.read_table(self.out / "processed" / C.ROUND / f"{name}.parquet").to_pandas()


@pytest.fixture(scope="module")
def adversarial_run(tmp_path_factory) -> Run:
    base = tmp_path_factory.mktemp("adversarial")
    raw = base / "raw"
    C.write_adversarial_round(raw)
    C.copy_register(base / "work" / "register")
    C.workdir_config(base / "work", raw, base / "out")
    proc = snakemake(base / "work")
    return Run(raw, base / "out", proc)


@pytest.mark.e2e
def test_adversarial_round_completes_without_a_traceback(adversarial_run):
    proc = adversarial_run.proc
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr + proc.stdout


def _expected_conservation() -> dict[str, dict[str, int]]:
    """What the corpus says each source's conservation row must hold."""
    email = {k: 0 for k in cons.OUTCOMES}
    n_mail = 4  # the clean replies
    email["ingested"] += 4
    for case in C.EMAIL_CASES:
        for status in case.status.values():
            email[STATUS_OUTCOME[status]] += 1
            n_mail += 1
    phone = {k: 0 for k in cons.OUTCOMES}
    phone["ingested"] = n_rows = len(C.PHONE_BASE) + len(C.PHONE_FILL)
    for case in C.PHONE_ROW_CASES:
        if case.destination != "skipped":
            n_rows += 1
            phone["ingested" if case.destination == "ingested" else "review"] += 1
    interview = {k: 0 for k in cons.OUTCOMES}
    interview["ingested"] = 1
    for case in C.INTERVIEW_CASES:
        interview[case.destination] += 1
    return {
        "epost": {"records_in": n_mail, **email},
        "telefon": {"records_in": n_rows, **phone},
        "intervju": {"records_in": 1 + len(C.INTERVIEW_CASES), **interview},
        "utsendelse": {"records_in": len(C.ALL_UNITS), **{k: 0 for k in cons.OUTCOMES}, "ingested": len(C.ALL_UNITS)},
        # the KOSTRA extracts: two read, the image quarantined (every quarantined file is counted)
        "kostra": {"records_in": len(C.KOSTRA_FILES), **{k: 0 for k in cons.OUTCOMES},
                   "ingested": len(C.KOSTRA_FILES) - 1, "quarantined": 1},
    }


@pytest.mark.e2e
def test_adversarial_round_conservation_accounts_for_every_record(adversarial_run):
    table = adversarial_run.table("conservation").set_index("source")
    expected = _expected_conservation()
    assert set(table.index) == set(expected)
    for source, want in expected.items():
        got = {k: int(table.loc[source, k]) for k in want}
        assert got == want, source
    assert (table["unaccounted"] == 0).all()


@pytest.mark.e2e
def test_adversarial_round_every_case_is_in_the_review_queue(adversarial_run):
    issues = adversarial_run.table("issues")
    rows = C.phone_rows_log(base=C.PHONE_BASE + C.PHONE_FILL)[1]

    def has(source: str, file: str, record: str, reason: str, action: str) -> bool:
        hit = issues[(issues["source"] == source) & (issues["file"] == file) & (issues["record"] == record)
                     & issues["reason"].str.contains(reason, regex=False) & (issues["action"] == action)]
        return len(hit) == 1

    missing = []
    for case in C.EMAIL_CASES:
        if case.reason and not has("epost", case.issue_file or next(iter(case.files)), "", case.reason, case.action):
            missing.append(case.id)
    for case in C.PHONE_ROW_CASES:
        if case.reason and not has("telefon", "telefonrunde.xlsx", str(rows[case.id]), case.reason, "review"):
            missing.append(case.id)
    for case in C.INTERVIEW_CASES:
        if case.reason and not has("intervju", case.name, case.record, case.reason, case.action):
            missing.append(case.id)
    assert not missing
    # what the folders hold besides their records is read by nobody: no review item, no quarantine
    assert not issues["file"].isin(["undermappe", ".DS_Store", "._LMS Bodø.xlsx"]).any()


@pytest.mark.e2e
def test_adversarial_round_conservation_names_what_the_folders_hold_besides_records(adversarial_run):
    """A .DS_Store, a Mac's ._ file and a sub-folder are no inputs of any rule; the conservation table counts and
    names them, so everything in the folder is accounted for."""
    table = adversarial_run.table("conservation").set_index("source")
    assert (int(table.loc["epost", "ignored"]), table.loc["epost", "ignored_names"]) == (2, ".DS_Store; undermappe")
    assert (int(table.loc["intervju", "ignored"]), table.loc["intervju", "ignored_names"]) == (1, "._LMS Bodø.xlsx")
    assert int(table.loc["telefon", "ignored"]) == 0 and pd.isna(table.loc["telefon", "ignored_names"])
    html = (adversarial_run.out / "report" / C.ROUND / "kartlegging.html").read_text(encoding="utf-8")
    assert "(skjulte filer og undermapper, ingen råposter): .DS_Store, undermappe." in html


@pytest.mark.e2e
def test_adversarial_round_kostra_cases(adversarial_run):
    base = adversarial_run.out / "processed" / "kostra"
    kostra = pq.read_table(base / "kostra.parquet").to_pandas()
    issues = pq.read_table(base / "issues_kostra.parquet").to_pandas()
    assert set(kostra.loc[kostra["region_code"] == "9999", "region_level"]) == {"ukjent"}
    q = issues[issues["action"] == "quarantine"]
    assert list(q["file"]) == ["kostra-bilde.csv"]
    assert ((issues["record"] == "9999") & (issues["action"] == "review")).sum() == 1


@pytest.mark.e2e
def test_kostra_items_reach_the_report_and_the_issues_view(adversarial_run):
    """The KOSTRA extracts are shared by the rounds, their items too: the unreadable extract is listed in
    the round's appendix B and in the DuckDB ``issues`` view (round 'kostra')."""
    import html

    from kartlegging.infra.database import connect

    text = html.unescape((adversarial_run.out / "report" / C.ROUND / "kartlegging.html").read_text(encoding="utf-8"))
    appendix = text[text.index('id="vedlegg-b"'):]
    assert "kostra-bilde.csv" in appendix and "KOSTRA" in appendix
    con = connect(adversarial_run.out / "processed" / "kartlegging.duckdb")
    rows = con.execute("SELECT file, action FROM issues WHERE round = 'kostra' AND source = 'kostra' "
                       "ORDER BY file, action").fetchall()
    assert ("kostra-bilde.csv", "quarantine") in rows
    assert len(rows) == len(pq.read_table(adversarial_run.out / "processed" / "kostra" / "issues_kostra.parquet"))


@pytest.mark.e2e
def test_quality_appendix_counts_every_case(adversarial_run):
    """The report's appendix lists each unreadable file with its reason and counts review and
    quarantine per source as the issues table has them."""
    import html
    import re

    text = html.unescape((adversarial_run.out / "report" / C.ROUND / "kartlegging.html").read_text(encoding="utf-8"))
    issues = adversarial_run.table("issues")
    from kartlegging.core.reasons import message_nb

    for r in issues[(issues["action"] == "quarantine") & (issues["record"] == "")].itertuples():
        assert r.file in text and message_nb(r.reason_code) in text, r.file
    labels = {"epost": "E-post", "telefon": "Telefonrunde", "intervju": "Intervjuer"}
    for source, label in labels.items():
        grp = issues[issues["source"] == source]
        review, quarantine = int((grp["action"] == "review").sum()), int((grp["action"] == "quarantine").sum())
        row = re.search(rf'<th scope="row">{label}</th><td class="num">(\d+)</td><td class="num">(\d+)</td>'
                        rf'<td class="num">(\d+)</td>', text)
        assert row is not None, label
        assert (int(row.group(1)), int(row.group(3))) == (review, quarantine), label


@pytest.mark.e2e
def test_adversarial_round_leaks_no_planted_personal_data(adversarial_run):
    from privacy_scan import collect_round, digits, leaks, scan_folders

    planted = collect_round(adversarial_run.raw / C.ROUND)  # what the raw files hold, however it got there
    assert set(C.PLANTED_NAMES) <= planted.names and set(C.PLANTED_ADDRESSES) <= planted.addresses
    assert {digits(p) for p in C.PLANTED_PHONES} <= planted.phones
    # free text: foreign names from signatures, subjects and quotes, long numbers, Message-ID parts
    # (a three-word name is collected as its pairs, each found on its own)
    assert all(any(n in name for n in planted.names) for name in C.PLANTED_FOREIGN_NAMES) and "Bob" in planted.names
    assert {re.sub(r"\D", "", n) for n in C.PLANTED_LONG_NUMBERS} <= planted.numbers
    assert {m.split("@")[0] for m in C.PLANTED_MESSAGE_IDS} <= planted.id_parts
    out = adversarial_run.out
    found = scan_folders([out / "processed", out / "report", out / "logs"], planted, (C.SCRIPT_MARKER,))
    assert found == {}
    assert leaks(adversarial_run.proc.stdout + adversarial_run.proc.stderr, planted, (C.SCRIPT_MARKER,)) == []


@pytest.mark.e2e
def test_duplicated_enhet_id_stops_the_run_with_one_message(tmp_path):
    case = next(c for c in C.DISPATCH_CASES if c.id == "d-duplicated-enhet")
    raw = tmp_path / "raw"
    rd = C.write_base_round(raw)
    (rd / "utsendelse.csv").write_bytes(case.data())
    C.copy_register(tmp_path / "work" / "register")
    C.workdir_config(tmp_path / "work", raw, tmp_path / "out")
    proc = snakemake(tmp_path / "work")
    assert proc.returncode != 0
    # from the ingest step ("ERROR rule ingest_epost (round=t) stopped: DispatchError: ...") or, once the
    # Snakefile checks the list while parsing, from there ("kartlegging: ..."): the same text
    assert f"{rd / 'utsendelse.csv'}, {case.message}" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    processed = tmp_path / "out" / "processed" / C.ROUND
    for name in ("dispatch", "email_replies", "issues_epost", "overrides_epost"):
        assert not (processed / f"{name}.parquet").exists()
        assert not (processed / f"{name}.parquet.tmp").exists()
    assert not (tmp_path / "out" / "report").exists()


@pytest.mark.e2e
def test_missing_phone_log_stops_before_any_job_runs(tmp_path):
    raw = tmp_path / "raw"
    rd = C.write_base_round(raw)
    (rd / "telefonrunde.xlsx").unlink()
    C.copy_register(tmp_path / "work" / "register")
    C.workdir_config(tmp_path / "work", raw, tmp_path / "out")
    proc = snakemake(tmp_path / "work")
    assert_stopped_before_any_job(proc, tmp_path)
    assert str(rd / "telefonrunde.xlsx") in proc.stderr
    assert "Missing input files" in proc.stderr or "not found" in proc.stderr


@pytest.mark.e2e
@pytest.mark.parametrize("case_id", ["p-encrypted", "p-not-zip", "p-no-sheet", "p-xls", "p-bad-crc", "p-cell-far"])
def test_unusable_phone_log_stops_before_any_job_runs_with_one_line(tmp_path, case_id):
    """The phone log is required: a round without a usable one must not run on with every phoned unit
    'ukjent'. The parse-time check (first bytes and the sheet list) stops it, naming the file."""
    case = next(c for c in C.PHONE_FILE_CASES if c.id == case_id)
    raw = tmp_path / "raw"
    rd = C.write_base_round(raw)
    (rd / "telefonrunde.xlsx").write_bytes(case.data())
    C.workdir_config(tmp_path / "work", raw, tmp_path / "out")
    proc = snakemake(tmp_path / "work")
    assert_stopped_before_any_job(proc, tmp_path)
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith(f"kartlegging: round {C.ROUND}: required phone log {rd / 'telefonrunde.xlsx'}: ")
    assert case.reason in last


@pytest.mark.e2e
def test_phone_log_without_its_header_stops_the_phone_ingest_with_one_line(tmp_path):
    """A sheet without the contract's header is found by the job (reading cells is too heavy for the
    parse-time check): the run stops non-zero with one line naming the file and the column."""
    case = next(c for c in C.PHONE_FILE_CASES if c.id == "p-renamed-column")
    raw = tmp_path / "raw"
    rd = C.write_base_round(raw)
    (rd / "telefonrunde.xlsx").write_bytes(case.data())
    C.workdir_config(tmp_path / "work", raw, tmp_path / "out")
    proc = snakemake(tmp_path / "work")
    assert proc.returncode != 0
    lines = [ln for ln in proc.stderr.splitlines()
             if ln.startswith(f"ERROR rule ingest_telefon (round={C.ROUND}) stopped:")]
    assert len(lines) == 1 and str(rd / "telefonrunde.xlsx") in lines[0] and case.reason in lines[0]
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out" / "processed" / C.ROUND / "phone_attempts.parquet").exists()


@pytest.mark.e2e
def test_unknown_round_key_in_config_stops_before_any_job_runs(tmp_path):
    raw = tmp_path / "raw"
    C.write_base_round(raw)
    C.workdir_config(tmp_path / "work", raw, tmp_path / "out",
                     rounds={C.ROUND: {"classification": "2015", "klassifikasjon": "2015"}})
    proc = snakemake(tmp_path / "work")
    assert_stopped_before_any_job(proc, tmp_path)
    assert "rounds.t" in proc.stderr and "klassifikasjon" in proc.stderr


@pytest.mark.e2e
def test_round_in_config_without_a_raw_folder_stops_before_any_job_runs(tmp_path):
    raw = tmp_path / "raw"
    C.write_base_round(raw)
    C.workdir_config(tmp_path / "work", raw, tmp_path / "out",
                     rounds={C.ROUND: {"classification": "2015"}, "u": {"classification": "2015"}})
    proc = snakemake(tmp_path / "work")
    assert_stopped_before_any_job(proc, tmp_path)
    assert str(raw / "u" / "utsendelse.csv") in proc.stderr


@pytest.mark.e2e
def test_round_with_a_klass_version_that_does_not_exist_stops_before_any_job_runs(tmp_path):
    raw = tmp_path / "raw"
    C.write_base_round(raw)
    C.workdir_config(tmp_path / "work", raw, tmp_path / "out", rounds={C.ROUND: {"classification": "1990"}})
    proc = snakemake(tmp_path / "work")
    assert_stopped_before_any_job(proc, tmp_path)
    assert "classification '1990': no Klass 131 version" in proc.stderr
    assert 'the oldest version here is 2013 (valid from 2013-01-01)' in proc.stderr
    assert 'write classification: "2013"' in proc.stderr


@pytest.mark.e2e
def test_round_after_the_newest_klass_version_is_analysed_in_the_version_still_in_force(tmp_path):
    """Version 2024's period is open: a 2030 round is taken as version 2024 (a dry run plans its jobs)."""
    raw = tmp_path / "raw"
    C.write_base_round(raw)
    C.workdir_config(tmp_path / "work", raw, tmp_path / "out", rounds={C.ROUND: {"classification": "2030"}})
    proc = snakemake(tmp_path / "work", "-n", "--workflow-profile", "none")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "ingest_epost" in proc.stdout and "classification" not in proc.stderr


@pytest.mark.e2e
def test_dry_run_with_a_misspelled_override_key_stops_naming_the_id_and_the_key(tmp_path):
    """`snakemake -n` validates the overrides while parsing: a misspelled key is shown before anything reruns."""
    raw = tmp_path / "raw"
    C.write_base_round(raw)
    overrides = tmp_path / "overrides"
    overrides.mkdir()
    (overrides / f"{C.ROUND}.yaml").write_text(
        "overrides:\n  - id: ov-t-013\n    source: epost\n    file: svar-1.eml\n    sett: {q1: ja}\n", encoding="utf-8")
    C.workdir_config(tmp_path / "work", raw, tmp_path / "out", overrides_dir=overrides)
    proc = snakemake(tmp_path / "work", "-n")
    assert_stopped_before_any_job(proc, tmp_path)
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith(f"kartlegging: {overrides / (C.ROUND + '.yaml')}: line 5, override ov-t-013: unknown key "
                           "'sett'")


@pytest.mark.e2e
def test_dry_run_with_a_dispatch_contacts_name_in_a_reason_stops_naming_the_override_not_the_person(tmp_path):
    """Reasons reach appendix B: `snakemake -n` looks for the names the round's raw files hold in them."""
    raw = tmp_path / "raw"
    rd = C.write_base_round(raw)
    lines = (rd / "utsendelse.csv").read_text(encoding="utf-8").splitlines()
    (rd / "utsendelse.csv").write_text("\n".join([lines[0] + ";kontaktperson"] + [
        ln + (";Gunnhild Skarsvåg" if ln.startswith("K1804;") else ";") for ln in lines[1:]]) + "\n",
        encoding="utf-8")
    overrides = tmp_path / "overrides"
    overrides.mkdir()
    path = overrides / f"{C.ROUND}.yaml"
    path.write_text("overrides:\n  - id: ov-t-007\n    source: telefon\n    file: telefonrunde.xlsx\n"
                    "    record: 3\n    set: {svar: ja}\n    reason: Gunnhild Skarsvåg sa ja i telefonen\n",
                    encoding="utf-8")
    C.workdir_config(tmp_path / "work", raw, tmp_path / "out", overrides_dir=overrides)
    proc = snakemake(tmp_path / "work", "-n")
    assert_stopped_before_any_job(proc, tmp_path)
    assert proc.stderr.strip().splitlines()[-1].startswith(
        f"kartlegging: {path}: line 7, override ov-t-007: the reason holds the name of a person (a contact in the "
        "dispatch list (utsendelse.csv))")
    assert "Skarsvåg" not in proc.stdout + proc.stderr


@pytest.mark.e2e
def test_a_rerun_lists_the_figures_that_changed_and_the_override_of_a_record_not_under_review(tmp_path):
    """The corpus round up to its figures, twice: the second time with an override that turns Halden's coded
    "nei" into "ja". The summary names the changed figures (old → new) and the override, with the value before."""
    raw = tmp_path / "raw"
    C.write_base_round(raw)
    overrides = tmp_path / "overrides"
    overrides.mkdir()
    C.copy_register(tmp_path / "work" / "register")
    C.workdir_config(tmp_path / "work", raw, tmp_path / "out", overrides_dir=overrides)
    target = str(tmp_path / "out" / "processed" / C.ROUND / "figures.parquet")
    first = snakemake(tmp_path / "work", target)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "figures changed" not in first.stdout + first.stderr
    (overrides / f"{C.ROUND}.yaml").write_text(
        "overrides:\n  - id: ov-t-001\n    source: epost\n    file: base-halden.eml\n    record: ''\n"
        "    set: {q1: yes}\n    reason: rådmannen rettet svaret i en telefonsamtale\n", encoding="utf-8")
    second = snakemake(tmp_path / "work", target)
    assert second.returncode == 0, second.stderr[-3000:]
    console = second.stdout + second.stderr
    changed = re.search(r"figures changed since the previous run \((\d+)\): (.*)", console)
    assert changed and int(changed.group(1)) >= 1, console[-3000:]
    assert all(re.fullmatch(r"\w+ [\d.]+ → [\d.]+", c) for c in changed.group(2).split(", ")), changed.group(2)
    assert ("overrides of records not under review (1): ov-t-001 (epost base-halden.eml: q1 nei → ja)"
            in console)
    third = snakemake(tmp_path / "work", target)  # nothing to do: Snakemake calls no summary, nothing listed
    assert "figures changed" not in third.stdout + third.stderr


@pytest.mark.e2e
@pytest.mark.parametrize("text, message", [
    ("overrides:\n  - id: ov-1\n    set: {enhet_id: [K1804,\n", "not valid YAML at line 4, column 1"),
    ("overrides: {id: ov-1}\n", "expected a mapping with a list 'overrides'"),
])
def test_malformed_overrides_file_stops_before_any_job_runs_with_one_line(tmp_path, text, message):
    raw = tmp_path / "raw"
    C.write_base_round(raw)
    overrides = tmp_path / "overrides"
    overrides.mkdir()
    (overrides / f"{C.ROUND}.yaml").write_text(text, encoding="utf-8")
    C.workdir_config(tmp_path / "work", raw, tmp_path / "out", overrides_dir=overrides)
    proc = snakemake(tmp_path / "work")
    assert_stopped_before_any_job(proc, tmp_path)
    assert proc.stderr.strip().splitlines()[-1].startswith(f"kartlegging: {overrides / (C.ROUND + '.yaml')}: {message}")


@pytest.mark.e2e
def test_override_matching_nothing_stops_consolidate_and_leaves_no_output(adversarial_run, tmp_path, capsys,
                                                                          quiet_logger):
    """The consolidate step of the adversarial round again, with an override for a file that does not exist."""
    from kartlegging.steps.consolidate import step_consolidate

    proc_dir = adversarial_run.out / "processed" / C.ROUND
    rd = adversarial_run.raw / C.ROUND
    overrides = tmp_path / "t.yaml"
    overrides.write_text("overrides:\n  - {id: ov-t-404, source: intervju, file: finnes-ikke.xlsx, record: T18,"
                         " set: {value: ja}, reason: wrong file name}\n", encoding="utf-8")
    inputs = {
        **{k: str(proc_dir / f"{t}.parquet") for k, t in (
            ("dispatch", "dispatch"), ("replies", "email_replies"), ("attempts", "phone_attempts"),
            ("units", "phone_units"), ("services", "services"), ("service_kommuner", "service_kommuner"),
            ("interviews", "interviews"))},
        "issues": [str(proc_dir / f"issues_{s}.parquet") for s in ("epost", "telefon", "intervju")],
        "applied": [str(proc_dir / f"overrides_{s}.parquet") for s in ("epost", "telefon", "intervju")],
        "dispatch_csv": str(rd / "utsendelse.csv"), "phone_log": str(rd / "telefonrunde.xlsx"),
        "emails": files_of(rd / "epost"), "workbooks": files_of(rd / "intervjuer"),
    }
    out = {k: str(tmp_path / f"{k}.parquet") for k in ("status", "issues", "applied", "conservation")}
    stop = C.stopped("consolidate", list(out.values()), tmp_path / "consolidate.log",
                     lambda: step_consolidate(C.ROUND, *REF_FILES, str(overrides), inputs, out))
    assert stop == (f"rule consolidate stopped: OverrideError: {overrides}: line 2, override ov-t-404: matched "
                    "no record (intervju: finnes-ikke.xlsx [T18]) [fix: check the file name and record against the "
                    "issue (make review prints them)]")
    assert not any(Path(p).exists() for p in out.values())  # kommune_status was written first, then removed


# ---------------------------------------------------------------------------
# Conservation itself: a lost record stops the run
# ---------------------------------------------------------------------------

def test_conservation_check_names_every_source_with_lost_records():
    frame = pd.DataFrame([
        cons._row("t", "epost", "fil", 3, ingested=2),
        cons._row("t", "telefon", "rad", 2, ingested=2, review=1),
        cons._row("t", "intervju", "arbeidsbok", 1, quarantined=1),
    ])
    assert list(frame["unaccounted"]) == [1, -1, 0]
    with pytest.raises(cons.ConservationError) as err:
        cons.check(frame)
    assert str(err.value) == ("round t: records lost between raw files and tables: epost: 3 in, 1 unaccounted; "
                              "telefon: 2 in, -1 unaccounted")
    cons.check(frame.iloc[[2]])


def test_conservation_sees_a_file_the_ingest_dropped(tmp_path, cls, dispatch):
    folder = tmp_path / "epost"
    folder.mkdir()
    for name in ("a.eml", "b.eml"):
        (folder / name).write_bytes(C.reply("K1804", "1. Ja"))
    result = ingest_email(folder, dispatch, cls, C.ROUND, [])
    dropped = result.table[result.table["file"] != "b.eml"]
    row = cons.email_conservation(C.ROUND, files_of(folder), dropped)
    assert (row["records_in"], row["unaccounted"]) == (2, 1)


def test_conservation_sees_a_workbook_and_a_phone_row_the_ingest_dropped(tmp_path, cls):
    (tmp_path / "a.xlsx").write_bytes(C.interview())
    result = ingest_interviews(tmp_path, cls, C.ROUND, [])
    row = cons.interview_conservation(C.ROUND, files_of(tmp_path), result.interviews.iloc[0:0],
                                      issues_frame(C.ROUND, result.issues))
    assert (row["records_in"], row["unaccounted"]) == (1, 1)
    log = tmp_path / "telefonrunde.xlsx"
    log.write_bytes(C.phone_log(C.PHONE_BASE))
    phone = ingest_phone(log, cls, set(C.UNIT), C.ROUND, [])
    row = cons.phone_conservation(C.ROUND, cons.phone_rows_in(log), phone.attempts.iloc[1:],
                                  issues_frame(C.ROUND, phone.issues))
    assert (row["records_in"], row["unaccounted"]) == (len(C.PHONE_BASE), 1)


def test_dispatch_conservation_counts_rows_against_the_table(tmp_path, cls):
    path = tmp_path / "utsendelse.csv"
    path.write_text(C.dispatch_text() + "\n;;;;;;;\n", encoding="utf-8")  # a blank spreadsheet row is no recipient
    table = read_dispatch(path, cls, C.ROUND).table
    assert cons.dispatch_conservation(C.ROUND, cons.dispatch_rows_in(path), table)["unaccounted"] == 0
    assert cons.dispatch_conservation(C.ROUND, cons.dispatch_rows_in(path), table.iloc[1:])["unaccounted"] == 1


@pytest.mark.e2e
def test_consolidate_stops_when_a_record_is_lost(adversarial_run, tmp_path, capsys, quiet_logger):
    """The adversarial round's consolidate step again, with one e-mail row taken out of the table."""
    from kartlegging.steps.consolidate import step_consolidate

    proc_dir = adversarial_run.out / "processed" / C.ROUND
    rd = adversarial_run.raw / C.ROUND
    replies = adversarial_run.table("email_replies")
    store.write_table(replies[replies["file"] != "tom.eml"], "email_replies", tmp_path / "email_replies.parquet")
    inputs = {
        **{k: str(proc_dir / f"{t}.parquet") for k, t in (
            ("dispatch", "dispatch"), ("attempts", "phone_attempts"), ("units", "phone_units"),
            ("services", "services"), ("service_kommuner", "service_kommuner"), ("interviews", "interviews"))},
        "replies": str(tmp_path / "email_replies.parquet"),
        "issues": [str(proc_dir / f"issues_{s}.parquet") for s in ("epost", "telefon", "intervju")],
        "applied": [str(proc_dir / f"overrides_{s}.parquet") for s in ("epost", "telefon", "intervju")],
        "dispatch_csv": str(rd / "utsendelse.csv"), "phone_log": str(rd / "telefonrunde.xlsx"),
        "emails": files_of(rd / "epost"), "workbooks": files_of(rd / "intervjuer"),
    }
    out = {k: str(tmp_path / "out" / f"{k}.parquet") for k in ("status", "issues", "applied", "conservation")}
    stop = C.stopped("consolidate", list(out.values()), tmp_path / "consolidate.log",
                     lambda: step_consolidate(C.ROUND, *REF_FILES, str(tmp_path / "none.yaml"), inputs, out))
    n_mail = len(files_of(rd / "epost"))
    assert stop == (f"rule consolidate stopped: ConservationError: round t: records lost between raw files "
                    f"and tables: epost: {n_mail} in, 1 unaccounted")
    assert not any(Path(p).exists() for p in out.values())


@pytest.mark.e2e
def test_demo_round_conservation_matches_the_raw_folder(demo_run):
    table = pq.read_table(demo_run / "processed" / "2015" / "conservation.parquet").to_pandas().set_index("source")
    raw = ROOT / "data" / "raw" / "2015"
    assert (table["unaccounted"] == 0).all()
    assert table.loc["epost", "records_in"] == len(files_of(raw / "epost"))
    assert table.loc["intervju", "records_in"] == len(files_of(raw / "intervjuer"))
    assert table.loc["utsendelse", "records_in"] == table.loc["utsendelse", "ingested"] == 443
    assert table.loc["telefon", "records_in"] == cons.phone_rows_in(raw / "telefonrunde.xlsx") > 250


def test_override_vocabularies_match_the_tables():
    """overrides.py copies the answer codes (it must not import pyarrow at parse time): kept equal."""
    from kartlegging.core import coding, overrides, tables

    assert overrides.EMAIL_ANSWERS == tables.ANSWER and overrides.PHONE_ANSWERS == coding.PHONE_CODES


def test_overrides_module_is_light_to_import():
    """The Snakefile imports it while parsing: no pandas, no pyarrow."""
    code = ("import sys, kartlegging.core.overrides, kartlegging.ingest.filetype; "
            "print(sorted({'pandas', 'pyarrow', 'python_calamine'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("make, words", [
    (lambda: C.xlsx_bytes({"Ark1": [["Region", "2015"], ["1804 Bodø", 1]]}), "an xlsx workbook"),
    (lambda: C.ole2_file("Root Entry", "Workbook"), "Excel 97-2003 workbook (.xls)"),
], ids=["xlsx", "xls"])
def test_kostra_workbook_is_named_for_what_it_is_not_utf16(tmp_path, make, words):
    """A statbank table downloaded as a workbook: the reason says so (it used to say "UTF-16 text")."""
    from kartlegging.ingest.kostra.reader import read_kostra

    path = tmp_path / "kostra-frisklivssentral.xlsx"
    path.write_bytes(make())
    frame, issues = read_kostra([path], C.REFERENCE)
    assert frame.empty and len(issues) == 1
    issue = issues[0]
    assert (issue.action, issue.code) == ("quarantine", "kostra.uleselig")
    assert words in issue.reason and "UTF-16" not in issue.reason and "CSV or JSON-stat" in issue.reason


def test_kostra_utf16_text_is_still_called_utf16(tmp_path):
    from kartlegging.ingest.kostra.reader import read_kostra

    path = tmp_path / "kostra.csv"
    path.write_bytes("Region;2015\n1804 Bodø;1\n".encode("utf-16"))
    _, issues = read_kostra([path], C.REFERENCE)
    assert len(issues) == 1 and "UTF-16" in issues[0].reason
