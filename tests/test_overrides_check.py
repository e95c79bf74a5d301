"""The parse-time overrides check is remembered between runs, and only while nothing it depends on changed."""
from __future__ import annotations

import os
from pathlib import Path

import corpus as C
import pytest

import kartlegging.ingest.round_facts as round_facts_module
from kartlegging.core.overrides import OverrideError
from kartlegging.infra.overrides_check import checked_entries

KLASS = C.REFERENCE / "ssb-klass-131" / "version-2015.json"
BYDELER = C.REFERENCE / "oslo-bydeler.csv"
ENTRY = ("round: t\noverrides:\n  - id: ov-t-001\n    source: telefon\n    file: telefonrunde.xlsx\n"
         "    record: '4'\n    set: {svar: nei}\n    reason: {reason}\n")


@pytest.fixture
def setup(tmp_path, monkeypatch):
    round_dir = C.write_base_round(tmp_path / "raw")
    overrides = tmp_path / "t.yaml"
    overrides.write_text(ENTRY.replace("{reason}", "the caller's notes give the answer"), encoding="utf-8")
    calls: list[Path] = []
    real = round_facts_module.round_facts

    def counting(rd, *args, **kwargs):
        calls.append(Path(rd))
        return real(rd, *args, **kwargs)

    monkeypatch.setattr(round_facts_module, "round_facts", counting)
    return round_dir, overrides, tmp_path / "cache", calls


def test_a_check_that_passed_is_reused_until_a_raw_file_changes(setup):
    round_dir, overrides, cache, calls = setup
    first = checked_entries(overrides, round_dir, KLASS, BYDELER, cache)
    again = checked_entries(overrides, round_dir, KLASS, BYDELER, cache)
    assert again == first and first[0]["set"] == {"svar": "nei"} and len(calls) == 1
    # the same params to Snakemake, which compares them as text: the keys in the same order too
    assert repr(again) == repr(first)
    log = round_dir / "telefonrunde.xlsx"
    os.utime(log, ns=(log.stat().st_atime_ns, log.stat().st_mtime_ns + 1_000_000_000))
    assert checked_entries(overrides, round_dir, KLASS, BYDELER, cache) == first and len(calls) == 2
    # what is kept holds the entries, nothing read from the raw files
    kept = next(cache.iterdir()).read_text(encoding="utf-8")
    assert "the caller's notes give the answer" in kept and "K0101" not in kept


def test_an_edited_overrides_file_is_checked_again_and_a_failed_check_is_never_kept(setup):
    round_dir, overrides, cache, calls = setup
    checked_entries(overrides, round_dir, KLASS, BYDELER, cache)
    overrides.write_text(ENTRY.replace("{reason}", "…"), encoding="utf-8")  # the skeleton's placeholder
    for _ in range(2):
        with pytest.raises(OverrideError, match="ov-t-001"):
            checked_entries(overrides, round_dir, KLASS, BYDELER, cache)
    assert len(calls) == 1  # the placeholder is refused before the raw files are read, each time
