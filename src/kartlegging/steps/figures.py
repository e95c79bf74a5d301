"""The ``figures`` rule: every figure of the register, its reconciliation and the series the report shows."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import pandas as pd

from kartlegging.analysis.figures import Tables, compute_figures, reconcile
from kartlegging.core import store
from kartlegging.core import tables as T
from kartlegging.core.register import read_register

log = logging.getLogger("kartlegging")


def _read_issues(inputs: Mapping[str, Any]) -> pd.DataFrame | None:
    """The round's review and quarantine items with the shared KOSTRA extracts' (appendix B lists both)."""
    if not inputs.get("issues"):
        return None
    frames = [store.read_table(inputs["issues"], T.ISSUES)]
    if inputs.get("kostra_issues"):
        frames.append(store.read_table(inputs["kostra_issues"], T.ISSUES))
    return pd.concat([f for f in frames if not f.empty] or frames[:1], ignore_index=True)


def step_figures(round_name: str, inputs: Mapping[str, Any], register_path: str | None, out_figures: str,
                 out_reconciliation: str, out_series: str | None = None, reference_year: int | None = None) -> None:
    """Every figure of the round and its reconciliation. Without a register (``None``) every figure the
    pipeline knows is computed and nothing is reconciled: a new round needs no published figures to run.

    ``figure_series`` also carries the counts of the report's appendices (:mod:`kartlegging.analysis.quality_series`):
    appendix A's statuses always, appendix B's when ``inputs`` names ``issues`` and ``overrides_applied``.
    ``reference_year`` is the year the KOSTRA cross-check aims at (the round's classification year).
    """
    def read(name: str, table: T.Table) -> pd.DataFrame:
        return store.read_table(inputs[name], table)

    tables = Tables(
        dispatch=read("dispatch", T.DISPATCH), email_replies=read("replies", T.EMAIL_REPLIES),
        phone_attempts=read("attempts", T.PHONE_ATTEMPTS), phone_units=read("units", T.PHONE_UNITS),
        interviews=read("interviews", T.INTERVIEWS), services=read("services", T.SERVICES),
        service_kommuner=read("service_kommuner", T.SERVICE_KOMMUNER), kommune_status=read("status", T.KOMMUNE_STATUS),
    )
    from kartlegging.analysis.kostra_figures import kostra_figures

    register = read_register(register_path) if register_path else None
    if register is None:
        log.info("figures: no register for round %s; computing every known figure, reconciling none", round_name)
    kostra = read("kostra", T.KOSTRA)
    figures = pd.concat([compute_figures(round_name, tables, register),
                         kostra_figures(kostra, round_name, register)], ignore_index=True)
    store.write_table(figures, "figures", out_figures)
    rec = reconcile(round_name, register, figures)
    if out_series is not None:
        from kartlegging.analysis.figure_series import compute_series
        from kartlegging.analysis.quality_series import quality_series, reconciliation_series

        crosscheck = read("kostra_crosscheck", T.KOSTRA_CROSSCHECK) if inputs.get("kostra_crosscheck") else None
        extra = reconciliation_series(register, figures, rec)
        issues = _read_issues(inputs)
        if issues is not None and inputs.get("overrides_applied"):
            extra.update(quality_series(tables, issues, read("overrides_applied", T.OVERRIDES_APPLIED)))
        store.write_table(compute_series(round_name, tables, kostra, crosscheck, reference_year, extra),
                          "figure_series", out_series)
    store.write_table(rec, "reconciliation", out_reconciliation)
    for row in rec.itertuples():
        log.info("%s: published %s, computed %s: %s", row.figure_id, row.published, row.computed, row.status)
