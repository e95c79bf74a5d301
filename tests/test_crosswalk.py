"""The territorial crosswalk between Klass 131 versions and the harmonisation of kommune_status.

The real SSB files and Kartverket polygons in data/reference are used for the known
mergers, splits and renumberings (and the merge-then-split of Ålesund and Haram);
tiny hand-made Klass folders, with square kommuner where polygons matter, cover what
the real files do not contain (a border adjustment, a reused code, a change table
that does not add up, a split measured on known areas).
"""
from __future__ import annotations

import functools
import itertools
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml
from conftest import snakemake

from kartlegging.analysis import crosswalk as crosswalk_module
from kartlegging.analysis import territory
from kartlegging.analysis.crosswalk import (
    MIN_SHARE,
    CrosswalkError,
    KlassFiles,
    build_crosswalk,
    crosswalk_table,
    newest_version,
    pair_of,
)
from kartlegging.analysis.harmonise import harmonise_status
from kartlegging.analysis.territory import TerritoryError, read_land
from kartlegging.core import classification as klass
from kartlegging.core import store
from kartlegging.core.tables import ALL_TABLES
from kartlegging.infra.database import data_dictionary
from kartlegging.steps.crosswalk import step_crosswalk
from kartlegging.steps.harmonise import step_harmonise

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT / "data" / "reference"
VERSIONS = sorted(klass.available_versions(REF))
UTM = "urn:ogc:def:crs:EPSG::25833"


def links(cw: pd.DataFrame, code: str) -> dict[str, str]:
    """to_code -> change of one from_code."""
    part = cw[cw["from_code"] == code]
    return dict(zip(part["to_code"], part["change"]))


def weights(cw: pd.DataFrame, code: str) -> dict[str, float]:
    """to_code -> weight of one from_code."""
    part = cw[cw["from_code"] == code]
    return dict(zip(part["to_code"], part["weight"]))


# -- where the land went (the cases) -----------------------------------------

def test_merge_then_split_sends_each_former_kommune_where_its_land_went():
    """1534 Haram went into 1507 Ålesund in 2020, which was split into 1508 Ålesund and 1580 Haram in 2024."""
    cw = build_crosswalk(REF, "2015", "2024")
    assert links(cw, "1534") == {"1580": "nytt_nummer"}
    for code in ("1504", "1523", "1529", "1546"):
        assert links(cw, code) == {"1508": "sammenslått"}, code
    for code in ("1534", "1504", "1523", "1529", "1546"):
        assert weights(cw, code) == {("1580" if code == "1534" else "1508"): 1.0}
    measured = cw[cw["from_code"].isin(["1534", "1504"])]
    assert set(measured["weight_basis"]) == {"areal"} and measured["geometry"].str.contains("kommuner-2024").all()
    # 2024 Haram is made of 2015 Haram only; 2024 Ålesund of the other four
    assert sorted(cw.loc[cw["to_code"] == "1580", "from_code"]) == ["1534"]
    assert sorted(cw.loc[cw["to_code"] == "1508", "from_code"]) == ["1504", "1523", "1529", "1546"]


def test_snillfjord_split_in_three_by_land():
    cw = build_crosswalk(REF, "2019", "2020")
    got = weights(cw, "5012")
    assert set(got) == {"5055", "5056", "5059"}
    assert sum(got.values()) == pytest.approx(1.0, abs=1e-5)
    assert all(w > 0.05 for w in got.values()) and max(got, key=got.get) == "5059"  # most of it went to Orkland
    assert set(links(cw, "5012").values()) == {"delt"}


def test_tysfjord_split_between_hamaroy_and_narvik_by_land():
    for to in ("2020", "2024"):
        got = weights(build_crosswalk(REF, "2019", to), "1850")
        assert set(got) == {"1875", "1806"}
        assert got["1875"] == pytest.approx(0.67, abs=0.02) and got["1806"] == pytest.approx(0.33, abs=0.02)
        assert sum(got.values()) == pytest.approx(1.0, abs=1e-5)


