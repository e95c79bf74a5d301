"""The coverage maps: which kommuner they colour, how classes combine across kommune structures, and stable bytes.

The demo run (round 2015, Klass 2015, 428 kommuner) is drawn in its own
structure, on Kartverket's 2017 kommuner (the nearest geometry): every kommune
on its own except Sandefjord, Andebu and Stokke (merged in 2017: one polygon)
and Kvitsøy and Træna (missing from the 2017 file). The map_status table (the
round in the 2024 structure, for maps comparing rounds) is checked too. The
expected colouring is computed here independently of kartlegging.report.maps,
straight from kommune_status, services and service_kommuner (through
:func:`kartlegging.analysis.crosswalk.build_crosswalk` where structures differ), and
compared with the map_status table, the data attributes of the HTML and the
SVG itself.
"""
from __future__ import annotations

import base64
import functools
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kartlegging.analysis.crosswalk import build_crosswalk, crosswalk_table
from kartlegging.core.tables import MAP_CLASSES
from kartlegging.report import maps
from kartlegging.steps.map_status import step_map_status

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "data" / "reference"


@functools.cache
def crosswalk() -> pd.DataFrame:
    """The crosswalk table of the shipped reference files (what the crosswalk rule writes)."""
    return crosswalk_table(REFERENCE)
ROUND = "2015"
SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"


@pytest.fixture(scope="module")
def processed(demo_run) -> Path:
    return demo_run / "processed" / ROUND


