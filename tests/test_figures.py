"""Figures from tiny hand-made tables, the consolidation rule, and the reconciliation statuses."""
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from kartlegging.analysis.consolidate import combine_answers, kommune_status
from kartlegging.analysis.figures import FIGURES, Tables, compute_figures, reconcile, status_for
from kartlegging.core import classification as klass
from kartlegging.core.register import parse_register

REF = Path(__file__).resolve().parents[1] / "data" / "reference"


def _service(sid, host, typ, **kw):
    base = dict(round="t", service_id=sid, navn=f"Tjeneste {sid}", vert_kommunenummer=host, antall_kommuner=1,
                type=typ, organisering="frisklivssentral", friskliv_og_mestring_navn=False, prosjektfinansiert=False,
                brukerorg_etablering="ja", tilbud_startet="ja", antall_tilbud=3.0, malgrupper=["kols"],
                rekruttering="via_brukerorganisasjoner", kompetansekurs="nei", samarbeid_hf="ja", hf_utvikling="ja",
                hf_helsepedagogikk="nei", hf_tilbud="ja", inkludert="ja", grunnlag="tjeneste", antall_intervjuer=1,
                forste_intervju=dt.date(2014, 11, 3), siste_intervju=dt.date(2014, 11, 3))
    base.update(kw)
    return base


@pytest.fixture(scope="module")
def tables():
    cls = klass.load(REF, "2015")
    services = pd.DataFrame([
        _service("t-0301-01", "0301", "kommunal", antall_tilbud=7.0),
        _service("t-1804-01", "1804", "interkommunal", organisering="koordinator", samarbeid_hf="nei",
                 antall_kommuner=3, antall_tilbud=2.5),
        _service("t-0101-01", "0101", "kommunal", inkludert="nei"),
        _service("t-0104-01", "0104", "kommunal", grunnlag="erfaring", organisering="annet", tilbud_startet="nei",
                 rekruttering=None),
    ])
    bridge = pd.DataFrame([
        ("t", "t-0301-01", "0301", "vert"), ("t", "t-1804-01", "1804", "vert"), ("t", "t-1804-01", "1805", "medlem"),
        ("t", "t-1804-01", "1811", "medlem"), ("t", "t-0101-01", "0101", "vert"), ("t", "t-0104-01", "0104", "vert"),
    ], columns=["round", "service_id", "kommunenummer", "rolle"])
    dispatch = pd.DataFrame({"enhet_id": ["K0301", "B030101", "K1804", "K0101", "K0104", "K0105"]})
    replies = pd.DataFrame([
        dict(file="a.eml", enhet_id="K0101", kommunenummer="0101", status="svar", q1="ja", auto_reply=False),
        dict(file="b.eml", enhet_id="K0104", kommunenummer="0104", status="erstattet", q1="nei", auto_reply=False),
        dict(file="c.eml", enhet_id="K0104", kommunenummer="0104", status="svar", q1="ja", auto_reply=False),
        dict(file="d.eml", enhet_id="K0105", kommunenummer="0105", status="autosvar", q1=None, auto_reply=True),
        dict(file="e.eml", enhet_id=None, kommunenummer=None, status="til_vurdering", q1="uklart", auto_reply=False),
    ])
    attempts = pd.DataFrame([
        dict(enhet_id="K0105", kommunenummer="0105", svar="nei"),
        dict(enhet_id="B030101", kommunenummer="0301", svar="ja"),
        dict(enhet_id=None, kommunenummer=None, svar="nei"),
    ])
    units = pd.DataFrame([dict(enhet_id="K0105", kommunenummer="0105", svar="nei"),
                          dict(enhet_id="B030101", kommunenummer="0301", svar="ja")])
    interviews = pd.DataFrame({"intervjudato": [dt.date(2014, 11, 3), dt.date(2015, 1, 20)]})
    status = kommune_status("t", cls, replies, attempts, units, services, bridge)
    return Tables(dispatch, replies, attempts, units, interviews, services, bridge, status)


def test_kommune_status_one_row_per_kommune(tables):
    ks = tables.kommune_status
    assert len(ks) == 428 and ks["kommunenummer"].is_unique
    by = ks.set_index("kommunenummer")
    assert by.loc["1811", "har_tjeneste"] == "ja"            # member of an interkommunal service
    assert by.loc["0101", "har_tjeneste"] == "nei"           # rejected candidate only
    assert by.loc["0105", "har_tjeneste"] == "nei"           # phone said nei
    assert by.loc["1103", "har_tjeneste"] == "ukjent"        # in no source
    assert by.loc["0104", "epost_svar"] == "ja"              # latest reply decides
    assert by.loc["0301", "telefon_svar"] == "ja"


def test_combine_answers_prefers_ja():
    assert combine_answers(["nei", "ja", None]) == "ja"
    assert combine_answers(["vet_ikke", "nei"]) == "nei"
    assert combine_answers([None]) is None


