"""Every figure of the register, computed from the processed tables, and its reconciliation.

Each figure id of ``config/register/<round>.yaml`` has one small function here
that implements the definition written in the register. Published values are
read only by :func:`reconcile`, which sets each computed figure beside the
published one; no published value is ever used to compute anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from kartlegging.analysis.consolidate import kommuner_with_reply, replied
from kartlegging.analysis.crosscheck import FLS_ORGANISERING
from kartlegging.analysis.findings import FINDINGS, UTSAGN, finding_status, finding_values
from kartlegging.core.register import Register
from kartlegging.core.tables import included

MONTHS_NB = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
             "september", "oktober", "november", "desember")


@dataclass(frozen=True)
class Figure:
    """A computed figure. ``value`` is a count, a percentage (0-100) or a ratio."""

    figure_id: str
    value: float | None
    unit: str
    numerator: float | None = None
    denominator: float | None = None
    text: str | None = None


@dataclass
class Tables:
    """The processed tables of one round that figures are computed from."""

    dispatch: pd.DataFrame
    email_replies: pd.DataFrame
    phone_attempts: pd.DataFrame
    phone_units: pd.DataFrame
    interviews: pd.DataFrame
    services: pd.DataFrame
    service_kommuner: pd.DataFrame
    kommune_status: pd.DataFrame

    @property
    def inc(self) -> pd.DataFrame:
        return included(self.services)


def _count(fid: str, n: int) -> Figure:
    return Figure(fid, float(n), "antall")


def _share(fid: str, num: int, den: int) -> Figure:
    return Figure(fid, 100.0 * num / den if den else None, "prosent", float(num), float(den))


def kommuner_covered(t: Tables, services: pd.DataFrame) -> int:
    """Distinct kommuner hosting or taking part in the given services (interkommunale included)."""
    ids = set(services["service_id"])
    return int(t.service_kommuner.loc[t.service_kommuner["service_id"].isin(ids), "kommunenummer"].nunique())


def _services_and_kommuner(fid_t: str, fid_k: str, mask: Callable[[pd.DataFrame], pd.Series]):
    """Two figures from one selection of included services: how many, and how many kommuner."""
    def services_fig(t: Tables) -> Figure:
        return _count(fid_t, int(mask(t.inc).sum()))

    def kommuner_fig(t: Tables) -> Figure:
        return _count(fid_k, kommuner_covered(t, t.inc.loc[mask(t.inc)]))

    return {fid_t: services_fig, fid_k: kommuner_fig}


def _answer_count(fid: str, column: str, code: str, among: Callable[[pd.DataFrame], pd.Series] | None = None):
    def fig(t: Tables) -> Figure:
        s = t.inc if among is None else t.inc.loc[among(t.inc)]
        return _count(fid, int((s[column] == code).sum()))
    return {fid: fig}


_FLS = FLS_ORGANISERING


def _is_fls(s: pd.DataFrame) -> pd.Series:
    return s["organisering"].isin(_FLS)


def _started(s: pd.DataFrame) -> pd.Series:
    return s["tilbud_startet"] == "ja"


def _hf(s: pd.DataFrame) -> pd.Series:
    return s["samarbeid_hf"] == "ja"


def _phoned_units(t: Tables) -> int:
    """Dispatch units with no identified non-auto e-mail reply and at least one phone attempt."""
    replied_units = replied(t.email_replies)["enhet_id"]
    phoned = set(t.phone_attempts["enhet_id"].dropna())
    units = set(t.dispatch["enhet_id"]) - set(replied_units)
    return len(units & phoned)


def _email_yes_not_confirmed(t: Tables) -> Figure:
    ks = t.kommune_status
    yes = ks.loc[ks["epost_svar"] == "ja"]
    return _share("epost_ja_ikke_bekreftet_andel", int((yes["har_tjeneste"] != "ja").sum()), len(yes))


def _interview_period(t: Tables) -> Figure:
    dates = pd.to_datetime(t.interviews["intervjudato"].dropna())
    if dates.empty:
        return Figure("intervju_periode", None, "tekst", text=None)
    first, last = dates.min(), dates.max()
    text = f"{MONTHS_NB[first.month - 1]} {first.year} – {MONTHS_NB[last.month - 1]} {last.year}"
    return Figure("intervju_periode", None, "tekst", text=text)


def _with_service(t: Tables) -> int:
    return int((t.kommune_status["har_tjeneste"] == "ja").sum())


def _without_service(t: Tables) -> int:
    """kommuner_totalt - kommuner_med_tjeneste, by the register's definition (ukjent counts as without)."""
    return len(t.kommune_status) - _with_service(t)


