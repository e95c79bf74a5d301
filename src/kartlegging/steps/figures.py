"""The ``figures`` rule: every figure of the register, its reconciliation and the series the report shows."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import pandas as pd

from kartlegging.analysis.figures import Tables, compute_figures, load_register, reconcile
from kartlegging.core import store

log = logging.getLogger("kartlegging")


def step_figures(round_name: str, inputs: Mapping[str, Any], register_path: str | None, out_figures: str,
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

