"""Unit tests of the coding rules: every typed variant the contract names, and what must go to review."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from kartlegging.core import coding
from kartlegging.core.coding import CodingError

# -- cells and codes ------------------------------------------------------------

@pytest.mark.parametrize("value", [None, "", "   ", "\n", float("nan")])
def test_is_empty_true(value):
    assert coding.is_empty(value)


@pytest.mark.parametrize("value", ["x", 0, 0.0, False, dt.date(2014, 11, 12)])
def test_is_empty_false(value):
    assert not coding.is_empty(value)


def test_cell_text_drops_float_zero_so_numbers_read_as_typed():
    assert coding.cell_text(301.0) == "301"
    assert coding.cell_text(3.5) == "3.5"
    assert coding.cell_text("  Aurskog   Høland ") == "Aurskog Høland"
    assert coding.cell_text("") is None


@pytest.mark.parametrize("typed, code", [("t5", "T05"), ("T5", "T05"), (" T05 ", "T05"), ("T5.", "T05"),
                                         ("t 18", "T18"), ("T023", "T23")])
def test_item_code_tolerates_case_padding_and_zeros(typed, code):
    assert coding.item_code(typed) == code


@pytest.mark.parametrize("typed", ["Nr", "", None, "Del 2", "5", 5.0])
def test_item_code_rejects_non_codes(typed):
    assert coding.item_code(typed) is None


def test_normalise_header_ignores_case_and_spaces_but_not_renames():
    assert coding.normalise_header("Kommune / bydel") == coding.normalise_header("kommune/bydel")
    assert coding.normalise_header(" SVAR: ") == "svar"
    assert coding.normalise_header("Kommunenummer") != coding.normalise_header("Kommunenr")


@pytest.mark.parametrize("value", ["Svar", " SVAR: ", "Spørsmål\n", "Kommune / bydel.", 301.0, dt.date(2014, 11, 12),
                                   True])
def test_memoised_header_and_item_code_answer_alike_on_every_call(value):
    """Both are memoised for text (every workbook repeats its labels); any cell still gets the rule's answer."""
    rule = re.sub(r"\s+", "", coding.fold(value)).rstrip(".:")
    assert coding.normalise_header(value) == coding.normalise_header(value) == rule
    assert coding.item_code(value) == coding.item_code(value) is None
    assert coding.item_code(" t5 ") == coding.item_code(" t5 ") == "T05"


@pytest.mark.parametrize("typed, code", [("Ja", "ja"), (" JA ", "ja"), ("Nei.", "nei"), ("vet ikke", "vet_ikke"),
                                         ("usikker", "vet_ikke"), ("vet_ikke", "vet_ikke"), ("kanskje", None)])
def test_code_answer(typed, code):
    assert coding.code_answer(typed) == code


# -- dates ----------------------------------------------------------------------

@pytest.mark.parametrize("typed", [
    dt.date(2014, 11, 12), dt.datetime(2014, 11, 12, 10, 30), 41955, 41955.4375, "12.11.2014", "12.11.14",
    "12/11/2014", "2014-11-12", "2014-11-12 00:00:00", "12. nov. 2014", "12 nov 2014", "12. november 2014",
    "onsdag 12.11.2014", " 12.11.2014 kl. 10:30",
])
def test_parse_date_reads_every_form(typed):
    assert coding.parse_date(typed) == dt.date(2014, 11, 12)


def test_parse_date_months_and_empty():
    assert coding.parse_date("3. des. 2014") == dt.date(2014, 12, 3)
    assert coding.parse_date("15. januar 2015") == dt.date(2015, 1, 15)
    assert coding.parse_date("") is None
    assert coding.parse_date(None) is None


@pytest.mark.parametrize("typed", ["31.02.2014", "12.11", "neste uke", "3.5", 3.5, True, "12. brumaire 2014", 10**7])
def test_parse_date_unreadable_raises(typed):
    with pytest.raises(CodingError):
        coding.parse_date(typed)


# -- yes / no -------------------------------------------------------------------

@pytest.mark.parametrize("typed, code", [
    ("ja", "ja"), ("Ja", "ja"), ("JA.", "ja"), ("nei", "nei"), ("Nei.", "nei"), ("vet ikke", "vet_ikke"),
    ("Vet ikke", "vet_ikke"), ("usikker", "vet_ikke"), ("Ja, i stor grad", "ja"), ("Nei, ikke ennå", "nei"),
    (True, "ja"), (False, "nei"), ("", None), (None, None),
])
def test_code_yes_no(typed, code):
    assert coding.code_yes_no(typed) == code


