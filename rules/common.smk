# Paths, round lookup and input functions. Only the standard library and a small
# YAML read happen here: nothing heavy is imported while the Snakefile is parsed.
import functools
import glob
import os
import re
import sys
from pathlib import Path

from kartlegging.core.rawfolder import ignored_entries, record_files
from kartlegging.infra.code_deps import PACKAGE_DIR, closure
from kartlegging.infra.runner import run_step

RAW = config["raw_dir"]
PROC = config["processed_dir"]
REPORT = config["report_dir"]
REF = config["reference_dir"]
OVERRIDES = config.get("overrides_dir", "config/overrides")
REGISTER = config.get("register_dir", "config/register")
TEKST = config.get("tekst_dir", "config/tekst")
LETTERS = config.get("letter_dir", "config/letters")
LOGS = config.get("log_dir", "logs")
ROUNDS = sorted(str(r) for r in config["rounds"])
# The package the jobs import (src/kartlegging in the editable install of `make run`).
SRC = PACKAGE_DIR
# Every Klass 131 version file and SSB's change table: crosswalks chain through all
# versions, and each KOSTRA year is read in the structure valid that year.
KLASS_VERSION_FILES = sorted(str(p) for p in Path(REF, "ssb-klass-131").glob("version-*.json"))
KLASS_CHANGES_FILES = sorted(str(p) for p in Path(REF, "ssb-klass-131").glob("changes-*.json"))
# Oslo's bydeler: read with every Klass version a step loads.
BYDELER = os.path.join(REF, "oslo-bydeler.csv")
# Every reference file a step that translates between Klass versions may read. A step is given the files its
# rule declares (kartlegging.core.classification.ReferenceFiles), never the folder, so it reads no other.
ALL_REFERENCE = [*KLASS_VERSION_FILES, *KLASS_CHANGES_FILES, BYDELER]


wildcard_constraints:
    round="|".join(ROUNDS),


def round_cfg(round_name):
    return config["rounds"][str(round_name)]


@functools.lru_cache(maxsize=None)
def klass_version_file(round_name):
    """The Klass 131 file of the version a round's classification setting names. Chosen by
    kartlegging.core.classification.version_for (a version year, or a date or year inside a version's
    validity): the one chooser there is, so the file a rule declares is the file its step loads."""
    from kartlegging.core.classification import version_for

    year = version_for(REF, str(round_cfg(round_name)["classification"]))
    return str(Path(REF, "ssb-klass-131", f"version-{year}.json"))


def klass_version_of(round_name):
    """The Klass 131 version year a round is analysed in: the year in the name of its version file."""
    return Path(klass_version_file(round_name)).stem.split("-", 1)[1]


def harmonise_to_version():
    """harmonise_to from the config as the Klass version year it names, or the newest version year present;
    a year or date no version covers stops the run with one line."""
    wanted = config.get("harmonise_to")
    if not wanted:
        return max((Path(p).stem.split("-", 1)[1] for p in KLASS_VERSION_FILES), default="")
    from kartlegging.core.classification import ClassificationError, version_for

    try:
        return version_for(REF, str(wanted))
    except ClassificationError as err:
        sys.exit(f"kartlegging: harmonise_to {wanted!r}: {err}")


# The Klass version of the map geometry (Kartverket's 2024 kommuner, see rules/map.smk).
MAP_KLASS = os.path.join(REF, "ssb-klass-131", "version-2024.json")


# Kommune geometries for drawing a round in its own structure (round_map in map.smk) and for the weights
# of the crosswalk (harmonise.smk): Kartverket's 2024 file and the historic ones, by the year in their names.
MAP_GEOMETRY_FILES = sorted(
    str(p)
    for pattern in ("kartverket/kommuner-*.geojson", "kartverket-historic/kommuner-*.geojson")
    for p in Path(REF).glob(pattern)
)


def _klass_year_of(year):
    """The Klass version in force in a year (the newest version file not after it)."""
    older = [Path(p).stem.split("-", 1)[1] for p in KLASS_VERSION_FILES if Path(p).stem.split("-", 1)[1] <= year]
    return int(older[-1]) if older else int(year)


def geometry_source(wildcards):
    """Input function: the GeoJSON of one geometry year (the year in its file name)."""
    found = [p for p in MAP_GEOMETRY_FILES if Path(p).name.split("-")[1][:4] == wildcards.geoyear]
    if not found:
        raise ValueError(f"no kommune geometry for {wildcards.geoyear} under {REF}")
    return found[0]


def round_geometry(wildcards):
    """Input function: the prepared geometry (map_geometry) nearest the round's Klass version."""
    source = round_geometry_source(wildcards)
    return os.path.join(PROC, "reference", "map_geometry", Path(source).name.split("-")[1][:4] + ".geometry.json")


