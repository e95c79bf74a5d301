"""KOSTRA extracts: both statbank formats, SSB symbols, regions, figures, the cross-check, the demo data."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from kartlegging.analysis.crosscheck import cross_check, cross_check_counts
from kartlegging.analysis.crosswalk import build_crosswalk, crosswalk_table
from kartlegging.analysis.figures import ratio_status, reconcile, status_for
from kartlegging.analysis.kostra_figures import KOSTRA_FIGURES, kostra_figures
from kartlegging.analysis.kostra_values import kommune_values
from kartlegging.core import classification as klass
from kartlegging.core import store
from kartlegging.core.register import read_register
from kartlegging.core.tables import KOSTRA, KOSTRA_CROSSCHECK
from kartlegging.ingest.kostra.parse import KostraConfig, parse_cell, split_region
from kartlegging.ingest.kostra.reader import read_kostra
from kartlegging.steps.kostra import step_kostra
from kartlegging_synth.design import build_design
from kartlegging_synth.kostra import CSV_NAME, JSON_NAME, survey_centres, write_kostra

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT / "data" / "reference"
REGISTER = read_register(ROOT / "config" / "register" / "2015.yaml")
KOSTRA_IDS = [f for f in REGISTER.ids if f.startswith("kostra_")]

LABELS = {
    "Frisklivssentral": "Kommunen har frisklivssentral (1 = ja, 0 = nei)",
    "AvtalteArsverk": "Avtalte årsverk i frisklivssentralen",
}

# One small table: (region as the statbank writes it, variable, year, cell as text).
SMALL = [
    ("EAK Landet", "Frisklivssentral", 2015, "2"),
    ("EAK Landet", "Frisklivssentral", 2016, "3"),
    ("EAK Landet", "AvtalteArsverk", 2015, "3,5"),
    ("EAK Landet", "AvtalteArsverk", 2016, ":"),
    ("0301 Oslo", "Frisklivssentral", 2015, "1"),
    ("0301 Oslo", "Frisklivssentral", 2016, "1"),
    ("0301 Oslo", "AvtalteArsverk", 2015, "2,5"),
    ("0301 Oslo", "AvtalteArsverk", 2016, "..."),
    ("030101 Gamle Oslo", "Frisklivssentral", 2015, "1"),
    ("030101 Gamle Oslo", "Frisklivssentral", 2016, "-"),
    ("030101 Gamle Oslo", "AvtalteArsverk", 2015, "2,5"),
    ("030101 Gamle Oslo", "AvtalteArsverk", 2016, "."),
    ("0101 Halden", "Frisklivssentral", 2015, "1"),
    ("0101 Halden", "Frisklivssentral", 2016, ".."),
    ("0101 Halden", "AvtalteArsverk", 2015, "1,0"),
    ("0101 Halden", "AvtalteArsverk", 2016, ":"),
    ("1804 Bodø", "Frisklivssentral", 2015, "0"),
    ("1804 Bodø", "Frisklivssentral", 2016, "1"),
    ("1804 Bodø", "AvtalteArsverk", 2015, "."),
    ("1804 Bodø", "AvtalteArsverk", 2016, "16 000"),
]


def _cells(data):
    regions = list(dict.fromkeys(r for r, *_ in data))
    variables = list(dict.fromkeys(v for _, v, _, _ in data))
    years = sorted({y for _, _, y, _ in data})
    return regions, variables, years, {(r, v, y): c for r, v, y, c in data}


def csv_wide(data, encoding="cp1252", delimiter=";", newline="\r\n", title=True, point=False) -> bytes:
    regions, variables, years, cell = _cells(data)
    cols = [(v, y) for v in variables for y in years]
    lines = (['"Frisklivssentraler (K), testtabell"', ""] if title else [])
    lines.append(delimiter.join(['"region"'] + [f'"{LABELS[v].split(" (")[0]} {y}"' for v, y in cols]))
    for r in regions:
        vals = [cell.get((r, v, y), "") for v, y in cols]
        if point:
            vals = [x.replace(",", ".") for x in vals]
        lines.append(delimiter.join([f'"{r}"'] + [f'"{x}"' for x in vals]))
    return (newline.join(lines) + newline).encode(encoding)


def csv_long(data, encoding="utf-8-sig", delimiter="\t") -> bytes:
    lines = [delimiter.join(["år", "region", "statistikkvariabel", "12345: Frisklivssentraler"])]
    for r, v, y, c in data:
        # numbers bare, text quoted, decimal point as PxWebApi 2 writes them
        value = c.replace(",", ".").replace(" ", "")
        value = value if value.replace(".", "").isdigit() else f'"{c}"'
        lines.append(delimiter.join([str(y), f'"{r}"', f'"{LABELS[v]}"', value]))
    return ("\n".join(lines) + "\n").encode(encoding)


def jsonstat(data, status_as="object", geo_role=True, prefix="", region_id="KOKkommuneregion0000") -> bytes:
    regions, variables, years, cell = _cells(data)
    codes = [prefix + r.split(" ", 1)[0] for r in regions]
    values, status = [], {}
    for r in regions:
        for v in variables:
            for y in years:
                val, sym, empty = parse_cell(cell.get((r, v, y)))
                if sym is not None and sym != "-":
                    status[str(len(values))] = sym
                    values.append(None)
                elif sym == "-":
                    status[str(len(values))] = "-"
                    values.append(0)
                else:
                    values.append(val)
    ds = {
        "version": "2.0", "class": "dataset", "label": "test",
        "id": [region_id, "ContentsCode", "Tid"], "size": [len(codes), len(variables), len(years)],
        "dimension": {
            region_id: {"label": "region", "category": {"index": {c: i for i, c in enumerate(codes)},
                                                        "label": {c: r for c, r in zip(codes, regions)}}},
            "ContentsCode": {"label": "statistikkvariabel", "category": {
                "index": {v: i for i, v in enumerate(variables)}, "label": {v: LABELS[v] for v in variables}}},
            "Tid": {"label": "år", "category": {"index": [str(y) for y in years]}},
        },
        "value": values,
    }
    if geo_role:
        ds["role"] = {"geo": [region_id], "time": ["Tid"], "metric": ["ContentsCode"]}
    if status and status_as == "object":
        ds["status"] = status
    elif status and status_as == "list":
        ds["status"] = [status.get(str(i)) for i in range(len(values))]
    return json.dumps(ds, ensure_ascii=False).encode("utf-8")


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def _read(*paths, cfg=None):
    return read_kostra(paths, REF, cfg)


def _comparable(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop(columns="source_file").sort_values(["variable", "year", "region_code"]).reset_index(drop=True)


# -- formats ---------------------------------------------------------------------

def test_csv_and_jsonstat_give_identical_tables(tmp_path):
    wide, wide_issues = _read(_write(tmp_path, "wide.csv", csv_wide(SMALL)))
    long_, long_issues = _read(_write(tmp_path, "long.csv", csv_long(SMALL)))
    js, js_issues = _read(_write(tmp_path, "t.json", jsonstat(SMALL)))
    assert not wide_issues and not long_issues and not js_issues
    assert len(wide) == len(SMALL)
    pd.testing.assert_frame_equal(_comparable(wide), _comparable(js))
    pd.testing.assert_frame_equal(_comparable(long_), _comparable(js))


def test_variable_column_with_year_columns_and_a_footnote(tmp_path):
    """PxWeb's third layout: a variable column and one column per bare year; a note line after the data."""
    _, variables, years, cell = _cells(SMALL)
    regions = list(dict.fromkeys(r for r, *_ in SMALL))
    lines = ['"region";"statistikkvariabel";' + ";".join(f'"{y}"' for y in years)]
    for r in regions:
        for v in variables:
            lines.append(f'"{r}";"{LABELS[v]}";' + ";".join(f'"{cell[(r, v, y)]}"' for y in years))
    lines.append('"Kilde: testdata"')
    df, issues = _read(_write(tmp_path, "t.csv", ("\r\n".join(lines) + "\r\n").encode("utf-8")))
    ref, _ = _read(_write(tmp_path, "t.json", jsonstat(SMALL)))
    pd.testing.assert_frame_equal(_comparable(df), _comparable(ref))
    assert len(issues) == 1 and issues[0].code == "kostra.merknadslinje" and issues[0].action == "review"


