"""A whole round run with the tool, as an analyst would: new-round, letters, replies, phone list, interviews, run.

The round is 2026 in the 2024 structure (357 kommuner and Oslo's 15 bydeler, so the contact list is
complete), with a small design: a handful of services and replies, every other unit answering the
phone. The replies are written from the drafts the letters command wrote: some keep the tag, some
quote the letter and sign below it from a private address, some are fresh messages naming the
kommune, one keeps only In-Reply-To, one is an auto-reply. The test's own design is the truth every
figure is checked against; the pipeline runs once, in a copy of the project.
"""

from __future__ import annotations

import email
import email.policy
import shutil
import subprocess
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, snakemake
from survey_project import quote, start_round, survey, without_sign_off

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ROUND = "2026"
#: The services of the design: host, other kommuner, included (T18), and how the host was found.
SERVICES = [
    {"host": "K1804", "members": [], "included": True},                       # Bodø
    {"host": "K1506", "members": ["K1547", "K1515"], "included": True},       # Molde with Aukra and Herøy (M&R)
    {"host": "B030102", "members": [], "included": True},                     # Oslo, Bydel Grünerløkka
    {"host": "K5501", "members": [], "included": False},                      # Tromsø: not a service after all
    {"host": "K4601", "members": [], "included": True},                       # Bergen, found by phone
]
#: e-mail replies: (file, unit, how it identifies itself, its text above any quote, quote style, below the quote)
REPLIES = [
    ("bodo.eml", "K1804", "tag", "1. Ja\n2. Frisklivs- og mestringssenteret\n3. Kommunal\n4. Kari Nordmann, "
                                 "99 00 12 34\n5. -", "gt", None),
    ("halden.eml", "K3101", "tag", "Nei, vi har ingen slik tjeneste.", "gt", None),
    ("grunerlokka.eml", "B030102", "tag", "1. Ja\n2. Frisklivssentralen\n3. Kommunal", "outlook", None),
    ("stavanger.eml", "K1103", "tag", "1. Nei\n5. Vet ikke", None, None),
    ("molde.eml", "K1506", "signed_below", "Hei,\n\n1. Ja\n2. Romsdal lærings- og mestringssenter\n3. Interkommunalt, "
                                           "sammen med Aukra og Herøy, Møre og Romsdal\n4. Per Olsen, 99 00 55 66",
     "outlook", ["Med vennlig hilsen", "Per Olsen", "Molde kommune"]),
    ("aukra.eml", "K1547", "signed_below", "1. Ja\n2. Romsdal LMS, sammen med Molde\n3. Interkommunal: Molde",
     "gt-rewrapped", ["Mvh", "Aukra kommune, helse"]),
    ("tromso.eml", "K5501", "signed_below", "1. Ja\n2. Mestringsenheten\n3. Kommunal", "paragraphs",
     ["--", "Liv Berg", "Tromsø kommune"]),
    ("drammen.eml", "K3301", "signed_below", "Vi har dessverre ikke et slikt tilbud.", "gt",
     ["Hilsen", "Drammen kommune"]),
    ("baerum.eml", "K3201", "private", "Hei\n\nSvar på kartleggingen: nei.\n\nHilsen Ola\nBærum kommune", None,
     None),
    ("kristiansand.eml", "K4204", "private", "Kristiansand kommune har ikke en lærings- og mestringstjeneste.\n\n"
                                             "Anne", None, None),
    ("trondheim.eml", "K5001", "in_reply_to", "Nei.\n\nHilsen Kari", None, None),
]
AUTO = ("fredrikstad-auto.eml", "K3107")
PHONE_JA = {"K4601", "K1515"}          # Bergen has a service; Herøy takes part in Molde's
PHONE_NOT_REACHED = {"K1101"}          # Eigersund: only "ikke svar"


def _draft(raw: Path, unit: str):
    return email.message_from_bytes((raw / "utsendelse" / "brev" / f"{unit}.eml").read_bytes(),
                                    policy=email.policy.default)


