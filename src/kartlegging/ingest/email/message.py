"""One .eml file read into a row: headers, parts and attachments decoded, the reply's own text,
identification and coding."""

from __future__ import annotations

import email
import email.message
import email.policy
import email.utils
import re
from datetime import UTC, datetime
from pathlib import Path

from kartlegging.core.classification import Classification
from kartlegging.ingest.dispatch import DispatchResult
from kartlegging.ingest.email.coding import code_answers, code_reply, cut_answers, question_line
from kartlegging.ingest.email.identify import identify_unit
from kartlegging.ingest.email.letter_quote import recognise
from kartlegging.ingest.email.mime import (
    ENCODING_DEFECTS,
    STRUCTURE_LOST,
    Note,
    decode_bytes,
    decode_counting,
    decode_header_text,
    defect_names,
    html_to_text,
    normalise_text,
    unknown_charset,
)
from kartlegging.ingest.email.quoting import FORWARD_SUBJECT, split_segments
from kartlegging.ingest.email.row import ReplyRow, header_value

_AUTO_SUBJECT = re.compile(
    r"automatisk\s+svar|fraværsmelding|fravær\s*:|out\s+of\s+(?:the\s+)?office|autosvar|automatic\s+reply"
    r"|auto[\s\-]?reply|autoreply|ikke\s+på\s+kontoret|abwesenheitsnotiz", re.I)



_MESSAGE_HEADERS = {"from", "to", "subject", "date", "message-id"}

#: Declarations of parts that hold parts (``multipart/*``, ``message/*``): the standard library's
#: parser and ``walk()`` recurse once per level, so a message nested a thousand levels deep ends
#: in RecursionError (or, on a thread with a small stack, worse). A reply has a handful; more than
#: :data:`MAX_CONTAINERS` is refused before the parser sees it.
_CONTAINER = re.compile(rb"content-type[ \t]*:\s*(?:multipart|message)\s*/", re.I)
MAX_CONTAINERS = 100




def _parse_date(raw: str | None) -> datetime | None:
    """Date header in UTC; a date without zone (``-0000`` or none) is taken as UTC."""
    if not raw:
        return None
    try:
        dt = email.utils.parsedate_to_datetime(" ".join(raw.split()))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)



def _sender_address(raw: str | None) -> str | None:
    """The From address, lower-cased.

    Parsed from the header before RFC 2047 decoding: an encoded display name is
    one opaque token there, whereas the decoded ``Nordmann, Ola`` would be split
    at its comma into two addresses.
    """
    if not raw:
        return None
    text = str(raw)
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        text = decode_bytes(text.encode("utf-8", "surrogateescape"), None)
    text = " ".join(text.split())
    addresses = _addresses(text)
    if not addresses:
        addresses = _addresses(decode_header_text(text))
    return addresses[0].strip().strip("<>").lower() if addresses else None


def _addresses(text: str) -> list[str]:
    """The addresses of a header value; none when its comments nest too deeply to parse.

    The standard library's address parser recurses once per level of ``(`` comment nesting,
    so a damaged From header with a thousand ``(`` ends in RecursionError (a Python-level limit,
    the same on any thread). The message is still read; only the sender is unknown.
    """
    try:
        return [a for _, a in email.utils.getaddresses([text]) if "@" in a]
    except RecursionError:
        return []



def _has_header_end(raw: bytes) -> bool:
    """Whether the header block is closed by a blank line; a file cut inside its headers is not."""
    return b"\n\n" in raw or b"\r\n\r\n" in raw or b"\n\r\n" in raw



class _Unreadable(Exception):
    """The message cannot be read; ``args`` are the reason code and the quarantine reason."""



def _raw_value(part: email.message.Message, name: str) -> str | None:
    """A header of a MIME part as a plain string.

    ``compat32`` returns a ``Header`` object instead of a string when the value
    holds raw 8-bit bytes (a damaged or sloppy part header); string methods on
    it would fail, so the raw text is fetched instead.
    """
    wanted = name.lower()
    for key, value in part.raw_items():
        if key.lower() == wanted:
            return str(value)
    return None



def attachment_label(name: str, ctype: str, size: int) -> str:
    """How an attachment is listed in the table: its type, file suffix and decoded size, never its
    name (``Svar fra Kari Nordmann.docx`` names a person; the review command shows the name)."""
    suffix = Path(name).suffix.lower() if name else ""
    suffix = suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else ""
    return f"{suffix or ctype} ({size})"



