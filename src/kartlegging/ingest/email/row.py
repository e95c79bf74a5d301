"""The row of one e-mail while it is read, and the names every part of the e-mail ingest shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from kartlegging.ingest.email.coding import Coding
from kartlegging.ingest.email.mime import Note

SOURCE = "epost"



OVERRIDE_FIELDS = ("enhet_id", "q1", "q5", "auto_reply")



class EmailError(ValueError):
    """The e-mail folder of a round is missing (a bad override raises ``OverrideError``)."""



@dataclass
class ReplyRow:
    """Everything learnt about one file; becomes one table row and its issues."""

    file: str
    quarantine: str | None = None
    quarantine_code: str = "epost.uleselig"
    quarantine_locator: str = "file"
    notes: list[Note] = field(default_factory=list)
    message_id: str | None = None
    date: datetime | None = None
    subject: str = ""
    sender: str | None = None
    content_type: str | None = None
    auto_reply: bool = False
    attachments: list[str] = field(default_factory=list)
    answer_attachments: int = 0
    coding: Coding | None = None
    enhet_id: str | None = None
    ident_method: str = "none"
    ident_note: str = ""
    # the rules found no unit and an override supplied one: the review item stays, marked resolved
    unidentified: bool = False
    superseded: bool = False
    status: str = ""
    overridden: dict[str, str] = field(default_factory=dict)
    override_values: dict[str, object] = field(default_factory=dict)


def header_value(items: list[tuple[str, str]], name: str) -> str | None:
    """First raw value of a header (``name`` lower-case); raw, so the repairing decoder sees the bytes."""
    for key, value in items:
        if key.lower() == name:
            return value
    return None

