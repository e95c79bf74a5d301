"""Conservation: every raw file and record of a round is accounted for, or the run fails.

The ingest steps decide what becomes of each record; this module counts again,
independently, from the raw files the rules declare and the tables, and sets the
counts side by side. A record that went in and came out nowhere is *unaccounted*, and
a round with any unaccounted record stops. What a folder holds besides its records
(hidden files such as ``.DS_Store``, sub-folders: see :mod:`kartlegging.core.rawfolder`)
is never read; each row counts and names it (``ignored``, ``ignored_names``), so the
table still accounts for everything in the folder.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

OUTCOMES = ("ingested", "superseded", "autosvar", "review", "quarantined")


class ConservationError(ValueError):
    """Some raw records are not accounted for."""


def _row(round_name: str, source: str, unit: str, records_in: int, ignored: Sequence[str] = (),
         **outcomes: int) -> dict:
    counts = {k: int(outcomes.get(k, 0)) for k in OUTCOMES}
    names = sorted(set(ignored))
    return {"round": round_name, "source": source, "unit": unit, "records_in": int(records_in), **counts,
            "unaccounted": int(records_in) - sum(counts.values()),
            "ignored": len(names), "ignored_names": "; ".join(names) or None}


def email_conservation(round_name: str, epost_files: list[str], replies: pd.DataFrame,
                       ignored: Sequence[str] = ()) -> dict:
    """Files in epost/ against rows of email_replies, by status; ``ignored``: what else the folder holds."""
    names = {Path(f).name for f in epost_files}
    seen = replies.loc[replies["file"].isin(names)]
    by = seen["status"].value_counts().to_dict()
    return _row(round_name, "epost", "fil", len(names), ignored,
                ingested=by.get("svar", 0), superseded=by.get("erstattet", 0), autosvar=by.get("autosvar", 0),
                review=by.get("til_vurdering", 0), quarantined=by.get("karantene", 0))


def phone_conservation(round_name: str, records_in: int, attempts: pd.DataFrame, issues: pd.DataFrame) -> dict:
    """Rows of the phone log against attempts (resolved or in review) and quarantined rows.

    The phone log is required: one that cannot be used stops the run
    (:class:`kartlegging.ingest.phone.PhoneLogError`). Should an issue without a
    record still quarantine it as a whole, every row it holds is counted as
    quarantined with it, so that nothing is lost from view.
    """
    resolved = int(attempts["enhet_id"].notna().sum())
    unresolved = int(attempts["enhet_id"].isna().sum())
    # rows of the phone list with no call written down are no attempt: each has its review item
    not_called = int(((issues["source"] == "telefon") & (issues["reason_code"] == "telefon.ikke_ringt")).sum())
    tel = issues.loc[(issues["source"] == "telefon") & (issues["action"] == "quarantine")]
    quarantined = tel.loc[tel["record"] != "", "record"].nunique()
    if attempts.empty and (tel["record"] == "").any():
        quarantined += records_in
    return _row(round_name, "telefon", "rad", records_in, ingested=resolved, review=unresolved + not_called,
                quarantined=quarantined)


def interview_conservation(round_name: str, workbook_files: list[str], interviews: pd.DataFrame,
                           issues: pd.DataFrame, ignored: Sequence[str] = ()) -> dict:
    """Workbooks in intervjuer/ against interview rows (with a service, or waiting for review) and quarantine;
    ``ignored``: what else the folder holds."""
    names = {Path(f).name for f in workbook_files}
    rows = interviews.loc[interviews["file"].isin(names)]
    with_service = int(rows["service_id"].notna().sum())
    q = issues.loc[(issues["source"] == "intervju") & (issues["action"] == "quarantine")]
    quarantined = len(set(q["file"]) & names - set(rows["file"]))
    return _row(round_name, "intervju", "arbeidsbok", len(names), ignored, ingested=with_service,
                review=len(rows) - with_service, quarantined=quarantined)


def kostra_conservation(round_name: str, kostra_files: list[str], kostra: pd.DataFrame,
                        kostra_issues: pd.DataFrame, ignored: Sequence[str] = ()) -> dict:
    """Files in kostra/ (shared by the rounds) against the files that gave rows, the files read without
    a row (their items explain why: review), and the files quarantined. A file that gave no row and no
    item is unaccounted."""
    names = {Path(f).name for f in kostra_files}
    with_rows = set(kostra["source_file"]) & names if not kostra.empty else set()
    q = kostra_issues.loc[(kostra_issues["action"] == "quarantine") & (kostra_issues["record"] == "")]
    quarantined = set(q["file"]) & names - with_rows
    # an item may name several files (a value given differently in two): split the names
    itemised = {f for files in kostra_issues["file"] for f in str(files).split(",")} & names
    review = itemised - with_rows - quarantined
    return _row(round_name, "kostra", "fil", len(names), ignored, ingested=len(with_rows), review=len(review),
                quarantined=len(quarantined))


def dispatch_conservation(round_name: str, dispatch_rows_in: int, dispatch: pd.DataFrame) -> dict:
    return _row(round_name, "utsendelse", "rad", dispatch_rows_in, ingested=len(dispatch))


def check(frame: pd.DataFrame) -> None:
    """Fail naming each source whose records are not all accounted for."""
    bad = frame.loc[frame["unaccounted"] != 0]
    if not bad.empty:
        lines = "; ".join(f"{r.source}: {r.records_in} in, {r.unaccounted} unaccounted" for r in bad.itertuples())
        raise ConservationError(f"round {frame['round'].iloc[0]}: records lost between raw files and tables: {lines}")


def phone_rows_in(path: str | Path) -> int:
    """Rows of the phone log that record a call attempt, counted from the workbook itself.

    A row counts when any column the contract defines for an attempt
    (Kommune/bydel, Kommunenr, Dato, Kontakt, Svar) holds a value, a formula or
    an error value; ``#REF!`` reads as an empty string, yet the row is there
    and the ingest keeps it for review. ``Kommentar`` and columns the contract
    does not know are annotations, not attempts: a note in them on an otherwise
    empty row is no record (the ingest skips such rows too). When a required
    column is missing, every column but ``Kommentar`` counts, since the file's
    layout is then unknown and the whole file is quarantined.

    Returns 0 for a workbook that cannot be opened or lacks the sheet (its
    quarantine item accounts for the file; its rows cannot be counted).
    """
    from kartlegging.ingest.phone import COLUMNS, HEADER_SEARCH_ROWS, SHEET
    from kartlegging.ingest.workbook import WorkbookError, find_header, read_sheet

    try:
        sheet = read_sheet(Path(path), SHEET)
    except WorkbookError:
        return 0
    header, cols, missing = find_header(sheet, {**COLUMNS, "kommentar": "Kommentar"}, HEADER_SEARCH_ROWS)
    comment = cols.get("kommentar")
    if set(missing) - {"Kommentar"}:
        width = max((len(r) for r in sheet.rows), default=0)
        counted = [c for c in range(width) if c != comment]
    else:
        counted = [c for key, c in cols.items() if key != "kommentar"]
    count = 0
    for r in range(header + 1, len(sheet.rows)):
        if any((r, c) in sheet.bad_cells or not _blank(sheet.value(r, c)) for c in counted):
            count += 1
    return count


def _blank(value: object) -> bool:
    return value is None or str(value).strip() == ""


def dispatch_rows_in(path: str | Path) -> int:
    """Non-blank data rows of the dispatch list (header excluded), in any encoding, separator or workbook
    the dispatch reader accepts."""
    from kartlegging.ingest.dispatch import dispatch_rows

    return dispatch_rows(path)