def read_parts(msg: email.message.Message) -> tuple[str, list[str], int, list[Note]]:
    """Body text, attachment labels, how many attachments may hold an answer, and repair notes.

    Inline ``text/plain`` parts are preferred; ``text/html`` parts are used when
    no plain part has text (``multipart/alternative`` from Outlook has both).
    Everything else is an attachment, listed by type, suffix and decoded size
    (:func:`attachment_label`) and never opened. Inline images with a
    Content-ID (logos in signatures) and vCards are listed but do not count as
    a possible answer. Each part's charset is decoded on its own
    (:func:`decode_counting`); bytes that needed the fallback are noted, as is an
    attachment whose transfer encoding is cut off (the text is still read). A
    text part whose own encoding is broken makes the message unreadable.
    """
    plain: list[str] = []
    html: list[str] = []
    attachments: list[str] = []
    notes: list[Note] = []
    answer_attachments = 0
    stack = [msg]
    n = 0
    while stack:
        part = stack.pop(0)
        n += 1
        where = f"part {n}"
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            inner = part.get_payload()
            inner_msg = inner[0] if isinstance(inner, list) and inner else None
            try:
                size = len(inner_msg.as_bytes()) if inner_msg is not None else 0
            except (UnicodeError, LookupError, ValueError):
                size = 0  # the size is informative only; an odd inner charset must not lose the reply
            attachments.append(attachment_label(".eml", ctype, size))
            answer_attachments += 1
            continue
        if part.is_multipart():
            payload = part.get_payload()
            stack[0:0] = list(payload) if isinstance(payload, list) else []
            continue
        raw_name = _filename(part)
        name = decode_header_text(raw_name) if raw_name else ""
        disposition = (_raw_value(part, "Content-Disposition") or "").split(";")[0].strip().lower()
        payload = part.get_payload(decode=True) or b""
        broken = defect_names(part) & ENCODING_DEFECTS
        is_text = ctype in ("text/plain", "text/html") and not name and disposition != "attachment"
        if broken and is_text:
            raise _Unreadable("epost.koding_brutt",
                              f"truncated or corrupt {_raw_value(part, 'Content-Transfer-Encoding') or ''} "
                              f"text part ({', '.join(sorted(broken))})", where)
        if broken:
            notes.append(Note("epost.mime_defekt", f"attachment with a truncated or corrupt transfer encoding "
                              f"({', '.join(sorted(broken))}); listed, the text is read", where))
        if is_text:
            declared = part.get_content_charset()
            decoded, replaced = decode_counting(payload, declared)
            guessed = unknown_charset(payload, declared)
            if guessed:
                notes.append(Note("epost.tegnsett_ukjent", f"declared charset {guessed!r} is no charset Python "
                                  "knows; the part was read as windows-1252", where))
            if replaced:
                notes.append(Note("epost.tegn_erstattet", f"{replaced} byte(s) not valid in the part's charset "
                                  f"read as windows-1252", where))
            text = normalise_text(decoded)
            (plain if ctype == "text/plain" else html).append(text)
            continue
        attachments.append(attachment_label(name, ctype, len(payload)))
        logo = ctype.startswith("image/") and disposition != "attachment" and _raw_value(part, "Content-ID") is not None
        vcard = ctype in ("text/vcard", "text/x-vcard") or name.lower().endswith(".vcf")
        if not (logo or vcard):
            answer_attachments += 1
    body = "\n".join(t for t in plain if t.strip())
    if not body.strip() and html:
        body = "\n".join(html_to_text(h) for h in html)
    return body, attachments, answer_attachments, notes



def _filename(part: email.message.Message) -> str | None:
    """The attachment's file name; None when its RFC 2231 charset cannot decode it (the standard
    library lets a charset such as ``undefined`` raise): the part is still listed, by type."""
    try:
        return part.get_filename()
    except (UnicodeError, LookupError):
        return None


def _header_block_cut(raw: bytes, msg: email.message.Message) -> bool:
    """A file cut inside its header block: no blank line after the headers, and what the standard
    library took for a body is nothing or a single unterminated line (``Da`` of a ``Date:``)."""
    if _has_header_end(raw):
        return False
    payload = msg.get_payload(decode=False)
    text = payload if isinstance(payload, str) else ""
    return not text.strip() or ("\n" not in text and not raw.endswith((b"\n", b"\r")))



