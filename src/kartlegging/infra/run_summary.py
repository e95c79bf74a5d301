"""The few lines that end every run: where the reports are, what was set aside, which jobs ran.

Called from the Snakefile's ``onsuccess`` and ``onerror``. Snakemake's console lists jobs;
nothing in it says that a deleted reply or a broken file changed the results. These lines
give, per round, the records quarantined and the review items still open (with the
command that lists them), so a change in the inputs shows as a changed count.

Cheap and safe after a failed run: only the standard library is imported at module
level (the Snakefile imports this while it is parsed); counts come from two small
columns of ``issues``; a table the failed run removed is named as missing, never read.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

#: The command that lists a round's open review items and quarantined records (kartlegging.infra.review).
REVIEW_COMMAND = "make review ROUND={round}"
REPORT_FILES = ("kartlegging.html", "kartlegging.pdf")
KOSTRA_ISSUES = "kostra/issues_kostra.parquet"

_JOB = re.compile(r"^(?:local)?rule (\w+):$")
_WILDCARDS = re.compile(r"^\s+wildcards: (.*)$")
_ERROR = re.compile(r"^Error in rule (\w+):$")


def issue_counts(path: str | os.PathLike) -> tuple[int, int] | None:
    """(records quarantined, review items open) of one ``issues`` file; None when it is missing.

    Reads two columns only; an item settled by an override (``resolved_by`` set) is not open."""
    if not Path(path).is_file():
        return None
    import pyarrow.parquet as pq

    table = pq.read_table(path, columns=["action", "resolved_by"])
    quarantined = opened = 0
    for action, resolved in zip(table.column("action").to_pylist(), table.column("resolved_by").to_pylist()):
        if action == "quarantine":
            quarantined += 1
        elif action == "review" and resolved is None:
            opened += 1
    return quarantined, opened


#: English words for the units of ``conservation`` (what one record of a source is).
UNIT_WORDS = {"fil": "files", "rad": "rows", "arbeidsbok": "workbooks"}


def records_read(path: str | os.PathLike) -> str | None:
    """``epost 207 files, ...`` from a round's ``conservation`` table, or None when it is missing.

    What the run read from each source: a deleted reply or an added file changes a number here."""
    if not Path(path).is_file():
        return None
    import pyarrow.parquet as pq

    table = pq.read_table(path, columns=["source", "unit", "records_in"])
    rows = zip(*(table.column(c).to_pylist() for c in ("source", "unit", "records_in")))
    return ", ".join(f"{source} {n} {UNIT_WORDS.get(unit, unit)}" for source, unit, n in rows)


def missing_tables(processed: Path, round_name: str) -> list[str]:
    """The round's declared tables that have no file (a failed run removed or never wrote them)."""
    from kartlegging.core.tables import ALL_TABLES

    return [
        t.name for t in ALL_TABLES.values()
        if t.per_round and not (processed / round_name / f"{t.name}.parquet").is_file()
    ]


def jobs_in_log(log_path: str | os.PathLike | None) -> tuple[list[str], list[str]]:
    """(jobs started, rules that failed) as Snakemake's log file lists them, in order."""
    if not log_path or not Path(log_path).is_file():
        return [], []
    jobs: list[str] = []
    failed: list[str] = []
    pending: str | None = None
    for line in Path(log_path).read_text(encoding="utf-8", errors="replace").splitlines():
        if m := _JOB.match(line):
            if pending:
                jobs.append(pending)
            pending = m.group(1)
        elif pending and (m := _WILDCARDS.match(line)):
            jobs.append(f"{pending} ({m.group(1).replace('round=', '')})")
            pending = None
        elif not line.startswith(" ") and pending:
            jobs.append(pending)
            pending = None
        if m := _ERROR.match(line):
            failed.append(m.group(1))
    if pending:
        jobs.append(pending)
    return [j for j in jobs if j != "all"], failed


def _log_files(log: object) -> list[str]:
    if not log:
        return []
    if isinstance(log, (str, os.PathLike)):
        return [str(log)]
    return [str(p) for p in log]  # Snakemake passes the list of its log files


def summary_lines(processed_dir: str, report_dir: str, rounds: Sequence[str], log: object, ok: bool) -> list[str]:
    """The end-of-run lines: outcome, reports, database, per round set-aside counts and the review command, jobs."""
    processed = Path(processed_dir)
    logs = _log_files(log)
    lines = ["", "kartlegging: run complete." if ok else "kartlegging: run stopped (the error is above)."]
    for r in rounds:
        found = [str(Path(report_dir, r, f)) for f in REPORT_FILES if Path(report_dir, r, f).is_file()]
        if found:
            lines.append(f"  Report {r}: {', '.join(found)}" + ("" if ok else " (from an earlier run)"))
        else:
            lines.append(f"  Report {r}: not written")
    db = processed / "kartlegging.duckdb"
    if db.is_file():
        built = datetime.fromtimestamp(db.stat().st_mtime, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
        note = "" if ok else f"; it answers with the tables of its last build, {built}"
        lines.append(f"  Database: {db} (data dictionary: {processed / 'data_dictionary.md'}{note})")
    else:
        lines.append(f"  Database: {db} not built")
    for r in rounds:
        counts = issue_counts(processed / r / "issues.parquet")
        if counts is None:
            lines.append(f"  Round {r}: issues table missing, so no counts")
        else:
            q, o = counts
            lines.append(f"  Round {r}: {q} records quarantined, {o} review items open; list them: "
                         + REVIEW_COMMAND.format(round=r))
        read = records_read(processed / r / "conservation.parquet")
        if read:
            lines.append(f"    read: {read}")
        if not ok:
            gone = missing_tables(processed, r)
            if gone:
                lines.append(f"    tables missing after this run: {', '.join(gone)}")
    kostra = issue_counts(processed / KOSTRA_ISSUES)
    if kostra is not None and any(kostra):
        lines.append(f"  KOSTRA extracts: {kostra[0]} files or rows quarantined, {kostra[1]} review items open "
                     "(issues view, round = 'kostra')")
    jobs, failed = jobs_in_log(logs[0] if logs else None)
    lines.append(
        f"  Jobs run ({len(jobs)}): {', '.join(jobs)}" if jobs else "  Jobs run: none, everything was up to date"
    )
    if failed:
        lines.append(f"  Failed: {', '.join(failed)}")
    if logs:
        lines.append(f"  Full log: {', '.join(logs)}")
    return lines


def log_summary(processed_dir: str, report_dir: str, rounds: Sequence[str], log: object, ok: bool) -> None:
    """Write the summary through Snakemake's logger: on the console and in the run's log file."""
    from snakemake.logging import logger

    logger.info("\n".join(summary_lines(processed_dir, report_dir, rounds, log, ok)))
