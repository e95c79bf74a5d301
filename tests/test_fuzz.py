"""Mutation fuzzing of every reader (see ``tests/fuzz.py``): no damaged file may crash or hang a reader.

A crash (an exception escaping, a native abort, a stop message on several lines or not naming the
file, a lost record, raw exception text in a reason, a file set aside by a reader's last-resort
catch) or a hang fails the test with the seed that reproduces it. The fast tier runs a handful of
cases per reader, the slow tier a few hundred; ``make fuzz N=10000`` runs any number.
"""

from __future__ import annotations

import fuzz
import pytest


def _check(results: list[fuzz.Result], per_reader: int) -> None:
    assert {r.reader for r in results} == set(fuzz.READERS)
    assert len(results) == per_reader * len(fuzz.READERS)
    assert all(r.outcome in fuzz.OUTCOMES for r in results)
    bad = fuzz.failures(results)
    assert not bad, "\n" + fuzz.table(results) + "\n" + "\n".join(fuzz.describe(r) for r in bad)


def test_a_handful_of_damaged_files_per_reader():
    results = fuzz.fuzz(fuzz.READERS, range(5), workers=1)
    _check(results, 5)
    outcomes = {r.outcome for r in results}
    assert {"set aside", "one-line error"} <= outcomes, "the mutations do damage some files"


@pytest.mark.slow
def test_a_few_hundred_damaged_files_per_reader():
    results = fuzz.fuzz(fuzz.READERS, range(1000, 1250), workers=2)
    _check(results, 250)


def test_the_same_seed_gives_the_same_damaged_file():
    a, b = fuzz.make_case("intervju", 17), fuzz.make_case("intervju", 17)
    assert (a.base, a.operations, a.data) == (b.base, b.operations, b.data)
    assert fuzz.make_case("intervju", 18).data != a.data


def test_the_harness_counts_an_abort_and_a_hang_and_goes_on():
    """A worker that aborts (as a failed native allocation does) or never answers is a crash or a hang, with
    the seed; the worker is replaced and the next case runs."""
    results = fuzz.fuzz(["_abort", "_hang", "utsendelse"], [3], workers=1, timeout=2)
    assert [(r.reader, r.outcome) for r in results] == [("_abort", "crash"), ("_hang", "hang"),
                                                          ("utsendelse", results[2].outcome)]
    assert "exit status -6" in results[0].detail and results[2].outcome not in ("crash", "hang")
    assert "--reader _abort --seed 3" in fuzz.describe(results[0])
