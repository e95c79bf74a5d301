"""The round report: figures from the data in HTML and PDF, escaping, determinism, number format.

Small fake tables are written as Parquet with the schemas of ``tables.py`` and
read back through ``load_inputs``, so the test exercises the same path as the
pipeline without running it.
"""
from __future__ import annotations

import datetime as dt
import functools
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from pypdf import PdfReader

from kartlegging.analysis.crosswalk import crosswalk_table
from kartlegging.analysis.harmonise import harmonise_status
from kartlegging.core import tables as T
from kartlegging.report import ReportMeta, build_report, load_inputs, maps, render_html, run_date_from_env
from kartlegging.report.numbers import (
    MISSING,
    canonical_value,
    fmt_count,
    fmt_date,
    fmt_decimal,
    fmt_figure,
    fmt_percent,
    fmt_period,
    fmt_ratio,
    fmt_share,
)
from kartlegging.report.render import INPUT_TABLES, ReportInputs
from kartlegging.report.sections import EarlierRound, rule_sentence

ROOT = Path(__file__).resolve().parents[1]
REGISTER_PATH = ROOT / "config" / "register" / "2015.yaml"
REFERENCE = ROOT / "data" / "reference"
REGISTER = yaml.safe_load(REGISTER_PATH.read_text(encoding="utf-8"))
REGISTER_IDS = [f["id"] for f in REGISTER["figures"]]
ROUND = "2015"
EVIL = "<script>alert('x')</script> Friskliv & mestring"
PERSONAL = "ring 99 88 77 66"
META = ReportMeta(round=ROUND, run_date="2015-01-01", commit="abc123def456", synthetic=True, classification="2015")

# --------------------------------------------------------------------------- fake round

KOMMUNER = [  # kommunenummer, navn, fylkesnummer, fylkesnavn, har_tjeneste
    ("0301", "Oslo", "03", "Oslo", "ja"),
    ("1101", "Eigersund", "11", "Rogaland", "ja"),
    ("1102", "Sandnes", "11", "Rogaland", "ja"),
    ("1103", "Stavanger", "11", "Rogaland", "ja"),
    ("1201", "Bergen", "12", "Hordaland", "ja"),
    ("1211", "Etne", "12", "Hordaland", "nei"),
    ("1216", "Sveio", "12", "Hordaland", "ukjent"),
    ("1219", "Bømlo", "12", "Hordaland", "nei"),
]
D = dt.date


def _service(sid, navn, vert, n, typ, org, inkl, **kw):
    row = {
        "round": ROUND, "service_id": sid, "navn": navn, "vert_kommunenummer": vert, "antall_kommuner": n,
        "type": typ, "organisering": org, "friskliv_og_mestring_navn": org == "friskliv_og_mestring",
        "prosjektfinansiert": False, "brukerorg_etablering": "ja", "tilbud_startet": "ja", "antall_tilbud": 2.0,
        "malgrupper": ["kols"], "rekruttering": "via_brukerorganisasjoner", "kompetansekurs": "nei",
        "samarbeid_hf": "nei", "hf_utvikling": None, "hf_helsepedagogikk": None, "hf_tilbud": None,
        "inkludert": inkl, "grunnlag": "tjeneste", "antall_intervjuer": 1,
        "forste_intervju": D(2014, 11, 12), "siste_intervju": D(2014, 11, 12),
    }
    row.update(kw)
    return row


SERVICES = [
    _service("2015-0301-1", "Lærings- og mestringssenteret i Oslo", "0301", 1, "kommunal", "eget_senter", "ja",
             samarbeid_hf="ja", hf_utvikling="ja", hf_helsepedagogikk="nei", hf_tilbud="ja",
             antall_tilbud=7.0, malgrupper=["kols", "diabetes"], kompetansekurs="ja", antall_intervjuer=2,
             siste_intervju=D(2015, 1, 20)),
    _service("2015-1101-1", EVIL, "1101", 1, "kommunal", "friskliv_og_mestring", "ja",
             antall_tilbud=3.5, malgrupper=["kreft"], prosjektfinansiert=True, brukerorg_etablering="vet_ikke"),
    _service("2015-1102-1", "Jæren friskliv", "1102", 3, "interkommunal", "frisklivssentral", "ja",
             samarbeid_hf="ja", hf_utvikling="ja", hf_helsepedagogikk="ja", hf_tilbud="ja",
             malgrupper=["kols", "parorende"]),
    _service("2015-1211-1", "Etne helsehus", "1211", 1, "kommunal", "koordinator", "nei",
             tilbud_startet="nei", antall_tilbud=None, rekruttering=None),
]
SERVICE_KOMMUNER = [
    ("2015-0301-1", "0301", "vert"),
    ("2015-1101-1", "1101", "vert"),
    ("2015-1102-1", "1102", "vert"),
    ("2015-1102-1", "1103", "medlem"),
    ("2015-1102-1", "1201", "medlem"),
    ("2015-1211-1", "1211", "vert"),
]


def _figures() -> list[dict]:
    """A value for every survey figure of the register, plus two KOSTRA ones to test ratio and thousands."""
    counts = {
        "kommuner_totalt": 8, "mottakere_epost": 10, "epost_kommuner_med_svar": 3, "telefonrunde_enheter": 6,
        "tjenester_totalt": 3, "tjenester_kommunale": 2, "tjenester_interkommunale": 1,
        "kommuner_i_interkommunale": 3, "kommuner_med_tjeneste": 5, "kommuner_uten_tjeneste": 3,
        "tjenester_prosjektfinansiert": 1, "brukerorg_etablering_ja": 2, "brukerorg_etablering_nei": 0,
        "brukerorg_etablering_vet_ikke": 1, "rekruttering_via_organisasjoner": 3, "rekruttering_utenom": 0,
        "rekruttering_vet_ikke": 0, "tjenester_frisklivssentral": 2, "kommuner_frisklivssentral": 4,
        "tjenester_friskliv_og_mestring_navn": 1, "tjenester_frisklivssentral_ren": 1,
        "kommuner_ikke_frisklivssentral": 1, "tjenester_eget_senter": 1, "tjenester_koordinator": 0,
        "tjenester_inkludert_erfaring": 0, "tjenester_ikke_startet": 0, "tjenester_startet": 3,
        "tilbud_totalt": 12.5, "tjenester_over_fem_tilbud": 1, "tjenester_kompetansekurs": 1,
        "tjenester_samarbeid_hf": 2, "kommuner_samarbeid_hf": 4, "tjenester_hf_utvikling": 2,
        "kommuner_hf_utvikling": 4, "tjenester_hf_helsepedagogikk": 1, "kommuner_hf_helsepedagogikk": 3,
        "tjenester_hf_tilbud": 2, "kommuner_hf_tilbud": 4, "kostra_2013_deltakere": 16000,
    }
    shares = {
        "kommuner_med_tjeneste_andel": (5, 8), "kommuner_uten_tjeneste_andel": (3, 8),
        "epost_ja_ikke_bekreftet_andel": (1, 3),
    }
    rows = [{"figure_id": k, "value": float(v), "numerator": None, "denominator": None, "unit": "antall", "text": None}
            for k, v in counts.items()]
    rows += [{"figure_id": k, "value": 100.0 * n / d, "numerator": float(n), "denominator": float(d),
              "unit": "prosent", "text": None} for k, (n, d) in shares.items()]
    rows.append({"figure_id": "intervju_periode", "value": None, "numerator": None, "denominator": None,
                 "unit": "tekst", "text": "november 2014 – januar 2015"})
    rows.append({"figure_id": "kostra_2019_arsverk_snitt", "value": 1.054, "numerator": None, "denominator": None,
                 "unit": "forhold", "text": None})
    return [{"round": ROUND, **r} for r in rows]