@pytest.mark.parametrize("typed", ["delvis", "ja/nei", "ja og nei", "Nei, men ja delvis", 1.0, "jaa"])
def test_code_yes_no_unreadable_raises(typed):
    with pytest.raises(CodingError):
        coding.code_yes_no(typed)


# -- phone answers ----------------------------------------------------------------

@pytest.mark.parametrize("typed, code", [
    ("Ja", "ja"), ("nei", "nei"), ("Nei.", "nei"), ("usikker", "vet_ikke"), ("vet ikke", "vet_ikke"),
    ("ikke svar", "ikke_konklusiv"), ("ringer tilbake", "ikke_konklusiv"), ("ikke truffet", "ikke_konklusiv"),
    ("har frisklivssentral", "ikke_konklusiv"), ("Har frisklivssentralen", "ikke_konklusiv"),
    ("nei, men planlegger", "nei"), ("ja, interkommunalt", "ja"), ("Opptatt", "ikke_konklusiv"),
    ("lagt igjen beskjed", "ikke_konklusiv"), (None, "ikke_konklusiv"), ("", "ikke_konklusiv"),
])
def test_code_phone_answer(typed, code):
    assert coding.code_phone_answer(typed) == code
    assert coding.code_phone_answer(typed, strict=True) == code


@pytest.mark.parametrize("typed", ["ja og nei", "ja?", "tja", "nei, eller ja"])
def test_code_phone_answer_unrecognised_is_inconclusive_and_strict_raises(typed):
    assert coding.code_phone_answer(typed) == "ikke_konklusiv"
    with pytest.raises(CodingError):
        coding.code_phone_answer(typed, strict=True)


# -- T04 --------------------------------------------------------------------------

@pytest.mark.parametrize("typed, code", [
    ("kommunal", "kommunal"), ("Kommunalt", "kommunal"), ("interkommunal", "interkommunal"),
    ("IKS", "interkommunal"), ("samarbeid", "interkommunal"), ("interkommunalt samarbeid", "interkommunal"),
    ("Vertskommunesamarbeid", "interkommunal"), (None, None),
])
def test_code_samarbeidsform(typed, code):
    assert coding.code_samarbeidsform(typed) == code


def test_code_samarbeidsform_unreadable_raises():
    with pytest.raises(CodingError):
        coding.code_samarbeidsform("privat")


# -- T05 --------------------------------------------------------------------------

def test_split_kommuner_separators():
    assert coding.split_kommuner("Bodø, Saltdal; Fauske og Beiarn\nGildeskål") == [
        "Bodø", "Saltdal", "Fauske", "Beiarn", "Gildeskål"]
    assert coding.split_kommuner("1840\r\n1841") == ["1840", "1841"]
    assert coding.split_kommuner(1840.0) == ["1840"]
    assert coding.split_kommuner("kommunene Gildeskål og Beiarn") == ["Gildeskål", "Beiarn"]
    assert coding.split_kommuner("") == []


def test_split_kommuner_keeps_og_inside_parentheses_and_whole_names():
    assert coding.split_kommuner("Herøy (Møre og Romsdal) og Vanylven") == ["Herøy (Møre og Romsdal)", "Vanylven"]
    names = {"Sande i Møre og Romsdal"}
    assert coding.split_kommuner("Sande i Møre og Romsdal, Giske", keep_whole=lambda c: c in names) == [
        "Sande i Møre og Romsdal", "Giske"]


# -- T06 --------------------------------------------------------------------------

@pytest.mark.parametrize("typed, code", [
    ("frisklivssentral", "frisklivssentral"), ("Frisklivssentralen", "frisklivssentral"),
    ("frisklivs- og mestringssenter", "friskliv_og_mestring"), ("eget senter", "eget_senter"),
    ("Lærings- og mestringssenter", "eget_senter"), ("avdeling", "avdeling"), ("koordinator", "koordinator"),
    ("annet: prosjektstilling", "annet"), ("Annet", "annet"), (None, None),
])
def test_code_organisering(typed, code):
    assert coding.code_organisering(typed) == code


def test_code_organisering_unreadable_raises():
    with pytest.raises(CodingError):
        coding.code_organisering("vet ikke hvordan")


