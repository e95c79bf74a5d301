"""Add (or remove) the synthetic demonstration round 2024: raw files, overrides, register and config entry.

``make demo-round-2024`` runs :func:`main` through ``scripts/add_round.py``. The
round is kept out of the default run: nothing it writes is committed, and
``--remove`` takes it out again.

The config file is edited as text, not loaded and dumped, because a YAML
round-trip would drop its comments (they document every key) and reorder what
another developer wrote. The edit is idempotent: adding a round that is
already configured changes nothing, and the result is parsed again to check
that only the ``rounds`` entry changed.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

import yaml

from kartlegging_synth.round2024 import CLASSIFICATION, DEFAULT_SEED, ROUND, generate

#: Comment written above a round entry this module adds; removal looks for it.
MARKER = "  # synthetic demonstration round, written by `make demo-round-{round}`; not committed"


class ConfigEditError(ValueError):
    """The config file is not in the block style this editor can change safely."""


def _round_key(line: str) -> str | None:
    """The round name of a ``  "2024":`` line under ``rounds:`` (quoted or not), else None."""
    m = re.fullmatch(r"  (['\"]?)([A-Za-z0-9_-]+)\1:\s*(#.*)?", line.rstrip("\r\n"))
    return m.group(2) if m else None


def _rounds_block(lines: list[str]) -> tuple[int, int]:
    """(index of the ``rounds:`` line, index after its last indented line)."""
    starts = [i for i, line in enumerate(lines) if re.fullmatch(r"rounds:\s*(#.*)?", line.rstrip("\r\n"))]
    if len(starts) != 1:
        raise ConfigEditError("expected exactly one block-style 'rounds:' line at the top level")
    start = starts[0]
    end = start + 1
    for i in range(start + 1, len(lines)):
        text = lines[i].rstrip("\r\n")
        if text.startswith((" ", "\t")) and text.strip():
            end = i + 1
        elif text.strip() and not text.startswith("#"):
            break  # the next top-level key
    return start, end


def _check(before: str, after: str, round_name: str, present: bool) -> None:
    """The edited text parses, and differs from the original only in ``rounds[round_name]``."""
    old = yaml.safe_load(before) or {}
    new = yaml.safe_load(after) or {}
    old_rounds = {str(k): v for k, v in (old.get("rounds") or {}).items()}
    new_rounds = {str(k): v for k, v in (new.get("rounds") or {}).items()}
    if (round_name in new_rounds) != present:
        raise ConfigEditError(f"editing left round {round_name} {'missing' if present else 'present'}")
    old_rounds.pop(round_name, None)
    new_rounds.pop(round_name, None)
    rest_old = {k: v for k, v in old.items() if k != "rounds"}
    rest_new = {k: v for k, v in new.items() if k != "rounds"}
    if old_rounds != new_rounds or rest_old != rest_new:
        raise ConfigEditError("editing would change more than the round's own entry")


def add_round_text(text: str, round_name: str, classification: str, synthetic: bool = True) -> str:
    """``text`` with the round added at the end of ``rounds:``; unchanged if it is there already."""
    lines = text.splitlines(keepends=True)
    start, end = _rounds_block(lines)
    if any(_round_key(line) == round_name for line in lines[start + 1:end]):
        return text
    entry = [MARKER.format(round=round_name) + "\n", f'  "{round_name}":\n',
             f'    classification: "{classification}"\n']
    if synthetic:
        entry.append("    synthetic: true\n")
    if end > 0 and not lines[end - 1].endswith("\n"):
        lines[end - 1] += "\n"
    out = "".join(lines[:end] + entry + lines[end:])
    _check(text, out, round_name, present=True)
    return out


def remove_round_text(text: str, round_name: str) -> str:
    """``text`` without the round's entry (and the marker comment above it); unchanged if absent."""
    lines = text.splitlines(keepends=True)
    start, end = _rounds_block(lines)
    at = [i for i in range(start + 1, end) if _round_key(lines[i]) == round_name]
    if not at:
        return text
    first = at[0]
    last = first + 1
    while last < end and (lines[last].startswith("    ") or not lines[last].strip()):
        last += 1
    while last > first + 1 and not lines[last - 1].strip():
        last -= 1  # keep blank lines that separate what follows
    if first > start + 1 and lines[first - 1].rstrip("\r\n") == MARKER.format(round=round_name):
        first -= 1
    out = "".join(lines[:first] + lines[last:])
    _check(text, out, round_name, present=False)
    return out


def edit_config(path: Path, round_name: str, classification: str, remove: bool = False) -> bool:
    """Add or remove the round in the config file; True when the file changed."""
    text = path.read_text(encoding="utf-8")
    new = remove_round_text(text, round_name) if remove else add_round_text(text, round_name, classification)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/add_round.py", description=(
        "Write the synthetic demonstration round 2024 (raw files, overrides, register) and add it to the "
        "config; or take it out again with --remove."))
    parser.add_argument("--round", default=ROUND, dest="round_name", help="round to add (only 2024 has a design)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed; the same seed gives identical files")
    parser.add_argument("--raw-dir", default="data/raw", type=Path, help="raw folder; the round goes to <raw>/<round>/")
    parser.add_argument("--overrides-dir", default="config/overrides", type=Path)
    parser.add_argument("--register-dir", default="config/register", type=Path)
    parser.add_argument("--config", default="config/config.yaml", type=Path, help="config file to add the round to")
    parser.add_argument("--reference", default="data/reference", type=Path, help="SSB Klass 131 and Kartverket data")
    parser.add_argument("--no-config", action="store_true", help="write the files but leave the config alone")
    parser.add_argument("--remove", action="store_true",
                        help="remove the round from the config and delete the files this script writes")
    args = parser.parse_args(argv)
    if args.round_name != ROUND:
        print(f"error: only round {ROUND} has a design; got {args.round_name!r}", file=sys.stderr)
        return 2
    overrides = args.overrides_dir / f"{ROUND}.yaml"
    register = args.register_dir / f"{ROUND}.yaml"
    round_dir = args.raw_dir / ROUND
    try:
        if args.remove:
            if not args.no_config and edit_config(args.config, ROUND, CLASSIFICATION, remove=True):
                print(f"removed round {ROUND} from {args.config}")
            marker = round_dir / "README.md"
            if round_dir.exists():
                if not marker.exists() or "SYNTHETIC DEMONSTRATION" not in marker.read_text(encoding="utf-8"):
                    print(f"error: {round_dir} is not the generated demonstration round; left alone", file=sys.stderr)
                    return 2
                shutil.rmtree(round_dir)
                print(f"deleted {round_dir}")
            for path in (overrides, register):
                if path.exists():
                    if "SYNTHETIC DEMONSTRATION" not in path.read_text(encoding="utf-8"):
                        print(f"error: {path} was not written by this script; left alone", file=sys.stderr)
                        return 2
                    path.unlink()
                    print(f"deleted {path}")
            return 0
        result = generate(args.raw_dir, args.seed, overrides, args.reference, register)
        d = result.round_dir
        print(f"wrote {d}: utsendelse.csv, {len(list((d / 'epost').glob('*.eml')))} e-mails, telefonrunde.xlsx "
              f"({len(result.phone_rows)} attempts), {len(result.interview_files)} interviews (SYNTHETIC)")
        print(f"wrote {overrides}: {len(result.overrides)} overrides")
        print(f"wrote {register}: design targets as the synthetic register")
        if not args.no_config:
            changed = edit_config(args.config, ROUND, CLASSIFICATION)
            print(f"{'added' if changed else 'kept'} round {ROUND} in {args.config}")
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