def test_the_same_slivers_are_dropped_backwards():
    back = build_crosswalk(REF, "2024", "2015")
    assert links(back, "1580") == {"1534": "nytt_nummer"}
    assert set(links(back, "1508")) == {"1504", "1523", "1529", "1546"}
    assert sum(weights(back, "1508").values()) == pytest.approx(1.0, abs=1e-5)


def test_a_split_before_the_first_polygons_is_kept_whole_and_named(caplog):
    """2015's 0720 Stokke was split in 2017; no polygons of the 2015 structure exist, so no share is guessed."""
    cw = build_crosswalk(REF, "2015", "2017")
    part = cw[cw["from_code"] == "0720"]
    assert set(part["to_code"]) == {"0704", "0710"}
    assert part["weight"].isna().all() and set(part["weight_basis"]) == {"uten_kart"}
    # the merger on the same date needs no polygons: Sandefjord and Andebu went whole
    assert weights(cw, "0706") == {"0710": 1.0} and set(cw.loc[cw["from_code"] == "0706", "weight_basis"]) == {"hel"}
    # the only split without polygons in the shipped files
    table = shipped()
    unknown = table[(table["weight_basis"] == "uten_kart") & (table["from_version"] < table["to_version"])]
    assert set(unknown["from_code"]) == {"0720"}


def test_the_crosswalk_step_names_the_split_without_polygons(tmp_path, caplog):
    files = KlassFiles.in_folder(REF)
    with caplog.at_level("WARNING", logger="kartlegging"):
        step_crosswalk(files.versions, files.changes, files.polygons, str(tmp_path / "crosswalk.parquet"))
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warned) == 1 and "0720 Stokke (Klass 2013, 2015) was split" in warned[0]


def test_every_weight_is_a_share_of_the_from_kommune():
    table = shipped()
    assert set(zip(table["from_version"], table["to_version"])) == set(itertools.product(VERSIONS, VERSIONS))
    assert (table.loc[table["weight_basis"] == "hel", "weight"] == 1.0).all()
    known = table[table["weight"].notna()]
    sums = known.groupby(["from_version", "to_version", "from_code"])["weight"].sum()
    assert ((sums - 1.0).abs() < 1e-5).all()
    # a kommune's weights are all known or all unknown
    mixed = table.groupby(["from_version", "to_version", "from_code"])["weight"].agg(lambda w: w.isna().nunique())
    assert (mixed == 1).all()
    measured = table[table["weight_basis"] == "areal"]
    assert (measured["weight"] > 0).all() and measured["geometry"].notna().all()


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
    assert list(cw.columns) == crosswalk_module.CROSSWALK_COLUMNS


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


def test_newest_version_and_names():
    assert newest_version(REF) == VERSIONS[-1]
    cw = build_crosswalk(REF, "2019", "2024")
    row = cw[cw["from_code"] == "1850"].iloc[0]
    assert (row["from_name"], row["to_version"]) == ("Tysfjord - Divtasvuodna", "2024")


def test_reruns_give_identical_bytes(tmp_path):
    files = KlassFiles.in_folder(REF)
    outs = []
    for name in ("a", "b"):
        crosswalk_module._klass.cache_clear()  # a fresh read of every file, as in a new process
        out = tmp_path / f"{name}.parquet"
        step_crosswalk(files.versions, files.changes, files.polygons, str(out))
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def test_pairs_built_together_are_the_pairs_built_one_by_one():
    """The table measures every pair's overlaps in one pass; each pair comes out as when it is built alone."""
    def values(frame: pd.DataFrame) -> pd.DataFrame:  # a pair without a split has no geometry: None, not str
        return frame.astype(object).where(frame.notna(), None).reset_index(drop=True)

    table = shipped()
    for a, b in (("2015", "2024"), ("2024", "2015"), ("2019", "2020"), ("2017", "2015"), ("2020", "2020")):
        pd.testing.assert_frame_equal(values(build_crosswalk(REF, a, b)), values(pair_of(table, a, b)))