def round_geometry_source(wildcards):
    """The kommune geometry whose Klass version is nearest the round's (ties: the later)."""
    if not MAP_GEOMETRY_FILES:
        raise ValueError(f"no kommune geometry (kommuner-YYYY*.geojson) under {REF}")
    own = int(Path(klass_version_file(wildcards.round)).stem.split("-", 1)[1])
    year_of = {p: Path(p).name.split("-")[1][:4] for p in MAP_GEOMETRY_FILES}
    return min(MAP_GEOMETRY_FILES, key=lambda p: (abs(_klass_year_of(year_of[p]) - own), -int(year_of[p])))


def files_in(folder):
    """Every record file of a raw folder, sorted, so that a new or removed file reruns the ingest. Hidden
    files (.DS_Store) and sub-folders are never inputs (kartlegging.core.rawfolder); see ignored_in."""
    return record_files(folder)


def dispatch_file(wildcards):
    """Input function: the round's dispatch list, utsendelse.csv or utsendelse.xlsx
    (kartlegging.ingest.dispatch.find_dispatch_file; both at once stop the run while it is parsed)."""
    from kartlegging.ingest.dispatch import find_dispatch_file

    return str(find_dispatch_file(os.path.join(RAW, wildcards.round)))


def letter_of(wildcards):
    """Input function (unpack): the round's letter template ({letter_dir}/<round>.yaml), when there is one.
    The e-mail ingest then recognises a quoted copy of the letter line by line; without one it reads the
    questionnaire as the input contract words it."""
    path = os.path.join(LETTERS, f"{wildcards.round}.yaml")
    return {"letter": path} if os.path.exists(path) else {}


def email_files(wildcards):
    return files_in(os.path.join(RAW, wildcards.round, "epost"))


def interview_files(wildcards):
    return files_in(os.path.join(RAW, wildcards.round, "intervjuer"))


def ignored_in(wildcards):
    """Params function: what each raw folder of the round holds besides its record files (hidden files,
    sub-folders), by source, for the conservation table to name. A param, not an input: these are never
    read, and a new .DS_Store reruns only consolidate."""
    return {
        "epost": ignored_entries(os.path.join(RAW, wildcards.round, "epost")),
        "intervju": ignored_entries(os.path.join(RAW, wildcards.round, "intervjuer")),
        "kostra": ignored_entries(os.path.join(RAW, "kostra")),
    }


def overrides_file(round_name):
    return os.path.join(OVERRIDES, f"{round_name}.yaml")


@functools.lru_cache(maxsize=None)
def read_overrides(round_name):
    """The round's overrides file as (entries, problem), read and validated once per Snakemake run by
    kartlegging.core.overrides: sources, the keys each source allows, value vocabularies, a reason on each,
    and, against the round's raw files (kartlegging.ingest.round_facts), the file, row and units named and
    no person's name in a reason. So a bad override stops `snakemake -n` before anything reruns. The
    parse-time check (required_inputs_problem) and the ingest params (overrides_for) share it. ``problem``
    names the file and, per problem, the line, the override's id and a fix; entries are [] then, and when
    the round has no file. A check that passed is remembered under .snakemake/kartlegging/ until the
    overrides file, a raw file of the round or the code changes (kartlegging.infra.overrides_check), so a
    no-op run does not read the raw files again."""
    from kartlegging.core.overrides import OverrideError
    from kartlegging.infra.overrides_check import checked_entries

    klass = klass_version_file(round_name) if classification_problem(round_name) is None else None
    try:
        entries = checked_entries(overrides_file(round_name), os.path.join(RAW, str(round_name)), klass, BYDELER,
                                  os.path.join(".snakemake", "kartlegging"))
    except OverrideError as err:
        return [], str(err)
    return entries, None


def overrides_for(source):
    """Params function: the overrides of one source, so that editing an e-mail
    override reruns the e-mail ingest and what follows, not the other sources."""

    def _params(wildcards):
        items, _ = read_overrides(wildcards.round)
        return [o for o in items if o.get("source") == source]

    return _params


def register_of(wildcards):
    """Input function (unpack): the round's register of published figures, when there is one.
    A new round runs without it; its figures are then computed but not reconciled."""
    path = os.path.join(REGISTER, f"{wildcards.round}.yaml")
    return {"register": path} if os.path.exists(path) else {}


def chapters_of(wildcards):
    """Input function: the analysts' Markdown chapters of the round ({tekst_dir}/<round>/*.md), sorted;
    a new chapter file reruns the report."""
    return sorted(glob.glob(os.path.join(TEKST, wildcards.round, "*.md")))


def round_table(name):
    return os.path.join(PROC, "{round}", f"{name}.parquet")


