"""Which Python the Makefile makes the venv with: the newest of 3.13, 3.12 and 3.11 that runs, or PYTHON=.

CI has 3.11 only, so the choice is tested with stand-in interpreters on a PATH of their own: each
answers the Makefile's version check with its exit status (a pyenv shim for a version that is not
active exits non-zero although ``command -v`` finds it). The Makefile is copied, so no ``.venv`` of
the project is touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _stub(folder: Path, name: str, ok: bool, version: str = "3.12.1") -> None:
    path = folder / name
    path.write_text(f"""#!/bin/sh
case "$2" in *platform*) echo {version};; esac
exit {0 if ok else 1}
""", encoding="utf-8")
    path.chmod(0o755)


def _make(tmp: Path, stubs: dict[str, bool], *args: str,
          env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    bin_dir = tmp / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name in ("python3.13", "python3.12", "python3.11", "python3"):
        _stub(bin_dir, name, stubs.get(name, False))
    work = tmp / "work"
    work.mkdir(exist_ok=True)
    for name in ("Makefile", "requirements.txt", "constraints.txt", "pyproject.toml"):
        shutil.copy(ROOT / name, work / name)
    base = {k: v for k, v in os.environ.items() if k not in ("PYTHON", "MAKEFLAGS", "MAKELEVEL")}
    full = {**base, "PATH": f"{bin_dir}:/usr/bin:/bin", **(env or {})}
    return subprocess.run(["make", "-s", *args], cwd=work, env=full, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("stubs, chosen", [
    ({"python3.13": True, "python3.12": True, "python3.11": True}, "python3.13"),
    ({"python3.13": False, "python3.12": True, "python3.11": True}, "python3.12"),   # a 3.13 shim that fails
    ({"python3.11": True}, "python3.11"),
    ({"python3": True}, "python3"),
])
def test_the_newest_python_that_runs_is_chosen(tmp_path, stubs, chosen):
    proc = _make(tmp_path, stubs, "print-python")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(tmp_path / "bin" / chosen)


def test_python_given_overrides_the_choice(tmp_path):
    proc = _make(tmp_path, {"python3.13": True}, "print-python", "PYTHON=/opt/python3.11/bin/python3.11")
    assert proc.stdout.strip() == "/opt/python3.11/bin/python3.11"
    proc = _make(tmp_path, {"python3.13": True}, "print-python", env={"PYTHON": "/somewhere/python3.12"})
    assert proc.stdout.strip() == "/somewhere/python3.12"


def test_without_a_supported_python_the_venv_step_says_what_to_do(tmp_path):
    proc = _make(tmp_path, {}, "venv")
    assert proc.returncode != 0
    assert "no Python 3.11, 3.12 or 3.13 found" in proc.stdout + proc.stderr
    assert not (tmp_path / "work" / ".venv").exists()


def test_an_unsupported_python_given_is_refused_with_its_version(tmp_path):
    _stub(tmp_path, "python3.10", ok=False, version="3.10.13")
    proc = _make(tmp_path, {}, "venv", f"PYTHON={tmp_path / 'python3.10'}")
    assert proc.returncode != 0
    assert "is Python 3.10.13; the project needs 3.11, 3.12 or 3.13" in proc.stdout + proc.stderr
