"""The kartlegging of a round against KOSTRA: kommuner where they disagree about a frisklivssentral."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kartlegging.analysis.crosswalk import pair_of
from kartlegging.analysis.kostra_values import kommune_values
from kartlegging.core import classification as klass
from kartlegging.core.tables import KOSTRA_CROSSCHECK, included

log = logging.getLogger("kartlegging")


#: Organisation codes (T06) that mean the service is a frisklivssentral.
FLS_ORGANISERING = ("frisklivssentral", "friskliv_og_mestring")



AVVIK_FLS_KOSTRA_0 = "fls_i_kartlegging_kostra_0"



AVVIK_FLS_KOSTRA_MANGLER = "fls_i_kartlegging_kostra_mangler"



AVVIK_KOSTRA_FLS_INGEN_TJENESTE = "kostra_fls_ingen_tjeneste"



@dataclass(frozen=True)
class _YearSource:
    year: int
    version: str
    translate: dict[str, tuple[str, ...]] | None  # round code -> codes of the year's structure; None = same codes



def _year_sources(kostra: pd.DataFrame, target: int, round_version: str, reference_dir: str | Path,
                  crosswalk: pd.DataFrame | None) -> tuple[list[_YearSource], list[int]]:
    """KOSTRA years usable for the round, nearest first (ties: the earlier year), and those left out.

    A year in the round's structure, or in one with the same kommune codes, is
    used as it is. Another structure needs the crosswalk table: a round kommune
    reads the kommuner of the year's structure whose land lies in it (the
    table's links). Without the table the year is left out rather than matched
    on codes that may mean other kommuner.
    """
    years = sorted({int(y) for y in kostra.loc[kostra["variable"] == "Frisklivssentral", "year"]},
                   key=lambda y: (abs(y - target), y))
    round_codes = frozenset(klass.load(reference_dir, round_version).kommuner)
    sources, skipped = [], []
    for y in years:
        structure = klass.kommuner_of_year(klass.reference_of(reference_dir), y)
        if structure is None:
            skipped.append(y)
            continue
        version, codes = structure
        if version == round_version or codes == round_codes:
            sources.append(_YearSource(y, version, None))
        elif crosswalk is not None:
            cw = pair_of(crosswalk, version, round_version)
            mapping: dict[str, list[str]] = defaultdict(list)
            for f, t in zip(cw["from_code"].astype(str), cw["to_code"].astype(str)):
                mapping[t].append(f)
            sources.append(_YearSource(y, version, {k: tuple(sorted(set(v))) for k, v in mapping.items()}))
        else:
            skipped.append(y)
    return sources, skipped



def _kostra_fls(per_year: Mapping[int, pd.DataFrame], sources: list[_YearSource], kommune: str) -> dict[str, object]:
    """The nearest-year KOSTRA frisklivssentral value of one kommune of the round's structure.

    Years where the kommune has only a symbol are passed over for the next
    nearest; if no year has a number, the nearest symbol is reported.
    """
    first_symbol: dict[str, object] | None = None
    for src in sources:
        vals = per_year[src.year]
        codes = (kommune,) if src.translate is None else src.translate.get(kommune, ())
        hits = vals[vals["region_code"].isin(codes)]
        numbers = hits["value"].dropna()
        via = ",".join(f"{c} (via bydeler)" if v == "bydeler" else c
                       for c, v in zip(hits["region_code"], hits["via"]))
        if not numbers.empty:
            return {"kostra_aar": src.year, "kostra_verdi": float(numbers.max()), "kostra_status": None,
                    "kostra_regioner": via or None, "oversatt": src.translate is not None}
        if first_symbol is None and not hits.empty:
            first_symbol = {"kostra_aar": src.year, "kostra_verdi": None,
                            "kostra_status": ",".join(sorted({s for s in hits["status"] if s})) or None,
                            "kostra_regioner": via or None, "oversatt": src.translate is not None}
    return first_symbol or {"kostra_aar": None, "kostra_verdi": None, "kostra_status": None,
                            "kostra_regioner": None, "oversatt": False}



def cross_check(kostra_df: pd.DataFrame, services: pd.DataFrame, service_kommuner: pd.DataFrame,
                kommune_status: pd.DataFrame, round_version: str, reference_dir: str | Path,
                crosswalk: pd.DataFrame | None = None) -> pd.DataFrame:
    """Kommuner where the kartlegging and KOSTRA disagree on frisklivssentral (the ``kostra_crosscheck`` table).

    Three kinds (``avvik``):

    - ``fls_i_kartlegging_kostra_0``: an included service organised as a
      frisklivssentral covers the kommune, but KOSTRA says Frisklivssentral = 0;
    - ``fls_i_kartlegging_kostra_mangler``: the same, but KOSTRA has no number
      for the kommune in any usable year;
    - ``kostra_fls_ingen_tjeneste``: KOSTRA says 1, but the kartlegging found no
      included service (``har_tjeneste`` nei or ukjent). A frisklivssentral is
      where kommunal lærings- og mestringstilbud usually sit, so these are the
      kommuner where the kartlegging may have missed a service.

    KOSTRA is read in the year nearest the round's (the round's classification
    year; ties go to the earlier year, nearer the field work), kommune by kommune,
    skipping years where the kommune has only a symbol. Years in another kommune
    structure are translated with ``crosswalk``, the crosswalk table (territorial:
    a round kommune reads the year's kommuner that hold its land, so 2024's 1580
    Haram reads 2019's 1534 Haram only); a merged kommune's value applies to each
    of its parts. Without it only years whose structure has the round's kommune
    codes are used: for round 2015 that is 2013-2016.
    """
    cols = KOSTRA_CROSSCHECK.column_names
    if kommune_status.empty:
        return pd.DataFrame(columns=cols)
    round_name = str(kommune_status["round"].iloc[0])
    version = klass.version_for(reference_dir, str(round_version))
    target = int(str(round_version)[:4])
    sources, skipped = _year_sources(kostra_df, target, version, reference_dir, crosswalk)
    if skipped:
        log.info("kostra cross-check: years not used (another kommune structure and no crosswalk, or no "
                 "structure): %s", ", ".join(map(str, skipped)))
    per_year = {src.year: kommune_values(kostra_df, src.year, "Frisklivssentral") for src in sources}

    inc = included(services)
    fls_ids = set(inc.loc[inc["organisering"].isin(FLS_ORGANISERING), "service_id"])
    org_of = dict(zip(inc["service_id"], inc["organisering"]))
    bridge = service_kommuner[service_kommuner["service_id"].isin(set(inc["service_id"]))]
    by_kommune: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for sid, k, rolle in zip(bridge["service_id"], bridge["kommunenummer"], bridge["rolle"]):
        by_kommune[str(k)].append((str(sid), str(rolle)))

    rows = []
    for rec in kommune_status.sort_values("kommunenummer").itertuples(index=False):
        k = str(rec.kommunenummer)
        svc = sorted(by_kommune.get(k, []))
        fls_svc = [(s, r) for s, r in svc if s in fls_ids]
        kv = _kostra_fls(per_year, sources, k)
        base = {"round": round_name, "kommunenummer": k, "kommunenavn": rec.kommunenavn,
                "har_tjeneste": rec.har_tjeneste, **kv}
        if fls_svc and kv["kostra_verdi"] == 0:
            avvik, note = AVVIK_FLS_KOSTRA_0, "the kartlegging found a frisklivssentral; KOSTRA reports none"
        elif fls_svc and kv["kostra_verdi"] is None:
            avvik, note = AVVIK_FLS_KOSTRA_MANGLER, "the kartlegging found a frisklivssentral; KOSTRA has no number"
        elif kv["kostra_verdi"] is not None and kv["kostra_verdi"] >= 1 and rec.har_tjeneste != "ja":
            avvik, note = (AVVIK_KOSTRA_FLS_INGEN_TJENESTE,
                           "KOSTRA reports a frisklivssentral; the kartlegging found no included service")
        else:
            continue
        chosen = fls_svc or svc
        if kv["oversatt"]:
            note += f"; KOSTRA {kv['kostra_aar']} translated to Klass {version}"
        rows.append({**base, "avvik": avvik, "service_ids": [s for s, _ in chosen],
                     "organisering": ",".join(sorted({str(org_of[s]) for s, _ in chosen})) or None,
                     "rolle": ",".join(sorted({r for _, r in chosen})) or None, "merknad": note})
    out = pd.DataFrame(rows, columns=cols)
    if not out.empty:
        out = out.sort_values(list(KOSTRA_CROSSCHECK.sort_by), kind="stable").reset_index(drop=True)
    return out



def cross_check_counts(check: pd.DataFrame) -> dict[str, int]:
    """How many kommuner of each kind of disagreement, every kind present (zero when none)."""
    kinds = (AVVIK_FLS_KOSTRA_0, AVVIK_FLS_KOSTRA_MANGLER, AVVIK_KOSTRA_FLS_INGEN_TJENESTE)
    counts = check["avvik"].value_counts().to_dict() if not check.empty else {}
    return {k: int(counts.get(k, 0)) for k in kinds}