def _reconciliation(figures: list[dict]) -> list[dict]:
    by_id = {f["figure_id"]: f for f in figures}
    rows = []
    for nr, entry in enumerate(REGISTER["figures"], 1):
        fid = entry["id"]
        fig = by_id.get(fid)
        status = "ikke beregnet" if fig is None else (
            "trykkfeil i kilden" if fid == "kommuner_uten_tjeneste_andel" else "lik")
        rows.append({
            "round": ROUND, "nr": nr, "figure_id": fid, "source": entry.get("source"),
            "definition": entry.get("definition"),
            "published": str(entry["published"]), "computed": None if fig is None else "x",
            "value": None if fig is None else fig["value"], "tolerance": None if entry.get("tolerance") is None
            else str(entry["tolerance"]), "status": status, "note": entry.get("note"),
        })
    return rows


def fake_frames() -> dict[str, pd.DataFrame]:
    """Every input table of the report for a tiny round with all the awkward cases in it."""
    dispatch = [
        {"round": ROUND, "enhet_id": f"K{k}", "kommunenummer": k, "bydelsnummer": None, "enhet_navn": n,
         "mottaker_rolle": "rådmann", "adresse_hash": "0" * 16, "message_id": f"<{k}@x>", "sendt": D(2014, 10, 20)}
        for k, n, *_ in KOMMUNER
    ] + [
        {"round": ROUND, "enhet_id": f"B{b}", "kommunenummer": "0301", "bydelsnummer": b, "enhet_navn": n,
         "mottaker_rolle": "bydelsdirektør", "adresse_hash": "1" * 16, "message_id": f"<{b}@x>",
         "sendt": D(2014, 10, 21)}
        for b, n in (("030101", "Bydel Gamle Oslo"), ("030102", "Bydel Grünerløkka"))
    ]
    ts = pd.Timestamp("2014-10-25 10:00", tz="UTC")

    def email(file, enhet, knr, status, auto=False, sup=False, q1="ja"):
        return {"round": ROUND, "file": file, "message_id": f"<{file}>", "date": ts, "enhet_id": enhet,
                "kommunenummer": knr, "ident_method": "tag" if enhet else "none", "sender_hash": "2" * 16,
                "content_type": "text/plain", "auto_reply": auto, "superseded": sup,
                "q1": None if auto else q1, "q5": None, "attachment_answer": False, "attachments": None,
                "status": status}

    emails = [
        email("a.eml", "K1101", "1101", "svar"),
        email("b.eml", "K1102", "1102", "autosvar", auto=True),
        email("c.eml", "K1102", "1102", "svar"),
        email("d.eml", "K1103", "1103", "erstattet", sup=True),
        email("e.eml", "K1103", "1103", "svar", q1="nei"),
        email("f.eml", None, None, "til_vurdering", q1="uklart"),
        email("g.eml", None, None, "karantene", q1=None),
    ]
    phone = [
        {"round": ROUND, "enhet_id": e, "kommunenummer": k, "svar": s, "forsok": 1, "siste_dato": D(2014, 11, 3)}
        for e, k, s in (("B030101", "0301", "ja"), ("B030102", "0301", "nei"), ("K0301", "0301", "ja"),
                        ("K1201", "1201", "ja"), ("K1211", "1211", "nei"), ("K1219", "1219", "ikke_nådd"))
    ]
    interviews = []
    for file, sid, host, bydel, date in (
        ("oslo1.xlsx", "2015-0301-1", "0301", "030101", D(2014, 11, 12)),
        ("oslo2.xlsx", "2015-0301-1", "0301", "030102", D(2015, 1, 20)),
        ("eig.xlsx", "2015-1101-1", "1101", None, D(2014, 11, 12)),
        ("sandnes.xlsx", "2015-1102-1", "1102", None, D(2014, 12, 1)),
        ("etne.xlsx", "2015-1211-1", "1211", None, D(2014, 12, 2)),
    ):
        interviews.append({
            "round": ROUND, "file": file, "service_id": sid, "tjeneste_navn": "x", "vert_kommunenummer": host,
            "bydelsnummer": bydel, "samarbeidsform": "kommunal", "andre_kommuner": [], "organisering": "annet",
            "prosjektfinansiert": False, "brukerorg_etablering": "ja", "tilbud_startet": "ja", "antall_tilbud": 1.0,
            "malgrupper": ["kols"], "rekruttering": "vet_ikke", "kompetansekurs": "nei", "samarbeid_hf": "nei",
            "hf_utvikling": None, "hf_helsepedagogikk": None, "hf_tilbud": None, "inkludert": "ja",
            "grunnlag": "tjeneste", "intervjudato": date,
        })
    status = []
    for k, n, fnr, fnavn, har in KOMMUNER:
        sids = [s for s, kk, _ in SERVICE_KOMMUNER if kk == k and s != "2015-1211-1"]
        status.append({
            "round": ROUND, "kommunenummer": k, "kommunenavn": n, "fylkesnummer": fnr, "fylkesnavn": fnavn,
            "har_tjeneste": har, "kilder": "" if har == "ukjent" else "telefon", "epost_svar": None,
            "telefon_svar": None, "service_ids": sids, "tjenestetype": None,
        })
    issues = [
        # the English detail may carry what a person typed (masked upstream); the report shows the
        # bokmål message of the reason code instead, so PERSONAL must not reach it
        {"source": "epost", "file": "f.eml", "record": "", "field": "enhet_id", "locator": "subject, sender, signature",
         "reason_code": "epost.uidentifisert", "reason": f"no unit identified: {PERSONAL}", "action": "review",
         "resolved_by": None},
        {"source": "epost", "file": "g.eml", "record": "", "field": "file", "locator": "part 2",
         "reason_code": "epost.mime_brutt", "reason": "broken MIME structure", "action": "quarantine",
         "resolved_by": None},
        {"source": "telefon", "file": "telefonrunde.xlsx", "record": "14", "field": "enhet_id", "locator": "cell A14",
         "reason_code": "telefon.tvetydig_navn", "reason": "ambiguous name", "action": "review",
         "resolved_by": "ov-001"},
        {"source": "intervju", "file": "eig.xlsx", "record": "T10", "field": "antall_tilbud", "locator": "cell C14",
         "reason_code": "intervju.svar_ukodet", "reason": "not a count the rules can read: '…'", "action": "review",
         "resolved_by": None},
    ]
    overrides = [{"round": ROUND, "override_id": "ov-001", "source": "telefon", "file": "telefonrunde.xlsx",
                  "record": "14", "field": "enhet_id", "value": "K1219", "value_before": None, "value_written": "k1219",
                  "under_review": True, "reason": "fylket står i kommentaren"},
                 # a record nobody had put under review: moved from one kommune to another, the number padded
                 {"round": ROUND, "override_id": "ov-002", "source": "telefon", "file": "telefonrunde.xlsx",
                  "record": "52", "field": "kommunenummer", "value": "1216", "value_before": "1211",
                  "value_written": None, "under_review": False, "reason": "innringer rettet kommunen"}]
    figures = _figures()
    frames = {
        "dispatch": pd.DataFrame(dispatch),
        "email_replies": pd.DataFrame(emails),
        "phone_units": pd.DataFrame(phone),
        "interviews": pd.DataFrame(interviews),
        "services": pd.DataFrame([{**s} for s in SERVICES]),
        "service_kommuner": pd.DataFrame([{"round": ROUND, "service_id": s, "kommunenummer": k, "rolle": r}
                                          for s, k, r in SERVICE_KOMMUNER]),
        "kommune_status": pd.DataFrame(status),
        "issues": pd.DataFrame([{"round": ROUND, **i} for i in issues]),
        "overrides_applied": pd.DataFrame(overrides),
        "figures": pd.DataFrame(figures),
        "reconciliation": pd.DataFrame(_reconciliation(figures)),
    }
    frames["figure_series"] = fake_series(frames)
    return frames


