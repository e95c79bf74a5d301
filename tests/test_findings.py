"""Findings stated in words (register kind ``utsagn``): each function on frames where it holds and
where it does not, their reconciliation and display, and the demo round in which all five hold."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
import yaml

from kartlegging.analysis.consolidate import included
from kartlegging.analysis.figures import FIGURES, compute_figures, reconcile, status_for
from kartlegging.analysis.findings import (
    FINDINGS,
    UTSAGN,
    experience_several_tilbud,
    few_across_diagnoses,
    finding_status,
    finding_values,
    four_diagnoses_most_named,
    name_matches_organisation,
    other_diagnoses_sporadic,
    target_group_counts,
)
from kartlegging.core.classification import load
from kartlegging.core.overrides import load_overrides
from kartlegging.core.register import parse_register
from kartlegging.ingest.interviews import ingest_interviews
from kartlegging.report.numbers import fmt_figure
from kartlegging_synth import generate
from kartlegging_synth.design import TARGET_GROUPS, DesignError, build_design, check_design, findings

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "data" / "reference"
REGISTER = yaml.safe_load((ROOT / "config" / "register" / "2015.yaml").read_text(encoding="utf-8"))
FINDING_IDS = [f["id"] for f in REGISTER["figures"] if f.get("kind") == "utsagn"]


def frame(*rows: dict) -> pd.DataFrame:
    """Included services with the columns the findings read; each row overrides the defaults."""
    base = dict(tilbud_startet="ja", antall_tilbud=3.0, malgrupper=["diabetes"], grunnlag="tjeneste",
                organisering="frisklivssentral", friskliv_og_mestring_navn=False)
    return pd.DataFrame([{**base, "service_id": f"s{n}", **r} for n, r in enumerate(rows)])


def groups(*lists: list[str], **extra) -> pd.DataFrame:
    return frame(*({"malgrupper": g, **extra} for g in lists))


FOUR = ["diabetes", "kols", "hjerte_kar", "kreft"]


# -- the register and the registry ---------------------------------------------------------

def test_register_lists_the_five_findings_and_each_has_a_function():
    assert FINDING_IDS == ["malgrupper_fire_diagnoser_flest", "malgrupper_andre_diagnoser_sporadisk",
                           "malgrupper_pa_tvers_fa", "erfaring_flere_tilbud", "frisklivsnavn_som_organisering"]
    assert set(FINDING_IDS) <= set(FINDINGS) and set(FINDINGS) <= set(FIGURES)
    for entry in (f for f in REGISTER["figures"] if f.get("kind") == "utsagn"):
        assert entry["published"] and entry["definition"] and entry["source"] == "notat"


# -- each finding, holding and not ----------------------------------------------------------

def test_target_groups_count_started_services_once_per_group():
    s = frame({"malgrupper": ["kols", "kols"]}, {"malgrupper": None}, {"malgrupper": ["kols"], "tilbud_startet": "nei"})
    assert target_group_counts(s) == {"kols": 1}


def test_four_diagnoses_most_named():
    holds = groups(FOUR + ["overvekt"], FOUR, ["diabetes", "kols", "hjerte_kar", "kreft", "paa_tvers"])
    assert four_diagnoses_most_named(holds).holds
    f = four_diagnoses_most_named(holds)
    assert (f.numerator, f.denominator) == (12.0, 14.0)
    # overvekt named as often as kreft: the four are not "the" most named
    tie = groups(FOUR + ["overvekt"], ["diabetes", "kols", "hjerte_kar", "overvekt"], ["kreft"])
    assert not four_diagnoses_most_named(tie).holds
    # the four lead but are not more than half of all mentions
    six = ["overvekt", "psykisk_helse", "parorende", "annet", "paa_tvers", "muskel_skjelett"]
    spread = groups(FOUR, FOUR, FOUR, six, six)                # 12 of 24 mentions: not more than half
    assert not four_diagnoses_most_named(spread).holds
    # the demo's old target groups: overvekt and psykisk helse named most
    assert not four_diagnoses_most_named(groups(["overvekt", "psykisk_helse"], ["overvekt", "kols"])).holds


def test_four_diagnoses_count_started_services_only():
    started = groups(FOUR, FOUR)
    planned = groups(["overvekt"], ["overvekt"], ["overvekt"], tilbud_startet="nei")
    assert four_diagnoses_most_named(pd.concat([started, planned], ignore_index=True)).holds
    assert not four_diagnoses_most_named(pd.concat([started, planned.assign(tilbud_startet="ja")],
                                                   ignore_index=True)).holds


def test_other_diagnoses_sporadic():
    assert other_diagnoses_sporadic(groups(FOUR + ["overvekt"], FOUR, ["psykisk_helse"])).holds
    assert not other_diagnoses_sporadic(groups(FOUR + ["overvekt"], FOUR[:3] + ["overvekt"])).holds
    # pårørende is no diagnosis: it may be named often without breaking this finding
    assert other_diagnoses_sporadic(groups(FOUR + ["parorende"], FOUR + ["parorende"])).holds


def test_few_across_diagnoses():
    assert few_across_diagnoses(groups(["paa_tvers"], ["kols"], ["kols"], ["kols"])).holds       # 1 of 4
    assert not few_across_diagnoses(groups(["paa_tvers"], ["paa_tvers"], ["kols"], ["kols"])).holds
    assert not few_across_diagnoses(groups(["kols"], tilbud_startet="nei")).holds                # none started
    f = few_across_diagnoses(groups(["paa_tvers"], ["kols"], ["kols"], ["kols"]))
    assert (f.numerator, f.denominator) == (1.0, 4.0)


def test_experience_several_tilbud():
    exp = {"grunnlag": "erfaring", "organisering": "annet"}
    assert experience_several_tilbud(frame({**exp, "antall_tilbud": 2.0}, {**exp, "antall_tilbud": 3.5}, {})).holds
    assert not experience_several_tilbud(frame({**exp, "antall_tilbud": 1.0}, {**exp, "antall_tilbud": 4.0})).holds
    assert not experience_several_tilbud(frame({**exp, "antall_tilbud": None})).holds            # not reported
    assert not experience_several_tilbud(frame({})).holds                                          # nobody to say it of


def test_name_matches_organisation():
    fm = {"organisering": "friskliv_og_mestring", "friskliv_og_mestring_navn": True}
    assert name_matches_organisation(frame(fm, fm, {})).holds
    # named Frisklivssentralen but coded frisklivs- og mestringssenter
    assert not name_matches_organisation(frame(fm, {"organisering": "friskliv_og_mestring"})).holds
    # named with both words but coded frisklivssentral
    f = name_matches_organisation(frame(fm, {"friskliv_og_mestring_navn": True}))
    assert not f.holds and (f.numerator, f.denominator) == (1.0, 2.0)


# -- as figures: value, reconciliation and display -----------------------------------------

def test_finding_values_and_status():
    fm = {"organisering": "friskliv_og_mestring", "friskliv_og_mestring_navn": True}
    assert finding_values("frisklivsnavn_som_organisering", frame(fm))["value"] == 1.0
    no = finding_values("frisklivsnavn_som_organisering", frame({"friskliv_og_mestring_navn": True}))
    assert no["value"] == 0.0 and no["text"] == "holder ikke"
    assert finding_status(1.0) == ("lik", "holder")
    assert finding_status(0.0) == ("avviker", "holder ikke")
    assert finding_status(None)[0] == "ikke beregnet"
    entry = {"published": "få tilbud var på tvers av diagnoser", "kind": "utsagn"}
    assert status_for(entry, {"value": 1.0, "unit": UTSAGN}) == ("lik", "holder")
    assert status_for(entry, {"value": 0.0, "unit": UTSAGN}) == ("avviker", "holder ikke")
    assert status_for(entry, None) == ("ikke beregnet", None)


def test_reconciliation_row_carries_the_statement_and_whether_it_holds():
    entry = next(f for f in REGISTER["figures"] if f["id"] == "malgrupper_pa_tvers_fa")
    figs = pd.DataFrame([{"figure_id": entry["id"], "value": 0.0, "unit": UTSAGN, "text": "holder ikke",
                          "numerator": 3.0, "denominator": 4.0}])
    row = reconcile("t", parse_register({"figures": [entry]}), figs).iloc[0]
    assert row["published"] == entry["published"]
    assert (row["status"], row["computed"], row["value"]) == ("avviker", "holder ikke", 0.0)


def test_report_formats_a_finding_in_words():
    assert fmt_figure(1.0, UTSAGN) == "holder"
    assert fmt_figure(0.0, UTSAGN) == "holder ikke"
    assert fmt_figure(None, UTSAGN) == "ikke beregnet"


# -- the demo round ---------------------------------------------------------------------------

def test_design_fails_its_check_when_a_finding_breaks():
    c = load(REFERENCE, "2015")
    assert all(findings(build_design(c, 2015)).values())
    design = build_design(c, 2015)
    design.services = [s if s.key != "X01" else replace(s, interviews=tuple(
        replace(iv, t10=1) for iv in s.interviews)) for s in design.services]
    with pytest.raises(DesignError, match="erfaring_flere_tilbud"):
        check_design(design)


def test_every_interview_of_the_design_has_target_groups():
    design = build_design(load(REFERENCE, "2015"), 2015)
    keys = {f"{s.key}/{iv.bydel}" if iv.bydel else s.key for s, iv in design.interviews()}
    assert keys == set(TARGET_GROUPS)
    assert all(iv.t11 for _, iv in design.interviews())


def _ingest(round_dir: Path, overrides: Path):
    return ingest_interviews(round_dir / "intervjuer", load(REFERENCE, "2015"), "2015", load_overrides(overrides))


def _included_services(round_dir: Path, overrides: Path) -> pd.DataFrame:
    return included(_ingest(round_dir, overrides).services)


@pytest.fixture(scope="module")
def generated_services(tmp_path_factory) -> pd.DataFrame:
    """The generator's round, read back by the interview ingest (no Snakemake)."""
    out = tmp_path_factory.mktemp("findings")
    g = generate(out / "raw", "2015", 2015, out / "overrides.yaml", 1, REFERENCE)
    return _included_services(g.round_dir, out / "overrides.yaml")


