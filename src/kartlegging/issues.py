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
_PHONE = re.compile(r"(?<!\d)(?:\+?47[\s.]?)?(?:\d[\s.]?){7}\d(?!\d)")


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
        """One log line naming file, record and reason."""
        where = f"{self.file}" + (f" [{self.record}]" if self.record else "")
        return f"{self.action}: {self.source}: {where}: {self.field}: {self.reason}"


def issues_frame(round_name: str, issues: list[Issue]) -> pd.DataFrame:
    """Issues as a DataFrame in the column order of ``tables.ISSUES``."""
    rows = [{"round": round_name, **asdict(i), "raw_value": mask_personal(i.raw_value)} for i in issues]
    cols = ["round", "source", "file", "record", "field", "raw_value", "reason", "action", "resolved_by"]
    return pd.DataFrame(rows, columns=cols)
