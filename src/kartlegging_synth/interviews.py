"""intervjuer/*.xlsx: one workbook per structured telephone interview.

The coded answers come from :mod:`design`; this module types them the way an
interviewer fills in a form during a call: item codes as ``T01`` or ``T1``,
rows moved or left empty, section headings, a notes sheet, dates as Excel dates
or text, kommune lists separated every which way.
"""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from kartlegging.core.classification import OSLO, Classification
from kartlegging_synth.common import People, display_name, kommune_slug, save_workbook, slugify
from kartlegging_synth.design import Design, Interview, Service

SHEET = "Intervju"
HEADER = ("Nr", "Spørsmål", "Svar", "Kommentar")

#: The interview form's items, in the project's own short wording.
ITEMS: tuple[tuple[str, str], ...] = (
    ("T01", "Navn på tjenesten"),
    ("T02", "Vertskommune"),
    ("T03", "Bydel (bare Oslo)"),
    ("T04", "Kommunal eller interkommunal?"),
    ("T05", "Andre kommuner som deltar"),
    ("T06", "Hvordan er tjenesten organisert?"),
    ("T07", "Prosjektfinansiert (nevnt av informanten)"),
    ("T08", "Deltar brukere eller brukerorganisasjoner i etablering og utvikling av tjenesten?"),
    ("T09", "Har tjenesten startet med tilbud?"),
    ("T10", "Antall lærings- og mestringstilbud siste år"),
    ("T11", "Målgrupper for tilbudene"),
    ("T12", "Hvordan rekrutteres brukerrepresentantene?"),
    ("T13", "Tilbyr tjenesten kompetansehevende kurs for ansatte eller brukerrepresentanter?"),
    ("T14", "Samarbeider tjenesten med helseforetaket?"),
    ("T15", "Bidrar helseforetaket til utvikling av tjenesten?"),
    ("T16", "Tilbyr helseforetaket kurs i helsepedagogikk?"),
    ("T17", "Deltar helseforetaket i planlegging, gjennomføring eller evaluering av tilbud?"),
    ("T18", "Inkluderes i analysen (oppfyller definisjonen)?"),
    ("T19", "Grunnlag for inkludering"),
    ("T20", "Informant: navn"),
    ("T21", "Informant: telefon og e-post"),
    ("T22", "Dato for intervjuet"),
    ("T23", "Åpne svar og sitater"),
)
_SECTIONS = {"T06": "Organisering", "T08": "Brukermedvirkning og aktivitet", "T14": "Samarbeid med helseforetaket",
             "T18": "Vurdering", "T20": "Om intervjuet"}
_TITLES = ("Intervju – kommunal lærings- og mestringstjeneste", "Telefonintervju, kartlegging 2014/2015",
           "Intervjuskjema LMS kommune", "Kartlegging av lærings- og mestringstjenester – intervju")
_GROUPS = {
    "diabetes": ("diabetes", "Diabetes"), "kols": ("kols", "KOLS", "lungesykdom"),
    "hjerte_kar": ("hjerte- og karsykdom", "hjerte/kar", "hjertesykdom"), "kreft": ("kreft", "Kreft"),
    "psykisk_helse": ("psykisk helse", "psykiske lidelser"), "muskel_skjelett": ("muskel og skjelett", "rygg"),
    "overvekt": ("overvekt", "sykelig overvekt"), "paa_tvers": ("på tvers av diagnoser", "tverrdiagnostisk"),
    "parorende": ("pårørende",), "annet": ("annet: demens", "annet: søvnvansker"),
}
_QUOTES = (
    "Brukerrepresentantene er med fra første planleggingsmøte, og det merkes på kursene.",
    "Det er lettere å delta når kurset holdes i egen kommune.",
    "Deltakerne får kontakt med andre i samme situasjon, og mange fortsetter å treffes etterpå.",
    "Helseforetaket har vært viktig for å lære oss metodikken.",
    "Vi savner en bedre oversikt over hvilke tilbud som finnes i regionen.",
    "Ansatte forteller at de har endret måten de møter pasientene på.",
    "Det tar tid å rekruttere brukerrepresentanter, særlig til nye grupper.",
    "Samarbeidet mellom enhetene i kommunen har blitt bedre etter at vi startet.",
    "Vi er avhengige av prosjektmidler, og det gjør planleggingen usikker.",
    "Kursene er gratis, og det tror vi senker terskelen for å delta.",
)
_NOTES = ("Intervjuet tok omtrent 40 minutter.", "Sendte oppsummering på e-post etterpå.",
          "Informanten vil gjerne få rapporten når den er ferdig.", "Avtalt ny samtale om tallene.",
          "Informanten hadde ikke oversikt over alle tilbudene.")
_MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
           "november", "desember")


