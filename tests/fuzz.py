"""Mutation fuzzing of every reader: seeded damage to the demo files, each outcome classified.

Each case is a reader and a seed. The seed picks one of the reader's demo files
(``data/raw/2015/...``, ``data/raw/kostra/...``) and one to three mutations of it
(``tests/fuzz_mutations.py``): bit flips, insertions, truncation, duplicated or deleted lines for
every reader; changed charset and transfer-encoding declarations, broken base64 and
deep nesting for e-mail; bytes changed inside zip members, members deleted or
duplicated, CRCs, flags, methods and sizes altered, cell references, counts and
numbers changed for workbooks; deep nesting, huge numbers and fields of the wrong
kind for JSON-stat. The damaged bytes go through the reader as the pipeline calls
it, and the outcome is one of :data:`OUTCOMES`:

- ``ok``, ``review``, ``set aside`` (a quarantine item), ``one-line error`` (a
  required file that stops the run: one line naming the file, at parse time and in
  the job) are what a reader may do;
- ``crash``: an exception escaped, the process died (a native abort), a stop message
  spans several lines or does not name the file, a record was lost, a reason quotes
  raw Python exception text, or a file was set aside by a reader's last-resort catch
  (:data:`kartlegging.core.reasons.INTERNAL_FAULTS`);
- ``hang``: the case ran past the time limit.

Cases run in worker processes (one Python each, with a memory limit), so that an
abort or a hang takes a worker, which is restarted, not the harness. A case is
reproduced from its reader and seed alone::

    .venv/bin/python tests/fuzz.py --n 10000                # every reader, 10,000 each
    .venv/bin/python tests/fuzz.py --reader intervju --seed 4711 --show   # one case, in this process

``make fuzz N=10000`` runs the first form. The tests in ``tests/test_fuzz.py`` run a
handful per reader (fast tier) and a few hundred (slow tier).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from fuzz_mutations import MUTATORS  # tests/ is on the path: pytest puts it there, and it is this file's folder

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
REFERENCE = ROOT / "data" / "reference"
ROUND = "2015"

READERS = ("epost", "intervju", "telefon", "kostra_csv", "kostra_json", "utsendelse")
OUTCOMES = ("ok", "review", "set aside", "one-line error", "crash", "hang")
#: Seconds one case may take before it counts as a hang (the slowest normal case takes well under one).
CASE_TIMEOUT = 20.0
#: The worker's address-space limit: a runaway allocation fails there instead of swapping the machine.
WORKER_MEMORY = 4 * 1024**3


def base_files(reader: str) -> list[Path]:
    """The demo files a reader's cases start from."""
    files = {
        "epost": sorted((RAW / ROUND / "epost").glob("*.eml")),
        "intervju": sorted((RAW / ROUND / "intervjuer").glob("*.xlsx")),
        "telefon": [RAW / ROUND / "telefonrunde.xlsx"],
        "kostra_csv": sorted((RAW / "kostra").glob("*.csv")),
        "kostra_json": sorted((RAW / "kostra").glob("*.json")),
        "utsendelse": [RAW / ROUND / "utsendelse.csv"],
    }[reader]
    if not files:
        raise FileNotFoundError(f"no demo files for {reader} under {RAW}")
    return files


@dataclass(frozen=True)
class Case:
    reader: str
    seed: int
    base: Path
    operations: tuple[str, ...]
    data: bytes


def make_case(reader: str, seed: int) -> Case:
    """The damaged file of a reader and seed: the same bytes on every machine and run."""
    rng = random.Random(f"{reader}/{seed}")
    base = rng.choice(base_files(reader))
    data = base.read_bytes()
    ops = []
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        mutator = rng.choice(MUTATORS[reader])
        data = mutator(rng, data)
        ops.append(mutator.__name__)
    return Case(reader, seed, base, tuple(ops), data)


# ---------------------------------------------------------------------------------------------------
# Running one case (in a worker)
# ---------------------------------------------------------------------------------------------------

#: Raw Python exception text in a reason: a class name such as ``AttributeError`` or the words of one.
RAW_EXCEPTION = re.compile(r"\b[A-Z]\w*(?:Error|Exception)\b|Traceback|object has no attribute|"
                           r"is not subscriptable|unsupported operand")


class _Context:
    """What every case of a worker shares: the classification, the dispatch list, KOSTRA's regions."""

    def __init__(self) -> None:
        import yaml

        from kartlegging.core import classification as klass
        from kartlegging.ingest.dispatch import read_dispatch
        from kartlegging.ingest.kostra.parse import KostraConfig
        from kartlegging.ingest.kostra.regions import RegionContext

        self.cls = klass.load(REFERENCE, ROUND)
        self.dispatch = read_dispatch(RAW / ROUND / "utsendelse.csv", self.cls, ROUND)
        config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
        self.kostra_cfg = KostraConfig.from_config(config.get("kostra"))
        self.kostra_ctx = RegionContext.load(REFERENCE, self.kostra_cfg)
        self.work = Path(tempfile.mkdtemp(prefix="kartlegging-fuzz-"))

    def folder(self, name: str) -> Path:
        folder = self.work / name
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir()
        return folder