def read_message(path: Path, dispatch: DispatchResult, classification: Classification,
                 letter: list | None = None) -> ReplyRow:
    """Read, identify and code one file; every failure becomes a quarantine reason, every repair a note.

    ``letter``: the round's letter as word streams (:func:`kartlegging.ingest.email.letter_quote.letter_streams`),
    when the round has a letter template: a quoted copy of it is then recognised line by line, and the
    sender's lines below it read as the sender's own (:func:`recognise`)."""
    row = ReplyRow(path.name)

    def quarantine(code: str, reason: str, locator: str = "file") -> ReplyRow:
        row.quarantine, row.quarantine_code, row.quarantine_locator = reason, code, locator
        return row

    if path.suffix.lower() != ".eml":
        return quarantine("epost.ikke_eml", f"not an .eml file (suffix '{path.suffix}')")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return quarantine("epost.uleselig", f"cannot be read ({type(exc).__name__}: {exc.strerror or exc})")
    if not raw.strip():
        return quarantine("epost.tom", "empty file")
    if b"\x00" in raw[:8192]:
        return quarantine("epost.binaer", "binary content (NUL bytes): not an e-mail message")

    containers = len(_CONTAINER.findall(raw))
    if containers > MAX_CONTAINERS:
        return quarantine("epost.for_dyp", f"{containers:,} multipart or message parts declared, nested or in a "
                          f"row; at most {MAX_CONTAINERS} are read", "headers")
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    except RecursionError:  # counted above, so a fault of the count: still named, not a traceback
        return quarantine("epost.for_dyp", "MIME parts nested too deeply for the parser", "headers")
    items = list(msg.raw_items())
    names = {k.lower() for k, _ in items}
    if not names & _MESSAGE_HEADERS:
        return quarantine("epost.ikke_epost", "no e-mail headers (From, To, Subject, Date, Message-ID): "
                          "not an RFC 5322 message")
    row.message_id = decode_header_text(header_value(items, "message-id")) or None
    row.date = _parse_date(decode_header_text(header_value(items, "date")))
    row.subject = decode_header_text(header_value(items, "subject"))
    row.content_type = msg.get_content_type()
    row.sender = _sender_address(header_value(items, "from"))
    if _header_block_cut(raw, msg):
        return quarantine("epost.avkortet", "truncated: the file ends inside the header block", "headers")
    if "MissingHeaderBodySeparatorDefect" in defect_names(msg) or not _has_header_end(raw):
        row.notes.append(Note("epost.mime_defekt", "the header block is not closed by a blank line "
                              "(MissingHeaderBodySeparatorDefect); the first line that is no header starts the body",
                              "headers"))
    for i, part in enumerate(msg.walk(), 1):
        lost = defect_names(part) & STRUCTURE_LOST
        if lost:
            return quarantine("epost.mime_brutt", f"broken MIME structure ({', '.join(sorted(lost))})", f"part {i}")
        if "CloseBoundaryNotFoundDefect" in defect_names(part):
            row.notes.append(Note("epost.mime_defekt", "the final MIME boundary is missing "
                                  "(CloseBoundaryNotFoundDefect); the parts before the end are read", f"part {i}"))
    try:
        body, row.attachments, row.answer_attachments, notes = read_parts(msg)
    except _Unreadable as exc:
        return quarantine(*exc.args)
    row.notes += notes

    auto_submitted = (header_value(items, "auto-submitted") or "").strip().lower()
    row.auto_reply = bool(
        (auto_submitted and auto_submitted != "no")
        or "x-autoreply" in names or "x-autorespond" in names
        or (header_value(items, "precedence") or "").strip().lower() == "auto_reply"
        or _AUTO_SUBJECT.search(row.subject)
    )
    forward = bool(FORWARD_SUBJECT.match(row.subject))
    known = recognise(normalise_text(body), letter, question_line) if letter else None
    if known is not None:
        body = known.text
    tail = known.tail if known is not None else None
    segments = split_segments(body)
    row.coding, own_body, own_sig = code_reply(segments, forward, tail)
    # a forwarded message names the unit only when it is the answer being passed on (the forwarder's
    # own text has none); otherwise it is someone else's message, context that never identifies
    passes_on = forward and len(segments) > 1 and code_answers(cut_answers(own_body), prose=True).q1 is None
    identify_unit(row, items, dispatch, classification, own_body, own_sig, segments, passes_on, tail)
    return row
