"""The report's frame: where each figure and table comes from ("Kilde: ..."), and the numbering of tables.

Why one place: a source is named in many spots (a figure's source line, a table's, the references,
the colophon, the title page), and a generated demonstration source must be called synthetic in
every one of them. Which sources are synthetic is configuration, per source: a round's
``synthetic`` flag and ``kostra.synthetic`` (:class:`kartlegging.report.render.ReportMeta`). A
round an analyst adds has no flag and is real; nothing here guesses from the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kartlegging.report.numbers import fmt_count, is_missing

SYNTHETIC_ROUND = "syntetiske demonstrasjonsdata laget av arbeidsflyten"
SYNTHETIC_KOSTRA = "syntetiske KOSTRA-uttrekk laget av arbeidsflyten, ikke tall fra SSB"


def _rounds_text(rounds: list[str]) -> str:
    if len(rounds) == 1:
        return f"runde {rounds[0]}"
    return "rundene " + ", ".join(rounds[:-1]) + " og " + rounds[-1]


def source_lines(round_name: str, synthetic: bool, synthetic_rounds: tuple[str, ...], kostra_synthetic: bool,
                 compared_rounds: list[str] | None = None, register_source: str = "") -> dict[str, str]:
    """Each kind of source line the report prints, in bokmål, with synthetic sources named as such.
    ``register_source`` names the round's register by its kind (the catalogue's ``registre.<kind>.kilde``:
    published figures or a generator's design targets); '' when the round has none."""
    own_synthetic = synthetic or round_name in synthetic_rounds
    survey = f"kartleggingen runde {round_name}" + (f" ({SYNTHETIC_ROUND})" if own_synthetic else "")
    kostra = ("KOSTRA, frisklivssentraler: " + SYNTHETIC_KOSTRA) if kostra_synthetic else \
        "Statistisk sentralbyrå (SSB), KOSTRA: frisklivssentraler i kommunene"
    lines = {
        "flyt": f"Kilde: utsendelseslisten, e-postsvarene, telefonrunden og intervjuene i {survey}.",
        "intervju": f"Kilde: intervjuene med lederne av tjenestene, {survey}.",
        "kartlegging": f"Kilde: {survey}.",
        "kart": f"Kilde: {survey}; kommuneinndeling SSB Klass 131; kartgrunnlag Kartverket (CC BY 4.0).",
        "kostra": f"Kilde: {kostra}.",
        "kostra_mot_kartlegging": f"Kilde: {survey}; {kostra}.",
        "register": (f"Kilde: {register_source} for runde {round_name} (kildene er nevnt over tabellen) og "
                     f"beregningene i denne rapporten fra {survey}." if register_source else
                     f"Kilde: beregningene i denne rapporten fra {survey}."),
        "datakvalitet": f"Kilde: innlesingen av rådataene i denne kjøringen, {survey}.",
        "kommuner": f"Kilde: {survey}; kommuneinndeling SSB Klass 131.",
        "skjema": f"Kilde: spørreskjemaene i {survey.split(' (')[0]}.",
    }
    if compared_rounds:
        synth = [r for r in compared_rounds if r in synthetic_rounds or (r == round_name and own_synthetic)]
        text = f"kartleggingen {_rounds_text(compared_rounds)}"
        if synth and len(synth) == len(compared_rounds):
            text += f" (alle {SYNTHETIC_ROUND})" if len(synth) > 1 else f" ({SYNTHETIC_ROUND})"
        elif synth:
            text += f" ({_rounds_text(synth)}: {SYNTHETIC_ROUND})"
        lines["sammenligning"] = f"Kilde: {text}; felles kommuneinndeling fra SSB Klass 131."
        lines["sammenligning_kart"] = lines["sammenligning"][:-1] + "; kartgrunnlag Kartverket (CC BY 4.0)."
    return lines


@dataclass
class TableNumber:
    """A table's number as printed (``3``, ``B.2``) and the name of its CSV file (``tabell-3``, ``tabell-b2``)."""

    number: str
    csv: str


@dataclass
class TableCounter:
    """Numbers the report's tables in the order the template renders them (Jinja renders top to bottom).

    Tables of the body are numbered 1, 2, 3, ...; those of an appendix by its letter (A.1, A.2, ...),
    as in the chapters' own numbering.
    """

    counts: dict[str, int] = field(default_factory=dict)

    def __call__(self, appendix: str = "") -> TableNumber:
        n = self.counts.get(appendix, 0) + 1
        self.counts[appendix] = n
        if appendix:
            return TableNumber(f"{appendix}.{n}", f"tabell-{appendix.lower()}{n}")
        return TableNumber(str(n), f"tabell-{n}")


def share_base(numerator: Any, denominator: Any, noun: str = "") -> str:
    """What a share rests on, in words: ``19 av 32 kommuner``; '' when either count is missing."""
    if is_missing(numerator) or is_missing(denominator):
        return ""
    return f"{fmt_count(numerator)} av {fmt_count(denominator)}" + (f" {noun}" if noun else "")
