"""Crosswalks between Klass 131 versions and the harmonisation of kommune_status.

The real SSB files in data/reference are used for the known mergers, splits and
renumberings; tiny hand-made Klass folders cover what the real table does not
contain (a border adjustment, a reused code, a change table that does not add up).
"""
from __future__ import annotations

import itertools
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import snakemake

from kartlegging.analysis.crosswalk import (
    CrosswalkError,
    build_crosswalk,
    crosswalk_pairs,
    harmonise_status,
    newest_version,
)
from kartlegging.core import classification as klass
from kartlegging.core import store
from kartlegging.steps.crosswalk import step_crosswalk
from kartlegging.steps.harmonise import step_harmonise

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT / "data" / "reference"
VERSIONS = sorted(klass.available_versions(REF))


def links(cw: pd.DataFrame, code: str) -> dict[str, str]:
    """to_code -> change of one from_code."""
    part = cw[cw["from_code"] == code]
    return dict(zip(part["to_code"], part["change"]))


# -- the known cases -------------------------------------------------------------

def test_halden_renumbered_twice():
    assert links(build_crosswalk(REF, "2019", "2020"), "0101") == {"3001": "nytt_nummer"}
    assert links(build_crosswalk(REF, "2020", "2024"), "3001") == {"3101": "nytt_nummer"}
    assert links(build_crosswalk(REF, "2019", "2024"), "0101") == {"3101": "nytt_nummer"}


def test_trondheim_renumbered_in_2018():
    assert links(build_crosswalk(REF, "2017", "2018"), "1601") == {"5001": "nytt_nummer"}


def test_stokke_split_between_tonsberg_and_sandefjord_in_2017():
    cw = build_crosswalk(REF, "2015", "2017")
    assert links(cw, "0720") == {"0704": "delt", "0710": "delt"}
    # Sandefjord and Andebu merged into the new 0710; Tønsberg kept its code and took part of Stokke.
    assert links(cw, "0706") == {"0710": "sammenslått"}
    assert links(cw, "0719") == {"0710": "sammenslått"}
    assert links(cw, "0704") == {"0704": "sammenslått"}


def test_harstad_2015_to_2024():
    assert links(build_crosswalk(REF, "2015", "2024"), "1903") == {"5503": "nytt_nummer"}


def test_snillfjord_split_in_three_and_alesund_split_in_2024():
    assert set(links(build_crosswalk(REF, "2019", "2020"), "5012")) == {"5055", "5056", "5059"}
    assert links(build_crosswalk(REF, "2020", "2024"), "1507") == {"1508": "delt", "1580": "delt"}


def test_merger_read_backwards_is_a_split():
    cw = build_crosswalk(REF, "2018", "2017")
    assert links(cw, "5054") == {"1624": "delt", "1718": "delt"}  # Indre Fosen back to Rissa and Leksvik
    assert links(cw, "5001") == {"1601": "nytt_nummer"}
    back = build_crosswalk(REF, "2024", "2015")
    assert set(links(back, "3905")) == {"0704", "0716", "0720"}  # Tønsberg 2024: Tønsberg, Re, part of Stokke
    assert links(back, "3101") == {"0101": "nytt_nummer"}


def test_change_labels():
    cw = build_crosswalk(REF, "2015", "2017")
    assert links(cw, "0101") == {"0101": "uendret"}
    assert links(cw, "1841") == {"1841": "navn"}  # Fauske -> Fauske - Fuossko
    # SSB's county qualifier appearing or vanishing is not a renaming.
    assert klass.load(REF, "2015").kommuner["0545"].name != klass.load(REF, "2017").kommuner["0545"].name
    assert links(cw, "0545") == {"0545": "uendret"}
    assert set(build_crosswalk(REF, "2015", "2015")["change"]) == {"uendret"}
    assert set(cw.columns) == {"from_version", "from_code", "to_version", "to_code", "change"}


def test_versions_given_as_years_inside_validity():
    cw = build_crosswalk(REF, "2016", "2021-06-30")
    assert set(cw["from_version"]) == {"2015"} and set(cw["to_version"]) == {"2020"}


# -- completeness --------------------------------------------------------------------

def test_2015_to_2024_covers_all_428_and_all_357():
    cw = build_crosswalk(REF, "2015", "2024")
    assert cw["from_code"].nunique() == 428
    assert set(cw["from_code"]) == set(klass.load(REF, "2015").kommuner)
    assert set(cw["to_code"]) == set(klass.load(REF, "2024").kommuner)
    assert len(set(cw["to_code"])) == 357


