"""Snakemake script: the report of one round, as one self-contained HTML file (the PDF is typeset from it
by scripts/render_pdf.py, a rule of its own).

Thin on purpose: it only maps the rule's inputs, outputs and params onto
:func:`kartlegging.report.build_report`. The run date comes from
SOURCE_DATE_EPOCH when set, else from the commit time (reruns stay byte-identical) and the commit from git
at run time (a param would rerun the report on every commit).

Optional inputs, each used when the rule names it: ``map_status`` with
``geometry_kommuner`` and ``geometry_fylker`` (the coverage map);
``earlier_map_status``, ``earlier_services`` and ``harmonised`` (the comparison
with earlier rounds); ``kostra`` and ``kostra_crosscheck`` (the KOSTRA section).
"""
from pathlib import Path

from kartlegging.report import ReportMeta, git_commit, git_commit_time, read_inputs, render_html, run_date_from_env
from kartlegging.report.inputs import INPUT_TABLES, ExtraPaths
from kartlegging.infra.runner import run


def _named(smk, name):
    """A named input as a string, or None when the rule does not name it."""
    value = smk.input.get(name)
    return None if value is None or (isinstance(value, list) and not value) else str(value)


def _named_list(smk, name):
    """A named input as a tuple of strings, () when absent."""
    value = smk.input.get(name)
    if value is None:
        return ()
    return tuple(str(v) for v in (value if isinstance(value, list) else [value]))


def main(smk, logger):
    tables = [str(p) for p in smk.input.tables]
    by_name = {Path(p).name.removesuffix(".parquet"): p for p in tables if p.endswith(".parquet")}
    paths = {field: by_name[table.name] for field, table in INPUT_TABLES.items() if table.name in by_name}
    extra = ExtraPaths(
        map_status=_named(smk, "map_status"),
        kommuner_geojson=_named(smk, "geometry_kommuner"),
        fylker_geojson=_named(smk, "geometry_fylker"),
        earlier_map_status=_named_list(smk, "earlier_map_status"),
        earlier_services=_named_list(smk, "earlier_services"),
        harmonised=_named(smk, "harmonised"),
        kostra=_named(smk, "kostra"),
        kostra_crosscheck=_named(smk, "kostra_crosscheck"),
        conservation=_named(smk, "conservation"),
        kostra_issues=_named(smk, "kostra_issues"),
        chapters=_named_list(smk, "chapters"),
        round_map=_named(smk, "round_map"),
    )
    round_name = str(smk.params.round)
    register = _named(smk, "register")  # optional: a round nobody has published has no register
    meta = ReportMeta(
        round=round_name,
        run_date=run_date_from_env(fallback_epoch=git_commit_time(Path(smk.scriptdir).parent)),
        commit=git_commit(Path(smk.scriptdir).parent),
        synthetic=bool(smk.params.get("synthetic", False)),
        classification=str(smk.params.get("classification", "") or ""),
        harmonise_to=str(smk.params.get("harmonise_to", "") or ""),
        publication=dict(smk.params.get("publication", None) or {}) or None,
    )
    logger.info("report: round %s, commit %s, run date %s, synthetic %s",
                meta.round, meta.commit, meta.run_date, meta.synthetic)
    logger.info("report: map %s, %d earlier round(s), KOSTRA %s", "yes" if extra.map_status else "no",
                len(extra.earlier_map_status), extra.kostra or "not given")
    html = render_html(read_inputs(paths, register, extra), meta)
    out = Path(smk.output.html)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(html.encode("utf-8"))
    logger.info("report: wrote %s (%d bytes)", out, len(html))


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
