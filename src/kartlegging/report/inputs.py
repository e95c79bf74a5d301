"""The processed tables a round's report reads, checked against their contracts.

:class:`ReportInputs` holds the tables; :func:`read_inputs` reads them from the
paths a Snakemake rule names, :func:`load_inputs` from a processed folder (for
notebooks and tests). Optional tables each enable one section of the report.
Every table is read by :func:`kartlegging.core.store.read_table` against its
declaration, and the round's register by :func:`kartlegging.core.register.read_register`:
the report has no reader of its own.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import pandas as pd

from kartlegging.core import tables as T
from kartlegging.core.register import Register, read_register
from kartlegging.core.store import read_table
from kartlegging.report import maps
from kartlegging.report.sections import EarlierRound
from kartlegging.report.tekst import Chapter, read_chapters

LOG = logging.getLogger(__name__)

# Field of ReportInputs -> table contract it must satisfy.
INPUT_TABLES: dict[str, T.Table] = {
    "figures": T.FIGURES,
    "figure_series": T.FIGURE_SERIES,
    "reconciliation": T.RECONCILIATION,
    "services": T.SERVICES,
    "service_kommuner": T.SERVICE_KOMMUNER,
    "kommune_status": T.KOMMUNE_STATUS,
    "issues": T.ISSUES,
    "overrides_applied": T.OVERRIDES_APPLIED,
    "email_replies": T.EMAIL_REPLIES,
    "phone_units": T.PHONE_UNITS,
    "dispatch": T.DISPATCH,
    "interviews": T.INTERVIEWS,
}

# Optional inputs (field of ReportInputs -> contract); absent ones leave their section out.
OPTIONAL_TABLES: dict[str, T.Table] = {
    "map_status": T.MAP_STATUS,
    "comparison": T.COMPARISON,
    "kostra": T.KOSTRA,
    "kostra_crosscheck": T.KOSTRA_CROSSCHECK,
    "conservation": T.CONSERVATION,
}
OPTIONAL_FIELDS = frozenset({"register", "geometry", "earlier", "chapters", "round_map", *OPTIONAL_TABLES})


@dataclass(frozen=True)
class ReportInputs:
    """The processed tables of one round that the report reads.

    ``register`` is the round's register (:mod:`kartlegging.core.register`): its
    kind names appendix A (published figures or a generator's design targets),
    its sources and notes are the round's own. Without one the round has no
    publication, reconciles nothing, and appendix A says so.

    The remaining fields are optional too, each enabling one section:
    ``round_map`` the coverage map; ``comparison`` (with ``earlier``, the rounds
    before this one, and ``map_status`` and ``geometry`` for the small maps) the
    comparison between rounds; ``kostra`` and ``kostra_crosscheck`` the KOSTRA
    section. Without them the report leaves the map out and says that no KOSTRA
    data were given.
    """

    figures: pd.DataFrame
    figure_series: pd.DataFrame
    reconciliation: pd.DataFrame
    services: pd.DataFrame
    service_kommuner: pd.DataFrame
    kommune_status: pd.DataFrame
    issues: pd.DataFrame
    overrides_applied: pd.DataFrame
    email_replies: pd.DataFrame
    phone_units: pd.DataFrame
    dispatch: pd.DataFrame
    interviews: pd.DataFrame
    register: Register | None = None
    map_status: pd.DataFrame | None = None
    geometry: maps.MapGeometry | None = None
    earlier: tuple[EarlierRound, ...] = ()
    comparison: pd.DataFrame | None = None
    kostra: pd.DataFrame | None = None
    kostra_crosscheck: pd.DataFrame | None = None
    conservation: pd.DataFrame | None = None
    chapters: tuple[Chapter, ...] = ()
    # The round's map in its own kommune structure, drawn by the round_map rule (maps.own_map_figure).
    round_map: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        """Fail early, naming the table, when a column the report uses is absent."""
        checks: list[tuple[str, pd.DataFrame | None, T.Table]] = [
            (name, getattr(self, name), table) for name, table in INPUT_TABLES.items()
        ]
        checks += [(name, getattr(self, name), table) for name, table in OPTIONAL_TABLES.items()]
        for e in self.earlier:
            checks += [(f"map_status of round {e.round}", e.map_status, T.MAP_STATUS)]
        for name, frame, table in checks:
            if frame is None:
                continue
            missing = [c for c in table.column_names if c not in frame.columns]
            if missing:
                raise ValueError(f"report input {name!r} lacks columns {missing}")


def _findings(series: pd.DataFrame) -> tuple[str, ...]:
    """The findings the figures step computed for the round (figure_series ``funn``): what a chapter may branch on."""
    return tuple(sorted(set(series.loc[series["series_id"] == "funn", "category"].astype(str))))


@dataclass(frozen=True)
class ExtraPaths:
    """Paths of the optional inputs; ``None`` (or an empty tuple) leaves that section out.

    The KOSTRA paths may name files that do not exist: the KOSTRA rules are
    optional, and a report without their tables says that no KOSTRA data were
    given. Every other path given must exist.
    """

    map_status: str | Path | None = None
    kommuner_geojson: str | Path | None = None
    fylker_geojson: str | Path | None = None
    earlier_map_status: tuple[str | Path, ...] = ()
    comparison: str | Path | None = None
    kostra: str | Path | None = None
    kostra_crosscheck: str | Path | None = None
    conservation: str | Path | None = None
    kostra_issues: str | Path | None = None
    chapters: tuple[str | Path, ...] = ()
    round_map: str | Path | None = None


def _round_of(frame: pd.DataFrame, path: str | Path) -> str:
    """The round a per-round table belongs to: its ``round`` column, or its folder when it has no rows."""
    rounds = sorted({str(r) for r in frame["round"].dropna()}) if "round" in frame.columns else []
    if len(rounds) > 1:
        raise ValueError(f"{path}: holds rounds {rounds}, expected one")
    return rounds[0] if rounds else Path(path).parent.name


def _read_optional(path: str | Path | None, table: T.Table) -> pd.DataFrame | None:
    """A table that may be absent: None when no path is given or the file is not there (logged)."""
    if path is None:
        return None
    if not Path(path).exists():
        LOG.info("report: %s not found; its section says the data were not given", path)
        return None
    return read_table(path, table)


def _read_earlier(map_paths: Iterable[str | Path]) -> tuple[EarlierRound, ...]:
    """Earlier rounds' map status (drawn as the small maps), by round, oldest first."""
    by_round: dict[str, pd.DataFrame] = {}
    for path in map_paths:
        frame = read_table(path, T.MAP_STATUS)
        by_round[_round_of(frame, path)] = frame
    return tuple(EarlierRound(r, frame) for r, frame in sorted(by_round.items()))


def read_inputs(
    paths: Mapping[str, str | Path],
    register_path: str | Path | None = None,
    extra: ExtraPaths | None = None,
) -> ReportInputs:
    """Read the report's tables from explicit paths, one per ReportInputs field.

    Used by the Snakemake script, whose rule names each input file; ``extra``
    names the optional ones (map, earlier rounds, KOSTRA).
    """
    missing = [name for name in INPUT_TABLES if name not in paths]
    if missing:
        raise ValueError(f"no path given for report inputs {missing}")
    frames = {name: read_table(paths[name], table) for name, table in INPUT_TABLES.items()}
    extra = extra or ExtraPaths()
    kostra_issues = _read_optional(extra.kostra_issues, T.ISSUES)
    if kostra_issues is not None and not kostra_issues.empty:
        # the KOSTRA extracts are shared by every round: their review and quarantine items
        # (source 'kostra') belong in each round's data-quality appendix
        frames["issues"] = pd.concat([frames["issues"], kostra_issues], ignore_index=True)
    register = read_register(register_path) if register_path else None
    if (extra.kommuner_geojson is None) != (extra.fylker_geojson is None):
        raise ValueError("the map needs both the kommune and the county GeoJSON, or neither")
    geometry = (maps.read_geometry(extra.kommuner_geojson, extra.fylker_geojson)
                if extra.kommuner_geojson is not None and extra.fylker_geojson is not None else None)
    return ReportInputs(
        **frames,
        register=register,
        map_status=read_table(extra.map_status, T.MAP_STATUS) if extra.map_status is not None else None,
        geometry=geometry,
        earlier=_read_earlier(extra.earlier_map_status),
        comparison=read_table(extra.comparison, T.COMPARISON) if extra.comparison is not None else None,
        kostra=_read_optional(extra.kostra, T.KOSTRA),
        kostra_crosscheck=_read_optional(extra.kostra_crosscheck, T.KOSTRA_CROSSCHECK),
        conservation=read_table(extra.conservation, T.CONSERVATION) if extra.conservation is not None else None,
        # chapters may quote any figure computed, or one of the register not computed this round, and branch
        # on any finding the figures step computed (figure_series ``funn``)
        chapters=read_chapters(extra.chapters, {*frames["figures"]["figure_id"].astype(str),
                                                *(register.ids if register else ())},
                               _findings(frames["figure_series"])),
        round_map=(json.loads(Path(extra.round_map).read_text(encoding="utf-8"))
                   if extra.round_map is not None else None),
    )


def load_inputs(
    processed_dir: str | Path,
    round: str,
    register_path: str | Path | None = None,
    *,
    reference_dir: str | Path | None = None,
    earlier_rounds: Iterable[str] = (),
    tekst_dir: str | Path | None = None,
) -> ReportInputs:
    """Read ``{processed_dir}/{round}/<table>.parquet`` for every table the report uses.

    For notebooks and tests. Optional inputs are picked up when present: the
    round's map (kart.json) and map_status.parquet, the KOSTRA tables, and for
    ``earlier_rounds`` their map_status with the round's comparison table (the
    small maps need the geometry of ``reference_dir``); with ``tekst_dir``, the
    analysts' chapters ``{tekst_dir}/{round}/*.md``.
    """
    base = Path(processed_dir) / str(round)
    paths = {name: base / f"{table.name}.parquet" for name, table in INPUT_TABLES.items()}
    absent = [str(p) for p in paths.values() if not p.exists()]
    if absent:
        raise FileNotFoundError(f"report inputs not found: {absent}")
    earlier = [str(r) for r in earlier_rounds]
    map_status = base / f"{T.MAP_STATUS.name}.parquet"
    conservation = base / f"{T.CONSERVATION.name}.parquet"
    round_map = base / "kart.json"
    geo_k = Path(reference_dir) / maps.KOMMUNER_GEOJSON if reference_dir is not None else None
    geo_f = Path(reference_dir) / maps.FYLKER_GEOJSON if reference_dir is not None else None
    extra = ExtraPaths(
        map_status=map_status if map_status.exists() else None,
        kommuner_geojson=geo_k, fylker_geojson=geo_f,
        earlier_map_status=tuple(Path(processed_dir) / r / f"{T.MAP_STATUS.name}.parquet" for r in earlier),
        comparison=base / f"{T.COMPARISON.name}.parquet" if earlier else None,
        kostra=Path(processed_dir) / "kostra" / "kostra.parquet",
        kostra_crosscheck=base / f"{T.KOSTRA_CROSSCHECK.name}.parquet",
        conservation=conservation if conservation.exists() else None,
        kostra_issues=Path(processed_dir) / "kostra" / "issues_kostra.parquet",
        chapters=tuple(sorted((Path(tekst_dir) / str(round)).glob("*.md"))) if tekst_dir is not None else (),
        round_map=round_map if round_map.exists() else None,
    )
    return read_inputs(paths, register_path, extra)


# ReportInputs' fields and INPUT_TABLES must name the same tables; checked at
# import so a table added to one and not the other fails loudly at once.
if {f.name for f in fields(ReportInputs)} - OPTIONAL_FIELDS != set(INPUT_TABLES):
    raise RuntimeError("ReportInputs and INPUT_TABLES name different tables")