@pytest.fixture(scope="module")
def html(demo_run) -> str:
    return (demo_run / "report" / ROUND / "kartlegging.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def geometry() -> maps.MapGeometry:
    return maps.read_geometry(REFERENCE / maps.KOMMUNER_GEOJSON, REFERENCE / maps.FYLKER_GEOJSON)


def _expected_classes(processed: Path, target: str | None) -> dict[str, set[str]]:
    """The kommuner of each class: in the round's own codes (``target`` None) or translated to ``target``."""
    status = pd.read_parquet(processed / "kommune_status.parquet")
    services = pd.read_parquet(processed / "services.parquet")
    bridge = pd.read_parquet(processed / "service_kommuner.parquet")
    inter_ids = set(services.loc[(services["inkludert"] == "ja") & (services["type"] == "interkommunal"), "service_id"])
    in_inter = set(bridge.loc[bridge["service_id"].isin(inter_ids), "kommunenummer"])
    answer = dict(zip(status["kommunenummer"], status["har_tjeneste"]))
    parts: dict[str, list[str]] = defaultdict(list)
    if target is None:
        for code in answer:
            parts[code].append(code)
    else:
        for row in build_crosswalk(REFERENCE, "2015", target).itertuples(index=False):
            parts[row.to_code].append(row.from_code)
    out: dict[str, set[str]] = {c: set() for c in MAP_CLASSES}
    for code, froms in parts.items():
        with_service = [f for f in froms if answer.get(f) == "ja"]
        if any(f in in_inter for f in with_service):
            out["interkommunal"].add(code)
        elif with_service:
            out["kommunal"].add(code)
        elif any(answer.get(f) == "nei" for f in froms):
            out["ingen"].add(code)
        else:
            out["ukjent"].add(code)
    return out


@pytest.fixture(scope="module")
def expected(processed) -> dict[str, set[str]]:
    """The 2024 kommuner of each class (map_status, maps comparing rounds)."""
    return _expected_classes(processed, "2024")


@pytest.fixture(scope="module")
def expected_own(processed) -> dict[str, set[str]]:
    """The round's own kommuner of each class, straight from kommune_status."""
    return _expected_classes(processed, None)


@pytest.fixture(scope="module")
def expected_2017(processed) -> dict[str, set[str]]:
    """The polygons of the 2017 file in each class: the round's own class where the codes agree."""
    own = _expected_classes(processed, None)
    translated = _expected_classes(processed, "2017")
    own_class = {code: cls for cls, codes in own.items() for code in codes}
    out: dict[str, set[str]] = {c: set() for c in MAP_CLASSES}
    for cls, codes in translated.items():
        for code in codes:
            out[own_class.get(code, cls)].add(code)
    return out


def _main_map_svg(html: str) -> str:
    uri = re.search(r'<figure class="map" id="figur-\d+" data-chart="kart">\s*(?:<div class="chart-img">)?'
                    r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html).group(1)
    return base64.b64decode(uri).decode("utf-8")


def _svg_classes(svg: str) -> dict[str, set[str]]:
    """Kommune codes under each class group of the SVG (each path is linked to #k<kommunenummer>)."""
    root = ET.fromstring(svg.encode("utf-8"))
    out = {}
    for cls in MAP_CLASSES:
        group = root.find(f".//{SVG_NS}g[@id='map-{cls}']")
        links = [] if group is None else group.iter(f"{SVG_NS}a")
        out[cls] = {a.get(XLINK).removeprefix("#k") for a in links}
    return out


# --------------------------------------------------------------------------- the demo report's map


def test_map_status_has_every_2024_kommune_once(processed, geometry):
    ms = pd.read_parquet(processed / "map_status.parquet")
    assert ms["kommunenummer"].is_unique and len(ms) == 357
    assert sorted(ms["kommunenummer"]) == geometry.kommuner.codes
    assert set(ms["map_version"]) == {"2024"} and set(ms["round"]) == {ROUND}


def test_map_status_colours_the_2024_kommuner_through_the_crosswalk(processed, expected):
    ms = pd.read_parquet(processed / "map_status.parquet")
    from_table = {c: set(ms.loc[ms["status"] == c, "kommunenummer"]) for c in MAP_CLASSES}
    for cls in MAP_CLASSES:
        assert from_table[cls] == expected[cls], cls
    coloured = expected["kommunal"] | expected["interkommunal"]
    # 66: the 79 kommuner of 2015 with a service hold land in 66 kommuner of 2024 (1580 Haram, 2015 Haram's
    # land, is not one: 2015 Ålesund's service never covered it)
    assert len(coloured) == 66 and not (coloured & (expected["ingen"] | expected["ukjent"]))
    assert "1580" in expected["ingen"]


def test_round_map_colours_kommune_status_in_the_rounds_own_codes(html, expected_own, expected_2017):
    from_html = {c: set(k.split()) for c, k in re.findall(r'data-map-class="(\w+)" data-kommuner="([\d ]*)"', html)}
    from_svg = _svg_classes(_main_map_svg(html))
    for cls in MAP_CLASSES:
        assert from_html[cls] == expected_own[cls], cls
    assert {c: len(v) for c, v in from_html.items()} == {"kommunal": 28, "interkommunal": 51, "ingen": 349, "ukjent": 0}
    drawn = set().union(*from_svg.values())
    # every 2015 kommune is a polygon of its own, but the three that became 0710 Sandefjord and the two
    # missing from the 2017 file
    own_codes = set().union(*expected_own.values())
    assert own_codes - drawn == {"0706", "0719", "0720", "1144", "1835"}
    assert drawn - own_codes == {"0710"}
    for cls in MAP_CLASSES:
        inside = {c for c in from_svg[cls] if c in own_codes}
        assert inside == expected_own[cls] - {"0706", "0719", "0720", "1144", "1835"}, cls
        assert from_svg[cls] <= expected_2017[cls] | inside, cls
    assert "0710" in from_svg[next(c for c in MAP_CLASSES if "0710" in expected_2017[c])]


def test_map_agrees_with_the_harmonised_table(demo_run, processed):
    harmonised = pd.read_parquet(demo_run / "processed" / "harmonised" / "harmonised_status.parquet")
    h = harmonised[harmonised["round"] == ROUND].set_index("kommunenummer")
    ms = pd.read_parquet(processed / "map_status.parquet").set_index("kommunenummer")
    assert (ms["status"].isin(["kommunal", "interkommunal"]) == (h.loc[ms.index, "har_tjeneste"] == "ja")).all()
    assert (ms["regel"] == h.loc[ms.index, "regel"]).all()
    assert ms["fra_kommuner"].map(list).equals(h.loc[ms.index, "fra_kommuner"].map(list))


def test_legend_and_caption_counts(html, expected_own):
    caption = re.search(r'data-chart="kart".*?</figcaption>', html, re.S).group(0)
    assert "versjon 2015, 428 kommuner" in caption and "fra 2017" in caption
    assert "Sandefjord, Andebu og Stokke er tegnet som ett område" in caption
    assert "Kvitsøy og Træna mangler i kartgrunnlaget" in caption and "Oslo-området" in caption
    svg = _main_map_svg(html)
    for cls, n in (("kommunal", 28), ("interkommunal", 51), ("ingen", 349)):
        label = maps.CLASS_STYLES[cls].label
        assert len(expected_own[cls]) == n
        assert re.search(rf'data-map-class="{cls}"[^>]*>{label}: {n} kommuner?<', html), cls
        assert f"{label} ({n})" in svg, cls


def test_map_svg_bytes_are_deterministic(processed, html, geometry):
    ms = pd.read_parquet(processed / "map_status.parquet")
    classes = dict(zip(ms["kommunenummer"], ms["status"]))
    first = maps.coverage_map_svg(geometry, classes, counts=maps.class_counts(classes))
    from kartlegging.report import map_geometry

    map_geometry._read_geometry.cache_clear()
    fresh = maps.read_geometry(REFERENCE / maps.KOMMUNER_GEOJSON, REFERENCE / maps.FYLKER_GEOJSON)
    second = maps.coverage_map_svg(fresh, classes, counts=maps.class_counts(classes))
    assert first == second
    status = pd.read_parquet(processed / "kommune_status.parquet")
    services = pd.read_parquet(processed / "services.parquet")
    prepared = processed.parent / "reference" / "map_geometry" / "2017.geometry.json"
    own = [maps.own_map_figure(status, services, ROUND, "2015", prepared, "2017", crosswalk())["svg"]]
    map_geometry._read_own.cache_clear()
    own.append(maps.own_map_figure(status, services, ROUND, "2015", prepared, "2017", crosswalk())["svg"])
    assert own[0] == own[1] == _main_map_svg(html)  # the report embeds exactly these bytes
    # the prepared geometry is the GeoJSON's, to the metre: drawn from either, the map looks the same
    direct = maps.own_map_figure(status, services, ROUND, "2015", REFERENCE / "kartverket-historic" /
                                 "kommuner-2017.geojson", "2017", crosswalk())["svg"]
    assert len(direct) == len(own[0]) or abs(len(direct) - len(own[0])) < 0.01 * len(own[0])
    assert "<dc:date>" not in first and "Date" not in first.split("</metadata>")[0]
    small = [maps.small_multiples_svg(fresh, [("Runde 2015", classes), ("Runde 2024", classes)]) for _ in range(2)]
    assert small[0] == small[1]


# --------------------------------------------------------------------------- classes and combining


def test_classes_stay_apart_in_greyscale():
    def luminance(colour: str) -> float:
        r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    styles = list(maps.CLASS_STYLES.values())
    for i, a in enumerate(styles):
        for b in styles[i + 1:]:
            apart = abs(luminance(a.face) - luminance(b.face)) >= 0.15
            assert apart or a.hatch != b.hatch, (a.label, b.label)
    assert [s.label for s in styles] == ["Kommunal tjeneste", "Interkommunal tjeneste", "Ingen tjeneste", "Ukjent"]


def test_combine_prefers_a_service_and_interkommunal():
    assert maps.combine_classes(["ingen", "kommunal", "interkommunal"]) == "interkommunal"
    assert maps.combine_classes(["ukjent", "kommunal"]) == "kommunal"
    assert maps.combine_classes(["ukjent", "ingen"]) == "ingen"
    assert maps.combine_classes(["ukjent"]) == "ukjent"


def _status(rows: list[tuple[str, str, list[str], str | None]]) -> pd.DataFrame:
    return pd.DataFrame([{"round": "2015", "kommunenummer": k, "har_tjeneste": h, "service_ids": s,
                          "tjenestetype": t} for k, h, s, t in rows])


def _services(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["service_id", "type", "inkludert"])


def test_kommune_in_a_kommunal_and_an_interkommunal_service_is_interkommunal():
    status = _status([("1101", "ja", ["a", "b"], "kommunal"), ("1102", "ja", ["a"], "kommunal"),
                      ("1103", "nei", [], None), ("1104", "ukjent", [], None)])
    services = _services([("a", "kommunal", "ja"), ("b", "interkommunal", "ja")])
    assert maps.kommune_classes(status, services) == {
        "1101": "interkommunal", "1102": "kommunal", "1103": "ingen", "1104": "ukjent"}


def test_merger_takes_the_strongest_part_and_split_passes_on_the_whole_answer():
    # 2015 -> 2024: Stavanger 1103 took in Finnøy 1141 and Rennesøy 1142; Stokke 0720 was split between
    # Tønsberg 3905 and Sandefjord 3907.
    status = _status([("1103", "nei", [], None), ("1141", "ja", ["x"], "interkommunal"), ("1142", "ukjent", [], None),
                      ("0720", "ja", ["y"], "kommunal"), ("0704", "nei", [], None), ("0706", "nei", [], None)])
    services = _services([("x", "interkommunal", "ja"), ("y", "kommunal", "ja")])
    frame = maps.map_status_frame(status, services, "2015", "2015", "2024", crosswalk()).set_index("kommunenummer")
    assert frame.at["1103", "status"] == "interkommunal" and frame.at["1103", "regel"] == "sammenslått"
    assert list(frame.at["1103", "fra_kommuner"]) == ["1103", "1141", "1142"]
    for code in ("3905", "3907"):
        assert frame.at[code, "status"] == "kommunal" and frame.at[code, "regel"] == "delt_del_av"
    assert frame.at["0301", "status"] == "ukjent"  # not in this status at all
    assert len(frame) == 357


def test_empty_round_is_all_ukjent():
    empty = pd.DataFrame(columns=["round", "kommunenummer", "har_tjeneste", "service_ids", "tjenestetype"])
    frame = maps.map_status_frame(empty, _services([]), "2015", "2015", "2024", crosswalk())
    assert len(frame) == 357 and set(frame["status"]) == {"ukjent"}


def test_step_writes_a_valid_table(tmp_path, processed):
    out = tmp_path / "map_status.parquet"
    step_map_status(str(processed / "kommune_status.parquet"), str(processed / "services.parquet"), ROUND,
                         "2015", "2024", str(processed.parent / "reference" / "crosswalk.parquet"), str(out))
    assert out.read_bytes() == (processed / "map_status.parquet").read_bytes()


# --------------------------------------------------------------------------- geometry and drawing


def test_missing_or_extra_kommune_is_named(geometry):
    classes = {code: "ingen" for code in geometry.kommuner.codes}
    del classes["0301"]
    with pytest.raises(ValueError, match="0301"):
        maps.coverage_map_svg(geometry, classes)
    classes["0301"], classes["9999"] = "ingen", "kommunal"
    with pytest.raises(ValueError, match="9999"):
        maps.coverage_map_svg(geometry, classes)


def test_geojson_errors_name_the_file(tmp_path):
    bad = tmp_path / "kommuner-2024-S.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
                   '{"kommunenummer": "0301"}, "geometry": {"type": "Point", "coordinates": [10, 60]}}]}')
    with pytest.raises(ValueError, match="kommuner-2024-S.geojson.*Point"):
        maps.read_features(bad, "kommunenummer", "kommunenavn")
    bad.write_text("{not json")
    with pytest.raises(ValueError, match="not valid GeoJSON"):
        maps.read_features(bad, "kommunenummer", "kommunenavn")


