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
from pathlib import Path
from typing import Any, Callable

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
    """A failed step leaves no partial output behind."""
    for out in outputs:
        p = Path(out)
        if p.is_file():
            p.unlink()


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
        sys.exit(1)
    except Exception:  # unexpected: keep the traceback for the developer, in the log only
        _remove_partial(outputs)
        logger.error("rule %s failed unexpectedly; traceback follows\n%s", snakemake.rule, traceback.format_exc())
        print(f"rule {snakemake.rule} failed unexpectedly; see {log_path}", file=sys.stderr)
        sys.exit(1)
