"""The synthetic round generator: design self-check, determinism, shape and mess of the raw files.

The pipeline's own tests check that the parsed files give the published
figures; these tests check the generator in isolation, with a deliberately
simple identification cascade written here, so a generator bug is caught
without running the pipeline.
"""
from __future__ import annotations

import csv
import email
import html
import re
from collections import Counter
from dataclasses import replace
from datetime import datetime
from email import policy
from email.utils import parseaddr
from pathlib import Path

import openpyxl
import pytest

from kartlegging.core.classification import load
from kartlegging.core.overrides import load_overrides
from kartlegging_synth import (
    FIRST_NAMES,
    LAST_NAMES,
    PERSONAL_PATTERNS,
    ReferenceMissing,
    default_reference_dir,
    generate,
)
from kartlegging_synth.__main__ import main as synth_main
from kartlegging_synth.design import TARGETS, DesignError, build_design, check_design

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "data" / "reference"


@pytest.fixture(scope="module")
def classification():
    return load(REFERENCE, "2015")


@pytest.fixture(scope="module")
def round1(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth")
    return generate(out / "raw", "2015", 2015, out / "overrides.yaml", 1, REFERENCE)


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _messages(round_dir: Path) -> list[tuple[str, bytes, email.message.EmailMessage, str]]:
    """(file, raw bytes, parsed message, decoded text of all text parts) per reply."""
    out = []
    for path in sorted((round_dir / "epost").glob("*.eml")):
        raw = path.read_bytes()
        msg = email.message_from_bytes(raw, policy=policy.default)
        text = []
        for part in msg.walk():
            if part.get_content_maintype() == "text":
                text.append(part.get_content())
        out.append((path.name, raw, msg, "\n".join(text)))
    return out


# -- design -------------------------------------------------------------------------

def test_design_reproduces_every_published_figure(classification):
    figures = check_design(build_design(classification, 2015))
    for key, value in TARGETS.items():
        assert figures[key] == value, key
    assert figures["epost_ja_uten_tjeneste"] * 2 > figures["epost_ja_kommuner"]
    assert 3 <= figures["tjenester_over_fem_tilbud"] <= 5


def test_design_check_fails_on_a_wrong_design(classification):
    design = build_design(classification, 2015)
    design.services = design.services[1:]
    with pytest.raises(DesignError, match="tjenester_totalt"):
        check_design(design)
    design = build_design(classification, 2015)
    first = design.services[0]
    design.services[0] = replace(first, interviews=(replace(first.interviews[0], t14="nei"),))
    with pytest.raises(DesignError, match="kommunal"):
        check_design(design)


@pytest.mark.parametrize("seed", [1, 7, 99])
def test_design_holds_for_other_seeds(classification, seed):
    check_design(build_design(classification, seed))


# -- determinism and scale -------------------------------------------------------------

def test_same_seed_gives_identical_bytes(round1, tmp_path):
    again = generate(tmp_path / "raw", "2015", 2015, tmp_path / "overrides.yaml", 1, REFERENCE)
    first, second = _files(round1.round_dir), _files(again.round_dir)
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []
    assert round1.overrides_path.read_bytes() == again.overrides_path.read_bytes()


def test_other_seed_gives_other_files(round1, tmp_path):
    other = generate(tmp_path / "raw", "2015", 2016, None, 1, REFERENCE)
    a = (round1.round_dir / "utsendelse.csv").read_bytes()
    assert a != (other.round_dir / "utsendelse.csv").read_bytes()


def test_scale_two_doubles_units_and_keeps_the_first_copy(round1, tmp_path):
    big = generate(tmp_path / "raw", "2015", 2015, tmp_path / "overrides.yaml", 2, REFERENCE)
    with (big.round_dir / "utsendelse.csv").open(encoding="utf-8-sig") as fh:
        assert len(list(csv.DictReader(fh, delimiter=";"))) == 2 * 443
    n1 = len(list((round1.round_dir / "epost").glob("*.eml")))
    n2 = len(list((big.round_dir / "epost").glob("*.eml")))
    assert n2 >= 2 * n1 - 5
    assert len(list((big.round_dir / "intervjuer").glob("*.xlsx"))) == 2 * 48
    rows1 = openpyxl.load_workbook(round1.round_dir / "telefonrunde.xlsx")["Telefonrunde"].max_row
    rows2 = openpyxl.load_workbook(big.round_dir / "telefonrunde.xlsx")["Telefonrunde"].max_row
    assert rows2 > 1.8 * rows1
    small = _files(round1.round_dir / "epost")
    assert all(_files(big.round_dir / "epost")[k] == v for k, v in small.items())
    assert big.overrides_path.read_bytes() == round1.overrides_path.read_bytes()


# -- dispatch ----------------------------------------------------------------------------

def test_dispatch_has_443_units(round1):
    raw = (round1.round_dir / "utsendelse.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert len(rows) == 443
    roles = Counter(r["mottaker_rolle"] for r in rows)
    assert roles == {"rådmann": 428, "bydelsdirektør": 15}
    assert {r["kommunenummer"] for r in rows if r["bydelsnummer"]} == {"0301"}
    assert any(r["enhet_id"] == "K0301" for r in rows)
    assert len({r["message_id"] for r in rows}) == 443
    assert all(re.fullmatch(r"<[0-9a-f\-]{36}@nklmh\.no>", r["message_id"]) for r in rows)
    assert all(r["sendt"].startswith("2014-11-") for r in rows)
    assert len({r["epost"].split("@")[1] for r in rows}) == 443


# -- e-mail: identification and the published reply counts --------------------------------

def _identify(msg, dispatch, classification, overrides) -> tuple[str | None, str]:
    """A plain cascade, in INPUTS.md's order of trust, for checking the generator."""
    subject = str(msg["subject"] or "")
    m = re.search(r"\[\s*([KkBb])\s*-?\s*(\d{4}|\d{6})\s*\]|\b([KB])(\d{4}|\d{6})\b", subject)
    if m:
        return (m.group(1) or m.group(3)).upper() + (m.group(2) or m.group(4)), "tag"
    by_mid = {r["message_id"]: r["enhet_id"] for r in dispatch}
    for header in ("in-reply-to", "references"):
        for mid in re.findall(r"<[^>]+>", str(msg[header] or "")):
            if mid in by_mid:
                return by_mid[mid], "in_reply_to"
    sender = parseaddr(str(msg["from"]))[1].lower()
    by_addr = {r["epost"].lower(): r["enhet_id"] for r in dispatch}
    if sender in by_addr:
        return by_addr[sender], "sender_address"
    by_domain = {r["epost"].split("@")[1].lower(): r["enhet_id"] for r in dispatch}
    if sender.split("@")[1] in by_domain:
        return by_domain[sender.split("@")[1]], "sender_domain"
    parts = [p for p in msg.walk() if p.get_content_type() == "text/plain"] or \
        [p for p in msg.walk() if p.get_content_type() == "text/html"]
    text = html.unescape(re.sub(r"<[^>]+>", "\n", "\n".join(p.get_content() for p in parts)))
    found = classification.find_in_text(text)
    if len(found) == 1:
        return found.pop(), "named_in_text"
    return overrides.get("enhet_id"), "override" if overrides else "none"


def _is_auto(msg) -> bool:
    subject = str(msg["subject"] or "")
    return bool(re.match(r"(Automatisk svar|Fraværsmelding)", subject) or msg["auto-submitted"]
                or msg["x-autoreply"])


def test_replies_identify_188_kommuner_and_leave_254_units_to_phone(round1, classification):
    with (round1.round_dir / "utsendelse.csv").open(encoding="utf-8-sig") as fh:
        dispatch = list(csv.DictReader(fh, delimiter=";"))
    overrides = {o.file: o.set for o in load_overrides(round1.overrides_path) if o.source == "epost"}
    units: set[str] = set()
    paths: Counter = Counter()
    autos = 0
    for name, _raw, msg, _text in _messages(round1.round_dir):
        enhet, path = _identify(msg, dispatch, classification, overrides.get(name, {}))
        assert enhet is not None, name
        if _is_auto(msg):
            autos += 1
            continue
        paths[path] += 1
        units.add(enhet)
    kommuner = {"0301" if u.startswith("B") else u[1:] for u in units}
    assert len(kommuner) == 188
    assert sorted(u for u in units if u == "K0301" or u.startswith("B")) == ["B030111", "K0301"]
    assert len(units) == 189 and 443 - len(units) == 254
    assert autos >= 10
    for path in ("tag", "in_reply_to", "sender_address", "sender_domain", "named_in_text", "override"):
        assert paths[path] >= 3, (path, paths)


def test_phone_log_covers_exactly_the_units_without_reply(round1, classification):
    ws = openpyxl.load_workbook(round1.round_dir / "telefonrunde.xlsx")["Telefonrunde"]
    assert [c.value for c in ws[1]] == ["Kommune/bydel", "Kommunenr", "Dato", "Kontakt", "Svar", "Kommentar"]
    settled = {o.record: o.set["kommunenummer"] for o in load_overrides(round1.overrides_path)
               if o.source == "telefon"}
    phoned, open_rows = set(), []
    for n, row in enumerate(ws.iter_rows(min_row=2, values_only=True), 2):
        res = classification.resolve(row[0], row[1])
        if res.ok:
            phoned.add(res.enhet_id)
        elif str(n) in settled:
            assert res.status == "ambiguous"
            phoned.add(f"K{settled[str(n)]}")
        else:
            open_rows.append((n, row[0]))
    replied = {u.enhet_id for u in round1.design.units.values() if u.email is not None}
    assert len(phoned) == 254 and not phoned & replied
    assert len(open_rows) >= 1 and all(name == "Os" for _, name in open_rows)


def test_overrides_file_is_valid_and_targets_existing_records(round1):
    overrides = load_overrides(round1.overrides_path)
    assert {o.source for o in overrides} == {"epost", "telefon"}
    for o in overrides:
        if o.source == "epost":
            assert (round1.round_dir / "epost" / o.file).exists()
            assert set(o.set) <= {"enhet_id", "q1", "q5"}
        else:
            assert o.file == "telefonrunde.xlsx" and int(o.record) in round1.phone_rows
    kinds = Counter(next(iter(o.set)) for o in overrides)
    assert kinds["enhet_id"] == 3 and kinds["q1"] == 2 and kinds["kommunenummer"] >= 5


# -- mess: every item INPUTS.md promises is present at least once ----------------------------

def test_email_mess_is_present(round1):
    msgs = _messages(round1.round_dir)
    subjects = [str(m["subject"] or "") for _, _, m, _ in msgs]
    for prefix in ("SV:", "Sv:", "RE:", "VS:", "FW:", "Automatisk svar:", "Fraværsmelding"):
        assert any(s.startswith(prefix) for s in subjects), prefix
    assert any(not re.search(r"\d{4}", s) for s in subjects)                   # tag lost
    assert any(re.search(r"\[[KB]\d{4,6}\]", s) for s in subjects)             # tag kept
    assert any(re.search(r"\[[KB] \d|\[[kb]\d|\[[KB]-\d|\[ [KB]", s) for s in subjects)  # mangled
    raws = [raw for _, raw, _, _ in msgs]
    for needle in (b"In-Reply-To:", b"References:", b"Auto-Submitted: auto-replied", b"X-Autoreply: yes",
                   b"@gmail.com", b"Content-Type: multipart/alternative", b"Content-Type: text/html",
                   b"Content-Type: multipart/mixed", b'charset="utf-8"', b'charset="iso-8859-1"',
                   b'charset="windows-1252"', b"quoted-printable", b"base64", b"8bit", b".docx", b".pdf",
                   b"\r\n"):
        assert any(needle in raw for raw in raws), needle
    assert any(m.get_content_type() == "text/html" for _, _, m, _ in msgs)      # html only
    wrong = [raw for raw in raws if b'charset="iso-8859-1"\nContent-Transfer-Encoding: 8bit' in raw
             and b"\xc3\xb8" in raw]
    assert wrong, "a body declared iso-8859-1 with UTF-8 bytes"
    texts = [t for _, _, _, t in msgs]
    patterns = (r"(?m)^1\. (Ja|ja|JA)\s*$", r"(?m)^1\) (nei|Nei|NEI)", r"(?m)^Spm 1: Ja, vi har",
                r"(?m)^> .*\(ja /\s*$\n^> nei / vet ikke\)\s*$\n^(Ja|ja|Nei|nei|Vet ikke|vet ikke)",
                r"(?m)^(Kommunen har ingen|Vi har ikke noe slikt|Dessverre har vi ikke)",
                r"-----Opprinnelig melding-----", r"(?m)^Fra: .*\n^Sendt: ", r"(?m)^> .*\(ja /",
                r"(?m)^Den \d\d\.\d\d\.2014 .* skrev", r"99 ?00 ?\d\d ?\d\d", r"[a-z]+\.[a-z]+@[a-z\-]+\.kommune\.no",
                r"(?m)^Bydel [A-ZØ]", r"Jeg (er|har) .* tilbake")
    for pattern in patterns:
        assert any(re.search(pattern, t) for t in texts), pattern


def test_phone_mess_is_present(round1):
    ws = openpyxl.load_workbook(round1.round_dir / "telefonrunde.xlsx")["Telefonrunde"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    names = {r[0] for r in rows}
    for name in ("Aurskog Høland", "Bø i Telemark", "Kautokeino", "Bydel Grünerløkka", "Herøy (Nordland)",
                 "Bø", "Herøy", "Nes", "Os", "Sande", "Våler"):
        assert name in names, name
    assert any(n == n.lower() and n.isalpha() for n in names)
    numbers = [r[1] for r in rows]
    assert None in numbers and 301 in numbers and 101 in numbers
    assert any(isinstance(n, str) and n.startswith("0") for n in numbers)
    bare = {r[0] for r in rows if r[1] is None}
    assert {"Bø", "Herøy", "Nes", "Os", "Sande", "Våler"} <= bare
    dates = [r[2] for r in rows]
    assert any(isinstance(d, datetime) for d in dates)
    assert any(isinstance(d, str) and re.fullmatch(r"\d\d\.\d\d\.\d{4}", d) for d in dates)
    answers = {r[4] for r in rows}
    for svar in ("Ja", "nei", "Nei.", "usikker", "vet ikke", "ikke svar", "ringer tilbake", "har frisklivssentral"):
        assert svar in answers, svar
    assert {"sentralbord", "servicetorg", "helseleder", "frisklivssentral"} <= {r[3] for r in rows}
    per_unit = Counter((r[0], r[1]) for r in rows)
    assert max(per_unit.values()) >= 3


def _interview_answers(path: Path) -> tuple[list[str], dict[str, object], list[tuple]]:
    wb = openpyxl.load_workbook(path)
    rows = list(wb["Intervju"].iter_rows(values_only=True))
    answers = {str(r[0]): r[2] for r in rows if r[0] and str(r[0]).startswith("T")}
    return wb.sheetnames, answers, rows


def test_interview_mess_is_present(round1):
    files = sorted((round1.round_dir / "intervjuer").glob("*.xlsx"))
    assert len(files) == 48
    sheets, answers, layouts = [], [], []
    for path in files:
        s, a, rows = _interview_answers(path)
        sheets.append(s)
        answers.append(a)
        layouts.append(rows)
    assert all("Intervju" in s for s in sheets)
    assert any("Notater" in s for s in sheets) and any(s[0] == "Notater" for s in sheets)
    assert all(rows[0][0] and not re.fullmatch(r"[Tt]\d+", str(rows[0][0])) for rows in layouts)  # title
    assert all(any(tuple(r[:4]) == ("Nr", "Spørsmål", "Svar", "Kommentar") for r in rows) for rows in layouts)
    assert any("T5" in a for a in answers)                                                # short codes
    assert any(any(r == (None, None, None, None) for r in rows[4:]) for rows in layouts)   # empty rows
    assert any([str(r[0]) for r in rows if r[0] and str(r[0]).startswith("T")][0] == "T20" for rows in layouts)

    def values(code: str) -> list[object]:
        return [a.get(code, a.get("T" + str(int(code[1:])))) for a in answers]

    t04 = set(values("T04"))
    assert {"IKS", "samarbeid", "interkommunal"} <= t04 and t04 & {"kommunal", "Kommunal"}
    t05 = [v for v in values("T05") if v]
    for sep in (", ", "; ", " og ", "\n"):
        assert any(sep in v for v in t05), sep
    assert any(re.search(r"(?<!\d)[1-9]\d{2}(?!\d)", v) for v in t05)                   # lost leading zero
    t06 = set(values("T06"))
    assert {"frisklivssentral", "frisklivs- og mestringssenter", "eget senter", "avdeling", "koordinator"} <= t06
    assert any(str(v).startswith("annet: ") for v in t06)
    t10 = set(values("T10"))
    assert {"ca. 5", "3-4", "fem"} <= t10 and any(isinstance(v, int) for v in t10)
    assert any("\n" in str(v) or "," in str(v) for v in values("T11"))
    assert {"x", "X", "ja"} & set(values("T07"))
    t22 = values("T22")
    assert any(isinstance(v, datetime) for v in t22) and any(isinstance(v, str) for v in t22)
    assert "nei" in {str(v).lower() for v in values("T18")}
    assert len([v for v in values("T02") if v in ("Oslo", "Oslo kommune", "0301")]) == 3
    assert len([v for v in values("T03") if v]) == 3


# -- personal data ----------------------------------------------------------------------------

def test_personal_data_is_only_the_synthetic_kind(round1):
    phone_re = re.compile(PERSONAL_PATTERNS[0])
    for value in round1.personal:
        if any(ch.isdigit() for ch in value) and "@" not in value:
            assert phone_re.fullmatch(value), value
        elif "@" in value:
            assert re.fullmatch(PERSONAL_PATTERNS[1], value), value
        else:
            parts = value.split()
            assert parts[0] in FIRST_NAMES and (len(parts) == 1 or parts[1] in LAST_NAMES), value
    # every phone-like number in the replies is a synthetic one
    for _, _, _, text in _messages(round1.round_dir):
        for m in re.finditer(r"(?<![\d.])(?:\+47 ?)?\d{2,3}(?: ?\d{2,3}){2,3}(?![\d.])", text):
            digits = re.sub(r"\D", "", m.group())
            if len(digits) >= 8 and not digits.startswith("2014"):
                assert digits.removeprefix("47").startswith("9900"), m.group()


# -- the reference folder: from the caller or the working folder, never from the install ---------

def test_reference_folder_comes_from_the_argument_or_the_working_folder(tmp_path, monkeypatch):
    assert default_reference_dir(REFERENCE) == REFERENCE
    monkeypatch.chdir(ROOT)
    assert default_reference_dir() == Path("data") / "reference"
    monkeypatch.chdir(tmp_path)  # outside the project: no data/reference here
    with pytest.raises(ReferenceMissing, match="pass --reference"):
        default_reference_dir()
    with pytest.raises(ReferenceMissing, match=str(tmp_path / "nowhere")):
        default_reference_dir(tmp_path / "nowhere")


def test_command_line_without_a_reference_folder_stops_with_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert synth_main(["--out", str(tmp_path / "raw"), "--no-overrides"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: reference folder data/reference has no ssb-klass-131/") and err.count("\n") == 1
    assert not (tmp_path / "raw").exists()
