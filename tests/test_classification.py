"""Klass 131 loading and the resolution of typed names and numbers."""
from pathlib import Path

import pytest

from kartlegging.core import classification as klass

REF = Path(__file__).resolve().parents[1] / "data" / "reference"


@pytest.fixture(scope="module")
def k2015():
    return klass.load(REF, "2015")


def test_2015_has_428_kommuner(k2015):
    assert len(k2015.kommuner) == 428
    assert "9999" not in k2015.kommuner


@pytest.mark.parametrize("year, count", [("2013", 428), ("2018", 422), ("2020", 356), ("2024", 357)])
def test_version_sizes(year, count):
    assert len(klass.load(REF, year).kommuner) == count


@pytest.mark.parametrize("typed, expected", [
    ("Aurskog Høland", "K0221"),
    ("aurskog-høland kommune", "K0221"),
    ("Bø i Telemark", "K0821"),
    ("Bø (Telemark)", "K0821"),
    ("Kautokeino", "K2011"),
    ("Guovdageaidnu", "K2011"),
    ("Guovdageaidnu - Kautokeino", "K2011"),
    ("Omasvuotna", "K1939"),
    ("Herøy (Nordland)", "K1818"),
    ("Herøy i Nordland", "K1818"),
    ("Bydel Grünerløkka", "B030102"),
    ("Grunerlokka", None),
    ("Nes (Buskerud)", "K0616"),
])
def test_names_resolve(k2015, typed, expected):
    res = k2015.resolve_name(typed)
    assert res.enhet_id == expected


@pytest.mark.parametrize("typed", ["Bø", "Herøy", "Nes", "Os", "Sande", "Våler"])
def test_shared_names_are_ambiguous_never_first_match(k2015, typed):
    res = k2015.resolve_name(typed)
    assert res.status == "ambiguous"
    assert res.enhet_id is None
    assert len(res.candidates) >= 2


def test_numbers_without_leading_zero(k2015):
    assert k2015.resolve(number="301").enhet_id == "K0301"
    assert k2015.resolve(number=101.0).enhet_id == "K0101"
    assert k2015.resolve(number="30102").enhet_id == "B030102"


def test_number_settles_ambiguous_name_and_conflict_is_reported(k2015):
    assert k2015.resolve("Bø", "1867").enhet_id == "K1867"
    assert k2015.resolve("Bø", "1804").status == "conflict"
    assert k2015.resolve("Bodø", "1805").status == "conflict"


def test_kommune_of_another_version_is_unknown(k2015):
    assert k2015.resolve(number="5001").status == "unknown"
    assert klass.load(REF, "2018").resolve(number="5001").ok


def test_version_for_dates():
    assert klass.version_for(REF, "2016") == "2015"
    assert klass.version_for(REF, "2021-06-30") == "2020"
    with pytest.raises(klass.ClassificationError):
        klass.version_for(REF, "1999")


def test_find_in_text(k2015):
    text = "Vennlig hilsen\nhelsesjef\nBodø kommune\n"
    assert k2015.find_in_text(text) == {"K1804"}
    assert k2015.find_in_text("Bydel Grünerløkka, Oslo kommune") == {"B030102", "K0301"}
    assert k2015.find_in_text("Vi har ingen slik tjeneste") == set()


def test_reference_frames_cover_versions():
    kommuner, navn, bydeler = klass.reference_frames(REF, ["2015", "2024"])
    assert set(kommuner["version"]) == {"2015", "2024"}
    assert len(bydeler) == 15
    assert ((navn["variant"] == "kautokeino") & (navn["enhet_id"] == "K2011")).any()


def test_find_in_text_two_kommuner_in_a_row(k2015):
    assert k2015.find_in_text("Bodø kommune og Saltdal kommune samarbeider") == {"K1804", "K1840"}
    assert k2015.find_in_text("hilsen Nord-Fron kommune") == {"K0516"}


@pytest.mark.parametrize("wanted", ["2026", "2026-01-01", "2030-06-30", "2024"])
def test_a_round_after_the_newest_version_is_analysed_in_the_version_still_in_force(wanted):
    """Version 2024's period is open (no validTo): it is in force until SSB publishes another."""
    assert klass.version_for(REF, wanted) == "2024"
    assert klass.classification_problem(REF, wanted, "2026") is None


def test_a_date_before_the_oldest_version_is_refused_naming_the_version_to_write():
    problem = klass.classification_problem(REF, "2010", "2010")
    assert problem.startswith("round 2010: classification '2010'")
    assert 'write classification: "2013"' in problem and "data/reference/README.md" in problem
    with pytest.raises(klass.ClassificationError, match="oldest version here is 2013"):
        klass.version_for(REF, "2010-05-01")
    assert "neither a year nor a date" in klass.classification_problem(REF, "femten")


def test_a_date_after_a_closed_newest_version_names_it_and_what_to_add(tmp_path):
    """When the newest file at hand has an end date (SSB published a later version, not copied here)."""
    import json

    folder = tmp_path / "ssb-klass-131"
    folder.mkdir()
    for year in ("2023", "2024"):
        data = json.loads((REF / "ssb-klass-131" / f"version-{year}.json").read_text(encoding="utf-8"))
        if year == "2024":
            data["validTo"] = "2026-01-01"
        (folder / f"version-{year}.json").write_text(json.dumps(data), encoding="utf-8")
    assert klass.version_for(tmp_path, "2025-12-31") == "2024"
    problem = klass.classification_problem(tmp_path, "2026", "2026")
    assert "the newest version here, 2024, was valid until 2026-01-01" in problem and "add the version" in problem
