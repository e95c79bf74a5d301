"""The review command: the open items of a round, with excerpts from the raw files, on the terminal.

    python -m kartlegging.infra.review 2015            (or: make review ROUND=2015)

The processed tables name where a problem is (file, record, field, locator) and
why (a reason code), never what a person wrote. This command reads the excerpt
from data/raw/ for the analyst, and prints a YAML override skeleton for each
item that an override can settle, ready to paste into config/overrides/<round>.yaml.
It prints to the terminal only: nothing is written to data/processed/, the
logs or report/, because the excerpts are personal data.

It lists only what the table says: a round that is not in the configuration, a
round without an issues table (a run that stopped removes it) and a table built
from other raw files or overrides than those on disk now (the digests the
consolidate step stored with it, :mod:`kartlegging.core.fingerprint`) stop the
command with one line saying to run the pipeline first. "0 open item(s)" is
printed only when a current table holds none.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

import pandas as pd
import yaml

from kartlegging.core import fingerprint as fp
from kartlegging.core.reasons import CATALOGUE, CONTRADICTIONS

#: What an override sets for an item, by source and field (None: no override settles it).
SET_KEY = {
    ("epost", "enhet_id"): "enhet_id", ("epost", "q1"): "q1", ("epost", "q5"): "q5",
    ("telefon", "enhet_id"): "enhet_id", ("telefon", "Kommune/bydel"): "enhet_id",
    ("telefon", "Kommunenr"): "enhet_id", ("telefon", "svar"): "svar", ("telefon", "Svar"): "svar",
}
EXCERPT_LINES = 12


def open_items(issues: pd.DataFrame) -> pd.DataFrame:
    """Quarantined files and records, and review items no override has settled, in a stable order."""
    open_ = issues[(issues["action"] == "quarantine") | issues["resolved_by"].isna()]
    return open_.sort_values(["source", "file", "record", "field", "reason_code"], kind="stable")


def _email_excerpt(path: Path, field: str) -> list[str]:
    """Subject, sender and the start of the body (or its end, for identification: a sign-off below
    the quote) of one message, decoded as the ingest decodes it."""
    from kartlegging.ingest.email.message import read_parts
    from kartlegging.ingest.email.mime import decode_header_text

    raw = path.read_bytes()
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    out = [f"Subject: {decode_header_text(msg.get('Subject'))}", f"From:    {decode_header_text(msg.get('From'))}"]
    try:
        body, _, _, _ = read_parts(msg)
    except Exception as exc:  # an unreadable part: show what the file begins with instead
        out.append(f"(the body cannot be decoded: {type(exc).__name__})")
        body = raw.decode("utf-8", errors="replace")
    for part in msg.walk():
        if part.get_filename():
            out.append(f"Attachment: {decode_header_text(part.get_filename())}")
    lines = [ln for ln in body.splitlines() if ln.strip()]
    head = lines[:EXCERPT_LINES]
    out += ["---"] + head
    if field == "enhet_id" and len(lines) > EXCERPT_LINES:
        out += ["[…]"] + lines[-6:]
    return out


def _cell_row(locator: str, record: str) -> int | None:
    m = re.search(r"(?:cell [A-Z]+|rows? )(\d+)", locator)
    if m:
        return int(m.group(1))
    return int(record) if record.isdigit() else None


def _sheet_excerpt(path: Path, sheet: str, locator: str, record: str) -> list[str]:
    """The Excel row of the item, every cell, with the header row above it."""
    from kartlegging.ingest.workbook import WorkbookError, read_sheet

    try:
        data = read_sheet(path, sheet)
    except WorkbookError as exc:
        return [f"(cannot be opened: {exc})"]
    row = _cell_row(locator, record)
    if row is None or row > len(data.rows):
        return [f"({locator or 'the whole file'})"]
    return [f"row {row}: " + " | ".join("" if v is None else str(v) for v in data.rows[row - 1])]


def _text_excerpt(path: Path, locator: str) -> list[str]:
    m = re.search(r"line (\d+)", locator)
    lines = path.read_bytes().decode("utf-8", errors="replace").splitlines()
    if m:
        n = int(m.group(1))
        return [f"line {n}: {lines[n - 1]}" if n <= len(lines) else f"(line {n} is past the end)"]
    return lines[:3]


def excerpt(raw_dir: Path, round_name: str, item: pd.Series) -> list[str]:
    """The raw text behind one item, read from the raw file; a file that is gone says so. For an item that
    sets one source against another, the other record follows (its locator: ``also telefon: <file> row 40``)."""
    lines = _excerpt(raw_dir, round_name, str(item["source"]), str(item["file"]), str(item.get("locator") or ""),
                     str(item.get("record") or ""), str(item["field"]))
    other = _OTHER.fullmatch(str(item.get("locator") or ""))
    if str(item.get("reason_code")) in CONTRADICTIONS and other:
        source, file, row = other.group(1), other.group(2), other.group(3) or ""
        lines += [f"--- {source}: {file}" + (f" row {row}" if row else "")]
        lines += _excerpt(raw_dir, round_name, source, file, f"row {row}" if row else "", row, "q1")
    return lines


#: The other record of a contradiction, as its locator names it.
_OTHER = re.compile(r"also (\w+): (.+?)(?: row (\d+))?")


def _excerpt(raw_dir: Path, round_name: str, source: str, file: str, locator: str, record: str,
             field: str) -> list[str]:
    folder = {"epost": raw_dir / round_name / "epost", "telefon": raw_dir / round_name,
              "intervju": raw_dir / round_name / "intervjuer", "kostra": raw_dir / "kostra"}.get(source)
    if folder is None:
        return []
    path = folder / file.split(",")[0]
    if not path.is_file():
        return [f"({path} is not a file)"]
    try:
        if source == "epost":
            return _email_excerpt(path, field)
        if source == "telefon":
            return _sheet_excerpt(path, "Telefonrunde", locator, record)
        if source == "intervju":
            return _sheet_excerpt(path, "Intervju", locator, record)
        return _text_excerpt(path, locator)
    except OSError as exc:
        return [f"(cannot be read: {exc.strerror or exc})"]


def _next_ids(overrides_path: Path, round_name: str) -> Iterable[str]:
    """Override ids not yet used in the round's file: ov-<round>-NNN after the highest number."""
    used = 0
    if overrides_path.exists():
        for m in re.finditer(rf"ov-{re.escape(round_name)}-(\d+)", overrides_path.read_text(encoding="utf-8")):
            used = max(used, int(m.group(1)))
    n = used
    while True:
        n += 1
        yield f"ov-{round_name}-{n:03d}"


