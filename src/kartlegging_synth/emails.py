"""epost/*.eml: the replies to the e-mailed questionnaire, as mail clients save them.

Each reply is composed by hand (headers and MIME parts as bytes) rather than
with :mod:`email`'s high-level API, because the mess INPUTS.md promises cannot
be produced through a tidy API: a body declared ``iso-8859-1`` that is really
UTF-8, Outlook's quoted header blocks, HTML-only mail. Boundaries, Message-IDs
and dates come from the seeded generator, so the bytes are reproducible.

Which unit replies, and what it answers, is fixed by :mod:`design`; this module
decides how each reply identifies itself and how it is written. Every reply is
checked against :meth:`Classification.find_in_text` so that a signature cannot
name another kommune by accident.
"""

from __future__ import annotations

import base64
import html
import quopri
import random
import textwrap
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.header import Header
from email.utils import format_datetime, formataddr
from pathlib import Path

from kartlegging.core.classification import OSLO, Classification
from kartlegging_synth.attachments import docx_bytes, pdf_bytes
from kartlegging_synth.common import PROJECT_ADDRESS, People, Person, display_name
from kartlegging_synth.design import Design, Unit
from kartlegging_synth.dispatch import Sent

SUBJECT = "Kartlegging av lærings- og mestringstjenester i kommunene"
PROJECT_NAME = "Kartlegging NK LMH"
OSLO_TZ = timezone(timedelta(hours=1))

#: The five questions of the questionnaire (the input contract's wording).
QUESTIONS: tuple[str, ...] = (
    "Har kommunen (bydelen) en lærings- og mestringstjeneste, det vil si et senter, en avdeling "
    "eller en koordinator som utvikler eller tilbyr gruppebaserte lærings- og mestringstilbud med "
    "brukermedvirkning? (ja / nei / vet ikke)",
    "Hva heter tjenesten, og hvor er den organisatorisk plassert?",
    "Er tjenesten kommunal eller interkommunal? Hvis interkommunal: hvilke kommuner deltar?",
    "Navn, telefon og e-post til leder eller koordinator.",
    "Har kommunen planer om å etablere en slik tjeneste? (ja / nei / vet ikke)",
)
#: The letter around the questions, in the project's own words.
LETTER_INTRO = (
    "Hei,\n\n"
    "Nasjonal kompetansetjeneste for læring og mestring innen helse (NK LMH) vil skaffe seg "
    "oversikt over kommunale lærings- og mestringstjenester i hele landet. Vi ber dere svare på "
    "de fem spørsmålene under, helst ved å svare direkte på denne e-posten, innen 1. desember 2014."
)
LETTER_OUTRO = (
    "Har dere spørsmål om kartleggingen, kan dere svare på denne e-posten.\n\n"
    "Vennlig hilsen\nProsjektgruppa for kartleggingen\nNK LMH"
)


def letter_lines() -> list[str]:
    """The sent questionnaire as plain-text lines, wrapped as a mail client wraps them."""
    lines: list[str] = []
    for para in LETTER_INTRO.split("\n\n"):
        lines += textwrap.wrap(para, 72) or [""]
        lines.append("")
    for n, q in enumerate(QUESTIONS, 1):
        lines += textwrap.wrap(f"{n}. {q}", 72)
        lines.append("")
    for para in LETTER_OUTRO.split("\n\n"):
        lines += para.split("\n")
        lines.append("")
    return lines[:-1]


# -- what a reply says ------------------------------------------------------------

_WORDS = {"ja": ("Ja", "ja", "JA", "Ja"), "nei": ("Nei", "nei", "Nei.", "NEI"),
          "vet_ikke": ("Vet ikke", "vet ikke", "Vet ikke.")}
_TITLES = ("kommunalsjef helse og omsorg", "helseleder", "enhetsleder helse", "kommuneoverlege",
           "rådgiver i rådmannens stab", "virksomhetsleder helse og rehabilitering", "fagleder fysioterapi")
