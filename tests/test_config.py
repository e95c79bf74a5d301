"""The config schema accepts the shipped config and rejects what the pipeline cannot use."""
import copy
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import snakemake

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = yaml.safe_load((ROOT / "config" / "schema.yaml").read_text())
CONFIG = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())


def test_schema_is_draft_07():
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema.Draft7Validator.check_schema(SCHEMA)


def test_shipped_config_is_valid():
    jsonschema.validate(CONFIG, SCHEMA, cls=jsonschema.Draft7Validator)


@pytest.mark.parametrize("mutate, fragment", [
    (lambda c: c.pop("rounds"), "rounds"),
    (lambda c: c["rounds"]["2015"].update(klassifikasjon="2015"), "klassifikasjon"),
    (lambda c: c["rounds"]["2015"].update(classification="femten"), "femten"),
    (lambda c: c.update(rounds={}), "rounds"),
    (lambda c: c.update(unknown_key=1), "unknown_key"),
    # the publication is per round: a top-level block is refused, a round's block is checked
    (lambda c: c.update(publication={"number": "1/2026"}), "publication"),
    (lambda c: c["rounds"]["2015"]["publication"].update(date="30.11.2026"), "30.11.2026"),
    (lambda c: c["rounds"]["2015"]["publication"].update(nummer="1"), "nummer"),
])
def test_invalid_configs_are_rejected(mutate, fragment):
    bad = copy.deepcopy(CONFIG)
    mutate(bad)
    with pytest.raises(jsonschema.ValidationError) as err:
        jsonschema.validate(bad, SCHEMA, cls=jsonschema.Draft7Validator)
    assert fragment in str(err.value) or fragment == "rounds"


def test_validate_config_fills_defaults_and_names_the_key():
    from kartlegging.core.config_check import ConfigError, validate_config

    cfg = copy.deepcopy(CONFIG)
    cfg.pop("overrides_dir")
    validate_config(cfg, ROOT / "config" / "schema.yaml")
    assert cfg["overrides_dir"] == "config/overrides"
    assert cfg["rounds"]["2015"]["classification"] == "2015"
    cfg["rounds"]["2024"] = {"classification": "2024", "typo": True}
    with pytest.raises(ConfigError, match=r"rounds\.2024.*typo"):
        validate_config(cfg, ROOT / "config" / "schema.yaml")


@pytest.mark.e2e
def test_bad_config_stops_snakemake_with_one_message(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("rounds:\n  '2015':\n    classification: femten\n", encoding="utf-8")
    proc = snakemake("-n", "--configfile", bad, timeout=120)
    assert proc.returncode != 0
    assert "rounds.2015.classification" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_publication_and_leader_title_are_per_round():
    """Each round its own publication frame (every key optional) and leader title; none is inherited."""
    from kartlegging.core.config_check import validate_config

    cfg = copy.deepcopy(CONFIG)
    assert "publication" not in cfg and cfg["rounds"]["2015"]["publication"]["number"] == "1/2026"
    cfg["rounds"]["2026"] = {"classification": "2024"}  # added as the README says
    validate_config(cfg, ROOT / "config" / "schema.yaml")
    assert "publication" not in cfg["rounds"]["2026"] and cfg["rounds"]["2026"]["synthetic"] is False
    cfg["rounds"]["2027"] = {"classification": "2024", "leader_title": "kommunedirektør",
                             "publication": {"series": "Rapporter", "number": "3/2027"}}
    validate_config(cfg, ROOT / "config" / "schema.yaml")
    assert cfg["rounds"]["2027"]["publication"]["demonstration"] is False
