"""The ``report`` rule: the report of one round as one self-contained HTML file.

The PDF is typeset from it by the ``report_pdf`` rule. The run date comes from SOURCE_DATE_EPOCH when
set, else from the commit time (reruns stay byte-identical), and the commit from git at run time (a
param would rerun the report on every commit).

Optional inputs, each used when the rule names it: ``round_map`` (the coverage map); ``comparison``
with ``earlier_map_status``, ``map_status``, ``geometry_kommuner`` and ``geometry_fylker`` (the comparison
with earlier rounds and its small maps); ``kostra`` and ``kostra_crosscheck`` (the KOSTRA section).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kartlegging.report.inputs import INPUT_TABLES, ExtraPaths, read_inputs
from kartlegging.report.render import ReportMeta, git_commit, git_commit_time, render_html, run_date_from_env
from kartlegging.report.tables_csv import write_table_csvs

log = logging.getLogger("kartlegging")


def _named(inputs: Mapping[str, Any], name: str) -> str | None:
    """A named input as a string, or None when the rule does not name it."""
    value = inputs.get(name)
    return None if value is None or (isinstance(value, list) and not value) else str(value)


def _named_list(inputs: Mapping[str, Any], name: str) -> tuple[str, ...]:
    """A named input as a tuple of strings, () when absent."""
    value = inputs.get(name)
    if value is None:
        return ()
    return tuple(str(v) for v in (value if isinstance(value, list) else [value]))


def step_report(inputs: Mapping[str, Any], params: Mapping[str, Any], repo_dir: Path, out_html: str,
                out_tables: str | None = None) -> None:
    """Read the round's tables and render the HTML report, and each of its tables as CSV in ``out_tables``.

    ``repo_dir``: the git checkout (commit, run date).
    """
    tables = [str(p) for p in inputs["tables"]]
    by_name = {Path(p).name.removesuffix(".parquet"): p for p in tables if p.endswith(".parquet")}
    paths = {field: by_name[table.name] for field, table in INPUT_TABLES.items() if table.name in by_name}
    extra = ExtraPaths(
        map_status=_named(inputs, "map_status"),
        kommuner_geojson=_named(inputs, "geometry_kommuner"),
        fylker_geojson=_named(inputs, "geometry_fylker"),
        earlier_map_status=_named_list(inputs, "earlier_map_status"),
        comparison=_named(inputs, "comparison"),
        kostra=_named(inputs, "kostra"),
        kostra_crosscheck=_named(inputs, "kostra_crosscheck"),
        conservation=_named(inputs, "conservation"),
        kostra_issues=_named(inputs, "kostra_issues"),
        chapters=_named_list(inputs, "chapters"),
        round_map=_named(inputs, "round_map"),
    )
    round_name = str(params["round"])
    register = _named(inputs, "register")  # optional: a round nobody has published has no register
    meta = ReportMeta(
        round=round_name,
        run_date=run_date_from_env(fallback_epoch=git_commit_time(repo_dir)),
        commit=git_commit(repo_dir),
        synthetic=bool(params.get("synthetic", False)),
        synthetic_rounds=tuple(str(r) for r in params.get("synthetic_rounds", None) or ()),
        kostra_synthetic=bool(params.get("kostra_synthetic", False)),
        classification=str(params.get("classification", "") or ""),
        harmonise_to=str(params.get("harmonise_to", "") or ""),
        publication=dict(params.get("publication", None) or {}) or None,
        leader_title=str(params.get("leader_title", "") or ""),
    )
    log.info("report: round %s, commit %s, run date %s, synthetic %s",
             meta.round, meta.commit, meta.run_date, meta.synthetic)
    log.info("report: map %s, %d earlier round(s), KOSTRA %s", "yes" if extra.map_status else "no",
             len(extra.earlier_map_status), extra.kostra or "not given")
    html = render_html(read_inputs(paths, register, extra), meta)
    out = Path(out_html)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(html.encode("utf-8"))
    log.info("report: wrote %s (%d bytes)", out, len(html))
    if out_tables is not None:
        written = write_table_csvs(html, out_tables)
        log.info("report: wrote %d tables as CSV in %s", len(written), out_tables)