def fake_series(frames: dict[str, pd.DataFrame], kostra: pd.DataFrame | None = None,
                crosscheck: pd.DataFrame | None = None) -> pd.DataFrame:
    """figure_series as the figures step writes it, from the fake tables (KOSTRA ones by default), with the
    appendices' counts (reconciliation statuses against the 2015 register; data quality)."""
    from kartlegging.analysis.figure_series import compute_series
    from kartlegging.analysis.figures import Tables
    from kartlegging.analysis.quality_series import quality_series, reconciliation_series
    from kartlegging.core.register import read_register

    tables = Tables(dispatch=frames["dispatch"], email_replies=frames["email_replies"],
                    phone_attempts=T.PHONE_ATTEMPTS.schema.empty_table().to_pandas(),
                    phone_units=frames["phone_units"], interviews=frames["interviews"], services=frames["services"],
                    service_kommuner=frames["service_kommuner"], kommune_status=frames["kommune_status"])
    extra = reconciliation_series(read_register(REGISTER_PATH), frames["figures"], frames["reconciliation"])
    extra.update(quality_series(tables, frames["issues"], frames["overrides_applied"]))
    return compute_series(ROUND, tables, fake_kostra() if kostra is None else kostra,
                          fake_crosscheck() if crosscheck is None else crosscheck, 2015, extra)


def fake_kostra() -> pd.DataFrame:
    """KOSTRA rows with the awkward cases: Oslo only through its bydeler, an aggregate, a symbol, two years."""
    rows = []

    def add(code, level, year, variable, value, status=None):
        rows.append({"region_code": code, "region_level": level, "year": year, "variable": variable,
                     "value": value, "status": status, "source_file": "fake.csv"})

    for code, value in (("1101", 1.0), ("1102", 1.0), ("1103", 0.0), ("1201", 1.0), ("1211", 1.0)):
        add(code, "kommune", 2013, "Frisklivssentral", value)
    add("0301", "kommune", 2013, "Frisklivssentral", None, "..")  # Oslo from its bydeler: any bydel with one
    add("030101", "bydel", 2013, "Frisklivssentral", 1.0)
    add("030102", "bydel", 2013, "Frisklivssentral", 0.0)
    add("EAK", "aggregat", 2013, "Frisklivssentral", 5.0)  # never counted
    for code, level, value in (("1101", "kommune", 1.0), ("1102", "kommune", 0.0), ("0301", "kommune", 1.0),
                               ("030101", "bydel", 1.0), ("030102", "bydel", 1.0)):
        add(code, level, 2014, "Frisklivssentral", value)
    for code, level, value in (("1101", "kommune", 1.5), ("1102", "kommune", 0.5), ("030101", "bydel", 0.25),
                               ("030102", "bydel", 0.5), ("EAK", "aggregat", 100.0)):
        add(code, level, 2013, "AvtalteArsverk", value)
    for code, value in (("1101", 100.0), ("1102", 1200.0)):
        add(code, "kommune", 2013, "Deltakere", value)
    return pd.DataFrame(rows)


def fake_crosscheck() -> pd.DataFrame:
    """Two disagreements between the fake round and the fake KOSTRA."""
    base = {"round": ROUND, "service_ids": [], "organisering": None, "rolle": None, "kostra_status": None,
            "kostra_regioner": None, "oversatt": False, "merknad": "x"}
    return pd.DataFrame([
        {**base, "kommunenummer": "1211", "kommunenavn": "Etne", "avvik": "kostra_fls_ingen_tjeneste",
         "har_tjeneste": "nei", "kostra_aar": 2014, "kostra_verdi": 1.0},
        {**base, "kommunenummer": "1103", "kommunenavn": "Stavanger", "avvik": "fls_i_kartlegging_kostra_0",
         "har_tjeneste": "ja", "service_ids": ["2015-1102-1"], "kostra_aar": 2013, "kostra_verdi": 0.0},
    ])


@functools.cache
def crosswalk() -> pd.DataFrame:
    """The crosswalk table of the shipped reference files (what the crosswalk rule writes)."""
    return crosswalk_table(REFERENCE)
def _round_map() -> str:
    """The fake round's own map, drawn once as the round_map rule draws it (on the 2017 kommuner, nearest 2015)."""
    frames = fake_frames()
    geometry = REFERENCE / "kartverket-historic" / "kommuner-2017.geojson"
    return json.dumps(maps.own_map_figure(frames["kommune_status"], frames["services"], ROUND, "2015", geometry,
                                          "2017", crosswalk()))