def test_jsonstat_status_list_and_region_found_by_label(tmp_path):
    ref, _ = _read(_write(tmp_path, "a.json", jsonstat(SMALL)))
    other, issues = _read(_write(tmp_path, "b.json", jsonstat(SMALL, status_as="list", geo_role=False,
                                                                region_id="Region")))
    assert not issues
    pd.testing.assert_frame_equal(_comparable(ref), _comparable(other))


def test_symbols_are_kept_as_status_never_as_zero(tmp_path):
    df, _ = _read(_write(tmp_path, "t.csv", csv_wide(SMALL)))
    get = df.set_index(["region_code", "variable", "year"])
    assert pd.isna(get.loc[("0101", "Frisklivssentral", 2016), "value"])
    assert get.loc[("0101", "Frisklivssentral", 2016), "status"] == ".."
    assert get.loc[("0101", "AvtalteArsverk", 2016), "status"] == ":"
    assert get.loc[("0301", "AvtalteArsverk", 2016), "status"] == "..."
    assert get.loc[("030101", "AvtalteArsverk", 2016), "status"] == "."
    nil = get.loc[("030101", "Frisklivssentral", 2016)]
    assert nil["value"] == 0.0 and nil["status"] == "-"
    numbers = df[df["status"].isna()]
    assert numbers["value"].notna().all()
    assert df.loc[df["status"].isin([".", "..", "...", ":"]), "value"].isna().all()