_OTHER_OFFERS = (
    "Vi har kurs i depresjonsmestring ved psykisk helsetjeneste.",
    "Fysioterapitjenesten har treningsgrupper for personer med kols.",
    "Hjemmesykepleien har et diabeteskurs to ganger i året.",
    "Frisklivssentralen har kurs i bra mat og røykeslutt.",
)
_PROSE_NEI = {
    "nei": "Kommunen har ingen lærings- og mestringstjeneste slik den er beskrevet i e-posten, og "
           "det er heller ingen planer om å etablere en.",
    "ja": "Vi har ikke noe slikt tilbud i dag, men planlegger å starte en frisklivssentral med "
          "mestringskurs i løpet av 2015.",
    "vet_ikke": "Dessverre har vi ikke en slik tjeneste. Om det blir aktuelt å etablere en, er ikke "
                "avklart ennå.",
}


@dataclass
class Reply:
    """One message to write: who sends it, when, how it identifies itself, what it says."""

    unit: Unit
    stage: str                     # "auto", "first" or "final"
    q1: str | None = None
    q5: str | None = None
    special: str | None = None
    path: str = "tag"
    when: datetime | None = None
    person: Person | None = None
    features: dict[str, str] = field(default_factory=dict)
    file: str = ""


def _spread(rng: random.Random, n: int, weights: dict[str, int]) -> list[str]:
    """``n`` draws in which every option occurs at least once (when ``n`` allows), shuffled."""
    options = list(weights)
    out = options[: min(n, len(options))]
    out += rng.choices(options, [weights[o] for o in options], k=n - len(out))
    rng.shuffle(out)
    return out