def test_two_threads_building_at_once_get_the_table_of_one():
    """Steps run as threads of Snakemake's process, and the files they read (Klass versions, the polygons built
    on first use) are shared by the process: two builds at once, from a cold start, each get the whole table."""
    crosswalk_module._klass.cache_clear()
    territory._read.cache_clear()
    with ThreadPoolExecutor(max_workers=2) as pool:
        frames = list(pool.map(lambda _: crosswalk_table(REF), range(2)))
    for frame in frames:
        pd.testing.assert_frame_equal(frame, shipped())


def test_pandas_text_columns_are_written_as_python_strings_are(tmp_path):
    """The store hands pandas' own (Arrow) text columns to Arrow as they are: the file is the one the same
    table with Python strings (and None for a missing geometry) gives."""
    frame = build_crosswalk(REF, "2019", "2020")
    assert str(frame["from_name"].dtype) == "str" and frame["geometry"].isna().any()
    as_python = frame.astype(object).where(frame.notna(), None)
    store.write_table(frame, "crosswalk", tmp_path / "a.parquet")
    store.write_table(as_python, "crosswalk", tmp_path / "b.parquet")
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()


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


def _squares(path: Path, squares: dict[str, list[tuple[float, float, float, float]]], crs: str | None = UTM) -> None:
    """A GeoJSON of kommuner made of rectangles (x0, y0, x1, y1) in km from a point near 60° N 15° E, in UTM 33 m."""
    features = []
    for code, boxes in squares.items():
        polys = [[[[500_000 + x * 1000, 6_650_000 + y * 1000] for x, y in corners]]
                 for x0, y0, x1, y1 in boxes for corners in [[(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]]]
        features.append({"type": "Feature", "properties": {"kommunenummer": int(code)},
                         "geometry": {"type": "MultiPolygon", "coordinates": polys}})
    data = {"type": "FeatureCollection", "features": features}
    if crs:
        data["crs"] = {"type": "name", "properties": {"name": crs}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")


def test_a_split_is_weighted_by_area_and_slivers_are_dropped(tmp_path):
    """B (0002) splits 70/30 into E and F; C (0003) merges into F; the redrawn border leaves C a sliver in E."""
    ref = _klass_folder(
        tmp_path,
        {"0001": "A", "0002": "B", "0003": "C"},
        {"0001": "A", "0005": "E", "0006": "F"},
        [("0002", "0005"), ("0002", "0006"), ("0003", "0006")],
    )
    hist = ref / "kartverket-historic"
    _squares(hist / "kommuner-2000.geojson", {"1": [(100, 0, 110, 10)], "2": [(0, 0, 10, 10)],
                                              "3": [(10, 0, 20, 10)]})
    # E: the western 7 km of B; F: the rest of B and all of C, but E's border is drawn 0.05 km into C
    _squares(hist / "kommuner-2001.geojson", {"1": [(100, 0, 110, 10)], "5": [(0, 0, 7, 10), (10, 0, 10.05, 10)],
                                              "6": [(7, 0, 10, 10), (10.05, 0, 20, 10)]})
    cw = build_crosswalk(ref, "2000", "2001")
    assert weights(cw, "0002") == {"0005": pytest.approx(0.7), "0006": pytest.approx(0.3)}
    assert links(cw, "0002") == {"0005": "delt", "0006": "delt"}
    # C's 0.5 % in E is drawing noise: C is a candidate of F only anyway, so it goes whole
    assert weights(cw, "0003") == {"0006": 1.0}
    assert set(cw.loc[cw["from_code"] == "0003", "weight_basis"]) == {"hel"}
    back = build_crosswalk(ref, "2001", "2000")
    assert weights(back, "0006") == {"0002": pytest.approx(30 / 129.5, abs=1e-5),
                                     "0003": pytest.approx(99.5 / 129.5, abs=1e-5)}
    assert weights(back, "0005") == {"0002": 1.0}  # E came from B alone by the change table


def test_a_merger_then_a_split_follows_the_polygons(tmp_path):
    """A and B merge into M (2001), M splits into A2 and B2 (2002): each former kommune goes where its land is."""
    folder = tmp_path / "ssb-klass-131"
    folder.mkdir()
    versions = (("2000", {"0001": "A", "0002": "B"}, "2001-01-01"), ("2001", {"0003": "M"}, "2002-01-01"),
                ("2002", {"0004": "A2", "0005": "B2"}, None))
    for year, codes, valid_to in versions:
        items = [{"code": c, "name": n} for c, n in codes.items()]
        (folder / f"version-{year}.json").write_text(json.dumps(
            {"validFrom": f"{year}-01-01", "validTo": valid_to, "classificationItems": items}), encoding="utf-8")
    rows = [("0001", "0003", "2001"), ("0002", "0003", "2001"), ("0003", "0004", "2002"), ("0003", "0005", "2002")]
    (folder / "changes-2000-2002.json").write_text(json.dumps({"codeChanges": [
        {"oldCode": o, "newCode": n, "changeOccurred": f"{d}-01-01"} for o, n, d in rows]}), encoding="utf-8")
    hist = tmp_path / "kartverket-historic"
    _squares(hist / "kommuner-2000.geojson", {"1": [(0, 0, 10, 10)], "2": [(10, 0, 30, 10)]})
    # the 2002 file is in longitude/latitude without a crs member, like Kartverket's 2024 file
    _lonlat_squares(hist / "kommuner-2002.geojson", {"4": (0, 0, 10.02, 10), "5": (10.02, 0, 30, 10)})
    cw = build_crosswalk(tmp_path, "2000", "2002")
    assert links(cw, "0001") == {"0004": "nytt_nummer"} and links(cw, "0002") == {"0005": "nytt_nummer"}
    assert weights(cw, "0001") == {"0004": 1.0}
    # without the later polygons the chain's two candidates are kept, with no weight guessed
    (hist / "kommuner-2002.geojson").unlink()
    crosswalk_module._klass.cache_clear()
    blind = build_crosswalk(tmp_path, "2000", "2002")
    assert set(links(blind, "0001")) == {"0004", "0005"} and blind["weight"].isna().all()


def _lonlat_squares(path: Path, boxes: dict[str, tuple[float, float, float, float]]) -> None:
    """Rectangles given in UTM 33 km, written as longitude/latitude (WGS 84), as a file without a crs member."""
    from pyproj import Transformer

    back = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)
    features = []
    for code, (x0, y0, x1, y1) in boxes.items():
        ring = []
        for i in range(41):  # dense edges, so the reprojected outline follows the UTM rectangle
            t = i / 40
            ring.append((x0 + (x1 - x0) * t, y0))
        ring += [(x1, y0 + (y1 - y0) * i / 40) for i in range(1, 41)]
        ring += [(x1 - (x1 - x0) * i / 40, y1) for i in range(1, 41)]
        ring += [(x0, y1 - (y1 - y0) * i / 40) for i in range(1, 41)]
        lon, lat = back.transform([500_000 + x * 1000 for x, _ in ring], [6_650_000 + y * 1000 for _, y in ring])
        features.append({"type": "Feature", "properties": {"kommunenummer": code},
                         "geometry": {"type": "Polygon", "coordinates": [list(map(list, zip(lon, lat)))]}})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")


def test_polygons_in_longitude_latitude_are_measured_in_utm33(tmp_path):
    path = tmp_path / "kommuner-2024.geojson"
    _lonlat_squares(path, {"0301": (0, 0, 10, 10)})
    land = read_land(path)
    assert land.shape("0301").area == pytest.approx(100e6, rel=1e-3)
    bounds = land.shape("0301").bounds
    assert bounds[0] == pytest.approx(500_000, abs=5) and bounds[1] == pytest.approx(6_650_000, abs=5)


def test_a_polygon_file_in_another_projection_is_refused_with_its_name(tmp_path):
    path = tmp_path / "kommuner-2019.geojson"
    _squares(path, {"1": [(0, 0, 1, 1)]}, crs="urn:ogc:def:crs:EPSG::3857")
    with pytest.raises(TerritoryError, match=r"kommuner-2019\.geojson: coordinate reference system"):
        read_land(path)


@pytest.mark.parametrize("geometry, reason", [
    ({"type": "Point", "coordinates": [500_000, 6_650_000]}, "geometry type 'Point'"),
    ({"type": "Polygon", "coordinates": [[["x", "y"]] * 4]}, "the coordinates are not rings of points"),
    ({"type": "MultiPolygon", "coordinates": [[[[0, 0], [1, 0], [0, 0]]]]}, "no polygon with an area"),
])
def test_a_bad_feature_is_refused_when_its_file_is_read_not_when_it_is_measured(tmp_path, geometry, reason):
    """Geometries are built only for the kommuner the crosswalk measures; the file is still checked whole."""
    path = tmp_path / "kommuner-2019.geojson"
    _squares(path, {"1": [(0, 0, 1, 1)], "2": [(1, 0, 2, 1)]})
    data = json.loads(path.read_text(encoding="utf-8"))
    data["features"][1]["geometry"] = geometry
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(TerritoryError, match=rf"kommuner-2019\.geojson: feature 1 \(0002\): {reason}"):
        read_land(path)


def test_the_noise_threshold_is_below_every_real_share():
    """The smallest real share in the shipped files is 2 %; slivers among candidates stay under 0.5 %."""
    table = shipped()
    measured = table[table["weight_basis"] == "areal"]
    assert measured["weight"].min() > 2 * MIN_SHARE


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


@functools.cache
def shipped() -> pd.DataFrame:
    """The crosswalk table of the shipped files, built once for the harmonisation tests (not at collection)."""
    return crosswalk_table(REF)


def row(frame: pd.DataFrame, round_name: str, code: str) -> dict:
    hit = frame[(frame["round"] == round_name) & (frame["kommunenummer"] == code)]
    assert len(hit) == 1
    return hit.iloc[0].to_dict()


def test_merger_where_one_part_had_a_service():
    status = status_frame("r17", "2017", {"0709": "nei", "0728": "ja", "0702": "nei"})
    out = harmonise_status([status], {"r17": "2017"}, "2018", shipped())
    larvik = row(out, "r17", "0712")
    assert larvik["har_tjeneste"] == "ja"
    assert list(larvik["fra_kommuner"]) == ["0709", "0728"]
    assert larvik["regel"] == "sammenslått"
    # nei wins over ukjent: Holmestrand said nei, Hof is unknown.
    holmestrand = row(out, "r17", "0715")
    assert (holmestrand["har_tjeneste"], holmestrand["regel"]) == ("nei", "sammenslått")
    assert row(out, "r17", "5001")["regel"] == "nytt_nummer"
    lists = {"fra_kommuner": None, "fra_navn": None, "fra_vekter": None}
    halden = row(out, "r17", "0101")
    assert halden | lists == {
        "round": "r17", "kommunenummer": "0101", "kommunenavn": "Halden", "fylkesnummer": "01",
        "fylkesnavn": "Østfold", "har_tjeneste": "ukjent", "regel": "uendret", **lists,
    }
    assert (list(halden["fra_navn"]), list(halden["fra_vekter"])) == (["Halden"], [1.0])
    assert len(out) == 422


def test_split_kommune_gives_its_answer_to_each_part():
    status = status_frame("r15", "2015", {"0720": "ja"}, default="nei")
    out = harmonise_status([status], {"r15": "2015"}, "2017", shipped())
    for code, parts in (("0704", ["0704", "0720"]), ("0710", ["0706", "0719", "0720"])):
        got = row(out, "r15", code)
        assert got["har_tjeneste"] == "ja"
        assert list(got["fra_kommuner"]) == parts
        assert got["regel"] == "delt_del_av"
        assert pd.isna(list(got["fra_vekter"])[-1])  # Stokke's share is unknown: no polygons of 2015
    assert row(out, "r15", "1841")["regel"] == "navn"


def test_harmonising_backwards_attributes_a_merged_kommune_to_its_former_parts():
    status = status_frame("r18", "2018", {"5054": "ja"}, default="nei")
    out = harmonise_status([status], {"r18": "2018"}, "2017", shipped())
    for code in ("1624", "1718"):
        got = row(out, "r18", code)
        assert (got["har_tjeneste"], list(got["fra_kommuner"]), got["regel"]) == ("ja", ["5054"], "delt_del_av")
    assert row(out, "r18", "1601")["har_tjeneste"] == "nei"


def test_several_rounds_to_2024_and_target_columns():
    s15 = status_frame("2015", "2015", {"1903": "ja"}, default="nei")
    s17 = status_frame("2017", "2017", {}, default="ukjent")
    out = harmonise_status([s15, s17], {"2015": "2015", "2017": "2017"}, "2024", shipped())
    assert out.groupby("round").size().to_dict() == {"2015": 357, "2017": 357}
    harstad = row(out, "2015", "5503")
    assert (harstad["har_tjeneste"], list(harstad["fra_kommuner"]), harstad["fylkesnavn"]) == ("ja", ["1903"], "Troms")
    assert set(out.loc[out["round"] == "2017", "har_tjeneste"]) == {"ukjent"}


def test_2024_haram_follows_2015_haram_and_alesund_keeps_its_service():
    """The issue's case: 2015 Ålesund had a service, 2015 Haram did not; 2024 Haram is 2015 Haram's land."""
    status = status_frame("2015", "2015", {"1504": "ja", "1534": "nei"}, default="nei")
    out = harmonise_status([status], {"2015": "2015"}, "2024", shipped())
    haram = row(out, "2015", "1580")
    assert (haram["har_tjeneste"], list(haram["fra_kommuner"]), haram["regel"]) == ("nei", ["1534"], "nytt_nummer")
    alesund = row(out, "2015", "1508")
    assert (alesund["har_tjeneste"], list(alesund["fra_kommuner"]), alesund["regel"]) == (
        "ja", ["1504", "1523", "1529", "1546"], "sammenslått")
    assert list(alesund["fra_vekter"]) == [1.0, 1.0, 1.0, 1.0]
    # a split by land: both parts of Tysfjord got land that had its service
    status = status_frame("2015", "2015", {"1850": "ja"}, default="nei")
    out = harmonise_status([status], {"2015": "2015"}, "2024", shipped())
    for code in ("1806", "1875"):
        got = row(out, "2015", code)
        assert (got["har_tjeneste"], got["regel"]) == ("ja", "delt_del_av")
        share = dict(zip(got["fra_kommuner"], got["fra_vekter"]))["1850"]
        assert share == pytest.approx(0.33 if code == "1806" else 0.67, abs=0.02)


def test_every_kommune_with_a_service_lands_and_none_is_counted_without_one():
    """The 2015 column of the comparison: 2024 kommuner with a service are exactly those holding land of one."""
    rng_yes = sorted(klass.load(REF, "2015").kommuner)[::5]
    status = status_frame("2015", "2015", dict.fromkeys(rng_yes, "ja"), default="nei")
    out = harmonise_status([status], {"2015": "2015"}, "2024", shipped())
    cw = shipped()[(shipped()["from_version"] == "2015") & (shipped()["to_version"] == "2024")]
    holding = set(cw.loc[cw["from_code"].isin(rng_yes), "to_code"])
    assert set(out.loc[out["har_tjeneste"] == "ja", "kommunenummer"]) == holding
    assert {f for parts in out.loc[out["har_tjeneste"] == "ja", "fra_kommuner"] for f in parts} >= set(rng_yes)


@pytest.mark.parametrize("mutate, message", [
    (lambda f: f.assign(kommunenummer=f["kommunenummer"].where(f.index != 0, "3001")), "not kommuner of Klass 2015"),
    (lambda f: f.assign(har_tjeneste=f["har_tjeneste"].where(f.index != 0, "kanskje")), "ja, nei or ukjent"),
    (lambda f: f.assign(round="9999"), "no classification given"),
    (lambda f: pd.concat([f, f.iloc[[0]]]), "more than once"),
])
def test_bad_status_is_reported(mutate, message):
    status = mutate(status_frame("r15", "2015", {}))
    with pytest.raises(CrosswalkError, match=message):
        harmonise_status([status], {"r15": "2015"}, "2017", shipped())


def test_a_pair_the_table_lacks_is_named():
    status = status_frame("r15", "2015", {})
    with pytest.raises(CrosswalkError, match="no rows from Klass 2015 to Klass 2017"):
        harmonise_status([status], {"r15": "2015"}, "2017", build_crosswalk(REF, "2015", "2024"))


def test_steps_write_valid_tables(tmp_path):
    status_path = tmp_path / "r15" / "kommune_status.parquet"
    store.write_table(status_frame("r15", "2015", {"0720": "ja"}, default="nei"), "kommune_status", status_path)
    cw_path = tmp_path / "reference" / "crosswalk.parquet"
    h_path = tmp_path / "harmonised" / "harmonised_status.parquet"
    files = KlassFiles.in_folder(REF)
    step_crosswalk(files.versions, files.changes, files.polygons, str(cw_path))
    step_harmonise(str(cw_path), {"r15": "2015"}, "2024", [str(status_path)], str(h_path))
    cw = store.read_table(cw_path)
    assert set(zip(cw["from_version"], cw["to_version"])) == set(itertools.product(VERSIONS, VERSIONS))
    harmonised = store.read_table(h_path)
    assert len(harmonised) == 357
    sandefjord = row(harmonised, "r15", "3907")
    assert list(sandefjord["fra_kommuner"]) == ["0706", "0719", "0720"]
    assert list(sandefjord["fra_navn"]) == ["Sandefjord", "Andebu", "Stokke"]
    weights_ = list(sandefjord["fra_vekter"])
    assert weights_[:2] == [1.0, 1.0] and pd.isna(weights_[2])


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
    targets = [str(proc / "reference" / "crosswalk.parquet"), str(proc / "harmonised" / "harmonised_status.parquet")]
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
    assert set(zip(cw["from_version"], cw["to_version"])) == set(itertools.product(VERSIONS, VERSIONS))
    assert "0720 Stokke" in (tmp_path / "logs" / "crosswalk.log").read_text(encoding="utf-8")
    assert (tmp_path / "logs" / "harmonise.log").read_text(encoding="utf-8").strip()


# -- the glob-safe layout ------------------------------------------------------------

def test_tables_across_rounds_are_named_as_their_views():
    """A file named like a per-round table outside a round folder would be read by a glob over the rounds."""
    for table in ALL_TABLES.values():
        if not table.per_round:
            assert table.path and Path(table.path).stem == table.name, table.name
    assert ALL_TABLES["harmonised_status"].path == "harmonised/harmonised_status.parquet"


def test_the_data_dictionary_shows_the_round_glob():
    assert "read_parquet('<processed_dir>/*/kommune_status.parquet')" in data_dictionary(["2015"])


@pytest.mark.e2e
def test_the_round_glob_reads_the_rounds_only(demo_run):
    processed = demo_run / "processed"
    con = duckdb.connect()
    rows = con.execute(
        "SELECT round, count(*) FILTER (WHERE har_tjeneste = 'ja'), count(*) FROM "
        f"read_parquet('{processed}/*/kommune_status.parquet') GROUP BY round ORDER BY round").fetchall()
    assert rows == [("2015", 79, 428)]
    harmonised = store.read_table(processed / "harmonised" / "harmonised_status.parquet")
    assert set(harmonised["round"]) == {"2015"} and len(harmonised) == 357
