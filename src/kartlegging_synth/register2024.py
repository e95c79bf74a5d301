"""The 2024 demonstration round's self-check and register: what the design must satisfy, and the
design targets written as ``config/register/2024.yaml``.

There is no publication for a 2024 kartlegging, so the register holds the generator's own targets,
computed from the design before any raw file is written (:mod:`kartlegging_synth.round2024`
derives the design and writes the files).
"""

from __future__ import annotations

import json

from kartlegging.analysis.findings import FINDINGS
from kartlegging_synth.design import Design, DesignError, compute_figures, findings, merged

#: The survey figures of the register, in the order of round 2015's register.
REGISTER_IDS: tuple[str, ...] = (
    "kommuner_totalt", "mottakere_epost", "epost_kommuner_med_svar", "telefonrunde_enheter",
    "epost_ja_ikke_bekreftet_andel", "intervju_periode", "tjenester_totalt", "tjenester_kommunale",
    "tjenester_interkommunale", "kommuner_i_interkommunale", "kommuner_med_tjeneste", "kommuner_med_tjeneste_andel",
    "kommuner_uten_tjeneste", "kommuner_uten_tjeneste_andel", "tjenester_prosjektfinansiert",
    "brukerorg_etablering_ja", "brukerorg_etablering_nei", "brukerorg_etablering_vet_ikke",
    "rekruttering_via_organisasjoner", "rekruttering_utenom", "rekruttering_vet_ikke",
    "tjenester_frisklivssentral", "kommuner_frisklivssentral", "tjenester_friskliv_og_mestring_navn",
    "tjenester_frisklivssentral_ren", "kommuner_ikke_frisklivssentral", "tjenester_eget_senter",
    "tjenester_koordinator", "tjenester_inkludert_erfaring", "tjenester_ikke_startet", "tjenester_startet",
    "tilbud_totalt", "tjenester_over_fem_tilbud", "tjenester_kompetansekurs", "tjenester_samarbeid_hf",
    "kommuner_samarbeid_hf", "tjenester_hf_utvikling", "kommuner_hf_utvikling", "tjenester_hf_helsepedagogikk",
    "kommuner_hf_helsepedagogikk", "tjenester_hf_tilbud", "kommuner_hf_tilbud",
    *FINDINGS,
)

#: The findings of round 2015's register, stated for this round in the register's own words; the
#: design keeps every one of them true (:func:`check_design`), so each is a design target as well.
FINDING_STATEMENTS: dict[str, str] = {
    "malgrupper_fire_diagnoser_flest": "flest tjenester har tilbud for diabetes, kols, hjerte- og karsykdom og kreft",
    "malgrupper_andre_diagnoser_sporadisk": "andre diagnoser nevnes sjeldnere",
    "malgrupper_pa_tvers_fa": "få tjenester har tilbud på tvers av diagnoser",
    "erfaring_flere_tilbud": "tjenestene som er inkludert på erfaring, har flere tilbud hver",
    "frisklivsnavn_som_organisering": "navn og organisering skiller frisklivs- og mestringssentre fra "
                                      "frisklivssentraler på samme måte",
    "frisklivssentral_vanligst": "flest tjenester er organisert som eller sammen med en frisklivssentral",
}

