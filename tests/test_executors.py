"""Executors that run each job as a process of its own keep working, and give the same bytes.

By default (profiles/default: force-use-threads) every job's step runs in a thread of Snakemake's
process. A cluster executor starts a process per job instead: here the cluster-generic executor
(snakemake-executor-plugin-cluster-generic) with a "submit" command that runs the job script on this
machine. Its outputs are compared byte for byte with the threaded demo run, as in
tests/test_reproducibility.py (DuckDB's file header holds a random id: compared outside the header).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import run_pipeline, snakemake

pytestmark = pytest.mark.slow

#: DuckDB's file header: the main header and the two database headers, 4 KiB each.
DUCKDB_HEADER_BYTES = 3 * 4096

#: A stand-in for sbatch/qsub: run the job script here, its output beside it, and print a job id. The script
#: marks the job finished or failed itself (the plugin's jobfinished/jobfailed files), which is all the
#: executor waits for when no status command is given.
SUBMIT = "bash -c 'bash \"$0\" > \"$0.out\" 2>&1; echo local-job'"


def _files(root: Path) -> dict[str, Path]:
    return {str(p.relative_to(root)): p for p in sorted(root.rglob("*")) if p.is_file()}


def test_thread_and_process_modes_are_what_the_profile_says(tmp_path):
    """With force-use-threads a run: job runs in Snakemake's own process; without it, in a process of its own."""
    (tmp_path / "Snakefile").write_text(
        "import os\nrule all:\n    input: 'pid.txt'\n"
        "rule pid:\n    output: 'pid.txt'\n    log: 'pid.log'\n    run:\n"
        "        open(output[0], 'w').write(str(os.getpid()))\n"
        "onsuccess:\n    print('snakemake pid', os.getpid(), 'job pid', open('pid.txt').read())\n",
        encoding="utf-8")
    seen = {}
    for threads in (True, False):
        (tmp_path / "pid.txt").unlink(missing_ok=True)
        proc = snakemake("--cores", "1", *(["--force-use-threads"] if threads else []), cwd=tmp_path, timeout=120)
        assert proc.returncode == 0, proc.stderr[-2000:]
        line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("snakemake pid"))
        _, _, own, _, _, job = line.split()
        seen[threads] = own == job
    assert seen == {True: True, False: False}


def test_the_cluster_generic_executor_gives_the_threaded_run_s_bytes(demo_run, tmp_path):
    out = tmp_path / "cluster"
    proc = run_pipeline(out, "--executor", "cluster-generic", "--cluster-generic-submit-cmd", SUBMIT,
                        "--jobs", "2", "--latency-wait", "5", "--seconds-between-status-checks", "1")
    assert proc.returncode == 0, (proc.stdout[-3000:], proc.stderr[-3000:])
    first, second = _files(demo_run), _files(out)
    assert sorted(second) == sorted(first)
    differ = []
    for name, path in first.items():
        a, b = path.read_bytes(), second[name].read_bytes()
        if name.endswith(".log"):  # a log may name its own output folder
            a, b = a.replace(str(demo_run).encode(), b"<out>"), b.replace(str(out).encode(), b"<out>")
        elif name.endswith(".duckdb"):
            a, b = a[DUCKDB_HEADER_BYTES:], b[DUCKDB_HEADER_BYTES:]
        if a != b:
            differ.append(name)
    assert differ == [] and len(first) > 30
    # every job but the target rule `all` (a local rule) was submitted as a job script of its own
    console = proc.stdout + proc.stderr
    finished = [ln for ln in console.splitlines() if re.match(r"\[\d+/\d+\] ", ln) and not ln.endswith("] all")]
    assert console.count("with external jobid 'local-job'") == len(finished) >= 15
