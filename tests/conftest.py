"""Shared fixtures: one Snakemake run of the demo round into a temporary folder per session."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# As the Makefile: openpyxl writes workbooks with the standard library, not lxml (installed for the
# pdfua validator), so generated demo workbooks match the committed bytes. Set before any test
# module imports openpyxl.
os.environ.setdefault("OPENPYXL_LXML", "False")

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")


def run_pipeline(out: Path, *extra: str) -> subprocess.CompletedProcess:
    """Run the whole pipeline on the demo round with every output under ``out``."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1420070400", "PYTHONHASHSEED": "0"}
    cmd = [
        str(SNAKEMAKE), "--cores", "2", "--directory", str(ROOT), "--snakefile", str(ROOT / "Snakefile"),
        "--config", f"processed_dir={out / 'processed'}", f"report_dir={out / 'report'}", f"log_dir={out / 'logs'}",
        *extra,
    ]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="session")
def demo_pipeline(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """The session's demo run: its output folder and the finished process (its console output)."""
    out = tmp_path_factory.mktemp("demo")
    proc = run_pipeline(out)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return out, proc


@pytest.fixture(scope="session")
def demo_run(demo_pipeline) -> Path:
    return demo_pipeline[0]


@pytest.fixture
def quiet_logger():
    """runner.setup_logging attaches handlers to the package logger: detach them after the test."""
    import logging

    yield
    logger = logging.getLogger("kartlegging")
    for handler in list(logger.handlers):
        handler.close()
        logger.removeHandler(handler)
