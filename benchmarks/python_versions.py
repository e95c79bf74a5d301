"""The demo run under every Python the project supports (3.11, 3.12, 3.13), its outputs compared byte for byte.

    .venv/bin/python benchmarks/python_versions.py            (or: make compare-pythons)
    .venv/bin/python benchmarks/python_versions.py --python /opt/python3.13/bin/python3.13 --tests fast

For each interpreter found (``python3.11``, ``python3.12``, ``python3.13`` on the PATH that run, the
versions pyenv has installed, and any given with ``--python``), a venv of its own under
``.venv-pythons/<version>/`` gets the pinned requirements, the pipeline runs on the demo round into
a fresh folder, and every output is set beside the first interpreter's: Parquet tables, the data
dictionary, HTML, PDF and images byte for byte; logs after the output folder's path is replaced;
the DuckDB file outside its 12 KiB header (DuckDB writes a random database id there on every
build) and by its views. ``--tests fast`` (or ``full``) runs the test suite in each venv too.
Writes ``benchmarks/PYTHON_VERSIONS.md``. CI has 3.11 only, so this is run by hand and recorded.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VERSIONS = ("3.11", "3.12", "3.13")
DUCKDB_HEADER_BYTES = 3 * 4096
ENV = {"SOURCE_DATE_EPOCH": "1420070400", "PYTHONHASHSEED": "0", "OPENPYXL_LXML": "False"}


def _version(python: str) -> str | None:
    try:
        out = subprocess.run([python, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
                             capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def find_interpreters(given: list[str]) -> dict[str, str]:
    """``{"3.13.0": path}``: one interpreter per supported minor version (given ones first)."""
    candidates = list(given) + [f"python{v}" for v in VERSIONS]
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates += [str(p) for v in VERSIONS for p in sorted(pyenv.glob(f"{v}.*/bin/python{v}"))]
    found: dict[str, str] = {}
    for c in candidates:
        path = shutil.which(c) or (c if Path(c).is_file() else None)
        version = _version(path) if path else None
        if version and version.rsplit(".", 1)[0] in VERSIONS and not any(
                v.rsplit(".", 1)[0] == version.rsplit(".", 1)[0] for v in found):
            found[version] = path
    return dict(sorted(found.items(), key=lambda kv: tuple(int(x) for x in kv[0].split("."))))


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return proc


def venv_for(version: str, python: str) -> Path:
    """A venv with the pinned requirements and the package (editable) for one interpreter."""
    venv = ROOT / ".venv-pythons" / version
    py = venv / "bin" / "python"
    if not py.exists():
        _run([python, "-m", "venv", str(venv)])
    stamp = venv / ".installed"
    pins = [ROOT / "requirements.txt", ROOT / "constraints.txt", ROOT / "pyproject.toml"]
    if not stamp.exists() or any(p.stat().st_mtime > stamp.stat().st_mtime for p in pins):
        _run([str(py), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
        _run([str(py), "-m", "pip", "install", "--quiet", "-r", "requirements.txt", "-c", "constraints.txt"], cwd=ROOT)
        _run([str(py), "-m", "pip", "install", "--quiet", "--no-deps", "-e", "."], cwd=ROOT)
        stamp.touch()
    return venv


def run_pipeline(venv: Path, out: Path) -> float:
    start = time.perf_counter()
    _run([str(venv / "bin" / "snakemake"), "--cores", "2", "--config", f"processed_dir={out / 'processed'}",
          f"report_dir={out / 'report'}", f"log_dir={out / 'logs'}"], cwd=ROOT, env={**os.environ, **ENV})
    return time.perf_counter() - start


def run_tests(venv: Path, tier: str) -> str:
    args = [str(venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    if tier == "fast":
        args += ["-m", "not e2e and not slow"]
    proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env={**os.environ, **ENV})
    last = [ln for ln in proc.stdout.splitlines() if ln.strip()][-1:] or ["(no output)"]
    return f"exit {proc.returncode}: {last[0]}"


def _files(root: Path) -> dict[str, Path]:
    return {str(p.relative_to(root)): p for p in sorted(root.rglob("*")) if p.is_file()}


def _views(venv: Path, db: Path) -> str:
    """Every view of the DuckDB file: its name, SQL, schema and a digest of its rows (as Python values, by
    way of Arrow: DuckDB's own conversion wants pytz, which the pins do not hold), read with that venv's
    DuckDB. Not the Arrow buffers' bytes: what sits under a null differs from read to read."""
    code = (
        "import hashlib, sys\n"
        "from kartlegging.infra.database import connect\n"
        "con = connect(sys.argv[1])\n"
        "for name, sql in con.execute('SELECT view_name, sql FROM duckdb_views() WHERE NOT internal ORDER BY 1')"
        ".fetchall():\n"
        "    table = con.sql(f'SELECT * FROM \"{name}\"').to_arrow_table()\n"
        "    rows = hashlib.sha256(repr(table.to_pylist()).encode()).hexdigest()\n"
        "    print(name, table.num_rows, rows, str(table.schema).replace(chr(10), ' '), sql)\n"
    )
    return _run([str(venv / "bin" / "python"), "-c", code, str(db)], cwd=ROOT).stdout


def compare(first: Path, other: Path, venvs: tuple[Path, Path]) -> list[str]:
    """What differs between two runs' outputs (empty: identical as the module docstring says)."""
    a, b = _files(first), _files(other)
    problems = [f"only in one run: {n}" for n in sorted(set(a) ^ set(b))]
    for name in sorted(set(a) & set(b)):
        x, y = a[name].read_bytes(), b[name].read_bytes()
        if name.endswith(".log"):
            x, y = x.replace(str(first).encode(), b"<out>"), y.replace(str(other).encode(), b"<out>")
        if name.endswith(".duckdb"):
            if x[DUCKDB_HEADER_BYTES:] != y[DUCKDB_HEADER_BYTES:]:
                problems.append(f"{name}: differs outside its header")
            if _views(venvs[0], a[name]) != _views(venvs[1], b[name]):
                problems.append(f"{name}: views differ")
            continue
        if x != y:
            problems.append(f"{name}: differs")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", action="append", default=[], help="an interpreter to include (repeatable)")
    parser.add_argument("--tests", choices=("none", "fast", "full"), default="none",
                        help="also run the test suite in each venv")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "PYTHON_VERSIONS.md")
    args = parser.parse_args(argv)
    found = find_interpreters(args.python)
    if not found:
        print("no Python 3.11-3.13 found", file=sys.stderr)
        return 2
    print("interpreters:", ", ".join(f"{v} ({p})" for v, p in found.items()))
    work = Path(tempfile.mkdtemp(prefix="kartlegging-pythons-"))
    rows, runs = [], {}
    for version, python in found.items():
        venv = venv_for(version, python)
        out = work / version
        seconds = run_pipeline(venv, out)
        tests = run_tests(venv, args.tests) if args.tests != "none" else "not run"
        runs[version] = (venv, out)
        rows.append((version, seconds, tests))
        print(f"{version}: pipeline {seconds:.0f} s; tests {tests}")
    base = next(iter(runs))
    results = []
    for version in list(runs)[1:]:
        problems = compare(runs[base][1], runs[version][1], (runs[base][0], runs[version][0]))
        n = len(_files(runs[base][1]))
        results.append((version, n, problems))
        print(f"{version} against {base}: {n} files, " + ("identical" if not problems else f"{len(problems)} differ"))
        for p in problems[:20]:
            print("  ", p)
    lines = [
        "# Outputs under Python 3.11, 3.12 and 3.13",
        "",
        f"Written by `make compare-pythons` (`benchmarks/python_versions.py`) on {time.strftime('%Y-%m-%d')}, "
        f"{platform.system()} {platform.machine()}, the pins of requirements.txt and constraints.txt, "
        f"SOURCE_DATE_EPOCH={ENV['SOURCE_DATE_EPOCH']}. Each interpreter ran the demo pipeline into a fresh "
        "folder; the outputs are compared with the first's: Parquet, data dictionary, HTML, PDF and images "
        "byte for byte, logs with the output folder's path masked, the DuckDB file outside its 12 KiB header "
        "and by every view's SQL and rows.",
        "",
        f"| Python | pipeline (s) | tests ({args.tests} tier) | outputs against {base} |",
        "| --- | --- | --- | --- |",
    ]
    verdict = {v: (f"{n} files, identical" if not p else f"{len(p)} of {n} differ: " + "; ".join(p[:5]))
               for v, n, p in results}
    for version, seconds, tests in rows:
        lines.append(f"| {version} | {seconds:.0f} | {tests} | {verdict.get(version, '(reference)')} |")
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    shutil.rmtree(work, ignore_errors=True)
    return 1 if any(p for _, _, p in results) else 0


if __name__ == "__main__":
    sys.exit(main())
