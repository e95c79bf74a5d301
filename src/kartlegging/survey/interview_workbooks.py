"""The interview workbooks: one per service the answers name, pre-filled, in the layout the interview ingest reads.

Sheet ``Intervju``: a title in row 1, the header ``Nr | Spørsmål | Svar | Kommentar`` in row 3, one
row per item ``T01`` to ``T23`` (the form of docs/INPUTS.md, in the project's own wording). The
interviewer fills in column ``Svar`` during the call; rows may be moved or added, since the ingest
reads by item code.

``make interview-workbooks ROUND=<round>`` writes one into ``intervjuer/`` for each service the
answers so far name: every unit whose e-mail answer to question 1 is ``ja`` (read by the pipeline's
own e-mail ingest, with the round's overrides) or whose phone answer is ``ja``. Units that name each
other under question 3 (an interkommunal service) share one workbook, hosted by the first of them.
Pre-filled, for the interviewer to confirm: the host kommune and Oslo bydel, kommunal or interkommunal
and the other kommuner (question 3), and the leader's name and contact (question 4: personal data,
kept in the workbook under ``data/raw/`` only; the ingest never reads T20 and T21). What the reply
said under question 2 (the service's name and place) stands beside T01 in ``Kommentar``, a column
the ingest does not read: T01 itself is read into the tables, so the interviewer writes it. A
workbook never replaces one that exists: rerun the command as answers come in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from kartlegging.core.classification import OSLO
from kartlegging.core.coding import CodingError, code_samarbeidsform, split_kommuner
from kartlegging.survey.context import RoundContext
from kartlegging.survey.letters import Written

SHEET = "Intervju"
HEADER = ("Nr", "Spørsmål", "Svar", "Kommentar")
HEADER_ROW = 3
#: The interview form, item by item, in the project's own words.
ITEMS: tuple[tuple[str, str], ...] = (
    ("T01", "Tjenestens navn"),
    ("T02", "Vertskommune (kommunen som driver tjenesten)"),
    ("T03", "Bydel (bare i Oslo)"),
    ("T04", "Kommunal eller interkommunal tjeneste?"),
    ("T05", "Andre kommuner som er med i samarbeidet"),
    ("T06", "Organisering: frisklivssentral, frisklivs- og mestringssenter, eget senter, avdeling, koordinator "
            "eller annet (beskriv)"),
    ("T07", "Prosjektfinansiert? (noter x om informanten nevner det selv)"),
    ("T08", "Er brukere eller brukerorganisasjoner med når tjenesten etableres og utvikles? (ja / nei / vet ikke)"),
    ("T09", "Har tjenesten kommet i gang med tilbud? (ja / nei)"),
    ("T10", "Antall lærings- og mestringstilbud det siste året"),
    ("T11", "Målgrupper for tilbudene"),
    ("T12", "Hvordan rekrutteres brukerrepresentantene? (via brukerorganisasjoner / utenom organisasjonene / "
            "vet ikke)"),
    ("T13", "Gir tjenesten kurs som styrker kompetansen til ansatte eller brukerrepresentanter? (ja / nei)"),
    ("T14", "Samarbeider tjenesten med helseforetaket? (ja / nei / vet ikke)"),
    ("T15", "Er helseforetaket med på å utvikle tjenesten? (ja / nei)"),
    ("T16", "Har helseforetaket kurs i helsepedagogikk? (ja / nei)"),
    ("T17", "Er helseforetaket med på å planlegge, gjennomføre eller evaluere tilbud? (ja / nei)"),
    ("T18", "Tas tjenesten med i analysen: gruppetilbud der brukerrepresentanter er likeverdige parter? "
            "(ja / nei)"),
    ("T19", "Grunnlag for å ta den med (tjeneste / erfaring)"),
    ("T20", "Informant: navn"),
    ("T21", "Informant: telefon og e-post"),
    ("T22", "Dato for intervjuet"),
    ("T23", "Åpne svar og sitater"),
)
_EMAIL = re.compile(r"[^\s<>;,()]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_PHONE = re.compile(r"(?:\+47[\s\-]?)?\d(?:[\s\-]?\d){7,}")
_LEAD = re.compile(r"^(?:(?:inter)?kommunal[te]?|samarbeid(?:er)?|(?:sammen|i\s+samarbeid)\s+med|med|mellom|"
                   r"kommunene|tjenesten\s+er|det\s+er)\b[\s,:.-]*", re.I)


@dataclass
class Planned:
    """One service to interview: its host unit, the other kommuner, who named it, what they said."""

    host: str
    members: list[str] = field(default_factory=list)
    named_by: list[str] = field(default_factory=list)
    name: str | None = None
    samarbeidsform: str | None = None
    contact: str | None = None


def _save(wb: Workbook, path: Path) -> None:
    from datetime import datetime

    wb.properties.created = wb.properties.modified = datetime(2000, 1, 1)
    wb.properties.creator = wb.properties.lastModifiedBy = "kartlegging"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def workbook(title: str, answers: dict[str, object] | None = None, comments: dict[str, str] | None = None
             ) -> Workbook:
    """The interview form as a workbook, with ``answers`` and ``comments`` by item code filled in."""
    answers, comments = answers or {}, comments or {}
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=13)
    for col, label in enumerate(HEADER, 1):
        ws.cell(row=HEADER_ROW, column=col, value=label).font = Font(bold=True)
    for n, (code, question) in enumerate(ITEMS, HEADER_ROW + 1):
        ws.cell(row=n, column=1, value=code)
        ws.cell(row=n, column=2, value=question).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row=n, column=3, value=answers.get(code)).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row=n, column=4, value=comments.get(code))
    for col, width in zip("ABCD", (6, 62, 40, 34), strict=True):
        ws.column_dimensions[col].width = width
    return wb


def write_blank(path: Path, round_name: str) -> None:
    """The blank form of a new round (``maler/intervju.xlsx``): copy it into ``intervjuer/`` per interview."""
    _save(workbook(f"Intervju, kartlegging {round_name}"), path)


def _kommuner_in(text: str, ctx: RoundContext) -> list[str]:
    """Kommuner (K-ids) an answer to question 3 names, read as a list after its first words; a suggestion
    for the interviewer, so a part that does not resolve is simply left out."""
    from kartlegging.ingest.typed_kommuner import resolve_list, resolve_text

    cls = ctx.classification

    def whole(chunk: str) -> bool:
        return resolve_text(chunk, cls).status in {"ok", "ambiguous"} or cls.fylke_named(chunk) is not None

    found: list[str] = []
    for line in text.split("\n"):
        line = line.split(":", 1)[1] if ":" in line else line
        while _LEAD.match(line.strip()):
            line = _LEAD.sub("", line.strip(), count=1)
        for part, res in resolve_list(split_kommuner(line, keep_whole=whole), cls):
            if res is not None and not res.ok:
                words = part.split()
                res = next((r for r in (resolve_text(" ".join(words[-k:]), cls) for k in (3, 2, 1)
                                        if k <= len(words)) if r.ok), res)
            if res is not None and res.ok and res.enhet_id.startswith("K") and res.enhet_id not in found:
                found.append(res.enhet_id)
    return found


def plan_services(ctx: RoundContext) -> list[Planned]:
    """The services the answers so far name (see the module docstring), hosts in dispatch order."""
    from kartlegging.ingest.email.letter_quote import letter_streams
    from kartlegging.survey.replies import answer_texts, phone_answers, read_replies

    replies = read_replies(ctx)
    table = replies.table
    final = table[(table["status"] == "svar") & (table["q1"] == "ja") & table["enhet_id"].notna()]
    streams = letter_streams(ctx.letter) if ctx.letter_file.exists() else None
    said: dict[str, dict[int, str]] = {}
    for row in final.sort_values(["enhet_id", "file"]).itertuples():
        said.setdefault(row.enhet_id, answer_texts(ctx.round_dir / "epost" / row.file, streams))
    by_phone = [u for u, svar in phone_answers(ctx, set(replies.units)).items() if svar == "ja" and u not in said]
    units = sorted(set(said) | set(by_phone), key=lambda u: replies.units.index(u) if u in replies.units else 10**6)
    named = {u: _kommuner_in(said.get(u, {}).get(3, ""), ctx) for u in units}

    # units of one interkommunal service name each other: one workbook for the group
    group = {u: u for u in units}

    def root(u: str) -> str:
        while group[u] != u:
            u = group[u]
        return u

    for u in units:
        for k in named[u]:
            if k in group and not u.startswith("B") and not k.startswith("B"):
                a, b = root(u), root(k)
                if a != b:
                    first, second = sorted((a, b), key=units.index)
                    group[second] = first
    planned: dict[str, Planned] = {}
    for u in units:
        p = planned.setdefault(root(u), Planned(root(u)))
        p.named_by.append(u)
        texts = said.get(u, {})
        if p.name is None and texts.get(2):
            p.name = texts[2].split("\n")[0].strip(" .")[:120]
        if p.contact is None and texts.get(4):
            p.contact = texts[4]
        if p.samarbeidsform is None and texts.get(3):
            try:
                p.samarbeidsform = code_samarbeidsform(texts[3].split("\n")[0])
            except CodingError:
                p.samarbeidsform = None
        for k in [u, *named[u]]:
            if k.startswith("K") and k != p.host and k not in p.members:
                p.members.append(k)
    for p in planned.values():
        if p.members and p.samarbeidsform is None:
            p.samarbeidsform = "interkommunal"
    return [planned[u] for u in units if u in planned]


def _contact(text: str | None) -> tuple[str | None, str | None]:
    """(name, phone and e-mail) from an answer to question 4."""
    if not text:
        return None, None
    emails = _EMAIL.findall(text)
    phones = [" ".join(p.split()) for p in _PHONE.findall(_EMAIL.sub(" ", text))]
    rest = _PHONE.sub(" ", _EMAIL.sub(" ", text))
    rest = re.sub(r"\b(?:tlf|telefon|mobil|e-?post|epost|mail|navn)\b\.?:?", " ", rest, flags=re.I)
    name = " ".join(re.sub(r"[,;/()]+", " ", rest.split("\n")[0]).split()).strip(" .:-") or None
    return name, " / ".join(phones + emails) or None


def _file_name(ctx: RoundContext, host: str) -> str:
    from kartlegging.survey.rounds import slug

    return f"intervju-{host}-{slug(ctx.classification.unit_name(host))}.xlsx"


def write_interview_workbooks(ctx: RoundContext) -> Written:
    """One pre-filled workbook in ``intervjuer/`` per planned service that has none yet."""
    cls = ctx.classification
    folder = ctx.round_dir / "intervjuer"
    folder.mkdir(parents=True, exist_ok=True)
    written, kept = 0, 0
    for p in plan_services(ctx):
        if any(folder.glob(f"intervju-{p.host}-*.xlsx")) or any(folder.glob(f"intervju-{p.host}.xlsx")):
            kept += 1
            continue
        host_kommune = p.host[1:5] if p.host.startswith("K") else OSLO
        name, contact = _contact(p.contact)
        answers: dict[str, object] = {
            "T02": cls.kommuner[host_kommune].name,
            "T03": cls.unit_name(p.host) if p.host.startswith("B") else None,
            "T04": p.samarbeidsform or ("kommunal" if not p.members else None),
            "T05": ", ".join(cls.kommuner[m[1:]].name for m in p.members) or None,
            "T20": name, "T21": contact,
        }
        by = ", ".join(cls.unit_name(u) for u in p.named_by)
        # what the reply said under question 2 is a suggestion beside T01, not its answer: the ingest reads
        # T01 into the services table, and free text a person wrote may name people
        comments = {"T01": f"svar på spørsmål 2: {p.name}" if p.name else None,
                    "T02": f"foreslått ut fra svaret fra {by}; bekreft i intervjuet",
                    "T05": "fra svaret på spørsmål 3; bekreft i intervjuet" if p.members else None}
        title = f"Intervju, kartlegging {ctx.round}: {cls.unit_name(p.host)}"
        _save(workbook(title, answers, {k: v for k, v in comments.items() if v}), folder / _file_name(ctx, p.host))
        written += 1
    return Written([f"wrote {written} interview workbook(s) in {folder}/" + (f"; {kept} service(s) already had "
                                                                              "one (kept)" if kept else "")])
