"""Identification that knows its letter: a quoted copy of the round's letter recognised line by line.

The replies here are written the way mail clients quote (``>`` marks, Outlook's header block,
HTML turned into one line per paragraph, rewrapped) and, above all, with the quoted letter
*without* its own sign-off and the sender signing below it: the case the rule "the sender's
lines follow the letter's sign-off" cannot see. Every such reply must be identified, and its
answers read from the sender's words, never from the letter's.
"""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest
from survey_project import quote, without_sign_off

from kartlegging.core.classification import load
from kartlegging.core.letter import LetterError, load_letter, render_lines, subject
from kartlegging.ingest.dispatch import read_dispatch
from kartlegging.ingest.email.coding import question_line
from kartlegging.ingest.email.letter_quote import letter_streams, recognise
from kartlegging.ingest.email.reader import ingest_email

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "data" / "reference"
ROUND = "2026"
#: (enhet_id, name the sender signs with, mail domain): none of the senders writes from these domains.
UNITS = [("K1804", "Bodø kommune", "bodo"), ("K4601", "Bergen kommune", "bergen"),
         ("K5001", "Trondheim kommune", "trondheim"), ("K3201", "Bærum kommune", "baerum"),
         ("K1506", "Molde kommune", "molde"), ("K5501", "Tromsø kommune", "tromso"),
         ("K3301", "Drammen kommune", "drammen"), ("K4204", "Kristiansand kommune", "kristiansand"),
         ("B030102", "Bydel Grünerløkka", "bga"), ("K1103", "Stavanger kommune", "stavanger")]


@pytest.fixture(scope="module")
def letter(tmp_path_factory):
    from kartlegging.survey.rounds import _letter_text

    path = tmp_path_factory.mktemp("letter") / f"{ROUND}.yaml"
    path.write_text(_letter_text(ROUND, __import__("datetime").date(2026, 11, 30)).replace(
        'address: ""', 'address: "kartlegging@example.no"'), encoding="utf-8")
    return load_letter(path)


@pytest.fixture(scope="module")
def cls():
    return load(REFERENCE, "2024")


def _letter(letter, enhet: str) -> list[str]:
    return [t for t, _ in render_lines(letter, "bydelsdirektøren" if enhet.startswith("B") else "kommunedirektøren")]


def _message(sender: str, subject_: str, text: list[str]) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "kartlegging@example.no"
    msg["Subject"] = subject_
    msg["Date"] = "Mon, 05 Oct 2026 10:00:00 +0200"
    msg["Message-ID"] = f"<{abs(hash((sender, subject_))) % 10**12}@test.invalid>"
    msg.set_content("\n".join(text) + "\n")
    return bytes(msg)


def _dispatch(tmp_path: Path, cls):
    rows = ["enhet_id;kommunenummer;bydelsnummer;enhet_navn;mottaker_rolle;epost;message_id;sendt"]
    for enhet, _, dom in UNITS:
        knr, bnr = (enhet[1:], "") if enhet.startswith("K") else ("0301", enhet[1:])
        rows.append(f"{enhet};{knr};{bnr};{cls.unit_name(enhet)};x;postmottak@{dom}.kommune.no;<{enhet}@ex.no>;"
                    "2026-10-01")
    path = tmp_path / "utsendelse.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return read_dispatch(path, cls, ROUND)


SIGN_OFFS = [
    lambda name: ["Med vennlig hilsen", "Kari Nordmann", "Kommunalsjef helse", name],
    lambda name: ["Mvh", "Ola Hansen", f"{name}, helse og omsorg"],
    lambda name: [f"Vennlig hilsen Per Olsen, {name}"],
    lambda name: ["Hilsen", "Anne", "", f"Denne e-posten er sendt fra {name}"],
    lambda name: ["--", "Liv Berg | rådgiver", name, "Telefon 99 00 11 22"],
]
STYLES = ["gt", "gt-rewrapped", "outlook", "paragraphs"]


