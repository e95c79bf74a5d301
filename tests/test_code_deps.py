"""The package files each rule lists as code inputs: found by scanning imports, transitively."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

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
    # the report's code: the whole report package
    report = names(closure(SRC, ["report"]), SRC.resolve())
    assert {"report/render.py", "report/maps.py", "report/pdf.py", "report/quality.py"} <= report


def _rule_blocks() -> dict[str, str]:
    """Each rule of rules/*.smk by name, with its text."""
    blocks: dict[str, str] = {}
    for smk in sorted((ROOT / "rules").glob("*.smk")):
        for block in re.split(r"(?m)^(?=rule \w+:)", smk.read_text(encoding="utf-8")):
            found = re.match(r"rule (\w+):", block)
            if found:
                blocks[found.group(1)] = block
    return blocks


def test_every_rule_runs_its_own_step_module_and_its_code_is_that_modules_closure():
    blocks = _rule_blocks()
    assert len(blocks) >= 17
    for name, block in blocks.items():
        assert (SRC / "steps" / f"{name}.py").is_file(), f"rule {name} has no kartlegging/steps/{name}.py"
        assert f'code_of("{name}")' in block or "report_sources()" in block, (
            f"rule {name}: code is not its step's closure"
        )
        script = re.search(r'script:\s*"\.\./(scripts/\w+\.py)"', block).group(1)
        assert f"from kartlegging.steps.{name} import" in (ROOT / script).read_text(encoding="utf-8"), script


def test_a_step_that_loads_the_classification_declares_both_files_it_reads():
    blocks = _rule_blocks()
    loaders = [n for n in blocks if "load_files(" in (SRC / "steps" / f"{n}.py").read_text(encoding="utf-8")]
    assert {"dispatch", "ingest_epost", "ingest_telefon", "ingest_intervjuer", "consolidate"} <= set(loaders)
    for name in loaders:
        assert "klass=" in blocks[name] and "bydeler=" in blocks[name], name
        assert "reference_dir=" not in blocks[name], f"rule {name} still passes a folder"
