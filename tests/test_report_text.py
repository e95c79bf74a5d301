"""The demo round's report, read as a Norwegian reviewer would: bokmål, Norwegian numbers, live text.

Runs on the session's pipeline run (``demo_run``): the visible text of the 2015 HTML and PDF has no
common English words and no number written with a decimal point; appendix A counts the misprint
apart from the unexplained deviations; and with one e-mail reply removed, every place in the body
that said ``188 kommuner`` says ``187 kommuner``.
"""
from __future__ import annotations

import io
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pypdf import PdfReader

from kartlegging.report import ReportMeta, load_inputs, render_html
from kartlegging.steps.figures import step_figures

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[1]
ROUND = "2015"
#: Common English words that are not also bokmål words ("for", "at", "by", "to", "is" are both).
ENGLISH = frozenset("""
the and of with which could cannot this that from only name file reply replies missing unknown value should
would were been has have not was are these their there when where because shared several answer sender notes
attachment coded after reading private address record field reason row rows column table figure services
included excluded published computed tolerance misprint source sources note definition yes phone email
""".split())
#: A number with a decimal point: digits, a point, digits (not a date like 1. januar, not an id like 4/2016).
DECIMAL_POINT = re.compile(r"(?<![\w.])\d+\.\d+(?![\w.])")
#: Proper names that carry a point and are not numbers the report states: the map data's licence.
PROPER_NAMES = ("CC BY 4.0",)