def test_decimal_comma_point_and_thousands_space(tmp_path):
    comma, _ = _read(_write(tmp_path, "comma.csv", csv_wide(SMALL)))
    point, _ = _read(_write(tmp_path, "point.csv", csv_wide(SMALL, encoding="utf-8", newline="\n", point=True)))
    pd.testing.assert_frame_equal(_comparable(comma), _comparable(point))
    get = comma.set_index(["region_code", "variable", "year"])["value"]
    assert get[("0301", "AvtalteArsverk", 2015)] == 2.5
    assert get[("1804", "AvtalteArsverk", 2016)] == 16000.0
    assert parse_cell("1,25") == (1.25, None, False) and parse_cell(" 7 ") == (7.0, None, False)


def test_windows_1252_and_iso_8859_1(tmp_path):
    data = csv_wide(SMALL, encoding="cp1252")
    assert "å".encode("cp1252") in data  # the header's "årsverk" is one byte, not UTF-8
    cp, issues = _read(_write(tmp_path, "cp.csv", data))
    latin, _ = _read(_write(tmp_path, "latin.csv", csv_wide(SMALL, encoding="iso-8859-1")))
    utf8, _ = _read(_write(tmp_path, "utf8.csv", csv_wide(SMALL, encoding="utf-8")))
    assert not issues and set(cp["variable"]) == {"Frisklivssentral", "AvtalteArsverk"}
    pd.testing.assert_frame_equal(_comparable(cp), _comparable(utf8))
    pd.testing.assert_frame_equal(_comparable(latin), _comparable(utf8))


def test_region_split_on_first_space_and_k_prefix():
    assert split_region("030101 Gamle Oslo") == "030101"
    assert split_region("K-3001 Halden") == "3001"
    assert split_region("K-Rest") == "Rest"
    assert split_region("EAK Landet") == "EAK"


def test_k_prefixed_codes_in_jsonstat(tmp_path):
    data = [("3001 Halden", "Frisklivssentral", 2020, "1"), ("Rest", "Frisklivssentral", 2020, "4"),
            ("0301 Oslo", "Frisklivssentral", 2020, "1")]
    df, issues = _read(_write(tmp_path, "k.json", jsonstat(data, prefix="K-")))
    assert not issues
    levels = dict(zip(df["region_code"], df["region_level"]))
    assert levels == {"3001": "kommune", "Rest": "aggregat", "0301": "kommune"}


