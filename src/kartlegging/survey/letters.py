"""The letters: one ``.eml`` draft per recipient, the dispatch list, a mail-merge list; later the reminders.

``make letters ROUND=<round>`` reads the contact list (checked against Klass 131) and the round's
letter template and writes, under ``data/raw/<round>/``:

- ``utsendelse/brev/<enhet_id>.eml``: the letter to each unit as a draft (``X-Unsent: 1``, which
  Outlook opens as a message ready to send), with the unit's tag in the subject
  (``... [K1804]``: the tag the e-mail ingest identifies a reply by) and a Message-ID;
- ``utsendelse.csv``: the dispatch list, with each draft's Message-ID, so that a reply whose
  client kept ``In-Reply-To`` is identified even when the tag was lost;
- ``utsendelse/flettefil.csv`` and ``utsendelse/brevtekst.txt``: a mail-merge list (address,
  subject with the tag, title) and the text with ``«mottaker»`` where the title goes, for those
  who send from Outlook through Word.

The Message-IDs are derived from the round and the unit (the same on every run); a mail client
that sends the drafts as they are keeps them, Outlook and Thunderbird set their own when they
send a draft, and then the tag identifies the reply. ``make reminders`` (and ``make phone-list``)
writes a reminder to every unit still without a reply, records its Message-ID in the dispatch
list (``paminnelse_message_id``) and threads it under the letter.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from email.charset import QP, Charset
from email.header import Header
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from kartlegging.core.letter import Letter, render_lines, subject
from kartlegging.ingest.dispatch import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from kartlegging.survey.contacts import Contact, csv_bytes, find_contact_file, read_contacts
from kartlegging.survey.context import RoundContext, SurveyError

DISPATCH_COLUMNS = (*REQUIRED_COLUMNS[:6], "message_id", "sendt", OPTIONAL_COLUMNS[1])
OSLO_TIME = ZoneInfo("Europe/Oslo")
#: Letters go out at nine in the morning of the day given (the Date of the draft).
SEND_TIME = time(9, 0)
_NAMESPACE = uuid.UUID("6f1d3c1e-2b8a-5d4e-9c7f-3a2b1c0d9e8f")


@dataclass(frozen=True)
class Written:
    """What a command wrote, for the summary it prints (counts and paths, never an address)."""

    lines: list[str]


def message_id(round_name: str, enhet_id: str, kind: str, sender_address: str) -> str:
    """``<uuid@domain>``: the same for the same round, unit and kind (``brev``, ``paminnelse``) on every
    run, so writing the letters again gives the same ids; the domain is the sender's."""
    domain = sender_address.rsplit("@", 1)[-1] if "@" in sender_address else "kartlegging.invalid"
    return f"<{uuid.uuid5(_NAMESPACE, f'kartlegging/{round_name}/{enhet_id}/{kind}')}@{domain}>"


_UTF8_QP = Charset("utf-8")
_UTF8_QP.header_encoding = QP
_UTF8_QP.body_encoding = QP


def _draft(ctx: RoundContext, contact: Contact, mid: str, sent: date, reminder: bool = False,
           original: str | None = None) -> bytes:
    """One draft, built with the standard library's compat32 classes (the modern header classes fold every
    header again on output: many times slower for hundreds of letters, same bytes on the wire)."""
    letter = ctx.letter
    msg = MIMEText(_body(ctx, ctx.mottaker(contact.enhet_id), reminder), "plain", _UTF8_QP)
    for name, value in (
        ("From", formataddr((letter.sender_name, letter.sender_address), charset="utf-8")),
        ("To", contact.epost),
        ("Subject", _header_text(subject(letter, contact.enhet_id, reminder))),
        ("Date", format_datetime(datetime.combine(sent, SEND_TIME, OSLO_TIME))),
        ("Message-ID", mid),
        *((("In-Reply-To", original), ("References", original)) if original else ()),
        ("X-Unsent", "1"),
        ("Content-Language", "nb-NO"),
    ):
        msg[name] = value
    return msg.as_bytes()