class EmailWriter:
    """Composes every reply of one (copy of a) round."""

    def __init__(self, design: Design, sent: dict[str, Sent], rng: random.Random, people: People,
                 prefix: str = "") -> None:
        self.design = design
        self.c: Classification = design.classification
        self.sent = sent
        self.rng = rng
        self.people = people
        self.prefix = prefix
        self.personal: set[str] = set()
        self.overrides: list[dict[str, object]] = []
        self._attachments = 0
        self._unclear = 0

    # -- planning --------------------------------------------------------------

    def plan(self) -> list[Reply]:
        """Every message, with its identification path and writing features."""
        rng = self.rng
        replies: list[Reply] = []
        for enhet in sorted(self.design.units):
            unit = self.design.units[enhet]
            sent_at = self.sent[enhet].sent_at.replace(tzinfo=OSLO_TZ)
            if unit.auto_only or (unit.email and unit.email.auto_before):
                replies.append(Reply(unit, "auto", when=sent_at + timedelta(minutes=rng.randint(1, 50))))
            if unit.email is None:
                continue
            plan = unit.email
            final_at = sent_at + timedelta(days=rng.randint(1, 38), hours=rng.randint(0, 6),
                                           minutes=rng.randint(0, 59))
            if plan.first_q1 is not None:
                first_at = sent_at + timedelta(days=rng.randint(1, 8), hours=rng.randint(0, 6))
                final_at = first_at + timedelta(days=rng.randint(2, 14), hours=rng.randint(0, 5))
                replies.append(Reply(unit, "first", plan.first_q1, plan.q5, when=_workday(first_at)))
            replies.append(Reply(unit, "final", plan.q1, plan.q5, plan.special, when=_workday(final_at)))
        self._assign_paths(replies)
        self._assign_features(replies)
        order = list(range(len(replies)))
        rng.shuffle(order)
        for n, idx in enumerate(order, 1):
            replies[idx].file = f"{self.prefix}epost-{n:04d}.eml"
        return replies

    def _named_ok(self, unit: Unit) -> bool:
        """Whether ``<Name> kommune`` (or ``Bydel <Name>``) names exactly this unit."""
        return self.c.find_in_text(self._unit_signature_name(unit)) == {unit.enhet_id}

    def _unit_signature_name(self, unit: Unit) -> str:
        if unit.enhet_id.startswith("B"):
            return f"Bydel {self.c.bydeler[unit.enhet_id[1:]]}"
        return f"{display_name(self.c.kommuner[unit.kommunenummer])} kommune"

    def _assign_paths(self, replies: list[Reply]) -> None:
        rng = self.rng
        open_: list[Reply] = []
        for r in replies:
            if r.stage == "auto":
                r.path = rng.choice(["tag", "tag", "in_reply_to"])
            elif r.special == "unresolvable":
                r.path = "none"
            elif r.unit.enhet_id == "B030111":
                r.path = "named_in_text"
            elif r.unit.enhet_id == "K1804" and r.stage == "final":
                r.path = "sender_domain"
            elif r.special is not None or r.stage == "first" or r.unit.enhet_id == "K0301":
                r.path = "tag"
            else:
                open_.append(r)
        rng.shuffle(open_)
        quotas = [("named_in_text", 9), ("sender_domain", 14), ("sender_address", 10),
                  ("in_reply_to", 22), ("tag_mangled", 10)]
        for path, n in quotas:
            free = [r for r in open_ if r.path == "tag"
                    and (path != "named_in_text" or self._named_ok(r.unit))]
            for r in free[:n]:
                r.path = path

    def _assign_features(self, replies: list[Reply]) -> None:
        rng = self.rng
        answers = [r for r in replies if r.stage != "auto" and r.special is None]
        n = len(answers)
        mimes = _spread(rng, n, {"plain": 60, "alternative": 25, "html": 15})
        charsets = _spread(rng, n, {"utf-8/qp": 20, "utf-8/base64": 10, "utf-8/8bit": 15,
                                    "iso-8859-1/qp": 15, "iso-8859-1/8bit": 10,
                                    "windows-1252/qp": 15, "windows-1252/8bit": 10})
        quotes = _spread(rng, n, {"none": 30, "gt": 25, "outlook": 25, "outlook_new": 20})
        styles = _spread(rng, n, {"dot": 40, "paren": 15, "spm": 20, "inline": 12, "prose": 13})
        crlf = _spread(rng, n, {"lf": 60, "crlf": 40})
        for r, mime, cs, quote, style, eol in zip(answers, mimes, charsets, quotes, styles, crlf):
            if r.path in ("sender_address", "sender_domain", "named_in_text"):
                quote = "none"  # a fresh message: nothing quoted
            if style == "inline":
                mime, quote = "plain", "gt"
            if style == "prose" and not self._prose_ok(r):
                style = "dot"
            if quote == "gt" and mime != "plain":
                quote = "outlook"
            r.features = {"mime": mime, "charset": cs, "quote": quote, "style": style, "eol": eol}
        # exactly one body in each direction declared with the wrong charset;
        # both identified by their subject tag and answered in plain ASCII words
        wrong = [r for r in answers if r.path == "tag" and r.features["style"] in ("dot", "paren")
                 and r.features["mime"] == "plain"]
        for r, cs in zip(rng.sample(wrong, 2), ("wrong:iso-8859-1>utf-8", "wrong:utf-8>windows-1252")):
            r.features["charset"] = cs
        for r in replies:
            if r.stage == "auto" or r.special is not None:
                r.features = {"mime": "plain", "charset": rng.choice(["utf-8/qp", "iso-8859-1/qp",
                              "windows-1252/8bit"]), "quote": "none", "style": "dot",
                              "eol": rng.choice(["lf", "crlf"])}
        autos = [r for r in replies if r.stage == "auto"]
        for r, kind in zip(autos, _spread(rng, len(autos), {"automatisk": 3, "fravaer": 2,
                                                           "header_only": 2, "fravaer_tag": 1})):
            r.features["auto"] = kind
            if kind == "fravaer":
                r.path = "in_reply_to"  # the subject carries no tag
        for r in replies:
            if r.special == "unresolvable":
                r.features["mime"] = "plain"

    def _prose_ok(self, r: Reply) -> bool:
        """Prose is written where a coding slip cannot move a published figure."""
        served = r.unit.kommunenummer in self.design.service_kommuner
        return (r.q1 == "nei" and not served) or (r.q1 == "ja" and served)

    # -- writing ------------------------------------------------------------------

    def write_all(self, out_dir: Path) -> list[Reply]:
        replies = self.plan()
        for r in replies:
            (out_dir / r.file).write_bytes(self.compose(r))
            if r.special == "unresolvable":
                self.overrides.append({
                    "_kind": "unresolvable", "source": "epost", "file": r.file, "record": "",
                    "set": {"enhet_id": r.unit.enhet_id},
                    # in bokmål, as an analyst writes it: the report quotes it in appendix B
                    "reason": "Sendt fra en privat adresse uten merke, referanse eller kommunenavn; avsenderen "
                              "bekreftet på telefon hvilken kommune svaret gjelder.",
                })
        return replies

    def _domain(self, unit: Unit) -> str:
        return self.sent[unit.enhet_id].domain

    def _sender(self, r: Reply) -> tuple[str, str]:
        """(display name, address) of the sender, as the identification path requires."""
        rng = self.rng
        unit = r.unit
        r.person = self.people.person()
        domain = self._domain(unit)
        if r.path == "sender_address":
            addr = self.sent[unit.enhet_id].address
            if rng.random() < 0.15:
                addr = addr.replace("postmottak@", "Postmottak@")
            return ("Postmottak " + self._unit_signature_name(unit), addr)
        if r.path in ("named_in_text", "none"):
            host = rng.choice(["gmail.com", "online.no", "hotmail.com"])
            suffix = str(rng.randint(50, 89)) if host != "online.no" else ""
            addr = r.person.address(host, suffix)
            self.personal.add(addr)
            return (r.person.name, addr)
        if r.stage == "auto" or r.path == "sender_domain" or rng.random() < 0.8:
            addr = r.person.address(domain)
            self.personal.add(addr)
            return (r.person.name, addr)
        return ("Postmottak", self.sent[unit.enhet_id].address)

    def _subject(self, r: Reply) -> str:
        rng = self.rng
        tag = f"[{r.unit.enhet_id}]"
        orig = f"{SUBJECT} {tag}"
        prefix = rng.choice(["SV: ", "SV: ", "Sv: ", "RE: ", "Re: ", "VS: ", "FW: ", "SV: SV: "])
        if r.stage == "auto":
            kind = r.features["auto"]
            return {"automatisk": f"Automatisk svar: {orig}", "fravaer": "Fraværsmelding",
                    "header_only": f"SV: {orig}", "fravaer_tag": f"Fraværsmelding: {orig}"}[kind]
        if r.path == "tag":
            if r.special is not None:
                prefix = "SV: "
            if r.unit.enhet_id == "K0301" or r.stage == "first":
                prefix = rng.choice(["SV: ", "Sv: ", "RE: "])
            r.features["prefix"] = prefix.strip()
            return prefix + orig
        if r.path == "tag_mangled":
            letter, num = r.unit.enhet_id[0], r.unit.enhet_id[1:]
            mangled = rng.choice([f"[{letter} {num}]", f"[{letter.lower()}{num}]", f"[{letter}-{num}]",
                                  f"{letter}{num}", f"[ {letter}{num} ]"])
            return f"{prefix}{SUBJECT} {mangled}"
        if r.path == "in_reply_to":
            return rng.choice([f"{prefix}{SUBJECT}", "Svar på spørreskjema",
                               "Svar - Kartlegging av lærings- og mestringstjenester - 14/0"
                               f"{rng.randint(1000, 9999)}-2", f"SV: {SUBJECT[:40]}"])
        return rng.choice(["Svar på kartlegging", "Kartlegging - svar", "Lærings- og mestringstjenester",
                           "Spørreundersøkelse læring og mestring", "kartlegging", "Svar fra oss"])

    def _signature(self, r: Reply, named: bool = True) -> list[str]:
        person = r.person
        unit = r.unit
        phone = self.people.phone()
        self.personal.add(phone)
        self.personal.add(person.name)
        title = self.rng.choice(_TITLES)
        where = self._unit_signature_name(unit) if named else ""
        lines = [self.rng.choice(["Med vennlig hilsen", "Vennlig hilsen", "Mvh", "Hilsen"]), person.name]
        if where:
            if unit.enhet_id == "K0301":
                where = "Oslo kommune, Helseetaten"
            lines += [title.capitalize(), where] if self.rng.random() < 0.6 else [f"{title}, {where}"]
        else:
            lines.append(title)
        lines.append(self.rng.choice(["Tlf. ", "Telefon: ", "Mob: ", "tlf "]) + phone)
        if r.path not in ("none",) and self.rng.random() < 0.6:
            addr = person.address(self._domain(unit))
            self.personal.add(addr)
            lines.append(addr)
        return lines

    def _service_info(self, r: Reply) -> tuple[str, str, str]:
        """Answers to questions 2-4 for a unit that says ja."""
        served = [s for s in self.design.services if r.unit.kommunenummer in s.kommuner]
        person = self.people.person()
        phone = self.people.phone(0)
        self.personal.update({person.name, phone})
        contact = f"{person.name}, tlf. {phone}"
        if self.rng.random() < 0.5:
            addr = person.address(self._domain(r.unit))
            self.personal.add(addr)
            contact += f", {addr}"
        if served and served[0].key != "K01":
            s = served[0]
            others = [display_name(self.c.kommuner[k]) for k in s.kommuner if k != r.unit.kommunenummer]
            q2 = f"{s.interviews[0].navn}, organisert under helse og omsorg"
            q3 = "Kommunal" if not others else "Interkommunal, sammen med " + _join(others)
            return q2, q3, contact
        if r.unit.enhet_id.startswith("B"):
            return ("Frisklivssentralen i bydelen, under helse- og omsorgsavdelingen", "Kommunal (bydel)", contact)
        return (self.rng.choice(_OTHER_OFFERS), "Kommunal", contact)

    def _answers(self, r: Reply, style: str) -> tuple[list[str], list[str] | None]:
        """(answer lines, inline answers per question or None)."""
        rng = self.rng
        q1, q5 = r.q1 or "nei", r.q5 or "nei"
        w1, w5 = rng.choice(_WORDS[q1]), rng.choice(_WORDS[q5])
        if q1 == "ja":
            q2, q3, q4 = self._service_info(r)
        else:
            q2 = q3 = q4 = rng.choice(["-", "Ikke aktuelt", "", "-"])
        if r.unit.enhet_id == "K0301":
            w1 = "Vet ikke. Slike tjenester ligger i bydelene, og vi har ingen samlet oversikt sentralt"
        per_q = [w1, q2, q3, q4, w5]
        if style == "inline":
            return [], per_q
        if style == "prose":
            if q1 == "ja":
                r.q5 = "nei"
                if r.unit.email is not None:
                    r.unit.email.q5 = "nei"
                return [f"Ja, vi har en slik tjeneste: {q2}. {q3}.",
                        f"Kontaktperson er {q4}.",
                        "Vi har ingen planer om flere tjenester nå, ettersom vi allerede har en."], None
            return [_PROSE_NEI[q5]], None
        if style == "spm":
            lead = {"ja": "Ja, vi har en frisklivssentral med gruppetilbud", "nei": "Nei, vi har ikke en slik tjeneste",
                    "vet_ikke": "Vet ikke, det må vi undersøke nærmere"}[q1]
            if r.unit.enhet_id == "K0301":
                lead = w1
            lines = [f"Spm 1: {lead}."]
            if q1 == "ja":
                lines += [f"Spm 2: {q2}", f"Spm 3: {q3}", f"Spm 4: {q4}"]
            lines.append(f"Spm 5: {w5}")
            return lines, None
        fmt = "{n}. {a}" if style == "dot" else "{n}) {a}"
        lines = []
        for n, a in enumerate(per_q, 1):
            if n in (2, 3, 4) and q1 != "ja" and rng.random() < 0.5:
                continue
            lines.append(fmt.format(n=n, a=a).rstrip())
        return lines, None

    def _quote_block(self, r: Reply, quote: str) -> list[str]:
        sent = self.sent[r.unit.enhet_id]
        stamp = sent.sent_at
        subject = f"{SUBJECT} [{r.unit.enhet_id}]"
        if quote == "gt":
            head = f"Den {stamp:%d.%m.%Y} {stamp:%H:%M}, skrev {PROJECT_NAME}:"
            return [head] + [("> " + line).rstrip() for line in letter_lines()]
        months = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september",
                  "oktober", "november", "desember")
        when = f"{stamp.day}. {months[stamp.month - 1]} {stamp.year} {stamp:%H:%M}"
        if quote == "outlook":
            head = ["-----Opprinnelig melding-----", f"Fra: {PROJECT_NAME} [mailto:{PROJECT_ADDRESS}]",
                    f"Sendt: {when}", f"Til: Postmottak <{sent.address}>", f"Emne: {subject}"]
        else:
            head = ["________________________________", f"Fra: {PROJECT_NAME} <{PROJECT_ADDRESS}>",
                    f"Sendt: tirsdag {when}", f"Til: {sent.address}", f"Emne: {subject}"]
        return head + [""] + letter_lines()

    def body_lines(self, r: Reply) -> tuple[list[str], list[str]]:
        """(the new text, the quoted part) of a reply, as plain-text lines."""
        rng = self.rng
        f = r.features
        if r.stage == "auto":
            back = (r.when + timedelta(days=rng.randint(3, 20))).strftime("%d.%m.%Y")
            text = [rng.choice(["Jeg er på kurs", "Jeg har ferie", "Jeg er på reise", "Jeg har permisjon"])
                    + f" og er tilbake {back}.",
                    "Henvendelser som haster kan sendes til postmottak.", "", r.person.name]
            return text, []
        if r.special == "unresolvable":
            variant = rng.randrange(3)
            name = r.person.first
            self.personal.add(name)
            text = [["Hei", "", "1. Nei", "5. Nei", "", f"Hilsen {name}"],
                    ["Sender svaret fra privat e-post, jobbmailen virker ikke i dag.", "",
                     "1) nei", "5) vet ikke", "", name],
                    ["Hei!", "Her er svar på kartleggingen.", "Spm 1: Nei", "Spm 5: Nei", "",
                     f"Mvh {r.person.name}, kommuneoverlege"]][variant]
            if variant == 2:
                self.personal.add(r.person.name)
            return text, []
        if r.special == "attachment":
            return ["Hei,", "", rng.choice(["Svarene ligger i vedlagte dokument.", "Se vedlegg.",
                                            "Vedlagt følger vårt svar på kartleggingen."]), "",
                    *self._signature(r)], []
        if r.special == "unclear":
            self._unclear += 1
            if self._unclear % 2 == 1:
                text = ["Takk for e-posten.", "",
                        "Spørsmålene må drøftes i ledergruppa før vi kan svare. Vi kommer tilbake til saken."]
            else:
                text = ["1. Delvis - noen kurs finnes, men ikke som egen tjeneste", "5. Kanskje på sikt"]
            return text + [""] + self._signature(r), self._quote_block(r, "outlook")
        lines, inline = self._answers(r, f["style"])
        greeting = rng.choice(["Hei,", "Hei!", "Hei.", "Til NK LMH", "Hei"])
        intro = rng.choice(["Her er svar fra oss:", "Viser til e-post om kartlegging. Svar under.",
                            "Takk for henvendelsen.", ""])
        if r.stage == "first" and r.unit.email and r.unit.email.first_q1 == r.unit.email.q1:
            intro = "Jeg svarer på vegne av avdelingen:"
        if r.stage == "final" and r.unit.email and r.unit.email.first_q1 is not None:
            intro = rng.choice(["Rettelse til vårt forrige svar:", "Vi sender et oppdatert svar.",
                                "Korrigert svar, etter at vi har sjekket med helsesjefen:"])
        named = r.path != "none"
        sig = self._signature(r, named)
        if inline is not None:
            head = [greeting, "Svarer i teksten under.", "", *sig, ""]
            stamp = self.sent[r.unit.enhet_id].sent_at
            quoted = [f"Den {stamp:%d.%m.%Y} {stamp:%H:%M}, skrev {PROJECT_NAME}:"]
            intro_lines = [("> " + x).rstrip() for x in letter_lines()[:6]]
            quoted += intro_lines
            for n, q in enumerate(QUESTIONS, 1):
                quoted += ["> " + x for x in textwrap.wrap(f"{n}. {q}", 72)]
                quoted.append(inline[n - 1] or "-")
                quoted.append(">")
            return head, quoted[:-1]
        text = [greeting, ""] + ([intro, ""] if intro else []) + lines + [""] + sig
        quote = f["quote"]
        if f.get("prefix") in ("VS:", "FW:"):
            text = ["Videresender svar fra fagavdelingen.", ""] + text
            quote = quote if quote != "none" else "outlook"
        return text, (self._quote_block(r, quote) if quote != "none" else [])

    # -- MIME -------------------------------------------------------------------------

    def compose(self, r: Reply) -> bytes:
        rng = self.rng
        name, addr = self._sender(r)
        if r.stage == "auto" and name == "Postmottak":
            name = r.person.name
        subject = self._subject(r)
        text, quoted = self.body_lines(r)
        plain = "\n".join(text + ([""] + quoted if quoted else [])) + "\n"
        self._check_names(r, plain)
        f = r.features
        declared, actual, cte = _charset(f["charset"])
        sent = self.sent[r.unit.enhet_id]
        headers: list[tuple[str, str]] = []
        if rng.random() < 0.5:
            headers.append(("Return-Path", f"<{addr}>"))
        headers += [
            ("From", formataddr((name, addr), charset=declared if declared != "us-ascii" else "utf-8")),
            ("To", f"{PROJECT_NAME} <{PROJECT_ADDRESS}>" if rng.random() < 0.7 else PROJECT_ADDRESS),
            ("Subject", _encode_header(subject, "utf-8" if "utf" in declared else "iso-8859-1")),
            ("Date", format_datetime(r.when if rng.random() < 0.8 else r.when.astimezone(UTC))),
            ("Message-ID", f"<{rng.getrandbits(96):024x}@{addr.split('@')[1].lower()}>"),
        ]
        irt = r.path in ("in_reply_to", "tag_mangled") or (
            r.path == "tag" and (r.stage == "auto" or rng.random() < 0.6))
        if irt:
            how = rng.choice(["both", "irt", "refs"]) if r.path == "in_reply_to" else "both"
            if how in ("both", "irt"):
                headers.append(("In-Reply-To", sent.message_id))
            if how in ("both", "refs"):
                refs = [sent.message_id]
                if how == "refs":
                    refs.insert(0, f"<{rng.getrandbits(64):016x}@{self._domain(r.unit)}>")
                headers.append(("References", " ".join(refs)))
        if r.stage == "auto":
            kind = f["auto"]
            if kind in ("automatisk", "header_only"):
                headers.append(("Auto-Submitted", "auto-replied"))
                headers.append(("X-Auto-Response-Suppress", "All"))
            if kind == "fravaer_tag":
                headers.append(("X-Autoreply", "yes"))
        client = rng.choice(["outlook", "outlook", "thunderbird", "webmail"])
        if client == "outlook":
            headers.append(("Thread-Index", base64.b64encode(rng.getrandbits(176).to_bytes(22, "big")).decode()))
            headers.append(("X-Mailer", "Microsoft Outlook 14.0"))
        elif client == "thunderbird":
            headers.append(("User-Agent", "Mozilla/5.0 (Windows NT 6.1; rv:31.0) Gecko/20100101 Thunderbird/31.2.0"))
        headers.append(("Content-Language", "nb-NO"))
        headers.append(("MIME-Version", "1.0"))
        if r.special == "attachment":
            body_headers, body = self._with_attachment(r, plain, declared, actual, cte)
        elif f["mime"] == "plain":
            body_headers, body = _text_part("plain", plain, declared, actual, cte)
        elif f["mime"] == "html":
            body_headers, body = _text_part("html", _to_html(text, quoted, declared), declared, actual, cte)
        else:
            boundary = f"----=_NextPart_{rng.getrandbits(48):012X}.{rng.getrandbits(32):08X}"
            h1, b1 = _text_part("plain", plain, declared, actual, cte)
            h2, b2 = _text_part("html", _to_html(text, quoted, declared), declared, actual, cte)
            body_headers = [("Content-Type", f'multipart/alternative;\n\tboundary="{boundary}"')]
            body = _multipart(boundary, [(h1, b1), (h2, b2)], "This is a multi-part message in MIME format.")
        head = "".join(f"{k}: {v}\n" for k, v in headers + body_headers).encode("ascii")
        data = head + b"\n" + body
        if f["eol"] == "crlf":
            data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        return data

    def _with_attachment(self, r: Reply, plain: str, declared: str, actual: str, cte: str
                         ) -> tuple[list[tuple[str, str]], bytes]:
        rng = self.rng
        boundary = f"------------{rng.getrandbits(80):020X}"
        person = self.people.person()
        self.personal.add(person.name)
        q5 = {"ja": "Ja", "nei": "Nei", "vet_ikke": "Vet ikke"}[r.q5 or "nei"]
        lines = ["Svar på kartlegging av lærings- og mestringstjenester", "",
                 "1. Nei", "2. -", "3. -", f"4. Kontaktperson: {person.name}", f"5. {q5}"]
        self._attachments += 1
        if self._attachments % 2 == 1:
            name, ctype, payload = "svar_kartlegging.docx", \
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx_bytes(lines)
        else:
            name, ctype, payload = "Kartlegging LMS - svar.pdf", "application/pdf", pdf_bytes(lines)
        h1, b1 = _text_part("plain", plain, declared, actual, cte)
        att_headers = [("Content-Type", f'{ctype};\n\tname="{name}"'),
                       ("Content-Transfer-Encoding", "base64"),
                       ("Content-Disposition", f'attachment;\n\tfilename="{name}"; size={len(payload)}')]
        body = _multipart(boundary, [(h1, b1), (att_headers, base64.encodebytes(payload))],
                          "This is a multi-part message in MIME format.")
        self.overrides.append({
            "_kind": "attachment", "source": "epost", "file": r.file, "record": "",
            "set": {"q1": "nei", "q5": r.q5 or "nei"},
            "reason": f"Svaret står bare i vedlegget {name}; kodet for hånd etter at vedlegget er lest.",
        })
        return [("Content-Type", f'multipart/mixed;\n\tboundary="{boundary}"')], body

    def _check_names(self, r: Reply, plain: str) -> None:
        """No reply may name a unit other than its own (the named-in-text rule would misfire)."""
        found = self.c.find_in_text(plain)
        if r.path == "none":
            ok = not found
        elif r.path == "named_in_text":
            ok = found == {r.unit.enhet_id}
        else:
            ok = found <= {r.unit.enhet_id, f"K{OSLO}" if r.unit.kommunenummer == OSLO else r.unit.enhet_id}
        if not ok:
            raise AssertionError(f"{r.file}: reply of {r.unit.enhet_id} ({r.path}) names {sorted(found)}")