def skeleton(item: pd.Series, override_id: str) -> str | None:
    """A YAML override for the item, with the value left for the analyst; None when no override settles it."""
    source, field, record = str(item["source"]), str(item["field"]), str(item.get("record") or "")
    if source == "intervju" and re.fullmatch(r"T\d\d", record):
        key = "value"
    else:
        key = SET_KEY.get((source, field))
    if key is None or item["action"] == "quarantine" and source != "epost":
        return None
    entry = {"id": override_id, "source": source, "file": str(item["file"]), "record": record,
             "set": {key: "…"}, "reason": "…"}
    text = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, default_flow_style=None, width=200)
    return "\n".join("  " + ln for ln in text.rstrip().splitlines())


class ReviewRefused(Exception):
    """The review cannot list a round's items; the message says why and what to run."""


def _files_in(folder: Path) -> list[Path]:
    """The files a rule reads from a raw folder (rules/common.smk, files_in): visible files, no folders."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".") and p.is_file())


def current_inputs(raw_dir: Path, round_name: str, overrides_path: Path) -> dict[str, str]:
    """The digests of the round's raw files and overrides as they are on disk now (what consolidate reads)."""
    folder = raw_dir / round_name
    return fp.fingerprint({
        "utsendelse": [folder / "utsendelse.csv"], "telefon": [folder / "telefonrunde.xlsx"],
        "epost": _files_in(folder / "epost"), "intervju": _files_in(folder / "intervjuer"),
        "kostra": _files_in(raw_dir / "kostra"), "overrides": [overrides_path] if overrides_path.is_file() else [],
    })