def test_2024_to_2015_covers_all_357_and_all_428():
    cw = build_crosswalk(REF, "2024", "2015")
    assert set(cw["from_code"]) == set(klass.load(REF, "2024").kommuner)
    assert cw["to_code"].nunique() == 428


@pytest.mark.parametrize("a, b", list(itertools.permutations(VERSIONS, 2)))
def test_every_pair_of_versions_is_complete(a, b):
    cw = build_crosswalk(REF, a, b)
    assert set(cw["from_code"]) == set(klass.load(REF, a).kommuner)
    assert set(cw["to_code"]) == set(klass.load(REF, b).kommuner)
    assert not cw.duplicated(["from_code", "to_code"]).any()


def test_backward_is_forward_inverted():
    fwd = build_crosswalk(REF, "2015", "2024")
    back = build_crosswalk(REF, "2024", "2015")
    pairs_fwd = set(zip(fwd["from_code"], fwd["to_code"]))
    pairs_back = {(t, f) for f, t in zip(back["from_code"], back["to_code"])}
    assert pairs_fwd == pairs_back


def test_pairs_the_config_needs():
    assert crosswalk_pairs(["2015", "2017"], "2024") == [
        ("2015", "2017"), ("2015", "2024"), ("2017", "2015"), ("2017", "2024"),
    ]
    assert crosswalk_pairs(["2024"], "2024") == []
    assert newest_version(REF) == VERSIONS[-1]


# -- hand-made Klass folders ------------------------------------------------------

def _klass_folder(tmp: Path, before: dict[str, str], after: dict[str, str], changes: list[tuple[str, str]]) -> Path:
    """A reference folder with two versions (2000, 2001) and a change table dated 2001-01-01."""
    folder = tmp / "ssb-klass-131"
    folder.mkdir(parents=True)
    for year, codes, valid_to in (("2000", before, "2001-01-01"), ("2001", after, None)):
        items = [{"code": c, "parentCode": "", "level": "1", "name": n} for c, n in codes.items()]
        meta = {"name": f"Kommuneinndeling {year}", "validFrom": f"{year}-01-01", "validTo": valid_to,
                "classificationItems": items}
        (folder / f"version-{year}.json").write_text(json.dumps(meta), encoding="utf-8")
    rows = [{"oldCode": o, "oldName": before.get(o, ""), "newCode": n, "newName": after.get(n, ""),
             "changeOccurred": "2001-01-01"} for o, n in changes]
    (folder / "changes-2000-2001.json").write_text(json.dumps({"codeChanges": rows}), encoding="utf-8")
    (tmp / "oslo-bydeler.csv").write_text("bydelsnummer;bydel\n030101;Gamle Oslo\n", encoding="utf-8")
    return tmp


def test_border_adjustment_does_not_split_a_kommune_that_goes_on(tmp_path):
    ref = _klass_folder(
        tmp_path,
        {"0001": "A", "0002": "B", "0003": "C", "0004": "D"},
        {"0001": "A", "0004": "D", "0005": "BC"},
        [("0002", "0005"), ("0003", "0005"), ("0001", "0004")],  # 0001 -> 0004: part of A moved to D
    )
    cw = build_crosswalk(ref, "2000", "2001")
    assert links(cw, "0001") == {"0001": "uendret"}
    assert links(cw, "0004") == {"0004": "uendret"}
    assert links(cw, "0002") == {"0005": "sammenslått"}


def test_a_kommune_listed_onto_itself_and_a_neighbour_goes_on(tmp_path):
    ref = _klass_folder(
        tmp_path, {"0001": "A", "0002": "B"}, {"0001": "A", "0002": "B"},
        [("0001", "0001"), ("0001", "0002")],
    )
    assert links(build_crosswalk(ref, "2000", "2001"), "0001") == {"0001": "uendret"}


def test_reused_code_is_not_read_as_continuing(tmp_path):
    ref = _klass_folder(
        tmp_path, {"0001": "A", "0002": "B", "0003": "C"}, {"0001": "A", "0002": "C", "0005": "B"},
        [("0002", "0005"), ("0003", "0002")],  # B renumbered 0005, C took B's old number
    )
    cw = build_crosswalk(ref, "2000", "2001")
    assert links(cw, "0002") == {"0005": "nytt_nummer"}
    assert links(cw, "0003") == {"0002": "nytt_nummer"}


