"""Two small, guarded fixes to Snakemake itself, applied by the Snakefile while it is parsed.

Both remove a cost that every run of this workflow pays without any use, and both are
guarded: each checks that the Snakemake it runs in has exactly the code it replaces
(the version's major number, the attribute, the names its code uses) and otherwise
leaves Snakemake alone and says so in the run's log. Standard library only: this runs at
parse time, before any job.

- **The exit wait.** ``JobScheduler._schedule_reevalutation`` (sic) starts a
  ``threading.Timer`` of the job-rate limiter's timespan (``--max-jobs-per-timespan``,
  default ``100/1s``) on every scheduling pass. The timer is not a daemon thread, so
  the interpreter waits for the last one before it exits: about one second at the end
  of every run that ran a job (a one-job Snakefile takes 1.6 s against a 0.6 s no-op).
  The shim starts the same timer as a daemon: it still wakes the scheduler while the
  run goes on, and no longer holds the process once the run is over. Upstream fix:
  ``timer.daemon = True``.
- **pandas on a no-op.** To compare a job's params with the last run's, Snakemake
  chooses its param serialiser once with ``importlib.util.find_spec("pandas")``, and
  when pandas is *installed* its serialiser imports it (0.2-0.3 s) to recognise
  DataFrame params. A param can only hold a DataFrame if something imported pandas
  first, so the shim chooses the pandas serialiser only when pandas is already in
  ``sys.modules``; for every other value the two give the same text (the pandas one
  falls back to the builtin one), so the params recorded in ``.snakemake/metadata``
  do not change. A run with nothing to do then imports no pandas at all.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any

#: The Snakemake major versions whose code the shims were written against (checked with 9.27.1).
MAJOR_VERSIONS = ("9",)


def _major(version: str) -> str:
    return str(version).split(".", 1)[0]


def _code_names(function: Any) -> set[str]:
    code = getattr(getattr(function, "__wrapped__", function), "__code__", None)
    return set(code.co_names) if code is not None else set()


def daemon_reevaluation(self: Any, delay: float) -> None:
    """``JobScheduler._schedule_reevalutation`` with its timer as a daemon thread (see the module)."""
    timer = threading.Timer(delay, lambda: self._open_jobs.release())
    timer.daemon = True
    timer.start()


def _serialize_param_when_imported(self: Any) -> Callable[[Any], str | object]:
    """``PersistenceBase._serialize_param``, choosing the pandas serialiser only when pandas is imported."""
    if "pandas" in sys.modules:
        return self._serialize_param_pandas
    return self._serialize_param_builtin


def exit_wait_problem(version: str, scheduler: type) -> str | None:
    """Why the exit-wait shim does not fit this Snakemake, or None when it does."""
    if _major(version) not in MAJOR_VERSIONS:
        return f"written for Snakemake {'/'.join(MAJOR_VERSIONS)}.x"
    original = scheduler.__dict__.get("_schedule_reevalutation")
    if original is None:
        return "JobScheduler has no _schedule_reevalutation"
    if original is daemon_reevaluation:
        return None
    code = getattr(original, "__code__", None)
    if code is None or code.co_argcount != 2 or not {"threading", "Timer", "start"} <= set(code.co_names):
        return "JobScheduler._schedule_reevalutation no longer starts a threading.Timer(delay, ...)"
    return None


def pandas_probe_problem(version: str, persistence: type) -> str | None:
    """Why the param-serialiser shim does not fit this Snakemake, or None when it does."""
    if _major(version) not in MAJOR_VERSIONS:
        return f"written for Snakemake {'/'.join(MAJOR_VERSIONS)}.x"
    chooser = persistence.__dict__.get("_serialize_param")
    if not isinstance(chooser, property):
        return "PersistenceBase._serialize_param is not a property"
    if chooser.fget is _serialize_param_when_imported:
        return None
    if not {"_serialize_param_pandas", "_serialize_param_builtin"} <= set(dir(persistence)):
        return "PersistenceBase has no _serialize_param_pandas/_serialize_param_builtin"
    if "find_spec" not in _code_names(chooser.fget):
        return "PersistenceBase._serialize_param no longer chooses by find_spec('pandas')"
    return None


def apply(log: Callable[[str], None]) -> dict[str, str | None]:
    """Apply both shims where they fit; ``log`` receives one line for each that does not. Returns the
    problem per shim (None: applied). Idempotent: applying twice changes nothing."""
    import snakemake
    from snakemake.persistence import PersistenceBase
    from snakemake.scheduling.job_scheduler import JobScheduler

    version = getattr(snakemake, "__version__", "unknown")
    problems = {
        "exit wait": exit_wait_problem(version, JobScheduler),
        "pandas on a no-op": pandas_probe_problem(version, PersistenceBase),
    }
    if problems["exit wait"] is None:
        JobScheduler._schedule_reevalutation = daemon_reevaluation
    if problems["pandas on a no-op"] is None:
        PersistenceBase._serialize_param = property(_serialize_param_when_imported)
    for name, problem in problems.items():
        if problem is not None:
            log(f"kartlegging: Snakemake {version}: the '{name}' shim is not applied ({problem}); "
                "the run is correct, only slower (kartlegging/infra/snakemake_shims.py)")
    return problems
