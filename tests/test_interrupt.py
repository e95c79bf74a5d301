"""Ctrl-C at any moment of a run, then the same command again: the run finishes with the right outputs.

Snakemake marks the outputs of jobs that were running when it was interrupted as incomplete, and a
later run stops with IncompleteFilesException unless it reruns them; the default profile sets
``rerun-incomplete``, so ``make run`` (and any ``snakemake`` in this folder) does. The steps write
every table through a temporary file and remove what they wrote when they stop, so no half-written
table is taken for a result.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, SNAKEMAKE, run_pipeline

pytestmark = pytest.mark.slow

#: Interrupt when this many jobs have finished (0: as soon as the workflow is being read), each in a fresh
#: output folder.
POINTS = (0, 6, 14)


def _interrupted_run(out: Path, after_jobs: int) -> tuple[int, str]:
    """Start the demo pipeline into ``out`` and send SIGINT (Ctrl-C) once ``after_jobs`` jobs have finished."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1420070400", "PYTHONHASHSEED": "0"}
    cmd = [str(SNAKEMAKE), "--cores", "2", "--directory", str(ROOT), "--snakefile", str(ROOT / "Snakefile"),
           "--config", f"processed_dir={out / 'processed'}", f"report_dir={out / 'report'}", f"log_dir={out / 'logs'}"]
    # A process started in the background (`make test &`, nohup) inherits SIGINT ignored, and Python then
    # installs no KeyboardInterrupt handler: give the run the default handling, as in a terminal.
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.default_int_handler))
    lines = []
    sent = False
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        done = re.match(r"\[(\d+)/\d+\]", line)
        started = after_jobs == 0 and "Config file" in line  # the workflow is parsed; jobs start next
        if not sent and (started or (done and int(done.group(1)) >= after_jobs)):
            proc.send_signal(signal.SIGINT)
            sent = True
    code = proc.wait(timeout=300)
    assert sent, "".join(lines)[-3000:]
    return code, "".join(lines)


def _results(root: Path) -> dict[str, bytes]:
    """Every output but the logs (their wording may differ after an interruption) and the DuckDB file (its
    header holds a random id; tests/test_reproducibility.py compares its views)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.suffix not in (".log", ".duckdb") and "logs" not in p.relative_to(root).parts}


@pytest.mark.parametrize("after_jobs", POINTS)
def test_a_run_interrupted_at_any_point_finishes_when_started_again(demo_run, tmp_path, after_jobs):
    out = tmp_path / "out"
    code, console = _interrupted_run(out, after_jobs)
    assert code != 0, console[-2000:]  # it stopped: while parsing the workflow (point 0) or with jobs running
    if after_jobs:
        # Snakemake stops its jobs ("Terminating processes on user request"), or, when the signal lands while it
        # evaluates an input function between two jobs, reports the KeyboardInterrupt there: either way it stopped
        # on the user's request, and what matters is the run after it
        assert "Terminating processes on user request" in console or "KeyboardInterrupt" in console, console[-2000:]
    again = run_pipeline(out)
    assert again.returncode == 0, (console[-2000:], again.stdout[-2000:], again.stderr[-3000:])
    assert "IncompleteFilesException" not in again.stdout + again.stderr
    expected, got = _results(demo_run), _results(out)
    assert sorted(got) == sorted(expected)
    assert [name for name in expected if expected[name] != got[name]] == []
