"""The ``consolidate`` rule: kommune_status, the review queue, the overrides applied and the conservation check."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from kartlegging.analysis.consolidate import contradictions, kommune_status, settled_overrides
from kartlegging.core import classification as klass
from kartlegging.core import store
from kartlegging.core.fingerprint import as_metadata, fingerprint
from kartlegging.core.issues import issues_frame
from kartlegging.core.overrides import check_all_matched, load_overrides
from kartlegging.steps.common import log_issues

log = logging.getLogger("kartlegging")


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)



def step_consolidate(
    round_name: str,
    klass_file: str,
    bydeler_file: str,
    overrides_file: str | list[str] | None,
    inputs: Mapping[str, Any],
    out: Mapping[str, str],
    ignored: Mapping[str, Sequence[str]] | None = None,
) -> None:
    """kommune_status, the merged review queue, the overrides applied and the conservation table.

    Stops the run (with one message) when an override matched nothing or a raw record is unaccounted for.
    ``overrides_file`` is None (or an empty list: the rule's optional input) when the round has none.
    ``ignored``: by source (``epost``, ``intervju``, ``kostra``), what the raw folder holds besides the
    files it reads (hidden files, sub-folders), for the conservation table to name.
    """
    ignored = ignored or {}
    from kartlegging.analysis import conservation as cons

    if isinstance(overrides_file, list):
        overrides_file = overrides_file[0] if overrides_file else None

    cls = klass.load_files(klass_file, bydeler_file)
    read = store.read_table
    status = kommune_status(
        round_name, cls, read(inputs["replies"]), read(inputs["attempts"]), read(inputs["units"]),
        read(inputs["services"]), read(inputs["service_kommuner"]),
    )
    store.write_table(status, "kommune_status", out["status"])

    applied = pd.concat([read(p) for p in inputs["applied"]], ignore_index=True)
    all_overrides = load_overrides(overrides_file) if overrides_file else []
    check_all_matched(all_overrides, set(applied["override_id"]), overrides_file or "")

    found = contradictions(read(inputs["replies"]), read(inputs["attempts"]), read(inputs["units"]),
                           read(inputs["services"]), read(inputs["service_kommuner"]), read(inputs["interviews"]),
                           all_overrides)
    log_issues(found)
    # an override that settles a contradiction was under review, whatever its own source said
    applied["under_review"] = applied["under_review"].astype(bool) | applied["override_id"].isin(
        settled_overrides(found))
    store.write_table(applied, "overrides_applied", out["applied"])
    for row in applied.loc[~applied["under_review"]].itertuples():
        log.info("override %s changed %s %s [%s] %s from %s to %s: the record was not under review",
                 row.override_id, row.source, row.file, row.record, row.field, row.value_before, row.value)

    ingested = pd.concat([read(p) for p in inputs["issues"]], ignore_index=True)
    issues = pd.concat([ingested, issues_frame(round_name, found)], ignore_index=True) if found else ingested
    prints = fingerprint({
        "utsendelse": [inputs["dispatch_csv"]], "telefon": [inputs["phone_log"]],
        "epost": _as_list(inputs["emails"]), "intervju": _as_list(inputs["workbooks"]),
        "kostra": _as_list(inputs.get("kostra_files", [])),
        "overrides": [overrides_file] if overrides_file and Path(overrides_file).is_file() else [],
    })
    store.write_table(issues, "issues", out["issues"], metadata=as_metadata(prints))

    conservation = pd.DataFrame([
        cons.dispatch_conservation(round_name, cons.dispatch_rows_in(inputs["dispatch_csv"]), read(inputs["dispatch"])),
        cons.email_conservation(round_name, _as_list(inputs["emails"]), read(inputs["replies"]),
                                ignored.get("epost", ())),
        cons.phone_conservation(round_name, cons.phone_rows_in(inputs["phone_log"]), read(inputs["attempts"]),
                                ingested),
        cons.interview_conservation(round_name, _as_list(inputs["workbooks"]), read(inputs["interviews"]), ingested,
                                    ignored.get("intervju", ())),
        *([cons.kostra_conservation(round_name, _as_list(inputs["kostra_files"]), read(inputs["kostra"]),
                                    read(inputs["kostra_issues"]), ignored.get("kostra", ()))]
          if inputs.get("kostra") else []),
    ])
    cons.check(conservation)
    store.write_table(conservation, "conservation", out["conservation"])
    counts = status["har_tjeneste"].value_counts().to_dict()
    log.info("kommune_status: %d kommuner; %s", len(status), ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    log.info("review open: %d; quarantined: %d; overrides applied: %d",
             int(((issues["action"] == "review") & issues["resolved_by"].isna()).sum()),
             int((issues["action"] == "quarantine").sum()), applied["override_id"].nunique())

