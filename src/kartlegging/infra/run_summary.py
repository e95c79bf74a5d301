"""The few lines that end every run: where the reports are, what was set aside, what changed, which jobs ran.

Called from the Snakefile's ``onsuccess`` and ``onerror``. Snakemake's console lists jobs;
nothing in it says that a deleted reply or a broken file changed the results. These lines
give, per round, the records quarantined and the review items still open (with the
command that lists them), so a change in the inputs shows as a changed count; the
overrides that changed a record nobody had put under review; and the figures whose
value changed since the previous run of the round (``kommuner_med_tjeneste 79 → 80``).

The previous values are a small record, ``<processed_dir>/<round>/.figures_previous.json``,
that the summary writes after it has compared them. It is no output of any rule:
Snakemake removes the outputs of a job before it runs it, so the figures step's own
tables cannot hold the values of the run before; and being nobody's input, the record
reruns no job and reaches no table, report or database.

Cheap and safe after a failed run: only the standard library is imported at module
level (the Snakefile imports this while it is parsed); counts come from two small
columns of ``issues``; a table the failed run removed is named as missing, never read.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

#: The command that lists a round's open review items and quarantined records (kartlegging.infra.review).
REVIEW_COMMAND = "make review ROUND={round}"
REPORT_FILES = ("kartlegging.html", "kartlegging.pdf")
KOSTRA_ISSUES = "kostra/issues_kostra.parquet"
#: The figures of the previous run of a round, beside its tables (see the module's docstring).
FIGURE_RECORD = ".figures_previous.json"
#: At most this many changed figures are named; the rest are counted.
CHANGES_SHOWN = 12

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


def figure_values(path: str | os.PathLike) -> dict[str, object] | None:
    """``{figure_id: value or text}`` of a round's ``figures`` table; None when it is missing."""
    if not Path(path).is_file():
        return None
    import pyarrow.parquet as pq

    table = pq.read_table(path, columns=["figure_id", "value", "text"])
    ids, values, texts = (table.column(c).to_pylist() for c in ("figure_id", "value", "text"))
    return {i: (v if v is not None and v == v else t) for i, v, t in zip(ids, values, texts)}  # NaN is no value


def _shown(value: object) -> str:
    if value is None:
        return "none"
    return f"{value:g}" if isinstance(value, float) else str(value)


def figure_changes(round_dir: Path) -> list[str]:
    """``kommuner_med_tjeneste 79 → 80`` for every figure whose value differs from the record of the round's
    previous run (none when there is no record or no figures table)."""
    current = figure_values(round_dir / "figures.parquet")
    record = round_dir / FIGURE_RECORD
    if current is None or not record.is_file():
        return []
    try:
        previous = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [f"{fid} {_shown(previous.get(fid))} → {_shown(current.get(fid))}"
            for fid in sorted(set(previous) | set(current)) if previous.get(fid) != current.get(fid)]


def remember_figures(processed_dir: str | os.PathLike, rounds: Sequence[str]) -> None:
    """Write each round's figures as the record the next run compares with (rounds without a figures table keep
    their record). Sorted keys, no time stamp: the same figures give the same bytes."""
    for r in rounds:
        folder = Path(processed_dir, r)
        current = figure_values(folder / "figures.parquet")
        if current is not None:
            text = json.dumps(current, ensure_ascii=False, sort_keys=True, indent=1) + "\n"
            (folder / FIGURE_RECORD).write_text(text, encoding="utf-8")


def overrides_not_under_review(path: str | os.PathLike) -> list[str]:
    """``ov-2015-012 (telefon telefonrunde.xlsx [52]: kommunenummer 1243 → 0441)`` for every override of a record
    that was not under review, from the round's ``overrides_applied``; none when the table is missing."""
    if not Path(path).is_file():
        return []
    import pyarrow.parquet as pq

    cols = ["override_id", "source", "file", "record", "field", "value", "value_before", "under_review"]
    try:
        table = pq.read_table(path, columns=cols)
    except (KeyError, ValueError, OSError):
        return []  # written by a version of the pipeline without the audit columns
    out = []
    for oid, source, file, record, field, value, before, under in zip(*(table.column(c).to_pylist() for c in cols)):
        if not under:
            where = f"{file} [{record}]" if record else file
            out.append(f"{oid} ({source} {where}: {field} {before if before is not None else 'none'} → {value})")
    return out


def missing_tables(processed: Path, round_name: str) -> list[str]:
    """The round's declared tables that have no file (a failed run removed or never wrote them)."""
    from kartlegging.core.tables import ALL_TABLES

    return [
        t.name for t in ALL_TABLES.values()
        if t.per_round and not (processed / round_name / f"{t.name}.parquet").is_file()
    ]


#: What Snakemake's log holds when the run was stopped on the user's request: its own message when it stops
#: the running jobs, or the exception when the signal landed while it evaluated the workflow between jobs.
_INTERRUPTED = ("Terminating processes on user request", "KeyboardInterrupt")


def interrupted_in_log(log_path: str | os.PathLike | None) -> bool:
    """Whether the run whose log this is was stopped by Ctrl-C (SIGINT), not by an error: the summary then
    says so and that the next run picks up where it stopped, rather than pointing to an error above."""
    if not log_path or not Path(log_path).is_file():
        return False
    text = Path(log_path).read_text(encoding="utf-8", errors="replace")
    return any(marker in text for marker in _INTERRUPTED)


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
    interrupted = not ok and interrupted_in_log(logs[0] if logs else None)
    if ok:
        headline = "kartlegging: run complete."
    elif interrupted:
        headline = ("kartlegging: run interrupted on request (Ctrl-C); `make run` picks up where it stopped "
                    "(jobs that did not finish run again).")
    else:
        headline = "kartlegging: run stopped (the error is above)."
    lines = ["", headline]
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
        changed = figure_changes(processed / r)
        if changed:
            more = f", and {len(changed) - CHANGES_SHOWN} more" if len(changed) > CHANGES_SHOWN else ""
            lines.append(f"    figures changed since the previous run ({len(changed)}): "
                         f"{', '.join(changed[:CHANGES_SHOWN])}{more}")
        unreviewed = overrides_not_under_review(processed / r / "overrides_applied.parquet")
        if unreviewed:
            lines.append(f"    overrides of records not under review ({len(unreviewed)}): {', '.join(unreviewed)}")
        if not ok:
            gone = missing_tables(processed, r)
            if gone:
                lines.append(f"    tables missing after this run: {', '.join(gone)}")
    kostra = issue_counts(processed / KOSTRA_ISSUES)
    if kostra is not None and any(kostra):
        lines.append(f"  KOSTRA extracts: {kostra[0]} files or rows quarantined, {kostra[1]} review items open "
                     "(issues view, round = 'kostra')")
    jobs, failed = jobs_in_log(logs[0] if logs else None)
    verb = "started" if interrupted else "run"
    lines.append(
        f"  Jobs {verb} ({len(jobs)}): {', '.join(jobs)}" if jobs else "  Jobs run: none, everything was up to date"
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
    remember_figures(processed_dir, rounds)