def check_current(round_name: str, rounds: list[str] | None, processed_dir: Path, raw_dir: Path,
                  overrides_path: Path) -> Path:
    """The round's issues table when it can be listed; else :class:`ReviewRefused`, saying to run first."""
    if rounds is not None and round_name not in rounds:
        listed = ", ".join(rounds) or "none"
        raise ReviewRefused(f"round {round_name} is not a round of the configuration (rounds: {listed}): "
                            "give one of those, or add the round under rounds: in config/config.yaml and run "
                            "`make run` first")
    path = processed_dir / round_name / "issues.parquet"
    if not path.is_file():
        raise ReviewRefused(f"round {round_name} has no issues table ({path}): run `make run` first "
                            "(a run that stopped before consolidate leaves none)")
    import pyarrow.parquet as pq

    stored = fp.from_metadata(pq.read_schema(path).metadata)
    if stored is None:
        raise ReviewRefused(f"the issues table of round {round_name} ({path}) does not record what it was built "
                            "from (an earlier version wrote it): run `make run` first")
    try:
        now = current_inputs(raw_dir, round_name, overrides_path)
    except OSError as exc:
        raise ReviewRefused(f"the raw files of round {round_name} cannot be read ({exc}): fix them and "
                            "run `make run` first") from None
    differ = fp.changed(stored, now)
    if differ:
        raise ReviewRefused(f"the issues table of round {round_name} ({path}) is older than its inputs "
                            f"({', '.join(differ)} changed since it was built): run `make run` first")
    return path


def print_review(round_name: str, processed_dir: Path, raw_dir: Path, overrides_dir: Path,
                 out: TextIO = sys.stdout, rounds: list[str] | None = None) -> int:
    """Print every open item of the round with its excerpt and override skeleton; returns how many.
    Raises :class:`ReviewRefused` when the round's table is missing or stale (:func:`check_current`)."""
    overrides_path = overrides_dir / f"{round_name}.yaml"
    issues = check_current(round_name, rounds, processed_dir, raw_dir, overrides_path)
    frames = [pd.read_parquet(p) for p in (issues, processed_dir / "kostra" / "issues_kostra.parquet")
              if p.is_file()]
    items = open_items(pd.concat(frames, ignore_index=True))
    ids = _next_ids(overrides_path, round_name)
    print(f"Round {round_name}: {len(items)} open item(s). Excerpts are personal data: do not copy them "
          f"into tables, logs or the report.\n", file=out)
    for _, item in items.iterrows():
        entry = CATALOGUE.get(str(item["reason_code"]))
        where = " ".join(x for x in (str(item["file"]), f"[{item['record']}]" if item["record"] else "",
                                     f"({item['locator']})" if item.get("locator") else "") if x)
        print(f"== {item['source']}: {where}: {item['field']}: {item['action']}", file=out)
        print(f"   {item['reason_code']}: {entry.nb if entry else ''}", file=out)
        print(f"   {item['reason']}", file=out)
        for line in excerpt(raw_dir, round_name, item):
            print(f"   | {line}", file=out)
        skel = skeleton(item, next(ids)) if item["action"] == "review" else None
        if skel:
            print(f"   override skeleton (config/overrides/{round_name}.yaml, under overrides:; replace both …, "
                  "and name no person in the reason):", file=out)
            print(skel, file=out)
        print(file=out)
    return len(items)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kartlegging.infra.review", description=__doc__.split("\n\n")[0])
    parser.add_argument("round", help="the round, as named in config/config.yaml (2015)")
    parser.add_argument("--config", default="config/config.yaml", help="the pipeline's configuration file")
    args = parser.parse_args(argv)
    try:
        cfg = yaml.safe_load(Path(args.config).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        print(f"kartlegging: {args.config} cannot be read ({exc})", file=sys.stderr)
        return 2
    rounds = sorted(str(r) for r in (cfg.get("rounds") or {}))
    try:
        print_review(str(args.round), Path(cfg.get("processed_dir", "data/processed")),
                     Path(cfg.get("raw_dir", "data/raw")), Path(cfg.get("overrides_dir", "config/overrides")),
                     rounds=rounds)
    except ReviewRefused as exc:
        print(f"kartlegging: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
