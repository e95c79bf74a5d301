"""The steps of the pipeline, one function per Snakemake rule.

Each step takes plain paths and values (no Snakemake objects), so it can be
called from a test as well as from ``scripts/``. Steps read and write only
through :mod:`kartlegging.core.store`, so every table is validated and byte-stable.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from pathlib import Path
from typing import Iterable

import pandas as pd

from kartlegging.core import classification as klass
from kartlegging.core import store
from kartlegging.analysis.consolidate import kommune_status
from kartlegging.analysis.figures import Tables, compute_figures, load_register, reconcile
from kartlegging.core.issues import REASON_LIMIT, Issue, issues_frame, mask_personal
from kartlegging.core.overrides import Override, check_all_matched, from_entries, load_overrides

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


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def log_issues(issues: list[Issue]) -> None:
    """One log line per item: file, record and reason (never the raw value)."""
    for issue in issues:
        log.info(issue.message())


def step_reference(reference_dir: str, versions: list[str], out_kommuner: str, out_navn: str, out_bydeler: str) -> None:
    kommuner, navn, bydeler = klass.reference_frames(reference_dir, versions)
    store.write_table(kommuner, "kommuner", out_kommuner)
    store.write_table(navn, "kommune_navn", out_navn)
    store.write_table(bydeler, "bydeler", out_bydeler)
    log.info("reference: %d kommuner, %d name variants, %d bydeler", len(kommuner), len(navn), len(bydeler))


def step_consolidate(
    round_name: str,
    reference_dir: str,
    classification: str,
    overrides_file: str | None,
    inputs: dict[str, str | list[str]],
    out: dict[str, str],
) -> None:
    """kommune_status, the merged review queue, the overrides applied and the conservation table.

    Stops the run (with one message) when an override matched nothing or a raw record is unaccounted for.
    ``overrides_file`` is None when the round has none.
    """
    from kartlegging.analysis import conservation as cons

    cls = klass.load(reference_dir, classification)
    read = store.read_table
    status = kommune_status(
        round_name, cls, read(inputs["replies"]), read(inputs["attempts"]), read(inputs["units"]),
        read(inputs["services"]), read(inputs["service_kommuner"]),
    )
    store.write_table(status, "kommune_status", out["status"])

    applied = pd.concat([read(p) for p in inputs["applied"]], ignore_index=True)
    all_overrides = load_overrides(overrides_file) if overrides_file else []
    check_all_matched(all_overrides, set(applied["override_id"]), overrides_file or "")
    store.write_table(applied, "overrides_applied", out["applied"])

    issues = pd.concat([read(p) for p in inputs["issues"]], ignore_index=True)
    store.write_table(issues, "issues", out["issues"])

    conservation = pd.DataFrame([
        cons.dispatch_conservation(round_name, cons.dispatch_rows_in(inputs["dispatch_csv"]), read(inputs["dispatch"])),
        cons.email_conservation(round_name, _as_list(inputs["emails"]), read(inputs["replies"])),
        cons.phone_conservation(round_name, cons.phone_rows_in(inputs["phone_log"]), read(inputs["attempts"]), issues),
        cons.interview_conservation(round_name, _as_list(inputs["workbooks"]), read(inputs["interviews"]), issues),
        *([cons.kostra_conservation(round_name, _as_list(inputs["kostra_files"]), read(inputs["kostra"]),
                                    read(inputs["kostra_issues"]))] if "kostra" in inputs else []),
    ])
    cons.check(conservation)
    store.write_table(conservation, "conservation", out["conservation"])
    counts = status["har_tjeneste"].value_counts().to_dict()
    log.info("kommune_status: %d kommuner; %s", len(status), ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    log.info("review open: %d; quarantined: %d; overrides applied: %d",
             int(((issues["action"] == "review") & issues["resolved_by"].isna()).sum()),
             int((issues["action"] == "quarantine").sum()), applied["override_id"].nunique())


def step_figures(round_name: str, inputs: dict[str, str], register_path: str | None, out_figures: str,
                 out_reconciliation: str, out_series: str | None = None) -> None:
    """Every figure of the round and its reconciliation. Without a register (``None``) every figure the
    pipeline knows is computed and nothing is reconciled: a new round needs no published figures to run."""
    read = store.read_table
    tables = Tables(
        dispatch=read(inputs["dispatch"]), email_replies=read(inputs["replies"]),
        phone_attempts=read(inputs["attempts"]), phone_units=read(inputs["units"]),
        interviews=read(inputs["interviews"]), services=read(inputs["services"]),
        service_kommuner=read(inputs["service_kommuner"]), kommune_status=read(inputs["status"]),
    )
    from kartlegging.analysis.kostra_figures import kostra_figures

    register = load_register(register_path) if register_path else None
    if register is None:
        log.info("figures: no register of published figures for round %s; computing every known figure", round_name)
    figures = pd.concat([compute_figures(round_name, tables, register),
                         kostra_figures(read(inputs["kostra"]), round_name, register)], ignore_index=True)
    store.write_table(figures, "figures", out_figures)
    if out_series is not None:
        from kartlegging.analysis.figure_series import compute_series

        crosscheck = read(inputs["kostra_crosscheck"]) if inputs.get("kostra_crosscheck") else None
        store.write_table(compute_series(round_name, tables, read(inputs["kostra"]), crosscheck),
                          "figure_series", out_series)
    rec = reconcile(round_name, register, figures)
    store.write_table(rec, "reconciliation", out_reconciliation)
    for row in rec.itertuples():
        log.info("%s: published %s, computed %s: %s", row.figure_id, row.published, row.computed, row.status)


def _write_issues_and_applied(round_name: str, issues: list[Issue], overrides: list[Override], applied: set[str],
                              out_issues: str, out_applied: str) -> None:
    log_issues(issues)
    store.write_table(issues_frame(round_name, issues), "issues", out_issues)
    store.write_table(applied_frame(round_name, overrides, applied), "overrides_applied", out_applied)


def step_ingest_phone(round_name: str, reference_dir: str, classification: str, phone_log: str, dispatch_path: str,
                      override_items: list[dict], out: dict[str, str]) -> None:
    """Phone round: attempts and final answers per unit."""
    from kartlegging.ingest.phone import ingest_phone

    cls = klass.load(reference_dir, classification)
    overrides = overrides_from_params(override_items)
    units = set(store.read_table(dispatch_path)["enhet_id"])
    result = ingest_phone(phone_log, cls, units, round_name, overrides)
    store.write_table(result.attempts, "phone_attempts", out["attempts"])
    store.write_table(result.units, "phone_units", out["units"])
    _write_issues_and_applied(round_name, result.issues, overrides, result.applied, out["issues"], out["applied"])
    log.info("phone round: %d attempts (%d empty rows skipped), %d units, %d issues",
             len(result.attempts), result.empty_rows, len(result.units), len(result.issues))


def step_ingest_interviews(round_name: str, reference_dir: str, classification: str, intervju_dir: str,
                           override_items: list[dict], out: dict[str, str]) -> None:
    """Interviews: coded items, candidate services and the kommuner they cover."""
    from kartlegging.ingest.interviews import ingest_interviews

    cls = klass.load(reference_dir, classification)
    overrides = overrides_from_params(override_items)
    result = ingest_interviews(intervju_dir, cls, round_name, overrides)
    store.write_table(result.interviews, "interviews", out["interviews"])
    store.write_table(result.services, "services", out["services"])
    store.write_table(result.service_kommuner, "service_kommuner", out["service_kommuner"])
    _write_issues_and_applied(round_name, result.issues, overrides, result.applied, out["issues"], out["applied"])
    log.info("interviews: %d workbooks read, %d candidate services (%d included), %d issues",
             len(result.interviews), len(result.services), int((result.services["inkludert"] == "ja").sum()),
             len(result.issues))


def step_dispatch(round_name: str, reference_dir: str, classification: str, dispatch_csv: str,
                  out_dispatch: str) -> None:
    """The dispatch list as a table. Its own step, so that the phone ingest (which needs the list of
    units) does not depend on the e-mail ingest and an edited e-mail override does not rerun it."""
    from kartlegging.ingest.dispatch import read_dispatch

    dispatch = read_dispatch(dispatch_csv, klass.load(reference_dir, classification), round_name)
    store.write_table(dispatch.table, "dispatch", out_dispatch)
    log.info("dispatch: %d recipients", len(dispatch.table))


def step_ingest_email(round_name: str, reference_dir: str, classification: str, dispatch_csv: str, epost_dir: str,
                      override_items: list[dict], out: dict[str, str]) -> None:
    """E-mail replies, identified against the dispatch list. An unusable dispatch list stops the run
    (DispatchError). The list is parsed again here rather than read from dispatch.parquet because
    identification needs its lookups (Message-IDs, addresses), which the table keeps only hashed.
    ``out["dispatch"]``, when given, receives the dispatch table too (see :func:`step_dispatch`)."""
    from kartlegging.ingest.dispatch import read_dispatch
    from kartlegging.ingest.email.reader import ingest_email

    cls = klass.load(reference_dir, classification)
    overrides = overrides_from_params(override_items)
    dispatch = read_dispatch(dispatch_csv, cls, round_name)
    if "dispatch" in out:
        store.write_table(dispatch.table, "dispatch", out["dispatch"])
    result = ingest_email(epost_dir, dispatch, cls, round_name, overrides)
    store.write_table(result.table, "email_replies", out["replies"])
    _write_issues_and_applied(round_name, result.issues, overrides, result.applied, out["issues"], out["applied"])
    counts = result.table["status"].value_counts().to_dict()
    log.info("e-mail: %d recipients; %d messages: %s", len(dispatch.table), len(result.table),
             ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