def test_aggregates_are_kept_but_never_counted(tmp_path):
    df, _ = _read(_write(tmp_path, "t.csv", csv_wide(SMALL)))
    assert set(df.loc[df["region_code"] == "EAK", "region_level"]) == {"aggregat"}
    fls = kommune_values(df, 2015, "Frisklivssentral")
    assert set(fls["region_code"]) == {"0301", "0101", "1804"}  # EAK and the bydel are not kommuner
    without = df[df["region_level"] != "aggregat"]
    figs = kostra_figures(df, "t", None).set_index("figure_id")["value"]
    figs_without = kostra_figures(without, "t", None).set_index("figure_id")["value"]
    pd.testing.assert_series_equal(figs, figs_without)


def test_unknown_region_code_is_kept_as_ukjent_with_a_review_item(tmp_path):
    data = SMALL + [("9876 Påfunnet", "Frisklivssentral", 2015, "1"),
                    ("5001 Trondheim", "Frisklivssentral", 2016, "1")]
    df, issues = _read(_write(tmp_path, "t.csv", csv_wide(data)))
    unknown = df[df["region_level"] == "ukjent"]
    assert set(unknown["region_code"]) == {"9876", "5001"}
    records = {i.record: i for i in issues}
    assert set(records) == {"9876", "5001"}
    assert all(i.source == "kostra" and i.action == "review" and i.field == "region" for i in issues)
    assert "another year's structure" in records["5001"].reason
    assert "9876" not in set(kommune_values(df, 2015, "Frisklivssentral")["region_code"])


def test_codes_outside_their_years_with_empty_cells_are_skipped_silently(tmp_path):
    # 1601 Trondheim exists until 2017, 5001 from 2018: KOSTRA lists both with empty cells outside their years.
    data = [("1601 Trondheim", "Frisklivssentral", 2017, "1"), ("1601 Trondheim", "Frisklivssentral", 2018, ""),
            ("5001 Trondheim", "Frisklivssentral", 2017, ""), ("5001 Trondheim", "Frisklivssentral", 2018, "1")]
    df, issues = _read(_write(tmp_path, "t.json", jsonstat(data)))
    assert not issues
    assert sorted(zip(df["region_code"], df["year"])) == [("1601", 2017), ("5001", 2018)]
    assert set(df["region_level"]) == {"kommune"}


def test_empty_cells_of_kommuner_of_the_year_are_reported(tmp_path):
    data = [("0101 Halden", "Frisklivssentral", 2015, ""), ("1804 Bodø", "Frisklivssentral", 2015, "1")]
    df, issues = _read(_write(tmp_path, "t.csv", csv_wide(data)))
    assert list(df["region_code"]) == ["1804"]
    assert len(issues) == 1 and "1 empty cells" in issues[0].reason


def test_a_symbol_in_every_cell(tmp_path):
    data = [(r, v, y, ":") for r, v, y, _ in SMALL]
    csv_df, _ = _read(_write(tmp_path, "t.csv", csv_wide(data)))
    ds = json.loads(jsonstat(data))
    ds["status"] = ":"  # JSON-stat allows one symbol for every value
    js_df, issues = _read(_write(tmp_path, "t.json", json.dumps(ds).encode()))
    assert not issues
    for df in (csv_df, js_df):
        assert len(df) == len(SMALL) and df["value"].isna().all() and set(df["status"]) == {":"}
    pd.testing.assert_frame_equal(_comparable(csv_df), _comparable(js_df))
    figs = kostra_figures(csv_df, "t", REGISTER)
    assert figs["value"].isna().all()
    rec = reconcile("t", REGISTER, figs).set_index("figure_id")
    assert (rec.loc[KOSTRA_IDS, "status"] == "ikke beregnet").all()


def test_invalid_text_in_a_cell_is_kept_as_ugyldig(tmp_path):
    data = [("0101 Halden", "Frisklivssentral", 2015, "ja")]
    df, issues = _read(_write(tmp_path, "t.csv", csv_wide(data)))
    assert df.loc[0, "status"] == "ugyldig" and pd.isna(df.loc[0, "value"])
    assert issues[0].code == "kostra.ugyldig_verdi" and issues[0].action == "review"