def replies_signed_below(letter) -> list[tuple[str, str, bytes]]:
    """(file, enhet_id, bytes): every unit answers from a private address, without a tag, quoting the letter
    without its sign-off and signing below the quote; the answer is above (top-posted) or inline."""
    out = []
    for n, (enhet, name, _) in enumerate(UNITS):
        lines = without_sign_off(_letter(letter, enhet))
        style = STYLES[n % len(STYLES)]
        top = ["Hei,", "", "Nei, vi har ikke en slik tjeneste." if n % 2 else "1. Ja", ""]
        body = top + quote(lines, style) + [""] + SIGN_OFFS[n % len(SIGN_OFFS)](name)
        subj = ["SV: Kartlegging av lærings- og mestringstjenester", "Svar", "Re: kartleggingen", "VS: Svar"][n % 4]
        out.append((f"svar-{n:02d}.eml", enhet, _message(f"person{n}@gmail.com", subj, body)))
    return out


def test_replies_signed_below_a_quote_without_its_sign_off_are_all_identified(letter, cls, tmp_path):
    dispatch = _dispatch(tmp_path, cls)
    folder = tmp_path / "epost"
    folder.mkdir()
    truth = {}
    for name, enhet, data in replies_signed_below(letter):
        (folder / name).write_bytes(data)
        truth[name] = enhet
    table = ingest_email(folder, dispatch, cls, ROUND, [], letter).table.set_index("file")
    assert dict(table["enhet_id"]) == truth
    assert set(table["ident_method"]) == {"named_in_text"}
    assert dict(table["q1"]) == {n: ("nei" if i % 2 else "ja") for i, n in enumerate(sorted(truth))}


def test_without_the_letter_a_kommune_signing_below_a_quote_without_sign_off_is_still_identified(letter, cls,
                                                                                                tmp_path):
    """A round run without its letter template (the demo rounds, a round whose letter was never written
    down): a sign-off below the quote that names a kommune or bydel is the sender's, whatever the style."""
    dispatch = _dispatch(tmp_path, cls)
    folder = tmp_path / "epost"
    folder.mkdir()
    truth = {}
    for name, enhet, data in replies_signed_below(letter):
        (folder / name).write_bytes(data)
        truth[name] = enhet
    table = ingest_email(folder, dispatch, cls, ROUND, []).table.set_index("file")
    assert dict(table["enhet_id"]) == truth


@pytest.mark.parametrize("style", ["outlook", "paragraphs"])
def test_without_the_letter_a_sign_off_that_names_no_kommune_is_not_taken_for_the_senders(letter, cls, tmp_path,
                                                                                          style):
    """The survey's own sign-off, quoted with nothing below it, names its host (here in Tromsø, a unit of
    the dispatch),
    not the reader; a sender who signs with a bare place name is left for review. Never a guess."""
    dispatch = _dispatch(tmp_path, cls)
    folder = tmp_path / "epost"
    folder.mkdir()
    hosted = without_sign_off(_letter(letter, "K1804")) + ["", "Vennlig hilsen", "Kartleggingen",
                                                               "Universitetssykehuset Nord-Norge, Tromsø"]
    (folder / "hosted.eml").write_bytes(_message("a@gmail.com", "Svar", ["1. Nei", "", *quote(hosted, style)]))
    bare = without_sign_off(_letter(letter, "K1804")) + ["", "Mvh", "Kari, Bodø"]
    (folder / "bare.eml").write_bytes(_message("b@gmail.com", "Svar", ["1. Nei", "", *quote(bare, style)]))
    without = ingest_email(folder, dispatch, cls, ROUND, []).table.set_index("file")
    assert without["enhet_id"].isna().all() and (without["status"] == "til_vurdering").all()
    assert (without["ident_method"] == "none").all()


def test_a_kommune_named_inside_the_quote_is_not_the_sender(letter, cls, tmp_path):
    """Only the sender's own lines identify: text typed between the quoted lines belongs to the quote's
    reader, not to the letter, but a sign-off quoted by a colleague is someone else's."""
    dispatch = _dispatch(tmp_path, cls)
    folder = tmp_path / "epost"
    folder.mkdir()
    lines = without_sign_off(_letter(letter, "K1804")) + ["", "Hilsen", "Bodø kommune"]
    body = ["1. Nei", "", *quote(lines, "gt")]   # Bodø's sign-off is inside the '>' quote: not this sender's
    (folder / "x.eml").write_bytes(_message("someone@gmail.com", "Svar", body))
    table = ingest_email(folder, dispatch, cls, ROUND, [], letter).table
    assert table["enhet_id"].isna().all() and (table["status"] == "til_vurdering").all()


