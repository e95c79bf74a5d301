"""Which source files of the package a pipeline step runs, for Snakemake's rerun decision.

Snakemake reruns a job when its rule's ``run:`` block changes, but the blocks
are thin: the logic lives in this package, and a change there
(a coding rule, a figure's definition) must rerun the jobs that use it and
only those. Each rule therefore lists, as inputs, the package modules its step
imports, followed transitively. The imports are found by scanning the source
text (module level and inside functions alike), because this runs while the
Snakefile is parsed, where importing the modules would cost seconds: standard
library only, and each file is read once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

PACKAGE = "kartlegging"
#: The folder of the package as imported: the code the jobs run.
PACKAGE_DIR = Path(__file__).resolve().parents[1]

# `from kartlegging.x import a, b`, `from kartlegging import x`, `from .x import a`, `from . import x`,
# `import kartlegging.x`; names may continue over lines inside parentheses.
_FROM = re.compile(r"^\s*from\s+(kartlegging(?:\.[\w.]+)?|\.+[\w.]*)\s+import\s+(\([^)]*\)|[^\n#]+)", re.M)
_IMPORT = re.compile(r"^\s*import\s+(kartlegging\.[\w.]+)", re.M)


def module_file(src_root: Path, module: str) -> Path | None:
    """The file of a dotted module name of the package (``report.maps``), or None if there is none."""
    parts = [p for p in module.split(".") if p]
    if parts and parts[0] == PACKAGE:
        parts = parts[1:]
    base = src_root.joinpath(*parts) if parts else src_root
    for candidate in (base.with_suffix(".py") if parts else None, base / "__init__.py"):
        if candidate is not None and candidate.is_file():
            return candidate
    return None


def _module_name(src_root: Path, path: Path) -> str:
    """Dotted name (without the package) of a file below ``src_root``: ``report.maps``, ``report`` for its __init__."""
    rel = path.relative_to(src_root).with_suffix("")
    parts = list(rel.parts)
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _resolve_relative(current: str, is_package: bool, dotted: str) -> str:
    """``from ..x import`` inside module ``current`` as an absolute name below the package."""
    level = len(dotted) - len(dotted.lstrip("."))
    rest = dotted.lstrip(".")
    base = current.split(".") if current else []
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (level - 1)] if level > 1 else base
    return ".".join([*base, rest] if rest else base)


# A module-level ``def __getattr__`` (PEP 562) and its body: the indented lines after it.
_LAZY_GETATTR = re.compile(r"^def __getattr__\(.*?(?=^\S)", re.M | re.S)


def without_lazy_imports(text: str) -> str:
    """The source without a module-level ``__getattr__`` (PEP 562).

    A package's ``__init__.py`` may offer names of its submodules lazily (``report/__init__.py``
    imports ``report.render`` only when ``kartlegging.report.render_html`` is asked for). Python runs
    the ``__init__`` for every module below it, but not that function: following its imports would
    make every module of the package part of every step that imports any one of them (the PDF step
    and the map rules would depend on all of ``analysis/``). A step that wants a lazily offered name
    imports it from the module that defines it (tests/test_code_deps.py checks that none goes through
    a facade), so the closure stays exact.
    """
    return _LAZY_GETATTR.sub("", text + "\n#")[:-2] if "def __getattr__(" in text else text


@cache
def direct_imports(src_root: Path, path: Path) -> frozenset[Path]:
    """The package files one source file imports (each imported name that is itself a module counts);
    the imports of a lazy module ``__getattr__`` do not count (:func:`without_lazy_imports`)."""
    text = without_lazy_imports(path.read_text(encoding="utf-8"))
    current = _module_name(src_root, path)
    is_package = path.name == "__init__.py"
    found: set[Path] = set()
    for module, names in _FROM.findall(text):
        absolute = (_resolve_relative(current, is_package, module) if module.startswith(".")
                    else module.removeprefix(PACKAGE).lstrip("."))
        target = module_file(src_root, absolute)
        if target is not None:
            found.add(target)
        for name in re.findall(r"\b(\w+)\b(?:\s+as\s+\w+)?", names.strip("()")):
            sub = module_file(src_root, f"{absolute}.{name}" if absolute else name)
            if sub is not None and sub != target:
                found.add(sub)
    for module in _IMPORT.findall(text):
        target = module_file(src_root, module)
        if target is not None:
            found.add(target)
    found.discard(path)
    return frozenset(found)


def closure(src_root: str | Path, entries: Iterable[str]) -> list[Path]:
    """Every package file the entry modules run, following imports; sorted, entries included.

    A package's ``__init__.py`` counts for each module below it, since Python
    runs it first.
    """
    root = Path(src_root).resolve()
    todo: list[Path] = []
    for entry in entries:
        path = module_file(root, entry)
        if path is None:
            raise ValueError(f"no module {entry!r} in {root}")
        todo.append(path)
    seen: set[Path] = set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        todo.extend(direct_imports(root, path))
        parent = path.parent
        while parent != root.parent and (parent / "__init__.py").is_file():
            todo.append(parent / "__init__.py")
            if parent == root:
                break
            parent = parent.parent
    return sorted(seen)
