"""Every breakdown the report shows, as rows of the long table ``figure_series``.

The report reads and formats; it counts nothing (issue 12). Single numbers are
rows of ``figures`` (:mod:`kartlegging.analysis.figures`); every series, chart and table
of counts is a row here: one row per (series, category, measure), in the order
the report shows it (``nr``), with the bokmål label the report prints and,
where a share is shown, its denominator.

The definitions are the figures module's own (:func:`kartlegging.analysis.figures.kommuner_covered`,
the reply rule of :mod:`kartlegging.analysis.consolidate`, the frisklivssentral codes of
:mod:`kartlegging.ingest.kostra.reader`), so a chart and the text quoting it cannot disagree:
``tests/test_figure_series.py`` checks that each chart's values equal the
figures the text quotes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from kartlegging.analysis.consolidate import included, replied
from kartlegging.analysis.figures import Tables, kommuner_covered

#: Labels the report prints for answer codes.
ANSWER_LABELS = {"ja": "Ja", "nei": "Nei", "vet_ikke": "Vet ikke", "uklart": "Uklart"}
NOT_GIVEN = "Ikke oppgitt"
ORG_LABELS = {
    "frisklivssentral": "Frisklivssentral",
    "friskliv_og_mestring": "Frisklivs- og mestringssenter",
    "eget_senter": "Eget senter",
    "avdeling": "Avdeling",
    "koordinator": "Koordinator",
    "annet": "Annet",
}
PHONE_LABELS = {"ja": "Ja", "nei": "Nei", "vet_ikke": "Vet ikke", "ikke_nådd": "Ikke nådd"}
RECRUIT_LABELS = {
    "via_brukerorganisasjoner": "Via brukerorganisasjonene",
    "utenom_organisasjonene": "Utenom organisasjonene",
    "vet_ikke": "Vet ikke",
}
# The codes of coding.MALGRUPPER (T11); an unknown code is shown humanised, not dropped.
TARGET_GROUP_LABELS = {
    "diabetes": "Diabetes",
    "kols": "Kols",
    "hjerte_kar": "Hjerte- og karsykdom",
    "kreft": "Kreft",
    "psykisk_helse": "Psykisk helse",
    "muskel_skjelett": "Muskel og skjelett",
    "overvekt": "Overvekt",
    "paa_tvers": "På tvers av diagnoser",
    "parorende": "Pårørende",
    "annet": "Annet",
}
HF_ITEMS = (
    ("hf_utvikling", "Bidrar i utviklingen av tjenesten"),
    ("hf_helsepedagogikk", "Tilbyr kurs i helsepedagogikk"),
    ("hf_tilbud", "Deltar i planlegging, gjennomføring eller evaluering av tilbud"),
)
# Bins of T10 (tilbud last year) for the activity table; upper bounds inclusive.
TILBUD_BINS: tuple[tuple[str, str, float, float], ...] = (
    ("0", "0", 0, 0),
    ("1_2", "1–2", 0.5, 2),
    ("3_5", "3–5", 2.5, 5),
    ("over_5", "Over 5", 5.000001, float("inf")),
)
#: The two measures of a chart over services: the services, and the kommuner they cover.
TJENESTER, KOMMUNER = "tjenester", "kommuner"


@dataclass(frozen=True)
class Row:
    """One value of a series."""

    category: str
    label: str
    measure: str
    value: float | None
    denominator: float | None = None
    unit: str = "antall"
    text: str | None = None


def humanise(code: object, labels: Mapping[str, str]) -> str:
    """Label of a code; an unknown code is shown readably rather than dropped."""
    if code is None or (isinstance(code, float) and code != code):
        return NOT_GIVEN
    text = str(code)
    return labels.get(text, text.replace("_", " ").capitalize())


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name].astype("object")


def _sorted_included(services: pd.DataFrame) -> pd.DataFrame:
    return included(services).sort_values("service_id").reset_index(drop=True)


def _started(inc: pd.DataFrame) -> pd.DataFrame:
    return inc.loc[_col(inc, "tilbud_startet") == "ja"]


def _services_and_kommuner(t: Tables, groups: Iterable[tuple[str, str, pd.DataFrame]]) -> list[Row]:
    """Per group of services: how many, and how many kommuner they cover (interkommunale with all members)."""
    rows = []
    for code, label, part in groups:
        rows.append(Row(code, label, TJENESTER, float(len(part))))
        rows.append(Row(code, label, KOMMUNER, float(kommuner_covered(t, part))))
    return rows


def response_flow(t: Tables) -> list[Row]:
    """Figur 1: from dispatch to included services.

    A unit replied when it sent an identified reply that is not an auto-reply
    (:func:`kartlegging.analysis.consolidate.replied`, the rule of the figures);
    the units phoned are those phoned without such a reply.
    """
    dispatch, email, phone, services = t.dispatch, t.email_replies, t.phone_units, t.services
    roles = _col(dispatch, "mottaker_rolle")
    status = _col(email, "status")
    identified = email["enhet_id"].notna()
    answered = replied(email)
    replied_units = set(answered["enhet_id"].astype(str))
    units = set(dispatch["enhet_id"].astype(str))
    phoned = phone[~phone["enhet_id"].astype(str).isin(replied_units) & phone["enhet_id"].astype(str).isin(units)]
    phone_answers = _col(phoned, "svar")
    inkl = _col(services, "inkludert")
    counts = [
        ("mottakere", "Mottakere", len(dispatch)),
        ("radmenn", "Rådmenn", int((roles == "rådmann").sum())),
        ("bydelsdirektorer", "Bydelsdirektører", int((roles == "bydelsdirektør").sum())),
        ("meldinger", "E-poster mottatt", len(email)),
        ("autosvar", "Autosvar", int((status == "autosvar").sum())),
        ("erstattet", "Erstattet av et senere svar", int((status == "erstattet").sum())),
        ("uidentifisert", "Avsender ikke identifisert", int(((status == "til_vurdering") & ~identified).sum())),
        ("karantene", "Kunne ikke leses", int((status == "karantene").sum())),
        ("enheter_svar", "Enheter som svarte", len(replied_units)),
        ("ringt", "Enheter ringt uten e-postsvar", len(phoned)),
        *((f"telefon_{c}", PHONE_LABELS[c], int((phone_answers == c).sum())) for c in PHONE_LABELS),
        ("intervjuer", "Intervjuer", len(t.interviews)),
        ("bydeler_intervjuet", "Intervjuer fra Oslos bydeler", int(t.interviews["bydelsnummer"].notna().sum())),
        ("kandidater", "Mulige tjenester", len(services)),
        ("inkludert", "Inkludert", int((inkl == "ja").sum())),
        ("ikke_inkludert", "Ikke inkludert", int((inkl != "ja").sum())),
        ("ikke_inkludert_nei", "Oppfylte ikke definisjonen", int((inkl == "nei").sum())),
        ("ikke_inkludert_vet_ikke", "Uavklart", int((inkl == "vet_ikke").sum())),
        ("bydeler_utsendt", "Bydeler i Oslo som fikk skjema", int(dispatch["bydelsnummer"].dropna().nunique())),
        ("kommuner_ukjent", "Kommuner uten opplysninger i noen kilde",
         int((_col(t.kommune_status, "har_tjeneste") == "ukjent").sum())),
    ]
    rows = [Row(code, label, "antall", float(n)) for code, label, n in counts]
    sendt = sorted(dispatch["sendt"].dropna())
    for code, label, day in (("sendt_forste", "Første utsending", sendt[0] if sendt else None),
                             ("sendt_siste", "Siste utsending", sendt[-1] if sendt else None)):
        rows.append(Row(code, label, "dato", None, unit="dato", text=None if day is None else str(day)[:10]))
    return rows


def organisation(t: Tables) -> list[Row]:
    """Figur 3: included services by organisation as answered in the interview (T06), and their kommuner."""
    inc = _sorted_included(t.services)
    org = _col(inc, "organisering")
    codes = [c for c in ORG_LABELS if (org == c).any()]
    codes += sorted({str(c) for c in inc["organisering"].dropna()} - set(ORG_LABELS))
    return _services_and_kommuner(t, ((c, humanise(c, ORG_LABELS), inc.loc[org == c]) for c in codes))


def target_groups(t: Tables) -> list[Row]:
    """Figur 4: started services (T09 = ja) with a tilbud for each target group (T11); several groups each.

    Ordered by count, then label; the denominator is the started services.
    """
    started = _started(_sorted_included(t.services))
    counts: dict[str, int] = {}
    for groups in started["malgrupper"]:
        for code in sorted({str(g) for g in ([] if groups is None else groups)}):
            counts[code] = counts.get(code, 0) + 1
    order = sorted(counts.items(), key=lambda kv: (-kv[1], humanise(kv[0], TARGET_GROUP_LABELS).casefold()))
    return [Row(code, humanise(code, TARGET_GROUP_LABELS), TJENESTER, float(n), float(len(started)))
            for code, n in order]


def hf_cooperation(t: Tables) -> list[Row]:
    """Figur 5: T14 among included services (ja, nei, vet ikke, not given), and their kommuner."""
    inc = _sorted_included(t.services)
    answer = _col(inc, "samarbeid_hf")
    groups = [(c, ANSWER_LABELS[c], inc.loc[answer == c]) for c in ("ja", "nei", "vet_ikke")]
    if inc["samarbeid_hf"].isna().any():
        groups.append(("ikke_oppgitt", NOT_GIVEN, inc.loc[inc["samarbeid_hf"].isna()]))
    return _services_and_kommuner(t, groups)


def hf_contribution(t: Tables) -> list[Row]:
    """Figur 6: among services cooperating with the helseforetak, how it contributes (T15-T17)."""
    inc = _sorted_included(t.services)
    coop = inc.loc[_col(inc, "samarbeid_hf") == "ja"]
    return _services_and_kommuner(t, ((c, label, coop.loc[_col(coop, c) == "ja"]) for c, label in HF_ITEMS))


def _answers(frame: pd.DataFrame, column: str, labels: Mapping[str, str]) -> list[Row]:
    """Answer counts in label order, with 'not given' last when there are any; denominator the services asked."""
    values = _col(frame, column)
    n = float(len(frame))
    rows = [Row(c, labels[c], TJENESTER, float((values == c).sum()), n) for c in labels]
    absent = int(frame[column].isna().sum())
    if absent:
        rows.append(Row("ikke_oppgitt", NOT_GIVEN, TJENESTER, float(absent), n))
    return rows


def coverage_by_county(t: Tables) -> list[Row]:
    """Kommuner, those with a service (denominator: the county's kommuner) and unknown, per county."""
    rows = []
    status = t.kommune_status
    for (nr, navn), grp in status.groupby(["fylkesnummer", "fylkesnavn"], sort=True):
        har = _col(grp, "har_tjeneste")
        n = float(len(grp))
        rows += [Row(str(nr), str(navn), KOMMUNER, n),
                 Row(str(nr), str(navn), "med_tjeneste", float((har == "ja").sum()), n),
                 Row(str(nr), str(navn), "ukjent", float((har == "ukjent").sum()), n)]
    return rows


def tilbud_bins(t: Tables) -> list[Row]:
    """Started services by number of tilbud in the last year (T10), plus 'not given'."""
    started = _started(_sorted_included(t.services))
    values = started["antall_tilbud"]
    n = float(len(started))
    rows = [Row(code, label, TJENESTER, float(((values >= lo) & (values <= hi)).sum()), n)
            for code, label, lo, hi in TILBUD_BINS]
    absent = int(values.isna().sum())
    if absent:
        rows.append(Row("ikke_oppgitt", NOT_GIVEN, TJENESTER, float(absent), n))
    return rows


def kostra_series(kostra: pd.DataFrame | None) -> dict[str, list[Row]]:
    """Frisklivssentraler per year (Oslo once, its bydeler apart), and årsverk and deltakere summed per year."""
    if kostra is None or kostra.empty:
        return {}
    from kartlegging.analysis.kostra_values import dedupe, kommune_values

    fls = "Frisklivssentral"

    def years_of(variable: str) -> list[int]:
        sel = kostra[(kostra["variable"] == variable) & kostra["value"].notna()]
        return sorted({int(y) for y in sel["year"]})

    fls_rows: list[Row] = []
    for year in years_of(fls):
        values = kommune_values(kostra, year, fls)
        numbers = values.dropna(subset=["value"])
        bydeler = dedupe(kostra[(kostra["year"] == year) & (kostra["variable"] == fls)
                                & (kostra["region_level"] == "bydel")])
        y = str(year)
        fls_rows += [
            Row(y, y, "med_fls", float((numbers["value"] == 1).sum()), float(len(numbers))),
            Row(y, y, "med_tall", float(len(numbers))),
            Row(y, y, "bydeler_med_fls", float((bydeler["value"] == 1).sum()) if not bydeler.empty else None),
            Row(y, y, "oslo_via_bydeler", float((values["via"] == "bydeler").any()), unit="flagg"),
        ]
    volume: list[Row] = []
    arsverk, deltakere = set(years_of("AvtalteArsverk")), set(years_of("Deltakere"))
    for year in sorted(arsverk | deltakere):
        y = str(year)
        for variable, measure, present in (
            ("AvtalteArsverk", "arsverk", arsverk),
            ("Deltakere", "deltakere", deltakere),
        ):
            if year in present:
                v = kommune_values(kostra, year, variable).dropna(subset=["value"])
                volume += [Row(y, y, measure, float(v["value"].sum())), Row(y, y, f"{measure}_kommuner", float(len(v)))]
            else:
                volume += [Row(y, y, measure, None), Row(y, y, f"{measure}_kommuner", None)]
    return {"kostra_fls": fls_rows, "kostra_volum": volume}


#: Remarks of the cross-check with KOSTRA, in bokmål, in the order the report lists them.
AVVIK_LABELS = {
    "fls_i_kartlegging_kostra_0": "Frisklivssentral i kartleggingen, KOSTRA oppgir ingen",
    "fls_i_kartlegging_kostra_mangler": "Frisklivssentral i kartleggingen, KOSTRA mangler tall",
    "kostra_fls_ingen_tjeneste": "Frisklivssentral i KOSTRA, men ingen tjeneste i kartleggingen",
}


def kostra_crosscheck_series(crosscheck: pd.DataFrame | None) -> list[Row]:
    """Per kind of disagreement: how many kommuner, and the KOSTRA year most of them are from."""
    if crosscheck is None:
        return []
    rows = [Row("i_alt", "I alt", KOMMUNER, float(len(crosscheck)))]
    for code, label in AVVIK_LABELS.items():
        part = crosscheck[crosscheck["avvik"].astype(str) == code]
        years = part["kostra_aar"].dropna().astype(int)
        rows.append(Row(code, label, KOMMUNER, float(len(part))))
        rows.append(Row(code, label, "vanligste_aar", float(years.mode().min()) if not years.empty else None,
                        unit="år"))
    return rows


def compute_series(round_name: str, t: Tables, kostra: pd.DataFrame | None = None,
                   crosscheck: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every series of the round as rows of ``figure_series``."""
    inc = _sorted_included(t.services)
    started = _started(inc)
    series: dict[str, list[Row]] = {
        "svarflyt": response_flow(t),
        "dekning_fylke": coverage_by_county(t),
        "brukerorg_etablering": _answers(
            inc, "brukerorg_etablering", {k: ANSWER_LABELS[k] for k in ("ja", "nei", "vet_ikke")}
        ),
        "rekruttering": _answers(started, "rekruttering", RECRUIT_LABELS),
        "organisering": organisation(t),
        "tilbud_antall": tilbud_bins(t),
        "malgrupper": target_groups(t),
        "kompetansekurs": _answers(inc, "kompetansekurs", {k: ANSWER_LABELS[k] for k in ("ja", "nei", "vet_ikke")}),
        "samarbeid_hf": hf_cooperation(t),
        "hf_bidrag": hf_contribution(t),
        **kostra_series(kostra),
    }
    if crosscheck is not None:
        series["kostra_avvik"] = kostra_crosscheck_series(crosscheck)
    records = []
    for series_id, rows in series.items():
        order: dict[str, int] = {}
        for r in rows:
            nr = order.setdefault(r.category, len(order) + 1)
            records.append({"round": round_name, "series_id": series_id, "nr": nr, "category": r.category,
                            "label": r.label, "measure": r.measure, "value": r.value, "denominator": r.denominator,
                            "unit": r.unit, "text": r.text})
    from kartlegging.core.tables import FIGURE_SERIES

    return pd.DataFrame(records, columns=FIGURE_SERIES.column_names)