FIGURES: dict[str, Callable[[Tables], Figure]] = {
    "kommuner_totalt": lambda t: _count("kommuner_totalt", len(t.kommune_status)),
    "mottakere_epost": lambda t: _count("mottakere_epost", len(t.dispatch)),
    "epost_kommuner_med_svar": lambda t: _count("epost_kommuner_med_svar", len(kommuner_with_reply(t.email_replies))),
    "telefonrunde_enheter": lambda t: _count("telefonrunde_enheter", _phoned_units(t)),
    "epost_ja_ikke_bekreftet_andel": _email_yes_not_confirmed,
    "intervju_periode": _interview_period,
    "tjenester_totalt": lambda t: _count("tjenester_totalt", len(t.inc)),
    "tjenester_kommunale": lambda t: _count("tjenester_kommunale", int((t.inc["type"] == "kommunal").sum())),
    "tjenester_interkommunale": lambda t: _count(
        "tjenester_interkommunale", int((t.inc["type"] == "interkommunal").sum())),
    "kommuner_i_interkommunale": lambda t: _count(
        "kommuner_i_interkommunale", kommuner_covered(t, t.inc.loc[t.inc["type"] == "interkommunal"])),
    "kommuner_med_tjeneste": lambda t: _count("kommuner_med_tjeneste", _with_service(t)),
    "kommuner_med_tjeneste_andel": lambda t: _share(
        "kommuner_med_tjeneste_andel", _with_service(t), len(t.kommune_status)),
    "kommuner_uten_tjeneste": lambda t: _count("kommuner_uten_tjeneste", _without_service(t)),
    "kommuner_uten_tjeneste_andel": lambda t: _share(
        "kommuner_uten_tjeneste_andel", _without_service(t), len(t.kommune_status)),
    "tjenester_prosjektfinansiert": lambda t: _count(
        "tjenester_prosjektfinansiert", int(t.inc["prosjektfinansiert"].astype(bool).sum())),
    **_answer_count("brukerorg_etablering_ja", "brukerorg_etablering", "ja"),
    **_answer_count("brukerorg_etablering_nei", "brukerorg_etablering", "nei"),
    **_answer_count("brukerorg_etablering_vet_ikke", "brukerorg_etablering", "vet_ikke"),
    **_answer_count("rekruttering_via_organisasjoner", "rekruttering", "via_brukerorganisasjoner", _started),
    **_answer_count("rekruttering_utenom", "rekruttering", "utenom_organisasjonene", _started),
    **_answer_count("rekruttering_vet_ikke", "rekruttering", "vet_ikke", _started),
    **_services_and_kommuner("tjenester_frisklivssentral", "kommuner_frisklivssentral", _is_fls),
    "tjenester_friskliv_og_mestring_navn": lambda t: _count(
        "tjenester_friskliv_og_mestring_navn",
        int((_is_fls(t.inc) & t.inc["friskliv_og_mestring_navn"].astype(bool)).sum())),
    "tjenester_frisklivssentral_ren": lambda t: _count(
        "tjenester_frisklivssentral_ren",
        int((_is_fls(t.inc) & ~t.inc["friskliv_og_mestring_navn"].astype(bool)).sum())),
    "kommuner_ikke_frisklivssentral": lambda t: _count("kommuner_ikke_frisklivssentral", kommuner_covered(
        t,
        t.inc.loc[
            t.inc["organisering"].isin(["eget_senter", "avdeling", "koordinator"]) & (t.inc["grunnlag"] != "erfaring")
        ],
    )),
    "tjenester_eget_senter": lambda t: _count(
        "tjenester_eget_senter", int(t.inc["organisering"].isin(["eget_senter", "avdeling"]).sum())),
    "tjenester_koordinator": lambda t: _count(
        "tjenester_koordinator", int((t.inc["organisering"] == "koordinator").sum())),
    "tjenester_inkludert_erfaring": lambda t: _count(
        "tjenester_inkludert_erfaring", int((t.inc["grunnlag"] == "erfaring").sum())),
    **_answer_count("tjenester_ikke_startet", "tilbud_startet", "nei"),
    **_answer_count("tjenester_startet", "tilbud_startet", "ja"),
    "tilbud_totalt": lambda t: _count(
        "tilbud_totalt", float(t.inc.loc[_started(t.inc), "antall_tilbud"].fillna(0).sum())),
    "tjenester_over_fem_tilbud": lambda t: _count(
        "tjenester_over_fem_tilbud", int((_started(t.inc) & (t.inc["antall_tilbud"].fillna(0) > 5)).sum())),
    **_answer_count("tjenester_kompetansekurs", "kompetansekurs", "ja"),
    **_services_and_kommuner("tjenester_samarbeid_hf", "kommuner_samarbeid_hf", _hf),
    **_services_and_kommuner("tjenester_hf_utvikling", "kommuner_hf_utvikling",
                             lambda s: _hf(s) & (s["hf_utvikling"] == "ja")),
    **_services_and_kommuner("tjenester_hf_helsepedagogikk", "kommuner_hf_helsepedagogikk",
                             lambda s: _hf(s) & (s["hf_helsepedagogikk"] == "ja")),
    **_services_and_kommuner("tjenester_hf_tilbud", "kommuner_hf_tilbud", lambda s: _hf(s) & (s["hf_tilbud"] == "ja")),
}
#: Findings stated in words (kartlegging.analysis.findings): unit utsagn, 1 where the statement holds, 0 where not.
FIGURES.update({fid: (lambda t, fid=fid: Figure(fid, unit=UTSAGN, **finding_values(fid, t.inc))) for fid in FINDINGS})


