"""Answers for one kommune that contradict across sources become review items; which source counts is
docs/SOURCES.md, and kommune_status follows it."""
from __future__ import annotations

from pathlib import Path

import corpus as C
import pytest

from kartlegging.analysis.consolidate import contradictions, kommune_status
from kartlegging.core.classification import load
from kartlegging.core.overrides import Override
from kartlegging.core.reasons import CATALOGUE, CONTRADICTIONS
from kartlegging.ingest.dispatch import read_dispatch
from kartlegging.ingest.email.reader import ingest_email
from kartlegging.ingest.interviews import ingest_interviews
from kartlegging.ingest.phone import ingest_phone

ROOT = Path(__file__).resolve().parents[1]
LATER = "Tue, 25 Nov 2014 09:00:00 +0100"


@pytest.fixture(scope="module")
def cls():
    return load(C.REFERENCE, C.CLASSIFICATION)


@pytest.fixture(scope="module")
def round_dir(tmp_path_factory) -> Path:
    """The base round with one contradiction of each kind:

    - Bodø (K1804) answered ja by e-mail and nei on the phone (row 6);
    - Halden (K0101) answered nei by e-mail, then ja in a later reply;
    - Moss (K0104) answered ja by e-mail, and its interview says the candidate does not meet the definition;
    - Stavanger (K1103) answered ja on the phone (row 4), and its interview says the same."""
    rd = C.write_base_round(tmp_path_factory.mktemp("motstrid") / "raw")
    (rd / "telefonrunde.xlsx").write_bytes(C.phone_log(
        C.PHONE_BASE + (("Bodø", 1804, "15.11.2014", "helseleder", "nei", None),) + C.PHONE_FILL))
    (rd / "epost" / "halden-rettelse.eml").write_bytes(C.reply("K0101", "1. Ja\n5. -", date=LATER))
    (rd / "epost" / "moss.eml").write_bytes(C.reply("K0104", "1. Ja\n5. -"))
    (rd / "intervjuer" / "moss.xlsx").write_bytes(C.interview({"T02": "Moss", "T18": "nei"}))
    (rd / "intervjuer" / "stavanger.xlsx").write_bytes(C.interview({"T02": "Stavanger", "T18": "nei"}))
    return rd


def _found(rd: Path, cls, overrides: list[Override] | None = None):
    overrides = overrides or []
    dispatch = read_dispatch(rd / "utsendelse.csv", cls, C.ROUND)
    mail = ingest_email(rd / "epost", dispatch, cls, C.ROUND, overrides)
    phone = ingest_phone(rd / "telefonrunde.xlsx", cls, set(dispatch.units), C.ROUND, overrides)
    iv = ingest_interviews(rd / "intervjuer", cls, C.ROUND, overrides)
    items = contradictions(mail.table, phone.attempts, phone.units, iv.services, iv.service_kommuner, iv.interviews,
                           overrides)
    status = kommune_status(C.ROUND, cls, mail.table, phone.attempts, phone.units, iv.services, iv.service_kommuner)
    return items, status.set_index("kommunenummer")


def test_a_phone_nei_against_an_email_ja_is_a_review_item(round_dir, cls):
    items, status = _found(round_dir, cls)
    phone = [i for i in items if i.code == "epost.motstrid_telefon"]
    assert len(phone) == 1
    item = phone[0]
    assert (item.source, item.file, item.field, item.action, item.resolved_by) == (
        "epost", "base-bodo.eml", "q1", "review", None)
    assert item.locator == "also telefon: telefonrunde.xlsx row 6"
    assert "K1804 answered question 1 ja by e-mail and nei on the phone" in item.reason
    # which source counts: the interview; both answers stay beside the status
    assert status.loc["1804", ["har_tjeneste", "epost_svar", "telefon_svar"]].tolist() == ["ja", "ja", "nei"]


def test_two_email_replies_that_disagree_are_a_review_item_on_the_one_that_counts(round_dir, cls):
    items, status = _found(round_dir, cls)
    (item,) = [i for i in items if i.code == "epost.motstrid_epostsvar"]
    assert (item.file, item.locator) == ("halden-rettelse.eml", "also epost: base-halden.eml")
    assert "halden-rettelse.eml (the latest, which counts) says ja, base-halden.eml says nei" in item.reason
    assert status.loc["0101", "epost_svar"] == "ja"  # the latest reply counts


def test_a_ja_against_an_interview_that_found_no_service_is_a_review_item_and_the_interview_counts(round_dir, cls):
    items, status = _found(round_dir, cls)
    by_code = {i.code: i for i in items if i.source == "intervju"}
    assert set(by_code) == {"intervju.motstrid_epost", "intervju.motstrid_telefon"}
    email = by_code["intervju.motstrid_epost"]
    assert (email.file, email.record, email.field, email.locator) == ("moss.xlsx", "T18", "inkludert",
                                                                      "also epost: moss.eml")
    phone = by_code["intervju.motstrid_telefon"]
    assert (phone.file, phone.locator) == ("stavanger.xlsx", "also telefon: telefonrunde.xlsx row 4")
    assert status.loc["0104", "har_tjeneste"] == "nei" and status.loc["1103", "har_tjeneste"] == "nei"
    assert len(items) == 4 and {i.code for i in items} == CONTRADICTIONS


def test_an_override_of_either_record_settles_the_item(round_dir, cls):
    confirm = Override("ov-t-001", "telefon", "telefonrunde.xlsx", "6", {"svar": "nei"},
                       "bekreftet av helselederen i en ny samtale")
    items, _ = _found(round_dir, cls, [confirm])
    (item,) = [i for i in items if i.code == "epost.motstrid_telefon"]
    assert item.resolved_by == "ov-t-001"
    assert all(i.resolved_by is None for i in items if i is not item)


def test_answers_that_do_not_say_ja_and_nei_contradict_nothing(tmp_path, cls):
    """vet ikke against ja is no contradiction; the base round has none."""
    rd = C.write_base_round(tmp_path / "raw")
    (rd / "telefonrunde.xlsx").write_bytes(C.phone_log(
        C.PHONE_BASE + (("Oslo", 301, "15.11.2014", "helseleder", "Ja", None),) + C.PHONE_FILL))
    items, _ = _found(rd, cls)
    assert items == []


def test_every_contradiction_code_has_a_bokmal_message_and_the_rule_is_written_down():
    rules = (ROOT / "docs" / "SOURCES.md").read_text(encoding="utf-8")
    for code in CONTRADICTIONS:
        assert CATALOGUE[code].nb and code in rules
