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
from kartlegging.core.issues import issues_frame
from kartlegging.infra.review import print_review, skeleton
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
    store.write_table(issues_frame(C.ROUND, mail.issues + phone.issues), "issues", processed / "issues.parquet")
    (base / "overrides").mkdir()
    (base / "config.yaml").write_text(yaml.safe_dump({"raw_dir": str(raw), "processed_dir": str(base / "processed"),
                                                      "overrides_dir": str(base / "overrides")}), encoding="utf-8")
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
    from kartlegging.core.overrides import parse_entries

    out = io.StringIO()
    print_review(C.ROUND, layout / "processed", layout / "raw", layout / "overrides", out)
    text = out.getvalue()
    start = text.index("  - id: ov-t-001")
    block = text[start:text.index("\n\n", start)]
    entry = yaml.safe_load(block)[0]
    assert entry == {"id": "ov-t-001", "source": "epost", "file": "utenlandsk.eml", "record": "",
                     "set": {"enhet_id": "…"}, "reason": "…"}
    entry["set"]["enhet_id"] = "K1804"
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