def rounds_up_to(round_name):
    """The rounds a round's report covers: every round up to and including it, oldest first."""
    return ROUNDS[: ROUNDS.index(round_name) + 1]


def round_files(table):
    """Input function: one table of every round up to the wildcard's round."""
    return lambda wc: [os.path.join(PROC, r, f"{table}.parquet") for r in rounds_up_to(wc.round)]


def code_of(rule):
    """Input: the package files a rule's step runs, relative to the working directory: the import closure
    (kartlegging.infra.code_deps) of its step module kartlegging/steps/<rule>.py, plus the runner its run:
    block calls it through. Snakemake only sees the run: block as the rule's code; with these as inputs a
    change to the logic reruns the rules that use it, and only those. Nothing is listed by hand."""
    files = closure(SRC, [f"steps.{rule}", "infra.runner"])
    return sorted({os.path.relpath(p) for p in files})


def report_sources():
    """Templates and code of the report: a change to any reruns the report, and only it."""
    folder = SRC / "report"
    files = [p for p in folder.rglob("*") if p.is_file() and p.suffix != ".py" and "__pycache__" not in p.parts]
    return sorted({os.path.relpath(p) for p in files} | set(code_of("report")))


def all_targets():
    targets = [os.path.join(PROC, "kartlegging.duckdb")]
    for r in ROUNDS:
        targets += [
            os.path.join(PROC, r, "figures.parquet"),
            os.path.join(PROC, r, "kostra_crosscheck.parquet"),
            # the round in the harmonise_to structure, for the reports of later rounds (off the report's path)
            os.path.join(PROC, r, "map_status.parquet"),
            os.path.join(REPORT, r, "kartlegging.html"),
            os.path.join(REPORT, r, "kartlegging.pdf"),
        ]
    return targets


def classification_problem(round_name):
    """Why a round's classification names no Klass 131 version of reference_dir, or None; the message
    names the version to write instead (kartlegging.core.classification.classification_problem: the
    version in force on the date, the newest one's period being open, so 2026 is analysed in 2024)."""
    from kartlegging.core.classification import classification_problem as problem

    return problem(REF, str(round_cfg(round_name)["classification"]), round_name)


def required_inputs_problem(round_name):
    """Why a round's raw folder cannot be used at all (see docs/INPUTS.md), or None.

    Checked while the Snakefile is parsed, with the standard library and the light
    dispatch parser only, so that a missing file stops the run before any job does work."""
    from kartlegging.ingest.dispatch import DispatchError, check_readable
    from kartlegging.ingest.filetype import workbook_problem

    problem = classification_problem(round_name)
    if problem:
        return problem
    folder = os.path.join(RAW, str(round_name))
    try:
        check_readable(folder if os.path.isdir(folder) else os.path.join(folder, "utsendelse.csv"))
    except DispatchError as err:
        return f"round {round_name}: {err}"
    _, problem = read_overrides(round_name)
    if problem:
        return problem
    for name, exists, kind in (
        ("telefonrunde.xlsx", os.path.isfile, "file"),
        ("epost", os.path.isdir, "folder"),
        ("intervjuer", os.path.isdir, "folder"),
    ):
        path = os.path.join(folder, name)
        if not exists(path):
            return f"round {round_name}: required {kind} {path} not found (see docs/INPUTS.md)"
    # The phone log is required: a file no reader can open (not a workbook, encrypted, no sheet
    # Telefonrunde) stops here; a sheet without its header stops the phone ingest job.
    problem = workbook_problem(os.path.join(folder, "telefonrunde.xlsx"), "Telefonrunde")
    if problem:
        return f"round {round_name}: required phone log {problem} (see docs/INPUTS.md)"
    return None


# A wildcard in an output pattern, with its constraint once Snakemake has applied wildcard_constraints.
_WILDCARD = re.compile(r"{\s*(\w+)\s*(?:,[^{}]*)?}")


def processed_tables(wildcards):
    """Input function: every Parquet file a rule writes under the processed folder, for every round.

    Taken from the rules themselves (when the DAG is built, after every rule file is read), so a
    step that writes a new table makes it an input here; the step makes a view of each table
    declared in kartlegging.core.tables whose file is among these."""
    proc = os.path.abspath(PROC)
    files = set()
    for other in workflow.rules:
        for pattern in other.output:
            path = str(pattern)
            if not path.endswith(".parquet") or os.path.commonpath([os.path.abspath(path), proc]) != proc:
                continue
            names = set(_WILDCARD.findall(path))
            if not names:
                files.add(path)
            elif names == {"round"}:
                files.update(_WILDCARD.sub(lambda _, r=r: r, path) for r in ROUNDS)
    return sorted(files)
