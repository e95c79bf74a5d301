"""Validation of the pipeline configuration against ``config/schema.yaml`` (JSON Schema draft-07).

Done here rather than with ``snakemake.utils.validate``, which always applies
the 2020-12 meta-schema and only warns when a schema declares draft-07. The
import is light (jsonschema, yaml): it runs while the Snakefile is parsed.
"""

from __future__ import annotations

from pathlib import Path

import jsonschema
import yaml


class ConfigError(ValueError):
    """The configuration cannot be used; the message says which key and why."""


def _with_defaults(validator_class):
    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema):
        if isinstance(instance, dict):
            for name, sub in properties.items():
                if isinstance(sub, dict) and "default" in sub:
                    instance.setdefault(name, sub["default"])
        yield from validate_properties(validator, properties, instance, schema)

    return jsonschema.validators.extend(validator_class, {"properties": set_defaults})


def validate_config(config: dict, schema_path: str | Path) -> dict:
    """Validate (and fill defaults into) ``config``; raise one message listing every problem."""
    schema = yaml.safe_load(Path(schema_path).read_text(encoding="utf-8"))
    if schema.get("$schema") != "http://json-schema.org/draft-07/schema#":
        raise ConfigError(f"{schema_path}: the schema must declare JSON Schema draft-07")
    validator = _with_defaults(jsonschema.Draft7Validator)(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path))
    if errors:
        lines = []
        for err in errors:
            where = ".".join(str(p) for p in err.absolute_path) or "(top level)"
            lines.append(f"  {where}: {err.message}")
        raise ConfigError("invalid configuration (checked against " f"{schema_path}):\n" + "\n".join(lines))
    return config

