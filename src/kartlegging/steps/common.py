"""Shared by the ingest steps: overrides from rule params, the table of overrides applied, issues written and logged."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import pandas as pd

from kartlegging.core import store
from kartlegging.core.issues import REASON_LIMIT, Issue, issues_frame, mask_personal
from kartlegging.core.overrides import Override, from_entries, stored_text

log = logging.getLogger("kartlegging")


def overrides_from_params(items: Iterable[dict]) -> list[Override]:
    """Overrides passed as rule params (plain dicts, validated by the Snakefile) back into
    :class:`Override` objects (:func:`kartlegging.core.overrides.from_entries` validates them again)."""
    return from_entries(items, "overrides (rule params)")



def value_text(value: object) -> str | None:
    """A value as the ``overrides_applied`` table writes it: codes as they are, lists joined, whole numbers
    without a decimal part, dates in ISO form; None stays None."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple, set)):
        return ", ".join(str(v) for v in (sorted(value) if isinstance(value, set) else value))
    return stored_text(value)


def applied_frame(round_name: str, overrides: list[Override], applied: set[str],
                  before: dict[str, dict[str, object]] | None = None,
                  issues: list[Issue] | None = None) -> pd.DataFrame:
    """The overrides a step applied, one row per field set: the value set, the value before, the value as
    written when normalising changed it, and whether the override settled an item of ``issues`` (false: it
    changed a value the rules had decided). The analyst's reason reaches the report: addresses, phone numbers
    and long digit runs in it are masked (names are stopped when the file is read)."""
    before = before or {}
    settled = {i.resolved_by for i in issues or () if i.resolved_by}
    rows = [
        {"round": round_name, "override_id": o.id, "source": o.source, "file": o.file, "record": o.record,
         "field": str(k), "value": value_text(v), "value_before": value_text(before.get(o.id, {}).get(k)),
         "value_written": o.written.get(str(k)), "under_review": o.id in settled,
         "reason": mask_personal(o.reason, REASON_LIMIT)}
        for o in overrides if o.id in applied for k, v in sorted(o.set.items())
    ]
    return pd.DataFrame(rows, columns=store.ALL_TABLES["overrides_applied"].column_names)



def log_issues(issues: list[Issue]) -> None:
    """One log line per item: file, record and reason (never the raw value)."""
    for issue in issues:
        log.info(issue.message())



def write_issues_and_applied(round_name: str, issues: list[Issue], overrides: list[Override], applied: set[str],
                              out_issues: str, out_applied: str,
                              before: dict[str, dict[str, object]] | None = None) -> None:
    log_issues(issues)
    store.write_table(issues_frame(round_name, issues), "issues", out_issues)
    frame = applied_frame(round_name, overrides, applied, before, issues)
    store.write_table(frame, "overrides_applied", out_applied)
    for row in frame.itertuples():
        if isinstance(row.value_written, str):
            log.info("override %s: %s written %s, stored as %s", row.override_id, row.field, row.value_written,
                     row.value)
