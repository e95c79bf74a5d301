"""E-mail replies (``epost/*.eml``): identify the replying unit and code questions 1 and 5.

The ingest of a round's folder. One message is read in :mod:`.message` (decoding in :mod:`.mime`,
quotes and signatures in :mod:`.quoting`), coded in :mod:`.coding` and identified in :mod:`.identify`;
overrides and later replies are applied in :mod:`.supersede`.

Replies arrive as saved from Outlook or Thunderbird, in every state real mail is
in: wrong charsets, HTML-only bodies, quoted questionnaires, forwarded chains,
out-of-office notices, answers in attachments, truncated files. Each file gives
exactly one row of ``tables.EMAIL_REPLIES``; whatever the rules cannot decide
becomes an :class:`~kartlegging.core.issues.Issue` for an analyst, and whatever cannot
be read at all is kept as ``karantene``. Nothing is dropped and nothing is guessed.

Personal data (addresses, names, phone numbers) is used here for matching only:
the table keeps a salted hash of the sender, and raw values in issues are masked
by ``issues_frame``.

Speed: a round may hold thousands of small messages, so parsing uses the
``compat32`` policy (several times faster than the default policy) and decodes
headers and bodies by hand, which is also where the charset repairs live.

Identification cascade (falling trust; the first step that gives exactly one
dispatched unit wins, recorded in ``ident_method``):

1. ``tag``: ``[K1804]``/``[B030102]`` in the Subject, also mangled (``[ K1804 ]``,
   ``[k1804]``, ``(K1804)``, ``K 1804``, ``[K-1804]``, ``[K301]``); the unit must
   be in the dispatch list. Several different dispatched tags: step skipped.
2. ``in_reply_to``: a dispatch Message-ID in In-Reply-To (first) or References.
3. ``sender_address``: the From address equals exactly one unit's dispatch address.
4. ``sender_domain``: the From domain equals the domain of exactly one dispatch
   address; free-mail domains (gmail.com, online.no, ...) never identify a unit.
5. ``named_in_text``: ``Classification.find_in_text`` on the reply's own text
   (quotes removed), signature first, then signature and body together, then the
   sender's lines below the quoted letter (found by the round's letter template when
   there is one, else after the letter's last question and sign-off); one
   unit, or Oslo plus one bydel (-> the bydel). For a forward (``VS:``/``FW:``)
   the forwarded message is searched when the forwarder's text names nothing.
6. ``none``: review item "no unit identified", status ``til_vurdering``.

An override (source ``epost``, ``file`` = the file name, ``record`` empty) may
set ``enhet_id`` (``ident_method`` = ``override``), ``q1``, ``q5`` or ``auto_reply``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kartlegging.core.classification import Classification
from kartlegging.core.issues import Issue
from kartlegging.core.letter import Letter
from kartlegging.core.overrides import Override
from kartlegging.core.rawfolder import record_files
from kartlegging.core.reasons import LAST_RESORT
from kartlegging.core.tables import EMAIL_REPLIES, salted_hash
from kartlegging.ingest.dispatch import DispatchResult, normalise_message_id
from kartlegging.ingest.email.letter_quote import letter_streams
from kartlegging.ingest.email.message import read_message
from kartlegging.ingest.email.row import SOURCE, EmailError, ReplyRow
from kartlegging.ingest.email.supersede import apply_overrides, final_answers, supersede_replies

log = logging.getLogger("kartlegging")


@dataclass
class EmailResult:
    """Outcome of the e-mail ingest: the table, the issues, the override ids used and, per override,
    the value each field it set had before (the audit trail of appendix B)."""

    table: pd.DataFrame
    issues: list[Issue]
    applied: set[str]
    before: dict[str, dict[str, object]] = field(default_factory=dict)


# ---------------------------------------------------------------------------
# Overrides, supersession, output
# ---------------------------------------------------------------------------


def _issues_for(row: ReplyRow, q1: str | None, q5: str | None) -> list[Issue]:
    """The review and quarantine items of one row, each marked resolved by the override that settles it."""
    out: list[Issue] = [Issue(SOURCE, row.file, "", "mime", n.code, n.detail, "review", None, n.locator)
                        for n in row.notes]
    ov = row.overridden
    if row.quarantine:
        out.append(Issue(SOURCE, row.file, "", "file", row.quarantine_code, row.quarantine,
                         "quarantine", ov.get("enhet_id"), row.quarantine_locator))
        if row.enhet_id is None:
            return out
    if row.auto_reply:
        return out
    if row.enhet_id is None or (row.unidentified and not row.quarantine):
        out.append(Issue(SOURCE, row.file, "", "enhet_id", "epost.uidentifisert",
                         f"no unit identified ({row.ident_note}no tag, reply id, known sender or unit named in text)",
                         "review", ov.get("enhet_id") if row.unidentified else None, "subject, sender, signature"))
    coding = row.coding
    if coding is not None and coding.q1 is None:
        if row.answer_attachments:
            out.append(Issue(SOURCE, row.file, "", "q1", "epost.svar_i_vedlegg",
                             "answer in attachment: code manually", "review", ov.get("q1"), "attachments"))
        elif coding.q1_had_text:
            out.append(Issue(SOURCE, row.file, "", "q1", "epost.sp1_ukodet",
                             "answer to question 1 could not be coded", "review", ov.get("q1"), "body"))
        else:
            out.append(Issue(SOURCE, row.file, "", "q1", "epost.sp1_mangler",
                             "no answer to question 1 found in the reply", "review", ov.get("q1"), "body"))
    if coding is not None and coding.q5_unreadable and coding.q5 is None and q1 not in (None, "uklart"):
        out.append(Issue(SOURCE, row.file, "", "q5", "epost.sp5_ukodet",
                         "answer to question 5 could not be coded", "review", ov.get("q5"), "body"))
    return out


def message_files(epost: str | Path | Iterable[str | Path]) -> list[Path]:
    """The message files to read, sorted by name: the files a rule declares (a list), or the visible files of
    an ``epost/`` folder (:func:`kartlegging.core.rawfolder.record_files`; hidden files and sub-folders are no
    messages and are not read). A folder that does not exist stops the step."""
    if isinstance(epost, (str, Path)):
        if not Path(epost).is_dir():
            raise EmailError(f"{epost}: e-mail folder not found")
        epost = record_files(epost)
    return sorted((Path(p) for p in epost), key=lambda p: p.name)


def ingest_email(epost_dir: str | Path | Iterable[str | Path], dispatch: DispatchResult,
                 classification: Classification, round_name: str, overrides: list[Override],
                 letter: Letter | None = None) -> EmailResult:
    """Read every message file (``epost_dir``: the files, or their folder) into ``EMAIL_REPLIES`` rows,
    issues and applied overrides.

    ``letter``: the round's letter template, when it has one. A quoted copy of it is then recognised
    line by line (:mod:`.letter_quote`): its questions are read as the questions whatever their wording,
    and what the sender wrote below it is the sender's own text (coded, and searched for the unit).

    Coding of question 1 (``ja``/``nei``/``vet_ikke``/``uklart``), from the reply's
    own text with quotes and signature removed:

    1. numbered answers (``1. Ja``, ``1) nei``, ``Spm 1: Ja, vi har ...``,
       ``Spørsmål 1: nei``) and text written under the repeated question 1
       (quoted or not): a leading ja/nei/vet ikke, else the prose rules;
    2. otherwise the text before any question: its first content line after
       greetings (``Nei, vi har ikke ...``) and the prose rules
       (:func:`_prose_q1`), which must not contradict each other;
    3. otherwise, if a quoted message follows, the text under its questions
       (Outlook inline answers), or for a forward the whole forwarded reply.

    The option list ``(ja / nei / vet ikke)`` and the question texts are removed
    first and ``>`` lines never give answer text, so the questionnaire itself
    cannot be read as an answer. ``ja/nei`` and ``ja og nei`` are no answer.
    Undecided -> ``uklart`` and a review item on ``q1``; when an attachment may
    hold the answer, ``attachment_answer`` is set and the item says so.

    Question 5 likewise (numbered/inline first, then prose, :func:`_prose_q5`,
    also over the answer to question 1). ``uklart`` when undecided. It goes to
    review only when question 1 was decided and question-5 text exists but
    cannot be coded (an answer under question 5, or prose about plans the rules
    cannot read); an absent or ``-``/``ikke aktuelt`` answer does not, since
    question 5 only matters for units without a service. When question 1 is
    already in review, the analyst sees the whole reply anyway.

    Auto-replies have ``q1``/``q5`` null and status ``autosvar``; they are
    identified when possible but never go to review. Identified non-automatic
    replies take part in supersession (:func:`supersede_replies`).
    """
    streams = letter_streams(letter) if letter is not None else None
    rows: list[ReplyRow] = []
    for path in message_files(epost_dir):
        try:
            row = read_message(path, dispatch, classification, streams)
        except Exception as exc:  # one file must not stop a round: set aside, named, the fault logged
            log.info("epost: %s: the reader failed (%s; for the developer)", path.name, type(exc).__name__,
                     exc_info=True)
            row = ReplyRow(path.name, quarantine=LAST_RESORT, quarantine_code="epost.lesefeil")
        rows.append(row)

    before: dict[str, dict[str, object]] = {}
    applied = apply_overrides(rows, overrides, dispatch, before)

    issues: list[Issue] = []
    answers: dict[str, tuple[str | None, str | None]] = {}
    for row in rows:
        q1, q5 = final_answers(row)
        answers[row.file] = (q1, q5)
        if row.quarantine and row.ident_method != "override":
            row.status = "karantene"
            answers[row.file] = (None, None)
        elif row.auto_reply:
            row.status = "autosvar"
        elif row.enhet_id is None:
            row.status = "til_vurdering"
        else:
            row.status = "svar"
        issues.extend(_issues_for(row, *answers[row.file]))
    supersede_replies(rows, issues)

    records = []
    for row in rows:
        q1, q5 = answers[row.file]
        records.append({
            "round": round_name,
            "file": row.file,
            "message_id": salted_hash(normalise_message_id(row.message_id)) if row.message_id else None,
            "date": row.date,
            "enhet_id": row.enhet_id,
            "kommunenummer": dispatch.units.get(row.enhet_id) if row.enhet_id else None,
            "ident_method": row.ident_method,
            "sender_hash": salted_hash(row.sender) if row.sender else None,
            "content_type": row.content_type,
            "auto_reply": bool(row.auto_reply),
            "superseded": bool(row.superseded),
            "q1": q1,
            "q5": q5,
            "attachment_answer": bool(
                row.status not in ("karantene", "autosvar") and row.coding is not None
                and row.coding.q1 is None and row.answer_attachments > 0),
            "attachments": "; ".join(row.attachments) or None,
            "status": row.status,
        })
    table = pd.DataFrame.from_records(records, columns=EMAIL_REPLIES.column_names)
    table["date"] = pd.to_datetime(table["date"], utc=True).astype("datetime64[us, UTC]")
    for col in ("auto_reply", "superseded", "attachment_answer"):
        table[col] = table[col].astype(bool)
    table = table.sort_values(list(EMAIL_REPLIES.sort_by), kind="stable").reset_index(drop=True)
    return EmailResult(table=table, issues=issues, applied=applied, before=before)
