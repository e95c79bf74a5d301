"""A seeded generator of synthetic raw inputs for a survey round.

The real replies of 2015 are personal data and are not public, so the pipeline
is developed and tested on a synthetic round that has the same shape and the
same mess as the real one (``/work/shared/spec/INPUTS.md``) and that, once
parsed, reproduces the published figures of NK LMH 4/2016. The design (who has
which service, who answered what) lives in :mod:`kartlegging_synth.design`;
the writers only decide how it is typed.

``generate`` writes ``<out>/<round>/`` (``utsendelse.csv``, ``epost/*.eml``,
``telefonrunde.xlsx``, ``intervjuer/*.xlsx``) and the overrides file with the
analyst decisions the figures depend on. The same seed gives byte-identical files.

Personal data: every name, phone number and personal address in the output is
invented from :data:`FIRST_NAMES`, :data:`LAST_NAMES` and :data:`PHONE_PREFIX`;
:attr:`Generated.personal` lists the exact values written, for leak tests.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from kartlegging.core.classification import load
from kartlegging_synth.common import FIRST_NAMES, LAST_NAMES, PERSONAL_PATTERNS, PHONE_PREFIX, People
from kartlegging_synth.design import ROUND, Design, build_design, check_design
from kartlegging_synth.dispatch import dispatch_rows, plan_dispatch, write_dispatch
from kartlegging_synth.emails import EmailWriter, Reply
from kartlegging_synth.interviews import InterviewWriter
from kartlegging_synth.phone import PhoneRow, PhoneWriter, write_phone

__all__ = ["FIRST_NAMES", "LAST_NAMES", "PHONE_PREFIX", "PERSONAL_PATTERNS", "Generated", "generate",
           "default_reference_dir", "ReferenceMissing"]


class ReferenceMissing(ValueError):
    """No reference folder (SSB Klass 131, Kartverket) to build a design from."""


def default_reference_dir(reference_dir: str | Path | None = None) -> Path:
    """The reference folder the generator reads: ``reference_dir`` when given, else ``data/reference``
    under the current folder (the project root, where the Makefile runs).

    Taken from the caller or the working folder, never from where this package is installed, so an
    installed (not editable) copy works too; a folder without ``ssb-klass-131`` stops with a message
    that says what to pass instead of a traceback deep in the classification loader.
    """
    path = Path(reference_dir) if reference_dir is not None else Path("data") / "reference"
    if not (path / "ssb-klass-131").is_dir():
        how = "" if reference_dir is not None else " (none given, and data/reference is not under the current folder)"
        raise ReferenceMissing(f"reference folder {path} has no ssb-klass-131/{how}: pass --reference "
                               "<project>/data/reference, or run from the project root")
    return path


@dataclass
class Generated:
    """What one run wrote, and what the pipeline is expected to make of it."""

    round_dir: Path
    overrides_path: Path | None
    design: Design
    overrides: list[dict[str, object]]
    expected_review: list[dict[str, str]]
    personal: set[str] = field(default_factory=set)
    replies: list[Reply] = field(default_factory=list)
    phone_rows: dict[int, PhoneRow] = field(default_factory=dict)
    interview_files: list[str] = field(default_factory=list)
    features: set[str] = field(default_factory=set)


def _clear(round_dir: Path) -> None:
    """Remove files an earlier run wrote, so a smaller run leaves no stale replies behind."""
    for pattern in ("utsendelse.csv", "telefonrunde.xlsx", "epost/*.eml", "intervjuer/*.xlsx"):
        for path in round_dir.glob(pattern):
            path.unlink()


def generate(out: str | Path, round_name: str = ROUND, seed: int = 2015, overrides_path: str | Path | None = None,
             scale: int = 1, reference_dir: str | Path | None = None) -> Generated:
    """Write a synthetic round under ``out/round_name`` (and the overrides file, if a path is given).

    ``scale`` > 1 repeats the round with fresh seeds (files prefixed ``r2-``,
    ``r3-``, ...; units repeated with a suffix on name and mail domain) for load
    tests; only the first copy reproduces the published figures, and the
    overrides refer to the first copy only, whose files are the same as at scale 1.
    """
    if round_name != ROUND:
        raise ValueError(f"only round {ROUND} has a design; got {round_name!r}")
    if scale < 1:
        raise ValueError("scale must be at least 1")
    classification = load(default_reference_dir(reference_dir), round_name)
    round_dir = Path(out) / round_name
    (round_dir / "epost").mkdir(parents=True, exist_ok=True)
    (round_dir / "intervjuer").mkdir(parents=True, exist_ok=True)
    _clear(round_dir)

    dispatch: list[dict[str, str]] = []
    phone_rows: list[PhoneRow] = []
    overrides: list[dict[str, object]] = []
    expected: list[dict[str, str]] = []
    personal: set[str] = set()
    features: set[str] = set()
    first: Generated | None = None
    replies0: list[Reply] = []
    n_phone0 = 0
    interview_files: list[str] = []
    for copy in range(scale):
        tag = f"{seed}-{copy}"
        design = build_design(classification, seed if copy == 0 else seed * 1000 + copy)
        if copy == 0:
            check_design(design)
        people = People(random.Random(f"people-{tag}"))
        suffix = "" if copy == 0 else f"-{copy + 1}"
        prefix = "" if copy == 0 else f"r{copy + 1}-"
        sent = plan_dispatch(design, random.Random(f"dispatch-{tag}"), suffix)
        dispatch += dispatch_rows(sent)
        mail = EmailWriter(design, sent, random.Random(f"email-{tag}"), people, prefix)
        replies = mail.write_all(round_dir / "epost")
        phone = PhoneWriter(design, random.Random(f"phone-{tag}"), people)
        rows = phone.rows()
        phone_rows += rows
        iw = InterviewWriter(design, random.Random(f"interviews-{tag}"), people, prefix)
        written = iw.write_all(round_dir / "intervjuer")
        interview_files += [name for name, _, _ in written]
        personal |= mail.personal | phone.personal | iw.personal
        features |= iw.features
        if copy == 0:
            first = Generated(round_dir, None, design, [], [])
            replies0, n_phone0 = replies, len(rows)
            overrides += [{k: v for k, v in o.items() if k != "_kind"} for o in mail.overrides]
            for r in replies:
                if r.special == "unclear":
                    expected.append({"source": "epost", "file": r.file, "record": "",
                                     "reason": "question 1 cannot be coded (no ja/nei/vet ikke given)",
                                     "settled": "no (a non-answer; changes no figure)"})

    write_dispatch(dispatch, round_dir / "utsendelse.csv")
    by_row = write_phone(phone_rows, round_dir / "telefonrunde.xlsx")
    for row, r in by_row.items():
        if r.review is None or row - 1 > n_phone0:
            continue
        if r.review == "settle":
            kommunenummer = r.enhet_id[1:]
            overrides.append({"source": "telefon", "file": "telefonrunde.xlsx", "record": str(row),
                              "set": {"kommunenummer": kommunenummer},
                              "reason": f"Navnet «{r.navn}» alene passer på flere kommuner; notatene fra "
                                        f"samtalen viser at det er "
                                        f"{first.design.classification.kommuner[kommunenummer].name}."})
        else:
            expected.append({"source": "telefon", "file": "telefonrunde.xlsx", "record": str(row),
                             "reason": f"ambiguous bare name {r.navn!r} without number",
                             "settled": "no (a later attempt names the kommune; changes no figure)"})
    number_overrides(overrides, round_name, expected)
    assert first is not None
    first.overrides = overrides
    first.expected_review = expected
    first.personal = personal
    first.replies = replies0
    first.phone_rows = {k: v for k, v in by_row.items() if k - 1 <= n_phone0}
    first.interview_files = interview_files
    first.features = features
    if overrides_path is not None:
        first.overrides_path = Path(overrides_path)
        write_overrides(overrides, round_name, seed, first.overrides_path)
    return first


def number_overrides(overrides: list[dict[str, object]], round_name: str, expected: list[dict[str, str]]) -> None:
    """Give each override its id (``ov-<round>-001`` on, in order) and list it among the expected review
    items as settled by that id, so the tests know which item each override must settle."""
    for n, o in enumerate(overrides, 1):
        o["id"] = f"ov-{round_name}-{n:03d}"
        expected.append({"source": str(o["source"]), "file": str(o["file"]), "record": str(o["record"]),
                         "reason": str(o["reason"]), "settled": o["id"]})


def write_overrides(overrides: list[dict[str, object]], round_name: str, seed: int, path: Path) -> None:
    """Write the overrides file in the shape :mod:`kartlegging.core.overrides` reads, byte-stable."""
    header = [
        f"# Analyst decisions on review items of round {round_name}.",
        f"# Written by `python -m kartlegging_synth --seed {seed}` together with the synthetic raw files;",
        "# each entry settles one record the ingest rules cannot decide on their own.",
    ]
    write_overrides_yaml(header, round_name, overrides, path)


def write_overrides_yaml(header: list[str], round_name: str, overrides: list[dict[str, object]], path: Path) -> None:
    """The overrides file every generated round writes: its comment lines, then one entry per override, with
    values quoted as JSON strings so the text is the same on every run."""
    def q(value: object) -> str:
        return json.dumps(str(value), ensure_ascii=False)

    lines = [*header, f"round: {q(round_name)}", "overrides:"]
    for o in overrides:
        sets = ", ".join(f"{k}: {q(v)}" for k, v in o["set"].items())  # type: ignore[union-attr]
        lines += [
            f"  - id: {o['id']}",
            f"    source: {o['source']}",
            f"    file: {q(o['file'])}",
            f"    record: {q(o['record'])}",
            f"    set: {{{sets}}}",
            f"    reason: {q(o['reason'])}",
        ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