def _from_issues(issues: list, file: str) -> tuple[str, str]:
    from kartlegging.core.reasons import INTERNAL_FAULTS

    mine = [i for i in issues if i.file == file or not file]
    for issue in mine:
        if issue.code in INTERNAL_FAULTS:
            return "crash", f"{issue.code}: {issue.reason}"
        if RAW_EXCEPTION.search(issue.reason or ""):
            return "crash", f"raw exception text in a reason ({issue.code}): {issue.reason}"
    quarantined = [i for i in mine if i.action == "quarantine"]
    if quarantined:
        return "set aside", f"{quarantined[0].code}: {quarantined[0].reason}"
    if mine:
        return "review", mine[0].code
    return "ok", ""


def _stop(message: str, path: Path) -> tuple[str, str]:
    """A stop: one line naming the file, or a crash saying what is wrong with the message."""
    if "\n" in message or "\r" in message:
        return "crash", f"stop message spans {len(message.splitlines())} lines: {message[:300]!r}"
    if path.name not in message:
        return "crash", f"stop message does not name {path.name}: {message[:300]!r}"
    if RAW_EXCEPTION.search(message):
        return "crash", f"raw exception text in a stop message: {message[:300]!r}"
    return "one-line error", message[:200]


def run_epost(ctx: _Context, data: bytes) -> tuple[str, str]:
    from kartlegging.ingest.email.reader import ingest_email

    folder = ctx.folder("epost")
    (folder / "svar.eml").write_bytes(data)
    result = ingest_email(folder, ctx.dispatch, ctx.cls, ROUND, [])
    if len(result.table) != 1:
        return "crash", f"{len(result.table)} rows for one file: a record lost"
    return _from_issues(result.issues, "svar.eml")


def run_intervju(ctx: _Context, data: bytes) -> tuple[str, str]:
    from kartlegging.ingest.interviews import ingest_interviews
    from kartlegging.ingest.round_facts import interview_contact_names

    folder = ctx.folder("intervjuer")
    (folder / "intervju.xlsx").write_bytes(data)
    interview_contact_names(folder)  # the overrides' name check, while the Snakefile is parsed
    result = ingest_interviews(folder, ctx.cls, ROUND, [])
    whole = [i for i in result.issues if i.action == "quarantine" and i.record == ""]
    if len(result.interviews) + len(whole) != 1:
        return "crash", f"{len(result.interviews)} interviews and {len(whole)} files set aside for one file"
    return _from_issues(result.issues, "intervju.xlsx")


def run_telefon(ctx: _Context, data: bytes) -> tuple[str, str]:
    from kartlegging.ingest.dispatch import DispatchError, check_readable
    from kartlegging.ingest.filetype import workbook_problem
    from kartlegging.ingest.phone import PhoneLogError, ingest_phone
    from kartlegging.ingest.round_facts import phone_log

    path = ctx.folder("telefon") / "telefonrunde.xlsx"
    path.write_bytes(data)
    problem = workbook_problem(path, "Telefonrunde")  # the Snakefile's check while it is parsed
    phone_log(path)  # the overrides' name check, while the Snakefile is parsed
    # the same damaged workbook as a dispatch list saved from Excel (utsendelse.xlsx), read at parse time too
    as_dispatch = ctx.folder("utsendelse_xlsx") / "utsendelse.xlsx"
    as_dispatch.write_bytes(data)
    try:
        check_readable(as_dispatch)
    except DispatchError as exc:  # a stop is fine there if it is one line naming the file
        if "\n" in str(exc) or str(as_dispatch) not in str(exc):
            return "crash", f"the dispatch list's stop is not one line naming the file: {str(exc)[:200]}"
    try:
        result = ingest_phone(path, ctx.cls, set(ctx.dispatch.units), ROUND, [])
    except PhoneLogError as exc:
        return _stop(problem or str(exc), path)
    if problem is not None:
        return _stop(problem, path)
    return _from_issues(result.issues, "")


def run_kostra(ctx: _Context, data: bytes, name: str) -> tuple[str, str]:
    from kartlegging.ingest.kostra.reader import read_kostra

    path = ctx.folder("kostra") / name
    path.write_bytes(data)
    _, issues = read_kostra([path], REFERENCE, ctx.kostra_cfg, ctx.kostra_ctx)
    return _from_issues(issues, name)


