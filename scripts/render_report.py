"""Snakemake script: the report of one round, as self-contained HTML and a PDF.

Thin on purpose: it only maps the rule's inputs, outputs and params onto
:func:`kartlegging.report.build_report`. The run date comes from
SOURCE_DATE_EPOCH when set (reruns stay byte-identical) and the commit from git
at run time (a param would rerun the report on every commit).
"""
import logging
from pathlib import Path

from kartlegging.report import ReportMeta, build_report, git_commit, read_inputs, run_date_from_env
from kartlegging.report.render import INPUT_TABLES
from kartlegging.runner import run


def main(smk, logger):
    # WeasyPrint and fontTools warn about CSS and fonts on their own loggers: send them to the rule's log too.
    for name in ("weasyprint", "fontTools"):
        other = logging.getLogger(name)
        other.setLevel(logging.WARNING)
        other.propagate = False
        for handler in logger.handlers:
            other.addHandler(handler)
    tables = [str(p) for p in smk.input.tables]
    by_name = {Path(p).name.removesuffix(".parquet"): p for p in tables if p.endswith(".parquet")}
    paths = {field: by_name[table.name] for field, table in INPUT_TABLES.items() if table.name in by_name}
    round_name = str(smk.params.round)
    register = str(smk.input.register)
    meta = ReportMeta(
        round=round_name,
        run_date=run_date_from_env(),
        commit=git_commit(Path(smk.scriptdir).parent),
        synthetic=bool(smk.params.get("synthetic", False)),
        classification=str(smk.params.get("classification", "") or ""),
    )
    logger.info("report: round %s, commit %s, run date %s, synthetic %s",
                meta.round, meta.commit, meta.run_date, meta.synthetic)
    build_report(read_inputs(paths, register), smk.output.html, smk.output.pdf, meta)


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
