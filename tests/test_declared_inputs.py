"""Every file a step reads is a declared input: steps get files, never folders, and read no other file.

Reference files reach a step as :class:`kartlegging.core.classification.ReferenceFiles` built from the
rule's inputs, so a version or change table the rule does not declare does not exist for the step. Raw
folders reach the ingest steps as their record files; hidden files and sub-folders are never inputs.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT, rule_blocks, snakemake

from kartlegging.analysis.crosswalk import CrosswalkError, KlassFiles, crosswalk_table
from kartlegging.core import classification as klass
from kartlegging.core.rawfolder import ignored_entries, record_files

REF = ROOT / "data" / "reference"
KLASS = REF / "ssb-klass-131"


def test_reference_files_are_sorted_into_their_roles_by_name():
    files = [KLASS / "version-2015.json", REF / "oslo-bydeler.csv", KLASS / "changes-2013-2024.json",
             KLASS / "version-2013.json"]
    ref = klass.ReferenceFiles.from_files(str(f) for f in files)
    assert [y for y, _ in ref.versions] == ["2013", "2015"]
    assert ref.bydeler == str(REF / "oslo-bydeler.csv") and len(ref.changes) == 1
    assert klass.reference_of([str(f) for f in files]) == ref
    with pytest.raises(klass.ClassificationError, match="not a reference file"):
        klass.ReferenceFiles.from_files([str(REF / "README.md")])


def test_a_folder_stands_for_every_reference_file_in_it():
    listed = [*KLASS.glob("version-*.json"), *KLASS.glob("changes-*.json"), REF / "oslo-bydeler.csv"]
    assert klass.reference_of(REF) == klass.ReferenceFiles.from_files(listed)
    assert len(klass.reference_of(REF).versions) >= 5


def test_a_step_sees_only_the_versions_its_rule_declares():
    declared = klass.ReferenceFiles.from_files([KLASS / "version-2015.json", REF / "oslo-bydeler.csv"])
    assert klass.load(declared, "2016").version == "2015"  # a date inside the declared version
    assert klass.load(REF, "2020").version == "2020"  # the folder has 2020 ...
    with pytest.raises(klass.ClassificationError, match="no Klass 131 version"):
        klass.load(declared, "2020")  # ... the declared files do not: it is not read


def test_without_a_declared_bydeler_file_or_change_table_the_step_says_which_is_missing():
    versions_only = klass.ReferenceFiles.from_files([KLASS / "version-2015.json"])
    with pytest.raises(klass.ClassificationError, match="oslo-bydeler.csv is not among the reference files"):
        klass.load(versions_only, "2015")
    with pytest.raises(CrosswalkError, match="expected exactly one changes-\\*.json"):
        crosswalk_table(KlassFiles((str(KLASS / "version-2015.json"),), ()))


def test_hidden_files_and_sub_folders_are_no_records_and_are_named(tmp_path):
    (tmp_path / "a.eml").write_text("x")
    (tmp_path / "B.EML").write_text("x")
    (tmp_path / ".DS_Store").write_text("x")
    (tmp_path / "gamle").mkdir()
    (tmp_path / ".skjult").mkdir()
    assert [Path(p).name for p in record_files(tmp_path)] == ["B.EML", "a.eml"]
    assert ignored_entries(tmp_path) == [".DS_Store", ".skjult", "gamle"]
    assert record_files(tmp_path / "nope") == [] and ignored_entries(tmp_path / "nope") == []



def test_no_rule_passes_a_folder_as_a_param():
    """Folders as params hide what a step reads from Snakemake (and from a cluster's file staging)."""
    for name, block in rule_blocks().items():
        params = re.search(r"(?ms)^    params:\n(.*?)(?=^    \w+:)", block)
        text = params.group(1) if params else ""
        assert not re.search(r"\w+_dir\s*=|dirname", text), f"rule {name} passes a folder: {text}"


@pytest.mark.e2e
def test_every_job_declares_the_reference_and_raw_files_its_step_reads(tmp_path):
    """The dry run of a forced build lists every job's inputs: the change table and the bydeler where a step
    translates between Klass versions or loads one, and no hidden file of a raw folder."""
    proc = snakemake("--workflow-profile", "none", "-n", "-F", "--cores", "1", "--config",
                     f"processed_dir={tmp_path / 'p'}", f"report_dir={tmp_path / 'r'}", f"log_dir={tmp_path / 'l'}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    inputs: dict[str, list[str]] = {}
    for rule, text in re.findall(r"(?m)^(?:local)?rule (\w+):\n    input: ([^\n]*)", proc.stdout):
        inputs.setdefault(rule, []).extend(text.split(", "))
    changes = f"{KLASS.relative_to(ROOT)}/changes-"
    bydeler = str((REF / "oslo-bydeler.csv").relative_to(ROOT))
    # the crosswalk is built once, from the change table and Kartverket's polygons; every rule that translates
    # kommuner between Klass versions reads its table
    polygons = str((REF / "kartverket-historic").relative_to(ROOT))
    assert any(f.startswith(changes) for f in inputs["crosswalk"]), "crosswalk reads the change table undeclared"
    assert any(f.startswith(polygons) for f in inputs["crosswalk"]), "crosswalk reads the polygons undeclared"
    crosswalk = str(tmp_path / "p" / "reference" / "crosswalk.parquet")
    for rule in ("harmonise", "kostra_crosscheck", "map_status", "round_map"):
        assert crosswalk in inputs[rule], f"{rule} reads the crosswalk table undeclared"
        assert not any(f.startswith(changes) for f in inputs[rule]), f"{rule} rebuilds the crosswalk"
    for rule in ("reference", "dispatch", "ingest_epost", "ingest_telefon", "ingest_intervjuer", "consolidate",
                 "kostra", "kostra_crosscheck"):
        assert bydeler in inputs[rule], f"{rule} reads oslo-bydeler.csv undeclared"
    assert not any(Path(f).name.startswith(".") for files in inputs.values() for f in files)
