"""Render one round's report as a self-contained HTML file and a PDF.

Both outputs come from the same Jinja2 template and the same stylesheet, so the
screen and the print version cannot say different things. Every number in the
text is looked up in figures.parquet (or counted from the processed tables for
breakdowns the register does not name); published values enter only through
reconciliation.parquet, in Appendix A. Nothing published is typed into the
template, so the report shows what the data give, misprints in the source
included as differences.

Optional inputs add sections (see :class:`ReportInputs`): the coverage map
(figure 2) from the round's map_status, the comparison with earlier rounds
from their map_status and services and the harmonised kommune_status, and the
KOSTRA section; without KOSTRA tables the report says that none were given. The
HTML also carries a filterable list of every kommune, left out of the PDF.

The tables come in through :mod:`kartlegging.report.inputs`, appendix B is
built in :mod:`kartlegging.report.quality`, and :mod:`kartlegging.report.pdf`
typesets the HTML; this module computes everything else the template shows.

Determinism: the same inputs give byte-identical HTML and PDF. Tables are
sorted before they are shown, charts are SVG with a fixed hash salt and no
date, the PDF carries no timestamp other than the run date from ``ReportMeta``,
and its file identifier is derived from the HTML instead of drawn at random.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
from markupsafe import Markup

from kartlegging.report import charts, sections
from kartlegging.report.inputs import (
    INPUT_TABLES,
    ExtraPaths,
    ReportInputs,
    load_inputs,
    read_inputs,
    read_register_ids,
    read_table,
)
from kartlegging.report.labels import (
    ORG_LABELS,
    ORG_ORDER,
    PHONE_LABELS,
    RECRUIT_LABELS,
    TYPE_LABELS,
    as_list,
    label,
    sort_key,
)
from kartlegging.report.numbers import (
    MISSING,
    canonical_value,
    fmt_count,
    fmt_date,
    fmt_figure,
    fmt_period,
    fmt_share,
    is_missing,
    parse_iso_date,
)
from kartlegging.report.pdf import html_to_pdf
from kartlegging.report.quality import quality_appendix

LOG = logging.getLogger(__name__)

TEMPLATE_DIR = Path(__file__).parent / "templates"
TEMPLATE = "kartlegging.html.j2"
STYLESHEET = "style.css"


ANSWER_LABELS = {"ja": "Ja", "nei": "Nei", "vet_ikke": "Vet ikke", "uklart": "Uklart"}
# The codes of coding.MALGRUPPER (T11); an unknown code is shown humanised, not dropped.
TARGET_GROUP_LABELS = {
    "diabetes": "Diabetes",
    "kols": "KOLS",
    "hjerte_kar": "Hjerte- og karsykdom",
    "kreft": "Kreft",
    "psykisk_helse": "Psykisk helse",
    "muskel_skjelett": "Muskel og skjelett",
    "overvekt": "Overvekt",
    "paa_tvers": "På tvers av diagnoser",
    "parorende": "Pårørende",
    "annet": "Annet",
}
STATUS_ORDER = ("lik", "innenfor toleranse", "avviker", "ikke beregnet", "ikke i registeret")
NOT_IN_REGISTER = "ikke i registeret"
# Figures after figure 1 (the response flow), in the order the template shows them.
FIGURE_ORDER = (
    "kart", "organisering", "malgrupper", "samarbeid_hf", "hf_bidrag",
    "kart_runder", "endring_organisering", "kostra_fls",
)
# Bins of T10 (tilbud last year) for the activity table; upper bounds inclusive.
TILBUD_BINS: tuple[tuple[str, float, float], ...] = (
    ("0", 0, 0),
    ("1–2", 0.5, 2),
    ("3–5", 2.5, 5),
    ("Over 5", 5.000001, float("inf")),
)


@dataclass(frozen=True)
class ReportMeta:
    """What the title block says about the run: which round, when, from which code.

    ``run_date`` is a string so the caller decides it (the Snakemake script
    takes it from SOURCE_DATE_EPOCH when set, keeping reruns byte-identical).
    """

    round: str
    run_date: str
    commit: str
    synthetic: bool
    classification: str = ""
    harmonise_to: str = ""
    # The publication's frame from config (publisher, series, number, authors, date); see _ramme_*.html.j2.
    publication: Mapping[str, Any] | None = None


# --------------------------------------------------------------------------- run metadata


def run_date_from_env(environ: Mapping[str, str] | None = None, fallback_epoch: int | None = None) -> str:
    """The run date as ISO text: from SOURCE_DATE_EPOCH when set, else ``fallback_epoch``, else today.

    SOURCE_DATE_EPOCH is the reproducible-builds convention (the Makefile sets
    it to the commit time, the tests to a fixed day), so two runs on the same
    inputs print the same date and the outputs stay byte-identical. A run
    started with ``snakemake`` directly passes the commit time as the fallback
    (:func:`git_commit_time`) to the same effect; only outside a git checkout
    does the report show the real day.
    """
    env = os.environ if environ is None else environ
    epoch = env.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not epoch.isdigit():
            raise ValueError(f"SOURCE_DATE_EPOCH must be whole seconds, got {epoch!r}")
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date().isoformat()
    if fallback_epoch is not None:
        return dt.datetime.fromtimestamp(fallback_epoch, tz=dt.timezone.utc).date().isoformat()
    return dt.date.today().isoformat()


def git_commit_time(cwd: str | Path | None = None) -> int | None:
    """Commit time (Unix seconds) of the checked-out commit, or None outside a git checkout."""
    try:
        done = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=cwd, capture_output=True, text=True,
                              check=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    text = done.stdout.strip()
    return int(text) if text.isdigit() else None


def git_commit(cwd: str | Path | None = None) -> str:
    """Short commit of the code that made the report, with ``-dirty`` for uncommitted changes.

    Untracked files do not count as dirty: outputs and scratch files live
    there. Outside a git checkout (an unpacked archive) the answer is
    'ukjent', logged, rather than a failed report.
    """
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True, timeout=30)
        return done.stdout.strip()

    try:
        commit = git("rev-parse", "--short=12", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError) as exc:
        LOG.warning("report: commit unknown (%s)", exc)
        return "ukjent"
    return f"{commit}-dirty" if dirty else commit


# --------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class FigureValue:
    """One figure as the report shows it."""

    figure_id: str
    unit: str
    value: float | None
    text: str | None
    numerator: float | None
    denominator: float | None

    @property
    def formatted(self) -> str:
        """Norwegian display form (``18 %``, ``1,05``, ``16 000``)."""
        return fmt_figure(self.value, self.unit, self.text)

    @property
    def canonical(self) -> str:
        """Machine-readable form for the ``data-value`` attribute."""
        return canonical_value(self.value, self.unit, self.text)


def _none(value: Any) -> Any:
    """NaN/NA to None, so templates and formatters see one kind of 'absent'."""
    return None if is_missing(value) else value


class FigureBook:
    """Lookup of figures.parquet by id, rendering each figure as a tagged span.

    Each rendered figure carries ``data-figure-id`` and ``data-value`` so a test
    (or a reader with the browser's inspector) can check every number in the
    text against the table it came from.
    """

    def __init__(self, figures: pd.DataFrame) -> None:
        self._by_id: dict[str, FigureValue] = {}
        for row in figures.sort_values("figure_id").itertuples(index=False):
            fid = str(row.figure_id)
            if fid in self._by_id:
                raise ValueError(f"figures.parquet has figure {fid!r} twice")
            self._by_id[fid] = FigureValue(
                figure_id=fid,
                unit=str(row.unit),
                value=_none(row.value),
                text=_none(row.text),
                numerator=_none(row.numerator),
                denominator=_none(row.denominator),
            )

    @property
    def ids(self) -> list[str]:
        """Ids present, sorted."""
        return sorted(self._by_id)

    def has(self, figure_id: str) -> bool:
        """True when the figure was computed and has a value."""
        fig = self._by_id.get(figure_id)
        return fig is not None and fig.formatted != MISSING

    def get(self, figure_id: str) -> FigureValue | None:
        """The figure, or None when figures.parquet lacks it."""
        return self._by_id.get(figure_id)

    def value(self, figure_id: str) -> float | None:
        """The numeric value, or None."""
        fig = self._by_id.get(figure_id)
        return None if fig is None else fig.value

    def span(self, figure_id: str) -> Markup:
        """The figure as ``<span data-figure-id=... data-value=...>formatted</span>``.

        An absent figure reads 'ikke beregnet' and is tagged
        ``data-missing-figure-id``, so it is visible but never mistaken for a value.
        """
        fig = self._by_id.get(figure_id)
        if fig is None:
            return Markup('<span class="fig missing" data-missing-figure-id="{}">{}</span>').format(
                figure_id, MISSING
            )
        css_class = "fig fig-text" if fig.unit == "tekst" else "fig"
        return Markup('<span class="{}" data-figure-id="{}" data-value="{}">{}</span>').format(
            css_class, fig.figure_id, fig.canonical, fig.formatted
        )

    def share(self, numerator_id: str, denominator_id: str) -> str:
        """A share derived from two figures (not itself in the register)."""
        return fmt_share(self.value(numerator_id), self.value(denominator_id))


# --------------------------------------------------------------------------- helpers


_label = label
_as_list = as_list
_sort_key = sort_key


def _count(series: pd.Series, code: str) -> int:
    """How many cells equal ``code`` (missing cells never do)."""
    return int((series.astype("object") == code).sum())


@dataclass
class Check:
    """A figure computed upstream against the same count taken from the tables here."""

    label: str
    figure_id: str
    from_tables: float
    from_figures: float | None

    @property
    def ok(self) -> bool:
        """Equal, or not checkable because the figure is absent."""
        return self.from_figures is None or abs(self.from_figures - self.from_tables) < 1e-9


@dataclass
class Chart:
    """One chart with its number, caption, alt text, image and the values as a table."""

    key: str
    number: int
    title: str
    caption: str
    alt: str
    uri: str
    categories: list[str]
    series: dict[str, list[float]]

    @property
    def rows(self) -> list[tuple[str, list[str]]]:
        """The values behind the chart, one row per category, for the table under it."""
        names = list(self.series)
        return [(cat, [fmt_count(self.series[n][i]) for n in names]) for i, cat in enumerate(self.categories)]


# --------------------------------------------------------------------------- content


def _included(services: pd.DataFrame) -> pd.DataFrame:
    """Services that meet the definition (T18 = ja), in a stable order."""
    inc = services[services["inkludert"].astype("object") == "ja"]
    return inc.sort_values("service_id").reset_index(drop=True)


def _kommuner_of(service_ids: Iterable[str], service_kommuner: pd.DataFrame) -> set[str]:
    """Kommuner hosting or taking part in any of the services: 'incl. interkommunale'."""
    ids = set(service_ids)
    rows = service_kommuner[service_kommuner["service_id"].isin(ids)]
    return set(rows["kommunenummer"].astype(str))


def _response_flow(inputs: ReportInputs) -> dict[str, Any]:
    """Counts for the response-flow diagram, taken from the tables of each source.

    A unit 'replied' when it sent an identified reply that is not an
    auto-reply (a reply later superseded still counts: the unit did answer),
    the same rule the figures use, so the diagram and the text agree. Units
    phoned are those phoned without such a reply.
    """
    dispatch, email, phone = inputs.dispatch, inputs.email_replies, inputs.phone_units
    roles = dispatch["mottaker_rolle"].astype("object")
    status = email["status"].astype("object")
    identified = email["enhet_id"].notna()
    replied = email[status.isin(["svar", "erstattet"]) & identified]
    replied_units = set(replied["enhet_id"].astype(str))
    phoned = phone[~phone["enhet_id"].astype(str).isin(replied_units)]
    phoned = phoned[phoned["enhet_id"].astype(str).isin(set(dispatch["enhet_id"].astype(str)))]
    phone_answers = phoned["svar"].astype("object")
    services = inputs.services
    inkl = services["inkludert"].astype("object")
    return {
        "recipients": len(dispatch),
        "radmenn": int((roles == "rådmann").sum()),
        "bydelsdirektorer": int((roles == "bydelsdirektør").sum()),
        "messages": len(email),
        "auto": int((status == "autosvar").sum()),
        "superseded": int((status == "erstattet").sum()),
        "unidentified": int(((status == "til_vurdering") & ~identified).sum()),
        "quarantined": int((status == "karantene").sum()),
        "units_replied": len(replied_units),
        "kommuner_replied": int(replied["kommunenummer"].dropna().nunique()),
        "phoned": len(phoned),
        "phoned_all": len(phone),
        "phone_answers": [(PHONE_LABELS[c], int((phone_answers == c).sum())) for c in PHONE_LABELS],
        "interviews": len(inputs.interviews),
        "candidates": len(services),
        "included": int((inkl == "ja").sum()),
        "excluded": int((inkl != "ja").sum()),
        "excluded_nei": int((inkl == "nei").sum()),
        "excluded_vet_ikke": int((inkl == "vet_ikke").sum()),
    }


def _answer_rows(series: pd.Series, labels: Mapping[str, str]) -> list[tuple[str, int]]:
    """Answer counts in label order, with 'not given' last when there are any."""
    rows = [(labels[c], _count(series, c)) for c in labels]
    absent = int(series.isna().sum())
    if absent:
        rows.append(("Ikke oppgitt", absent))
    return rows


def _coverage_by_county(status: pd.DataFrame) -> list[dict[str, Any]]:
    """Kommuner and kommuner with a service per county, in county-number order."""
    out = []
    for (nr, navn), grp in status.groupby(["fylkesnummer", "fylkesnavn"], sort=True):
        har = grp["har_tjeneste"].astype("object")
        n, med = len(grp), int((har == "ja").sum())
        out.append({
            "fylkesnummer": str(nr), "fylkesnavn": str(navn), "kommuner": n,
            "med": med, "andel": fmt_share(med, n), "ukjent": int((har == "ukjent").sum()),
        })
    return out


def _services_by_county(inputs: ReportInputs, included: pd.DataFrame) -> list[dict[str, Any]]:
    """Section 5: per county, the included services with the member kommuner in that county.

    A service is listed under every county where it has a member, with the
    members elsewhere counted, so an interkommunal service across a county
    border is not hidden in one of them.
    """
    status = inputs.kommune_status
    names = dict(zip(status["kommunenummer"].astype(str), status["kommunenavn"].astype(str)))
    county = dict(zip(status["kommunenummer"].astype(str), status["fylkesnummer"].astype(str)))
    county_name = dict(zip(status["fylkesnummer"].astype(str), status["fylkesnavn"].astype(str)))
    bridge = inputs.service_kommuner.sort_values(["service_id", "kommunenummer"])
    by_county: dict[str, list[dict[str, Any]]] = {}
    for svc in included.itertuples(index=False):
        members = bridge[bridge["service_id"] == svc.service_id]
        per_county: dict[str, list[tuple[str, bool]]] = {}
        for m in members.itertuples(index=False):
            k = str(m.kommunenummer)
            per_county.setdefault(county.get(k, "??"), []).append(
                (names.get(k, k), str(m.rolle) == "vert")
            )
        for fnr, kommuner in per_county.items():
            kommuner.sort(key=lambda item: (not item[1], _sort_key(item[0])))
            by_county.setdefault(fnr, []).append({
                "navn": "(uten navn)" if is_missing(svc.navn) else str(svc.navn),
                "type": _label(svc.type, TYPE_LABELS),
                "organisering": _label(svc.organisering, ORG_LABELS),
                "erfaring": str(svc.grunnlag) == "erfaring",
                "kommuner": kommuner,
                "andre": sum(len(v) for f, v in per_county.items() if f != fnr),
                "service_id": str(svc.service_id),
            })
    out = []
    for fnr in sorted(by_county):
        rows = sorted(by_county[fnr], key=lambda r: (_sort_key(r["navn"]), r["service_id"]))
        fylke = status[status["fylkesnummer"].astype(str) == fnr]
        out.append({
            "fylkesnummer": fnr,
            "fylkesnavn": county_name.get(fnr, "Ukjent fylke"),
            "services": rows,
            "med": int((fylke["har_tjeneste"].astype("object") == "ja").sum()),
            "kommuner": len(fylke),
        })
    return out


def _tilbud_bins(started: pd.DataFrame) -> list[tuple[str, int]]:
    """Started services by number of tilbud in the last year (T10), plus 'not given'."""
    values = started["antall_tilbud"]
    rows = [(label, int(((values >= lo) & (values <= hi)).sum())) for label, lo, hi in TILBUD_BINS]
    absent = int(values.isna().sum())
    if absent:
        rows.append(("Ikke oppgitt", absent))
    return rows


def _reconciliation_rows(inputs: ReportInputs, figs: FigureBook) -> list[dict[str, Any]]:
    """Appendix A: one row per figure of the register (or of figures.parquet).

    Order: register order (the register itself when given, else the ``nr``
    column of reconciliation.parquet), then figures outside the register. The computed value comes from figures.parquet through the same
    formatter as the text, so the appendix and the body cannot disagree; the
    published value and status come from reconciliation.parquet.
    """
    ordered = inputs.reconciliation.sort_values(["nr", "figure_id"], kind="stable")
    recon = {str(r.figure_id): r for r in ordered.itertuples(index=False)}
    order = list(dict.fromkeys([*inputs.register_ids, *recon, *figs.ids]))
    rows = []
    for fid in order:
        r = recon.get(fid)
        fig = figs.get(fid)
        computed = figs.has(fid)
        if r is None:
            status = NOT_IN_REGISTER if fid not in inputs.register_ids else "ikke beregnet"
        else:
            status = "ikke beregnet" if not computed else str(r.status)
        note = "" if r is None or is_missing(r.note) else str(r.note)
        rows.append({
            "figure_id": fid,
            "source": "" if r is None or is_missing(r.source) else str(r.source),
            "definition": "" if r is None or is_missing(r.definition) else str(r.definition),
            "published": "–" if r is None else str(r.published),
            "tolerance": "" if r is None or is_missing(r.tolerance) else str(r.tolerance),
            "computed": figs.span(fid) if fig is not None else None,
            "status": status,
            "status_class": status.replace(" ", "-"),
            "note": note,
            "misprint": bool(re.search(r"misprint|trykkfeil", note, re.IGNORECASE)),
        })
    return rows


def _chart(key: str, number: int, title: str, caption: str, categories: list[str],
           series: dict[str, list[float]], value_label: str, category_label: str, svg: str | None = None) -> Chart:
    """Draw one chart (grouped bars unless ``svg`` is given) and describe it in words for the alt text."""
    if svg is None:
        svg = charts.grouped_barh_svg(categories, series, value_label=value_label, category_label=category_label)
    parts = []
    for name, values in series.items():
        pairs = ", ".join(f"{c}: {fmt_count(v)}" for c, v in zip(categories, values))
        parts.append(f"{name}: {pairs}")
    alt = f"{title}. " + ". ".join(parts) + "."
    return Chart(key, number, title, caption, alt, charts.svg_data_uri(svg), categories, series)


def build_context(inputs: ReportInputs, meta: ReportMeta) -> dict[str, Any]:
    """Compute everything the template shows, from the inputs only."""
    figs = FigureBook(inputs.figures)
    services, bridge = inputs.services, inputs.service_kommuner
    inc = _included(services)
    n_inc = len(inc)
    kommuner_inc = _kommuner_of(inc["service_id"], bridge)
    status = inputs.kommune_status
    har = status["har_tjeneste"].astype("object")

    def col(frame: pd.DataFrame, name: str) -> pd.Series:
        return frame[name].astype("object")

    # Organisation of the included services.
    org_codes = [c for c in ORG_ORDER if (col(inc, "organisering") == c).any()]
    extra = sorted({str(c) for c in inc["organisering"].dropna()} - set(ORG_ORDER))
    org_codes += extra
    org_series = {"Tjenester": [], "Kommuner (inkl. interkommunale)": []}
    for code in org_codes:
        ids = inc.loc[col(inc, "organisering") == code, "service_id"]
        org_series["Tjenester"].append(float(len(ids)))
        org_series["Kommuner (inkl. interkommunale)"].append(float(len(_kommuner_of(ids, bridge))))

    # Target groups (T11) among included services.
    tg_counts: dict[str, int] = {}
    for groups in inc["malgrupper"]:
        for code in sorted(set(_as_list(groups))):
            tg_counts[code] = tg_counts.get(code, 0) + 1
    tg = sorted(tg_counts.items(), key=lambda kv: (-kv[1], _sort_key(_label(kv[0], TARGET_GROUP_LABELS))))

    # Cooperation with the helseforetak: figur 1 (T14) and figur 2 (T15-T17 among T14 = ja).
    hf1_series = {"Tjenester": [], "Kommuner (inkl. interkommunale)": []}
    hf1_cats = []
    for code in ("ja", "nei", "vet_ikke"):
        ids = inc.loc[col(inc, "samarbeid_hf") == code, "service_id"]
        hf1_cats.append(ANSWER_LABELS[code])
        hf1_series["Tjenester"].append(float(len(ids)))
        hf1_series["Kommuner (inkl. interkommunale)"].append(float(len(_kommuner_of(ids, bridge))))
    n_hf_absent = int(inc["samarbeid_hf"].isna().sum())
    if n_hf_absent:
        ids = inc.loc[inc["samarbeid_hf"].isna(), "service_id"]
        hf1_cats.append("Ikke oppgitt")
        hf1_series["Tjenester"].append(float(n_hf_absent))
        hf1_series["Kommuner (inkl. interkommunale)"].append(float(len(_kommuner_of(ids, bridge))))
    coop = inc[col(inc, "samarbeid_hf") == "ja"]
    hf2_items = (
        ("hf_utvikling", "Bidrar i utviklingen av tjenesten"),
        ("hf_helsepedagogikk", "Tilbyr kurs i helsepedagogikk"),
        ("hf_tilbud", "Deltar i planlegging, gjennomføring eller evaluering av tilbud"),
    )
    hf2_series = {"Tjenester": [], "Kommuner (inkl. interkommunale)": []}
    for column, _label_text in hf2_items:
        ids = coop.loc[col(coop, column) == "ja", "service_id"]
        hf2_series["Tjenester"].append(float(len(ids)))
        hf2_series["Kommuner (inkl. interkommunale)"].append(float(len(_kommuner_of(ids, bridge))))

    chart_list: list[Chart] = []

    def add_chart(key: str, title: str, caption: str, categories: list[str],
                  series: dict[str, list[float]], category_label: str) -> None:
        if not categories:
            return
        chart_list.append(_chart(key, 0, title, caption, categories, series, "Antall", category_label))

    add_chart(
        "organisering", "Organisering av tjenestene",
        "Inkluderte tjenester etter organisering, og kommunene de dekker (interkommunale tjenester teller med alle deltakende kommuner).",
        [_label(c, ORG_LABELS) for c in org_codes], org_series, "Organisering",
    )
    add_chart(
        "malgrupper", "Målgrupper for tilbudene",
        "Antall inkluderte tjenester som har tilbud for hver målgruppe. En tjeneste kan ha flere målgrupper.",
        [_label(c, TARGET_GROUP_LABELS) for c, _ in tg], {"Tjenester": [float(n) for _, n in tg]}, "Målgruppe",
    )
    add_chart(
        "samarbeid_hf", "Samarbeid med helseforetaket",
        "Svar fra lederne av de inkluderte tjenestene på om tjenesten samarbeider med helseforetaket (figur 1 i notatet), "
        "med antall kommuner tjenestene dekker.",
        hf1_cats, hf1_series, "Svar",
    )
    add_chart(
        "hf_bidrag", "Slik bidrar helseforetaket",
        "Blant tjenestene som samarbeider med helseforetaket: hvordan helseforetaket bidrar (figur 2 i notatet), "
        "med antall kommuner tjenestene dekker. En tjeneste kan svare ja på flere.",
        [t for _, t in hf2_items], hf2_series, "Bidrag",
    )

    # Sections that show the data as maps, across rounds, from KOSTRA and as a list.
    coverage_map = sections.coverage_map(status, services, inputs.map_status, inputs.geometry, meta.round,
                                         meta.classification, round_map=inputs.round_map)
    comparison = sections.comparison(meta.round, services, inputs.map_status, inputs.earlier, inputs.harmonised,
                                     inputs.geometry, meta.harmonise_to)
    if comparison and comparison["org_chart"]:
        org = comparison["org_chart"]
        add_chart(
            "endring_organisering", "Tjenester etter organisering i hver runde",
            "Inkluderte tjenester etter organisering, én stolpe per runde.",
            org["categories"], org["series"], "Organisering",
        )
    kostra = sections.kostra_section(inputs.kostra, inputs.kostra_crosscheck)
    if kostra["present"] and kostra["chart"]:
        k = kostra["chart"]
        svg = charts.columns_svg(k["categories"], k["values"], value_label="Kommuner", category_label="År")
        chart_list.append(_chart(
            "kostra_fls", 0, "Kommuner med frisklivssentral etter KOSTRA",
            "Kommuner som oppga at de hadde en frisklivssentral, år for år, i kommuneinndelingen som gjaldt "
            "det året. Oslo er talt én gang; bydelene står i tabellen under figuren.",
            k["categories"], {"Kommuner med frisklivssentral": k["values"]}, "Kommuner", "År", svg=svg,
        ))
    figure_list: list[Any] = [*chart_list]
    if coverage_map is not None:
        figure_list.append(coverage_map)
    if comparison and comparison["small_maps"] is not None:
        figure_list.append(comparison["small_maps"])
    by_key = {f.key: f for f in figure_list}
    # Figure 1 is the response-flow diagram (HTML); the others are numbered in the order the report shows them.
    for number, key in enumerate((k for k in FIGURE_ORDER if k in by_key), start=2):
        by_key[key].number = number
    unordered = sorted(set(by_key) - set(FIGURE_ORDER))
    if unordered:
        raise RuntimeError(f"figures {unordered} have no place in FIGURE_ORDER")
    chart_by_key = {c.key: c for c in chart_list}

    started = inc[col(inc, "tilbud_startet") == "ja"]
    flow = _response_flow(inputs)

    checks = [
        Check("Mottakere i utsendelseslisten", "mottakere_epost", flow["recipients"], figs.value("mottakere_epost")),
        Check("Enheter ringt uten e-postsvar", "telefonrunde_enheter", flow["phoned"], figs.value("telefonrunde_enheter")),
        Check("Kommuner med svar på e-post", "epost_kommuner_med_svar", flow["kommuner_replied"],
              figs.value("epost_kommuner_med_svar")),
        Check("Kommuner i kommuneinndelingen", "kommuner_totalt", len(status), figs.value("kommuner_totalt")),
        Check("Inkluderte tjenester", "tjenester_totalt", n_inc, figs.value("tjenester_totalt")),
        Check("Kommuner med tjeneste (kommunestatus)", "kommuner_med_tjeneste", int((har == "ja").sum()),
              figs.value("kommuner_med_tjeneste")),
        Check("Kommuner med tjeneste (tjenester og deltakerkommuner)", "kommuner_med_tjeneste", len(kommuner_inc),
              figs.value("kommuner_med_tjeneste")),
        Check("Tjenester som samarbeider med helseforetaket (figur)", "tjenester_samarbeid_hf",
              hf1_series["Tjenester"][0], figs.value("tjenester_samarbeid_hf")),
        Check("Kommuner som samarbeider med helseforetaket (figur)", "kommuner_samarbeid_hf",
              hf1_series["Kommuner (inkl. interkommunale)"][0], figs.value("kommuner_samarbeid_hf")),
    ]
    for i, (column, _t) in enumerate(hf2_items):
        short = column.removeprefix("hf_")
        checks.append(Check(f"Tjenester, helseforetaket: {short} (figur)", f"tjenester_hf_{short}",
                            hf2_series["Tjenester"][i], figs.value(f"tjenester_hf_{short}")))
        checks.append(Check(f"Kommuner, helseforetaket: {short} (figur)", f"kommuner_hf_{short}",
                            hf2_series["Kommuner (inkl. interkommunale)"][i], figs.value(f"kommuner_hf_{short}")))
    for c in checks:
        if not c.ok:
            LOG.warning("report: %s: tables give %g, figures.parquet gives %g (%s)",
                        c.label, c.from_tables, c.from_figures, c.figure_id)

    recon_rows = _reconciliation_rows(inputs, figs)
    status_counts = [(s, sum(1 for r in recon_rows if r["status"] == s)) for s in STATUS_ORDER]

    sendt = inputs.dispatch["sendt"].dropna()
    oslo_interviews = int(inputs.interviews["bydelsnummer"].notna().sum())
    run_day = parse_iso_date(meta.run_date)

    return {
        "meta": meta,
        "figs": figs,
        "run_date_text": fmt_date(run_day) if run_day else meta.run_date,
        "created": meta.run_date if run_day else None,
        "flow": flow,
        "n_bydeler": int(inputs.dispatch["bydelsnummer"].dropna().nunique()),
        "dispatch_first": fmt_date(min(sendt)) if len(sendt) else MISSING,
        "dispatch_last": fmt_date(max(sendt)) if len(sendt) else MISSING,
        "interview_period_tables": fmt_period(
            min(inputs.interviews["intervjudato"].dropna(), default=None),
            max(inputs.interviews["intervjudato"].dropna(), default=None),
        ),
        "oslo_interviews": oslo_interviews,
        "n_ukjent": int((har == "ukjent").sum()),
        "coverage": _coverage_by_county(status),
        "share_hf": Markup('<span class="fig derived">{}</span>').format(
            figs.share("tjenester_samarbeid_hf", "tjenester_totalt")),
        "brukerorg_rows": _answer_rows(col(inc, "brukerorg_etablering"), {k: ANSWER_LABELS[k] for k in ("ja", "nei", "vet_ikke")}),
        "recruit_rows": _answer_rows(col(started, "rekruttering"), RECRUIT_LABELS),
        "n_started": len(started),
        "tilbud_bins": _tilbud_bins(started),
        "kurs_rows": _answer_rows(col(inc, "kompetansekurs"), {k: ANSWER_LABELS[k] for k in ("ja", "nei", "vet_ikke")}),
        "charts": chart_by_key,
        "coverage_map": coverage_map,
        "comparison": comparison,
        "kostra": kostra,
        "kommune_list": sections.kommune_list(status, services),
        "by_county": _services_by_county(inputs, inc),
        "recon_rows": recon_rows,
        "status_counts": status_counts,
        "quality": quality_appendix(inputs),
        "checks": checks,
        "checks_failed": sum(1 for c in checks if not c.ok),
    }


# --------------------------------------------------------------------------- output


def _plural(n: float, singular: str, plural: str) -> str:
    """Noun form for a count counted from the tables ('1 tjeneste', '2 tjenester')."""
    return singular if n == 1 else plural


def _environment() -> jinja2.Environment:
    """Jinja2 with autoescape on everything: service names and reasons come from typed input."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["count"] = fmt_count
    env.filters["plural"] = _plural
    env.filters["share"] = fmt_share
    env.filters["date"] = fmt_date
    return env


def render_html(inputs: ReportInputs, meta: ReportMeta) -> str:
    """The report as one HTML string with the stylesheet and charts inline."""
    context = build_context(inputs, meta)
    css = (TEMPLATE_DIR / STYLESHEET).read_text(encoding="utf-8")
    if "</style" in css.lower():
        raise ValueError("style.css must not contain '</style'")
    env = _environment()
    template = env.get_template(TEMPLATE)
    figs: FigureBook = context["figs"]
    return template.render(**context, css=Markup(css), fig=figs.span)


def build_report(inputs: ReportInputs, html_path: str | Path, pdf_path: str | Path, meta: ReportMeta) -> None:
    """Write the round's report as HTML and PDF from one template and one stylesheet."""
    html = render_html(inputs, meta)
    pdf = html_to_pdf(html, meta.run_date)
    for path, data in ((Path(html_path), html.encode("utf-8")), (Path(pdf_path), pdf)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    LOG.info("report: wrote %s (%d bytes) and %s (%d bytes)", html_path, len(html), pdf_path, len(pdf))


__all__ = [
    "ExtraPaths",
    "FigureBook",
    "INPUT_TABLES",
    "ReportInputs",
    "ReportMeta",
    "build_context",
    "build_report",
    "git_commit",
    "git_commit_time",
    "html_to_pdf",
    "load_inputs",
    "read_inputs",
    "read_register_ids",
    "read_table",
    "render_html",
    "run_date_from_env",
]