def test_code_that_does_not_land_is_named(tmp_path):
    ref = _klass_folder(tmp_path, {"0001": "A", "0002": "B"}, {"0001": "A", "0005": "B"}, [("0002", "0009")])
    with pytest.raises(CrosswalkError, match=r"0002 B .* maps to 0009"):
        build_crosswalk(ref, "2000", "2001")


def test_kommune_reached_from_nothing_is_named(tmp_path):
    ref = _klass_folder(tmp_path, {"0001": "A"}, {"0001": "A", "0006": "F"}, [])
    with pytest.raises(CrosswalkError, match=r"0006 F"):
        build_crosswalk(ref, "2000", "2001")


def test_missing_change_table_is_reported(tmp_path):
    ref = _klass_folder(tmp_path, {"0001": "A"}, {"0001": "A"}, [])
    (ref / "ssb-klass-131" / "changes-2000-2001.json").unlink()
    with pytest.raises(CrosswalkError, match="found 0"):
        build_crosswalk(ref, "2000", "2001")


# -- harmonising kommune_status -----------------------------------------------------

def status_frame(round_name: str, version: str, answers: dict[str, str], default: str = "ukjent") -> pd.DataFrame:
    """A kommune_status of every kommune of ``version``: ``answers`` where given, else ``default``."""
    cls = klass.load(REF, version)
    rows = []
    for k in sorted(cls.kommuner.values(), key=lambda k: k.code):
        rows.append({
            "round": round_name, "kommunenummer": k.code, "kommunenavn": k.name,
            "fylkesnummer": k.fylkesnummer, "fylkesnavn": k.fylkesnavn,
            "har_tjeneste": answers.get(k.code, default), "kilder": "", "epost_svar": None,
            "telefon_svar": None, "service_ids": [], "tjenestetype": None,
        })
    return pd.DataFrame(rows)


def row(frame: pd.DataFrame, round_name: str, code: str) -> dict:
    hit = frame[(frame["round"] == round_name) & (frame["kommunenummer"] == code)]
    assert len(hit) == 1
    return hit.iloc[0].to_dict()


def test_merger_where_one_part_had_a_service():
    status = status_frame("r17", "2017", {"0709": "nei", "0728": "ja", "0702": "nei"})
    out = harmonise_status([status], {"r17": "2017"}, "2018", REF)
    larvik = row(out, "r17", "0712")
    assert larvik["har_tjeneste"] == "ja"
    assert list(larvik["fra_kommuner"]) == ["0709", "0728"]
    assert larvik["regel"] == "sammenslått"
    # nei wins over ukjent: Holmestrand said nei, Hof is unknown.
    holmestrand = row(out, "r17", "0715")
    assert (holmestrand["har_tjeneste"], holmestrand["regel"]) == ("nei", "sammenslått")
    assert row(out, "r17", "5001")["regel"] == "nytt_nummer"
    assert row(out, "r17", "0101") | {"fra_kommuner": None} == {
        "round": "r17", "kommunenummer": "0101", "kommunenavn": "Halden", "fylkesnummer": "01",
        "fylkesnavn": "Østfold", "har_tjeneste": "ukjent", "fra_kommuner": None, "regel": "uendret",
    }
    assert len(out) == 422


def test_split_kommune_gives_its_answer_to_each_part():
    status = status_frame("r15", "2015", {"0720": "ja"}, default="nei")
    out = harmonise_status([status], {"r15": "2015"}, "2017", REF)
    for code, parts in (("0704", ["0704", "0720"]), ("0710", ["0706", "0719", "0720"])):
        got = row(out, "r15", code)
        assert got["har_tjeneste"] == "ja"
        assert list(got["fra_kommuner"]) == parts
        assert got["regel"] == "delt_del_av"
    assert row(out, "r15", "1841")["regel"] == "navn"


def test_harmonising_backwards_attributes_a_merged_kommune_to_its_former_parts():
    status = status_frame("r18", "2018", {"5054": "ja"}, default="nei")
    out = harmonise_status([status], {"r18": "2018"}, "2017", REF)
    for code in ("1624", "1718"):
        got = row(out, "r18", code)
        assert (got["har_tjeneste"], list(got["fra_kommuner"]), got["regel"]) == ("ja", ["5054"], "delt_del_av")
    assert row(out, "r18", "1601")["har_tjeneste"] == "nei"


def test_several_rounds_to_2024_and_target_columns():
    s15 = status_frame("2015", "2015", {"1903": "ja"}, default="nei")
    s17 = status_frame("2017", "2017", {}, default="ukjent")
    out = harmonise_status([s15, s17], {"2015": "2015", "2017": "2017"}, "2024", REF)
    assert out.groupby("round").size().to_dict() == {"2015": 357, "2017": 357}
    harstad = row(out, "2015", "5503")
    assert (harstad["har_tjeneste"], list(harstad["fra_kommuner"]), harstad["fylkesnavn"]) == ("ja", ["1903"], "Troms")
    assert set(out.loc[out["round"] == "2017", "har_tjeneste"]) == {"ukjent"}


