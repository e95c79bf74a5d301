"""Conservation: every raw file and record of a round is accounted for, or the run fails.

The ingest steps decide what becomes of each record; this module counts again,
independently, from the raw folder listing and the tables, and sets the counts
side by side. A record that went in and came out nowhere is *unaccounted*, and
a round with any unaccounted record stops.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

OUTCOMES = ("ingested", "superseded", "autosvar", "review", "quarantined")


class ConservationError(ValueError):
    """Some raw records are not accounted for."""


def _row(round_name: str, source: str, unit: str, records_in: int, **outcomes: int) -> dict:
    counts = {k: int(outcomes.get(k, 0)) for k in OUTCOMES}
    return {"round": round_name, "source": source, "unit": unit, "records_in": int(records_in), **counts,
            "unaccounted": int(records_in) - sum(counts.values())}


def email_conservation(round_name: str, epost_files: list[str], replies: pd.DataFrame) -> dict:
    """Files in epost/ against rows of email_replies, by status."""
    names = {Path(f).name for f in epost_files}
    seen = replies.loc[replies["file"].isin(names)]
    by = seen["status"].value_counts().to_dict()
    return _row(round_name, "epost", "fil", len(names),
                ingested=by.get("svar", 0), superseded=by.get("erstattet", 0), autosvar=by.get("autosvar", 0),
                review=by.get("til_vurdering", 0), quarantined=by.get("karantene", 0))


def phone_conservation(round_name: str, records_in: int, attempts: pd.DataFrame, issues: pd.DataFrame) -> dict:
    """Non-empty rows of the phone log against attempts (resolved or in review) and quarantined rows."""
    resolved = int(attempts["enhet_id"].notna().sum())
    unresolved = int(attempts["enhet_id"].isna().sum())
    q = issues.loc[(issues["source"] == "telefon") & (issues["action"] == "quarantine") & (issues["record"] != "")]
    return _row(round_name, "telefon", "rad", records_in, ingested=resolved, review=unresolved,
                quarantined=q["record"].nunique())


def interview_conservation(round_name: str, workbook_files: list[str], interviews: pd.DataFrame,
                           issues: pd.DataFrame) -> dict:
    """Workbooks in intervjuer/ against interview rows (with a service, or waiting for review) and quarantine."""
    names = {Path(f).name for f in workbook_files}
    rows = interviews.loc[interviews["file"].isin(names)]
    with_service = int(rows["service_id"].notna().sum())
    q = issues.loc[(issues["source"] == "intervju") & (issues["action"] == "quarantine")]
    quarantined = len(set(q["file"]) & names - set(rows["file"]))
    return _row(round_name, "intervju", "arbeidsbok", len(names), ingested=with_service,
                review=len(rows) - with_service, quarantined=quarantined)


def dispatch_conservation(round_name: str, dispatch_rows_in: int, dispatch: pd.DataFrame) -> dict:
    return _row(round_name, "utsendelse", "rad", dispatch_rows_in, ingested=len(dispatch))


def check(frame: pd.DataFrame) -> None:
    """Fail naming each source whose records are not all accounted for."""
    bad = frame.loc[frame["unaccounted"] != 0]
    if not bad.empty:
        lines = "; ".join(f"{r.source}: {r.records_in} in, {r.unaccounted} unaccounted" for r in bad.itertuples())
        raise ConservationError(f"round {frame['round'].iloc[0]}: records lost between raw files and tables: {lines}")


def phone_rows_in(path: str | Path) -> int:
    """Rows of the phone log that hold anything besides a comment, counted from the workbook itself.

    Returns 0 for a workbook that cannot be read (its quarantine item accounts for it).
    """
    from kartlegging.ingest_interviews import WorkbookError, find_header, read_sheet
    from kartlegging.ingest_phone import COLUMNS, HEADER_SEARCH_ROWS

    try:
        sheet = read_sheet(Path(path), "Telefonrunde")
    except WorkbookError:
        return 0
    header, cols, missing = find_header(sheet, {**COLUMNS, "kommentar": "Kommentar"}, HEADER_SEARCH_ROWS)
    if set(missing) - {"Kommentar"}:
        return 0
    comment = cols.get("kommentar")
    count = 0
    for row in sheet.rows[header + 1:]:
        cells = [v for c, v in enumerate(row) if c != comment]
        if any(v is not None and str(v).strip() != "" for v in cells):
            count += 1
    return count


def dispatch_rows_in(path: str | Path) -> int:
    """Non-blank data lines of the dispatch CSV (header excluded)."""
    import csv

    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    return sum(1 for r in rows[1:] if any(cell.strip() for cell in r))