def compute_figures(round_name: str, tables: Tables, register: Register | None = None) -> pd.DataFrame:
    """Every survey figure this module knows, as rows of the ``figures`` table.

    Figures of the register that need other sources (``kostra_*``) are left to
    their own step and appear in the reconciliation as not computed.
    """
    # a register that lists nothing (a new round, nothing published yet) asks for every figure
    wanted = list(register.ids) if register and register.ids else list(FIGURES)
    rows = []
    for fid in wanted:
        if fid not in FIGURES:
            continue
        f = FIGURES[fid](tables)
        rows.append({"round": round_name, "figure_id": f.figure_id, "value": f.value,
                     "numerator": f.numerator, "denominator": f.denominator, "unit": f.unit, "text": f.text})
    return pd.DataFrame(rows)


# -- reconciliation -------------------------------------------------------------

_NUM = re.compile(r"-?\d+(?:[.,]\d+)?")


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _parse_number(text: str) -> float | None:
    m = _NUM.search(text.replace("\u00a0", " ").replace(" ", ""))
    return float(m.group(0).replace(",", ".")) if m else None


def _decimals(published: object) -> int:
    text = str(published)
    m = re.search(r"[.,](\d+)", text)
    return len(m.group(1)) if m else 0


def format_computed(value: float | None, unit: str, text: str | None, published: object) -> str | None:
    """The computed value written the way the published one is (``18 %``, ``1.05``, ``135``)."""
    if unit == "tekst":
        return text
    if value is None:
        return None
    if unit == "prosent":
        return f"{round(value):.0f} %"
    d = _decimals(published)
    return f"{value:.{d}f}"


def _tolerance(tol: object) -> tuple[float, str] | None:
    if tol is None:
        return None
    if isinstance(tol, (int, float)):
        return float(tol), "abs"
    text = str(tol)
    if text.endswith("pp"):
        return float(_parse_number(text)), "pp"
    return None


#: Published ratio words and the factor they stand for.
RATIO_WORDS: dict[str, float] = {"halvert": 0.5, "doblet": 2.0, "tredoblet": 3.0, "firedoblet": 4.0}
_RANGE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*[–—-]\s*(\d+(?:[.,]\d+)?)\s*x?\s*$", re.IGNORECASE)


def _ratio_range(tolerance: object) -> tuple[float, float] | None:
    """``1.8–2.2x`` → (1.8, 2.2); None when the tolerance is not a range."""
    if tolerance is None:
        return None
    m = _RANGE.match(str(tolerance))
    if not m:
        return None
    lo, hi = (float(g.replace(",", ".")) for g in m.groups())
    return (lo, hi) if lo <= hi else (hi, lo)


def is_ratio_word(published: object) -> bool:
    """Whether a published value is a word for a ratio (``doblet``) that the generic status cannot read."""
    return isinstance(published, str) and published.strip().casefold() in RATIO_WORDS