# -- T07 --------------------------------------------------------------------------

@pytest.mark.parametrize("typed, flag", [("x", True), ("X", True), ("ja", True), (True, True), ("", False),
                                         (None, False), ("nei", False)])
def test_code_flag(typed, flag):
    assert coding.code_flag(typed) is flag


def test_code_flag_other_text_raises():
    with pytest.raises(CodingError):
        coding.code_flag("delvis prosjekt")


# -- T10 --------------------------------------------------------------------------

@pytest.mark.parametrize("typed, count", [
    ("5", 5.0), (5, 5.0), (5.0, 5.0), ("ca. 5", 5.0), ("ca 5", 5.0), ("cirka 5", 5.0), ("3-4", 3.5),
    ("3–4", 3.5), ("3 - 4", 3.5), ("3 til 4", 3.5), ("fem", 5.0), ("Tolv", 12.0), ("tjue", 20.0),
    ("seksten", 16.0), ("fire-fem", 4.5), ("ingen", 0.0), ("0", 0.0), ("5 tilbud", 5.0), ("2,5", 2.5),
    ("", None), (None, None),
])
def test_parse_count(typed, count):
    assert coding.parse_count(typed) == count


@pytest.mark.parametrize("typed", ["over 10", "mer enn 10", "10+", "mange", "minst 3", "4-3", "-2", -2.0, True,
                                   dt.date(2015, 4, 3), "noen få"])
def test_parse_count_open_or_unreadable_raises(typed):
    with pytest.raises(CodingError):
        coding.parse_count(typed)


def test_number_words_cover_one_to_twenty():
    values = set(coding.NUMBER_WORDS.values())
    assert set(range(0, 21)) <= values


# -- T11 --------------------------------------------------------------------------

def test_code_malgrupper_variants_and_order():
    codes, rest = coding.code_malgrupper(
        "KOLS, Diabetes og hjerte- og karsykdom\nPsykisk helse; muskel og skjelett, overvekt, kreft, "
        "på tvers av diagnoser, pårørende")
    assert codes == ["diabetes", "kols", "hjerte_kar", "kreft", "psykisk_helse", "muskel_skjelett", "overvekt",
                     "paa_tvers", "parorende"]
    assert rest == []


def test_code_malgrupper_annet_takes_its_description():
    assert coding.code_malgrupper("annet: demens\nkols") == (["kols", "annet"], [])
    assert coding.code_malgrupper("Andre kroniske sykdommer") == (["annet"], [])


def test_code_malgrupper_returns_unrecognised_parts():
    codes, rest = coding.code_malgrupper("demens og kols")
    assert codes == ["kols"]
    assert rest == ["demens"]
    assert coding.code_malgrupper(None) == ([], [])


# -- T12, T19, names ----------------------------------------------------------------

@pytest.mark.parametrize("typed, code", [
    ("via brukerorganisasjoner", "via_brukerorganisasjoner"), ("Via brukerorganisasjonene", "via_brukerorganisasjoner"),
    ("utenom organisasjonene", "utenom_organisasjonene"), ("ikke via organisasjonene", "utenom_organisasjonene"),
    ("vet ikke", "vet_ikke"), (None, None),
])
def test_code_rekruttering(typed, code):
    assert coding.code_rekruttering(typed) == code


@pytest.mark.parametrize("typed", ["begge deler", "annonse i avisa og via organisasjonene, også"])
def test_code_rekruttering_mixed_raises(typed):
    with pytest.raises(CodingError):
        coding.code_rekruttering(typed)


@pytest.mark.parametrize("typed, code", [("tjeneste", "tjeneste"), ("Etablert tjeneste", "tjeneste"),
                                         ("erfaring", "erfaring"), ("Lang erfaring med tilbud", "erfaring"),
                                         (None, None)])
def test_code_grunnlag(typed, code):
    assert coding.code_grunnlag(typed) == code


def test_code_grunnlag_unreadable_raises():
    with pytest.raises(CodingError):
        coding.code_grunnlag("usikkert")


def test_mentions_friskliv_og_mestring():
    assert coding.mentions_friskliv_og_mestring("Frisklivs- og mestringssenteret i Bodø")
    assert coding.mentions_friskliv_og_mestring("FRISKLIV OG MESTRING")
    assert not coding.mentions_friskliv_og_mestring("Frisklivssentralen")
    assert not coding.mentions_friskliv_og_mestring(None)