def test_figures(tables):
    figs = compute_figures("t", tables).set_index("figure_id")
    v = figs["value"]
    assert v["tjenester_totalt"] == 3
    assert v["tjenester_kommunale"] == 2 and v["tjenester_interkommunale"] == 1
    assert v["kommuner_i_interkommunale"] == 3
    assert v["kommuner_med_tjeneste"] == 5
    assert v["kommuner_uten_tjeneste"] == 423
    assert v["kommuner_med_tjeneste_andel"] == pytest.approx(500 / 428)
    assert v["tjenester_koordinator"] == 1
    assert v["kommuner_ikke_frisklivssentral"] == 3
    assert v["tjenester_inkludert_erfaring"] == 1
    assert v["tilbud_totalt"] == 9.5                          # started services only
    assert v["tjenester_over_fem_tilbud"] == 1
    assert v["tjenester_samarbeid_hf"] == 2 and v["kommuner_samarbeid_hf"] == 2
    assert v["epost_kommuner_med_svar"] == 2                  # auto and unidentified replies do not count
    assert v["telefonrunde_enheter"] == 2                     # B030101 and K0105 (auto-reply only)
    assert v["epost_ja_ikke_bekreftet_andel"] == pytest.approx(50.0)  # 0101 no, 0104 yes
    assert figs.loc["intervju_periode", "text"] == "november 2014 – januar 2015"


def test_every_register_survey_id_has_a_definition():
    import yaml
    reg = yaml.safe_load((Path(__file__).resolve().parents[1] / "config" / "register" / "2015.yaml").read_text())
    survey_ids = [f["id"] for f in reg["figures"] if not f["id"].startswith("kostra_")]
    assert sorted(set(survey_ids) - set(FIGURES)) == []


@pytest.mark.parametrize("entry, fig, expected", [
    ({"published": 41}, {"value": 41.0, "unit": "antall"}, ("lik", "41")),
    ({"published": 41}, {"value": 40.0, "unit": "antall"}, ("avviker", "40")),
    ({"published": 135, "tolerance": 5}, {"value": 133.5, "unit": "antall"}, ("innenfor toleranse", "134")),
    ({"published": "18 %"}, {"value": 18.46, "unit": "prosent"}, ("lik", "18 %")),
    ({"published": "72 %"}, {"value": 81.54, "unit": "prosent"}, ("avviker", "82 %")),
    ({"published": "60 %", "tolerance": "2 pp"}, {"value": 61.7, "unit": "prosent"}, ("innenfor toleranse", "62 %")),
    ({"published": "> 50 %"}, {"value": 53.0, "unit": "prosent"}, ("lik", "53 %")),
    ({"published": "> 50 %"}, {"value": 50.0, "unit": "prosent"}, ("avviker", "50 %")),
    ({"published": 1.05}, {"value": 1.0512, "unit": "forhold"}, ("lik", "1.05")),
    ({"published": "november 2014 – januar 2015"},
     {"value": None, "unit": "tekst", "text": "november 2014 – januar 2015"}, ("lik", "november 2014 – januar 2015")),
    ({"published": 428}, None, ("ikke beregnet", None)),
])
def test_status_for(entry, fig, expected):
    assert status_for(entry, fig) == expected


def test_reconcile_keeps_register_order_and_notes():
    register = {"figures": [
        {"id": "b", "published": "72 %", "note": "misprint"},
        {"id": "a", "published": 2},
        {"id": "kostra_x", "published": 1},
    ]}
    figs = pd.DataFrame([
        {"figure_id": "a", "value": 2.0, "unit": "antall", "text": None, "numerator": None, "denominator": None},
        {"figure_id": "b", "value": 81.5, "unit": "prosent", "text": None, "numerator": 349.0, "denominator": 428.0},
    ])
    rec = reconcile("t", parse_register(register), figs)
    assert list(rec["figure_id"]) == ["b", "a", "kostra_x"]
    assert list(rec["status"]) == ["avviker", "lik", "ikke beregnet"]
    assert rec.loc[0, "note"] == "misprint"


def test_few_is_a_small_count_even_with_a_missing_denominator():
    assert status_for({"published": "få"}, {"value": 4.0, "unit": "antall", "denominator": float("nan")})[0] == "lik"
    assert status_for({"published": "få"}, {"value": 12.0, "unit": "antall", "denominator": None})[0] == "avviker"


def test_misprint_flag_gives_its_own_status():
    """A register entry marked misprint: true reads 'trykkfeil i kilden' where the data differ, never 'avviker';
    the same difference without the flag stays 'avviker', and a misprint flag on a matching value changes nothing."""
    from kartlegging.analysis.figures import reconcile

    figures = pd.DataFrame([{"round": "t", "figure_id": "andel", "value": 100 * 349 / 428, "numerator": 349.0,
                             "denominator": 428.0, "unit": "prosent", "text": None}])

    def status(**entry) -> str:
        register = {"figures": [{"id": "andel", "source": "notat", **entry}]}
        return reconcile("t", parse_register(register), figures).loc[0, "status"]

    assert status(published="72 %", misprint=True) == "trykkfeil i kilden"
    assert status(published="72 %") == "avviker"
    assert status(published="82 %", misprint=True) == "lik"
