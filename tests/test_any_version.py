"""A round in any Klass 131 version from 2013 to 2024 runs with only its raw folder and its config entry.

Run as ``snakemake --configfile other.yaml`` from the project folder, with the raw data
elsewhere on disk. Two small rounds, one in the 2013 structure (428 kommuner, 0720 Stokke still there) and one
in the 2020 structure (356 kommuner, 5001 Trondheim), without a register of published
figures or an overrides file, go through the whole workflow in one run: their figures are
computed (not reconciled: nothing was published), both reports are written, and the
harmonised table carries both rounds in the 2024 structure, with Stokke's service
reaching both kommuner it was split into.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus as C  # noqa: E402
from conftest import snakemake  # noqa: E402

from kartlegging.core.classification import load  # noqa: E402

ROUNDS = {"r2013": "2013", "r2020": "2020"}
# The service of each round: the kommune named in the interview exists in that round's version only.
SERVICE_OF = {"r2013": ("Frisklivssentralen i Stokke", "Stokke", "0720"),
              "r2020": ("Lærings- og mestringssenteret i Trondheim", "Trondheim", "5001")}


def write_round(raw: Path, name: str, version: str) -> Path:
    """A whole dispatch frame of the version, two e-mail replies, a phone call to every other kommune,
    and one interview with a service in a kommune that exists only in that version."""
    cls = load(C.REFERENCE, version)
    units = [C.Unit(f"K{code}", f"{cls.kommuner[code].name} kommune", f"postmottak@k{code}.kommune.test")
             for code in sorted(cls.kommuner)]
    units += [C.Unit(f"B{code}", f"Bydel {bname}", f"postmottak@b{code}.oslo.kommune.test")
              for code, bname in sorted(cls.bydeler.items())]
    by_id = {u.enhet_id: u for u in units}
    rd = raw / name
    (rd / "epost").mkdir(parents=True)
    (rd / "intervjuer").mkdir(parents=True)
    (rd / "utsendelse.csv").write_text(C.dispatch_text(tuple(units)), encoding="utf-8")
    replied = {"K1804": "1. Ja\n5. Ja", "K1841": "1. Nei\n5. Nei"}
    for enhet, answer in replied.items():
        u = by_id[enhet]
        (rd / "epost" / f"svar-{enhet}.eml").write_bytes(C.eml(
            sender=f"{u.navn} <{u.address}>", subject=f"SV: {C.SUBJECT} [{enhet}]",
            body=f"Hei\n\n{answer}\n\nMed vennlig hilsen\n{u.navn}\n", headers=(("In-Reply-To", u.message_id),)))
    phone = [(None, u.kommunenummer, "20.11.2014", "sentralbord", "ikke svar", None)
             for u in units if u.enhet_id.startswith("K") and u.enhet_id not in replied]
    (rd / "telefonrunde.xlsx").write_bytes(C.phone_log(phone))
    service, kommune, _ = SERVICE_OF[name]
    (rd / "intervjuer" / f"intervju {kommune}.xlsx").write_bytes(
        C.interview({"T01": service, "T02": kommune, "T06": "frisklivssentral"}))
    return rd


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The workflow as a user runs a round kept elsewhere: from the project folder, with
    ``--configfile other.yaml`` naming the folders and the rounds. Its rounds replace those of
    config/config.yaml (the demo round is not built); its other keys override the shipped ones."""
    base = tmp_path_factory.mktemp("versions")
    raw, out = base / "raw", base / "out"
    for name, version in ROUNDS.items():
        write_round(raw, name, version)
    other = base / "other.yaml"
    other.write_text(json.dumps({
        "raw_dir": str(raw), "processed_dir": str(out / "processed"), "report_dir": str(out / "report"),
        "log_dir": str(out / "logs"), "register_dir": str(base / "register"),
        "overrides_dir": str(base / "overrides"),
        "rounds": {n: {"classification": v} for n, v in ROUNDS.items()},
    }), encoding="utf-8")
    proc = snakemake("--cores", "2", "--configfile", other, cwd=C.ROOT)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return out


def table(out: Path, *parts: str) -> pd.DataFrame:
    return pq.read_table(out.joinpath("processed", *parts)).to_pandas()


@pytest.mark.e2e
@pytest.mark.parametrize("name, n_kommuner", [("r2013", 428), ("r2020", 356)])
def test_round_is_built_in_its_own_version(run, name, n_kommuner):
    status = table(run, name, "kommune_status.parquet")
    assert len(status) == n_kommuner
    _, _, code = SERVICE_OF[name]
    covered = set(status.loc[status["har_tjeneste"] == "ja", "kommunenummer"])
    assert covered == {code}  # Bodø said ja by e-mail but no service was interviewed there: ja needs a service


@pytest.mark.e2e
@pytest.mark.parametrize("name", list(ROUNDS))
def test_figures_without_a_register_are_computed_not_reconciled(run, name):
    figures = table(run, name, "figures.parquet").set_index("figure_id")
    assert figures.loc["kommuner_totalt", "value"] == len(table(run, name, "kommune_status.parquet"))
    assert figures.loc["tjenester_totalt", "value"] == 1
    assert table(run, name, "reconciliation.parquet").empty
    html = (run / "report" / name / "kartlegging.html").read_text(encoding="utf-8")
    assert "ikke i registeret" in html
    reader = PdfReader(run / "report" / name / "kartlegging.pdf")
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert len(reader.pages) > 1 and "Lærings- og mestringstjenester i kommunene" in text and f"Runde {name}" in text
    assert f"kartlegging {name}" in html


@pytest.mark.e2e
def test_harmonised_table_has_both_rounds_in_2024(run):
    harmonised = table(run, "harmonised", "harmonised_status.parquet")
    assert set(harmonised["round"]) == set(ROUNDS)
    assert (harmonised.groupby("round").size() == 357).all()
    old = harmonised[harmonised["round"] == "r2013"]
    covered = old[old["har_tjeneste"] == "ja"]
    # Stokke (0720) was split between Tønsberg and Sandefjord in 2017: both parts count as covered.
    assert len(covered) == 2
    assert all("0720" in list(parts) for parts in covered["fra_kommuner"])
    new = harmonised[harmonised["round"] == "r2020"]
    assert set(new.loc[new["har_tjeneste"] == "ja", "kommunenummer"]) == {"5001"}
    assert not (run.parent / "register").exists() and not (run.parent / "overrides").exists()


@pytest.mark.e2e
def test_rounds_of_the_configfile_replace_the_shipped_ones(run):
    """Only the rounds of other.yaml were built: the demo round of config/config.yaml was not."""
    shared = ("reference", "harmonised", "kostra")
    built = sorted(p.name for p in (run / "processed").iterdir() if p.name not in shared and p.is_dir())
    assert built == sorted(ROUNDS)
    assert sorted(p.name for p in (run / "report").iterdir()) == sorted(ROUNDS)