@pytest.mark.parametrize("name,content", [
    ("garbage.csv", b"\x89PNG\r\n\x1a\n\x00\x00binary"),
    ("notes.txt", b"Dette er ingen tabell\nbare tekst\n"),
    ("broken.json", b'{"class": "dataset", "id": ["a"'),
    ("short.json", json.dumps({"class": "dataset", "id": ["R", "C", "T"], "size": [1, 1, 2], "dimension": {
        "R": {"label": "region", "category": {"index": ["0101"]}},
        "C": {"label": "statistikkvariabel", "category": {"index": ["Frisklivssentral"]}},
        "T": {"label": "år", "category": {"index": ["2015", "2016"]}}}, "value": [1]}).encode()),
    ("bundle.json", json.dumps({"dataset": {"dimension": {}, "value": []}}).encode()),
    ("empty.csv", b""),
    ("long-extra.csv", "region;statistikkvariabel;år;kjønn;verdi\n0101 Halden;Frisklivssentral;2015;M;1\n".encode()),
])
def test_unparsable_file_is_quarantined_not_raised(tmp_path, name, content):
    good = _write(tmp_path, "good.csv", csv_wide(SMALL))
    bad = _write(tmp_path, name, content)
    df, issues = _read(good, bad)
    assert len(df) == len(SMALL) and set(df["source_file"]) == {"good.csv"}
    quarantined = [i for i in issues if i.action == "quarantine"]
    assert len(quarantined) == 1 and quarantined[0].file == name and quarantined[0].source == "kostra"


def test_unmapped_variable_is_a_review_item_and_config_maps_other_codes(tmp_path):
    data = b'"region";"KOSfrisklivs0000 2015";"Noe annet 2015"\n"0101 Halden";"1";"5"\n'
    df, issues = _read(_write(tmp_path, "t.csv", data))
    assert df.empty
    assert {i.record for i in issues} == {"KOSfrisklivs0000", "Noe annet"}
    cfg = KostraConfig.from_config({"variables": {"Frisklivssentral": ["KOSfrisklivs0000"]}})
    df, issues = _read(_write(tmp_path, "t.csv", data), cfg=cfg)
    assert list(df["variable"]) == ["Frisklivssentral"] and [i.record for i in issues] == ["Noe annet"]


def test_config_rejects_a_name_mapped_twice_and_bad_patterns():
    with pytest.raises(ValueError, match="listed for both"):
        KostraConfig.from_config({"variables": {"A": ["x"], "B": ["X"]}})
    with pytest.raises(ValueError, match="aggregate_patterns"):
        KostraConfig.from_config({"aggregate_patterns": ["("]})


def test_conflicting_values_in_two_files_are_reported(tmp_path):
    a = _write(tmp_path, "a.csv", csv_wide([("0101 Halden", "Frisklivssentral", 2015, "1")]))
    b = _write(tmp_path, "b.json", jsonstat([("0101 Halden", "Frisklivssentral", 2015, "0")]))
    df, issues = _read(a, b)
    assert len(df) == 2 and len(issues) == 1 and "given differently" in issues[0].reason
    assert kommune_values(df, 2015, "Frisklivssentral")["value"].tolist() == [1.0]  # first file by name


def test_oslo_is_derived_from_its_bydeler_when_its_row_has_no_number(tmp_path):
    data = [("0301 Oslo", "Frisklivssentral", 2016, ".."), ("030101 Gamle Oslo", "Frisklivssentral", 2016, "0"),
            ("030102 Grünerløkka", "Frisklivssentral", 2016, "1"),
            ("030101 Gamle Oslo", "AvtalteArsverk", 2016, "1,5"), ("030102 Grünerløkka", "AvtalteArsverk", 2016, "2")]
    df, _ = _read(_write(tmp_path, "t.csv", csv_wide(data)))
    fls = kommune_values(df, 2016, "Frisklivssentral").set_index("region_code")
    assert fls.loc["0301", "value"] == 1.0 and fls.loc["0301", "via"] == "bydeler"
    ars = kommune_values(df, 2016, "AvtalteArsverk").set_index("region_code")
    assert ars.loc["0301", "value"] == 3.5


def test_step_writes_empty_table_without_files(tmp_path):
    step_kostra([], str(REF), None, str(tmp_path / "k.parquet"), str(tmp_path / "i.parquet"))
    t = pq.read_table(tmp_path / "k.parquet")
    assert t.num_rows == 0 and t.schema.names == KOSTRA.column_names
    assert pq.read_table(tmp_path / "i.parquet").num_rows == 0


