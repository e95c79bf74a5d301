"""Wiring between Snakemake's ``script:`` objects and the package.

Every script calls :func:`run` with a function of the step. ``run`` sends the
step's log to the rule's log file, and turns the errors a user can fix (a
malformed file, an override that matches nothing, an invalid table) into one
message naming the file and the problem, instead of a traceback. Unexpected
errors still stop the rule, with their traceback kept in the log file.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: Error types whose message is meant for the user: they say what to fix.
USER_ERRORS: tuple[type[BaseException], ...] = (ValueError, FileNotFoundError, KeyError, OSError)


class InputError(ValueError):
    """Input the run cannot use at all; the message names the file and what is wrong."""


def setup_logging(log_path: str | os.PathLike | None) -> logging.Logger:
    """Log to the rule's log file (and stderr), one line per event, no timestamps (byte-stable logs)."""
    logger = logging.getLogger("kartlegging")
    logger.handlers.clear()
    logger.setLevel(logging.INFO)
    fmt = logging.Formatter("%(levelname)s %(message)s")
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        fh = logging.FileHandler(log_path, mode="w", encoding="utf-8")
        fh.setFormatter(fmt)
        logger.addHandler(fh)
    sh = logging.StreamHandler(sys.stderr)
    sh.setFormatter(fmt)
    sh.setLevel(logging.WARNING)
    logger.addHandler(sh)
    logger.propagate = False
    return logger


def _remove_partial(outputs: list[str]) -> None:
    """A failed step leaves no partial output behind: neither an output it had already
    written (a later one failed) nor the temporary file of a write in progress."""
    for out in outputs:
        for p in (Path(out), Path(out + ".tmp")):
            if p.is_file():
                p.unlink()


def _to_log_files(logger: logging.Logger, text: str, level: int = logging.INFO) -> bool:
    """Write ``text`` to the rule's log file only (not to the terminal); False when there is none."""
    files = [h for h in logger.handlers if isinstance(h, logging.FileHandler)]
    record = logger.makeRecord(logger.name, level, __file__, 0, text, None, None)
    for handler in files:
        handler.handle(record)
    return bool(files)


def run(snakemake: Any, step: Callable[[Any, logging.Logger], None]) -> None:
    """Run one step for a Snakemake job; exit 1 with a one-line message on bad input."""
    log_path = snakemake.log[0] if len(snakemake.log) else None
    logger = setup_logging(log_path)
    outputs = [str(o) for o in snakemake.output]
    try:
        step(snakemake, logger)
    except USER_ERRORS as exc:
        _remove_partial(outputs)
        message = f"{type(exc).__name__}: {exc}"
        logger.error("rule %s stopped: %s", snakemake.rule, message)
        # A KeyError or ValueError may be a bug rather than bad input: the developer finds the
        # traceback in the rule's log; the user sees the one line above.
        _to_log_files(logger, f"where it stopped (for the developer):\n{traceback.format_exc()}")
        sys.exit(1)
    except Exception as exc:  # unexpected: the traceback goes to the log file, one line to the user
        _remove_partial(outputs)
        detail = f"rule {snakemake.rule} failed unexpectedly; traceback follows\n{traceback.format_exc()}"
        if _to_log_files(logger, detail, logging.ERROR):
            print(f"ERROR rule {snakemake.rule} failed unexpectedly ({type(exc).__name__}); "
                  f"the traceback is in {log_path}", file=sys.stderr)
        else:  # no log file: the traceback would be lost, so the developer gets it here
            print(detail, file=sys.stderr)
        sys.exit(1)
