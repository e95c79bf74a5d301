"""The two guarded fixes to Snakemake (kartlegging.infra.snakemake_shims): they apply to the Snakemake they were
written for, change nothing else, and step aside (saying so) where the code differs."""
from __future__ import annotations

import sys
import threading

import pytest
from conftest import ROOT
from snakemake.persistence import PersistenceBase
from snakemake.scheduling.job_scheduler import JobScheduler

from kartlegging.infra import snakemake_shims as shims


def test_both_shims_fit_the_pinned_snakemake_and_applying_twice_changes_nothing():
    said: list[str] = []
    assert shims.apply(said.append) == {"exit wait": None, "pandas on a no-op": None}
    assert shims.apply(said.append) == {"exit wait": None, "pandas on a no-op": None}
    assert said == []
    assert JobScheduler._schedule_reevalutation is shims.daemon_reevaluation
    assert PersistenceBase.__dict__["_serialize_param"].fget is shims._serialize_param_when_imported


def test_the_rescheduling_timer_still_fires_but_does_not_hold_the_process():
    class Scheduler:
        _open_jobs = threading.Semaphore(0)

    before = set(threading.enumerate())
    shims.daemon_reevaluation(Scheduler(), 0.05)
    started = [t for t in threading.enumerate() if t not in before]
    assert len(started) == 1 and isinstance(started[0], threading.Timer) and started[0].daemon
    assert Scheduler._open_jobs.acquire(timeout=5)  # the scheduler is woken as before


def test_the_param_serialiser_uses_pandas_only_once_something_imported_it(monkeypatch):
    class Persistence:
        def _serialize_param_pandas(self, value):
            return "pandas"

        def _serialize_param_builtin(self, value):
            return "builtin"

    import pandas  # noqa: F401 (in sys.modules: a DataFrame param is possible)

    assert shims._serialize_param_when_imported(Persistence())(1) == "pandas"
    monkeypatch.delitem(sys.modules, "pandas")
    assert shims._serialize_param_when_imported(Persistence())(1) == "builtin"


def test_the_serialisers_agree_on_every_value_a_rule_of_this_workflow_passes():
    """The params recorded in .snakemake/metadata must not change with the shim (no rerun after an upgrade)."""
    class Serialisers:  # the two methods as Snakemake defines them (PersistenceBase itself is abstract)
        _serialize_param_pandas = PersistenceBase._serialize_param_pandas
        _serialize_param_builtin = PersistenceBase._serialize_param_builtin

    persistence = Serialisers()
    values = ["2015", ["2015", "2024"], {"2015": "2015"}, [{"id": "ov-1", "set": {"q1": "ja"}}], True, 3]
    for value in values:
        assert persistence._serialize_param_pandas(value) == persistence._serialize_param_builtin(value)


def test_a_snakemake_with_other_code_is_left_alone_and_the_log_says_so():
    class OtherScheduler:
        def _schedule_reevalutation(self, delay):
            self.later = delay  # no timer: another design

    class OtherPersistence:
        _serialize_param = property(lambda self: None)

    assert "no longer starts a threading.Timer" in shims.exit_wait_problem("9.30.0", OtherScheduler)
    assert "has no _schedule_reevalutation" in shims.exit_wait_problem("9.30.0", object)
    assert shims.exit_wait_problem("10.0.0", JobScheduler) == "written for Snakemake 9.x"
    assert "_serialize_param_pandas" in shims.pandas_probe_problem("9.30.0", OtherPersistence)
    assert shims.pandas_probe_problem("10.1", PersistenceBase) == "written for Snakemake 9.x"


def test_apply_on_another_major_version_patches_nothing_and_logs_one_line_per_shim(monkeypatch):
    import snakemake

    saved = PersistenceBase.__dict__["_serialize_param"]
    monkeypatch.setattr(JobScheduler, "_schedule_reevalutation", lambda self, delay: None)
    monkeypatch.setattr(snakemake, "__version__", "10.0.0")
    said: list[str] = []
    problems = shims.apply(said.append)
    assert problems == {"exit wait": "written for Snakemake 9.x", "pandas on a no-op": "written for Snakemake 9.x"}
    assert len(said) == 2 and all("shim is not applied" in line for line in said)
    assert JobScheduler.__dict__["_schedule_reevalutation"] is not shims.daemon_reevaluation
    assert PersistenceBase.__dict__["_serialize_param"] is saved


NON_DAEMON = """
onsuccess:
    import threading
    alive = [t for t in threading.enumerate() if not t.daemon and t is not threading.main_thread()]
    print("still holding the process:", sorted(type(t).__name__ for t in alive))
"""


def _one_job_workflow(folder, shim: bool):
    folder.mkdir()
    (folder / "Snakefile").write_text(
        ("from kartlegging.infra import snakemake_shims\nsnakemake_shims.apply(print)\n" if shim else "")
        + "rule one:\n    output: 'done.txt'\n    log: 'one.log'\n    run:\n        open(output[0], 'w').close()\n"
        + NON_DAEMON, encoding="utf-8")
    return folder


@pytest.mark.slow
def test_when_the_last_job_is_done_no_timer_holds_the_process(tmp_path):
    """The cause of the exit wait, and its removal: after the last job, Snakemake's rate-limiter timer is the one
    thread left that the interpreter would wait for; with the shim it is a daemon and nothing is left."""
    from conftest import snakemake

    for shim, expected in ((False, "['Timer']"), (True, "[]")):
        folder = _one_job_workflow(tmp_path / f"shim-{shim}", shim)
        proc = snakemake("--cores", "1", "--max-jobs-per-timespan", "100/10s", cwd=folder, timeout=120)
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert f"still holding the process: {expected}" in proc.stdout, proc.stdout[-2000:]


@pytest.mark.e2e
def test_a_no_op_imports_no_pandas(demo_run):
    """Nothing to do: Snakemake parses the workflow, builds the DAG, compares params, and imports no pandas."""
    import subprocess

    from conftest import SNAKEMAKE

    probe = subprocess.run(
        [sys.executable, "-X", "importtime", str(SNAKEMAKE), "--cores", "2", "--directory", ROOT, "--snakefile",
         ROOT / "Snakefile", "--config", f"processed_dir={demo_run / 'processed'}",
         f"report_dir={demo_run / 'report'}", f"log_dir={demo_run / 'logs'}"],
        capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert probe.returncode == 0, probe.stderr[-2000:]
    assert "Nothing to be done" in probe.stdout + probe.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in probe.stderr.splitlines() if "import time:" in line}
    assert "snakemake.persistence" in imported and "pandas" not in imported
