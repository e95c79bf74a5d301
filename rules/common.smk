# Paths, round lookup and input functions. Only the standard library and a small
# YAML read happen here: nothing heavy is imported while the Snakefile is parsed.
import os
from pathlib import Path

import yaml

RAW = config["raw_dir"]
PROC = config["processed_dir"]
REPORT = config["report_dir"]
REF = config["reference_dir"]
OVERRIDES = config.get("overrides_dir", "config/overrides")
REGISTER = config.get("register_dir", "config/register")
LOGS = config.get("log_dir", "logs")
ROUNDS = sorted(str(r) for r in config["rounds"])
SRC = Path(workflow.basedir) / "src" / "kartlegging"
# Every Klass 131 version file and SSB's change table: crosswalks chain through all
# versions, and each KOSTRA year is read in the structure valid that year.
KLASS_VERSION_FILES = sorted(str(p) for p in Path(REF, "ssb-klass-131").glob("version-*.json"))
KLASS_CHANGES_FILES = sorted(str(p) for p in Path(REF, "ssb-klass-131").glob("changes-*.json"))


wildcard_constraints:
    round="|".join(ROUNDS),


def round_cfg(round_name):
    return config["rounds"][str(round_name)]


def klass_version_file(round_name):
    """The Klass 131 JSON a round's classification setting points at (by year of validity)."""
    wanted = str(round_cfg(round_name)["classification"])
    year = wanted[:4]
    candidates = sorted(Path(REF, "ssb-klass-131").glob("version-*.json"))
    exact = Path(REF, "ssb-klass-131", f"version-{year}.json")
    if exact.exists():
        return str(exact)
    older = [p for p in candidates if p.stem.split("-", 1)[1] <= year]
    return str(older[-1] if older else exact)


def files_in(folder):
    """Every file of a raw folder, sorted, so that a new or removed file reruns the ingest."""
    if not os.path.isdir(folder):
        return []
    names = sorted(n for n in os.listdir(folder) if not n.startswith("."))
    return [os.path.join(folder, n) for n in names if os.path.isfile(os.path.join(folder, n))]


def email_files(wildcards):
    return files_in(os.path.join(RAW, wildcards.round, "epost"))


def interview_files(wildcards):
    return files_in(os.path.join(RAW, wildcards.round, "intervjuer"))


def folder_of(input_name, subfolder):
    """Params function: the raw folder of a round's files, derived from the staged input files
    (as they are seen where the job runs, which need not share a filesystem with this machine);
    the configured folder when it holds no files."""

    def _params(wildcards, input):
        files = list(input[input_name])
        if files:
            return os.path.dirname(str(files[0]))
        return os.path.join(RAW, wildcards.round, subfolder)

    return _params


def overrides_file(round_name):
    return os.path.join(OVERRIDES, f"{round_name}.yaml")


def overrides_for(source):
    """Params function: the overrides of one source, so that editing an e-mail
    override reruns the e-mail ingest and what follows, not the other sources."""

    def _params(wildcards):
        path = overrides_file(wildcards.round)
        if not os.path.exists(path):
            return []
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
        items = data.get("overrides", []) if isinstance(data, dict) else []
        return [o for o in items if isinstance(o, dict) and o.get("source") == source]

    return _params


def register_of(wildcards):
    """Input function (unpack): the round's register of published figures, when there is one.
    A new round runs without it; its figures are then computed but not reconciled."""
    path = os.path.join(REGISTER, f"{wildcards.round}.yaml")
    return {"register": path} if os.path.exists(path) else {}


def round_table(name):
    return os.path.join(PROC, "{round}", f"{name}.parquet")


def report_sources():
    """Templates and code of the report: a change to any reruns the report, and only it."""
    folder = SRC / "report"
    return sorted(str(p) for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def all_targets():
    targets = [os.path.join(PROC, "kartlegging.duckdb")]
    for r in ROUNDS:
        targets += [
            os.path.join(PROC, r, "figures.parquet"),
            os.path.join(PROC, r, "kostra_crosscheck.parquet"),
            os.path.join(REPORT, r, "kartlegging.html"),
            os.path.join(REPORT, r, "kartlegging.pdf"),
        ]
    return targets


def reference_dir_of(wildcards, input):
    """Params function: the reference folder, derived from the Klass file a job reads."""
    return str(Path(str(input.klass)).parents[1])


def required_inputs_problem(round_name):
    """Why a round's raw folder cannot be used at all (see docs/INPUTS.md), or None.

    Checked while the Snakefile is parsed, with the standard library and the light
    dispatch parser only, so that a missing file stops the run before any job does work."""
    from kartlegging.dispatch import DispatchError, check_readable

    folder = os.path.join(RAW, str(round_name))
    try:
        check_readable(os.path.join(folder, "utsendelse.csv"))
    except DispatchError as err:
        return f"round {round_name}: {err}"
    for name, exists, kind in (
        ("telefonrunde.xlsx", os.path.isfile, "file"),
        ("epost", os.path.isdir, "folder"),
        ("intervjuer", os.path.isdir, "folder"),
    ):
        path = os.path.join(folder, name)
        if not exists(path):
            return f"round {round_name}: required {kind} {path} not found (see docs/INPUTS.md)"
    return None
