"""Write the ``.ipynb`` twin of a Jupytext percent-format notebook, without running it.

``python notebooks/build_ipynb.py`` rewrites ``notebooks/kartlegging_duckdb.ipynb``
from ``notebooks/kartlegging_duckdb.py``; ``--check`` only reports whether the
``.ipynb`` is up to date (the tests call it). The ``.py`` is the source that is
reviewed and tested; the ``.ipynb`` exists for people who open notebooks in
Jupyter or on GitHub. Only nbformat is used (installed with Snakemake), so
Jupytext is not a dependency: this reads the subset of the percent format the
notebook uses (``# %%`` code cells, ``# %% [markdown]`` cells, the YAML header).
Cells get ids from their position, so the same ``.py`` always gives the same bytes.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat
import yaml

HERE = Path(__file__).resolve().parent
DEFAULT = HERE / "kartlegging_duckdb.py"
_MARKER = re.compile(r"^# %%(?:\s+\[(?P<kind>\w+)\])?\s*$")


def _header(lines: list[str]) -> tuple[dict, list[str]]:
    """The Jupytext YAML header (``# ---`` ... ``# ---``) as a mapping, and the lines after it."""
    if not lines or lines[0].rstrip() != "# ---":
        return {}, lines
    for end in range(1, len(lines)):
        if lines[end].rstrip() == "# ---":
            text = "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#") for line in lines[1:end])
            return yaml.safe_load(text) or {}, lines[end + 1:]
    raise ValueError("the notebook header opened with '# ---' is never closed")


def _trim(lines: list[str]) -> list[str]:
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def percent_to_notebook(text: str) -> nbformat.NotebookNode:
    """A notebook (nbformat 4) from percent-format source; markdown lines lose their ``# `` prefix."""
    header, lines = _header(text.splitlines())
    cells: list[tuple[str, list[str]]] = []
    for line in lines:
        m = _MARKER.match(line)
        if m:
            kind = m.group("kind") or "code"
            if kind not in ("code", "markdown"):
                raise ValueError(f"unsupported cell type [{kind}]")
            cells.append((kind, []))
        elif cells:
            cells[-1][1].append(line)
        elif line.strip():
            raise ValueError(f"text before the first '# %%' cell: {line!r}")
    nb = nbformat.v4.new_notebook()
    jupyter = header.get("jupyter", {})
    if "kernelspec" in jupyter:
        nb.metadata["kernelspec"] = jupyter["kernelspec"]
    if "jupytext" in jupyter:
        nb.metadata["jupytext"] = jupyter["jupytext"]
    nb.metadata["language_info"] = {"name": "python"}
    for n, (kind, body) in enumerate(cells, 1):
        body = _trim(body)
        if kind == "markdown":
            source = "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#") for line in body)
            cell = nbformat.v4.new_markdown_cell(source)
        else:
            cell = nbformat.v4.new_code_cell("\n".join(body))
        cell["id"] = f"cell-{n:02d}"
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def render(source: Path) -> str:
    """The ``.ipynb`` text for ``source``, as written to disk."""
    return nbformat.writes(percent_to_notebook(source.read_text(encoding="utf-8"))) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT, help="percent-format .py notebook")
    parser.add_argument("--check", action="store_true", help="fail if the .ipynb is missing or out of date")
    args = parser.parse_args(argv)
    target = args.source.with_suffix(".ipynb")
    text = render(args.source)
    if args.check:
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            print(f"{target} is out of date: run python {Path(__file__).name}", file=sys.stderr)
            return 1
        print(f"{target} is up to date")
        return 0
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
