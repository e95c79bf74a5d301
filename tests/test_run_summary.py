"""The end of a run: a short console that names the reports and the open review items."""
from __future__ import annotations

import logging
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kartlegging.core.tables import ISSUES
from kartlegging.infra.run_summary import issue_counts, jobs_in_log, summary_lines

#: The issue's bound for the console output of a demo run.
CONSOLE_LIMIT = 5 * 1024


def _issues(path: Path, rows: list[tuple[str, str | None]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {c.name: [f"{c.name}{i}" for i in range(len(rows))] for c in ISSUES.columns}
    data["action"] = [a for a, _ in rows]
    data["resolved_by"] = [r for _, r in rows]
    pq.write_table(pa.table(data, schema=ISSUES.schema), path)


def test_issue_counts_quarantined_and_open_review_items(tmp_path):
    path = tmp_path / "issues.parquet"
    _issues(path, [("review", None), ("review", "ov-1"), ("quarantine", None), ("review", None)])
    assert issue_counts(path) == (1, 2)
    assert issue_counts(tmp_path / "gone.parquet") is None


LOG = """\
[Mon Nov 30 18:00:00 2026]
localrule dispatch:
    input: data/raw/2015/utsendelse.csv
    jobid: 3
    wildcards: round=2015
    resources: tmpdir=/tmp

[Mon Nov 30 18:00:01 2026]
localrule kostra:
    input: data/raw/kostra/a.csv
    jobid: 8

[Mon Nov 30 18:00:02 2026]
localrule figures:
    jobid: 9
    wildcards: round=2015

[Mon Nov 30 18:00:03 2026]
Error in rule figures:
    jobid: 9
"""


def test_jobs_in_log_lists_each_job_with_its_round_and_the_failed_rules(tmp_path):
    log = tmp_path / "run.snakemake.log"
    log.write_text(LOG, encoding="utf-8")
    assert jobs_in_log(log) == (["dispatch (2015)", "kostra", "figures (2015)"], ["figures"])
    assert jobs_in_log(None) == ([], [])


def test_summary_after_a_failed_run_names_what_is_missing(tmp_path):
    processed, report = tmp_path / "processed", tmp_path / "report"
    _issues(processed / "2015" / "issues.parquet", [("quarantine", None), ("review", None)])
    (processed / "2016").mkdir()
    lines = summary_lines(str(processed), str(report), ["2015", "2016"], [], ok=False)
    text = "\n".join(lines)
    assert "run stopped" in text
    assert "Report 2015: not written" in text
    assert f"Database: {processed / 'kartlegging.duckdb'} not built" in text
    assert "Round 2015: 1 records quarantined, 1 review items open; list them: make review ROUND=2015" in text
    assert "Round 2016: issues table missing" in text
    missing = [line for line in lines if "tables missing after this run" in line]
    assert len(missing) == 2 and "kommune_status" in missing[0]
    assert "issues" not in missing[0].split(": ")[1].split(", ")


@pytest.mark.parametrize("marker", ["Terminating processes on user request, this might take some time.",
                                    "KeyboardInterrupt"])
def test_summary_after_ctrl_c_says_interrupted_not_an_error_above(tmp_path, marker):
    processed, report = tmp_path / "processed", tmp_path / "report"
    _issues(processed / "2015" / "issues.parquet", [("review", None)])
    log = tmp_path / "run.snakemake.log"
    log.write_text(LOG.split("[Mon Nov 30 18:00:03 2026]")[0] + marker + "\n", encoding="utf-8")
    text = "\n".join(summary_lines(str(processed), str(report), ["2015"], [str(log)], ok=False))
    assert "run interrupted on request (Ctrl-C); `make run` picks up where it stopped" in text
    assert "the error is above" not in text
    assert "Jobs started (3): dispatch (2015), kostra, figures (2015)" in text
    log.write_text(LOG, encoding="utf-8")  # a job that failed: an error, as before
    text = "\n".join(summary_lines(str(processed), str(report), ["2015"], [str(log)], ok=False))
    assert "run stopped (the error is above)" in text and "Jobs run (3)" in text


def _record(msg: str | None = None, level: int = logging.INFO, **extra) -> logging.LogRecord:
    record = logging.LogRecord("snakemake", level, __file__, 1, msg, None, None)
    record.__dict__.update(extra)
    return record


def test_logger_plugin_prints_one_line_per_job_and_keeps_errors_and_warnings():
    from snakemake.settings.types import OutputSettings
    from snakemake_interface_logger_plugins.common import LogEvent
    from snakemake_interface_logger_plugins.registry import LoggerPluginRegistry

    plugin = LoggerPluginRegistry().get_plugin("kartlegging")
    handler = plugin.log_handler(OutputSettings(), None)
    assert handler.writes_to_stream and not handler.writes_to_file
    line = handler.line
    assert line(_record(event=LogEvent.JOB_INFO, jobid=4, rule_name="ingest_epost", wildcards={"round": "2015"},
                        rule_msg=None, input=["x" * 11000])) is None
    assert line(_record("Finished jobid: 4 (Rule: ingest_epost)", event=LogEvent.JOB_FINISHED, job_id=4)) is None
    assert line(_record(event=LogEvent.PROGRESS, done=3, total=15)) == "[3/15] ingest_epost round=2015"
    assert line(_record("Select jobs to execute...")) is None
    assert line(_record(event=LogEvent.JOB_ERROR, jobid=4, rule_name="ingest_epost", log=["logs/2015/e.log"],
                        input=["x" * 11000])) == "Error in ingest_epost round=2015: see logs/2015/e.log"
    assert "reply.eml" in line(_record("reply.eml could not be read", logging.WARNING))


@pytest.mark.e2e
def test_demo_run_console_is_short_and_ends_by_naming_the_report_and_open_review_items(demo_pipeline):
    out, proc = demo_pipeline
    console = proc.stdout + proc.stderr
    assert "Using workflow specific profile profiles/default" in console  # the profile `make run` uses
    assert len(console.encode("utf-8")) < CONSOLE_LIMIT, console
    issues = pq.read_table(out / "processed" / "2015" / "issues.parquet").to_pandas()
    still_open = int(((issues["action"] == "review") & issues["resolved_by"].isna()).sum())
    quarantined = int((issues["action"] == "quarantine").sum())
    tail = "\n".join(console.strip().splitlines()[-10:])
    assert f"Report 2015: {out / 'report' / '2015' / 'kartlegging.html'}" in tail
    assert (f"Round 2015: {quarantined} records quarantined, {still_open} review items open; "
            "list them: make review ROUND=2015") in tail
    jobs = re.search(r"Jobs run \((\d+)\): (.*)", tail)
    assert (jobs and "dispatch (2015)" in jobs.group(2).split(", ")
            and int(jobs.group(1)) == len(jobs.group(2).split(", ")))
    conservation = pq.read_table(out / "processed" / "2015" / "conservation.parquet").to_pandas()
    emails = int(conservation.set_index("source").loc["epost", "records_in"])
    assert f"epost {emails} files" in tail
    # The full job listing is in Snakemake's log file, not on the console.
    log = Path(re.search(r"Full log: (\S+)", tail).group(1))
    listing = log.read_text(encoding="utf-8")
    assert "wildcards: round=2015" in listing and "input:" in listing and "input:" not in console


def _figures(path: Path, values: dict[str, float | None]) -> None:
    import pandas as pd

    from kartlegging.core import store

    store.write_table(pd.DataFrame([{"round": "2015", "figure_id": k, "value": v, "numerator": None,
                                     "denominator": None, "unit": "antall", "text": None}
                                    for k, v in values.items()]), "figures", path)


def test_a_changed_figure_is_listed_after_a_rerun(tmp_path):
    """The summary compares the round's figures with the record of its previous run, then renews the record."""
    from kartlegging.infra.run_summary import FIGURE_RECORD, remember_figures

    processed, report = tmp_path / "processed", tmp_path / "report"
    figures = processed / "2015" / "figures.parquet"
    _figures(figures, {"kommuner_med_tjeneste": 79.0, "tjenester_totalt": 41.0, "andel": 18.4579})

    def changed() -> list[str]:
        return [ln for ln in summary_lines(str(processed), str(report), ["2015"], [], ok=True)
                if "figures changed" in ln]

    assert changed() == []  # a first run has nothing to compare with
    remember_figures(processed, ["2015"])
    record = (processed / "2015" / FIGURE_RECORD).read_bytes()
    assert changed() == []  # nothing changed
    # the rerun: Snakemake removed figures.parquet before the figures job wrote it again; the record stayed
    figures.unlink()
    _figures(figures, {"kommuner_med_tjeneste": 80.0, "tjenester_totalt": 41.0, "andel": 18.6916})
    assert changed() == ["    figures changed since the previous run (2): andel 18.4579 → 18.6916, "
                         "kommuner_med_tjeneste 79 → 80"]
    remember_figures(processed, ["2015"])
    assert changed() == [] and (processed / "2015" / FIGURE_RECORD).read_bytes() != record
    # a failed run that removed the figures keeps the record for the next run
    figures.unlink()
    remember_figures(processed, ["2015"])
    assert (processed / "2015" / FIGURE_RECORD).is_file()
