"""Which entries of a raw folder are records (the files an ingest reads) and which are not.

One rule for the Snakefile, which declares a round's files as the ingest rules' inputs while the DAG is
built, and for the library functions that take a folder (tests, notebooks): every visible file is a
record; hidden files (``.DS_Store``, ``._reply.eml`` of a Mac, ``.~lock`` files of an office suite) and
sub-folders are not, and are never read. The conservation table names them, so nothing in the folder
goes unmentioned. Standard library only: this runs while the Snakefile is parsed.
"""

from __future__ import annotations

import os
from pathlib import Path


def record_files(folder: str | Path) -> list[str]:
    """Every visible file of ``folder`` (not hidden, not a sub-folder), sorted by name; [] without the folder."""
    if not os.path.isdir(folder):
        return []
    names = sorted(n for n in os.listdir(folder) if not n.startswith("."))
    return [os.path.join(folder, n) for n in names if os.path.isfile(os.path.join(folder, n))]


def ignored_entries(folder: str | Path) -> list[str]:
    """The names of what ``folder`` holds besides its records: hidden entries and sub-folders, sorted."""
    if not os.path.isdir(folder):
        return []
    return sorted(n for n in os.listdir(folder)
                  if n.startswith(".") or not os.path.isfile(os.path.join(folder, n)))
