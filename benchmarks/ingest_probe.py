"""One ingest step of one round, on one core, in its own process: the unit of the scaling benchmark.

``bench.py`` runs this file as a child process once per (source, scale, repetition)
so that each measurement starts from a fresh interpreter (no warm caches from the
previous run) and its peak memory is its own. The child pins itself to a single
CPU before importing anything, so "messages per second on one core" means what it
says even when pyarrow or the OS would otherwise spread work over several cores.

It prints one JSON object on its last line of stdout:
``{"source", "items", "seconds", "cpu_seconds", "import_seconds", "maxrss_mb", "cpu"}``.
``seconds`` (wall clock) and ``cpu_seconds`` (user + system time of the process)
cover reading, parsing, coding, identifying and writing the step's tables (what
the Snakemake rule does after start-up); interpreter start and imports are
reported apart as ``import_seconds``, because they do not grow with the round
and are measured by the floor of the benchmark. On a machine shared with others
the CPU time is the steadier of the two: it does not count the time the pinned
process waits for its core.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the package is imported after pinning, inside the functions that need it
    from kartlegging.core.classification import Classification
    from kartlegging.ingest.dispatch import DispatchResult


def pin_to_one_cpu() -> int | None:
    """Restrict this process (and the threads it starts later) to one CPU; None where unsupported."""
    if not hasattr(os, "sched_setaffinity"):
        return None  # macOS and Windows: no affinity API; the run still measures, on however many cores
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MiB (ru_maxrss is KiB on Linux, bytes on macOS)."""
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss / (1024 * 1024) if sys.platform == "darwin" else maxrss / 1024


def _copies(dispatch_csv: Path) -> list[list[str]]:
    """The dispatch list cut into the copies of a scaled round.

    ``kartlegging_synth --scale N`` repeats every unit N times with the same
    ``enhet_id`` (only mail domains and Message-IDs differ), and
    :func:`kartlegging.ingest.dispatch.read_dispatch` rightly refuses a list with a
    repeated ``enhet_id``. A new copy starts where an ``enhet_id`` repeats.
    """
    text = dispatch_csv.read_bytes().decode("utf-8-sig")
    header, *rows = text.splitlines()
    copies: list[list[str]] = [[header]]
    seen: set[str] = set()
    for row in rows:
        enhet = row.split(";", 1)[0].strip().upper()
        if enhet in seen:
            copies.append([header])
            seen = set()
        seen.add(enhet)
        copies[-1].append(row)
    return copies


def scaled_dispatch(dispatch_csv: Path, classification: Classification, round_name: str,
                    scratch: Path) -> DispatchResult:
    """A DispatchResult that recognises the replies of every copy of a scaled round.

    Each copy is read (and validated) with the pipeline's own reader; their
    lookup maps are merged, so that a reply of copy 37 is identified by its
    In-Reply-To or its sender domain exactly as a reply of the demo round is.
    Without this, later copies would fall through to the slower identification
    steps and the benchmark would measure a round nobody sends.
    """
    from kartlegging.ingest.dispatch import read_dispatch

    merged: DispatchResult | None = None
    for n, lines in enumerate(_copies(dispatch_csv)):
        part = scratch / f"utsendelse-{n}.csv"
        part.write_text("\n".join(lines) + "\n", encoding="utf-8")
        result = read_dispatch(part, classification, round_name)
        if merged is None:
            merged = result
            continue
        merged.by_message_id.update(result.by_message_id)
        for address, units in result.by_address.items():
            merged.by_address.setdefault(address, set()).update(units)
        for domain, units in result.by_domain.items():
            merged.by_domain.setdefault(domain, set()).update(units)
    if merged is None:
        raise ValueError(f"{dispatch_csv}: no rows")
    return merged


class Clock:
    """Wall-clock and CPU seconds of one timed region."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def run_epost(round_dir: Path, reference: str, classification: str, overrides: list[dict],
              out: Path) -> tuple[int, Clock]:
    """The e-mail ingest as the rule runs it, timed from the first message read to the last table written."""
    from kartlegging.core import classification as klass
    from kartlegging.core import store
    from kartlegging.core.issues import issues_frame
    from kartlegging.ingest.email.reader import ingest_email
    from kartlegging.steps.common import applied_frame, overrides_from_params

    round_name = round_dir.name
    cls = klass.load(reference, classification)
    ovs = overrides_from_params(overrides)
    dispatch = scaled_dispatch(round_dir / "utsendelse.csv", cls, round_name, out)
    epost = round_dir / "epost"
    items = sum(1 for p in epost.iterdir() if p.is_file())
    with Clock() as clock:
        result = ingest_email(epost, dispatch, cls, round_name, ovs)
        store.write_table(result.table, "email_replies", out / "email_replies.parquet")
        store.write_table(issues_frame(round_name, result.issues), "issues", out / "issues_epost.parquet")
        store.write_table(applied_frame(round_name, ovs, result.applied), "overrides_applied",
                          out / "overrides_epost.parquet")
    return items, clock


def run_intervju(round_dir: Path, reference: str, classification: str, overrides: list[dict],
                 out: Path) -> tuple[int, Clock]:
    """The interview ingest: the pipeline's own step, unchanged (classification load included, a few ms)."""
    from kartlegging.core import classification as klass
    from kartlegging.steps.ingest_intervjuer import step_ingest_interviews

    folder = round_dir / "intervjuer"
    items = sum(1 for _ in folder.glob("*.xlsx"))
    names = ("interviews", "services", "service_kommuner", "issues", "applied")
    outputs = {name: str(out / f"{name}.parquet") for name in names}
    with Clock() as clock:
        step_ingest_interviews(
            round_dir.name,
            str(klass.available_versions(reference)[klass.version_for(reference, classification)]),
            str(Path(reference) / "oslo-bydeler.csv"), str(folder), overrides, outputs,
        )
    return items, clock


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=("epost", "intervju"), required=True)
    parser.add_argument("--round-dir", type=Path, required=True, help="<raw_dir>/<round>")
    parser.add_argument("--reference", required=True, help="reference folder with ssb-klass-131")
    parser.add_argument("--classification", default="2015")
    parser.add_argument("--overrides", type=Path, default=None, help="the round's overrides file (optional)")
    parser.add_argument("--out", type=Path, required=True, help="scratch folder for the tables")
    args = parser.parse_args(argv)

    cpu = pin_to_one_cpu()
    t0 = time.perf_counter()
    import yaml

    import kartlegging.steps.consolidate  # noqa: F401  (the import cost every rule pays, kept out of the timing)

    import_seconds = time.perf_counter() - t0
    overrides: list[dict] = []
    if args.overrides is not None and args.overrides.is_file():
        data = yaml.safe_load(args.overrides.read_text(encoding="utf-8")) or {}
        overrides = [o for o in data.get("overrides", []) if isinstance(o, dict) and o.get("source") == args.source]
    args.out.mkdir(parents=True, exist_ok=True)
    run = run_epost if args.source == "epost" else run_intervju
    items, clock = run(args.round_dir, args.reference, args.classification, overrides, args.out)
    print(json.dumps({"source": args.source, "items": items, "seconds": clock.wall, "cpu_seconds": clock.cpu,
                      "import_seconds": import_seconds, "maxrss_mb": peak_rss_mb(), "cpu": cpu}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
