"""telefonrunde.xlsx: the log of calls to the units that did not answer by e-mail.

One row per call attempt, typed by a caller in a hurry: names without hyphens or
in lower case, the Norwegian part of a Sami name, numbers that lost their
leading zero in Excel, dates as Excel dates or as text. A few kommuner that
share a name with another are logged by the bare name and no number; those rows
cannot be resolved by rule and are settled in the overrides file (one is left
open on purpose, since a later attempt for the same kommune is logged clearly).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from kartlegging.core.classification import Classification
from kartlegging_synth.common import People, display_name, save_workbook
from kartlegging_synth.design import Design, Unit

SHEET = "Telefonrunde"
HEADER = ("Kommune/bydel", "Kommunenr", "Dato", "Kontakt", "Svar", "Kommentar")

#: Kommuner logged by a bare ambiguous name: (bare name, mode, attempts, later typing).
#: ``settle``: every row of the unit is bare and is settled by an override (the
#: unit would otherwise be missing from the phone round); ``settle_first``: only
#: the first, inconclusive attempt is bare and is settled; ``open``: likewise,
#: but left open for the analyst, since a later attempt names the kommune.
BARE_AMBIGUOUS: dict[str, tuple[str, str, int, str | None]] = {
    "K1818": ("Herøy", "settle_first", 2, "Herøy (Nordland)"),
    "K0236": ("Nes", "settle", 1, None),
    "K0713": ("Sande", "settle", 1, None),
    "K1867": ("Bø", "settle", 2, None),
    "K0426": ("Våler", "settle", 1, None),
    "K0441": ("Os", "open", 2, "Os i Hedmark"),
}
#: Fixed typings that show the other ways a name or number gets written.
FIXED_TYPING: dict[str, tuple[str, object]] = {
    "K0137": ("Våler i Østfold", 137),
    "K1515": ("Herøy", "1515"),
    "K0821": ("Bø i Telemark", None),
    "K1243": ("Os", 1243),
    "K0616": ("Nes i Buskerud", None),
    "K1514": ("Sande (Møre og Romsdal)", None),
    "K0829": ("Kvitesseid", 829),          # misspelt; the number decides
    "K0221": ("Aurskog Høland", None),
    "K0612": ("Hole", None),
    "K2011": ("Kautokeino", None),
    "K0101": ("Halden", 101),              # the leading zero lost in Excel
    "B030102": ("Bydel Grünerløkka", 301),  # Oslo's number with a bydel name
}
_CONTACTS = ("sentralbord", "servicetorg", "helseleder", "frisklivssentral", "kommunalsjef helse",
             "helsesøster", "fysioterapeut", "rådmannens kontor", "enhetsleder helse", "kommuneoverlege")
_BYDEL_CONTACTS = ("bydelsadministrasjonen", "helsestasjon", "frisklivssentral", "sentralbord")
_TYPED = {"ja": ("Ja", "ja", "JA", "Ja."), "nei": ("nei", "Nei", "Nei.", "nei"),
          "vet_ikke": ("usikker", "vet ikke", "Vet ikke", "usikker")}
_INCONCLUSIVE = ("ikke svar", "ringer tilbake", "Ikke svar", "ikke svar", "ringer tilbake")


@dataclass
class PhoneRow:
    """One call attempt as typed."""

    enhet_id: str
    navn: str
    nummer: object
    dato: date
    dato_as_text: str | None
    kontakt: str
    svar: str
    kommentar: str
    review: str | None = None   # "settle" or "open" for a bare ambiguous name


def _workdays(first: date, last: date) -> list[date]:
    days = [first + timedelta(d) for d in range((last - first).days + 1)]
    return [d for d in days if d.weekday() < 5 and not (date(2014, 12, 22) <= d <= date(2015, 1, 2))]


class PhoneWriter:
    """Builds the call log of one (copy of a) round."""

    def __init__(self, design: Design, rng: random.Random, people: People) -> None:
        self.design = design
        self.c: Classification = design.classification
        self.rng = rng
        self.people = people
        self.personal: set[str] = set()

    def _typed_name(self, unit: Unit) -> tuple[str, object]:
        rng = self.rng
        if unit.enhet_id in FIXED_TYPING and unit.enhet_id not in BARE_AMBIGUOUS:
            return FIXED_TYPING[unit.enhet_id]
        if unit.enhet_id.startswith("B"):
            bydel = self.c.bydeler[unit.enhet_id[1:]]
            name = rng.choice([f"Bydel {bydel}", bydel, f"bydel {bydel.lower()}", f"{bydel} bydel"])
            number = rng.choice([None, None, 301, "0301", unit.enhet_id[1:]])
            return name, number
        k = self.c.kommuner[unit.kommunenummer]
        variants = [k.name, display_name(k), k.name.replace("-", " "), k.name.lower(), f"{display_name(k)} kommune"]
        name = rng.choices(variants, [30, 25, 20, 15, 10])[0]
        roll = rng.random()
        if roll < 0.55:
            number: object = None
        elif roll < 0.8:
            number = k.code
        else:
            number = int(k.code)
        return name, number

    def rows(self) -> list[PhoneRow]:
        """Every attempt, in the order the caller logged them (by date)."""
        rng = self.rng
        days = _workdays(date(2014, 11, 24), date(2015, 1, 16))
        out: list[PhoneRow] = []
        for enhet in sorted(self.design.units):
            unit = self.design.units[enhet]
            if unit.phone is None:
                continue
            name, number = self._typed_name(unit)
            bare = BARE_AMBIGUOUS.get(enhet)
            attempts = bare[2] if bare else unit.phone.attempts
            if unit.phone.final is None:
                attempts = max(2, attempts)
            positions = [rng.randrange(0, len(days) - 16)]
            while len(positions) < attempts:
                positions.append(positions[-1] + rng.randint(1, 5))
            for n, pos in enumerate(positions):
                last = n == attempts - 1
                conclusive = last and unit.phone.final is not None
                kontakt, svar, kommentar = self._attempt(unit, conclusive)
                row_name, row_number, review = name, number, None
                if bare and (bare[1] == "settle" or n == 0):
                    row_name, row_number = bare[0], None
                    review = "open" if bare[1] == "open" else "settle"
                elif bare:
                    row_name, row_number = bare[3], None
                if review is None:
                    res = self.c.resolve(row_name, row_number)
                    if res.enhet_id != enhet:
                        raise AssertionError(f"phone row typed {row_name!r}/{row_number!r} resolves to "
                                             f"{res.status} {res.enhet_id}, not {enhet}")
                when = days[min(pos, len(days) - 1)]
                as_text = None
                if rng.random() < 0.3:
                    as_text = when.strftime("%d.%m.%Y") if rng.random() < 0.8 else when.strftime("%d.%m.%y")
                out.append(PhoneRow(enhet, row_name, row_number, when, as_text, kontakt, svar, kommentar, review))
        order = {id(r): rng.random() for r in out}
        out.sort(key=lambda r: (r.dato, order[id(r)]))
        return out

    def _attempt(self, unit: Unit, conclusive: bool) -> tuple[str, str, str]:
        rng = self.rng
        contacts = _BYDEL_CONTACTS if unit.enhet_id.startswith("B") else _CONTACTS
        if not conclusive:
            served = unit.kommunenummer in self.design.service_kommuner
            svar = "har frisklivssentral" if served and rng.random() < 0.3 else rng.choice(_INCONCLUSIVE)
            kontakt = rng.choice(["sentralbord", "servicetorg", ""])
            kommentar = rng.choice(["Ingen svar på sentralbordet.", "Helseleder i møte.", "",
                                    "Prøver igjen neste uke.", "Satt over, ingen tok telefonen."])
            return kontakt, svar, kommentar
        final = unit.phone.final
        svar = rng.choice(_TYPED[final])
        if final == "ja" and unit.kommunenummer in self.design.service_kommuner and rng.random() < 0.25:
            svar = rng.choice(["ja, interkommunalt", "Ja, frisklivssentral med gruppetilbud"])
        if final == "nei" and rng.random() < 0.1:
            svar = "nei, men planlegger"
        kontakt = rng.choice(contacts)
        roll = rng.random()
        if roll < 0.25:
            person = self.people.person()
            phone = self.people.phone()
            self.personal.update({person.name, phone})
            kommentar = rng.choice([f"Snakket med {person.name}.", f"Kontaktperson {person.name}, tlf {phone}",
                                    f"Henvist til {person.name} ({phone})."])
        else:
            kommentar = rng.choice(["", "", "Sender info på e-post.", "Ønsker tilsendt rapporten.",
                                    "Har lærings- og mestringskurs i regi av fysioterapitjenesten.",
                                    "Deltar i et interkommunalt samarbeid.", "Vurderer å starte opp i 2015.",
                                    "Har frisklivssentral, men ikke gruppetilbud med brukermedvirkning."])
        return kontakt, svar, kommentar


def write_phone(rows: list[PhoneRow], path: Path) -> dict[int, PhoneRow]:
    """Write the log and return the attempts by Excel row number (the overrides' record)."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(list(HEADER))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    by_row: dict[int, PhoneRow] = {}
    for n, r in enumerate(rows, 2):
        dato: object = r.dato_as_text if r.dato_as_text else datetime(r.dato.year, r.dato.month, r.dato.day)
        ws.append([r.navn, r.nummer, dato, r.kontakt or None, r.svar, r.kommentar or None])
        if not r.dato_as_text:
            ws.cell(row=n, column=3).number_format = "dd.mm.yyyy"
        by_row[n] = r
    for col, width in zip("ABCDEF", (26, 11, 12, 20, 22, 50)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    save_workbook(wb, path)
    return by_row