def ratio_status(entry: dict, fig: dict | None) -> tuple[str, str | None]:
    """Status of a ratio published as a word (``doblet``): ``lik``, ``innenfor toleranse`` or ``avviker``.

    ``lik`` when the ratio rounds to the word's factor at one decimal (1.95-2.05
    for doblet); ``innenfor toleranse`` inside the register's range; else
    ``avviker``. Without a range, the factor ±10 % is the range, the usual
    reading of "doubled". The computed text is the ratio with two decimals and
    an ``x`` (``1.91x``).
    """
    if fig is None or fig.get("value") is None or pd.isna(fig.get("value")):
        return "ikke beregnet", None
    value = float(fig["value"])
    factor = RATIO_WORDS[str(entry["published"]).strip().casefold()]
    computed = f"{value:.2f}x"
    lo, hi = _ratio_range(entry.get("tolerance")) or (factor * 0.9, factor * 1.1)
    if round(value, 1) == round(factor, 1):
        return "lik", computed
    if lo <= value <= hi:
        return "innenfor toleranse", computed
    return "avviker", computed


def status_for(entry: dict, fig: dict | None) -> tuple[str, str | None]:
    """Compare one computed figure with its published value: lik, innenfor toleranse, avviker.

    - numbers: equal at the published precision is ``lik``; inside the stated
      tolerance ``innenfor toleranse``;
    - percentages (``18 %``): equal when rounded to whole percent; a tolerance in
      percentage points (``2 pp``) widens it;
    - ratio words (``doblet``): see :func:`ratio_status`;
    - ``> 50 %``: the condition holds; ``få`` (few): under a quarter of the
      services concerned; text: equal after normalising dashes and spaces.
    """
    if fig is None or (_missing(fig.get("value")) and fig.get("text") is None):
        return "ikke beregnet", None
    if fig.get("unit") == UTSAGN:
        return finding_status(fig.get("value"))
    published = entry["published"]
    if is_ratio_word(published):
        return ratio_status(entry, fig)
    unit = fig["unit"]
    computed = format_computed(fig.get("value"), unit, fig.get("text"), published)
    value = fig.get("value")
    tol = _tolerance(entry.get("tolerance"))
    if unit == "tekst":
        same = " ".join(str(published).replace("-", "–").split()).casefold() == " ".join(
            str(computed).replace("-", "–").split()).casefold()
        return ("lik" if same else "avviker"), computed
    if isinstance(published, str) and published.strip().startswith(">"):
        bound = _parse_number(published)
        return ("lik" if value is not None and bound is not None and value > bound else "avviker"), computed
    if isinstance(published, str) and published.strip() == "få":
        den = fig.get("denominator")
        den = 0 if den is None or pd.isna(den) else den
        ok = value is not None and (value <= 5 if not den else value < den / 4)
        return ("lik" if ok else "avviker"), computed
    pub = float(published) if isinstance(published, (int, float)) else _parse_number(str(published))
    if pub is None or value is None:
        return "ikke beregnet", computed
    if unit == "prosent":
        if round(value) == round(pub):
            return "lik", computed
        if tol and tol[1] == "pp" and abs(value - pub) <= tol[0]:
            return "innenfor toleranse", computed
        return "avviker", computed
    d = _decimals(published)
    if round(value, d) == round(pub, d):
        return "lik", computed
    if tol and abs(value - pub) <= tol[0]:
        return "innenfor toleranse", computed
    return "avviker", computed


def reconcile(round_name: str, register: Register | None, figures: pd.DataFrame) -> pd.DataFrame:
    """Published against computed for every id of the register, in register order.

    A round without a register (a new round nobody has published yet) has
    nothing to reconcile: the table is empty and the report lists its figures
    as not in the register.
    """
    from kartlegging.core.tables import RECONCILIATION

    by_id = {r["figure_id"]: r for r in figures.to_dict("records")}
    rows = []
    for nr, entry in enumerate(register.figures if register else (), 1):
        fig = by_id.get(entry["id"])
        if fig is not None and fig.get("unit") == "tekst":
            fig = {**fig, "value": None}
        status, computed = status_for(entry, fig)
        if status == "avviker" and entry.get("misprint") is True:
            # the register marks the published value as a misprint: the data are the truth, the source is wrong
            status = "trykkfeil i kilden"
        tol = entry.get("tolerance")
        rows.append({
            "round": round_name,
            "nr": nr,
            "figure_id": entry["id"],
            "source": entry.get("source"),
            "definition": entry.get("definition"),
            "published": str(entry["published"]),
            "computed": computed,
            "value": None if fig is None else fig.get("value"),
            "tolerance": None if tol is None else str(tol),
            "status": status,
            "note": entry.get("note"),
        })
    return pd.DataFrame(rows, columns=RECONCILIATION.column_names)