def run_utsendelse(ctx: _Context, data: bytes) -> tuple[str, str]:
    from kartlegging.ingest.dispatch import DispatchError, check_readable, read_dispatch

    path = ctx.folder("utsendelse") / "utsendelse.csv"
    path.write_bytes(data)
    try:
        check_readable(path)  # the Snakefile's check while it is parsed
        read_dispatch(path, ctx.cls, ROUND)
    except DispatchError as exc:
        return _stop(str(exc), path)
    return "ok", ""


def run_case(ctx: _Context, case: Case) -> tuple[str, str]:
    """The outcome of one case, as :data:`OUTCOMES` has it; an escaping exception is a crash."""
    try:
        if case.reader == "epost":
            return run_epost(ctx, case.data)
        if case.reader == "intervju":
            return run_intervju(ctx, case.data)
        if case.reader == "telefon":
            return run_telefon(ctx, case.data)
        if case.reader in ("kostra_csv", "kostra_json"):
            return run_kostra(ctx, case.data, case.base.name)
        return run_utsendelse(ctx, case.data)
    except BaseException as exc:  # the outcome under test: whatever escapes is recorded, nothing is hidden
        if isinstance(exc, KeyboardInterrupt):
            raise
        import traceback

        where = traceback.extract_tb(exc.__traceback__)[-1]
        return "crash", f"{type(exc).__name__}: {str(exc)[:200]} ({Path(where.filename).name}:{where.lineno})"


#: Pseudo-readers the harness is tested with: a case that aborts the process as a failed native
#: allocation does, and one that never answers.
SELF_TESTS: dict[str, Callable[[], None]] = {"_abort": os.abort, "_hang": lambda: time.sleep(3600)}


def worker() -> None:
    """Read ``reader seed`` lines, answer each with one JSON line; everything else goes to stderr."""
    import logging
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY, WORKER_MEMORY))
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    logging.getLogger("kartlegging").addHandler(logging.NullHandler())
    logging.getLogger("kartlegging").propagate = False
    ctx: _Context | None = None  # loaded with the first real case, so that a worker starts fast
    out.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        reader, seed = line.split()
        if reader in SELF_TESTS:  # the harness's own test: a native abort, a hang
            SELF_TESTS[reader]()
        try:
            case = make_case(reader, int(seed))
        except Exception as exc:  # a fault of a mutator, not of a reader: reported as such
            out.write(json.dumps({"harness": f"{reader} seed {seed}: {type(exc).__name__}: {exc}"}) + "\n")
            continue
        ctx = ctx or _Context()
        start = time.perf_counter()
        outcome, detail = run_case(ctx, case)
        out.write(json.dumps({"reader": reader, "seed": int(seed), "outcome": outcome, "detail": detail,
                              "ops": case.operations, "base": case.base.name,
                              "seconds": round(time.perf_counter() - start, 3)}) + "\n")


# ---------------------------------------------------------------------------------------------------
# The harness: workers, time limits, the tally
# ---------------------------------------------------------------------------------------------------

@dataclass
class Result:
    reader: str
    seed: int
    outcome: str
    detail: str
    ops: tuple[str, ...] = ()
    base: str = ""
    seconds: float = 0.0