@pytest.mark.parametrize("finding_id", sorted(FINDINGS))
def test_each_finding_holds_in_the_generated_round(generated_services, finding_id):
    assert FINDINGS[finding_id](generated_services).holds, finding_id


def test_generated_target_groups_look_like_a_national_mapping(generated_services):
    counts = target_group_counts(generated_services)
    started = int((generated_services["tilbud_startet"] == "ja").sum())
    assert started == 37
    per_service = [len(g) for g in generated_services.loc[generated_services["tilbud_startet"] == "ja", "malgrupper"]]
    assert sum(n >= 2 for n in per_service) > 0.8 * started                    # several groups per service
    assert counts["paa_tvers"] > 0 and counts["annet"] > 0                     # every group occurs
    assert all(counts[g] * 2 > started for g in FOUR)                          # each of the four: most services


def test_committed_demo_data_state_every_finding(generated_services):
    """data/raw/2015 is the generator's output: read back, it gives the same services and findings."""
    committed = _included_services(ROOT / "data" / "raw" / "2015", ROOT / "config" / "overrides" / "2015.yaml")
    cols = ["navn", "tilbud_startet", "antall_tilbud", "grunnlag", "organisering", "friskliv_og_mestring_navn"]
    key = "vert_kommunenummer"
    a = committed.sort_values(key).reset_index(drop=True)
    b = generated_services.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a[[key, *cols]], b[[key, *cols]])
    assert [sorted(g) for g in a["malgrupper"]] == [sorted(g) for g in b["malgrupper"]]
    for fid, fn in FINDINGS.items():
        assert fn(committed).holds, fid


