"""Workflow hygiene: the linter is silent, every rule logs, a failed step leaves nothing half-written.

A failed step must not leave output behind: Snakemake would take a stale
table from an earlier run, or a half-written one, for a result on the next
run. :func:`kartlegging.infra.runner.run_step` removes the outputs (and the temporary file
of a write in progress) of a step that fails, and says what went wrong in one
line; the traceback of an unexpected error goes to the rule's log only. Jobs run in
threads of Snakemake's process, so each job's records must reach its own log.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import corpus as C
import pandas as pd
import pytest
from conftest import snakemake

from kartlegging.core import store
from kartlegging.infra import runner

# The two reference files a step that resolves units reads (declared inputs of its rule).
REF_FILES = (str(C.REFERENCE / "ssb-klass-131" / "version-2015.json"), str(C.REFERENCE / "oslo-bydeler.csv"))

ROOT = Path(__file__).resolve().parents[1]
RULE = re.compile(r"^rule\s+(\w+)\s*:", re.M)


def _snakemake(*args: str) -> subprocess.CompletedProcess:
    return snakemake(*args, timeout=300)


def _rule_blocks() -> dict[str, str]:
    """Every rule of the Snakefile and rules/*.smk with the text of its block."""
    blocks: dict[str, str] = {}
    for path in [ROOT / "Snakefile", *sorted((ROOT / "rules").glob("*.smk"))]:
        text = path.read_text(encoding="utf-8")
        starts = list(RULE.finditer(text))
        for i, m in enumerate(starts):
            end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
            blocks[m.group(1)] = text[m.end():end]
    return blocks


@pytest.mark.e2e
def test_snakemake_lint_reports_nothing():
    proc = _snakemake("--lint")
    assert proc.returncode == 0, proc.stderr[-3000:]
    output = proc.stdout + proc.stderr
    assert "Lints for" not in output and "Congratulations" in output, output[-3000:]


@pytest.mark.e2e
def test_every_rule_with_an_action_declares_a_log():
    listed = {line.split()[0] for line in _snakemake("--list-rules").stdout.splitlines() if line.strip()}
    blocks = _rule_blocks()
    assert listed == set(blocks), "a rule outside Snakefile and rules/*.smk, or a parsing slip"
    for name, block in blocks.items():
        if name == "all":
            assert not re.search(r"^\s+(script|shell|run)\s*:", block, re.M)
            continue
        assert re.search(r"^\s+log\s*:", block, re.M), f"rule {name} has no log"


@pytest.mark.e2e
def test_every_rule_wrote_its_log(demo_run):
    logs = {p.stem for p in (demo_run / "logs").rglob("*.log") if p.stat().st_size > 0}
    rules = set(_rule_blocks()) - {"all"}
    assert rules <= logs, f"no log from {sorted(rules - logs)}"


# ---------------------------------------------------------------------------
# runner.run_step: one message, no partial output, each job's log its own
# ---------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _detach_handlers(quiet_logger):
    """Every test here runs runner.run_step, which installs the log router on the package logger."""
    yield


def _two_outputs(tmp_path: Path) -> tuple[list[str], pd.DataFrame]:
    frame = pd.DataFrame({"round": ["t"], "source": ["epost"], "unit": ["fil"], "records_in": [1],
                          "ingested": [1], "superseded": [0], "autosvar": [0], "review": [0], "quarantined": [0],
                          "unaccounted": [0], "ignored": [0], "ignored_names": [None]})
    return [str(tmp_path / "first.parquet"), str(tmp_path / "second.parquet")], frame


def test_a_user_error_after_the_first_output_leaves_no_output_and_one_line(tmp_path, capsys):
    outputs, frame = _two_outputs(tmp_path)
    (tmp_path / "second.parquet.tmp").write_bytes(b"half")  # a write interrupted earlier

    def step():
        store.write_table(frame, "conservation", outputs[0])
        raise ValueError(f"{tmp_path / 'raw.csv'}, line 3: something the analyst can fix")

    with pytest.raises(runner.StepFailed) as stop:
        runner.run_step("consolidate", {"round": "t"}, [tmp_path / "step.log"], outputs, step)
    line = (f"rule consolidate (round=t) stopped: ValueError: {tmp_path / 'raw.csv'}, line 3: "
            "something the analyst can fix")
    assert str(stop.value) == line
    assert not any(Path(p).exists() or Path(p + ".tmp").exists() for p in outputs)
    # the line reaches the console through Snakemake (the logger plugin), not from the step
    assert capsys.readouterr().err == ""
    log = (tmp_path / "step.log").read_text(encoding="utf-8")
    assert log.startswith(f"ERROR {line}\n")
    assert "Traceback" in log  # a ValueError may be a bug: the developer finds where, in the log only


def test_an_unexpected_error_keeps_its_traceback_in_the_log_only(tmp_path, capsys):
    outputs, frame = _two_outputs(tmp_path)

    def step():
        store.write_table(frame, "conservation", outputs[0])
        raise RuntimeError("a bug, not bad input")

    with pytest.raises(runner.StepFailed) as stop:
        runner.run_step("consolidate", None, [tmp_path / "step.log"], outputs, step)
    assert not Path(outputs[0]).exists()
    assert str(stop.value) == (f"rule consolidate failed unexpectedly (RuntimeError); the traceback is in "
                               f"{tmp_path / 'step.log'}")
    assert capsys.readouterr().err == ""
    log = (tmp_path / "step.log").read_text(encoding="utf-8")
    assert "Traceback" in log and "RuntimeError: a bug, not bad input" in log


def test_an_interrupted_step_leaves_no_output(tmp_path):
    outputs, frame = _two_outputs(tmp_path)

    def step():
        store.write_table(frame, "conservation", outputs[0])
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        runner.run_step("consolidate", None, [tmp_path / "step.log"], outputs, step)
    assert not Path(outputs[0]).exists()


def test_two_jobs_at_once_in_two_threads_each_log_to_their_own_file(tmp_path, capsys):
    """In-process runs (force-use-threads) run jobs side by side: every record must reach its own job's log,
    including the records of modules that log under their own name (``kartlegging.report.maps``)."""
    import logging
    import threading

    both_started = threading.Barrier(2, timeout=10)
    errors: list[BaseException] = []

    def step(name: str) -> None:
        log = logging.getLogger("kartlegging")
        child = logging.getLogger(f"kartlegging.report.{name}")
        for i in range(50):
            if i == 1:
                both_started.wait()  # interleave the two jobs' records
            log.info("%s record %d", name, i)
            child.info("%s child record %d", name, i)
        log.warning("%s warns", name)

    def job(name: str) -> None:
        try:
            runner.run_step(name, {"round": "t"}, [tmp_path / f"{name}.log"], [], step, name)
        except BaseException as exc:  # collected and re-raised by the test below
            errors.append(exc)

    threads = [threading.Thread(target=job, args=(n,)) for n in ("alpha", "beta")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for name, other in (("alpha", "beta"), ("beta", "alpha")):
        lines = (tmp_path / f"{name}.log").read_text(encoding="utf-8").splitlines()
        assert len(lines) == 101 and all(name in ln and other not in ln for ln in lines)
    err = sorted(capsys.readouterr().err.splitlines())
    assert err == ["WARNING [alpha (round=t)] alpha warns", "WARNING [beta (round=t)] beta warns"]


def test_no_step_leaves_a_handler_on_the_package_logger(tmp_path):
    """A step logs through the router installed once; it adds and clears no handlers of its own."""
    import logging

    runner.run_step("consolidate", None, [tmp_path / "a.log"], [], lambda: None)
    runner.run_step("consolidate", None, [tmp_path / "b.log"], [], lambda: None)
    handlers = logging.getLogger("kartlegging").handlers  # (pytest may add capture handlers of its own)
    assert sum(isinstance(h, runner.JobLogRouter) for h in handlers) == 1
    assert not any(isinstance(h, logging.FileHandler) for h in handlers)


def test_the_console_shows_a_stopped_step_as_its_one_line():
    """The logger plugin finds the step's line in Snakemake's report of the exception (format_error)."""
    from snakemake_logger_plugin_kartlegging import step_failure

    line = "rule consolidate (round=2015) stopped: OverrideError: config/overrides/2015.yaml: matched no record"
    text = (f'RuleException:\nStepFailed in file "/w/rules/consolidate.smk", line 42:\n{line}\n'
            '  File "/w/rules/consolidate.smk", line 42, in __rule_consolidate\n'
            '  File "/w/src/kartlegging/infra/runner.py", line 133, in run_step')
    assert step_failure(text) == line
    assert step_failure("RuleException:\nValueError in file x, line 1:\nboom") is None


def test_a_table_that_breaks_its_types_is_named_and_nothing_is_written(tmp_path):
    _, frame = _two_outputs(tmp_path)
    bad = frame.assign(records_in=["not a number"])
    with pytest.raises(store.TableValidationError, match="table conservation, column records_in"):
        store.write_table(bad, "conservation", tmp_path / "c.parquet")
    assert list(tmp_path.iterdir()) == []


def test_a_write_that_fails_half_way_leaves_no_temporary_file(tmp_path, monkeypatch):
    _, frame = _two_outputs(tmp_path)

    def half_write(table, where, **kwargs):
        Path(where).write_bytes(b"PAR1 and then the disk was full")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.pq, "write_table", half_write)
    with pytest.raises(OSError):
        store.write_table(frame, "conservation", tmp_path / "c.parquet")
    assert list(tmp_path.iterdir()) == []


def test_a_step_that_succeeds_keeps_its_outputs(tmp_path, capsys):
    import logging

    outputs, frame = _two_outputs(tmp_path)

    def step():
        for out in outputs:
            store.write_table(frame, "conservation", out)
        logging.getLogger("kartlegging").info("wrote both")

    runner.run_step("consolidate", None, [tmp_path / "step.log"], outputs, step)
    assert all(Path(p).is_file() for p in outputs)
    assert capsys.readouterr().err == ""
    assert (tmp_path / "step.log").read_text(encoding="utf-8") == "INFO wrote both\n"


def test_ingest_epost_without_its_folder_removes_the_dispatch_table_it_wrote(tmp_path, capsys, monkeypatch):
    """The real step: the dispatch list is read and written, then the missing epost/ stops it."""
    from kartlegging.steps.ingest_epost import step_ingest_email

    rd = C.write_base_round(tmp_path / "raw")
    epost = rd / "epost"
    for f in epost.iterdir():
        f.unlink()
    epost.rmdir()
    out = {k: str(tmp_path / "out" / f"{k}.parquet") for k in ("dispatch", "replies", "issues", "applied")}
    written: list[str] = []
    real_write = store.write_table

    def spy(df, table, path):
        result = real_write(df, table, path)
        written.append(Path(path).name)
        return result

    monkeypatch.setattr(store, "write_table", spy)
    stop = C.stopped("ingest_epost", list(out.values()), tmp_path / "ingest_epost.log",
                     lambda: step_ingest_email(C.ROUND, *REF_FILES, str(rd / "utsendelse.csv"), str(epost), [], out))
    assert written == ["dispatch.parquet"]  # written before the failure ...
    assert not any(Path(p).exists() for p in out.values())  # ... and removed with it
    assert stop == f"rule ingest_epost stopped: EmailError: {epost}: e-mail folder not found"