def _workday(when: datetime) -> datetime:
    """Move a weekend time to the Monday after: replies are written at work."""
    return when + timedelta(days=(7 - when.weekday()) % 7) if when.weekday() >= 5 else when


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " og " + names[-1]


def _charset(spec: str) -> tuple[str, str, str]:
    """(declared charset, charset of the bytes, transfer encoding) of a feature spec."""
    if spec == "wrong:iso-8859-1>utf-8":
        return "iso-8859-1", "utf-8", "8bit"
    if spec == "wrong:utf-8>windows-1252":
        return "utf-8", "windows-1252", "8bit"
    cs, cte = spec.split("/")
    return cs, cs, {"qp": "quoted-printable", "base64": "base64", "8bit": "8bit"}[cte]


_LATIN1_FIX = str.maketrans({"–": "-", "—": "-", "’": "'", "‘": "'", "“": '"', "”": '"', "…": "..."})


def _encode_text(text: str, charset: str) -> bytes:
    if charset == "iso-8859-1":
        text = text.translate(_LATIN1_FIX)
    return text.encode(charset)


def _text_part(subtype: str, text: str, declared: str, actual: str, cte: str) -> tuple[list[tuple[str, str]], bytes]:
    raw = _encode_text(text, actual)
    if cte == "quoted-printable":
        body = quopri.encodestring(raw)
    elif cte == "base64":
        body = base64.encodebytes(raw)
    else:
        body = raw
    headers = [("Content-Type", f'text/{subtype}; charset="{declared}"'),
               ("Content-Transfer-Encoding", cte)]
    return headers, body


