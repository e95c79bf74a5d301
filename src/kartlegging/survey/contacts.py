"""The contact list (``kontaktliste.csv``): who gets a letter, at which address, and the switchboard to phone.

``make new-round`` writes it with one row per unit of the round's Klass 131 version (every
kommune, then Oslo's bydeler) and the address columns empty; the analyst fills them in, in
Excel if they like (any encoding and separator Excel saves, or ``kontaktliste.xlsx``:
:mod:`kartlegging.ingest.listfile`). :func:`read_contacts` checks it against the
classification before a single letter is written: every kommune once, every bydel once,
nothing else, a valid address on every row. All problems are listed at once, by line, never
with the address itself (it is personal data).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from kartlegging.core.classification import OSLO, Classification
from kartlegging.survey.context import SurveyError

COLUMNS = ("enhet_id", "kommunenummer", "bydelsnummer", "enhet_navn", "epost", "sentralbord")
NAMES = ("kontaktliste.csv", "kontaktliste.xlsx")
_ADDRESS = re.compile(r"^[^@\s<>;,]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+$")
_PHONE = re.compile(r"^(?:\+|00)?[\d\s\-().]{8,20}$")
MAX_LISTED = 25


@dataclass(frozen=True)
class Contact:
    """One recipient: the unit, the name used in the letter, its address and switchboard."""

    enhet_id: str
    kommunenummer: str
    bydelsnummer: str
    enhet_navn: str
    epost: str
    sentralbord: str


def units_of(classification: Classification) -> list[tuple[str, str, str, str]]:
    """Every unit a round asks: ``(enhet_id, kommunenummer, bydelsnummer, name)``; kommuner by number,
    then Oslo's bydeler (when Oslo is a kommune of the version)."""
    out = [(f"K{k.code}", k.code, "", k.name) for k in sorted(classification.kommuner.values(), key=lambda k: k.code)]
    if OSLO in classification.kommuner:
        out += [(f"B{code}", OSLO, code, f"Bydel {name}") for code, name in sorted(classification.bydeler.items())]
    return out


def csv_bytes(header: tuple[str, ...] | list[str], rows: list[list[str]]) -> bytes:
    """UTF-8 with BOM, ``;``-separated, CRLF: what Excel on a Norwegian machine opens as it is."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def template_bytes(classification: Classification) -> bytes:
    """The blank contact list: every unit of the round, addresses and switchboards to fill in."""
    return csv_bytes(COLUMNS, [[e, k, b, n, "", ""] for e, k, b, n in units_of(classification)])


def find_contact_file(round_dir: Path) -> Path:
    found = [round_dir / n for n in NAMES if (round_dir / n).is_file()]
    if len(found) > 1:
        raise SurveyError(f"{round_dir}: two contact lists ({', '.join(p.name for p in found)}); keep one")
    if not found:
        raise SurveyError(f"{round_dir / NAMES[0]}: contact list not found (make new-round writes it)")
    return found[0]


def _unit_of(values: dict[str, str], classification: Classification) -> tuple[str | None, str]:
    """The unit a row names, by ``enhet_id`` or by kommunenummer and bydelsnummer; or (None, why)."""
    enhet = values.get("enhet_id", "").strip().upper()
    knr = values.get("kommunenummer", "").strip()
    bnr = values.get("bydelsnummer", "").strip()
    if knr.isdigit() and len(knr) <= 4:
        knr = knr.zfill(4)
    if bnr.isdigit() and len(bnr) <= 6:
        bnr = bnr.zfill(6)
    derived = f"B{bnr}" if bnr else (f"K{knr}" if knr else "")
    if enhet and derived and enhet != derived:
        return None, f"enhet_id {enhet} disagrees with kommunenummer/bydelsnummer ({derived})"
    enhet = enhet or derived
    if not enhet:
        return None, "no enhet_id or kommunenummer"
    if enhet.startswith("K") and enhet[1:] in classification.kommuner:
        return enhet, ""
    if enhet.startswith("B") and enhet[1:] in classification.bydeler and OSLO in classification.kommuner:
        return enhet, ""
    return None, f"{enhet} is no kommune or bydel of Klass 131 version {classification.version}"


def read_contacts(path: Path, classification: Classification) -> tuple[list[Contact], list[str]]:
    """The contacts in the order of :func:`units_of`, and warnings (switchboards missing).

    Raises :class:`SurveyError` listing every problem: a row naming no unit of the round, a unit
    twice, a unit missing, an address missing or not an address (one per row).
    """
    from kartlegging.ingest.listfile import ListFileError, read_list

    try:
        listed = read_list(path, COLUMNS)
    except ListFileError as exc:
        raise SurveyError(str(exc)) from None
    if "epost" not in listed.header or not {"enhet_id", "kommunenummer"} & set(listed.header):
        raise SurveyError(f"{path}: needs the columns enhet_id (or kommunenummer and bydelsnummer) and epost; "
                          f"header has {', '.join(listed.header) or 'nothing'} (read as {listed.how})")
    where = listed.where
    problems: list[str] = []
    seen: dict[str, int] = {}
    found: dict[str, Contact] = {}
    names = {e: n for e, _, _, n in units_of(classification)}
    for line, values in listed.rows:
        enhet, why = _unit_of(values, classification)
        if enhet is None:
            problems.append(f"{where} {line}: {why}")
            continue
        if enhet in seen:
            problems.append(f"{where} {line}: {enhet} {names[enhet]} is listed twice (first on {where} {seen[enhet]})")
            continue
        seen[enhet] = line
        address = values.get("epost", "").strip().strip("<>").strip()
        if not address:
            problems.append(f"{where} {line}: no e-mail address for {enhet} {names[enhet]} (column epost)")
        elif not _ADDRESS.match(address):
            problems.append(f"{where} {line}: the address for {enhet} {names[enhet]} is not one e-mail address")
        phone = values.get("sentralbord", "").strip()
        if phone and not _PHONE.match(phone):
            problems.append(f"{where} {line}: the switchboard number for {enhet} {names[enhet]} is not a phone number")
        found[enhet] = Contact(enhet, enhet[1:5] if enhet.startswith("K") else OSLO,
                               enhet[1:] if enhet.startswith("B") else "",
                               values.get("enhet_navn", "").strip() or names[enhet], address, phone)
    missing = [f"{e} {n}" for e, _, _, n in units_of(classification) if e not in seen]
    if missing:
        shown = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
        problems.append(f"missing from the list ({len(missing)} of {len(names)} units of Klass 131 version "
                        f"{classification.version}): {shown}")
    if problems:
        head = problems[:MAX_LISTED] + ([f"... and {len(problems) - MAX_LISTED} more"] if len(problems) > MAX_LISTED
                                        else [])
        raise SurveyError(f"{path} (read as {listed.how}) cannot be used yet:\n  " + "\n  ".join(head))
    warnings = []
    no_phone = [e for e, c in found.items() if not c.sentralbord]
    if no_phone:
        warnings.append(f"{len(no_phone)} unit(s) have no switchboard number (sentralbord): the phone list "
                        "will have none for them")
    return [found[e] for e, _, _, _ in units_of(classification)], warnings
