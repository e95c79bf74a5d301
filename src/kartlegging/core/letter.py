"""The letter of a round (``config/letters/<round>.yaml``): what was sent, and so what a reply quotes.

One file per round, written by ``make new-round`` for the analyst to edit: the subject, the
sender, the answer deadline and the text around the five questions, in bokmål, plus the
paragraph a reminder puts above it. Two sides read it:

- the survey tools (:mod:`kartlegging.survey.letters`) render one message per recipient;
- the e-mail ingest (:mod:`kartlegging.ingest.email.letter_quote`) recognises a quoted copy
  of the same text in a reply, line by line, and so knows where the letter ends and what
  the sender wrote.

Both render through :func:`render_lines`, so a reply quotes exactly what the recognition
expects. The text may use ``{mottaker}`` (the addressee's title in definite form:
``kommunedirektøren``, ``rådmannen``, ``bydelsdirektøren``), ``{svarfrist}`` (the deadline as
``30. november 2026``), ``{avsender}`` (the sender's name) and ``{runde}``.
"""

from __future__ import annotations

import string
import textwrap
from dataclasses import dataclass
from datetime import date
from pathlib import Path

#: The questions the survey asks, in this order: 1 whether the unit has a service, 2 its name and
#: place, 3 kommunal or interkommunal (and with whom), 4 the leader's contact, 5 plans to start one.
#: The e-mail coding reads answers to 1 and 5 by their number.
QUESTION_COUNT = 5
PLACEHOLDERS = ("mottaker", "svarfrist", "avsender", "runde")
WIDTH = 72
_MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
           "november", "desember")
#: The kommunelov of 2018 (in force from the autumn 2019 elections) renamed the rådmann kommunedirektør.
KOMMUNEDIREKTOR_FROM = 2020


class LetterError(ValueError):
    """The letter template cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Letter:
    """A round's letter template, validated."""

    path: Path
    round: str
    subject: str
    sender_name: str
    sender_address: str
    reply_by: date | None
    greeting: str
    introduction: str
    questions: tuple[str, ...]
    closing: str
    sign_off: str
    reminder_subject_prefix: str
    reminder_introduction: str


def leader_title_for(round_name: str) -> str:
    """The title of a kommune's chief executive in a round: ``rådmann`` before the kommunelov of 2018
    took effect, ``kommunedirektør`` from 2020 (a round is named by the year its field work began)."""
    year = int(str(round_name)[:4]) if str(round_name)[:4].isdigit() else KOMMUNEDIREKTOR_FROM
    return "kommunedirektør" if year >= KOMMUNEDIREKTOR_FROM else "rådmann"


def definite(title: str) -> str:
    """``kommunedirektør`` → ``kommunedirektøren``, ``rådmann`` → ``rådmannen`` (masculine definite)."""
    title = title.strip()
    return title if title.endswith("en") else f"{title}en"


def norwegian_date(day: date) -> str:
    """``30. november 2026``."""
    return f"{day.day}. {_MONTHS[day.month - 1]} {day.year}"


def _text(data: dict, key: str, path: Path, required: bool = True) -> str:
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise LetterError(f"{path}: '{key}' must be a text")
    return value.strip()


def _check_fields(text: str, key: str, path: Path) -> None:
    """Only the known placeholders: anything else in braces is a typo the letter would carry."""
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
    except ValueError as exc:
        raise LetterError(f"{path}: '{key}': unbalanced braces ({exc}); write {{{{ and }}}} for a brace") from None
    unknown = sorted({f for f in fields if f not in PLACEHOLDERS})
    if unknown:
        raise LetterError(f"{path}: '{key}': unknown placeholder(s) {', '.join('{' + f + '}' for f in unknown)} "
                          f"(known: {', '.join('{' + p + '}' for p in PLACEHOLDERS)})")


