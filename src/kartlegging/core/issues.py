"""Review and quarantine items: what the rules could not decide, kept with file, record and reason.

Every ingest step returns its items as :class:`Issue` objects; none is dropped.
An item names where the problem is (file, record, field and a locator such as
``cell E34``, ``part 2`` or ``line 12``) and why (a code of
:mod:`kartlegging.core.reasons` and an English detail), never what a person wrote:
the excerpt stays in data/raw/ and is shown on the analyst's terminal by the
review command (:mod:`kartlegging.infra.review`). The detail is scrubbed before it
leaves ingest (:func:`scrub`), because a coding error may quote the typed text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from kartlegging.core.reasons import reason as catalogue_entry

_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
#: A Message-ID or any <local@domain> form: its local part often holds a user name.
_ANGLE_ID = re.compile(r"<[^<>\s]*@[^<>\s]*>")
#: Reasons are sentences, not raw values: scrubbed, but only cut when absurdly long.
REASON_LIMIT = 500
#: Eight digits, optionally +47 first, grouped by spaces or dots; a date such as
#: ``31.02.2014`` has the same digits but is not a number anyone can be called at.
_PHONE = re.compile(r"(?<!\d)(?<!\d[\s.])(?!(?:0?[1-9]|[12]\d|3[01])\.(?:0?[1-9]|1[0-2])\.(?:19|20)\d\d(?!\d))"
                    r"(?:\+?47[\s.]?)?(?:\d[\s.]?){7}\d(?![\s.]?\d)")
#: Any run of eight or more digits, however grouped (a foreign phone number, an account or
#: a personal number): no reason needs one.
#: Dots and slashes do not join a run: a date (``12.11.2014``) is no number anyone can be called at.
_LONG_DIGITS = re.compile(r"(?<![\d.])\+?\(?\d(?:[ \t\-()]{0,2}\d){7,}(?![\d])")
#: A quoted value in a reason ('…' or "…", as repr() writes it) is what somebody typed.
_QUOTED = re.compile(r"'([^'\n]{0,200})'|\"([^\"\n]{0,200})\"")
#: Quoted values that are the pipeline's own words, not a person's: the labels the input
#: contract spells (docs/INPUTS.md); delimiters, SSB status symbols, file suffixes and codes
#: are recognised by form (:func:`_keep_quoted`).
CONTRACT_WORDS = frozenset({
    "Kommune/bydel", "Kommunenr", "Dato", "Kontakt", "Svar", "Kommentar", "Nr", "Spørsmål",
    "Telefonrunde", "Intervju",
})


def _keep_quoted(m: re.Match[str]) -> str:
    text = m.group(1) if m.group(1) is not None else m.group(2)
    if text in CONTRACT_WORDS or re.fullmatch(r"[^\w\s]{0,3}|\.\w{1,6}|[KBT]?\d{1,4}", text):
        return m.group(0)
    return "'…'"


def scrub(text: str | None, limit: int = REASON_LIMIT) -> str | None:
    """Mask what may identify a person in a reason before it leaves ingest: e-mail addresses,
    Message-IDs, runs of eight or more digits, phone numbers, and quoted typed values (a reason
    quotes a value only when somebody typed it); shorten what is absurdly long."""
    if text is None:
        return None
    out = _ANGLE_ID.sub("[message-id]", str(text))
    out = _EMAIL.sub("[e-post]", out)
    out = _QUOTED.sub(_keep_quoted, out)
    out = _PHONE.sub("[telefon]", out)
    out = _LONG_DIGITS.sub("[tall]", out)
    out = " ".join(out.split())
    return out if len(out) <= limit else out[: limit - 1] + "…"


def mask_personal(text: str | None, limit: int = 120) -> str | None:
    """Mask e-mail addresses, Message-IDs, phone numbers and long digit runs, and shorten
    (the unquoted form of :func:`scrub`, for values that are not sentences)."""
    if text is None:
        return None
    out = _EMAIL.sub("[e-post]", _ANGLE_ID.sub("[message-id]", str(text)))
    out = _LONG_DIGITS.sub("[tall]", _PHONE.sub("[telefon]", out))
    out = " ".join(out.split())
    return out if len(out) <= limit else out[: limit - 1] + "…"


@dataclass(frozen=True)
class Issue:
    """One item for an analyst. ``action`` is ``review`` (kept, awaiting a decision)
    or ``quarantine`` (the file or record could not be read at all).

    ``code`` is a reason code of :mod:`kartlegging.core.reasons`; ``reason`` an English detail
    (scrubbed on output); ``locator`` where in the file the review command finds the raw
    text (``cell E34``, ``part 2``, ``subject``, ``line 12``), empty for the file as a whole.
    """

    source: str
    file: str
    record: str
    field: str
    code: str
    reason: str
    action: str = "review"
    resolved_by: str | None = None
    locator: str = ""

    def __post_init__(self) -> None:
        catalogue_entry(self.code)  # an unknown code is a programming error, found at once

    def message(self) -> str:
        """One log line naming file, record, locator, code and reason; never a raw value."""
        where = f"{self.file}" + (f" [{self.record}]" if self.record else "") + (
            f" ({self.locator})" if self.locator else "")
        return f"{self.action}: {self.source}: {where}: {self.field}: {self.code}: {scrub(self.reason)}"


ISSUE_COLUMNS = ["round", "source", "file", "record", "field", "locator", "reason_code", "reason", "action",
                 "resolved_by"]


def issues_frame(round_name: str, issues: list[Issue]) -> pd.DataFrame:
    """Issues as a DataFrame in the column order of ``tables.ISSUES``; the reason scrubbed."""
    rows = [{"round": round_name, "source": i.source, "file": i.file, "record": i.record, "field": i.field,
             "locator": i.locator, "reason_code": i.code, "reason": scrub(i.reason), "action": i.action,
             "resolved_by": i.resolved_by} for i in issues]
    return pd.DataFrame(rows, columns=ISSUE_COLUMNS)
