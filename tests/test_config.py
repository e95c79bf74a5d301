"""The config schema accepts the shipped config and rejects what the pipeline cannot use."""
import copy
from pathlib import Path

import jsonschema
import pytest
import yaml

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
])
def test_invalid_configs_are_rejected(mutate, fragment):
    bad = copy.deepcopy(CONFIG)
    mutate(bad)
    with pytest.raises(jsonschema.ValidationError) as err:
        jsonschema.validate(bad, SCHEMA, cls=jsonschema.Draft7Validator)
    assert fragment in str(err.value) or fragment == "rounds"
