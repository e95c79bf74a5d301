"""The synthetic demonstration round 2024: its design, its files, and the pipeline on two rounds.

The pipeline test runs Snakemake on a temporary copy of the layout (raw 2015
linked, 2024 generated, overrides and registers of both rounds) with a config
that lists both rounds, so the checkout's own config and data stay untouched.
"""
from __future__ import annotations

import email
import json
import re
import shutil
import subprocess
from datetime import datetime
from email import policy
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from conftest import snakemake

from kartlegging.core.classification import load
from kartlegging.core.overrides import load_overrides
from kartlegging.core.reasons import CONTRADICTIONS
from kartlegging_synth import generate as generate_2015
from kartlegging_synth.add_round import demo_config, main
from kartlegging_synth.design import DesignError, Service
from kartlegging_synth.register2024 import REGISTER_IDS, check_design, register_targets
from kartlegging_synth.round2024 import derive_design, generate, kommune_translation
from kartlegging_synth.tekst2024 import write_chapters

ROOT = Path(__file__).resolve().parents[1]
# The whole module is the 2024 round: generating it takes seconds, its pipeline runs minutes (marked e2e).
pytestmark = pytest.mark.slow
REFERENCE = ROOT / "data" / "reference"


@pytest.fixture(scope="module")
def derivation():
    return derive_design(REFERENCE)