@pytest.mark.parametrize("style", STYLES)
def test_the_letter_is_found_in_every_quoting_style_and_its_questions_become_the_coders(letter, style):
    lines = _letter(letter, "K1804")
    body = "\n".join(["Svar over.", "", *quote(lines, style), "", "Hilsen Kari", "Bodø kommune"])
    found = recognise(body, letter_streams(letter), question_line)
    assert found is not None
    assert found.tail == ["Hilsen Kari", "Bodø kommune"]
    prefix = "> " if style.startswith("gt") else ""
    for n in range(1, 6):
        assert question_line(n, prefix) in found.text.split("\n")
    # none of the letter's own words is left to be read as the sender's
    assert "takknemlige" not in found.text and "hakeparentes" not in found.text and "Kartleggingen av" not in found.text


def test_inline_answers_under_the_letters_own_questions_are_read_per_question(letter, cls, tmp_path):
    """Outlook: the sender writes under each quoted question; the letter's questions are worded in the
    round's own way, which the coder only knows through the template."""
    dispatch = _dispatch(tmp_path, cls)
    folder = tmp_path / "epost"
    folder.mkdir()
    lines = _letter(letter, "K4601")
    inline: list[str] = []
    for ln in lines:
        inline.append(ln)
        if ln.endswith("fagfolk. (ja / nei / vet ikke)"):
            inline.append("NEI")
        if ln.endswith("en? (ja / nei / vet ikke)"):
            inline.append("Ja, vi planlegger å starte i 2027")
    body = ["Svarene står i teksten under.", "", *quote(inline, "outlook"), "", "Ola, Bergen kommune"]
    (folder / "inline.eml").write_bytes(_message("ola@gmail.com", subject(letter, "K4601"), body))
    row = ingest_email(folder, dispatch, cls, ROUND, [], letter).table.iloc[0]
    assert (row["enhet_id"], row["ident_method"], row["q1"], row["q5"]) == ("K4601", "tag", "nei", "ja")


def test_an_answer_written_below_the_whole_quote_is_the_senders(letter, cls, tmp_path):
    dispatch = _dispatch(tmp_path, cls)
    folder = tmp_path / "epost"
    folder.mkdir()
    body = [*quote(_letter(letter, "K5001"), "gt"), "", "Vi har dessverre ikke noe slikt tilbud i kommunen.",
            "", "Hilsen Trondheim kommune"]
    (folder / "bottom.eml").write_bytes(_message("a@gmail.com", "Svar", body))
    row = ingest_email(folder, dispatch, cls, ROUND, [], letter).table.iloc[0]
    assert (row["enhet_id"], row["q1"]) == ("K5001", "nei")


def test_a_reply_to_the_reminder_is_recognised_too(letter):
    lines = [t for t, _ in render_lines(letter, "kommunedirektøren", reminder=True)]
    found = recognise("\n".join(["Nei.", "", *quote(without_sign_off(lines), "outlook"), "", "Hvaler kommune"]),
                      letter_streams(letter), question_line)
    assert found is not None and found.tail == ["Hvaler kommune"]
    assert "nedenfor og sender" not in found.text   # the reminder's own paragraph is the letter's


def test_a_fresh_message_has_no_quote(letter):
    assert recognise("1. Nei\n5. Nei\n\nHilsen Bodø kommune", letter_streams(letter), question_line) is None


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace("{mottaker}", "{mottager}"), r"unknown placeholder\(s\) \{mottager\}"),
    (lambda t: t.replace("  - Hvem leder eller koordinerer tjenesten? Oppgi navn, telefonnummer og e-postadresse.\n",
                         ""), "must list the 5 questions"),
    (lambda t: t.replace('reply_by: "2026-11-30"', 'reply_by: "30.11.2026"'), "reply_by.*YYYY-MM-DD"),
    (lambda t: t + "extra: 1\n", "unknown key"),
])
def test_a_broken_letter_template_is_refused_naming_the_key(letter, tmp_path, edit, message):
    path = tmp_path / "2026.yaml"
    path.write_text(edit(letter.path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(LetterError, match=message) as err:
        load_letter(path)
    assert str(path) in str(err.value)