def test_step_validates_and_writes(tmp_path):
    files = [str(_write(tmp_path, "t.csv", csv_wide(SMALL + [("9876 X", "Frisklivssentral", 2015, "1")])))]
    step_kostra(files, str(REF), {"variables": {"Frisklivssentral": ["Kommunen har frisklivssentral"],
                                                "AvtalteArsverk": ["Avtalte årsverk i frisklivssentralen"]}},
                str(tmp_path / "k.parquet"), str(tmp_path / "i.parquet"))
    k = store.read_table(tmp_path / "k.parquet")
    assert len(k) == len(SMALL) + 1
    issues = store.read_table(tmp_path / "i.parquet")
    assert list(issues["source"]) == ["kostra"] and list(issues["record"]) == ["9876"]


# -- ratio words -------------------------------------------------------------------

@pytest.mark.parametrize("value,status", [(2.0, "lik"), (1.96, "lik"), (1.91, "innenfor toleranse"),
                                          (2.2, "innenfor toleranse"), (1.7, "avviker"), (2.5, "avviker"),
                                          (None, "ikke beregnet")])
def test_ratio_word_status(value, status):
    entry = {"id": "kostra_deltakere_2019_mot_2013", "published": "doblet", "tolerance": "1.8–2.2x"}
    fig = {"figure_id": entry["id"], "value": value, "unit": "forhold"}
    assert ratio_status(entry, fig)[0] == status
    assert status_for(entry, fig)[0] == status


def test_other_figures_keep_the_generic_status():
    entry = {"id": "kostra_2019_uten_fls", "published": 175}
    fig = {"figure_id": entry["id"], "value": 175.0, "unit": "antall"}
    assert status_for(entry, fig) == ("lik", "175")


# -- the demonstration extracts ------------------------------------------------------

@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("kostra")
    paths = write_kostra(out, 2015, REF)
    df, issues = read_kostra(paths, REF)
    return out, paths, df, issues


def test_generator_is_byte_stable(demo, tmp_path):
    out, paths, _, _ = demo
    again = write_kostra(tmp_path, 2015, REF)
    assert [p.name for p in again] == [CSV_NAME, JSON_NAME]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(paths, again))
    assert write_kostra(tmp_path / "other", 7, REF)[0].read_bytes() != paths[0].read_bytes()


def test_generator_formats(demo):
    _, paths, df, issues = demo
    raw = paths[0].read_bytes()
    assert b"\r\n" in raw and "årsverk".encode("cp1252") in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    ds = json.loads(paths[1].read_bytes())
    assert ds["class"] == "dataset" and ds["role"]["geo"] == ["KOKkommuneregion0000"]
    assert not issues
    fls = df[df["variable"] == "Frisklivssentral"]
    assert sorted(fls["year"].unique()) == list(range(2013, 2020))
    numbers = df[(df["variable"] == "Deltakere") & df["value"].notna()]
    assert sorted(numbers["year"].unique()) == [2013, 2016, 2019]
    not_asked = df[(df["variable"] == "Deltakere") & df["year"].isin([2017, 2018])]
    assert set(not_asked["status"]) == {"."}  # the cube holds the years without the question as '.'
    assert {":", "..", "-", "."} <= set(df["status"].dropna())
    k2019 = fls[(fls["year"] == 2019) & (fls["region_level"] == "kommune")]
    assert "5001" in set(k2019["region_code"]) and "1601" not in set(k2019["region_code"])
    assert len(k2019) == 422 and len(fls[(fls["year"] == 2015) & (fls["region_level"] == "kommune")]) == 428
    assert fls.loc[fls["year"] == 2019, "region_level"].value_counts()["bydel"] == 15
    assert {"EAK", "EKA50"} <= set(df.loc[df["region_level"] == "aggregat", "region_code"])