def load_letter(path: str | Path) -> Letter:
    """Read and check a letter template; :class:`LetterError` names the file and the key at fault."""
    import yaml

    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LetterError(f"{p}: letter template not found (make new-round writes it)") from None
    except yaml.YAMLError as exc:
        raise LetterError(f"{p}: not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise LetterError(f"{p}: expected a mapping (subject, sender, questions, ...)")
    known = {"round", "subject", "sender", "reply_by", "greeting", "introduction", "questions", "closing",
             "sign_off", "reminder"}
    extra = sorted(set(data) - known)
    if extra:
        raise LetterError(f"{p}: unknown key(s) {', '.join(extra)} (known: {', '.join(sorted(known))})")
    sender = data.get("sender") or {}
    if not isinstance(sender, dict):
        raise LetterError(f"{p}: 'sender' must be a mapping with name and address")
    questions = data.get("questions")
    if not isinstance(questions, list) or len(questions) != QUESTION_COUNT or not all(
            isinstance(q, str) and q.strip() for q in questions):
        raise LetterError(f"{p}: 'questions' must list the {QUESTION_COUNT} questions, in their order "
                          "(1 a service?, 2 its name and place, 3 kommunal or interkommunal, 4 the leader's contact, "
                          "5 plans?)")
    reply_by = data.get("reply_by")
    if isinstance(reply_by, str) and reply_by.strip():
        try:
            reply_by = date.fromisoformat(reply_by.strip())
        except ValueError:
            raise LetterError(f"{p}: 'reply_by' must be a date YYYY-MM-DD") from None
    elif reply_by is not None and not isinstance(reply_by, date):
        raise LetterError(f"{p}: 'reply_by' must be a date YYYY-MM-DD")
    reminder = data.get("reminder") or {}
    if not isinstance(reminder, dict):
        raise LetterError(f"{p}: 'reminder' must be a mapping with subject_prefix and introduction")
    letter = Letter(
        path=p,
        round=str(data.get("round", "")),
        subject=_text(data, "subject", p),
        sender_name=_text(sender, "name", p),
        sender_address=str(sender.get("address") or "").strip(),
        reply_by=reply_by or None,
        greeting=_text(data, "greeting", p, required=False),
        introduction=_text(data, "introduction", p),
        questions=tuple(" ".join(q.split()) for q in questions),
        closing=_text(data, "closing", p, required=False),
        sign_off=_text(data, "sign_off", p),
        reminder_subject_prefix=str(reminder.get("subject_prefix") or "Påminnelse: "),
        reminder_introduction=str(reminder.get("introduction") or "").strip(),
    )
    for key in ("greeting", "introduction", "closing", "sign_off", "reminder_introduction", "subject"):
        _check_fields(getattr(letter, key), key, p)
    for n, q in enumerate(letter.questions, 1):
        _check_fields(q, f"questions[{n}]", p)
    if "{svarfrist}" in " ".join([letter.introduction, letter.closing, *letter.questions]) and letter.reply_by is None:
        raise LetterError(f"{p}: the text names {{svarfrist}} but 'reply_by' is not set")
    return letter


def _values(letter: Letter, mottaker: str) -> dict[str, str]:
    return {"mottaker": mottaker, "svarfrist": norwegian_date(letter.reply_by) if letter.reply_by else "",
            "avsender": letter.sender_name, "runde": letter.round}


def _paragraphs(text: str, values: dict[str, str], role: str, keep_lines: bool = False) -> list[tuple[str, str]]:
    """Paragraphs (separated by a blank line), each reflowed and wrapped at :data:`WIDTH` as a mail
    client would; with ``keep_lines`` (a greeting, a sign-off) every line stays a line."""
    out: list[tuple[str, str]] = []
    for para in text.format_map(values).split("\n\n"):
        parts = para.split("\n") if keep_lines else [" ".join(para.split())]
        for line in parts:
            out += [(w, role) for w in textwrap.wrap(line, WIDTH)] or [("", role)]
        out.append(("", "blank"))
    return out


def render_lines(letter: Letter, mottaker: str, reminder: bool = False) -> list[tuple[str, str]]:
    """The letter as sent, one ``(line, role)`` per line; roles ``greeting``, ``introduction``,
    ``q1``..``q5``, ``closing``, ``sign_off``, ``reminder`` and ``blank``.

    ``mottaker`` is the addressee's title in definite form (:func:`definite`). A reminder is its
    own paragraph above the whole letter.
    """
    values = _values(letter, mottaker)
    lines: list[tuple[str, str]] = []
    if reminder and letter.reminder_introduction:
        lines += _paragraphs(letter.reminder_introduction, values, "reminder")
    if letter.greeting:
        lines += _paragraphs(letter.greeting, values, "greeting", keep_lines=True)
    lines += _paragraphs(letter.introduction, values, "introduction")
    for n, question in enumerate(letter.questions, 1):
        wrapped = textwrap.wrap(f"{n}. {question.format_map(values)}", WIDTH, subsequent_indent="   ")
        lines += [(w, f"q{n}") for w in wrapped] + [("", "blank")]
    if letter.closing:
        lines += _paragraphs(letter.closing, values, "closing")
    lines += _paragraphs(letter.sign_off, values, "sign_off", keep_lines=True)
    while lines and lines[-1][1] == "blank":
        lines.pop()
    return lines


def subject(letter: Letter, enhet_id: str, reminder: bool = False) -> str:
    """The subject with the unit's tag, ``... [K1804]``: the tag the e-mail ingest identifies a reply by."""
    text = letter.subject.format_map(_values(letter, ""))
    return f"{letter.reminder_subject_prefix if reminder else ''}{text} [{enhet_id}]"