class InterviewWriter:
    """Writes the interview workbooks of one (copy of a) round."""

    def __init__(self, design: Design, rng: random.Random, people: People, prefix: str = "") -> None:
        self.design = design
        self.c: Classification = design.classification
        self.rng = rng
        self.people = people
        self.prefix = prefix
        self.personal: set[str] = set()
        self.features: set[str] = set()

    # -- typing single answers ---------------------------------------------------

    def _yn(self, code: str | None) -> str | None:
        if code is None:
            return None
        return self.rng.choice({"ja": ("ja", "Ja", "ja", "JA"), "nei": ("nei", "Nei", "nei"),
                                "vet_ikke": ("vet ikke", "Vet ikke")}[code])

    def _kommune(self, code: str, allow_number: bool = True) -> object:
        """A kommune typed as a name or a number; checked to resolve to that kommune."""
        k = self.c.kommuner[code]
        name = display_name(k)
        if self.c.resolve_name(name).enhet_id != f"K{code}":
            name = str(int(code))  # a shared name: the interviewer wrote the number
        roll = self.rng.random()
        if allow_number and roll < 0.2:
            self.features.add("t05_number_no_zero" if code.startswith("0") else "t05_number")
            return str(int(code))
        if roll < 0.3:
            name = name.replace("-", " ")
        typed = name
        res = self.c.resolve(number=typed) if typed.isdigit() else self.c.resolve(typed)
        if res.enhet_id != f"K{code}":
            raise AssertionError(f"interview kommune {typed!r} resolves to {res.status} {res.enhet_id}, not {code}")
        return typed

    def _members(self, members: tuple[str, ...]) -> str | None:
        if not members:
            return None
        names = [str(self._kommune(m)) for m in members]
        style = self.rng.choice(["comma", "semicolon", "og", "lines", "comma_og"])
        joined_by_og = names[:-1] if style == "og" else names[-2:-1] if style == "comma_og" else []
        if any(n.isdigit() for n in joined_by_og):
            # "1517 og 1515" would be read as number 1517 with the name "og 1515", which the
            # rules accept without review (the second kommune is lost): list numbers with commas
            style = "comma"
        self.features.add(f"t05_{style}")
        if len(names) == 1:
            return names[0]
        if style == "comma":
            return ", ".join(names)
        if style == "semicolon":
            return "; ".join(names)
        if style == "lines":
            return "\n".join(names)
        if style == "og":
            return " og ".join(names)
        return ", ".join(names[:-1]) + " og " + names[-1]

    def _host(self, iv: Interview) -> object:
        if iv.host == OSLO:
            return self.rng.choice(["Oslo", "Oslo kommune", "0301"])
        roll = self.rng.random()
        if roll < 0.15:
            self.features.add("t02_number")
            return int(iv.host)
        typed = self._kommune(iv.host, allow_number=False)
        return f"{typed} kommune" if roll > 0.8 else typed

    def _bydel(self, iv: Interview) -> object:
        if iv.bydel is None:
            return None
        name = self.c.bydeler[iv.bydel]
        return self.rng.choice([name, f"Bydel {name}", iv.bydel])

    def _t10(self, iv: Interview) -> object:
        if iv.t10 is None:
            return None
        if isinstance(iv.t10, int) and self.rng.random() < 0.6:
            return iv.t10           # a number cell
        return str(iv.t10)

    def _t11(self, iv: Interview) -> str | None:
        """The design's target groups in the interviewer's words and order; ``annet: ...`` goes last,
        since everything after ``annet`` in its part is read as its description."""
        if not iv.t11:
            return None
        groups = [g for g in iv.t11 if g != "annet"]
        self.rng.shuffle(groups)
        groups += [g for g in iv.t11 if g == "annet"]
        typed = [self.rng.choice(_GROUPS[g]) for g in groups]
        sep = self.rng.choice([", ", "; ", "\n"])
        if len(typed) > 1 and self.rng.random() < 0.3:
            return sep.join(typed[:-1]) + " og " + typed[-1]
        return sep.join(typed)

    def _t12(self, code: str | None) -> str | None:
        if code is None:
            return None
        return self.rng.choice({"via_brukerorganisasjoner": ("via brukerorganisasjoner", "Via brukerorganisasjoner",
                                                             "via brukerorganisasjonene"),
                                "utenom_organisasjonene": ("utenom organisasjonene", "Utenom organisasjonene"),
                                "vet_ikke": ("vet ikke",)}[code])

    def _date(self, iv: Interview) -> object:
        d = iv.dato
        roll = self.rng.random()
        if roll < 0.6:
            return datetime(d.year, d.month, d.day)
        if roll < 0.85:
            return d.strftime("%d.%m.%Y")
        if roll < 0.93:
            return d.isoformat()
        return f"{d.day}. {_MONTHS[d.month - 1]} {d.year}"

    # -- the workbook ----------------------------------------------------------------

    def answers(self, iv: Interview) -> dict[str, object]:
        """Typed answers by item code."""
        rng = self.rng
        person = self.people.person()
        phone = self.people.phone()
        domain = f"{kommune_slug(self.c.kommuner[iv.host])}.kommune.no"
        addr = person.address(domain)
        self.personal.update({person.name, phone, addr})
        t04 = iv.t04
        if t04 == "interkommunal" and rng.random() < 0.3:
            t04 = "Interkommunal"
        return {
            "T01": iv.navn, "T02": self._host(iv), "T03": self._bydel(iv), "T04": t04,
            "T05": self._members(iv.members), "T06": iv.t06,
            "T07": rng.choice(["x", "X", "ja"]) if iv.t07 else None,
            "T08": self._yn(iv.t08), "T09": self._yn(iv.t09), "T10": self._t10(iv), "T11": self._t11(iv),
            "T12": self._t12(iv.t12), "T13": self._yn(iv.t13), "T14": self._yn(iv.t14),
            "T15": self._yn(iv.t15), "T16": self._yn(iv.t16), "T17": self._yn(iv.t17),
            "T18": self._yn(iv.t18), "T19": (rng.choice([iv.t19, iv.t19.capitalize()]) if iv.t19 else None),
            "T20": person.name, "T21": rng.choice([f"{phone} / {addr}", f"{phone}, {addr}", f"{addr}\n{phone}"]),
            "T22": self._date(iv), "T23": rng.choice(_QUOTES),
        }

    def _comment(self, code: str, iv: Interview) -> str | None:
        rng = self.rng
        if code == "T10" and isinstance(iv.t10, str) and rng.random() < 0.6:
            return "anslag fra informanten"
        if code == "T07" and iv.t07:
            return "midler fra Helsedirektoratet"
        if code == "T08" and rng.random() < 0.2:
            return "brukerråd i kommunen"
        if code == "T18" and iv.t18 == "nei":
            return "ikke sidestilt samarbeid med brukerrepresentanter"
        return None

    def file_name(self, service: Service, iv: Interview, used: set[str]) -> str:
        rng = self.rng
        where = (f"Bydel {self.c.bydeler[iv.bydel]}" if iv.bydel else display_name(self.c.kommuner[iv.host]))
        name = rng.choice([f"Intervju {where} {iv.dato:%Y-%m-%d}", f"intervju_{slugify(where)}",
                           f"LMS {where}", f"{iv.dato:%Y%m%d} {iv.navn.replace(',', '')}"])
        name = f"{self.prefix}{name}"
        candidate, n = f"{name}.xlsx", 2
        while candidate in used:
            candidate, n = f"{name} ({n}).xlsx", n + 1
        used.add(candidate)
        return candidate

    def write(self, iv: Interview, path: Path) -> None:
        rng = self.rng
        answers = self.answers(iv)
        wb = Workbook()
        ws = wb.active
        ws.title = SHEET
        ws["A1"] = rng.choice(_TITLES)
        ws["A1"].font = Font(bold=True, size=13)
        row = 2
        if rng.random() < 0.5:
            ws.cell(row=2, column=1, value="Intervjuer: NK LMH")
            row = 4 if rng.random() < 0.5 else 3
        for col, label in enumerate(HEADER, 1):
            ws.cell(row=row, column=col, value=label).font = Font(bold=True)
        items = [code for code, _ in ITEMS]
        if rng.random() < 0.25:
            items = items[19:22] + items[:19] + items[22:]     # informant and date first
            self.features.add("reordered")
        elif rng.random() < 0.2:
            items.remove("T23")
            items.insert(items.index("T18"), "T23")
            self.features.add("reordered")
        code_style = rng.choices(["T01", "T1", "mixed"], [60, 25, 15])[0]
        sections = rng.random() < 0.4
        questions = dict(ITEMS)
        for code in items:
            if sections and code in _SECTIONS:
                row += 1
                ws.cell(row=row, column=2, value=_SECTIONS[code]).font = Font(italic=True)
                self.features.add("section_rows")
            if rng.random() < 0.06:
                row += 1                                        # an empty row left in
                self.features.add("empty_rows")
            row += 1
            n = int(code[1:])
            typed_code = code if code_style == "T01" or (code_style == "mixed" and code != "T05") else f"T{n}"
            if typed_code != code:
                self.features.add("code_short")
            ws.cell(row=row, column=1, value=typed_code)
            ws.cell(row=row, column=2, value=questions[code])
            value = answers[code]
            cell = ws.cell(row=row, column=3, value=value)
            if isinstance(value, datetime):
                cell.number_format = "dd.mm.yyyy"
            ws.cell(row=row, column=4, value=self._comment(code, iv))
        for col, width in zip("ABCD", (6, 60, 40, 30)):
            ws.column_dimensions[col].width = width
        if rng.random() < 0.3:
            notes = wb.create_sheet("Notater", 0 if rng.random() < 0.4 else None)
            for n, line in enumerate(rng.sample(_NOTES, 2), 1):
                notes.cell(row=n, column=1, value=line)
            self.features.add("notes_sheet")
        save_workbook(wb, path)

    def write_all(self, out_dir: Path) -> list[tuple[str, Service, Interview]]:
        used: set[str] = set()
        written = []
        for service, iv in self.design.interviews():
            name = self.file_name(service, iv, used)
            self.write(iv, out_dir / name)
            written.append((name, service, iv))
        return written
