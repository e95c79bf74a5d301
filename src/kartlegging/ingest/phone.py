"""Ingest of the phone round log (``telefonrunde.xlsx``) into attempts and per-unit answers.

Units that did not answer the e-mailed questionnaire were phoned; the caller
logged one row per attempt on sheet ``Telefonrunde``. Names are typed freely
(``Aurskog Høland``, ``Herøy (Nordland)``), numbers lose their leading zero
(``301``), dates arrive as Excel dates or text. A unit's phone answer is its
last conclusive attempt; a unit reached only inconclusively is ``ikke_nådd``. A row
that names a unit but records no call (no ``Dato``, ``Kontakt`` or ``Svar``: a line of
the phone list ``make phone-list`` wrote, not yet called) is no attempt; it goes to
review as ``telefon.ikke_ringt``.

The ``Kommentar`` column is free text that may name people: it is never read.
``Kontakt`` should hold a role (sentralbord, helseleder) but may name the
person who answered; only the roles it names are kept
(:func:`kartlegging.core.coding.kontakt_role`), never the typed text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from kartlegging.core import coding
from kartlegging.core.classification import Classification, Resolution, unresolved_reason
from kartlegging.core.coding import CodingError, cell_text, is_empty
from kartlegging.core.errors import InputError
from kartlegging.core.issues import Issue
from kartlegging.core.overrides import Override, OverrideError
from kartlegging.core.tables import PHONE_ATTEMPTS, PHONE_UNITS
from kartlegging.ingest.workbook import WorkbookError, cell_ref, find_header, read_sheet

SOURCE = "telefon"
SHEET = "Telefonrunde"
#: Columns read, by key, as the contract spells them. ``Kommentar`` is optional and never read.
COLUMNS: dict[str, str] = {
    "navn": "Kommune/bydel", "nr": "Kommunenr", "dato": "Dato", "kontakt": "Kontakt", "svar": "Svar",
}
HEADER_SEARCH_ROWS = 10
CONCLUSIVE = ("ja", "nei", "vet_ikke")
OVERRIDE_KEYS = {"enhet_id", "kommunenummer", "svar"}


@dataclass
class PhoneResult:
    """Attempts and per-unit answers of the phone round, with issues and the overrides used.

    ``empty_rows`` counts rows skipped because every read column was empty (a
    row holding only a comment counts here too, since comments are not read).
    """

    attempts: pd.DataFrame
    units: pd.DataFrame
    issues: list[Issue]
    applied: set[str]
    empty_rows: int = 0
    #: per override, the value each field it set had from the rules (the audit trail of appendix B)
    before: dict[str, dict[str, object]] = field(default_factory=dict)


def _frame(rows: list[dict[str, object]], columns: list[str]) -> pd.DataFrame:
    """A frame in the declared column order; object dtype keeps None and dates as they are."""
    return pd.DataFrame({c: pd.Series([r.get(c) for r in rows], dtype=object) for c in columns})


class PhoneLogError(InputError):
    """The phone log, a required source, cannot be used at all: the run stops naming the file and why.
    Quarantining it would let a round run on with every phoned unit ``ukjent``."""


def _override_unit(o: Override, classification: Classification) -> str:
    """The unit an override names, by ``enhet_id`` or ``kommunenummer``; an unknown one is an error."""
    if "enhet_id" in o.set:
        enhet = str(o.set["enhet_id"]).strip()
        code = enhet[1:]
        if (enhet.startswith("K") and code in classification.kommuner) or (
                enhet.startswith("B") and code in classification.bydeler):
            return enhet
        raise OverrideError(f"override {o.id}: {enhet!r} is no unit of the {classification.version} classification "
                            "[fix: K and the kommunenummer, or B and the bydelsnummer, of the round's classification]")
    res = classification.resolve_number(o.set["kommunenummer"])
    if not res.ok or not res.enhet_id.startswith("K"):
        raise OverrideError(f"override {o.id}: {o.set['kommunenummer']!r} is not a kommune of the "
                            f"{classification.version} classification [fix: the kommune's number in that version]")
    return res.enhet_id


def _row_overrides(overrides: list[Override], file: str) -> dict[str, Override]:
    """Overrides of this workbook by Excel row; a malformed one is an error naming it."""
    out: dict[str, Override] = {}
    for o in overrides:
        if o.source != SOURCE or o.file != file:
            continue
        record = o.record.strip()
        if not record.isdigit():
            raise OverrideError(f"override {o.id}: record {o.record!r} must be the Excel row number")
        extra = set(o.set) - OVERRIDE_KEYS
        if extra:
            raise OverrideError(f"override {o.id}: cannot set {', '.join(sorted(extra))} on a phone attempt "
                                f"(allowed: {', '.join(sorted(OVERRIDE_KEYS))})")
        if "svar" in o.set and o.set["svar"] not in coding.PHONE_CODES:
            raise OverrideError(f"override {o.id}: svar must be one of {', '.join(coding.PHONE_CODES)}")
        if str(int(record)) in out:
            raise OverrideError(f"overrides {out[str(int(record))].id} and {o.id} both target {file} row {record}")
        out[str(int(record))] = o
    return out


def _resolve(name: str | None, number: str | None,
             classification: Classification) -> tuple[Resolution, tuple[str, str] | None]:
    """Resolve a typed name and number; returns the resolution and, if any, a review (code, reason).

    An ambiguous name without a deciding number is never resolved to its first
    candidate. A number that is no unit of the classification while the name
    resolves is flagged, since the two then disagree about what was meant.
    """
    if name is None and number is None:
        return Resolution("unknown"), ("telefon.ingen_enhet", "no kommune or bydel named")
    res = classification.resolve(name=name, number=number)
    if not res.ok:
        reason = unresolved_reason(res, name or number or "", classification)
        if name is not None and number is not None and not classification.resolve_number(number).ok:
            reason += f"; the number {number} is no unit of the {classification.version} classification either"
        code = {"ambiguous": "telefon.tvetydig_navn", "conflict": "telefon.navn_og_nummer_strider"}.get(
            res.status, "telefon.ukjent_enhet")
        return res, (code, reason)
    if number is not None and name is not None and not classification.resolve_number(number).ok:
        return res, ("telefon.ukjent_nummer", f"number {number} is no unit of the {classification.version} "
                     f"classification; the unit is taken from the name")
    return res, None


def ingest_phone(path: str | Path, classification: Classification, dispatch_units: set[str], round_name: str,
                 overrides: list[Override]) -> PhoneResult:
    """Read the phone log into attempts (one per row) and units (one per resolved unit).

    A file that cannot be read, lacks sheet ``Telefonrunde`` or a required
    column raises :class:`PhoneLogError` (the phone log is required: the run
    stops with one line naming the file and the reason). Within the sheet, what the rules cannot decide goes to review
    with the Excel row as record: unresolved, ambiguous or conflicting units,
    units not in ``dispatch_units``, unreadable dates, unrecognised answers, and
    formulas or error values in a read column. Overrides (source ``telefon``,
    record = Excel row) may set ``enhet_id``, ``kommunenummer`` or ``svar``.
    """
    p = Path(path)
    file = p.name
    try:
        sheet = read_sheet(p, SHEET)
    except WorkbookError as exc:
        raise PhoneLogError(f"{p}: required phone log cannot be used: {exc}") from None
    header_row, cols, missing = find_header(sheet, COLUMNS, HEADER_SEARCH_ROWS)
    if missing:
        # The cells of the row are not quoted: when no header is found the best row may be data a
        # person typed (a contact's name); the analyst sees the sheet itself.
        raise PhoneLogError(f"{p}: required phone log cannot be used: sheet {sheet.name!r}: required column(s) "
                            f"{', '.join(repr(m) for m in missing)} not found in the header "
                            f"(best match: row {header_row + 1} of the first {HEADER_SEARCH_ROWS})")

    by_row = _row_overrides(overrides, file)
    applied: set[str] = set()
    before: dict[str, dict[str, object]] = {}
    issues: list[Issue] = []
    attempts: list[dict[str, object]] = []
    empty_rows = 0
    for r in range(header_row + 1, len(sheet.rows)):
        excel_row = r + 1
        record = str(excel_row)
        cells: dict[str, object] = {}
        row_issues: list[Issue] = []
        for key, c in cols.items():
            bad = sheet.bad_cells.get((r, c))
            if bad:
                row_issues.append(Issue(SOURCE, file, record, COLUMNS[key], "telefon.formel_eller_feilverdi",
                                        f"{bad.split(' ', 1)[0]} where a typed value should be",
                                        locator=cell_ref(r, c)))
                cells[key] = None
            else:
                cells[key] = sheet.value(r, c)
        if not row_issues and all(is_empty(v) for v in cells.values()):
            empty_rows += 1
            continue
        name, number = cell_text(cells["navn"]), cell_text(cells["nr"])
        if not row_issues and all(is_empty(cells[k]) for k in ("dato", "kontakt", "svar")):
            # a unit of the phone list (`make phone-list`) with no call written down: not an attempt, so
            # the unit does not count as phoned; kept for review, since someone meant to call it
            issues.append(Issue(SOURCE, file, record, "Svar", "telefon.ikke_ringt",
                                "listed for the phone round but no call is recorded (no Dato, Kontakt or Svar); "
                                "the unit counts as not phoned", locator=f"row {excel_row}"))
            continue
        res, problem = _resolve(name, number, classification)
        enhet = res.enhet_id
        if problem:
            row_issues.append(Issue(SOURCE, file, record, "enhet_id", problem[0], problem[1],
                                    locator=cell_ref(r, cols["navn"] if name is not None else cols["nr"])))
        try:
            dato = coding.parse_date(cells["dato"])
        except CodingError as exc:
            dato = None
            row_issues.append(Issue(SOURCE, file, record, "dato", "telefon.dato_uleselig", str(exc),
                                    locator=cell_ref(r, cols["dato"])))
        svar_raw = cell_text(cells["svar"])
        try:
            svar = coding.code_phone_answer(cells["svar"], strict=True)
        except CodingError as exc:
            svar = "ikke_konklusiv"
            row_issues.append(Issue(SOURCE, file, record, "svar", "telefon.svar_ukjent",
                                    f"{exc}; coded ikke_konklusiv until an analyst decides",
                                    locator=cell_ref(r, cols["svar"])))
        o = by_row.get(record)
        if o is not None:
            applied.add(o.id)
            had = {"enhet_id": enhet, "kommunenummer": _kommune_of(enhet), "svar": svar}
            before[o.id] = {key: had.get(key) for key in o.set}
            if "enhet_id" in o.set or "kommunenummer" in o.set:
                enhet = _override_unit(o, classification)
                row_issues = [replace(i, resolved_by=o.id) if i.field in {"enhet_id", "Kommune/bydel", "Kommunenr"}
                              else i for i in row_issues]
            if "svar" in o.set:
                svar = str(o.set["svar"])
                row_issues = [replace(i, resolved_by=o.id) if i.field in {"svar", "Svar"} else i for i in row_issues]
        if enhet is not None and enhet not in dispatch_units:
            row_issues.append(Issue(SOURCE, file, record, "enhet_id", "telefon.ikke_i_utsendelsen",
                                    f"phoned unit {enhet} is not in the dispatch list", locator=f"row {excel_row}"))
        issues += row_issues
        attempts.append({
            "round": round_name, "file": file, "row": excel_row, "navn_raw": name, "kommunenr_raw": number,
            "enhet_id": enhet, "kommunenummer": _kommune_of(enhet), "dato": dato,
            "kontakt": coding.kontakt_role(cells["kontakt"]), "svar_raw": plain_answer(svar_raw), "svar": svar,
        })
    units = decide_units(attempts, round_name)
    return PhoneResult(_frame(attempts, PHONE_ATTEMPTS.column_names), _frame(units, PHONE_UNITS.column_names),
                       issues, applied, empty_rows, before)


def plain_answer(text: str | None) -> str | None:
    """The typed ``Svar`` when it is a plain answer word (``Ja``, ``nei.``, ``vet ikke``), else None.

    Anything longer may be the caller's notes about a person (``ring Kari tilbake``): it stays in
    the raw file, and the review command shows it when the attempt is in review.
    """
    if text is None or coding.code_answer(coding.fold(text)) is None:
        return None
    return text.strip()


def _kommune_of(enhet: str | None) -> str | None:
    if enhet is None:
        return None
    return enhet[1:5] if enhet.startswith("K") else "0301"


def decide_units(attempts: list[dict[str, object]], round_name: str) -> list[dict[str, object]]:
    """One row per resolved unit: its last conclusive attempt, or ``ikke_nådd``.

    Attempts are ordered by date, then by Excel row; an attempt without a date
    sorts before every dated one of the unit, because a dated answer is the
    firmer record of when something was said. ``siste_dato`` is the date of the
    deciding attempt, or for ``ikke_nådd`` the latest date of any attempt.
    """
    by_unit: dict[str, list[dict[str, object]]] = {}
    for a in attempts:
        if a["enhet_id"] is not None:
            by_unit.setdefault(a["enhet_id"], []).append(a)  # type: ignore[arg-type]
    out = []
    for enhet in sorted(by_unit):
        ordered = sorted(by_unit[enhet], key=lambda a: (a["dato"] or dt.date.min, a["row"]))
        conclusive = [a for a in ordered if a["svar"] in CONCLUSIVE]
        if conclusive:
            svar, siste = conclusive[-1]["svar"], conclusive[-1]["dato"]
        else:
            dates = [a["dato"] for a in ordered if a["dato"] is not None]
            svar, siste = "ikke_nådd", max(dates) if dates else None
        out.append({"round": round_name, "enhet_id": enhet, "kommunenummer": _kommune_of(enhet), "svar": svar,
                    "forsok": len(ordered), "siste_dato": siste})
    return out
