"""Shared by the ingest steps: overrides from rule params, the table of overrides applied, issues written and logged."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import pandas as pd

from kartlegging.core import store
from kartlegging.core.issues import REASON_LIMIT, Issue, issues_frame, mask_personal
from kartlegging.core.overrides import Override, from_entries

log = logging.getLogger("kartlegging")


def overrides_from_params(items: Iterable[dict]) -> list[Override]:
    """Overrides passed as rule params (plain dicts, validated by the Snakefile) back into
    :class:`Override` objects (:func:`kartlegging.core.overrides.from_entries` validates them again)."""
    return from_entries(items, "overrides (rule params)")



def applied_frame(round_name: str, overrides: list[Override], applied: set[str]) -> pd.DataFrame:
    """The overrides a step applied, one row per field set. The analyst's reason reaches the report:
    addresses, phone numbers and long digit runs in it are masked."""
    rows = [
        {"round": round_name, "override_id": o.id, "source": o.source, "file": o.file, "record": o.record,
         "field": str(k), "value": str(v), "reason": mask_personal(o.reason, REASON_LIMIT)}
        for o in overrides if o.id in applied for k, v in sorted(o.set.items())
    ]
    return pd.DataFrame(rows, columns=store.ALL_TABLES["overrides_applied"].column_names)



def log_issues(issues: list[Issue]) -> None:
    """One log line per item: file, record and reason (never the raw value)."""
    for issue in issues:
        log.info(issue.message())



def write_issues_and_applied(round_name: str, issues: list[Issue], overrides: list[Override], applied: set[str],
                              out_issues: str, out_applied: str) -> None:
    log_issues(issues)
    store.write_table(issues_frame(round_name, issues), "issues", out_issues)
    store.write_table(applied_frame(round_name, overrides, applied), "overrides_applied", out_applied)

