"""The phone round's log (``telefonrunde.xlsx``): blank for a new round, then pre-filled with whom to call.

After the e-mail deadline, ``make phone-list ROUND=<round>`` writes the log the phone ingest reads
(sheet ``Telefonrunde``, header in row 1: ``Kommune/bydel | Kommunenr | Dato | Kontakt | Svar |
Kommentar``) with one row per unit that has no e-mail reply, in the order of the dispatch list,
and the unit's switchboard in an extra column ``Sentralbord`` (the ingest reads only the columns of
the contract). The caller fills in ``Dato``, ``Kontakt`` and ``Svar`` on the unit's row and adds a
row below it for every further attempt. A row nobody filled in is no call: the phone ingest lists
it for review (``telefon.ikke_ringt``) and the unit counts as not phoned.

Who replied is decided by the pipeline's own e-mail ingest (:mod:`.replies`), with the round's
overrides: an e-mail nobody could attribute yet leaves its unit on the list, so the command says
how many there are (``make review`` shows them).
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from kartlegging.survey.contacts import find_contact_file, read_contacts
from kartlegging.survey.context import RoundContext, SurveyError
from kartlegging.survey.letters import Written

SHEET = "Telefonrunde"
HEADER = ("Kommune/bydel", "Kommunenr", "Dato", "Kontakt", "Svar", "Kommentar", "Sentralbord")
WIDTHS = (28, 11, 12, 22, 22, 50, 16)


def _save(wb: Workbook, path: Path) -> None:
    """Saved with fixed document properties (no author name, no save time of a person's machine)."""
    from datetime import datetime

    stamp = datetime(2000, 1, 1)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "kartlegging"
    wb.properties.lastModifiedBy = "kartlegging"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def _sheet(rows: list[list[object]]) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(list(HEADER))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    for n in range(2, len(rows) + 2):
        ws.cell(row=n, column=2).number_format = "@"   # keep 0301 as typed, not the number 301
        ws.cell(row=n, column=3).number_format = "dd.mm.yyyy"
    for col, width in zip("ABCDEFG", WIDTHS, strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    return wb


def write_blank(path: Path) -> None:
    """The blank phone log of a new round: the header only (the pipeline reads it as no calls yet)."""
    _save(_sheet([]), path)


def calls_recorded(path: Path) -> int:
    """Rows of a phone log with a call written down (``Dato``, ``Kontakt`` or ``Svar``)."""
    from kartlegging.ingest.phone import HEADER_SEARCH_ROWS
    from kartlegging.ingest.workbook import WorkbookError, find_header, read_sheet

    try:
        sheet = read_sheet(path, SHEET)
    except WorkbookError as exc:
        raise SurveyError(f"{path}: {exc}") from None
    header, cols, _ = find_header(sheet, {"dato": "Dato", "kontakt": "Kontakt", "svar": "Svar"}, HEADER_SEARCH_ROWS)
    return sum(1 for r in range(header + 1, len(sheet.rows))
               if any(str(sheet.value(r, c) or "").strip() for c in cols.values()))


def write_phone_list(ctx: RoundContext, force: bool = False) -> tuple[Written, list[str]]:
    """The phone log with one row per unit without an e-mail reply; returns the summary and those units.

    Refuses to replace a log in which calls are already written down, unless ``force``.
    """
    from kartlegging.survey.replies import read_replies

    path = ctx.round_dir / "telefonrunde.xlsx"
    if path.exists() and not force:
        done = calls_recorded(path)
        if done:
            raise SurveyError(f"{path} already records {done} call(s); the phone list is written once, before the "
                              "calls (add FORCE=1 or --force to replace it)")
    replies = read_replies(ctx)
    contacts = {c.enhet_id: c for c in read_contacts(find_contact_file(ctx.round_dir), ctx.classification)[0]}
    todo = replies.without_reply
    rows: list[list[object]] = []
    for enhet in todo:
        c = contacts.get(enhet)
        name = c.enhet_navn if c else ctx.classification.unit_name(enhet)
        number = enhet[1:]  # four digits for a kommune, six for a bydel
        rows.append([name, number, None, None, None, None, c.sentralbord if c else None])
    _save(_sheet(rows), path)
    lines = [f"wrote {path}: {len(todo)} units without an e-mail reply (of {len(replies.units)}); "
             f"{len(replies.replied)} replied"]
    if replies.unidentified:
        lines.append(f"warning: {replies.unidentified} e-mail(s) are not yet attributed to a unit; their senders "
                     f"may be on the list (make review ROUND={ctx.round}, then settle them in {ctx.overrides_file})")
    return Written(lines), todo
