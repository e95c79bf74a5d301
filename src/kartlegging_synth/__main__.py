"""Command line: ``python -m kartlegging_synth --out data/raw --round 2015 --seed 2015``.

Writes ``<out>/<round>/`` and, unless ``--no-overrides``, the overrides file
(default ``config/overrides/<round>.yaml`` under the current folder, which is
the project root when run from the Makefile).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from kartlegging_synth import generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kartlegging_synth",
                                     description="Write a synthetic survey round (raw inputs per INPUTS.md).")
    parser.add_argument("--out", default="data/raw", help="raw data folder; the round goes to <out>/<round>/")
    parser.add_argument("--round", default="2015", dest="round_name",
                        help="survey round: 2015, or 2024 (the demonstration round of make demo-round-2024)")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed (default: the round's year); the same seed gives byte-identical files")
    parser.add_argument("--overrides", default=None,
                        help="where to write the overrides file (default config/overrides/<round>.yaml)")
    parser.add_argument("--no-overrides", action="store_true", help="do not write an overrides file")
    parser.add_argument("--scale", type=int, default=1, help="repeat the round N times (load tests)")
    parser.add_argument("--reference", default=None,
                        help="reference folder with ssb-klass-131 (default data/reference)")
    args = parser.parse_args(argv)

    overrides = None if args.no_overrides else Path(args.overrides or f"config/overrides/{args.round_name}.yaml")
    reference = args.reference  # None: data/reference under the current folder (default_reference_dir)
    started = time.perf_counter()
    try:
        if args.round_name == "2024":
            # the demonstration round has its own design, derived from 2015's (kartlegging_synth.round2024)
            from kartlegging_synth import round2024

            if args.scale != 1:
                raise ValueError("--scale is only available for round 2015")
            seed = round2024.DEFAULT_SEED if args.seed is None else args.seed
            result = round2024.generate(args.out, seed, overrides, reference)
        else:
            seed = 2015 if args.seed is None else args.seed
            result = generate(args.out, args.round_name, seed, overrides, args.scale, reference)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    d = result.round_dir
    n_mail = len(list((d / "epost").glob("*.eml")))
    n_iv = len(list((d / "intervjuer").glob("*.xlsx")))
    print(f"wrote {d}: utsendelse.csv, {n_mail} e-mails, telefonrunde.xlsx "
          f"({len(result.phone_rows)} attempts in the first copy), {n_iv} interviews "
          f"in {time.perf_counter() - started:.1f} s")
    if result.overrides_path is not None:
        print(f"wrote {result.overrides_path}: {len(result.overrides)} overrides")
    open_items = [e for e in result.expected_review if not e["settled"].startswith("ov-")]
    print(f"expected review items: {len(result.expected_review)} ({len(open_items)} left open on purpose)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
