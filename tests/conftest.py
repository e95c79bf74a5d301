"""Shared fixtures: one Snakemake run of the demo round into a temporary folder per session."""
from __future__ import annotations

import os
import re
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


#: Tests that use these fixtures read the session's pipeline run: they are end-to-end (``make test`` only).
PIPELINE_FIXTURES = frozenset({"demo_pipeline", "demo_run"})


def snakemake(*args: str | Path, cwd: Path = ROOT, timeout: int = 900,
              env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Snakemake from this environment, as every e2e test runs it: reproducible dates and hashing, output captured.

    One helper for the whole suite, so a test that needs its own run (another config, a
    hand-built Snakefile, a dry run) differs from the session run only in its arguments.
    """
    full_env = {**os.environ, "SOURCE_DATE_EPOCH": "1420070400", "PYTHONHASHSEED": "0", **(env or {})}
    cmd = [str(SNAKEMAKE), *map(str, args)]
    return subprocess.run(cmd, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout)


def rule_blocks() -> dict[str, str]:
    """Each rule of rules/*.smk by name, with its text (for tests that read what a rule declares)."""
    blocks: dict[str, str] = {}
    for smk in sorted((ROOT / "rules").glob("*.smk")):
        for block in re.split(r"(?m)^(?=rule \w+:)", smk.read_text(encoding="utf-8")):
            found = re.match(r"rule (\w+):", block)
            if found:
                blocks[found.group(1)] = block
    return blocks


def run_pipeline(out: Path, *extra: str) -> subprocess.CompletedProcess:
    """Run the whole pipeline on the demo round with every output under ``out``."""
    return snakemake(
        "--cores", "2", "--directory", ROOT, "--snakefile", ROOT / "Snakefile",
        "--config", f"processed_dir={out / 'processed'}", f"report_dir={out / 'report'}", f"log_dir={out / 'logs'}",
        *extra,
    )


def pytest_collection_modifyitems(config, items):
    """Mark every test that reads the session's pipeline run as ``e2e``, so ``make test-fast`` leaves it out
    even where the module forgot the mark (the run costs minutes)."""
    for item in items:
        if PIPELINE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)


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
    """runner.run_step installs its log router on the package logger: detach it after the test."""
    import logging

    yield
    logger = logging.getLogger("kartlegging")
    for handler in list(logger.handlers):
        handler.close()
        logger.removeHandler(handler)