def fake_round_map(frames: dict[str, pd.DataFrame]) -> dict:
    """kart.json of the fake round (the round_map rule's figure: svg, caption, alt, counts, classes)."""
    return json.loads(_round_map())


def fake_map_status(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The fake round in the 2024 structure, as the map_status rule would write it."""
    return maps.map_status_frame(frames["kommune_status"], frames["services"], ROUND, "2015", "2024", crosswalk())


def _write(frame: pd.DataFrame, table: T.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pandas(frame[table.column_names], schema=table.schema, preserve_index=False), path)


def write_round(processed: Path, frames: dict[str, pd.DataFrame], extras: bool = True) -> Path:
    """Write the frames as ``{processed}/{round}/<table>.parquet`` with the contract schemas.

    With ``extras``, also the round's map_status and the KOSTRA tables, where the pipeline puts them.
    """
    folder = processed / ROUND
    folder.mkdir(parents=True, exist_ok=True)
    for table in INPUT_TABLES.values():
        arrow = pa.Table.from_pandas(frames[table.name], schema=table.schema, preserve_index=False)
        pq.write_table(arrow, folder / f"{table.name}.parquet")
    if extras:
        _write(fake_map_status(frames), T.MAP_STATUS, folder / "map_status.parquet")
        (folder / "kart.json").write_text(json.dumps(fake_round_map(frames)), encoding="utf-8")
        _write(fake_kostra(), T.KOSTRA, processed / "kostra" / "kostra.parquet")
        _write(fake_crosscheck(), T.KOSTRA_CROSSCHECK, folder / "kostra_crosscheck.parquet")
    return processed


class FigureCollector(HTMLParser):
    """Collect (figure id, data-value, text) of every element tagged with data-figure-id."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str]] = []
        self._open: list[list] = []
        self.ids_missing: list[str] = []
        self.reconciliation_ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for entry in self._open:
            entry[3] += 1
        if "data-figure-id" in a:
            self._open.append([a["data-figure-id"], a.get("data-value", ""), "", 0])
        if "data-missing-figure-id" in a:
            self.ids_missing.append(a["data-missing-figure-id"])
        if "data-reconciliation-id" in a:
            self.reconciliation_ids.append(a["data-reconciliation-id"])

    def handle_endtag(self, tag):
        for entry in list(self._open):
            if entry[3] == 0:
                self._open.remove(entry)
                self.found.append((entry[0], entry[1], entry[2]))
            else:
                entry[3] -= 1

    def handle_data(self, data):
        for entry in self._open:
            entry[2] += data


def _collect(html: str) -> FigureCollector:
    parser = FigureCollector()
    parser.feed(html)
    parser.close()
    return parser


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Path]:
    """One round written to Parquet, loaded back and rendered twice into separate folders."""
    base = tmp_path_factory.mktemp("report")
    processed = write_round(base / "processed", fake_frames())
    out = {}
    for run in ("a", "b"):
        inputs = load_inputs(processed, ROUND, REGISTER_PATH, reference_dir=REFERENCE)
        html, pdf = base / run / "kartlegging.html", base / run / "kartlegging.pdf"
        build_report(inputs, html, pdf, META)
        out[f"html_{run}"], out[f"pdf_{run}"] = html, pdf
    out["processed"] = processed
    return out


