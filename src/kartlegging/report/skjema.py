"""The two questionnaires of a round in words: the e-mail to the rådmenn and the interview with the leaders.

Why here: the report shows the questions in an appendix (vedlegg C) and, wherever it would otherwise
print an item code (``T06``) or a field name (``q1``, ``enhet_id``), the words a reader understands.
The wording is the project's own summary of the questionnaires of NK LMH 4/2016 and of the input
contract (``docs/INPUTS.md``); the codes stay in the data, the report says what they ask.
"""

from __future__ import annotations

#: The e-mail to the rådmenn and bydelsdirektører: five questions (the field ``q<n>`` holds answer n).
EMAIL_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("q1", "Har kommunen (eller bydelen) en lærings- og mestringstjeneste, altså et senter, en avdeling "
           "eller en koordinator som utvikler eller gir gruppebaserte tilbud der brukerne er med? "
           "Svar: ja, nei eller vet ikke."),
    ("q2", "Hva heter tjenesten, og hvor hører den til i organisasjonen?"),
    ("q3", "Er tjenesten kommunal eller interkommunal, og i så fall: hvilke kommuner er med?"),
    ("q4", "Hvem leder eller koordinerer tjenesten, og hvordan kan vi nå vedkommende?"),
    ("q5", "Har kommunen planer om å etablere en slik tjeneste? Svar: ja, nei eller vet ikke."),
)

#: The interview with the leader or coordinator of each possible service: item code, what it asks,
#: and whether the analysis reads it (items with personal data or free text are never read).
INTERVIEW_ITEMS: tuple[tuple[str, str, bool], ...] = (
    ("T01", "Hva heter tjenesten?", True),
    ("T02", "Hvilken kommune er vert for tjenesten?", True),
    ("T03", "Hvilken bydel gjelder det (bare Oslo)?", True),
    ("T04", "Er tjenesten kommunal eller interkommunal?", True),
    ("T05", "Hvilke andre kommuner er med i en interkommunal tjeneste?", True),
    ("T06", "Hvordan er tjenesten organisert: som frisklivssentral, frisklivs- og mestringssenter, eget senter, "
            "avdeling, koordinator eller på annen måte?", True),
    ("T07", "Nevnte lederen selv at tjenesten er finansiert som et prosjekt? (Dette ble ikke spurt om direkte.)", True),
    ("T08", "Er brukere eller brukerorganisasjoner med når tjenesten etableres og utvikles?", True),
    ("T09", "Har tjenesten startet med tilbud?", True),
    ("T10", "Hvor mange tilbud hadde tjenesten det siste året?", True),
    ("T11", "Hvilke målgrupper har tilbudene (diagnoser, pårørende, på tvers av diagnoser)?", True),
    ("T12", "Hvordan finner tjenesten brukerrepresentantene sine: gjennom brukerorganisasjonene eller utenom dem? "
            "(Bare for tjenester som har startet.)", True),
    ("T13", "Gir tjenesten kurs som øker kompetansen hos fagfolk eller brukerrepresentanter?", True),
    ("T14", "Samarbeider tjenesten med helseforetaket?", True),
    ("T15", "Er helseforetaket med og utvikler tjenesten? (Bare ved samarbeid.)", True),
    ("T16", "Gir helseforetaket kurs i helsepedagogikk? (Bare ved samarbeid.)", True),
    ("T17", "Er helseforetaket med i planlegging, gjennomføring eller evaluering av tilbud? (Bare ved samarbeid.)",
     True),
    ("T18", "Oppfyller tjenesten kartleggingens definisjon? (Intervjuerens vurdering etter samtalen.)", True),
    ("T19", "Er den tatt med som etablert tjeneste, eller fordi kommunen over mange år har gitt flere slike "
            "tilbud? (Intervjuerens vurdering.)", True),
    ("T20", "Navn på den som ble intervjuet.", False),
    ("T21", "Telefon og e-post til den som ble intervjuet.", False),
    ("T22", "Dato for intervjuet.", True),
    ("T23", "Åpne svar og sitater.", False),
)

#: Short names of the items and fields, for tables that name what a review item or override is about.
FIELD_LABELS: dict[str, str] = {
    "q1": "e-post, spørsmål 1 (har tjeneste)",
    "q2": "e-post, spørsmål 2 (navn og plassering)",
    "q3": "e-post, spørsmål 3 (kommunal eller interkommunal)",
    "q5": "e-post, spørsmål 5 (planer)",
    "enhet_id": "hvilken kommune eller bydel som svarte",
    "auto_reply": "om meldingen er et autosvar",
    "kommunenummer": "kommunenummer",
    "bydelsnummer": "bydelsnummer",
    "kommuner": "kommunene i tjenesten",
    "svar": "svaret i telefonrunden",
    "value": "svaret",
    "navn": "navn",
    "kommune": "kommune",
    "file": "hele filen",
    "": "hele posten",
    "T01": "tjenestens navn",
    "T02": "vertskommune",
    "T03": "bydel",
    "T04": "kommunal eller interkommunal",
    "T05": "kommunene i en interkommunal tjeneste",
    "T06": "organisering",
    "T07": "prosjektfinansiering",
    "T08": "brukerorganisasjoner i etableringen",
    "T09": "om tilbudene har startet",
    "T10": "antall tilbud",
    "T11": "målgrupper",
    "T12": "rekruttering av brukerrepresentanter",
    "T13": "kompetansehevende kurs",
    "T14": "samarbeid med helseforetaket",
    "T15": "helseforetaket i utviklingen",
    "T16": "kurs i helsepedagogikk",
    "T17": "helseforetaket i enkelttilbud",
    "T18": "om definisjonen er oppfylt",
    "T19": "grunnlag for å bli tatt med",
    "T22": "intervjudato",
}


def field_label(field: object) -> str:
    """What a field or item code is about, in words; an unknown code as 'annen opplysning' (never the code)."""
    text = "" if field is None else str(field)
    if text in FIELD_LABELS:
        return FIELD_LABELS[text]
    head = text.split(".", 1)[0].split(":", 1)[0]
    return FIELD_LABELS.get(head, "annen opplysning")