@pytest.mark.parametrize("mutate, message", [
    (lambda f: f.assign(kommunenummer=f["kommunenummer"].where(f.index != 0, "3001")), "not kommuner of Klass 2015"),
    (lambda f: f.assign(har_tjeneste=f["har_tjeneste"].where(f.index != 0, "kanskje")), "ja, nei or ukjent"),
    (lambda f: f.assign(round="9999"), "no classification given"),
    (lambda f: pd.concat([f, f.iloc[[0]]]), "more than once"),
])
def test_bad_status_is_reported(mutate, message):
    status = mutate(status_frame("r15", "2015", {}))
    with pytest.raises(CrosswalkError, match=message):
        harmonise_status([status], {"r15": "2015"}, "2017", REF)


def test_steps_write_valid_tables(tmp_path):
    status_path = tmp_path / "r15" / "kommune_status.parquet"
    store.write_table(status_frame("r15", "2015", {"0720": "ja"}, default="nei"), "kommune_status", status_path)
    cw_path, h_path = tmp_path / "reference" / "crosswalk.parquet", tmp_path / "harmonised" / "kommune_status.parquet"
    step_crosswalk(str(REF), {"r15": "2015", "r17": "2017"}, "2024", str(cw_path))
    step_harmonise(str(REF), {"r15": "2015"}, "2024", [str(status_path)], str(h_path))
    cw = store.read_table(cw_path)
    assert set(zip(cw["from_version"], cw["to_version"])) == {
        ("2015", "2017"), ("2015", "2024"), ("2017", "2015"), ("2017", "2024"),
    }
    harmonised = store.read_table(h_path)
    assert len(harmonised) == 357
    assert list(row(harmonised, "r15", "3907")["fra_kommuner"]) == ["0706", "0719", "0720"]


# -- the Snakemake rules -------------------------------------------------------------

@pytest.mark.e2e
def test_rules_crosswalk_and_harmonise(tmp_path):
    """The two rules run on hand-built kommune_status files; harmonise_to defaults to the newest version."""
    proc = tmp_path / "processed"
    for name, version, answers in (("r15", "2015", {"0720": "ja"}), ("r17", "2017", {"0728": "ja"})):
        store.write_table(status_frame(name, version, answers, default="nei"), "kommune_status",
                          proc / name / "kommune_status.parquet")
    config = {
        "raw_dir": str(tmp_path / "raw"), "processed_dir": str(proc), "report_dir": str(tmp_path / "report"),
        "reference_dir": str(REF), "log_dir": str(tmp_path / "logs"),
        "rounds": {"r15": {"classification": "2015"}, "r17": {"classification": "2017"}},
    }
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (tmp_path / "Snakefile").write_text(
        f'configfile: "{tmp_path / "config.yaml"}"\n'
        f'include: "{ROOT / "rules" / "common.smk"}"\n'
        f'include: "{ROOT / "rules" / "harmonise.smk"}"\n',
        encoding="utf-8",
    )
    targets = [str(proc / "reference" / "crosswalk.parquet"), str(proc / "harmonised" / "kommune_status.parquet")]
    proc_run = snakemake("--cores", "1", "--snakefile", tmp_path / "Snakefile", "--directory", tmp_path, *targets,
                         timeout=300)
    assert proc_run.returncode == 0, proc_run.stderr[-4000:]
    harmonised = store.read_table(targets[1])
    assert harmonised.groupby("round").size().to_dict() == {"r15": 357, "r17": 357}
    tonsberg = row(harmonised, "r15", "3905")
    assert (tonsberg["har_tjeneste"], tonsberg["regel"]) == ("ja", "delt_del_av")
    larvik = row(harmonised, "r17", "3909")
    assert (larvik["har_tjeneste"], list(larvik["fra_kommuner"]), larvik["regel"]) == (
        "ja", ["0709", "0728"], "sammenslått")
    cw = store.read_table(targets[0])
    assert set(zip(cw["from_version"], cw["to_version"])) == {
        ("2015", "2017"), ("2015", "2024"), ("2017", "2015"), ("2017", "2024"),
    }
    assert (tmp_path / "logs" / "harmonise.log").read_text(encoding="utf-8").strip()
