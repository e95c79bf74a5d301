"""Region levels of KOSTRA codes (kommune, bydel, aggregat, ukjent) in the Klass structure of the data year,
and values given twice."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from kartlegging.core import classification as klass
from kartlegging.core.issues import Issue
from kartlegging.ingest.kostra.parse import INVALID_STATUS, SOURCE, KostraConfig, _FileResult, split_region


@dataclass
class RegionContext:
    """What a region code can be: kommuner per data year, every kommune code ever, Oslo's bydeler."""

    reference_dir: Path
    cfg: KostraConfig
    bydeler: frozenset[str]
    all_kommuner: frozenset[str]

    @classmethod
    def load(cls, reference_dir: str | Path, cfg: KostraConfig) -> RegionContext:
        """Read the bydeler and every version's kommune codes, to tell an old code from an unknown one."""
        ref = Path(reference_dir).resolve()  # once: every cell asks for its year's kommuner
        every: set[str] = set()
        for version in klass.available_versions(ref):
            every |= set(klass.load(ref, version).kommuner)
        return cls(ref, cfg, frozenset(klass.read_bydeler(ref)), frozenset(every))

    def kommuner(self, year: int) -> tuple[str, frozenset[str]] | None:
        """Klass version and kommune codes of the structure valid on 1 January ``year``; None if none is."""
        return _kommuner_of_year(str(self.reference_dir), year)

    def level(self, code: str, year: int) -> str:
        """``kommune``, ``bydel``, ``aggregat`` or ``ukjent`` for a code in a data year (see the module docstring)."""
        structure = self.kommuner(year)
        if structure is not None and code in structure[1]:
            return "kommune"
        if code in self.bydeler:
            return "bydel"
        if self.cfg.is_aggregate(code):
            return "aggregat"
        return "ukjent"



@cache
def _kommuner_of_year(reference_dir: str, year: int) -> tuple[str, frozenset[str]] | None:
    """Cached per year: every cell asks, and loading a Klass version builds a name index."""
    try:
        version = klass.version_for(reference_dir, str(year))
    except klass.ClassificationError:
        return None
    return version, frozenset(klass.load(reference_dir, version).kommuner)



def _classify(
    result: _FileResult, name: str, ctx: RegionContext, rows: list[dict], issues: list[Issue]
) -> dict[str, int]:
    """Turn a file's cells into table rows; collect the review items their regions and values raise."""
    counts: Counter = Counter()
    unknown: dict[str, tuple[str, set[int]]] = {}
    empty_in_structure = 0
    for cell in result.cells:
        code = split_region(cell.region_raw)
        level = ctx.level(code, cell.year)
        outside_years = level == "ukjent" and code in ctx.all_kommuner
        if cell.empty or (cell.value is None and outside_years):
            if level in ("kommune", "bydel"):
                empty_in_structure += 1
            counts["skipped_outside_years" if outside_years else "skipped_empty"] += 1
            continue
        if level == "ukjent":
            raw, years = unknown.setdefault(code, (cell.region_raw, set()))
            years.add(cell.year)
        if cell.status == INVALID_STATUS:
            issues.append(Issue(SOURCE, name, f"{code} {cell.variable} {cell.year}", "value", "kostra.ugyldig_verdi",
                                "neither a number nor an SSB symbol; kept with status ugyldig and no value"))
        rows.append({"region_code": code, "region_level": level, "year": cell.year, "variable": cell.variable,
                     "value": cell.value, "status": cell.status, "source_file": name})
        counts[level] += 1
    for code, (_raw, years) in sorted(unknown.items()):
        structures = ", ".join(
            f"{y} (Klass {s[0]})" if (s := ctx.kommuner(y)) else f"{y} (no Klass version)" for y in sorted(years))
        known = " It is a kommune code of another year's structure." if code in ctx.all_kommuner else ""
        issues.append(Issue(SOURCE, name, code, "region", "kostra.ukjent_region",
                            f"not a kommune of the structure of {structures}, not an Oslo bydel and no aggregate "
                            f"pattern; kept with region_level ukjent and left out of every count.{known}"))
    if empty_in_structure:
        issues.append(Issue(SOURCE, name, "", "value", "kostra.tomme_celler",
                            f"{empty_in_structure} empty cells (no number, no symbol) for kommuner or bydeler of "
                            "their year; not kept as rows"))
    for label, count in sorted(result.unmapped.items()):
        issues.append(Issue(SOURCE, name, label, "variable", "kostra.ukjent_variabel",
                            f"variable not mapped in config kostra.variables ({count} values not read)"))
    return dict(counts)



def _conflicts(frame: pd.DataFrame) -> list[Issue]:
    """Review items for a region, year and variable given different values in two places."""
    if frame.empty:
        return []
    out = []
    key = ["region_code", "year", "variable"]
    dup = frame[frame.duplicated(key, keep=False)]
    for (code, year, variable), grp in dup.groupby(key, sort=True):
        seen = {(None if pd.isna(v) else float(v), s) for v, s in zip(grp["value"], grp["status"])}
        if len(seen) > 1:
            where = ", ".join(f"{f}: {v if s is None else s}" for f, v, s in
                              zip(grp["source_file"], grp["value"], grp["status"]))
            out.append(Issue(SOURCE, ",".join(sorted(set(grp["source_file"]))), f"{code} {variable} {year}",
                             "value", "kostra.ulike_verdier", f"given differently in two places ({where}); figures "
                             "use the first number by file name"))
    return out