class _Visible(HTMLParser):
    """Text a reader sees: no script, style or code (figure ids stay code-styled anchors)."""

    def __init__(self) -> None:
        super().__init__()
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "code"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def pdf_text(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


#: A section number before its heading's capitalised title (a heading or its table-of-contents entry,
#: "4.1 Organisering"): the numbering of chapters, not a number with a decimal point.
SECTION_NUMBER = re.compile(r"(?<![\w.,])\d+(?:\.\d+)+\.?(?= [A-ZÆØÅ])")


def _problems(text: str) -> tuple[list[str], list[str]]:
    words = sorted({w for w in re.findall(r"\b[^\W\d_]+\b", text) if w.lower() in ENGLISH})
    text = SECTION_NUMBER.sub("", text)
    for name in PROPER_NAMES:
        text = text.replace(name, "")
    return words, DECIMAL_POINT.findall(text)


@pytest.fixture(scope="module")
def html(demo_run) -> str:
    return (demo_run / "report" / ROUND / "kartlegging.html").read_text(encoding="utf-8")


def test_html_is_bokmal_with_norwegian_numbers(html):
    text = visible_text(html)  # all of it: appendix B's reasons included
    words, decimals = _problems(text)
    assert words == [] and decimals == []
    for shown in ("16 000", "1,8–2,2 ganger", "trykkfeil i kilden", "NK LMH 4/2016"):
        assert shown in text, shown


def test_pdf_is_bokmal_with_norwegian_numbers(demo_run):
    text = pdf_text(demo_run / "report" / ROUND / "kartlegging.pdf")
    words, decimals = _problems(text)
    assert words == [] and decimals == []
    # the analysts' chapters reach the PDF too
    for title in ("Forord", "Bakgrunn", "Hva tjenestene gir brukere og fagfolk", "Avslutning"):
        assert title in text, title


def test_the_check_finds_english_and_decimal_points():
    """The two checks above can fail: an English remark and a point-decimal are caught."""
    words, decimals = _problems("misprint in the source: 349 / 428 = 81.5 %, i 2015 og 1. januar\n4.1 Organisering")
    assert words == ["misprint", "source", "the"]
    assert decimals == ["81.5"]  # the section number 4.1 at a line start is numbering, not a decimal


def test_appendix_a_counts_the_misprint_apart(html):
    text = visible_text(html)
    counts = dict(re.findall(r"(lik|innenfor toleranse|trykkfeil i kilden|avviker|ikke beregnet) : (\d+)", text))
    assert counts["trykkfeil i kilden"] == "1"
    assert counts["avviker"] == "1"  # the KOSTRA mean the register itself calls inconsistent
    # the body shows 82 % with a footnote that the source printed 72 %
    note = re.search(r'<li id="fotnote-\d+" data-footnote-figure="kommuner_uten_tjeneste_andel">(.*?)</li>', html)
    assert note and "72 %" in note.group(1) and "82 %" in note.group(1)


def _body(text: str) -> str:
    """The body: from the table of contents' end to appendix A (the appendices quote the register)."""
    end = text.index("Vedlegg A. Avstemming mot publiserte tall Tabellen sammenstiller")
    return text[text.index("Forord Denne rapporten"):end]


def _copy_round(demo_run: Path, processed: Path) -> Path:
    """A copy of the demo round's processed tables (and the shared KOSTRA ones) to change and rerun."""
    shutil.copytree(demo_run / "processed" / ROUND, processed / ROUND)
    shutil.copytree(demo_run / "processed" / "kostra", processed / "kostra")
    return processed / ROUND


def _rerun_figures_and_report(processed: Path) -> str:
    """The real figures step on the copied tables, then the report from them (with the round's chapters)."""
    folder = processed / ROUND
    register = ROOT / "config" / "register" / "2015.yaml"
    inputs = {"dispatch": folder / "dispatch.parquet", "replies": folder / "email_replies.parquet",
              "attempts": folder / "phone_attempts.parquet", "units": folder / "phone_units.parquet",
              "interviews": folder / "interviews.parquet", "services": folder / "services.parquet",
              "service_kommuner": folder / "service_kommuner.parquet", "status": folder / "kommune_status.parquet",
              "kostra": processed / "kostra" / "kostra.parquet",
              "kostra_crosscheck": folder / "kostra_crosscheck.parquet", "issues": folder / "issues.parquet",
              "kostra_issues": processed / "kostra" / "issues_kostra.parquet",
              "overrides_applied": folder / "overrides_applied.parquet"}
    step_figures(ROUND, {k: str(v) for k, v in inputs.items()}, str(register), str(folder / "figures.parquet"),
                 str(folder / "reconciliation.parquet"), str(folder / "figure_series.parquet"), 2015)
    meta = ReportMeta(round=ROUND, run_date="2015-01-01", commit="test", synthetic=True, classification="2015")
    return render_html(load_inputs(processed, ROUND, register, tekst_dir=ROOT / "config" / "tekst"), meta)


def _organisation(html: str) -> tuple[str, str]:
    """Section 5.3's paragraph on name and organisation, and figure 3's caption, as a reader sees them."""
    para = re.search(r'<p data-finding="frisklivsnavn_som_organisering">(.*?)</p>', html, re.S).group(1)
    caption = re.search(r'data-chart="organisering".*?<figcaption>(.*?)</figcaption>', html, re.S).group(1)
    return " ".join(visible_text(para).split()), " ".join(visible_text(caption).split())


def test_section_on_organisation_agrees_with_figure_3(demo_run):
    """2015: the services named with both friskliv and mestring are those organised so (figure 3), and the
    text says so; the finding reads holder in appendix A."""
    html = (demo_run / "report" / ROUND / "kartlegging.html").read_text(encoding="utf-8")
    text, caption = _organisation(html)
    assert "deler tjenestene på samme måte" in text and "ulike tall" not in text
    assert "gir samme fordeling" in caption and "skiller seg" not in caption
    series = pd.read_parquet(demo_run / "processed" / ROUND / "figure_series.parquet")
    org = series[(series["series_id"] == "organisering") & (series["measure"] == "tjenester")]
    named = pd.read_parquet(demo_run / "processed" / ROUND / "figures.parquet").set_index("figure_id")
    assert org.set_index("category").loc["friskliv_og_mestring", "value"] == named.loc[
        "tjenester_friskliv_og_mestring_navn", "value"]
    row = re.search(r'data-reconciliation-id="frisklivsnavn_som_organisering".*?</tr>', html, re.S).group(0)
    assert ">holder<" in row


def test_flipping_the_finding_changes_the_sentence(demo_run, tmp_path):
    """In a copy of the round, one frisklivssentral gets both words in its name (T01) while organised as a plain
    frisklivssentral (T06): the finding no longer holds, and 5.3 and figure 3's caption say the split differs."""
    processed = tmp_path / "processed"
    folder = _copy_round(demo_run, processed)
    services = pq.read_table(folder / "services.parquet")
    frame = services.to_pandas()
    plain = frame.index[(frame["inkludert"] == "ja") & (frame["organisering"] == "frisklivssentral")
                        & ~frame["friskliv_og_mestring_navn"]][0]
    frame.loc[plain, "friskliv_og_mestring_navn"] = True
    pq.write_table(pa.Table.from_pandas(frame, schema=services.schema, preserve_index=False),
                   folder / "services.parquet")
    html = _rerun_figures_and_report(processed)
    text, caption = _organisation(html)
    assert "ulike tall" in text and "på samme måte" not in text
    assert "skiller seg fra figuren" in caption and "gir samme fordeling" not in caption
    row = re.search(r'data-reconciliation-id="frisklivsnavn_som_organisering".*?</tr>', html, re.S).group(0)
    assert "holder ikke" in row and "avviker" in row


def test_one_reply_less_changes_every_188_in_the_body(demo_run, tmp_path):
    """Remove one kommune's only e-mail reply from a copy of the round's tables, rerun the figures
    step and the report: every body place that said 188 kommuner says 187 kommuner.

    The copy starts from the processed tables, so the ingest and kommune_status are not rerun; the
    figures step (which writes figures and figure_series) and the report are the real ones.
    """
    processed = tmp_path / "processed"
    folder = _copy_round(demo_run, processed)
    email = pq.read_table(folder / "email_replies.parquet").to_pandas()
    replies = email[email["status"].isin(["svar", "erstattet"]) & email["kommunenummer"].notna()]
    per_kommune = replies.groupby("kommunenummer").size()
    single = sorted(k for k, n in per_kommune.items() if n == 1 and k != "0301")[0]
    email[email["kommunenummer"] != single].to_parquet(folder / "email_replies.parquet", index=False)

    after_html = _rerun_figures_and_report(processed)
    before = _body(visible_text((demo_run / "report" / ROUND / "kartlegging.html").read_text(encoding="utf-8")))
    # 187 now differs from the published 188: each mention carries a footnote marker, read past it here
    after = _body(visible_text(re.sub(r'<a class="fn-ref"[^>]*><sup>\d+</sup></a>', "", after_html)))
    assert 'data-footnote-figure="epost_kommuner_med_svar"' in after_html
    n = len(re.findall(r"\b188 kommuner\b", before))
    assert n >= 3  # method, figure 1 and the Bakgrunn chapter
    assert re.findall(r"\b188 kommuner\b", after) == []
    assert len(re.findall(r"\b187 kommuner\b", after)) == n
    assert pd.read_parquet(folder / "figures.parquet").set_index("figure_id").loc[
        "epost_kommuner_med_svar", "value"] == 187
