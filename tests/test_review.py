"""The review command: open items with excerpts from the raw files, on the terminal only."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import corpus as C
import pytest
import yaml

from kartlegging.core import store
from kartlegging.core.classification import load
from kartlegging.core.fingerprint import as_metadata
from kartlegging.core.issues import issues_frame
from kartlegging.infra.review import ReviewRefused, current_inputs, print_review, skeleton
from kartlegging.ingest.dispatch import read_dispatch
from kartlegging.ingest.email.reader import ingest_email
from kartlegging.ingest.phone import ingest_phone


@pytest.fixture(scope="module")
def layout(tmp_path_factory) -> Path:
    """A round with an unidentified foreign-name reply and an ambiguous phone row, ingested into issues.parquet."""
    base = tmp_path_factory.mktemp("review")
    raw = base / "raw"
    rd = C.write_base_round(raw)
    case = next(c for c in C.EMAIL_CASES if c.id == "e-foreign-names-unidentified")
    for name, data in case.files.items():
        (rd / "epost" / name).write_bytes(data)
    cls = load(C.REFERENCE, C.CLASSIFICATION)
    dispatch = read_dispatch(rd / "utsendelse.csv", cls, C.ROUND)
    mail = ingest_email(rd / "epost", dispatch, cls, C.ROUND, [])
    log, _ = C.phone_rows_log(base=C.PHONE_BASE + C.PHONE_FILL)
    (rd / "telefonrunde.xlsx").write_bytes(log)
    phone = ingest_phone(rd / "telefonrunde.xlsx", cls, set(dispatch.units), C.ROUND, [])
    processed = base / "processed" / C.ROUND
    processed.mkdir(parents=True)
    (base / "overrides").mkdir()
    # as consolidate writes it: with the digests of the raw files it was built from
    prints = current_inputs(raw, C.ROUND, base / "overrides" / f"{C.ROUND}.yaml")
    store.write_table(issues_frame(C.ROUND, mail.issues + phone.issues), "issues", processed / "issues.parquet",
                      metadata=as_metadata(prints))
    (base / "config.yaml").write_text(yaml.safe_dump({"raw_dir": str(raw), "processed_dir": str(base / "processed"),
                                                      "overrides_dir": str(base / "overrides"),
                                                      "rounds": {C.ROUND: {"classification": "2015"}}}),
                                      encoding="utf-8")
    return base


def _snapshot(folder: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_review_prints_excerpts_from_the_raw_files_and_writes_nothing(layout):
    """The excerpt (a foreign name from the signature) is read from data/raw for the terminal; the
    processed folder is not touched, and the issues table itself holds no name."""
    before = _snapshot(layout / "processed")
    out = io.StringIO()
    n = print_review(C.ROUND, layout / "processed", layout / "raw", layout / "overrides", out)
    text = out.getvalue()
    assert n >= 2
    assert "utenlandsk.eml" in text and "epost.uidentifisert" in text
    assert C.PLANTED_FOREIGN_NAMES[1] in text  # "Siobhán O'Connor", from the raw signature
    assert "Avsenderenheten er ikke identifisert" in text  # the bokmål message of the code
    assert "telefonrunde.xlsx [" in text and "| row " in text  # the phone row, every cell
    assert _snapshot(layout / "processed") == before
    table = (layout / "processed" / C.ROUND / "issues.parquet").read_bytes()
    assert C.PLANTED_FOREIGN_NAMES[1].encode() not in table and b"Zbigniew" not in table


def test_review_prints_an_override_skeleton_that_validates_once_filled(layout):
    from kartlegging.core.overrides import OverrideError, parse_entries

    out = io.StringIO()
    print_review(C.ROUND, layout / "processed", layout / "raw", layout / "overrides", out)
    text = out.getvalue()
    start = text.index("  - id: ov-t-001")
    block = text[start:text.index("\n\n", start)]
    entry = yaml.safe_load(block)[0]
    assert entry == {"id": "ov-t-001", "source": "epost", "file": "utenlandsk.eml", "record": "",
                     "set": {"enhet_id": "…"}, "reason": "…"}
    with pytest.raises(OverrideError, match="override ov-t-001: reason '…' is a placeholder"):
        parse_entries({"overrides": [entry]}, "t.yaml")  # the skeleton as printed is not yet an override
    entry["set"]["enhet_id"] = "K1804"
    entry["reason"] = "the sender confirmed the kommune by phone"
    assert parse_entries({"overrides": [entry]}, "t.yaml")[0]["set"] == {"enhet_id": "K1804"}


def test_no_skeleton_where_no_override_settles_the_item():
    import pandas as pd

    item = pd.Series({"source": "kostra", "file": "k.csv", "record": "linje 3", "field": "linje",
                      "action": "review", "reason_code": "kostra.merknadslinje"})
    assert skeleton(item, "ov-t-001") is None


def test_review_command_line(layout):
    proc = subprocess.run([sys.executable, "-m", "kartlegging.infra.review", C.ROUND, "--config",
                           str(layout / "config.yaml")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert f"Round {C.ROUND}:" in proc.stdout and "utenlandsk.eml" in proc.stdout


def _review(config: Path, round_name: str = C.ROUND) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kartlegging.infra.review", round_name, "--config", str(config)],
                          capture_output=True, text=True, timeout=120)


def test_review_of_an_unknown_round_stops_with_one_line(layout):
    proc = _review(layout / "config.yaml", "2027")
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        f"kartlegging: round 2027 is not a round of the configuration (rounds: {C.ROUND}): give one of those, or "
        "add the round under rounds: in config/config.yaml and run `make run` first"]


def test_review_without_an_issues_table_stops_with_one_line_and_never_says_0_open(layout, tmp_path):
    """A run that stopped removes issues.parquet: the review says to run first, not "0 open item(s)"."""
    cfg = yaml.safe_load((layout / "config.yaml").read_text(encoding="utf-8"))
    cfg["processed_dir"] = str(tmp_path / "empty")
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    proc = _review(tmp_path / "c.yaml")
    assert proc.returncode == 1 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "has no issues table" in lines[0] and "run `make run` first" in lines[0]


def test_review_of_a_table_older_than_its_inputs_stops(layout, tmp_path):
    """A table built before the raw files or the overrides changed is refused, naming what changed; a file that
    was only touched (same contents) is not a change."""
    import os
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(layout, copy)
    cfg = yaml.safe_load((layout / "config.yaml").read_text(encoding="utf-8"))
    cfg.update(raw_dir=str(copy / "raw"), processed_dir=str(copy / "processed"), overrides_dir=str(copy / "overrides"))
    (copy / "config.yaml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    mail = next((copy / "raw" / C.ROUND / "epost").iterdir())
    os.utime(mail, (2_000_000_000, 2_000_000_000))
    assert _review(copy / "config.yaml").returncode == 0
    (copy / "overrides" / f"{C.ROUND}.yaml").write_text("overrides: []\n", encoding="utf-8")
    mail.write_bytes(mail.read_bytes() + b"\n")
    proc = _review(copy / "config.yaml")
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        f"kartlegging: the issues table of round {C.ROUND} ({copy / 'processed' / C.ROUND / 'issues.parquet'}) is "
        "older than its inputs (the e-mails (epost/), the overrides file changed since it was built): run "
        "`make run` first"]
    with pytest.raises(ReviewRefused):
        print_review(C.ROUND, copy / "processed", copy / "raw", copy / "overrides", io.StringIO())


def test_review_says_0_open_items_only_when_the_table_holds_none(layout, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(layout, copy)
    issues = copy / "processed" / C.ROUND / "issues.parquet"
    prints = current_inputs(copy / "raw", C.ROUND, copy / "overrides" / f"{C.ROUND}.yaml")
    store.write_table(issues_frame(C.ROUND, []), "issues", issues, metadata=as_metadata(prints))
    out = io.StringIO()
    assert print_review(C.ROUND, copy / "processed", copy / "raw", copy / "overrides", out, rounds=[C.ROUND]) == 0
    assert out.getvalue().startswith(f"Round {C.ROUND}: 0 open item(s).")