@pytest.mark.parametrize("figure_id", [i for i in KOSTRA_IDS if i != "kostra_2019_arsverk_snitt"])
def test_demo_figures_meet_the_register(demo, figure_id):
    _, _, df, _ = demo
    rec = reconcile("2015", REGISTER, kostra_figures(df, "2015", REGISTER)).set_index("figure_id")
    row = rec.loc[figure_id]
    assert row["status"] in ("lik", "innenfor toleranse"), (figure_id, row["published"], row["computed"])


def test_demo_mean_arsverk_is_consistent_and_shows_the_published_misfit(demo):
    _, _, df, _ = demo
    figs = kostra_figures(df, "2015", REGISTER).set_index("figure_id")
    mean = figs.loc["kostra_2019_arsverk_snitt"]
    assert round(figs.loc["kostra_2019_arsverk", "value"]) == 306
    assert mean["value"] == pytest.approx(mean["numerator"] / mean["denominator"])
    assert mean["numerator"] == pytest.approx(figs.loc["kostra_2019_arsverk", "value"])
    centres = 422 - figs.loc["kostra_2019_uten_fls", "value"]
    assert centres - 3 <= mean["denominator"] <= centres  # centres with a number of årsverk
    rec = reconcile("2015", REGISTER, figs.reset_index()).set_index("figure_id")
    assert rec.loc["kostra_2019_arsverk_snitt", "status"] == "avviker"


def test_every_register_kostra_id_has_a_function():
    assert sorted(KOSTRA_IDS) == sorted(KOSTRA_FIGURES)


# -- cross-check -------------------------------------------------------------------

def _round_tables():
    services = pd.DataFrame([
        {"service_id": "s1", "organisering": "frisklivssentral", "inkludert": "ja"},
        {"service_id": "s2", "organisering": "friskliv_og_mestring", "inkludert": "ja"},
        {"service_id": "s3", "organisering": "koordinator", "inkludert": "ja"},
        {"service_id": "s4", "organisering": "frisklivssentral", "inkludert": "nei"},
    ])
    bridge = pd.DataFrame([("s1", "0101", "vert"), ("s1", "0104", "medlem"), ("s2", "0720", "vert"),
                           ("s3", "1804", "vert"), ("s4", "0105", "vert")],
                          columns=["service_id", "kommunenummer", "rolle"])
    status = pd.DataFrame([
        {"round": "2015", "kommunenummer": k, "kommunenavn": n, "har_tjeneste": h}
        for k, n, h in [("0101", "Halden", "ja"), ("0104", "Moss", "ja"), ("0105", "Sarpsborg", "nei"),
                        ("0106", "Fredrikstad", "ukjent"), ("0720", "Stokke", "ja"), ("1804", "Bodø", "ja"),
                        ("0111", "Hvaler", "nei")]])
    return services, bridge, status


def test_cross_check_kinds_and_nearest_year(tmp_path):
    data = [
        ("0101 Halden", "Frisklivssentral", 2015, "1"),      # agrees
        ("0104 Moss", "Frisklivssentral", 2015, ".."),       # 2015 missing -> 2014 says 0
        ("0104 Moss", "Frisklivssentral", 2014, "0"),
        ("0104 Moss", "Frisklivssentral", 2016, "1"),        # equally near, but later
        ("0105 Sarpsborg", "Frisklivssentral", 2015, "1"),   # KOSTRA 1, service not included
        ("0106 Fredrikstad", "Frisklivssentral", 2015, "1"), # KOSTRA 1, no service known
        ("1804 Bodø", "Frisklivssentral", 2015, "1"),        # has a (coordinator) service: no disagreement
        ("0111 Hvaler", "Frisklivssentral", 2015, "0"),
    ]
    df, _ = _read(_write(tmp_path, "t.csv", csv_wide(data)))
    services, bridge, status = _round_tables()
    check = cross_check(df, services, bridge, status, "2015", REF)
    store.to_arrow(check, KOSTRA_CROSSCHECK)  # valid against the declaration
    got = {(r.kommunenummer, r.avvik) for r in check.itertuples()}
    assert got == {("0104", "fls_i_kartlegging_kostra_0"), ("0720", "fls_i_kartlegging_kostra_mangler"),
                   ("0105", "kostra_fls_ingen_tjeneste"), ("0106", "kostra_fls_ingen_tjeneste")}
    moss = check.set_index("kommunenummer").loc["0104"]
    assert moss["kostra_aar"] == 2014 and moss["service_ids"] == ["s1"] and moss["rolle"] == "medlem"
    assert cross_check_counts(check) == {"fls_i_kartlegging_kostra_0": 1, "fls_i_kartlegging_kostra_mangler": 1,
                                         "kostra_fls_ingen_tjeneste": 2}