def _multipart(boundary: str, parts: list[tuple[list[tuple[str, str]], bytes]], preamble: str) -> bytes:
    out = preamble.encode() + b"\n\n"
    for headers, body in parts:
        out += f"--{boundary}\n".encode()
        out += "".join(f"{k}: {v}\n" for k, v in headers).encode("ascii") + b"\n"
        out += body if body.endswith(b"\n") else body + b"\n"
        out += b"\n"
    return out + f"--{boundary}--\n".encode()


def _encode_header(value: str, charset: str) -> str:
    try:
        value.encode("ascii")
        return value
    except UnicodeEncodeError:
        return Header(value, charset, header_name="Subject").encode(linesep="\n")


def _to_html(text: list[str], quoted: list[str], charset: str) -> str:
    """Outlook-like HTML: one paragraph per line, the quoted header block in a bordered div."""
    def para(line: str) -> str:
        return f'<p class="MsoNormal">{html.escape(line) if line else "&nbsp;"}<o:p></o:p></p>'

    out = [f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">',
           "<style><!-- p.MsoNormal {margin:0cm; font-size:11.0pt; font-family:Calibri} --></style>",
           '</head><body lang="NO-BOK"><div class="WordSection1">']
    out += [para(x) for x in text]
    if quoted:
        split = quoted.index("") if "" in quoted else len(quoted)
        head, rest = quoted[:split], quoted[split + 1:]
        cells = []
        for line in head:
            key, _, val = line.partition(": ")
            cells.append(f"<b>{html.escape(key)}:</b> {html.escape(val)}" if val else html.escape(line))
        out.append('<div style="border:none;border-top:solid #B5C4DF 1.0pt;padding:3.0pt 0cm 0cm 0cm">')
        out.append('<p class="MsoNormal">' + "<br>\n".join(cells) + "</p></div>")
        out += [para(x) for x in rest]
    out.append("</div></body></html>")
    return "\n".join(out) + "\n"
