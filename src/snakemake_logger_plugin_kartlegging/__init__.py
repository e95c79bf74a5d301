"""Snakemake logger plugin ``kartlegging``: a console of one line per job; the full listing stays in the log file.

Snakemake's own console prints every job's inputs, outputs and reason: about 46 KB for
the demo round, single ``input:`` lines up to 11 KB, which bury the few lines that
matter (an error, a warning, the run's summary). ``--quiet`` would drop the listing from
``.snakemake/log/`` as well, because the console and the log file share one filter.
This plugin replaces only the console handler (``--logger kartlegging``, set in
``profiles/default/config.yaml``); the log file keeps the full listing.

On the console: one line per finished job (``[3/15] ingest_epost round=2015``), a failed
job as one line naming its rule and log file, and every other message (warnings,
errors, the run's summary) as Snakemake formats it. A step that stops raises
``kartlegging.infra.runner.StepFailed`` with a one-line message; Snakemake reports it
as a ``RuleException`` with the place in the rule file and a traceback through its own
code, and this handler shows the one line only (the traceback of the step itself is in
the job's log file). It is found by Snakemake's plugin
registry by its module name (``snakemake_logger_plugin_<name>``), installed with the
package (``pip install -e .``).
"""

from __future__ import annotations

import re
import sys
from logging import LogRecord
from typing import Any

from snakemake_interface_logger_plugins.base import LogHandlerBase
from snakemake_interface_logger_plugins.common import LogEvent

#: Events with nothing for the console: the job listing, shell commands, the job-count
#: table, resources; each job becomes one line at PROGRESS instead.
SILENT = {
    LogEvent.JOB_INFO, LogEvent.JOB_STARTED, LogEvent.JOB_FINISHED, LogEvent.GROUP_INFO,
    LogEvent.SHELLCMD, LogEvent.RUN_INFO, LogEvent.RESOURCES_INFO, LogEvent.WORKFLOW_STARTED,
    LogEvent.RULEGRAPH, LogEvent.DEBUG_DAG,
}

#: Snakemake's chatter between jobs; the log file keeps it.
CHATTER = ("Select jobs to execute", "Execute ", "Using shell:", "Provided cores:", "Rules claiming more threads",
           "Building DAG of jobs", "Complete log(s):", "Job stats:", "Assuming unrestricted shared filesystem",
           "Provided resources:", "Waiting at most", "Removing output files of failed job")


#: How Snakemake words an exception raised in a ``run:`` block (``snakemake.exceptions.format_error``):
#: ``StepFailed in file "rules/x.smk", line 40:`` then the message, then ``  File ...`` lines.
STEP_FAILED = re.compile(r'(?:^|\n)StepFailed in file [^\n]*:\n(?P<message>.*?)(?=\n  File "|\Z)', re.S)


def step_failure(text: str) -> str | None:
    """The one-line message of a step that stopped (``kartlegging.infra.runner.StepFailed``) inside
    Snakemake's report of the exception, or None when the text reports something else."""
    found = STEP_FAILED.search(text)
    return found.group("message").strip() if found else None


def job_label(rule: str, wildcards: Any) -> str:
    """``rule key=value ...``: what a person needs to tell one job from another."""
    items = dict(wildcards or {}).items() if not isinstance(wildcards, str) else ()
    return " ".join([rule, *(f"{k}={v}" for k, v in items)])


class LogHandler(LogHandlerBase):
    """Console handler: one line per job, Snakemake's formatting for everything else."""

    def __post_init__(self) -> None:
        from snakemake.logging import DefaultFormatter

        self.stream = sys.stdout if self.common_settings.stdout else sys.stderr
        self.setFormatter(DefaultFormatter(self.common_settings.quiet, self.common_settings.show_failed_logs))
        self._labels: dict[int, str] = {}
        self._finished: list[int] = []

    @property
    def writes_to_stream(self) -> bool:
        return True

    @property
    def writes_to_file(self) -> bool:
        return False

    @property
    def has_filter(self) -> bool:
        return True

    @property
    def has_formatter(self) -> bool:
        return True

    @property
    def needs_rulegraph(self) -> bool:
        return False

    def line(self, record: LogRecord) -> str | None:
        """The console text of one record, or None to leave it to the log file."""
        event = getattr(record, "event", None)
        if event == LogEvent.JOB_INFO:
            self._labels[record.jobid] = job_label(record.rule_name, getattr(record, "wildcards", None))
        if event == LogEvent.JOB_FINISHED:
            self._finished.append(getattr(record, "job_id", getattr(record, "jobid", -1)))
        if self.common_settings.dryrun and event == LogEvent.JOB_INFO:
            return f"would run: {self._labels[record.jobid]}"
        if self.common_settings.dryrun and event == LogEvent.RUN_INFO:
            return self.format(record)
        if event in SILENT:
            return None
        if event == LogEvent.PROGRESS:
            # the jobs finished since the last progress record (several for a group job)
            labels = ", ".join(self._labels.get(j, "") for j in self._finished)
            self._finished.clear()
            return f"[{record.done}/{record.total}] {labels}".rstrip()
        if event == LogEvent.ERROR:
            failure = step_failure(record.getMessage())
            if failure is not None:
                return f"ERROR {failure}"
        if event == LogEvent.JOB_ERROR:
            label = self._labels.get(record.jobid, record.rule_name)
            logs = ", ".join(str(f) for f in (getattr(record, "log", None) or []))
            return f"Error in {label}" + (f": see {logs}" if logs else "")
        if event is None and record.levelname == "INFO":
            text = record.getMessage()
            if not text.strip() or text.lstrip().startswith(CHATTER):
                return None
        return self.format(record)

    def emit(self, record: LogRecord) -> None:
        try:
            text = self.line(record)
            if text is not None:
                self.stream.write(text + "\n")
                self.stream.flush()
        except Exception:  # a logging handler must not raise; logging reports it to stderr
            self.handleError(record)