def write_replies(raw: Path) -> dict[str, str]:
    """The design's replies, written from the drafts; returns file -> the unit that sent it."""
    truth = {}
    for n, (file, unit, how, text, style, below) in enumerate(REPLIES):
        draft = _draft(raw, unit)
        letter = draft.get_content().rstrip("\n").split("\n")
        msg = EmailMessage()
        msg["To"] = "kartlegging@example.no"
        msg["Date"] = f"Mon, {5 + n:02d} Oct 2026 10:00:00 +0200"
        msg["Message-ID"] = f"<reply-{n}@test.invalid>"
        if how == "tag":
            msg["From"], msg["Subject"] = f"someone{n}@gmail.com", "SV: " + str(draft["Subject"])
        elif how == "in_reply_to":
            msg["From"], msg["Subject"] = "kari@gmail.com", "Svar"
            msg["In-Reply-To"] = draft["Message-ID"]
        else:   # no tag, no reference, a private address: only the text can say who wrote
            msg["From"], msg["Subject"] = f"person{n}@gmail.com", ["Svar", "Kartlegging", "Re: spørsmål"][n % 3]
        body = text.split("\n")
        if style:
            body += [""] + quote(without_sign_off(letter) if below else letter, style)
        if below:
            body += [""] + below
        msg.set_content("\n".join(body) + "\n")
        (raw / "epost" / file).write_bytes(bytes(msg))
        truth[file] = unit
    auto = EmailMessage()
    auto["From"], auto["To"] = "leder@fredrikstad.kommune.no", "kartlegging@example.no"
    auto["Subject"] = "Automatisk svar: " + str(_draft(raw, AUTO[1])["Subject"])
    auto["Date"], auto["Auto-Submitted"] = "Thu, 01 Oct 2026 09:05:00 +0200", "auto-replied"
    auto.set_content("Jeg er på kurs og er tilbake 12.10.\n")
    (raw / "epost" / AUTO[0]).write_bytes(bytes(auto))
    return truth