class _Worker:
    """One worker process: started on demand, replaced after a crash or a hang."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.proc: subprocess.Popen | None = None
        self.buffer = b""
        self.died = False
        self.stderr = tempfile.TemporaryFile()

    def _start(self) -> None:
        self.stderr.seek(0)
        self.stderr.truncate()
        env = {**os.environ, "PYTHONHASHSEED": "0", "OPENPYXL_LXML": "False", "RUST_BACKTRACE": "0"}
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--worker"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
                                     cwd=ROOT, env=env, bufsize=0)
        self.buffer = b""
        if self._line(120.0) is None:
            raise RuntimeError(f"fuzz worker did not start: {self._stderr_tail()}")

    def _line(self, timeout: float) -> bytes | None:
        """The next line the worker writes, or None when it died (``self.died``) or the time ran out."""
        assert self.proc is not None and self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        self.died = False
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                self.died = True
                return None
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line

    def _stderr_tail(self) -> str:
        self.stderr.seek(0)
        text = self.stderr.read().decode("utf-8", "replace").strip().splitlines()
        return " | ".join(text[-3:])[-300:]

    def _stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def run(self, reader: str, seed: int) -> Result:
        if self.proc is None:
            self._start()
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(f"{reader} {seed}\n".encode())
        line = self._line(self.timeout)
        if line is not None:
            d = json.loads(line)
            if "harness" in d:  # a mutator failed: no reader was tested; listed as a failure of its own
                return Result(reader, seed, "harness fault", d["harness"])
            return Result(reader, seed, d["outcome"], d["detail"], tuple(d["ops"]), d["base"], d["seconds"])
        case = make_case(reader, seed) if reader not in SELF_TESTS else Case(reader, seed, Path(reader), (), b"")
        if not self.died:
            self._stop()
            return Result(reader, seed, "hang", f"no answer within {self.timeout:.0f} s", case.operations,
                          case.base.name, self.timeout)
        code = self.proc.wait()
        tail = self._stderr_tail()
        self._stop()
        return Result(reader, seed, "crash", f"the worker died (exit status {code}): {tail}", case.operations,
                      case.base.name)

    def close(self) -> None:
        self._stop()
        self.stderr.close()


def fuzz(readers: Iterable[str], seeds: Iterable[int], workers: int = 2, timeout: float = CASE_TIMEOUT,
         progress: Callable[[int], None] | None = None) -> list[Result]:
    """Every (reader, seed) case through worker processes; the results in the order of the cases."""
    todo = [(r, s) for r in readers for s in seeds]
    results: list[Result | None] = [None] * len(todo)
    lock = threading.Lock()
    state = {"next": 0, "done": 0}
    errors: list[BaseException] = []

    def loop() -> None:
        w = _Worker(timeout)
        try:
            while True:
                with lock:
                    i = state["next"]
                    if i >= len(todo):
                        return
                    state["next"] = i + 1
                results[i] = w.run(*todo[i])
                with lock:
                    state["done"] += 1
                    if progress:
                        progress(state["done"])
        except BaseException as exc:  # a harness fault: reported by the caller, never swallowed
            errors.append(exc)
        finally:
            w.close()

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(max(1, min(workers, len(todo))))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return [r for r in results if r is not None]


def tally(results: list[Result]) -> dict[str, Counter]:
    out: dict[str, Counter] = {}
    for r in results:
        out.setdefault(r.reader, Counter())[r.outcome] += 1
    return out


def table(results: list[Result]) -> str:
    """The counts per reader and outcome as a Markdown table."""
    counts = tally(results)
    lines = ["| reader | cases | " + " | ".join(OUTCOMES) + " |", "| --- | ---: |" + " ---: |" * len(OUTCOMES)]
    for reader in READERS:
        if reader in counts:
            c = counts[reader]
            lines.append(f"| {reader} | {sum(c.values()):,} | " + " | ".join(f"{c[o]:,}" for o in OUTCOMES) + " |")
    faults = sum(c["harness fault"] for c in counts.values())
    note = f"\n\n{faults} cases could not be made (harness faults: no reader tested)" if faults else ""
    return "\n".join(lines) + note


def failures(results: list[Result]) -> list[Result]:
    """Crashes and hangs, and cases a mutator failed to make (``harness fault``: no reader was tested)."""
    return [r for r in results if r.outcome in ("crash", "hang", "harness fault")]


def describe(r: Result) -> str:
    """One failure and how to reproduce it."""
    return (f"{r.outcome}: {r.reader} seed {r.seed} ({r.base}; {', '.join(r.ops)}): {r.detail}\n"
            f"  reproduce: .venv/bin/python tests/fuzz.py --reader {r.reader} --seed {r.seed} --show")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="cases per reader (default 1000)")
    parser.add_argument("--start", type=int, default=0, help="first seed")
    parser.add_argument("--reader", action="append", choices=READERS, help="only these readers (repeatable)")
    parser.add_argument("--seed", type=int, help="with --show: the one case to run")
    parser.add_argument("--show", action="store_true", help="run one case in this process and print it")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=CASE_TIMEOUT, help="seconds per case")
    parser.add_argument("--save", type=Path, help="write the damaged file of --seed here (with --show)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker()
        return 0
    readers = args.reader or list(READERS)
    if args.show:
        case = make_case(readers[0], args.seed or 0)
        if args.save:
            args.save.write_bytes(case.data)
        print(f"{case.reader} seed {case.seed}: {case.base.name}, {', '.join(case.operations)}, "
              f"{len(case.data):,} bytes")
        print(*run_case(_Context(), case), sep=": ")
        return 0
    start = time.monotonic()
    total = args.n * len(readers)

    def progress(done: int) -> None:
        if done % 500 == 0 or done == total:
            print(f"  {done:,}/{total:,} cases, {time.monotonic() - start:.0f} s", file=sys.stderr)

    results = fuzz(readers, range(args.start, args.start + args.n), args.workers, args.timeout, progress)
    print(table(results))
    slowest = max(results, key=lambda r: r.seconds)
    print(f"\n{len(results):,} cases in {time.monotonic() - start:.0f} s with {args.workers} workers; "
          f"slowest case {slowest.seconds:.1f} s ({slowest.reader} seed {slowest.seed})")
    bad = failures(results)
    for r in bad[:50]:
        print(describe(r))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
