"""The analysts' chapters of the synthetic demonstration round 2024, as an analyst of a second round writes them.

``make demo-round-2024`` writes them to ``config/tekst/2024/`` (gitignored, removed with
``scripts/add_round.py --remove``): a foreword and a background that are the second round's own, and a
closing chapter whose sentences about findings sit in conditions (``{% hvis funn.<id> %}``), so that
each renders only where the generated data bear it out. Numbers are references to the round's figures;
the change since 2015 is the report's own summary, from the comparison table.
"""

from __future__ import annotations

from pathlib import Path

#: Marks every file this module writes; removal checks for it before deleting.
MARKER = "SYNTHETIC DEMONSTRATION"

_HEAD = ("---\n# {marker} chapter of round {round}, written by `make demo-round-{round}`; not committed.\n"
         "tittel: {title}\nplassering: {position}\n---\n")

CHAPTERS: tuple[tuple[str, str, str, str], ...] = (
    ("01-forord.md", "Forord", "foran-sammendrag", """\
Dette er den andre runden av kartleggingen av lærings- og mestringstjenester i kommunene. Den første
runden ble gjort i 2015 og publisert av NK LMH som notat 4/2016. Denne runden spør de samme
spørsmålene, slik at kommunene kan sammenlignes fra runde til runde.

Svarene i denne runden er **oppdiktet**. Runden er laget for å vise hvordan en ny runde legges inn og
leses ved siden av den forrige; ingen tall her beskriver en virkelig kommune, og tallene må ikke
siteres som resultater.
"""),
    ("02-bakgrunn.md", "Bakgrunn", "etter-sammendrag", """\
Siden forrige runde har kommunekartet endret seg: kommunereformen slo sammen mange kommuner, og noen
ble delt. Kommunenes plikt til å gi opplæring til pasienter, brukere og pårørende er samtidig gjort
tydeligere. Derfor er det nyttig å se på nytt hvor mange kommuner som har en lærings- og
mestringstjeneste, og hvordan tjenestene er organisert.

Spørsmålene gikk til kommunedirektøren i hver av landets {{ tall.kommuner_totalt }} kommuner og til
bydelsdirektørene i Oslo, til sammen {{ tall.mottakere_epost }} mottakere. Svarene på e-post dekket
{{ tall.epost_kommuner_med_svar }} kommuner; resten ble ringt opp, og lederne av tjenestene ble
intervjuet i perioden {{ tall.intervju_periode }}. Definisjonen av en tjeneste er den samme som i
forrige runde.
"""),
    ("03-avslutning.md", "Avslutning", "foran-vedlegg", """\
Runden fant {{ tall.tjenester_totalt }} lærings- og mestringstjenester: {{ tall.tjenester_kommunale }}
kommunale og {{ tall.tjenester_interkommunale }} interkommunale. De når innbyggerne i
{{ tall.kommuner_med_tjeneste }} av {{ tall.kommuner_totalt }} kommuner ({{ tall.kommuner_med_tjeneste_andel }}).

{% hvis funn.frisklivssentral_vanligst %}
Frisklivssentralen er den vanligste rammen: {{ tall.tjenester_frisklivssentral }} av tjenestene er
organisert som eller sammen med en.
{% ellers %}
Frisklivssentralen er ikke den vanligste rammen for tjenestene i denne runden.
{% slutt %}
{% hvis funn.malgrupper_fire_diagnoser_flest %}
Tilbudene er for det meste rettet mot diabetes, kols, hjerte- og karsykdom og kreft.
{% slutt %}
{% hvis tall.tjenester_ikke_startet > 0 %}
Blant tjenestene hadde {{ tall.tjenester_ikke_startet }} ennå ikke startet med tilbud da intervjuet ble gjort.
{% slutt %}

Hvordan dekningen har endret seg siden forrige runde, fylke for fylke og kommune for kommune, står i
kapitlet om endring.
"""),
)


def write_chapters(folder: Path, round_name: str) -> list[Path]:
    """Write the round's chapters into ``folder`` (``config/tekst/<round>/``); returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, title, position, body in CHAPTERS:
        path = folder / name
        path.write_text(_HEAD.format(marker=MARKER, round=round_name, title=title, position=position) + body,
                        encoding="utf-8")
        written.append(path)
    return written


def chapter_files(folder: Path) -> list[Path]:
    """The files :func:`write_chapters` writes into ``folder``."""
    return [folder / name for name, *_ in CHAPTERS]
