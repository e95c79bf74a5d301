"""Analysts' decisions on review items, from ``config/overrides/<round>.yaml``.

An override targets one record of one source file and sets fields on it::

    overrides:
      - id: ov-001
        source: epost            # epost | telefon | intervju
        file: svar-0412.eml
        record: ""               # telefon: Excel row; intervju: item code (T05); epost: empty
        set: {enhet_id: K1804}
        reason: signed by the helsesjef of Bodø

Each ingest step applies the overrides of its source and reports the ids it
used; an override that matches nothing is an error naming it, because a typo in
a file name would otherwise silently leave the item open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

SOURCES = ("epost", "telefon", "intervju")


class OverrideError(ValueError):
    """The overrides file is malformed or an override matched nothing."""


@dataclass(frozen=True)
class Override:
    id: str
    source: str
    file: str
    record: str
    set: dict[str, object] = field(default_factory=dict)
    reason: str = ""

    def matches(self, source: str, file: str, record: str = "") -> bool:
        return self.source == source and self.file == file and self.record == str(record)


def load_overrides(path: str | Path) -> list[Override]:
    """Read an overrides file; a missing file means no overrides."""
    p = Path(path)
    if not p.exists():
        return []
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise OverrideError(f"{p}: not valid YAML ({exc})") from exc
    items = data.get("overrides", []) if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise OverrideError(f"{p}: expected a mapping with a list 'overrides'")
    out: list[Override] = []
    seen: set[str] = set()
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise OverrideError(f"{p}: override #{n} is not a mapping")
        missing = [k for k in ("id", "source", "file", "set") if k not in item]
        if missing:
            raise OverrideError(f"{p}: override #{n} lacks {', '.join(missing)}")
        if item["source"] not in SOURCES:
            raise OverrideError(f"{p}: override {item['id']}: source must be one of {', '.join(SOURCES)}")
        if not isinstance(item["set"], dict) or not item["set"]:
            raise OverrideError(f"{p}: override {item['id']}: 'set' must be a non-empty mapping")
        if item["id"] in seen:
            raise OverrideError(f"{p}: override id {item['id']} is used twice")
        seen.add(str(item["id"]))
        out.append(Override(str(item["id"]), item["source"], str(item["file"]),
                            str(item.get("record", "") or ""), dict(item["set"]), str(item.get("reason", ""))))
    return out


def for_source(overrides: list[Override], source: str) -> list[Override]:
    return [o for o in overrides if o.source == source]


def check_all_matched(overrides: list[Override], applied: set[str], path: str | Path) -> None:
    """Raise naming every override that matched no record."""
    unmatched = [o for o in overrides if o.id not in applied]
    if unmatched:
        lines = "; ".join(f"{o.id} ({o.source}: {o.file} [{o.record}])" for o in unmatched)
        raise OverrideError(f"{path}: override(s) matched no record: {lines}")
