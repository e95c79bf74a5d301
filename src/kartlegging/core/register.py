"""The register of one round (``config/register/<round>.yaml``): the one reader there is.

A register lists the figures a round is reconciled against, with what belongs to that round
alone: the published value (or, for a generated demonstration round, the generator's design
target), the sources the values come from, and the notes a reader of appendix A needs. The
bokmål catalogue (:mod:`kartlegging.report.katalog`) keeps only what holds for every round
(labels, round-neutral definitions, what each status means), so a second round never shows
the first round's notes.

Shape (keys in English for the analysts; the texts a reader sees are in bokmål)::

    round: "2015"
    kind: published            # published: a publication's figures | design_targets: a generator's design
    sources:                   # every source code the entries use, named for the report
      notat: {short: NK LMH 4/2016, full: "Nasjonal kompetansetjeneste ... notat 4/2016 ..."}
    figures:
      - id: kommuner_uten_tjeneste_andel
        published: "72 %"
        source: notat
        definition: "..."      # the working definition (English), kept in the reconciliation table
        note: "..."            # a working note (English), kept in the reconciliation table
        misprint: true         # the published value is a misprint of the source
        tolerance: 5           # a number, "2 pp" or a range "1.8–2.2x"
        kind: utsagn           # a finding stated in words
        merknad: "..."         # the note appendix A shows for this round (bokmål)
        definisjon: "..."      # a definition for this round only (bokmål), instead of the catalogue's

Both the figures step (:mod:`kartlegging.analysis.figures`) and the report read a register
through :func:`read_register` (:func:`parse_register` checks one already loaded), which checks
the shape and names file, entry and key when it is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

#: What a register's values are: the figures of a publication, or a generator's design targets.
KINDS = ("published", "design_targets")
TOP_KEYS = frozenset({"round", "kind", "sources", "figures"})
ENTRY_KEYS = frozenset({"id", "published", "source", "definition", "note", "misprint", "tolerance", "kind",
                        "merknad", "definisjon"})


class RegisterError(ValueError):
    """A register that cannot be used; the message names the file, the entry and the key."""


@dataclass(frozen=True)
class Source:
    """A source of a register's values, as the report names it: short in a table cell, full once."""

    code: str
    short: str
    full: str


@dataclass(frozen=True)
class Register:
    """One round's register, checked. ``figures`` are the entries as mappings, in register order."""

    path: str
    round: str
    kind: str
    sources: Mapping[str, Source] = field(default_factory=dict)
    figures: tuple[Mapping[str, Any], ...] = ()

    @property
    def ids(self) -> tuple[str, ...]:
        """The figure ids in register order."""
        return tuple(str(f["id"]) for f in self.figures)

    @property
    def published(self) -> bool:
        """Whether the values are a publication's (not a generator's design targets)."""
        return self.kind == "published"

    def entry(self, figure_id: str) -> Mapping[str, Any] | None:
        """The entry of one figure id, or None."""
        for f in self.figures:
            if str(f["id"]) == figure_id:
                return f
        return None

    def text(self, figure_id: str, key: str) -> str:
        """A bokmål text of one entry (``merknad``, ``definisjon``), '' when it has none."""
        entry = self.entry(figure_id)
        value = None if entry is None else entry.get(key)
        return "" if value is None else str(value).strip()

    def source(self, code: str) -> Source:
        """A source named by the register; an unknown code is shown as given."""
        return self.sources.get(code, Source(code, code, code))


def _sources(path: Path, data: object) -> dict[str, Source]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RegisterError(f"{path}: 'sources' must map each source code to {{short: ..., full: ...}}")
    out = {}
    for code, value in data.items():
        if not isinstance(value, dict) or not all(isinstance(value.get(k), str) and value[k].strip()
                                                  for k in ("short", "full")):
            raise RegisterError(f"{path}: source {code!r} needs 'short' and 'full' (bokmål texts)")
        extra = sorted(set(value) - {"short", "full"})
        if extra:
            raise RegisterError(f"{path}: source {code!r}: unknown key {extra[0]!r} (allowed: short, full)")
        out[str(code)] = Source(str(code), value["short"].strip(), value["full"].strip())
    return out


def _entry(path: Path, nr: int, item: object, sources: Mapping[str, Source]) -> dict[str, Any]:
    if not isinstance(item, dict) or "id" not in item:
        raise RegisterError(f"{path}: figure entry {nr} must be a mapping with an 'id'")
    fid = str(item["id"])
    where = f"{path}: figure {fid!r}"
    unknown = sorted(set(item) - ENTRY_KEYS)
    if unknown:
        raise RegisterError(f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(ENTRY_KEYS))})")
    if "published" not in item:
        raise RegisterError(f"{where}: lacks 'published'")
    source = item.get("source")
    if sources and source is not None and str(source) not in sources:
        raise RegisterError(f"{where}: source {source!r} is not named under 'sources' ({', '.join(sources)})")
    for key in ("merknad", "definisjon"):
        if key in item and not isinstance(item[key], str):
            raise RegisterError(f"{where}: '{key}' must be a text")
    if "misprint" in item and not isinstance(item["misprint"], bool):
        raise RegisterError(f"{where}: 'misprint' must be true or false")
    return {**item, "id": fid}


def parse_register(data: object, path: str | Path = "<register>") -> Register:
    """Check a register already loaded from YAML (``path`` names it in messages); see :func:`read_register`."""
    p = Path(path)
    if not isinstance(data, dict) or not isinstance(data.get("figures"), list):
        raise RegisterError(f"{p}: expected a mapping with a list 'figures'")
    unknown = sorted(set(data) - TOP_KEYS)
    if unknown:
        raise RegisterError(f"{p}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(TOP_KEYS))})")
    kind = str(data.get("kind", "published"))
    if kind not in KINDS:
        raise RegisterError(f"{p}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
    sources = _sources(p, data.get("sources"))
    figures = tuple(_entry(p, nr, item, sources) for nr, item in enumerate(data["figures"], 1))
    seen: set[str] = set()
    for f in figures:
        if f["id"] in seen:
            raise RegisterError(f"{p}: figure {f['id']!r} is listed twice")
        seen.add(f["id"])
    round_name = str(data.get("round", p.stem))
    return Register(str(p), round_name, kind, sources, figures)


def read_register(path: str | Path) -> Register:
    """Read and check one round's register; every problem stops with file, entry and key."""
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise RegisterError(f"{p}: cannot be read ({err})") from None
    return parse_register(data, p)


__all__ = ["KINDS", "Register", "RegisterError", "Source", "parse_register", "read_register"]
