"""The overrides check while the Snakefile is parsed, remembered between runs.

Checking a round's overrides against its raw files (:func:`kartlegging.core.overrides.read_entries` with
:func:`kartlegging.ingest.round_facts.round_facts`: files, rows and units named, no person's name in a
reason) reads every e-mail header and workbook of the round: about a seventh of a second for the demo
round, on every ``snakemake`` call, a no-op included. The verdict depends only on the overrides file, the
round's raw files, the Klass file and the code that checks, so it is kept under ``.snakemake/kartlegging/``
with a signature of all of them (sizes and modification times; the overrides file's bytes) and reused
while the signature holds. Only a check that passed is kept; what is kept is the entries as the check
returned them (values normalised, the analysts' reasons), never a name or anything else read from the raw
files.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

#: The package whose code decides the verdict (a change to any module of it makes the check run again).
PACKAGE_DIR = Path(__file__).resolve().parents[1]
#: Bump when the kept record's layout changes.
FORMAT = 1


def _stat(path: Path) -> list[Any]:
    try:
        st = path.stat()
    except OSError:
        return [str(path), None]
    return [str(path), st.st_size, st.st_mtime_ns]


def _files(folder: Path) -> list[Path]:
    out: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        out += [Path(root) / f for f in sorted(files)]
    return out


def signature(overrides_path: str | Path, round_dir: str | Path, klass_file: str | Path | None,
              bydeler_file: str | Path | None) -> str:
    """What the verdict depends on, as one digest: the overrides file's bytes; the size and modification
    time of every file of the round's raw folder, of the Klass and bydeler files and of the package's code."""
    p = Path(overrides_path)
    digest = hashlib.sha256()
    digest.update(f"{FORMAT}\n".encode())
    digest.update(p.read_bytes() if p.is_file() else b"")
    stats = [_stat(f) for f in _files(Path(round_dir))]
    stats += [_stat(Path(f)) for f in (klass_file, bydeler_file) if f]
    stats += [_stat(f) for f in _files(PACKAGE_DIR) if f.suffix == ".py"]
    digest.update(json.dumps(stats, ensure_ascii=True).encode())
    return digest.hexdigest()


def checked_entries(overrides_path: str | Path, round_dir: str | Path, klass_file: str | Path | None,
                    bydeler_file: str | Path | None, cache_dir: str | Path) -> list[dict[str, Any]]:
    """The overrides file's entries, checked against the round's raw files (see the module docstring);
    the kept verdict when nothing it depends on changed. Raises :class:`OverrideError` as the check does."""
    from kartlegging.core.overrides import read_entries
    from kartlegging.ingest.round_facts import round_facts

    sig = signature(overrides_path, round_dir, klass_file, bydeler_file)
    name = hashlib.sha256(str(Path(overrides_path).resolve()).encode()).hexdigest()[:16]
    kept = Path(cache_dir) / f"overrides-{name}.json"
    stored = _load(kept)
    if stored is not None and stored.get("signature") == sig:
        return list(stored["entries"])
    entries = read_entries(overrides_path, lambda: round_facts(round_dir, klass_file, bydeler_file))
    _store(kept, {"signature": sig, "entries": entries})
    return entries


def _load(path: Path) -> dict[str, Any] | None:
    """The kept record, or None when there is none or it cannot be read (it is then made again)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("entries"), list) else None


def _store(path: Path, record: dict[str, Any]) -> None:
    """Write the record whole or not at all (a concurrent or interrupted run never reads half of one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    # keys in the order the check gave them: the entries are rule params, which Snakemake compares as text
    tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