#: What each figure counts, in this register's own words (the pipeline's definitions are in
#: kartlegging.analysis.figures; these only say it for a reader of the register).
DEFINITIONS: dict[str, str] = {
    "kommuner_totalt": "kommuner of Klass 131 version 2024",
    "mottakere_epost": "rows of the dispatch list: every kommune's rådmann and Oslo's bydelsdirektører",
    "epost_kommuner_med_svar": "kommuner with a non-auto e-mail reply (Oslo once, whichever of its units replied)",
    "telefonrunde_enheter": "dispatch units without a non-auto e-mail reply, phoned",
    "epost_ja_ikke_bekreftet_andel": "share of kommuner answering ja by e-mail that have no included service",
    "intervju_periode": "months of the first and last interview (T22)",
    "tjenester_totalt": "included services (T18 = ja), Oslo's bydeler merged into one",
    "tjenester_kommunale": "included services with one kommune",
    "tjenester_interkommunale": "included services with two or more kommuner",
    "kommuner_i_interkommunale": "kommuner in an included interkommunal service",
    "kommuner_med_tjeneste": "kommuner hosting or taking part in an included service",
    "kommuner_med_tjeneste_andel": "kommuner_med_tjeneste / kommuner_totalt",
    "kommuner_uten_tjeneste": "kommuner_totalt - kommuner_med_tjeneste",
    "kommuner_uten_tjeneste_andel": "kommuner_uten_tjeneste / kommuner_totalt",
    "tjenester_prosjektfinansiert": "included services that volunteered project funding (T07)",
    "brukerorg_etablering_ja": "T08 = ja among included services",
    "brukerorg_etablering_nei": "T08 = nei",
    "brukerorg_etablering_vet_ikke": "T08 = vet ikke",
    "rekruttering_via_organisasjoner": "T12 = via brukerorganisasjoner, among services with tilbud started",
    "rekruttering_utenom": "T12 = utenom organisasjonene, among started services",
    "rekruttering_vet_ikke": "T12 = vet ikke, among started services",
    "tjenester_frisklivssentral": "T06 frisklivssentral or frisklivs- og mestringssenter",
    "kommuner_frisklivssentral": "kommuner covered by those services",
    "tjenester_friskliv_og_mestring_navn": "of those, services named with both friskliv and mestring",
    "tjenester_frisklivssentral_ren": "the others of those",
    "kommuner_ikke_frisklivssentral": "kommuner covered by own centre, department or coordinator services",
    "tjenester_eget_senter": "T06 eget senter or avdeling",
    "tjenester_koordinator": "T06 koordinator",
    "tjenester_inkludert_erfaring": "T19 = erfaring",
    "tjenester_ikke_startet": "T09 = nei",
    "tjenester_startet": "T09 = ja",
    "tilbud_totalt": "sum of T10 over started services (ranges at their midpoint)",
    "tjenester_over_fem_tilbud": "started services with T10 > 5",
    "tjenester_kompetansekurs": "T13 = ja",
    "tjenester_samarbeid_hf": "T14 = ja",
    "kommuner_samarbeid_hf": "kommuner covered by those services",
    "tjenester_hf_utvikling": "T15 = ja among services with T14 = ja",
    "kommuner_hf_utvikling": "kommuner covered by those services",
    "tjenester_hf_helsepedagogikk": "T16 = ja among services with T14 = ja",
    "kommuner_hf_helsepedagogikk": "kommuner covered by those services",
    "tjenester_hf_tilbud": "T17 = ja among services with T14 = ja",
    "kommuner_hf_tilbud": "kommuner covered by those services",
    "malgrupper_fire_diagnoser_flest": "among started services (T09 = ja), diabetes, kols, hjerte- og karsykdom and "
                                       "kreft are the four most named T11 groups and over half of all T11 mentions",
    "malgrupper_andre_diagnoser_sporadisk": "psykisk helse, muskel og skjelett and overvekt are each named (T11) by "
                                            "fewer started services than the least named of the four",
    "malgrupper_pa_tvers_fa": "T11 includes på tvers av diagnoser for at most a quarter of started services",
    "erfaring_flere_tilbud": "every service included on experience (T19 = erfaring) reports 2 or more tilbud (T10)",
    "frisklivsnavn_som_organisering": "the services named (T01) with both friskliv and mestring are exactly those "
                                      "organised (T06) as frisklivs- og mestringssenter",
    "frisklivssentral_vanligst": "more included services are organised (T06) as or with a frisklivssentral than as "
                                 "an own centre or department, a coordinator or otherwise",
}

_MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
           "november", "desember")


def _percent(num: int, den: int) -> str:
    return f"{round(100 * num / den)} %"


