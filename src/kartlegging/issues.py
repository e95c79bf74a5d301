"""Review and quarantine items: what the rules could not decide, kept with file, record and reason.

Every ingest step returns its items as :class:`Issue` objects; none is dropped.
Raw values are shortened and masked (addresses, phone numbers) before they are
kept, because an issue travels to processed tables and the report.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import pandas as pd

_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
#: Reasons are sentences, not raw values: masked, but only cut when absurdly long.
REASON_LIMIT = 500
#: Eight digits, optionally +47 first, grouped by spaces or dots; a date such as
#: ``31.02.2014`` has the same digits but is not a number anyone can be called at.
_PHONE = re.compile(r"(?<!\d)(?!(?:0?[1-9]|[12]\d|3[01])\.(?:0?[1-9]|1[0-2])\.(?:19|20)\d\d(?!\d))"
                    r"(?:\+?47[\s.]?)?(?:\d[\s.]?){7}\d(?!\d)")


def mask_personal(text: str | None, limit: int = 120) -> str | None:
    """Mask e-mail addresses and phone numbers, and shorten, so a raw value may leave ingest."""
    if text is None:
        return None
    masked = _PHONE.sub("[telefon]", _EMAIL.sub("[e-post]", str(text)))
    masked = " ".join(masked.split())
    return masked if len(masked) <= limit else masked[: limit - 1] + "…"


@dataclass(frozen=True)
class Issue:
    """One item for an analyst. ``action`` is ``review`` (kept, awaiting a decision)
    or ``quarantine`` (the file or record could not be read at all)."""

    source: str
    file: str
    record: str
    field: str
    raw_value: str | None
    reason: str
    action: str = "review"
    resolved_by: str | None = None

    def message(self) -> str:
        """One log line naming file, record and reason; the raw value stays out, and the
        reason is masked too, because a coding error may quote the typed text."""
        where = f"{self.file}" + (f" [{self.record}]" if self.record else "")
        return f"{self.action}: {self.source}: {where}: {self.field}: {mask_personal(self.reason, REASON_LIMIT)}"


def issues_frame(round_name: str, issues: list[Issue]) -> pd.DataFrame:
    """Issues as a DataFrame in the column order of ``tables.ISSUES``.

    The reason is masked like the raw value: coding errors quote what was typed
    (``phone answer not recognised: 'ring 41 23 45 67'``), and reasons reach
    the report.
    """
    rows = [{"round": round_name, **asdict(i), "raw_value": mask_personal(i.raw_value),
             "reason": mask_personal(i.reason, REASON_LIMIT)} for i in issues]
    cols = ["round", "source", "file", "record", "field", "raw_value", "reason", "action", "resolved_by"]
    return pd.DataFrame(rows, columns=cols)