def fill_phone_log(raw: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(raw / "telefonrunde.xlsx")
    ws = wb["Telefonrunde"]
    for r in range(2, ws.max_row + 1):
        number = str(ws.cell(r, 2).value)
        unit = ("B" if len(number) == 6 else "K") + number
        ws.cell(r, 3).value = datetime(2026, 12, 3)
        ws.cell(r, 4).value = "sentralbord"
        ws.cell(r, 5).value = "ikke svar" if unit in PHONE_NOT_REACHED else "Ja" if unit in PHONE_JA else "nei"
    wb.save(raw / "telefonrunde.xlsx")


def fill_interviews(raw: Path) -> set[str]:
    """The interviewer's answers; returns the hosts whose workbook was found."""
    from openpyxl import load_workbook

    hosts = set()
    for path in sorted((raw / "intervjuer").glob("*.xlsx")):
        host = path.name.split("-")[1]
        hosts.add(host)
        service = next(s for s in SERVICES if s["host"] == host)
        wb = load_workbook(path)
        ws = wb["Intervju"]
        answers = {"T01": f"Tjenesten i {host}", "T06": "frisklivssentral", "T08": "ja", "T09": "ja", "T10": 4,
                   "T11": "diabetes, kols", "T12": "via brukerorganisasjoner", "T13": "ja", "T14": "ja",
                   "T15": "ja", "T16": "nei", "T17": "ja", "T18": "ja" if service["included"] else "nei",
                   "T19": "tjeneste" if service["included"] else None, "T22": datetime(2027, 1, 12)}
        for r in range(1, ws.max_row + 1):
            code = ws.cell(r, 1).value
            if code in answers and (code != "T01" or not ws.cell(r, 3).value):
                ws.cell(r, 3).value = answers[code]
        wb.save(path)
    return hosts


def test_a_round_from_new_round_to_its_figures(tmp_path):
    project = start_round(tmp_path, ROUND)
    shutil.copy(ROOT / ".gitignore", project / ".gitignore")
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    raw = project / "data" / "raw" / ROUND
    assert survey(project, "letters", ROUND, "--sendt", "2026-10-01").returncode == 0

    truth = write_replies(raw)
    replied = set(truth.values())
    proc = survey(project, "phone-list", ROUND, "--sendt", "2026-11-16")
    assert proc.returncode == 0, proc.stderr
    assert "not yet attributed" not in proc.stdout           # every reply identified before the phone round
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(raw / "telefonrunde.xlsx")).get_sheet_by_name("Telefonrunde").to_python()
    listed = [("B" if len(str(r[1])) == 6 else "K") + str(r[1]) for r in rows[1:]]
    units = [line.split(";")[0] for line in (raw / "kontaktliste.csv").read_bytes().decode("windows-1252")
             .splitlines()[1:]]
    assert listed == [u for u in units if u not in replied]   # exactly the units without an e-mail reply
    fill_phone_log(raw)

    proc = survey(project, "interview-workbooks", ROUND)
    assert proc.returncode == 0, proc.stderr
    assert fill_interviews(raw) == {s["host"] for s in SERVICES}   # one workbook per service, Molde's shared

    run = snakemake("--cores", "2", "--snakefile", ROOT / "Snakefile", "--directory", project, cwd=project)
    assert run.returncode == 0, run.stderr[-4000:]
    out = project / "data" / "processed" / ROUND

    replies = pd.read_parquet(out / "email_replies.parquet").set_index("file")
    assert replies.loc[AUTO[0], "status"] == "autosvar"
    answered = replies.drop(index=AUTO[0])
    assert dict(answered["enhet_id"]) == truth                   # every reply identified, by the right unit
    how = dict(zip([r[0] for r in REPLIES], [r[2] for r in REPLIES], strict=True))
    assert {f for f in truth if answered.loc[f, "ident_method"] == "named_in_text"} == {
        f for f, h in how.items() if h in ("signed_below", "private")}
    assert set(answered["status"]) == {"svar"}

    included = [s for s in SERVICES if s["included"]]
    kommune = {u: ("0301" if u.startswith("B") else u[1:]) for s in SERVICES for u in [s["host"], *s["members"]]}
    covered = {kommune[u] for s in included for u in [s["host"], *s["members"]]}
    expected = {
        "kommuner_totalt": 357,
        "mottakere_epost": 372,
        "epost_kommuner_med_svar": len({("0301" if u.startswith("B") else u[1:]) for u in replied}),
        "telefonrunde_enheter": 372 - len(replied),
        "tjenester_totalt": len(included),
        "tjenester_kommunale": sum(1 for s in included if not s["members"]),
        "tjenester_interkommunale": sum(1 for s in included if s["members"]),
        "kommuner_i_interkommunale": sum(1 + len(s["members"]) for s in included if s["members"]),
        "kommuner_med_tjeneste": len(covered),
        "kommuner_uten_tjeneste": 357 - len(covered),
    }
    figures = pd.read_parquet(out / "figures.parquet").set_index("figure_id")["value"]
    assert {k: float(figures[k]) for k in expected} == {k: float(v) for k, v in expected.items()}
    status = pd.read_parquet(out / "kommune_status.parquet").set_index("kommunenummer")
    assert sorted(status.index[status["har_tjeneste"] == "ja"]) == sorted(covered)
    assert (status["har_tjeneste"] == "ukjent").sum() == 0       # every unit is in a source

    issues = pd.read_parquet(out / "issues.parquet")
    assert "epost.uidentifisert" not in set(issues["reason_code"])
    report = (project / "report" / ROUND / "kartlegging.html").read_text(encoding="utf-8")
    assert "Demonstrasjon med syntetiske data" not in report    # a real round is never labelled a demonstration

    status_lines = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=project,
                                  capture_output=True, text=True, check=True).stdout
    assert f"data/raw/{ROUND}" not in status_lines and "config/letters/2026.yaml" in status_lines