def register_targets(design: Design) -> dict[str, object]:
    """Every register figure as the design gives it: the ``published`` values of the 2024 register."""
    f = compute_figures(design)
    dates = sorted(iv.dato for _, iv in design.interviews() if iv.dato)
    first, last = dates[0], dates[-1]
    total = int(f["kommuner_totalt"])
    tilbud = float(f["tilbud_totalt"])
    out: dict[str, object] = {k: f[k] for k in REGISTER_IDS if k in f}
    out.update({
        "epost_ja_ikke_bekreftet_andel": _percent(int(f["epost_ja_uten_tjeneste"]), int(f["epost_ja_kommuner"])),
        "intervju_periode": f"{_MONTHS[first.month - 1]} {first.year} – {_MONTHS[last.month - 1]} {last.year}",
        "kommuner_med_tjeneste_andel": _percent(int(f["kommuner_med_tjeneste"]), total),
        "kommuner_uten_tjeneste_andel": _percent(int(f["kommuner_uten_tjeneste"]), total),
        "tilbud_totalt": int(tilbud) if tilbud.is_integer() else tilbud,
        **FINDING_STATEMENTS,
    })
    return {k: out[k] for k in REGISTER_IDS}


def check_design(design: Design) -> dict[str, object]:
    """The invariants the pipeline's figure definitions rely on; returns the register's targets.

    There is no published figure to meet, so this checks consistency instead: a
    kommune in at most one service, every code a 2024 kommune, every unit either
    answered by e-mail or phoned, and services included on experience organised as
    ``annet`` and kommunal (the register's kommune counts by organisation assume so).
    The findings of 2015 (:data:`kartlegging.analysis.findings.FINDINGS`) must hold, as the
    register states them.
    """
    c = design.classification
    problems: list[str] = []
    seen: dict[str, str] = {}
    for s in design.services:
        for k in s.kommuner:
            if k not in c.kommuner:
                problems.append(f"{s.key}: {k} is no kommune of {c.version}")
            if k in seen:
                problems.append(f"kommune {k} is in both {seen[k]} and {s.key}")
            seen[k] = s.key
        m = merged(s)
        if m["t19"] == "erfaring" and (m["organisering"] != "annet" or len(s.kommuner) > 1):
            problems.append(f"{s.key}: a service included on experience is kommunal and organised as annet")
        if m["organisering"] in ("eget_senter", "avdeling") and len(s.kommuner) > 1:
            problems.append(f"{s.key}: own centres and departments are kommunal")
    for s in design.rejected:
        if s.host in seen:
            problems.append(f"rejected candidate {s.key} is in a kommune with a service")
    problems += [f"finding {fid} does not hold in the design" for fid, holds in findings(design).items() if not holds]
    if len(design.units) != len(c.kommuner) + len(c.bydeler):
        problems.append(f"{len(design.units)} units, expected one per kommune and bydel")
    for u in design.units.values():
        if (u.email is None) == (u.phone is None):
            problems.append(f"{u.enhet_id}: must be either an e-mail replier or phoned, not both or neither")
    if problems:
        raise DesignError("2024 design is inconsistent:\n  " + "\n  ".join(problems))
    return register_targets(design)


def register_yaml(targets: dict[str, object], seed: int, round_name: str) -> str:
    """The text of ``config/register/2024.yaml``: the design targets, marked as such."""
    def value(v: object) -> str:
        return str(v) if isinstance(v, (int, float)) else json.dumps(str(v), ensure_ascii=False)

    lines = [
        "# SYNTHETIC DEMONSTRATION REGISTER, round 2024. There is no publication for a 2024",
        "# kartlegging: every `published` value below is a design target of the generator",
        f"# (kartlegging_synth.round2024, seed {seed}), computed from its design before any raw",
        "# file is written. The reconciliation of this round therefore checks the pipeline",
        "# against the generator, not against a report. The figure ids are the survey figures",
        "# of round 2015's register (the KOSTRA figures belong to their own years, not to a round).",
        "# Written by `make demo-round-2024`; edits are overwritten.",
        f"round: {round_name}",
        "kind: design_targets",
        "sources:",
        "  design:",
        "    short: Designmål",
        f"    full: \"Målene generatoren av den syntetiske runden {round_name} satte for dataene "
        f"(kartlegging_synth, frø {seed}); ingen publikasjon\"",
        "figures:",
    ]
    for fid, v in targets.items():
        kind = ", kind: utsagn" if fid in FINDINGS else ""
        lines.append(f"  - {{id: {fid}, published: {value(v)}, source: design{kind}, "
                     f"definition: {value(DEFINITIONS[fid])}}}")
    return "\n".join(lines) + "\n"