def _header_text(text: str) -> str:
    """A header value with only its runs of non-ASCII words encoded (RFC 2047), so that the tag ``[K1804]``
    stays plain text in the raw header, where a person or a tolerant client sees it as typed."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        trail: list[str] = []
        while run and not run[-1].strip():
            trail.insert(0, run.pop())
        if run:
            out.append(Header("".join(run), "utf-8").encode())
        out.extend(trail)
        run.clear()

    for token in re.split(r"(\s+)", text):
        if token.strip() and token.isascii():
            flush()
            out.append(token)
        elif token.strip() or run:
            run.append(token)
        else:
            out.append(token)
    flush()
    return "".join(out)


@lru_cache(maxsize=16)
def _rendered(letter: Letter, mottaker: str, reminder: bool) -> str:
    return "\n".join(line for line, _ in render_lines(letter, mottaker, reminder)) + "\n"


def _body(ctx: RoundContext, mottaker: str, reminder: bool) -> str:
    return _rendered(ctx.letter, mottaker, reminder)


def _check_sender(ctx: RoundContext) -> None:
    address = ctx.letter.sender_address
    if "@" not in address:
        raise SurveyError(f"{ctx.letter_file}: sender.address is empty: write the mailbox the letters are sent "
                          "from (the replies come back to it)")


def _merge_files(ctx: RoundContext, contacts: list[Contact], folder: Path, reminder: bool) -> None:
    """The mail-merge list (one row per recipient) and the letter text with the merge field for the title."""
    rows = [[c.enhet_id, c.enhet_navn, c.epost, subject(ctx.letter, c.enhet_id, reminder),
             ctx.mottaker(c.enhet_id)] for c in contacts]
    stem = "paminnelse-" if reminder else ""
    (folder / f"{stem}flettefil.csv").write_bytes(
        csv_bytes(("enhet_id", "enhet_navn", "epost", "emne", "mottaker"), rows))
    text = "\n".join(line for line, _ in render_lines(ctx.letter, "«mottaker»", reminder)) + "\n"
    (folder / f"{stem}brevtekst.txt").write_bytes(text.replace("\n", "\r\n").encode("utf-8-sig"))


def write_letters(ctx: RoundContext, sent: date, force: bool = False) -> Written:
    """The drafts, the dispatch list and the mail-merge files of a round (see the module docstring).

    Refuses to replace a dispatch list that already lists recipients unless ``force``: the letters
    may have gone out, and the list is what every reply is matched against.
    """
    from kartlegging.ingest.dispatch import DispatchError, dispatch_rows, find_dispatch_file

    _check_sender(ctx)
    contact_file = find_contact_file(ctx.round_dir)
    contacts, warnings = read_contacts(contact_file, ctx.classification)
    try:
        dispatch_file = find_dispatch_file(ctx.round_dir)
        rows_now = dispatch_rows(dispatch_file) if dispatch_file.exists() else 0
    except (DispatchError, ValueError) as exc:
        raise SurveyError(str(exc)) from None
    if rows_now and not force:
        raise SurveyError(f"{dispatch_file} already lists {rows_now} recipients (the letters were written before); "
                          f"to write them again, e.g. after correcting {contact_file.name}, add FORCE=1 "
                          "(make) or --force")
    folder = ctx.round_dir / "utsendelse" / "brev"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.eml"):
        old.unlink()
    dispatch: list[list[str]] = []
    for c in contacts:
        mid = message_id(ctx.round, c.enhet_id, "brev", ctx.letter.sender_address)
        (folder / f"{c.enhet_id}.eml").write_bytes(_draft(ctx, c, mid, sent))
        dispatch.append([c.enhet_id, c.kommunenummer, c.bydelsnummer, c.enhet_navn, ctx.title_for(c.enhet_id),
                         c.epost, mid, sent.isoformat(), ""])
    if dispatch_file.suffix != ".csv" and dispatch_file.exists():
        dispatch_file.unlink()
    target = ctx.round_dir / "utsendelse.csv"
    target.write_bytes(csv_bytes(DISPATCH_COLUMNS, dispatch))
    _merge_files(ctx, contacts, folder.parent, reminder=False)
    return Written([
        f"read {contact_file}: {len(contacts)} recipients",
        *warnings,
        f"wrote {len(contacts)} drafts in {folder}/ (open one in Outlook or Thunderbird to send it; keep the "
        "subject's tag)",
        f"wrote {target}: the dispatch list with each draft's Message-ID",
        f"wrote {folder.parent / 'flettefil.csv'} and brevtekst.txt: for a mail merge from Outlook",
    ])


def write_reminders(ctx: RoundContext, units: list[str], sent: date) -> Written:
    """A reminder to each of ``units``: drafts in ``utsendelse/paminnelse/``, their Message-IDs in the
    dispatch list (``paminnelse_message_id``), a mail-merge list. Other units' rows keep theirs."""
    from kartlegging.ingest.dispatch import find_dispatch_file
    from kartlegging.ingest.listfile import ListFileError, read_list

    _check_sender(ctx)
    contacts, _ = read_contacts(find_contact_file(ctx.round_dir), ctx.classification)
    by_unit = {c.enhet_id: c for c in contacts}
    dispatch_file = find_dispatch_file(ctx.round_dir)
    if dispatch_file.suffix != ".csv":
        raise SurveyError(f"{dispatch_file}: the reminders' Message-IDs are recorded in utsendelse.csv; save the "
                          "dispatch list as CSV first")
    try:
        listed = read_list(dispatch_file, DISPATCH_COLUMNS)
    except ListFileError as exc:
        raise SurveyError(str(exc)) from None
    header = list(listed.header) + [c for c in DISPATCH_COLUMNS if c not in listed.header]
    folder = ctx.round_dir / "utsendelse" / "paminnelse"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.eml"):
        old.unlink()
    wanted = set(units)
    rows: list[list[str]] = []
    written: list[Contact] = []
    for _, values in listed.rows:
        enhet = values.get("enhet_id", "").strip().upper()
        if enhet in wanted:
            contact = by_unit.get(enhet) or Contact(enhet, values.get("kommunenummer", ""), values.get(
                "bydelsnummer", ""), values.get("enhet_navn", ""), values.get("epost", ""), "")
            contact = Contact(enhet, contact.kommunenummer, contact.bydelsnummer, contact.enhet_navn,
                              values.get("epost", "") or contact.epost, contact.sentralbord)
            mid = message_id(ctx.round, enhet, "paminnelse", ctx.letter.sender_address)
            original = values.get("message_id", "").strip() or None
            (folder / f"{enhet}.eml").write_bytes(_draft(ctx, contact, mid, sent, True, original))
            values = {**values, "paminnelse_message_id": mid}
            written.append(contact)
        rows.append([values.get(h, "") for h in header])
    dispatch_file.write_bytes(csv_bytes(header, rows))
    _merge_files(ctx, written, folder.parent, reminder=True)
    return Written([f"wrote {len(written)} reminder drafts in {folder}/ and recorded their Message-IDs in "
                    f"{dispatch_file}", f"wrote {folder.parent / 'paminnelse-flettefil.csv'}: for a mail merge"])