@pytest.fixture(scope="module")
def html_text(rendered) -> str:
    return rendered["html_a"].read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pdf_text(rendered) -> str:
    reader = PdfReader(io.BytesIO(rendered["pdf_a"].read_bytes()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(text.split())


# --------------------------------------------------------------------------- HTML


def test_every_figure_appears_with_its_formatted_value(rendered, html_text):
    figures = pq.read_table(rendered["processed"] / ROUND / "figures.parquet").to_pandas()
    found = _collect(html_text).found
    by_id: dict[str, list[tuple[str, str]]] = {}
    for fid, value, text in found:
        by_id.setdefault(fid, []).append((value, text))
    for row in figures.itertuples(index=False):
        text = None if pd.isna(row.text) else row.text
        value = None if pd.isna(row.value) else row.value
        expected = fmt_figure(value, row.unit, text)
        assert row.figure_id in by_id, f"{row.figure_id} missing from the HTML"
        for data_value, shown in by_id[row.figure_id]:
            assert shown == expected, (row.figure_id, shown, expected)
            assert data_value == canonical_value(value, row.unit, text)
    assert set(by_id) <= set(figures["figure_id"])


def test_register_figures_all_in_appendix_a(html_text):
    parser = _collect(html_text)
    assert parser.reconciliation_ids[: len(REGISTER_IDS)] == REGISTER_IDS
    row = re.search(r'data-reconciliation-id="kostra_2019_deltakere".*?</tr>', html_text, re.S).group(0)
    assert "ikke beregnet" in row


def test_norwegian_formats_in_html(html_text):
    for shown in ("63 %", "38 %", "1,05", "16 000", "12,5", "november 2014 – januar 2015", "33 %"):
        assert f">{shown}</span>" in html_text, shown


def test_misprint_is_marked(html_text):
    row = re.search(r'data-reconciliation-id="kommuner_uten_tjeneste_andel".*?</tr>', html_text, re.S).group(0)
    assert "avviker" not in row and "trykkfeil i kilden" in row
    # The published value shows in Appendix A and in the body's footnote, which says it is a misprint.
    assert row.count("72 %") == 1
    note = re.search(r'<li id="fotnote-(\d+)" data-footnote-figure="kommuner_uten_tjeneste_andel">(.*?)</li>',
                     html_text, re.S)
    assert note and "72 %" in note.group(2) and "trykkfeil" in note.group(2) and "38 %" in note.group(2)
    assert html_text.count("72 %") == 2
    assert f'href="#fotnote-{note.group(1)}"' in html_text
    assert re.search(r'data-status-count="trykkfeil i kilden">.*?</span>: 1</li>', html_text)
    assert re.search(r'data-status-count="avviker">.*?</span>: 0</li>', html_text)


def test_free_text_is_escaped(html_text):
    # The one script is the kommune-list filter at the end of the body; typed text never becomes markup.
    assert html_text.lower().count("<script") == 1
    assert "<script>alert" not in html_text.lower()
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Friskliv &amp; mestring" in html_text


def test_no_personal_data_or_network(html_text):
    assert PERSONAL not in html_text and "99 88 77 66" not in html_text
    assert not re.search(r'src="(https?:)?//', html_text)
    # Links out of the report are the references' addresses only; nothing is loaded from them.
    references = html_text[html_text.index('<section id="referanser"'):html_text.index('<section id="vedlegg-a"')]
    outside = html_text.replace(references, "")
    assert not re.search(r'href="(https?:)?//', outside)
    assert re.search(r'href="https://www\.ssb\.no/klass/klassifikasjoner/131"', references)
    assert "<link" not in html_text and "@import" not in html_text
    # Four charts of the round, the map and the KOSTRA chart.
    assert html_text.count('src="data:image/svg+xml;base64,') == 6
    script = html_text[html_text.lower().index("<script"):]
    for word in ("fetch(", "XMLHttpRequest", "import(", "http:", "https:", "WebSocket"):
        assert word not in script, word


def test_title_block_and_synthetic_notice(html_text, tmp_path, rendered):
    assert 'data-synthetic="true"' in html_text
    assert "abc123def456" in html_text and "1. januar 2015" in html_text
    real = ReportMeta(round=ROUND, run_date="2015-01-01", commit="abc", synthetic=False, classification="2015")
    other = render_html(load_inputs(rendered["processed"], ROUND), real)
    assert "data-synthetic" not in other


def test_counties_list_services_with_members(html_text):
    # The interkommunal service crosses a county border: listed in both, with the other side counted.
    assert html_text.count('data-service-id="2015-1102-1"') == 2
    assert "Sandnes (vert), Stavanger" in html_text
    assert "Etne helsehus" not in html_text  # not included


def test_quality_appendix_counts_and_checks(html_text):
    from kartlegging.core.reasons import message_nb

    assert message_nb("epost.uidentifisert") in html_text and message_nb("epost.mime_brutt") in html_text
    assert "no unit identified" not in html_text and "broken MIME" not in html_text  # English detail stays out
    assert "ov-001" in html_text and "fylket står i kommentaren" in html_text
    assert "<code>g.eml</code>" in html_text  # unreadable file listed
    # no chapters in this fake round, so no typed numbers to list
    assert "ingen er skrevet direkte med sifre" in html_text


def test_quality_appendix_shows_each_value_set_and_the_value_before(html_text):
    """Appendix B shows the value an override set, not only the field, and the value the record had before; an
    override of a record not under review is marked (a move from Etne to Sveio must show as one)."""
    import html as html_lib

    text = html_lib.unescape(html_text[html_text.index('id="vedlegg-b"'):])
    rows = {m.group(1): m.group(0) for m in re.finditer(r"<tr><td><code>(ov-\d+)</code>.*?</tr>", text, re.S)}
    assert set(rows) == {"ov-001", "ov-002"}
    assert "K1219 Bømlo" in rows["ov-001"] and "ikke til vurdering" not in rows["ov-001"]
    assert "(skrevet «k1219»)" in rows["ov-001"]  # the value as the analyst wrote it, before it was normalised
    moved = rows["ov-002"]
    assert "ikke til vurdering" in moved
    assert moved.index("1211 Etne") < moved.index("1216 Sveio")  # before, then after
    assert "Av dem endret 1 en post som ikke var til vurdering" in re.sub(r"<[^>]+>", "", " ".join(text.split()))


def test_missing_figure_renders_as_not_computed():
    frames = fake_frames()
    frames["figures"] = frames["figures"][frames["figures"]["figure_id"] != "tjenester_totalt"]
    inputs = ReportInputs(**{f: frames[t.name] for f, t in INPUT_TABLES.items()})
    html = render_html(inputs, META)
    parser = _collect(html)
    assert "tjenester_totalt" in parser.ids_missing
    assert all(fid != "tjenester_totalt" for fid, _, _ in parser.found)


@pytest.mark.parametrize("unknown, expected", [
    (1, "ikke nevnt i noen av kildene; den er regnet som en kommune uten tjeneste"),
    (3, "ikke nevnt i noen av kildene; de er regnet som kommuner uten tjeneste"),
    (0, None)])
def test_the_kommuner_no_source_names_are_counted_in_the_right_number(unknown, expected):
    """The sentence about kommuner no source mentions agrees with its count, and is left out at none."""
    frames = fake_frames()
    series = frames["figure_series"]
    series.loc[series["category"] == "kommuner_ukjent", "value"] = float(unknown)
    html = render_html(ReportInputs(**{f: frames[t.name] for f, t in INPUT_TABLES.items()}), META)
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    if expected is None:
        assert "ikke nevnt i noen av kildene" not in text
    else:
        assert expected in text


@pytest.mark.parametrize("agreeing", [43.0, 0.0])
def test_what_lik_means_on_generated_data_is_said_only_where_a_figure_is_lik(agreeing):
    """A round reconciled against nothing (no register: every figure «ikke i registeret») has no «lik»
    to explain; the note on what «lik» means with synthetic data would then speak of nothing."""
    frames = fake_frames()
    series = frames["figure_series"]
    status = series["series_id"] == "avstemming_status"
    series.loc[status & (series["category"] == "lik"), "value"] = agreeing
    html = render_html(ReportInputs(**{f: frames[t.name] for f, t in INPUT_TABLES.items()}), META)
    assert ('data-synthetic-source="avstemming"' in html) == bool(agreeing)


def test_missing_column_is_named():
    frames = fake_frames()
    from kartlegging.report.render import ReportInputs

    kwargs = {f: frames[t.name] for f, t in INPUT_TABLES.items()}
    kwargs["services"] = kwargs["services"].drop(columns=["samarbeid_hf"])
    with pytest.raises(ValueError, match="services.*samarbeid_hf"):
        ReportInputs(**kwargs)


# --------------------------------------------------------------------------- PDF and determinism


def test_pdf_has_text_with_headline_figures(pdf_text):
    assert "Lærings- og mestringstjenester i kommunene" in pdf_text
    assert "Sammendrag" in pdf_text and "Vedlegg A" in pdf_text
    for shown in ("63 %", "38 %", "16 000", "1,05"):
        assert shown in pdf_text, shown
    assert re.search(r"Side 1 av \d+", pdf_text)


def test_pdf_has_toc_page_numbers(pdf_text):
    # The table of contents gets page numbers from target-counter().
    assert re.search(r"Vedlegg B\. Datakvalitet\W+\d+", pdf_text)


def test_pdf_renders_each_chart(rendered, pdf_text):
    # 1 response flow, 2 map, 3-6 the round's charts, 7 KOSTRA.
    for n in range(1, 8):
        assert f"Figur {n}." in pdf_text
    assert "Figur 8." not in pdf_text
    reader = PdfReader(io.BytesIO(rendered["pdf_a"].read_bytes()))
    drawn = 0
    for page in reader.pages:
        if any(f"Figur {n}." in page.extract_text() for n in range(3, 7)):
            # A chart page draws many filled rectangles and glyph paths.
            content = page.get_contents().get_data()
            resources = page["/Resources"]
            xobjects = resources.get("/XObject", {})
            data = content + b"".join(x.get_object().get_data() for x in xobjects.values())
            drawn += data.count(b" re") + data.count(b" c\n")
    assert drawn > 200


def test_two_renders_are_byte_identical(rendered):
    assert rendered["html_a"].read_bytes() == rendered["html_b"].read_bytes()
    assert rendered["pdf_a"].read_bytes() == rendered["pdf_b"].read_bytes()


def test_pdf_metadata_is_fixed(rendered):
    reader = PdfReader(io.BytesIO(rendered["pdf_a"].read_bytes()))
    info = reader.metadata
    assert info.title.startswith("Lærings- og mestringstjenester")
    assert info.get("/CreationDate", "").startswith("D:20150101")


def test_run_date_from_source_date_epoch():
    assert run_date_from_env({"SOURCE_DATE_EPOCH": "1420070400"}) == "2015-01-01"
    with pytest.raises(ValueError):
        run_date_from_env({"SOURCE_DATE_EPOCH": "soon"})


# --------------------------------------------------------------------------- number formatting


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [(0, 0, "0"), (999, 0, "999"), (1000, 0, "1 000"), (16000, 0, "16 000"), (1234567.891, 2, "1 234 567,89"),
     (1.054, 2, "1,05"), (1.055, 2, "1,06"), (0.5, 0, "1"), (2.5, 0, "3"), (-1500, 0, "\u22121 500"), (-0.2, 0, "0")],
)
def test_fmt_decimal(value, decimals, expected):
    assert fmt_decimal(value, decimals) == expected


def test_percent_share_ratio_count():
    assert fmt_percent(18.457) == "18 %"
    assert fmt_percent(100 * 349 / 428) == "82 %"
    assert fmt_percent(62.5) == "63 %"
    assert fmt_percent(18.45, 1) == "18,5 %"
    assert fmt_share(79, 428) == "18 %"
    assert fmt_share(1, 0) == MISSING
    assert fmt_ratio(1.05) == "1,05"
    assert fmt_count(135.0) == "135" and fmt_count(134.5) == "134,5" and fmt_count(30000) == "30 000"


def test_fmt_figure_by_unit():
    assert fmt_figure(79.0, "antall") == "79"
    assert fmt_figure(18.46, "prosent") == "18 %"
    assert fmt_figure(1.054, "forhold") == "1,05"
    assert fmt_figure(None, "tekst", "november 2014 – januar 2015") == "november 2014 – januar 2015"
    assert fmt_figure(float("nan"), "antall") == MISSING
    assert fmt_figure(None, "tekst", None) == MISSING
    assert fmt_figure(pd.NA, "prosent") == MISSING
    with pytest.raises(ValueError):
        fmt_figure(1.0, "kroner")
    assert canonical_value(79.0, "antall") == "79" and canonical_value(100 * 5 / 8, "prosent") == "62.5"


def test_statement_reads_holds_or_not():
    """A figure with unit utsagn (a statement of the source, 1 or 0) shows in words, not as a number."""
    assert fmt_figure(1.0, "utsagn") == "holder" and fmt_figure(0.0, "utsagn") == "holder ikke"
    assert fmt_figure(None, "utsagn") == MISSING


def test_dates():
    assert fmt_date(D(2014, 11, 12)) == "12. november 2014"
    assert fmt_date("2015-01-01") == "1. januar 2015"
    assert fmt_period(D(2014, 11, 3), D(2015, 1, 20)) == "november 2014 – januar 2015"
    assert fmt_period(D(2014, 11, 3), D(2014, 11, 20)) == "november 2014"
    assert fmt_period(None, D(2014, 11, 20)) == MISSING


def test_empty_round_renders():
    """A round with no replies, services or issues yet still gives a readable report, not a crash."""
    from kartlegging.report.render import ReportInputs

    empty = {f: t.schema.empty_table().to_pandas() for f, t in INPUT_TABLES.items()}
    html = render_html(ReportInputs(**empty), META)
    assert "Ingen tjenester ble inkludert" in html
    assert "Alle filer kunne leses" in html and "Ingen overstyringer er brukt" in html
    assert len(_collect(html).ids_missing) > 10


# --------------------------------------------------------------------------- map, comparison, KOSTRA, kommune list


def _inputs(frames: dict[str, pd.DataFrame], **extra) -> ReportInputs:
    from kartlegging.report.render import ReportInputs

    return ReportInputs(**{f: frames[t.name] for f, t in INPUT_TABLES.items()}, **extra)


@pytest.fixture(scope="module")
def geometry() -> maps.MapGeometry:
    return maps.read_geometry(REFERENCE / maps.KOMMUNER_GEOJSON, REFERENCE / maps.FYLKER_GEOJSON)


def test_map_in_html_and_pdf(html_text, pdf_text):
    assert 'data-chart="kart"' in html_text
    caption = re.search(r'data-chart="kart".*?</figcaption>', html_text, re.S).group(0)
    # The round in its own structure (Klass 2015, 8 kommuner), drawn on the nearest geometry (2017).
    assert "versjon 2015, 8 kommuner" in caption and "Kartverkets kommunegrenser fra 2017" in caption
    assert "Figur 2. Kommuner med lærings- og mestringstjeneste, runde 2015." in pdf_text


def test_map_key_lists_the_kommuner_of_each_class(html_text):
    keys = dict(re.findall(r'data-map-class="(\w+)" data-kommuner="([\d ]*)"', html_text))
    # The round's own kommuner: Oslo and Eigersund kommunal; Sandnes, Stavanger and Bergen interkommunal.
    assert keys["kommunal"].split() == ["0301", "1101"]
    assert keys["interkommunal"].split() == ["1102", "1103", "1201"]
    assert set(keys["ingen"].split()) == {"1211", "1219"}  # Etne, Bømlo
    assert keys["ukjent"].split() == ["1216"]  # Sveio, in no source


def test_no_map_without_the_round_map():
    html = render_html(_inputs(fake_frames()), META)  # no kart.json from the round_map rule: no map
    assert 'data-chart="kart"' not in html and "Figur 2. Organisering" in html


def test_first_round_shows_no_comparison(html_text):
    assert 'id="endring"' not in html_text and "Endring fra tidligere runder" not in html_text


def test_kostra_section(html_text):
    section = html_text[html_text.index('<section id="kostra">'):html_text.index('<section id="fylker">')]
    # 2013: Oslo (from its bydeler), 1101, 1102, 1201, 1211; the aggregate is not counted. 2014: Oslo and 1101.
    assert re.search(r'data-year="2013">.*?data-kostra-fls="5"', section, re.S)
    assert re.search(r'data-year="2014">.*?data-kostra-fls="2"', section, re.S)
    row13 = re.search(r'<tr data-year="2013"><th scope="row">2013</th>.*?</tr>', section, re.S).group(0)
    assert ">6<" in row13 and ">1<" in row13  # six kommuner with a number, one Oslo bydel with a centre
    volume = re.search(r'kostra-volume.*?</table>', section, re.S).group(0)
    assert "2,8" in volume and "1 300" in volume  # årsverk 1.5 + 0.5 + Oslo's bydeler 0.75; deltakere
    row = re.search(r'data-avvik="kostra_fls_ingen_tjeneste".*?</tr>', section, re.S).group(0)
    assert "KOSTRA-tall fra 2014" in row and ">Etne<" in row
    assert "Ingen KOSTRA-data" not in section


@pytest.mark.parametrize("kostra", [None, "empty"])
def test_no_kostra_data_is_said(kostra):
    frames = fake_frames()
    table = T.KOSTRA.schema.empty_table().to_pandas() if kostra == "empty" else None
    html = render_html(_inputs(frames, kostra=table), META)
    section = html[html.index('<section id="kostra">'):html.index('<section id="fylker">')]
    assert "Ingen KOSTRA-data ble gitt" in section
    assert "data-chart=\"kostra_fls\"" not in html


def test_kommune_list_is_complete_and_filterable(html_text):
    section = html_text[html_text.index('<section id="kommuner"'):html_text.index('</main>')]
    rows = re.findall(r'<tr data-kommune="(\d+)" data-fylke="(\d+)" data-status="(\w+)" data-sok="([^"]*)"', section)
    # County by county, by name within a county (Bergen, Bømlo, Etne, Sveio).
    assert [r[0] for r in rows] == ["0301", "1101", "1102", "1103", "1201", "1219", "1211", "1216"]
    status = {r[0]: r[2] for r in rows}
    assert status == {"0301": "kommunal", "1101": "kommunal", "1102": "interkommunal", "1103": "interkommunal",
                      "1201": "interkommunal", "1211": "ingen", "1216": "ukjent", "1219": "ingen"}
    assert " hidden" not in section.split("<tbody>")[1]  # every row shows without JavaScript
    assert re.search(r'<form class="kommune-filter"[^>]*hidden', section)  # the controls need the script
    # grouped by fylke, each group collapsed until opened (or filtered, or printed)
    groups = re.findall(r'<details class="fylke-gruppe" data-fylke="(\d+)"( open)?>', section)
    assert [g[0] for g in groups] == ["03", "11", "12"] and not any(g[1] for g in groups)
    assert "Rogaland <span class=\"muted\">(3 kommuner, 3 med tjeneste)</span>" in section


def test_kommune_list_fully_expanded_in_pdf(pdf_text):
    assert "Alle kommuner, etter fylke" in pdf_text
    for shown in ("Rogaland (3 kommuner, 3 med tjeneste)", "Hordaland (4 kommuner, 1 med tjeneste)"):
        assert shown in pdf_text, shown
    assert "Sveio 1216" in pdf_text and "Eigersund 1101" in pdf_text
    assert "Søk" not in pdf_text and "Åpne et fylke" not in pdf_text  # the screen's controls and hints are left out


def _earlier_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Round 2013 (Klass 2013) of the same kommuner: only Eigersund has a service, kommunal."""
    status = fake_frames()["kommune_status"].copy()
    status["round"] = "2013"
    status["har_tjeneste"] = ["nei", "ja", "nei", "nei", "nei", "nei", "ukjent", "nei"]
    status["service_ids"] = [[], ["2013-1101-1"], [], [], [], [], [], []]
    status["tjenestetype"] = [None, "kommunal", None, None, None, None, None, None]
    services = pd.DataFrame([_service("2013-1101-1", "Eigersund LMS", "1101", 1, "kommunal", "koordinator", "ja")])
    services["round"] = "2013"
    return status, services


def _comparison(frames, status13, services13, ms13, harmonised):
    from kartlegging.analysis.comparison import RoundTables, compare_rounds

    rounds = [RoundTables("2013", "2013", status13, services13, ms13),
              RoundTables(ROUND, "2015", frames["kommune_status"], frames["services"], fake_map_status(frames))]
    return compare_rounds(ROUND, rounds, harmonised)


@pytest.fixture(scope="module")
def compared(geometry) -> str:
    """Round 2015 with 2013 before it; the harmonised table also holds a later round 2019, which must not show."""
    frames = fake_frames()
    status13, services13 = _earlier_frames()
    status19 = frames["kommune_status"].assign(round="2019", har_tjeneste="ja")
    harmonised = harmonise_status([status13, frames["kommune_status"], status19],
                                  {"2013": "2013", "2015": "2015", "2019": "2019"}, "2024", crosswalk())
    ms13 = maps.map_status_frame(status13, services13, "2013", "2013", "2024", crosswalk())
    table = _comparison(frames, status13, services13, ms13, harmonised)
    inputs = _inputs(frames, map_status=fake_map_status(frames), geometry=geometry, comparison=table,
                     earlier=(EarlierRound("2013", ms13),))
    meta = ReportMeta(round=ROUND, run_date="2015-01-01", commit="abc", synthetic=True, classification="2015",
                      harmonise_to="2024")
    return render_html(inputs, meta)


def test_comparison_with_earlier_rounds_only(compared):
    section = compared[compared.index('<section id="endring">'):compared.index('<section id="kostra">')]
    assert "Runde 2013" in section and "Runde 2015" in section and "2019" not in section
    assert 'data-chart="kart_runder"' in section  # one small map per round
    totals = re.findall(r'data-round-total="(\d+)"', section)
    assert totals == ["1", "5"]  # kommuner with a service in the 2024 structure, 2013 and 2015
    gained = re.search(r'data-change="fikk".*?</table>', section, re.S).group(0)
    # Oslo; Sandnes (1108 in 2024) and Stavanger in Rogaland; Bergen (4601): counties in SSB's order, then names.
    assert re.findall(r'data-kommune="(\d+)"', gained) == ["0301", "1108", "1103", "4601"]
    assert 'data-change="mistet"' not in section
    assert "ukjent status i én av rundene" not in section  # no change involves an unknown status here
    org = re.search(r'class="compact org-rounds".*?</table>', section, re.S).group(0)
    assert re.search(r"Alle tjenester</th><td class=\"num\">1</td><td class=\"num\">3</td><td class=\"num\">\+2", org)
    # Tønsberg 2024 holds part of 0720 Stokke, split in 2017: the rule is named for both rounds.
    split = re.findall(r'<li data-round="(\d+)">(.*?)</li>', section, re.S)
    assert [r for r, _ in split] == ["2013", "2015"]
    assert all("3905 Tønsberg (fra 0704 Tønsberg, 0716 Re og en del av 0720 Stokke (andelen er ukjent))" in text
               for _, text in split)
    assert "Der andelen er ukjent" in section  # no polygons of 2013 or 2015 show where Stokke's land went
    # the rule on the crosswalk's weights, in one sentence
    assert section.count(rule_sentence()) == 1 and "minst én av rundens kommuner som den har fått land fra" in section
    # 1 flow, 2-5 the round's charts (no round map given here), 6 the small maps, 7 organisation by round.
    assert re.search(r"Figur 6\. Kommuner med tjeneste i hver runde", compared)
    assert re.search(r"Figur 7\. Tjenester etter organisering i hver runde", compared)
    # the summary states the change in both structures and why the totals could differ
    summary = compared[compared.index('<section id="sammendrag">'):compared.index('<section id="metode">')]
    assert 'data-change-summary="2013-2015"' in summary
    assert "1 av 8 kommuner" in re.sub(r"</?span\b[^>]*>", "", summary)
    assert all("3905 Tønsberg (fra 0704 Tønsberg, 0716 Re og en del av 0720 Stokke (andelen er ukjent))" in text
               for _, text in split)
    assert "Der andelen er ukjent" in section  # no polygons of 2013 or 2015 show where Stokke's land went
    # the rule on the crosswalk's weights, in one sentence
    assert section.count(rule_sentence()) == 1 and "minst én av rundens kommuner som den har fått land fra" in section


def test_comparison_needs_the_comparison_table(geometry):
    frames = fake_frames()
    status13, services13 = _earlier_frames()
    ms13 = maps.map_status_frame(status13, services13, "2013", "2013", "2024", crosswalk())
    with pytest.raises(ValueError, match="comparison table"):
        render_html(_inputs(frames, earlier=(EarlierRound("2013", ms13),)), META)


def test_comparison_needs_every_round_in_the_harmonised_table():
    frames = fake_frames()
    status13, services13 = _earlier_frames()
    harmonised = harmonise_status([frames["kommune_status"]], {"2015": "2015"}, "2024", crosswalk())
    with pytest.raises(ValueError, match="harmonised kommune_status lacks round"):
        _comparison(frames, status13, services13, None, harmonised)


def test_conservation_table_in_quality_appendix(tmp_path):
    """Appendix B shows every source's records in and what became of them, as the conservation table says."""
    from kartlegging.report import render_html
    from kartlegging.report.render import build_context

    conservation = pd.DataFrame([
        {"round": ROUND, "source": "epost", "unit": "fil", "records_in": 12, "ingested": 9, "superseded": 1,
         "autosvar": 1, "review": 0, "quarantined": 1, "unaccounted": 0, "ignored": 2,
         "ignored_names": ".DS_Store; gamle"},
        {"round": ROUND, "source": "utsendelse", "unit": "rad", "records_in": 8, "ingested": 8, "superseded": 0,
         "autosvar": 0, "review": 0, "quarantined": 0, "unaccounted": 0, "ignored": 0, "ignored_names": None},
    ])
    frames = fake_frames()
    with_table = build_context(_inputs(frames, conservation=conservation), META)
    rows = with_table["quality"]["conservation"]
    assert [(r["source"], r["unit"], r["records_in"], r["quarantined"]) for r in rows] == [
        ("E-post", "filer", 12, 1), ("Utsendelsesliste", "rader", 8, 0)]
    html = render_html(_inputs(frames, conservation=conservation), META)
    assert "Regnskap for alle råposter" in html
    # what the e-mail folder holds besides its records is named, never read
    assert "Ikke lest i mappen for e-post (skjulte filer og undermapper, ingen råposter): .DS_Store, gamle." in html
    # without the table the subsection is left out rather than shown empty
    assert build_context(_inputs(frames), META)["quality"]["conservation"] == []
    assert "Regnskap for alle råposter" not in render_html(_inputs(frames), META)


def test_run_date_falls_back_to_the_commit_time_then_today():
    import datetime as dt

    from kartlegging.report import git_commit_time

    assert run_date_from_env({}, fallback_epoch=1420070400) == "2015-01-01"
    assert run_date_from_env({"SOURCE_DATE_EPOCH": "0"}, fallback_epoch=1420070400) == "1970-01-01"
    assert run_date_from_env({}) == dt.date.today().isoformat()
    commit_time = git_commit_time(Path(__file__).resolve().parents[1])
    assert commit_time is not None and commit_time > 1420070400  # the project is a git checkout


def test_chapters_reach_the_report_at_their_position(rendered, tmp_path):
    """A chapter file in tekst_dir/<round>/ shows at its position with live numbers; a typed number is
    listed in appendix B; an unknown id stops before anything is written."""
    from kartlegging.report.tekst import TekstError

    folder = tmp_path / "tekst" / ROUND
    folder.mkdir(parents=True)
    (folder / "01-bakgrunn.md").write_text(
        "---\ntittel: Bakgrunn\nplassering: etter-sammendrag\n---\n"
        "Av {{ tall.kommuner_totalt }} kommuner svarte 3 på e-post.\n\n<em>ikke markup</em>\n", encoding="utf-8")
    inputs = load_inputs(rendered["processed"], ROUND, REGISTER_PATH, tekst_dir=tmp_path / "tekst")
    html = render_html(inputs, META)
    chapter = html[html.index('<section id="kapittel-01-bakgrunn"'):html.index('<section id="metode">')]
    assert html.index('<section id="sammendrag">') < html.index('<section id="kapittel-01-bakgrunn"')
    assert '<h2>Bakgrunn</h2>' in chapter and 'data-figure-id="kommuner_totalt" data-value="8">8</span>' in chapter
    assert "&lt;em&gt;ikke markup&lt;/em&gt;" in chapter and "<em>" not in chapter
    assert '<a href="#kapittel-01-bakgrunn">Bakgrunn</a>' in html
    typed = re.search(r'class="compact typed-numbers".*?</table>', html, re.S).group(0)
    assert "01-bakgrunn.md" in typed and '<td class="num">5</td><td>3</td>' in typed
    (folder / "02-feil.md").write_text("---\ntittel: Feil\nplassering: foran-vedlegg\n---\n\n{{ tall.ukjent_tall }}\n",
                                       encoding="utf-8")
    with pytest.raises(TekstError, match=r"02-feil\.md line 6: unknown figure id 'ukjent_tall'"):
        load_inputs(rendered["processed"], ROUND, REGISTER_PATH, tekst_dir=tmp_path / "tekst")
