"""Kommune-level values read from the kostra table: one row per region, year and variable; Oslo from its bydeler."""

from __future__ import annotations

import pandas as pd

from kartlegging.core.classification import OSLO
from kartlegging.core.tables import FLAG_VARIABLES


def dedupe(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per region, year and variable: a number before a symbol, then the first file by name."""
    if frame.empty:
        return frame
    ordered = frame.assign(_missing=frame["value"].isna()).sort_values(
        ["region_code", "year", "variable", "_missing", "source_file"], kind="stable")
    return ordered.drop_duplicates(["region_code", "year", "variable"]).drop(columns="_missing")



def kommune_values(kostra: pd.DataFrame, year: int, variable: str) -> pd.DataFrame:
    """One row per kommune of ``year`` with columns ``region_code, value, status, via``. Oslo counts once.

    Oslo answers per bydel. Its kommune row is used when it holds a number;
    otherwise Oslo's value is derived from the bydeler (any bydel for a yes/no
    variable, the sum for a count), and ``via`` says ``bydeler``. Aggregates
    and unknown codes never enter.
    """
    cols = ["region_code", "value", "status", "via"]
    if kostra.empty:
        return pd.DataFrame(columns=cols)
    sel = dedupe(kostra[(kostra["year"] == year) & (kostra["variable"] == variable)])
    kom = sel[sel["region_level"] == "kommune"][["region_code", "value", "status"]].assign(via="kommune")
    by = sel[(sel["region_level"] == "bydel") & sel["value"].notna()]
    oslo = kom[kom["region_code"] == OSLO]
    if not by.empty and (oslo.empty or oslo["value"].isna().all()):
        value = float(by["value"].max() if variable in FLAG_VARIABLES else by["value"].sum())
        kom = pd.concat([kom[kom["region_code"] != OSLO],
                         pd.DataFrame([{"region_code": OSLO, "value": value, "status": None, "via": "bydeler"}])],
                        ignore_index=True)
    return kom[cols].sort_values("region_code").reset_index(drop=True)
