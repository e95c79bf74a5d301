"""Render one round's report as a self-contained HTML file and a PDF.

Both outputs come from the same Jinja2 template and the same stylesheet, so the
screen and the print version cannot say different things. The report counts
nothing: every number in the text is a row of figures.parquet, every chart and
table of counts a row of figure_series.parquet (both written by the figures
step); published values enter only through reconciliation.parquet, in Appendix A
and in the footnotes where the source printed something else. The analysts'
Markdown chapters (:mod:`kartlegging.report.tekst`) quote figures the same way.

Optional inputs add sections (see :class:`ReportInputs`): the coverage map
(figure 2) from the round's map_status, the comparison with earlier rounds
from their map_status and services and the harmonised kommune_status, and the
KOSTRA section; without KOSTRA tables the report says that none were given. The
HTML also carries a filterable list of every kommune (appendix D; complete in the PDF).
The frame (source lines, table numbers, which sources are synthetic) is
:mod:`kartlegging.report.kilder`; each table is also written as CSV by
:mod:`kartlegging.report.tables_csv`.

The tables come in through :mod:`kartlegging.report.inputs`, appendix B is
built in :mod:`kartlegging.report.quality`, and :mod:`kartlegging.report.pdf`
typesets the HTML; this module looks up what the template shows.

Determinism: the same inputs give byte-identical HTML and PDF. Tables are
sorted before they are shown, charts are SVG with a fixed hash salt and no
date, the PDF carries no timestamp other than the run date from ``ReportMeta``,
and its file identifier is derived from the HTML instead of drawn at random.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from kartlegging.analysis.quality_series import APPENDIX_STATUSES, NOT_COMPUTED
from kartlegging.core.classification import fylke_order
from kartlegging.core.tables import included
from kartlegging.report import charts, katalog, kilder, sections, skjema, stil, tekst
from kartlegging.report.figurebook import FigureBook
from kartlegging.report.inputs import (
    INPUT_TABLES,
    ExtraPaths,
    ReportInputs,
    load_inputs,
    read_inputs,
)
from kartlegging.report.labels import ORG_LABELS, TYPE_LABELS, label, leader_title, sort_key
from kartlegging.report.numbers import (
    MISSING,
    fmt_count,
    fmt_date,
    fmt_date_span,
    fmt_decimal,
    fmt_share,
    is_missing,
    parse_iso_date,
)
from kartlegging.report.pdf import html_to_pdf
from kartlegging.report.quality import quality_appendix
from kartlegging.report.series import SeriesBook
from kartlegging.report.tekst import Chapter

LOG = logging.getLogger(__name__)

TEMPLATE_DIR = Path(__file__).parent / "templates"
TEMPLATE = "kartlegging.html.j2"
STYLESHEET = "style.css"


#: Statuses of appendix A, in order (decided and counted by the figures step: analysis.quality_series).
STATUS_ORDER = APPENDIX_STATUSES
# Figures after figure 1 (the response flow), in the order the template shows them.
FIGURE_ORDER = (
    "kart", "organisering", "malgrupper", "samarbeid_hf", "hf_bidrag",
    "kart_runder", "endring_organisering", "kostra_fls",
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
    # The round's own publication frame from config (rounds.<round>.publication: publisher, series, number,
    # authors, date, demonstration); see _ramme_*.html.j2. Without a date the report is a draft (Utkast).
    publication: Mapping[str, Any] | None = None
    # The title of the kommune leader the letter went to (rounds.<round>.leader_title); '' for the default.
    leader_title: str = ""
    # Which sources are generated demonstration data (config: rounds.<round>.synthetic, kostra.synthetic),
    # named as such wherever the report names the source. Rounds up to this one.
    synthetic_rounds: tuple[str, ...] = ()
    kostra_synthetic: bool = False

    @property
    def draft(self) -> bool:
        """A report without a publication date is a draft: the title page says Utkast beside the version."""
        return not (self.publication or {}).get("date")


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
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date().isoformat()
    if fallback_epoch is not None:
        return dt.datetime.fromtimestamp(fallback_epoch, tz=dt.UTC).date().isoformat()
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


# --------------------------------------------------------------------------- helpers


_label = label
_sort_key = sort_key


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
    series_id: str = ""

    @property
    def rows(self) -> list[tuple[str, list[str]]]:
        """The values behind the chart, one row per category, for the table under it."""
        names = list(self.series)
        return [(cat, [fmt_count(self.series[n][i]) for n in names]) for i, cat in enumerate(self.categories)]


# --------------------------------------------------------------------------- content


def _services_by_county(inputs: ReportInputs, book: SeriesBook) -> list[dict[str, Any]]:
    """Section 5: per county, the included services with the member kommuner in that county.

    A service is listed under every county where it has a member, with the
    members elsewhere named by number, so an interkommunal service across a county
    border is not hidden in one of them. The county's counts are the
    ``dekning_fylke`` rows of figure_series.
    """
    status = inputs.kommune_status
    inc = included(inputs.services).sort_values("service_id")
    names = dict(zip(status["kommunenummer"].astype(str), status["kommunenavn"].astype(str)))
    county = dict(zip(status["kommunenummer"].astype(str), status["fylkesnummer"].astype(str)))
    bridge = inputs.service_kommuner.sort_values(["service_id", "kommunenummer"])
    by_county: dict[str, list[dict[str, Any]]] = {}
    for svc in inc.itertuples(index=False):
        members = bridge[bridge["service_id"] == svc.service_id]
        per_county: dict[str, list[tuple[str, bool]]] = {}
        for m in members.itertuples(index=False):
            k = str(m.kommunenummer)
            per_county.setdefault(county.get(k, "??"), []).append((names.get(k, k), str(m.rolle) == "vert"))
        for fnr, kommuner in per_county.items():
            kommuner.sort(key=lambda item: (not item[1], _sort_key(item[0])))
            others = [name for f, v in sorted(per_county.items(), key=lambda i: fylke_order(i[0])) if f != fnr
                      for name, _ in v]
            by_county.setdefault(fnr, []).append({
                "navn": "(uten navn)" if is_missing(svc.navn) else str(svc.navn),
                "type": _label(svc.type, TYPE_LABELS),
                "organisering": _label(svc.organisering, ORG_LABELS),
                "erfaring": str(svc.grunnlag) == "erfaring",
                "kommuner": kommuner,
                "andre": others,
                "service_id": str(svc.service_id),
            })
    counts = {c.code: c for c in book.categories("dekning_fylke")}
    out = []
    for fnr in sorted(by_county, key=fylke_order):
        rows = sorted(by_county[fnr], key=lambda r: (_sort_key(r["navn"]), r["service_id"]))
        cat = counts.get(fnr)
        out.append({
            "fylkesnummer": fnr,
            "fylkesnavn": cat.label if cat is not None else "Ukjent fylke",
            "services": rows,
            "med": None if cat is None else cat.get("med_tjeneste"),
            "kommuner": None if cat is None else cat.get("kommuner"),
        })
    return out


def _coverage_rows(book: SeriesBook) -> list[dict[str, Any]]:
    """The coverage table: per county, kommuner, those with a service and their share (rows of figure_series)."""
    out = []
    for c in book.categories("dekning_fylke"):
        n, med = c.get("kommuner"), c.get("med_tjeneste")
        out.append({"fylkesnummer": c.code, "fylkesnavn": c.label, "kommuner": n, "med": med,
                    "andel": fmt_share(med, c.denominators.get("med_tjeneste")), "ukjent": c.get("ukjent")})
    return out


def _reconciliation_rows(inputs: ReportInputs, figs: FigureBook, book: SeriesBook) -> list[dict[str, Any]]:
    """Appendix A: one row per figure, in the order and with the status the figures step gave
    (figure_series ``avstemming``: the register's figures in register order, then those outside it).

    The computed value comes from figures.parquet through the same formatter as the
    text, so the appendix and the body cannot disagree; the published value from
    reconciliation.parquet; the label and round-neutral definition from the bokmål
    catalogue, the note (and a definition tied to the round) from the round's register.
    A figure with unit ``utsagn`` (a statement of the source, value 1 or 0) shows
    the statement and ``holder`` / ``holder ikke`` instead of a number.
    """
    recon = {str(r.figure_id): r for r in inputs.reconciliation.itertuples(index=False)}
    register = inputs.register
    rows = []
    for c in book.categories("avstemming"):
        fid, status = c.code, c.texts.get("status") or NOT_COMPUTED
        r = recon.get(fid)
        fig = figs.get(fid)
        text = katalog.figure_text(
            fid, "" if r is None or is_missing(r.definition) else str(r.definition),
            register.text(fid, "merknad") if register else "", register.text(fid, "definisjon") if register else "")
        source = "" if r is None or is_missing(r.source) else str(r.source)
        named = register.source(source) if register and source else None
        statement = fig is not None and fig.unit == "utsagn"
        rows.append({
            "figure_id": fid,
            "label": text.etikett,
            "source": named.short if named else source,
            "source_short": named.short if named else source,
            "base": _base_text(fig),
            "source_full": named.full if named else source,
            "definition": text.definisjon,
            "published": "–" if r is None else (str(r.published) if statement else katalog.fmt_published(r.published)),
            "tolerance": "" if r is None or is_missing(r.tolerance) else katalog.fmt_tolerance(r.tolerance),
            "computed": figs.plain(fid) if fig is not None else None,
            "status": status,
            "status_class": status.replace(" ", "-"),
            "note": text.merknad,
        })
    return rows


def _base_text(fig: Any) -> str:
    """What a computed share or ratio rests on (``19 av 32``, ``306,1 delt på 245``); '' for a plain count."""
    if fig is None or is_missing(fig.numerator) or is_missing(fig.denominator):
        return ""
    if fig.unit == "prosent":
        return kilder.share_base(fig.numerator, fig.denominator)
    if fig.unit == "forhold":
        num = fmt_decimal(fig.numerator, 0 if float(fig.numerator).is_integer() else 1)
        return f"{num} delt på {fmt_count(fig.denominator)}"
    return ""


def _chart(key: str, number: int, title: str, caption: str, categories: list[str],
           series: dict[str, list[float]], value_label: str, category_label: str, svg: str | None = None,
           series_id: str = "") -> Chart:
    """Draw one chart (grouped bars unless ``svg`` is given) and describe it in words for the alt text."""
    if svg is None:
        svg = charts.grouped_barh_svg(categories, series, value_label=value_label, category_label=category_label)
    parts = []
    for name, values in series.items():
        pairs = ", ".join(f"{c}: {fmt_count(v)}" for c, v in zip(categories, values))
        parts.append(f"{name}: {pairs}")
    alt = f"{title}. " + ". ".join(parts) + "."
    return Chart(key, number, title, caption, alt, charts.svg_data_uri(svg), categories, series, series_id)


#: Legends of the charts over services: the services, and the kommuner they cover.
BOTH = {"tjenester": "Tjenester", "kommuner": "Kommuner (inkl. interkommunale)"}


def build_context(inputs: ReportInputs, meta: ReportMeta) -> dict[str, Any]:
    """Everything the template shows, looked up in figures, figure_series and the other inputs."""
    register = inputs.register
    figs = FigureBook(inputs.figures, inputs.reconciliation,
                      {code: s.short for code, s in register.sources.items()} if register else None)
    book = SeriesBook(inputs.figure_series)

    def finding(finding_id: str) -> bool | None:
        """Whether a finding of the round holds (figure_series ``funn``); None when it was not computed."""
        value = book.value("funn", finding_id, "holder")
        return None if value is None else value == 1.0

    def lookup(kind: str, figure_id: str) -> float | None:
        """What a chapter's condition reads: a figure (``tall``) or a finding (``funn``, 1 or 0)."""
        return figs.truth(figure_id) if kind == "tall" else book.value("funn", figure_id, "holder")

    chart_list: list[Chart] = []

    def add_chart(key: str, title: str, caption: str, legends: dict[str, str], category_label: str) -> None:
        categories, series = book.chart_data(key, legends)
        if not categories:
            return
        chart_list.append(_chart(key, 0, title, caption, categories, series, "Antall", category_label, series_id=key))

    # whether the name (T01) and the organisation (T06) split the services alike: the caption says which
    alike = finding("frisklivsnavn_som_organisering")
    add_chart(
        "organisering", "Organisering av tjenestene, slik lederne oppga den i intervjuet",
        "Inkluderte tjenester etter organiseringen lederne oppga i intervjuet, og kommunene de dekker "
        "(interkommunale tjenester teller med alle deltakende kommuner). "
        + ("Navnet lederne oppga for tjenesten, gir samme fordeling mellom frisklivssentraler og frisklivs- og "
           "mestringssentre som teksten over." if alike else
           "Teksten over deler tjenestene etter navnet lederne oppga, og den fordelingen skiller seg fra figuren."
           if alike is False else ""),
        BOTH, "Organisering",
    )
    add_chart(
        "malgrupper", "Målgrupper for tilbudene",
        "Antall tjenester som har startet med tilbud, med tilbud for hver målgruppe. "
        "En tjeneste kan ha flere målgrupper.",
        {"tjenester": "Tjenester i gang"}, "Målgruppe",
    )
    add_chart(
        "samarbeid_hf", "Samarbeid med helseforetaket",
        "Svar fra lederne av de inkluderte tjenestene på om tjenesten samarbeider med helseforetaket, med antall "
        "kommuner tjenestene dekker.",
        BOTH, "Svar",
    )
    add_chart(
        "hf_bidrag", "Slik bidrar helseforetaket",
        "Blant tjenestene som samarbeider med helseforetaket: hvordan helseforetaket bidrar, med antall kommuner "
        "tjenestene dekker. En tjeneste kan svare ja på flere.",
        BOTH, "Bidrag",
    )

    # Sections that show the data as maps, across rounds, from KOSTRA and as a list.
    status = inputs.kommune_status
    services = inputs.services
    coverage_map = sections.coverage_map(inputs.round_map, meta.round)
    comparison = sections.comparison(meta.round, inputs.comparison, inputs.map_status, inputs.earlier,
                                     inputs.geometry, meta.harmonise_to)
    if comparison and comparison["org_chart"]:
        org = comparison["org_chart"]
        chart_list.append(_chart(
            "endring_organisering", 0, "Tjenester etter organisering i hver runde",
            "Inkluderte tjenester etter organisering, én stolpe per runde.",
            org["categories"], org["series"], "Antall", "Organisering",
        ))
    kostra = sections.kostra_section(inputs.kostra, book, inputs.kostra_crosscheck)
    if kostra["present"] and kostra["chart"]:
        k = kostra["chart"]
        svg = charts.columns_svg(k["categories"], k["values"], value_label="Kommuner", category_label="År")
        chart_list.append(_chart(
            "kostra_fls", 0, "Kommuner med frisklivssentral etter KOSTRA",
            "Kommuner som oppga at de hadde en frisklivssentral, år for år, i kommuneinndelingen som gjaldt "
            "det året. Oslo er talt én gang; bydelene står i tabellen under figuren.",
            k["categories"], {"Kommuner med frisklivssentral": k["values"]}, "Kommuner", "År", svg=svg,
            series_id="kostra_fls",
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

    # a round without the series (nothing received yet) shows 'ikke beregnet' in each step
    flow: dict[str, float | None] = defaultdict(lambda: None, book.mapping("svarflyt"))
    phone_answers = [(c.label, c.get("antall")) for c in book.categories("svarflyt") if c.code.startswith("telefon_")]
    first = book.text("svarflyt", "sendt_forste", "dato")
    last = book.text("svarflyt", "sendt_siste", "dato")

    recon_rows = _reconciliation_rows(inputs, figs, book)
    status_counts = [(s, book.value("avstemming_status", s, "figurer")) for s in STATUS_ORDER]
    run_day = parse_iso_date(meta.run_date)
    chapters: dict[str, list[Chapter]] = {p: [] for p in tekst.POSITIONS}
    for ch in inputs.chapters:
        chapters[ch.position].append(ch)
    typed = [n for ch in inputs.chapters for n in ch.typed_numbers]
    # The style sheet's checkable rules over each analyst chapter (its text as the report shows it, with
    # plain figures so no footnote is numbered here): listed in appendix B, as typed numbers are.
    style_findings = [{"file": Path(ch.path).name, "rule": f.rule, "excerpt": f.excerpt}
                      for ch in inputs.chapters
                      for f in stil.check_html(str(tekst.render_chapter(ch, figs.plain, lookup)))]

    compared = comparison["rounds"] if comparison else None
    # appendix A named for what the round's register is: published figures, design targets, or none (a register
    # that lists nothing yet, as make new-round writes it, reconciles nothing: named as none)
    register_words = katalog.register_words(register.kind if register and register.ids else None)
    authors = list((meta.publication or {}).get("authors") or [])
    return {
        "meta": meta,
        "figs": figs,
        # the frame: source lines, table numbers (in rendering order), the questionnaires, the PDF's author
        "kilde": kilder.source_lines(meta.round, meta.synthetic, meta.synthetic_rounds, meta.kostra_synthetic,
                                     compared, register_words["kilde"]),
        "tabell": kilder.TableCounter(),
        "skjema": {"email": skjema.EMAIL_QUESTIONS, "interview": skjema.INTERVIEW_ITEMS},
        "report_authors": "; ".join(authors) if authors else "Analysegruppen for kartleggingen",
        "noun": lambda fid, one, many: one if figs.value(fid) == 1 else many,
        "base": lambda fid, noun="": kilder.share_base(
            *((figs.get(fid).numerator, figs.get(fid).denominator) if figs.get(fid) else (None, None)), noun),
        "dispatch_span": fmt_date_span(first, last) if first and last else MISSING,
        "run_date_text": fmt_date(run_day) if run_day else meta.run_date,
        "created": meta.run_date if run_day else None,
        "flow": flow,
        "phone_answers": phone_answers,
        "n_bydeler": flow.get("bydeler_utsendt"),
        "dispatch_first": fmt_date(first) if first else MISSING,
        "dispatch_last": fmt_date(last) if last else MISSING,
        "oslo_interviews": flow.get("bydeler_intervjuet"),
        "n_ukjent": flow.get("kommuner_ukjent"),
        "coverage": _coverage_rows(book),
        "share_hf": Markup('<span class="fig derived">{}</span>').format(
            figs.share("tjenester_samarbeid_hf", "tjenester_totalt")),
        "brukerorg_rows": book.pairs("brukerorg_etablering", "tjenester"),
        "recruit_rows": book.pairs("rekruttering", "tjenester"),
        "tilbud_bins": book.pairs("tilbud_antall", "tjenester"),
        "kurs_rows": book.pairs("kompetansekurs", "tjenester"),
        "charts": chart_by_key,
        "coverage_map": coverage_map,
        "comparison": comparison,
        "kostra": kostra,
        "kommune_list": sections.kommune_list(status, services, book),
        "by_county": _services_by_county(inputs, book),
        "recon_rows": recon_rows,
        "status_counts": status_counts,
        # the note on what «lik» means on generated data stands only where a figure is «lik» at all
        "agreeing": any(n for s, n in status_counts if s in ("lik", "innenfor toleranse")),
        # what each status means, for the statuses that occur in this round (the counts list every status)
        "status_texts": [(s, katalog.status_text(s)) for s, n in status_counts if n],
        # the register's sources quoted in appendix A, each named in full once
        "sources": [(code, register.source(code).short, register.source(code).full)
                    for code in sorted({str(s) for s in inputs.reconciliation["source"].dropna()})] if register else [],
        "register_words": register_words,
        "quality": quality_appendix(inputs, book),
        "chapters": chapters,
        "typed_numbers": typed,
        "chapter_html": lambda ch: tekst.render_chapter(ch, figs.span, lookup),
        "finding": finding,
        "leader": leader_title(meta.leader_title, meta.classification),
        "style_findings": style_findings,
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
    env.filters["count"] = lambda v: MISSING if is_missing(v) else fmt_count(v)
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
    # Two passes: the table of contents, rendered first, lists the notes only when the body makes any.
    # The second pass gives every note the number the first gave it (FigureBook keeps them).
    template.render(**context, css=Markup(css), fig=figs.span, notes_known=False)
    context["tabell"] = kilder.TableCounter()
    return template.render(**context, css=Markup(css), fig=figs.span, notes_known=bool(figs.footnotes))


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
    "render_html",
    "run_date_from_env",
]
