"""Running one pipeline step for a Snakemake job: its log, its outputs when it fails, its one-line error.

Every rule's ``run:`` block calls :func:`run_step` with the rule's step function
(``kartlegging.steps.<rule>``). By default Snakemake runs that block in a thread of its
own process (``force-use-threads`` in ``profiles/default/config.yaml``), several jobs at
once; an executor that starts a process per job (cluster-generic, SLURM, a run without
the profile) runs the same block in that process. Either way :func:`run_step`

- sends the step's log records to the job's own log file. The package logger
  (``kartlegging`` and the loggers below it) has one handler, :class:`JobLogRouter`,
  which hands each record to the file of the job running in the current thread (a
  context variable set by :func:`run_step`), so two jobs running at once never write
  into each other's logs and no step adds or clears handlers;
- removes the outputs of a step that fails, and the temporary file of a write in
  progress, so no later run takes a half-written table for a result;
- turns any error into :class:`StepFailed`, whose message is one line: for the errors a
  user can fix (a malformed file, an override that matches nothing, an invalid table)
  the rule and the message naming file and reason; for anything else the rule and where
  its traceback is. The traceback goes to the job's log file only. Snakemake reports the
  exception; the project's logger plugin (``snakemake_logger_plugin_kartlegging``) shows
  just that line.

Nothing here changes process-wide state beyond installing the router on the package
logger once, and a step never calls ``sys.exit``: it would end a thread of Snakemake.
"""

from __future__ import annotations

import logging
import shutil
import sys
import threading
import traceback
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Any

#: Error types whose message is meant for the user: they say what to fix.
USER_ERRORS: tuple[type[BaseException], ...] = (ValueError, FileNotFoundError, KeyError, OSError)

#: Log lines carry no timestamps, so that the logs of two runs are byte-identical.
LOG_FORMAT = "%(levelname)s %(message)s"


class StepFailed(Exception):
    """A step stopped. The message is the one line the console shows; details are in the job's log."""


class _Job:
    """What the router needs of the job running in a thread: its log file and its name."""

    def __init__(self, label: str, handler: logging.Handler | None) -> None:
        self.label = label
        self.handler = handler


_CURRENT_JOB: ContextVar[_Job | None] = ContextVar("kartlegging_current_job", default=None)
_INSTALL_LOCK = threading.Lock()


class JobLogRouter(logging.Handler):
    """The package logger's only handler: each record to the log file of the job of the current thread.

    Records at WARNING and above also go to stderr, named by the job, unless marked
    ``file_only`` (the error line of a failed step, which reaches the console through
    Snakemake instead). Outside a job (a test, a notebook) only that stderr part applies.
    """

    def emit(self, record: logging.LogRecord) -> None:
        job = _CURRENT_JOB.get()
        if job is not None and job.handler is not None:
            job.handler.handle(record)
        if record.levelno >= logging.WARNING and not getattr(record, "file_only", False):
            prefix = f"{record.levelname} [{job.label}]" if job is not None else record.levelname
            sys.stderr.write(f"{prefix} {record.getMessage()}\n")


def install_router() -> logging.Logger:
    """The package logger with the router as its one handler (idempotent, safe from several threads)."""
    logger = logging.getLogger("kartlegging")
    with _INSTALL_LOCK:
        if not any(isinstance(h, JobLogRouter) for h in logger.handlers):
            logger.addHandler(JobLogRouter())
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


def job_label(rule: str, wildcards: Mapping[str, Any] | None = None) -> str:
    """``consolidate (round=2015)``: the rule and, when it has any, the job's wildcards."""
    items = ", ".join(f"{k}={v}" for k, v in dict(wildcards or {}).items())
    return f"{rule} ({items})" if items else rule


def remove_outputs(outputs: Iterable[str]) -> None:
    """A failed step leaves no partial output behind: neither an output it had already
    written (a later one failed) nor the temporary file of a write in progress."""
    for out in outputs:
        for p in (Path(out), Path(f"{out}.tmp")):
            if p.is_dir() and not p.is_symlink():  # a directory() output (the report's CSV tables)
                shutil.rmtree(p)
            elif p.is_file():
                p.unlink()


def _file_handler(log_path: str | None) -> logging.Handler | None:
    if not log_path:
        return None
    Path(log_path).parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.setLevel(logging.INFO)
    return handler


def run_step(rule: str, wildcards: Mapping[str, Any] | None, log: Iterable[str], output: Iterable[str],
             step: Callable[..., object], *args: Any, **kwargs: Any) -> None:
    """Run ``step(*args, **kwargs)`` as the job of ``rule`` with ``wildcards``: log to the job's
    first log file, remove ``output`` and raise :class:`StepFailed` (one line) if the step fails."""
    logger = install_router()
    logs = [str(p) for p in log]
    outputs = [str(o) for o in output]
    label = job_label(rule, wildcards)
    handler = _file_handler(logs[0] if logs else None)
    token = _CURRENT_JOB.set(_Job(label, handler))
    try:
        step(*args, **kwargs)
    except USER_ERRORS as exc:
        remove_outputs(outputs)
        message = f"rule {label} stopped: {type(exc).__name__}: {exc}"
        logger.error(message, extra={"file_only": True})
        # A KeyError or ValueError may be a bug rather than bad input: the developer finds the
        # traceback in the job's log; the user sees the one line above.
        logger.info("where it stopped (for the developer):\n%s", traceback.format_exc().rstrip("\n"))
        raise StepFailed(message) from exc
    except Exception as exc:  # unexpected: the traceback goes to the log file, one line to the user
        remove_outputs(outputs)
        if handler is None:  # no log file: the traceback would be lost, so it travels with the message
            raise StepFailed(f"rule {label} failed unexpectedly ({type(exc).__name__}):\n"
                             f"{traceback.format_exc()}") from exc
        logger.error("rule %s failed unexpectedly; traceback follows\n%s", label,
                     traceback.format_exc().rstrip("\n"), extra={"file_only": True})
        raise StepFailed(f"rule {label} failed unexpectedly ({type(exc).__name__}); "
                         f"the traceback is in {logs[0]}") from exc
    except BaseException:  # KeyboardInterrupt, SystemExit: nothing half-written stays behind either
        remove_outputs(outputs)
        raise
    finally:
        _CURRENT_JOB.reset(token)
        if handler is not None:
            handler.close()


__all__ = ["JobLogRouter", "StepFailed", "USER_ERRORS", "install_router", "job_label",
           "remove_outputs", "run_step"]
