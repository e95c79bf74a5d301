"""Write (or remove) the synthetic demonstration round 2024: raw files, overrides, register and a config of its own.

``make demo-round-2024`` runs :func:`main` through ``scripts/add_round.py`` and then the
pipeline with ``snakemake --configfile config/demo-2024.yaml``. Nothing it writes is
tracked by git (``.gitignore`` lists every path), and no tracked file is edited: the
round's config is a file of its own that lists the shipped rounds and the 2024 one,
because rounds given on the command line replace the shipped ones (see the
Snakefile) and the 2024 report compares with 2015. So the 2024 report names a clean
commit, and ``--remove`` takes everything out again.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import yaml

from kartlegging_synth.round2024 import CLASSIFICATION, DEFAULT_SEED, ROUND, generate
from kartlegging_synth.tekst2024 import chapter_files, write_chapters

#: First line of the demo config; removal checks for it before deleting the file.
DEMO_CONFIG_HEADER = ("# SYNTHETIC DEMONSTRATION round {round}, written by `make demo-round-{round}`; not committed.\n"
                      "# Run with: snakemake --configfile {path}. Lists the rounds of {base} and the demo round.\n")


#: The demo round's own publication frame: a number of its own in the demonstration series and no date,
#: so its report is marked as a draft (Utkast); nothing is inherited from round 2015.
DEMO_PUBLICATION = {
    "publisher": "Kartleggingsprosjektet (demonstrasjon, ingen offentlig utgiver)",
    "series": "Demonstrasjonsrapporter fra kartleggingen",
    "number": "2/2026",
    "authors": ["Analysegruppen i kartleggingsprosjektet"],
    "demonstration": True,
}


def demo_config(base_config: dict, round_name: str = ROUND, classification: str = CLASSIFICATION) -> dict:
    """The ``--configfile`` for the demo: the base config's rounds with the demo round added last.

    Only ``rounds`` is written: every other key comes from the shipped config, which
    Snakemake reads first. A round already in the base config is kept as it is. The demo round
    is synthetic, its letters went to the kommunedirektør, and it has a publication frame of its own.
    """
    rounds = {str(k): v for k, v in (base_config.get("rounds") or {}).items()}
    rounds.setdefault(round_name, {"classification": classification, "synthetic": True,
                                   "leader_title": "kommunedirektør", "publication": dict(DEMO_PUBLICATION)})
    return {"rounds": rounds}


def write_demo_config(base: Path, out: Path, round_name: str = ROUND) -> dict:
    """Write the demo config at ``out`` from the config file ``base`` (read only); returns its content."""
    data = demo_config(yaml.safe_load(base.read_text(encoding="utf-8")) or {}, round_name)
    text = DEMO_CONFIG_HEADER.format(round=round_name, path=out, base=base)
    text += yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return data


def _remove(round_dir: Path, files: list[Path]) -> int:
    """Delete what :func:`main` wrote, refusing anything that does not carry its marker."""
    marker = round_dir / "README.md"
    if round_dir.exists():
        if not marker.exists() or "SYNTHETIC DEMONSTRATION" not in marker.read_text(encoding="utf-8"):
            print(f"error: {round_dir} is not the generated demonstration round; left alone", file=sys.stderr)
            return 2
        shutil.rmtree(round_dir)
        print(f"deleted {round_dir}")
    for path in files:
        if path.exists():
            if "SYNTHETIC DEMONSTRATION" not in path.read_text(encoding="utf-8"):
                print(f"error: {path} was not written by this script; left alone", file=sys.stderr)
                return 2
            path.unlink()
            print(f"deleted {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/add_round.py", description=(
        "Write the synthetic demonstration round 2024 (raw files, overrides, register, chapters) and a config that "
        "runs it beside the shipped rounds; or take it out again with --remove. No tracked file is changed."))
    parser.add_argument("--round", default=ROUND, dest="round_name", help="round to add (only 2024 has a design)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed; the same seed gives identical files")
    parser.add_argument("--raw-dir", default="data/raw", type=Path, help="raw folder; the round goes to <raw>/<round>/")
    parser.add_argument("--overrides-dir", default="config/overrides", type=Path)
    parser.add_argument("--register-dir", default="config/register", type=Path)
    parser.add_argument("--tekst-dir", default="config/tekst", type=Path,
                        help="the analysts' chapters; the round's go to <tekst-dir>/<round>/")
    parser.add_argument("--config", default="config/config.yaml", type=Path,
                        help="the shipped config, read (never written) for its rounds")
    parser.add_argument("--demo-config", default=None, type=Path,
                        help="config file written for the demo run (default config/demo-<round>.yaml)")
    parser.add_argument("--reference", default="data/reference", type=Path, help="SSB Klass 131 and Kartverket data")
    parser.add_argument("--no-config", action="store_true", help="write the round's files but no demo config")
    parser.add_argument("--remove", action="store_true", help="delete the files this script writes")
    args = parser.parse_args(argv)
    if args.round_name != ROUND:
        print(f"error: only round {ROUND} has a design; got {args.round_name!r}", file=sys.stderr)
        return 2
    overrides = args.overrides_dir / f"{ROUND}.yaml"
    register = args.register_dir / f"{ROUND}.yaml"
    demo = args.demo_config or Path("config") / f"demo-{ROUND}.yaml"
    round_dir = args.raw_dir / ROUND
    tekst = args.tekst_dir / ROUND
    try:
        if args.remove:
            status = _remove(round_dir, [overrides, register, *chapter_files(tekst)]
                             + ([] if args.no_config else [demo]))
            if status == 0 and tekst.is_dir() and not any(tekst.iterdir()):
                tekst.rmdir()
            return status
        result = generate(args.raw_dir, args.seed, overrides, args.reference, register)
        d = result.round_dir
        print(f"wrote {d}: utsendelse.csv, {len(list((d / 'epost').glob('*.eml')))} e-mails, telefonrunde.xlsx "
              f"({len(result.phone_rows)} attempts), {len(result.interview_files)} interviews (SYNTHETIC)")
        print(f"wrote {overrides}: {len(result.overrides)} overrides")
        print(f"wrote {register}: design targets as the synthetic register")
        written = write_chapters(tekst, ROUND)
        print(f"wrote {tekst}: {len(written)} chapters (forord, bakgrunn, avslutning)")
        if not args.no_config:
            data = write_demo_config(args.config, demo)
            print(f"wrote {demo}: rounds {', '.join(data['rounds'])} (run: snakemake --configfile {demo})")
    except (ValueError, OSError, yaml.YAMLError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
