"""The package files each rule lists as code inputs: found by scanning imports, transitively."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import rule_blocks

from kartlegging.infra.code_deps import closure, direct_imports, module_file

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "kartlegging"


def names(paths: list[Path], root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in paths}


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def package(tmp_path) -> Path:
    """A toy package with every import form the project uses."""
    return write(tmp_path / "kartlegging", {
        "__init__.py": "",
        "a.py": "from kartlegging.b import thing\nfrom kartlegging import c as cee\n",
        "b.py": "def f():\n    from kartlegging.d import (\n        x,\n        y,\n    )\n",
        "c.py": "import kartlegging.sub.e\n",
        "d.py": "from .classification import Name  # relative\n",
        "classification.py": "import re\n",
        "sub/__init__.py": "from kartlegging.sub import e\n",
        "sub/e.py": "from ..d import x\n",
        "lonely.py": "import pandas\n",
    })


def test_imports_are_followed_through_every_form(package):
    got = names(closure(package, ["a"]), package)
    # function-level imports count, parenthesised names count, `from X import module` counts
    assert got == {"__init__.py", "a.py", "b.py", "c.py", "d.py", "classification.py", "sub/__init__.py", "sub/e.py"}


def test_a_module_without_package_imports_brings_only_itself_and_the_package_init(package):
    assert names(closure(package, ["lonely"]), package) == {"__init__.py", "lonely.py"}


def test_relative_imports_resolve_from_a_subpackage(package):
    imports = list(direct_imports(package.resolve(), (package / "sub" / "e.py").resolve()))
    assert names(imports, package.resolve()) == {"d.py"}


def test_unknown_entry_is_named(package):
    with pytest.raises(ValueError, match="no module 'nope'"):
        closure(package, ["nope"])


def test_module_file_finds_modules_and_packages():
    assert module_file(SRC, "report.maps") == SRC / "report" / "maps.py"
    assert module_file(SRC, "kartlegging.report") == SRC / "report" / "__init__.py"
    assert module_file(SRC, "pandas") is None


def test_the_real_ingest_steps_depend_on_their_own_modules_only():
    phone = names(closure(SRC, ["ingest.phone"]), SRC.resolve())
    email = names(closure(SRC, ["ingest.email.reader", "ingest.dispatch"]), SRC.resolve())
    assert {"ingest/phone.py", "ingest/workbook.py", "core/coding.py", "core/classification.py"} <= phone
    assert "ingest/email/reader.py" not in phone and "ingest/interviews.py" not in phone
    assert "ingest/phone.py" not in email and "ingest/interviews.py" not in email
    # the dispatch list may be a workbook: its reader (listfile) reads one with the shared xlsx reader
    assert {"ingest/listfile.py", "ingest/workbook.py", "ingest/email/letter_quote.py"} <= email
    # the report step's code: what it renders with, from the map to appendix B
    report = names(closure(SRC, ["steps.report"]), SRC.resolve())
    assert {"report/render.py", "report/maps.py", "report/sections.py", "report/quality.py"} <= report



def test_every_rule_runs_its_own_step_module_and_its_code_is_that_modules_closure():
    blocks = rule_blocks()
    assert len(blocks) >= 17
    for name, block in blocks.items():
        assert (SRC / "steps" / f"{name}.py").is_file(), f"rule {name} has no kartlegging/steps/{name}.py"
        assert f'code_of("{name}")' in block or "report_sources()" in block, (
            f"rule {name}: code is not its step's closure"
        )
        run = re.search(r"(?ms)^    run:\n(.*)", block)
        assert run, f"rule {name} has no run: block"
        step = re.search(rf"from kartlegging\.steps\.{name} import (\w+)", run.group(1))
        assert step, f"rule {name}: its run: block does not import its step"
        assert f"run_step(rule, wildcards, log, output, {step.group(1)}," in run.group(1), name
        assert "script:" not in block and "shell:" not in block, name


def test_a_step_that_loads_the_classification_declares_both_files_it_reads():
    blocks = rule_blocks()
    loaders = [n for n in blocks if "load_files(" in (SRC / "steps" / f"{n}.py").read_text(encoding="utf-8")]
    assert {"dispatch", "ingest_epost", "ingest_telefon", "ingest_intervjuer", "consolidate"} <= set(loaders)
    for name in loaders:
        assert "klass=" in blocks[name] and "bydeler=" in blocks[name], name
        assert "reference_dir=" not in blocks[name], f"rule {name} still passes a folder"


# ---------------------------------------------------------------------------
# The real rules: upper bounds, so that a change reruns what uses it and nothing else
# ---------------------------------------------------------------------------

def _rule_code(rule: str) -> set[str]:
    """A rule's code inputs as code_of in rules/common.smk makes them: its step's closure and the runner."""
    return names(closure(SRC, [f"steps.{rule}", "infra.runner"]), SRC.resolve())


def test_a_lazy_facade_is_not_followed(package):
    """``__getattr__`` of a package __init__ (PEP 562) imports on demand: the closure does not follow it."""
    write(package, {
        "facade/__init__.py": "def __getattr__(name):\n    from kartlegging.facade import heavy\n"
                              "    return getattr(heavy, name)\n\n\nLIGHT = 1\n",
        "facade/heavy.py": "import kartlegging.lonely\n",
        "facade/light.py": "X = 1\n",
        "user.py": "from kartlegging.facade import light\n",
    })
    assert names(closure(package, ["user"]), package) == {
        "__init__.py", "user.py", "facade/__init__.py", "facade/light.py"}
    # the same import outside __getattr__ is followed
    (package / "facade" / "__init__.py").write_text("from kartlegging.facade import heavy\n", encoding="utf-8")
    direct_imports.cache_clear()
    assert "facade/heavy.py" in names(closure(package, ["user"]), package)


def test_no_module_imports_a_name_through_a_lazy_facade():
    """The closure skips lazy ``__getattr__`` imports, so a module must import such a name from the module that
    defines it; otherwise a change there would not rerun its rules."""
    found = []
    for init in SRC.rglob("__init__.py"):
        text = init.read_text(encoding="utf-8")
        if "def __getattr__(" not in text:
            continue
        package = ".".join(("kartlegging", *init.parent.relative_to(SRC).parts))
        lazy = set(re.findall(r'"(\w+)"', text.split("def __getattr__", 1)[0]))
        for module in SRC.rglob("*.py"):
            for names_ in re.findall(rf"from {re.escape(package)} import \(?([^)\n]+)", module.read_text("utf-8")):
                found += [(str(module.relative_to(SRC)), n) for n in re.findall(r"\w+", names_) if n in lazy]
    assert found == []


def test_the_map_geometry_rule_depends_on_no_analysis():
    code = _rule_code("map_geometry")
    assert not any(p.startswith("analysis/") for p in code), sorted(code)
    assert len(code) <= 12, sorted(code)


def test_the_pdf_and_map_rules_do_not_depend_on_the_report_or_analysis_at_large():
    for rule in ("report_pdf", "map_status", "round_map"):
        code = _rule_code(rule)
        assert "report/render.py" not in code and "analysis/figures.py" not in code, (rule, sorted(code))
        assert len(code) <= 20, (rule, sorted(code))
    assert not any(p.startswith("analysis/") for p in _rule_code("report_pdf"))


def test_kostra_crosscheck_does_not_depend_on_the_kostra_reader():
    code = _rule_code("kostra_crosscheck")
    assert not any(p.startswith("ingest/") for p in code), sorted(code)


def test_a_change_to_the_figures_module_reruns_only_the_rules_that_run_it():
    """Of the rules, only figures (which runs it) and report (which reads its tables and the labels beside it)
    have analysis/figures.py as code; the jobs after them rerun because their inputs change."""
    rules = re.findall(r"(?m)^rule (\w+):", "".join(p.read_text("utf-8") for p in (ROOT / "rules").glob("*.smk")))
    users = {r for r in rules if "analysis/figures.py" in _rule_code(r)}
    assert users <= {"figures", "report"} and "figures" in users


@pytest.mark.e2e
def test_a_comment_in_the_figures_module_reruns_figures_and_what_reads_its_tables(demo_run, tmp_path):
    """On a copy of the workflow and the package (file times kept) over the demo run's outputs, Snakemake's dry
    run has nothing to do; after a comment is added to analysis/figures.py it reruns figures and the jobs that
    read its tables, nothing else."""
    import os
    import shutil
    import subprocess
    import sys

    work = tmp_path / "work"
    for name in ("rules", "config", "profiles", "src/kartlegging"):
        shutil.copytree(ROOT / name, work / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "Snakefile", work / "Snakefile")
    env = {**os.environ, "PYTHONPATH": str(work / "src"), "PYTHONHASHSEED": "0"}

    def would_run() -> set[str]:
        proc = subprocess.run(
            [sys.executable, "-m", "snakemake", "-n", "--cores", "1", "--directory", work, "--config",
             f"raw_dir={ROOT / 'data' / 'raw'}", f"reference_dir={ROOT / 'data' / 'reference'}",
             f"processed_dir={demo_run / 'processed'}", f"report_dir={demo_run / 'report'}",
             f"log_dir={tmp_path / 'logs'}"],
            cwd=work, env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-3000:]
        return {line.removeprefix("would run: ").split()[0]
                for line in proc.stdout.splitlines() if line.startswith("would run: ")}

    assert would_run() == set()
    figures = work / "src" / "kartlegging" / "analysis" / "figures.py"
    figures.write_text(figures.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    assert would_run() == {"figures", "report", "report_pdf", "database", "all"}


def test_no_module_imports_a_private_name_of_another():
    """An underscore name is a module's own; one that another module needs is made public (or moved)."""
    import ast

    found = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kartlegging"):
                found += [(str(path.relative_to(SRC)), f"{node.module}.{a.name}") for a in node.names
                          if a.name.startswith("_") and not a.name.startswith("__")]
    assert found == []