@pytest.mark.parametrize("path", [maps.KOMMUNER_GEOJSON, "kartverket-historic/kommuner-2017.geojson"])
def test_simplification_keeps_shared_borders_shared(path):
    """The kommuner are simplified as one coverage (shapely's coverage_simplify): neighbours keep one common
    border, no kommune vanishes, far fewer vertices, and the same input gives the same vertices. Kartverket's
    2024 file is no exact coverage as published; it is cleaned into one first."""
    import shapely

    from kartlegging.report.map_geometry import coverage_of, read_kommune_features, simplify_coverage

    features = read_kommune_features(REFERENCE / path)
    coverage = coverage_of(features)
    assert shapely.coverage_is_valid(coverage)
    simple = simplify_coverage(coverage, maps.SMALL_DETAIL_KM2, maps.SMALL_SPECK_KM2)
    assert shapely.coverage_is_valid(simple) and shapely.is_valid(simple).all()
    assert not shapely.is_empty(simple).any() and len(simple) == len(features)
    assert shapely.get_num_coordinates(simple).sum() < 0.4 * shapely.get_num_coordinates(coverage).sum()
    again = simplify_coverage(coverage_of(features), maps.SMALL_DETAIL_KM2, maps.SMALL_SPECK_KM2)
    assert all(shapely.equals_exact(a, b, tolerance=0) for a, b in zip(simple, again))