def test_cross_check_translates_other_structures_with_the_crosswalk(tmp_path):
    # Stokke (0720) merged into Sandefjord (0710) and Tønsberg (0704) in 2017; only 2017 data exist.
    data = [("0710 Sandefjord", "Frisklivssentral", 2017, "0"), ("0704 Tønsberg", "Frisklivssentral", 2017, "0"),
            ("0101 Halden", "Frisklivssentral", 2017, "1")]
    df, _ = _read(_write(tmp_path, "t.json", jsonstat(data)))
    services, bridge, status = _round_tables()
    without = cross_check(df, services, bridge, status, "2015", REF)
    assert set(without["avvik"]) == {"fls_i_kartlegging_kostra_mangler"}  # 2017 is another structure
    table = build_crosswalk(REF, "2017", "2015")  # the pair the crosswalk table holds for it
    check = cross_check(df, services, bridge, status, "2015", REF, crosswalk=table).set_index("kommunenummer")
    stokke = check.loc["0720"]
    assert stokke["avvik"] == "fls_i_kartlegging_kostra_0" and bool(stokke["oversatt"])
    assert stokke["kostra_regioner"] == "0704,0710" and stokke["kostra_aar"] == 2017


def test_cross_check_on_the_demo_extracts(demo):
    _, _, df, _ = demo
    services, bridge, status = _round_tables()
    check = cross_check(df, services, bridge, status, "2015", REF, crosswalk=crosswalk_table(REF))
    assert set(check["kostra_aar"].dropna()) <= {2014, 2015, 2016}
    assert not check["oversatt"].any()


def test_demo_extracts_disagree_with_the_synthetic_round_only_where_planted(demo):
    """The round's frisklivssentral kommuner have a centre in KOSTRA, except the planted interkommunal members."""
    _, _, df, _ = demo
    design = build_design(klass.load(REF, "2015"), 2015)
    services = pd.DataFrame([{"service_id": s.key, "organisering": s.interviews[0].organisering,
                              "inkludert": "ja" if s.included else "nei"} for s in design.services])
    bridge = pd.DataFrame([(s.key, k, "vert" if k == s.host else "medlem") for s in design.services
                           for k in s.kommuner], columns=["service_id", "kommunenummer", "rolle"])
    cls = klass.load(REF, "2015")
    covered = set(bridge["kommunenummer"])
    status = pd.DataFrame([{"round": "2015", "kommunenummer": k, "kommunenavn": v.name,
                            "har_tjeneste": "ja" if k in covered else "nei"} for k, v in sorted(cls.kommuner.items())])
    check = cross_check(df, services, bridge, status, "2015", REF)
    _, planted = survey_centres(REF, 2015)
    assert set(check.loc[check["avvik"] == "fls_i_kartlegging_kostra_0", "kommunenummer"]) == set(planted)
    assert set(check.loc[check["avvik"] == "fls_i_kartlegging_kostra_0", "rolle"]) == {"medlem"}
    counts = cross_check_counts(check)
    assert counts["fls_i_kartlegging_kostra_mangler"] == 0
    fls_2015 = kommune_values(df, 2015, "Frisklivssentral").set_index("region_code")
    with_centre = set(fls_2015.index[fls_2015["value"] == 1])
    reverse = check[check["avvik"] == "kostra_fls_ingen_tjeneste"].set_index("kommunenummer")
    assert with_centre - covered <= set(reverse.index)
    # the rest had '..' in 2015 and take the nearest year with a number
    for k in set(reverse.index) - (with_centre - covered):
        assert fls_2015.loc[k, "status"] == ".." and reverse.loc[k, "kostra_aar"] in (2014, 2016)
    assert counts["kostra_fls_ingen_tjeneste"] == len(reverse)
