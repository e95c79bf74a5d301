"""What a table was built from: a digest of the raw files behind it, group by group.

The ``consolidate`` step stores the digests of its raw inputs (the dispatch list, the
e-mails, the phone log, the interview workbooks, the KOSTRA extracts and the overrides
file) in the key-value metadata of the round's ``issues`` table; the review command
computes them again from the raw folder and refuses to list items from a table built
from other files. Digests of contents, not times: a file that was only touched (which
Snakemake, comparing checksums, does not rerun for) does not make the table stale, and
the same inputs give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path

#: Key of the digests in the Parquet metadata of ``issues``.
METADATA_KEY = "kartlegging.inputs"
#: The groups, in the order the review command names them, with the words it uses.
GROUPS = {
    "utsendelse": "the dispatch list", "epost": "the e-mails (epost/)", "telefon": "the phone log",
    "intervju": "the interview workbooks (intervjuer/)", "kostra": "the KOSTRA extracts",
    "overrides": "the overrides file",
}


def digest(files: Iterable[str | Path]) -> str:
    """SHA-256 over the names and contents of ``files`` (by name, so the folder they lie in does not count)."""
    outer = hashlib.sha256()
    for path in sorted((Path(f) for f in files), key=lambda p: p.name):
        outer.update(path.name.encode("utf-8") + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return outer.hexdigest()


def fingerprint(groups: Mapping[str, Iterable[str | Path]]) -> dict[str, str]:
    """``{group: digest}`` for the files of each group."""
    return {name: digest(files) for name, files in sorted(groups.items())}


def as_metadata(prints: Mapping[str, str]) -> dict[str, str]:
    return {METADATA_KEY: json.dumps(dict(sorted(prints.items())), sort_keys=True)}


def from_metadata(metadata: Mapping[bytes, bytes] | None) -> dict[str, str] | None:
    """The digests stored with a table, or None when it has none (a table of an earlier version)."""
    raw = (metadata or {}).get(METADATA_KEY.encode())
    if raw is None:
        return None
    try:
        found = json.loads(raw.decode("utf-8"))
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def changed(stored: Mapping[str, str], current: Mapping[str, str]) -> list[str]:
    """The groups whose files differ, in the words of :data:`GROUPS`."""
    return [GROUPS.get(g, g) for g in GROUPS | dict.fromkeys(current) if stored.get(g) != current.get(g)]