def test_county_borders_lie_on_the_kommune_borders(geometry):
    """Fylker are unions of the simplified kommuner: every vertex of a county outline is a kommune vertex."""
    kommune_vertices = {tuple(v) for s in geometry.kommuner.shapes for v in s.path.vertices.tolist()}
    fylke_vertices = {tuple(v) for s in geometry.fylker.shapes for v in s.path.vertices.tolist()}
    assert fylke_vertices <= kommune_vertices
    assert sorted({c[:2] for c in geometry.kommuner.codes}) == geometry.fylker.codes


def test_projection_is_equal_area():
    """Two 1°x1° cells, in the south and the far north, keep the ratio of their true areas."""
    def cell_area(lat: float) -> float:
        lon = np.array([10.0, 11.0, 11.0, 10.0])
        la = np.array([lat, lat, lat + 1, lat + 1])
        x, y = maps.project(lon, la)
        return 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))

    true_ratio = (np.sin(np.radians(71)) - np.sin(np.radians(70))) / (np.sin(np.radians(59)) - np.sin(np.radians(58)))
    assert cell_area(70) / cell_area(58) == pytest.approx(true_ratio, rel=2e-3)


# --------------------------------------------------------------------------- the round's own structure


def test_historic_files_read_with_padded_codes_and_merged_parts():
    from kartlegging.report.map_geometry import read_kommune_features

    for year, n in (("2017", 424), ("2018", 422), ("2019", 422), ("2021", 356)):
        feats = read_kommune_features(REFERENCE / "kartverket-historic" / f"kommuner-{year}.geojson")
        codes = [c for c, _, _ in feats]
        assert len(codes) == n == len(set(codes)), year
        assert all(len(c) == 4 and c.isdigit() for c in codes) and "0301" in codes, year


def test_fylker_are_unions_of_their_kommuner():
    from kartlegging.core import classification as klass
    from kartlegging.report.map_geometry import read_own_geometry

    geometry = read_own_geometry(REFERENCE / "kartverket-historic" / "kommuner-2017.geojson", klass.FYLKER)
    assert sorted({c[:2] for c in geometry.kommuner.codes}) == geometry.fylker.codes
    assert "Oslo" in geometry.fylker.names().values()


def test_a_round_in_the_geometrys_own_version_is_drawn_one_to_one():
    from kartlegging.core import classification as klass

    kommuner = sorted(klass.load(REFERENCE, "2024").kommuner)
    status = _status([(k, "ja" if k == "0301" else "nei", ["a"] if k == "0301" else [], None) for k in kommuner])
    own = maps.own_structure(status, _services([("a", "kommunal", "ja")]), "2024", "2024", "2024", kommuner,
                             crosswalk())
    assert own.grouped == [] and own.missing == [] and own.polygons == {k: [k] for k in kommuner}
    assert own.classes["0301"] == "kommunal" and set(own.classes.values()) == {"kommunal", "ingen"}