def test_compute_figures_gives_the_findings_as_utsagn(generated_services):
    from kartlegging.analysis.figures import Tables

    empty = pd.DataFrame()
    t = Tables(empty, empty, empty, empty, empty, generated_services, empty, empty)
    register = {"figures": [{"id": fid, "published": "x"} for fid in FINDING_IDS]}
    figs = compute_figures("2015", t, parse_register(register)).set_index("figure_id")
    assert list(figs.index) == FINDING_IDS
    assert (figs["unit"] == UTSAGN).all() and (figs["value"] == 1.0).all() and (figs["text"] == "holder").all()


def test_committed_interviews_give_every_service_its_kommuner():
    """Each service's kommuner (T02 + T05) read back as designed: the kommune counts depend on them."""
    result = _ingest(ROOT / "data" / "raw" / "2015", ROOT / "config" / "overrides" / "2015.yaml")
    bridge = result.service_kommuner.merge(result.services[["service_id", "vert_kommunenummer"]], on="service_id")
    got = bridge.groupby("vert_kommunenummer")["kommunenummer"].apply(set).to_dict()
    design = build_design(load(REFERENCE, "2015"), 2015)
    assert got == {s.host: set(s.kommuner) for s in design.services + design.rejected}
    assert not [i for i in result.issues if i.record == "T05"]