@pytest.fixture(scope="module")
def layout(tmp_path_factory) -> Path:
    """raw/, overrides/ and register/ of both rounds under one temporary folder, and the config."""
    root = tmp_path_factory.mktemp("two_rounds")
    for sub in ("raw", "overrides", "register"):
        (root / sub).mkdir()
    shutil.copytree(ROOT / "config" / "tekst" / "2015", root / "tekst" / "2015")
    write_chapters(root / "tekst" / "2024", "2024")
    (root / "raw" / "2015").symlink_to(ROOT / "data" / "raw" / "2015", target_is_directory=True)
    if (ROOT / "data" / "raw" / "kostra").is_dir():
        (root / "raw" / "kostra").symlink_to(ROOT / "data" / "raw" / "kostra", target_is_directory=True)
    shutil.copy(ROOT / "config" / "overrides" / "2015.yaml", root / "overrides")
    shutil.copy(ROOT / "config" / "register" / "2015.yaml", root / "register")
    generate(root / "raw", overrides_path=root / "overrides" / "2024.yaml", reference_dir=REFERENCE,
             register_path=root / "register" / "2024.yaml")
    config = {
        "raw_dir": str(root / "raw"), "processed_dir": str(root / "processed"), "report_dir": str(root / "report"),
        "log_dir": str(root / "logs"), "overrides_dir": str(root / "overrides"),
        "register_dir": str(root / "register"), "tekst_dir": str(root / "tekst"),
        # the rounds make demo-round-2024 writes into its own config: the shipped ones and 2024
        **demo_config(yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))),
    }
    (root / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def two_rounds(layout) -> Path:
    """The pipeline on both rounds, up to the figures, the harmonised status and the database.

    The reports are left out to keep the test short (test_e2e renders one; the
    2024 report is rendered by ``make demo-round-2024``, and by ``report_2024`` below). The
    targets come before ``--configfile``, which takes every argument after it as a file.
    """
    processed = layout / "processed"
    targets = [processed / "2024" / "reconciliation.parquet", processed / "harmonised" / "harmonised_status.parquet",
               processed / "kartlegging.duckdb"]
    proc = snakemake(*targets, "--cores", "2", "--directory", ROOT, "--snakefile", ROOT / "Snakefile",
                     "--configfile", layout / "config.yaml", timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return layout / "processed"


# -- the design ------------------------------------------------------------------------

def test_design_is_in_the_2024_structure(derivation):
    design = derivation.design
    c = design.classification
    assert c.version == "2024" and len(c.kommuner) == 357 and len(c.bydeler) == 15
    assert len(design.units) == 357 + 15
    assert all(k in c.kommuner for s in design.services + design.rejected for k in s.kommuner)
    check_design(design)


def test_services_are_the_2015_ones_translated_then_grown(derivation):
    to24 = kommune_translation(REFERENCE)
    by_key = {s.key: s for s in derivation.design.services}
    from kartlegging_synth.design import build_design

    base = build_design(load(REFERENCE, "2015"), 2015)
    kept = [s for s in base.services if s.key in by_key]
    gone = {s.key for s in base.services} - set(by_key)
    assert gone == (set(derivation.absorbed) & {s.key for s in base.services}) | set(derivation.closed)
    # Namsos merged with Namdalseid, a member of the Innherred coordinator: its own service is counted there
    assert "X03" in derivation.absorbed
    assert len(derivation.closed) == 2 and derivation.added and derivation.now_included
    for s in kept:
        assert by_key[s.key].host == to24[s.host]
        assert set(by_key[s.key].kommuner) <= {to24[k] for k in s.kommuner}
    # five Indre Østfold kommuner of 2015 are one kommune in 2024: the service is kommunal now
    assert by_key["IF01"].kommuner == ("3118",) and by_key["IF01"].interviews[0].t04 == "kommunal"
    assert len(derivation.design.service_kommuner) > len({to24[k] for s in kept for k in s.kommuner})


def test_new_interkommunale_services_are_neighbours_in_one_county(derivation):
    from kartlegging_synth.round2024 import neighbours

    adjacent = neighbours(REFERENCE)
    new = [s for s in derivation.design.services if s.key in derivation.added and len(s.kommuner) > 1]
    assert new
    for s in new:
        assert len({k[:2] for k in s.kommuner}) == 1
        for k in s.kommuner[1:]:
            assert adjacent[k] & set(s.kommuner), (s.key, k)


def test_check_design_fails_when_a_kommune_is_in_two_services():
    design = derive_design(REFERENCE).design
    first = design.services[0]
    design.services.append(Service("DUP", first.interviews))
    with pytest.raises(DesignError, match="in both"):
        check_design(design)


def test_register_has_the_survey_ids_of_2015_and_every_finding():
    from kartlegging.analysis.findings import FINDINGS

    register15 = yaml.safe_load((ROOT / "config" / "register" / "2015.yaml").read_text(encoding="utf-8"))
    survey = [f["id"] for f in register15["figures"] if not f["id"].startswith("kostra_")]
    assert list(REGISTER_IDS) == survey + [f for f in FINDINGS if f not in survey]


# -- the files ---------------------------------------------------------------------------

def test_same_seed_gives_identical_bytes(layout, tmp_path):
    generate(tmp_path, overrides_path=tmp_path / "ov.yaml", reference_dir=REFERENCE,
             register_path=tmp_path / "reg.yaml")
    ours = {p.relative_to(tmp_path / "2024"): p.read_bytes() for p in (tmp_path / "2024").rglob("*") if p.is_file()}
    first = {p.relative_to(layout / "raw" / "2024"): p.read_bytes()
             for p in (layout / "raw" / "2024").rglob("*") if p.is_file()}
    assert ours == first
    assert (tmp_path / "ov.yaml").read_bytes() == (layout / "overrides" / "2024.yaml").read_bytes()
    assert (tmp_path / "reg.yaml").read_bytes() == (layout / "register" / "2024.yaml").read_bytes()


def test_round_2015_files_are_unchanged(tmp_path):
    """The 2024 round shares the writers and synth.common with 2015: the 2015 files must keep their bytes."""
    generate_2015(tmp_path / "raw", "2015", 2015, tmp_path / "ov.yaml", 1, REFERENCE)
    committed = ROOT / "data" / "raw" / "2015"
    ours = {p.relative_to(tmp_path / "raw" / "2015"): p.read_bytes()
            for p in (tmp_path / "raw" / "2015").rglob("*") if p.is_file()}
    assert ours == {p.relative_to(committed): p.read_bytes() for p in committed.rglob("*") if p.is_file()}
    assert (tmp_path / "ov.yaml").read_bytes() == (ROOT / "config" / "overrides" / "2015.yaml").read_bytes()


def test_round_is_marked_synthetic(layout):
    assert "SYNTHETIC DEMONSTRATION" in (layout / "raw" / "2024" / "README.md").read_text(encoding="utf-8")
    register = (layout / "register" / "2024.yaml").read_text(encoding="utf-8")
    assert register.startswith("# SYNTHETIC DEMONSTRATION REGISTER") and "design target" in register
    assert yaml.safe_load(register)["kind"] == "design_targets"
    assert "SYNTHETIC DEMONSTRATION" in (layout / "overrides" / "2024.yaml").read_text(encoding="utf-8")


def test_dispatch_and_subject_tags_use_2024_numbers(layout):
    c = load(REFERENCE, "2024")
    dispatch = pd.read_csv(layout / "raw" / "2024" / "utsendelse.csv", sep=";", dtype=str, encoding="utf-8-sig")
    assert len(dispatch) == 372
    assert set(dispatch.loc[dispatch["bydelsnummer"].isna(), "kommunenummer"]) == set(c.kommuner)
    assert set(dispatch["sendt"]) <= {"2023-11-07", "2023-11-08"}
    units = set(dispatch["enhet_id"])
    tags = set()
    for path in (layout / "raw" / "2024" / "epost").glob("*.eml"):
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        tags |= set(re.findall(r"\[([KB]\d{4,6})\]", str(msg["subject"] or "")))
    assert tags and tags <= units


def test_field_work_lies_in_2023_and_2024(layout):
    def day(cell: object) -> datetime:
        if isinstance(cell, datetime):
            return cell
        return datetime.strptime(str(cell), "%d.%m.%Y" if len(str(cell)) == 10 else "%d.%m.%y")

    ws = openpyxl.load_workbook(layout / "raw" / "2024" / "telefonrunde.xlsx", read_only=True)["Telefonrunde"]
    days = [day(c) for (c,) in ws.iter_rows(min_row=2, min_col=3, max_col=3, values_only=True)]
    assert min(days) >= datetime(2023, 11, 27) and max(days) <= datetime(2024, 1, 19)
    assert all(d.weekday() < 5 for d in days)
    targets = register_targets(derive_design(REFERENCE).design)
    assert targets["intervju_periode"] == "november 2023 – januar 2024"


def test_overrides_target_existing_files(layout):
    overrides = load_overrides(layout / "overrides" / "2024.yaml")
    assert {o.source for o in overrides} == {"epost", "telefon"}
    for o in overrides:
        assert (layout / "raw" / "2024" / ("epost" if o.source == "epost" else "") / o.file).exists()


# -- the pipeline on both rounds ------------------------------------------------------------

@pytest.mark.e2e
def test_2024_figures_reconcile_with_the_design_register(two_rounds, layout):
    rec = pd.read_parquet(two_rounds / "2024" / "reconciliation.parquet")
    register = yaml.safe_load((layout / "register" / "2024.yaml").read_text(encoding="utf-8"))
    assert list(rec["figure_id"]) == [f["id"] for f in register["figures"]]
    assert (rec["status"] == "lik").all(), rec.loc[rec["status"] != "lik", ["figure_id", "published", "computed"]]
    figs = pd.read_parquet(two_rounds / "2024" / "figures.parquet").set_index("figure_id")["value"]
    assert figs["kommuner_totalt"] == 357 and figs["mottakere_epost"] == 372


@pytest.mark.e2e
def test_harmonised_status_has_both_rounds_in_357_kommuner(two_rounds):
    h = pd.read_parquet(two_rounds / "harmonised" / "harmonised_status.parquet")
    counts = h.groupby("round")["kommunenummer"].nunique().to_dict()
    assert counts == {"2015": 357, "2024": 357}
    assert h.groupby("round").size().to_dict() == {"2015": 357, "2024": 357}
    ks = pd.read_parquet(two_rounds / "2024" / "kommune_status.parquet")
    assert len(ks) == 357 and ks["kommunenummer"].is_unique
    assert (ks["har_tjeneste"] != "ukjent").all()


def _holding_land_of_a_service(two_rounds: Path) -> tuple[set[str], set[str]]:
    """The 2015 kommuner with a service, and the 2024 kommuner holding their land by the crosswalk table."""
    s15 = pd.read_parquet(two_rounds / "2015" / "kommune_status.parquet")
    yes = set(s15.loc[s15["har_tjeneste"] == "ja", "kommunenummer"])
    cw = pd.read_parquet(two_rounds / "reference" / "crosswalk.parquet")
    cw = cw[(cw["from_version"] == "2015") & (cw["to_version"] == "2024")]
    return yes, set(cw.loc[cw["from_code"].isin(yes), "to_code"])


@pytest.mark.e2e
def test_2024_haram_has_2015_harams_status_and_the_2015_column_counts_no_kommune_too_many(two_rounds):
    """1534 Haram (nei) and 1504 Ålesund (ja) merged in 2020 and split in 2024: 1580 Haram is Haram's land."""
    s15 = pd.read_parquet(two_rounds / "2015" / "kommune_status.parquet").set_index("kommunenummer")
    assert (s15.at["1534", "har_tjeneste"], s15.at["1504", "har_tjeneste"]) == ("nei", "ja")
    h = pd.read_parquet(two_rounds / "harmonised" / "harmonised_status.parquet")
    h15 = h[h["round"] == "2015"].set_index("kommunenummer")
    assert (h15.at["1580", "har_tjeneste"], list(h15.at["1580", "fra_kommuner"])) == ("nei", ["1534"])
    assert (h15.at["1508", "har_tjeneste"], list(h15.at["1508", "fra_kommuner"])) == (
        "ja", ["1504", "1523", "1529", "1546"])
    yes, holding = _holding_land_of_a_service(two_rounds)
    assert len(yes) == 79
    column = set(h15.index[h15["har_tjeneste"] == "ja"])
    assert column == holding and "1580" not in column
    assert {f for parts in h15.loc[sorted(column), "fra_kommuner"] for f in parts} >= yes  # every one of the 79


@pytest.mark.e2e
def test_every_override_applies_and_only_expected_items_stay_open(two_rounds, layout):
    applied = set(pd.read_parquet(two_rounds / "2024" / "overrides_applied.parquet")["override_id"])
    assert applied == {o.id for o in load_overrides(layout / "overrides" / "2024.yaml")}
    issues = pd.read_parquet(two_rounds / "2024" / "issues.parquet")
    still_open = issues.loc[issues["resolved_by"].isna()]
    # answers that contradict across sources are review items of their own (docs/SOURCES.md)
    contradicting = still_open["reason_code"].isin(CONTRADICTIONS)
    assert (still_open.loc[contradicting, "action"] == "review").all()
    rest = still_open.loc[~contradicting]
    assert len(rest) == 1 and rest.iloc[0]["source"] == "epost"  # the one unclear answer
    conservation = pd.read_parquet(two_rounds / "2024" / "conservation.parquet")
    assert (conservation["unaccounted"] == 0).all()


@pytest.mark.e2e
def test_database_has_both_rounds(two_rounds):
    from kartlegging.infra.database import connect

    con = connect(two_rounds / "kartlegging.duckdb")
    rounds = {r[0] for r in con.execute("SELECT DISTINCT round FROM kommune_status").fetchall()}
    assert rounds == {"2015", "2024"}


@pytest.fixture(scope="module")
def report_2024(two_rounds, layout) -> Path:
    """The 2024 report (HTML and PDF), built on top of the two-round run."""
    target = layout / "report" / "2024" / "kartlegging.pdf"
    proc = snakemake(target, "--cores", "2", "--directory", ROOT, "--snakefile", ROOT / "Snakefile",
                     "--configfile", layout / "config.yaml", timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return target


@pytest.mark.e2e
def test_2024_pdf_passes_the_pdfua_checks_and_is_tagged(report_2024):
    import pikepdf
    from pdfua import validate

    report = validate(str(report_2024))
    errors = [(f.rule_id, f.message) for f in report.findings if f.severity.name == "ERROR"]
    assert errors == []
    with pikepdf.open(report_2024) as pdf:
        assert bool(pdf.Root.MarkInfo.Marked) and "/StructTreeRoot" in pdf.Root


@pytest.mark.e2e
def test_2024_map_is_in_its_own_structure_and_comparison_in_harmonise_to(report_2024, two_rounds):
    figure = json.loads((two_rounds / "2024" / "kart.json").read_text(encoding="utf-8"))
    status = pd.read_parquet(two_rounds / "2024" / "kommune_status.parquet")
    assert figure["version"] == figure["geometry"] == "2024"
    assert figure["grouped"] == [] and figure["missing"] == []
    assert sum(figure["counts"].values()) == len(status) == 357
    html = report_2024.with_suffix(".html").read_text(encoding="utf-8")
    assert 'data-chart="kart_runder"' in html  # one small map per round, in the 2024 structure


@pytest.mark.e2e
def test_2024_comparison_does_not_list_haram_as_a_loss(report_2024, two_rounds):
    html = report_2024.with_suffix(".html").read_text(encoding="utf-8")
    section = html[html.index('<section id="endring">'):html.index('<section id="kostra">')]
    lost = re.search(r'data-change="mistet".*?</table>', section, re.S)
    assert lost is None or 'data-kommune="1580"' not in lost.group(0)
    assert "Haram (del av delt kommune)" not in section
    # the 2015 column counts the 2024 kommuner holding land of the 79, not one more
    _, holding = _holding_land_of_a_service(two_rounds)
    assert re.findall(r'data-round-total="(\d+)"', section)[0] == str(len(holding))
    # Haram and Ålesund are no split any more; Tysfjord and Snillfjord are, with their shares
    split = re.search(r'<ul class="split-list">.*?</ul>', section, re.S).group(0)
    assert "1580 Haram" not in split and "1508 Ålesund" not in split
    assert re.search(r"1875 Hábmer - Hamarøy \(fra 1849 Hábmer - Hamarøy og 6\d\W% av 1850 Tysfjord", split)
def _visible(html: str) -> str:
    """The text a reader sees, on one line (tags, styles and scripts removed)."""
    html = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"</?span\b[^>]*>", "", html)  # inline: a tagged number reads as its text
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&amp;", "&").split())


#: Notes written for round 2015 that a later round's report must not carry (issue 21).
NOTES_OF_2015 = ("Trykkfeil i kilden: 349 av 428 er 81,5 %", "omtrentlig 135", "minst sju", "51 + 24 + 4 = 79",
                 "1. januar 2015", "design: design")


@pytest.mark.e2e
def test_2024_report_carries_no_note_of_2015_and_names_its_register(report_2024):
    html = report_2024.with_suffix(".html").read_text(encoding="utf-8")
    text = _visible(html)
    start = text.index("Vedlegg A. Avstemming mot generatorens designmål Runden er syntetisk")
    appendix = text[start:text.index("Vedlegg B. Datakvalitet", start)]
    for note in NOTES_OF_2015:
        assert note not in appendix, note
    # and nowhere else either (the version date of a test run is 1 January 2015, so that one is left out here)
    assert not [n for n in NOTES_OF_2015 if n != "1. januar 2015" and n in text]
    # the generator's design targets are called what they are, never published figures
    assert "publiserte tall" not in text and "Vedlegg A. Avstemming mot generatorens designmål" in text
    assert "Designmål : Målene generatoren av den syntetiske runden 2024 satte" in appendix
    assert re.search(r'<th scope="col" class="num">Designmål</th>', html)


@pytest.mark.e2e
def test_2024_report_reads_as_its_own(report_2024, two_rounds):
    html = report_2024.with_suffix(".html").read_text(encoding="utf-8")
    text = _visible(html)
    # its own number, a draft (no publication date), the demonstration said; the leader is a kommunedirektør
    title = _visible(html[html.index('id="tittel"'):html.index("</header>")])
    assert "nr. 2/2026" in title and "nr. 1/2026" not in text and "Utkast" in title and "Publisert" not in title
    assert "kommunedirektøren i hver av de 357" in text and "357 kommunedirektører og 15" in text
    assert "rådmann" not in text and "rådmenn" not in text
    # its own forord, bakgrunn and avslutning
    for chapter in ("Forord Dette er den andre runden", "Bakgrunn Siden forrige runde", "Avslutning Runden fant"):
        assert chapter in text, chapter
    # the summary states the change since 2015, in both structures, and why the totals differ
    summary = text[text.index("Sammendrag"):text.index("Bakgrunn Siden")]
    assert re.search(r"I runde 2015 hadde 79 av 428 kommuner \(18 %\) en tjeneste; i runde 2024 gjaldt det "
                     r"\d+ av 357", summary)
    assert "kommunereformen" in summary and re.search(r"hadde \d+ av 357 kommuner \(\d+ %\) en tjeneste i runde 2015",
                                                      summary)
    # fylker in SSB's order everywhere: Østfold, Akershus, Oslo, ...; never Oslo, Rogaland, Møre og Romsdal first
    order = ["Østfold", "Akershus", "Oslo", "Innlandet", "Buskerud", "Vestfold", "Telemark", "Agder", "Rogaland",
             "Vestland", "Møre og Romsdal", "Trøndelag", "Nordland", "Troms", "Finnmark"]
    coverage = re.search(r'<table class="compact coverage"[ >].*?</table>', html, re.S).group(0)
    assert re.findall(r'<th scope="row">([^<]+)</th>', coverage)[:-1] == order
    rounds = re.search(r'<table class="compact coverage-rounds"[ >].*?</table>', html, re.S).group(0)
    assert [n for n in re.findall(r'<th scope="row">([^<]+)</th>', rounds)][:-1] == order
    counties = re.findall(r'<section class="county" data-fylke="(\d+)"', html)
    assert counties[:3] == ["31", "32", "03"]
    groups = re.findall(r'<details class="fylke-gruppe" data-fylke="(\d+)"', html)
    assert groups[:3] == ["31", "32", "03"]
    # kommune names beside the codes of split kommuner
    # (1508 Ålesund took the land of 1504, 1523, 1529 and 1546 whole, so it is no split; Tysfjord is)
    assert re.search(r"1806 Narvik \(fra 1805 Narvik, [^)]*\d+ % av 1850 Tysfjord", text)
    # the KOSTRA year is said when it is not the round's: KOSTRA 2019 for round 2024, five years before
    assert "KOSTRA-tallene som er brukt, er fra 2019, 5 år før rundens år (2024)" in text
    # no sentence about a case that does not occur: no change in this comparison involves an unknown status
    changes = pd.read_parquet(two_rounds / "2024" / "comparison.parquet")
    unknown = changes[(changes["series_id"] == "endring_antall") & (changes["category"] == "ukjent")]["value"]
    assert unknown.tolist() == [0.0] and "ukjent status i én av rundene" not in text


# -- a round added as the README says -------------------------------------------------------

@pytest.fixture(scope="module")
def analyst_round(two_rounds, layout, tmp_path_factory) -> Path:
    """A round added exactly as the README says (its folder in raw/ and `classification` under rounds:, nothing
    else) beside the shipped 2015, on a copy of the two-round run's tables so that 2015 is not built again."""
    root = tmp_path_factory.mktemp("analyst")
    shutil.copytree(two_rounds, root / "processed", symlinks=True)
    (root / "raw").mkdir()
    for name in ("2015", "kostra"):
        if (layout / "raw" / name).exists():
            (root / "raw" / name).symlink_to((layout / "raw" / name).resolve(), target_is_directory=True)
    (root / "raw" / "2026").symlink_to(layout / "raw" / "2024", target_is_directory=True)
    shipped = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    config = {
        "raw_dir": str(root / "raw"), "processed_dir": str(root / "processed"), "report_dir": str(root / "report"),
        "log_dir": str(root / "logs"), "overrides_dir": str(layout / "overrides"),
        "register_dir": str(ROOT / "config" / "register"), "tekst_dir": str(ROOT / "config" / "tekst"),
        "rounds": {"2015": shipped["rounds"]["2015"], "2026": {"classification": "2024"}},
    }
    (root / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    targets = [root / "report" / "2015" / "kartlegging.html", root / "report" / "2026" / "kartlegging.html"]
    proc = snakemake(*targets, "--cores", "2", "--directory", ROOT, "--snakefile", ROOT / "Snakefile",
                     "--configfile", root / "config.yaml", timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return root


@pytest.mark.e2e
def test_a_round_added_as_the_readme_says_is_its_own(analyst_round, demo_run):
    html = (analyst_round / "report" / "2026" / "kartlegging.html").read_text(encoding="utf-8")
    title = _visible(html[html.index('id="tittel"'):html.index("</header>")])
    # not a demonstration, no series number of another round, a draft with the software version beside it
    assert 'data-synthetic="true"' not in html and "demonstrasjon" not in title.lower()
    assert "nr." not in title and "Utkast" in title and "commit" in title
    # no register, no publication: it reconciles nothing and says so
    text = _visible(html)
    assert "Vedlegg A. Beregnede tall" in text and "ingenting er avstemt" in text
    # the 2015 report is the same, byte for byte, with or without a later round configured
    alone = (demo_run / "report" / "2015" / "kartlegging.html").read_bytes()
    assert (analyst_round / "report" / "2015" / "kartlegging.html").read_bytes() == alone


# -- the round's own config; no tracked file written ------------------------------------

CONFIG = """# a comment that must survive
raw_dir: data/raw   # so must this one
rounds:
  "2015":
    classification: "2015"
    synthetic: true

# the next key, with its own comment
harmonise_to: "2024"
"""


def test_demo_config_lists_the_shipped_rounds_and_2024():
    from kartlegging_synth.add_round import DEMO_PUBLICATION

    data = demo_config(yaml.safe_load(CONFIG))
    assert data == {"rounds": {"2015": {"classification": "2015", "synthetic": True},
                               "2024": {"classification": "2024", "synthetic": True,
                                        "leader_title": "kommunedirektør", "publication": DEMO_PUBLICATION}}}
    assert list(data["rounds"]) == ["2015", "2024"]  # both: --configfile rounds replace the shipped ones
    # the demo round's own number, no date (a draft), nothing inherited from 2015
    assert DEMO_PUBLICATION["number"] == "2/2026" and "date" not in DEMO_PUBLICATION
    assert DEMO_PUBLICATION["demonstration"] is True


def test_add_round_script_writes_and_removes(tmp_path, capsys):
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    demo = tmp_path / "demo.yaml"
    args = ["--raw-dir", str(tmp_path / "raw"), "--overrides-dir", str(tmp_path / "ov"),
            "--register-dir", str(tmp_path / "reg"), "--tekst-dir", str(tmp_path / "tekst"), "--config", str(config),
            "--demo-config", str(demo), "--reference", str(REFERENCE)]
    assert main(args) == 0
    assert sorted(p.name for p in (tmp_path / "tekst" / "2024").iterdir()) == [
        "01-forord.md", "02-bakgrunn.md", "03-avslutning.md"]
    first = demo.read_bytes()
    assert main(args) == 0  # a second run rewrites the same files
    assert demo.read_bytes() == first
    assert config.read_text(encoding="utf-8") == CONFIG  # the shipped config is only read
    assert yaml.safe_load(demo.read_text(encoding="utf-8"))["rounds"]["2024"]["synthetic"] is True
    for path in (tmp_path / "raw" / "2024" / "utsendelse.csv", tmp_path / "ov" / "2024.yaml",
                 tmp_path / "reg" / "2024.yaml"):
        assert path.exists()
    assert main(args + ["--remove"]) == 0
    assert config.read_text(encoding="utf-8") == CONFIG
    assert not demo.exists()
    assert not (tmp_path / "raw" / "2024").exists() and not (tmp_path / "ov" / "2024.yaml").exists()
    assert not (tmp_path / "tekst" / "2024").exists()
    assert f"wrote {demo}: rounds 2015, 2024" in capsys.readouterr().out


def test_remove_leaves_a_folder_it_did_not_write(tmp_path):
    (tmp_path / "raw" / "2024").mkdir(parents=True)
    (tmp_path / "raw" / "2024" / "utsendelse.csv").write_text("real data\n", encoding="utf-8")
    args = ["--raw-dir", str(tmp_path / "raw"), "--overrides-dir", str(tmp_path / "ov"),
            "--register-dir", str(tmp_path / "reg"), "--no-config", "--remove"]
    assert main(args) == 2
    assert (tmp_path / "raw" / "2024" / "utsendelse.csv").exists()


def _git(cwd: Path, *args: str) -> str:
    cmd = ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid", "-c", "core.hooksPath=/dev/null",
           *args]
    return subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, text=True).stdout


def test_demo_round_leaves_git_status_unchanged(tmp_path, monkeypatch):
    """What ``make demo-round-2024`` writes, with its default paths, is all gitignored; no tracked file changes.

    Runs in a fresh repository holding the checkout's .gitignore and the tracked config
    files the script reads, so the check does not depend on (or touch) this checkout.
    """
    repo = tmp_path / "repo"
    for rel in (".gitignore", "config/config.yaml", "config/overrides/2015.yaml", "config/register/2015.yaml"):
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / rel, repo / rel)
    (repo / "data" / "raw").mkdir(parents=True)
    (repo / "data" / "raw" / "README").write_text("tracked\n", encoding="utf-8")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "tracked files")
    tracked = {rel: (repo / rel).read_bytes() for rel in _git(repo, "ls-files").split()}
    monkeypatch.chdir(repo)
    assert main(["--round", "2024", "--seed", "2024", "--reference", str(REFERENCE)]) == 0
    assert (repo / "config" / "demo-2024.yaml").exists() and (repo / "data" / "raw" / "2024").is_dir()
    assert (repo / "config" / "tekst" / "2024" / "01-forord.md").exists()
    assert _git(repo, "status", "--porcelain", "--untracked-files=all") == ""
    assert {rel: (repo / rel).read_bytes() for rel in tracked} == tracked


@pytest.mark.parametrize("width", [390, 1280])
def test_2024_report_has_no_axe_violation(report_2024, width, tmp_path):
    """axe-core's WCAG 2.1 A and AA rules over the 2024 report (comparison, two maps, more tables): none broken."""
    import shutil

    from axe_check import axe_results

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("no Chromium binary (apt-get install -y chromium; .ci/run installs it)")
    page = report_2024.with_suffix(".html").read_text(encoding="utf-8")
    assert axe_results(chromium, page, width, tmp_path)["violations"] == []
