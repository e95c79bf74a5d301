"""environment.yml and requirements.txt must pin the same packages at the same versions."""
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _requirements() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.lower()] = version
    return pins


def _environment() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    pins = {}
    for item in pip:
        if "==" in item:
            name, version = item.split("==")
            pins[name.lower()] = version
    return pins


def test_environment_matches_requirements():
    assert _environment() == _requirements()


def test_environment_python_is_the_supported_range():
    """3.11 to 3.13, as pyproject's requires-python and the Makefile's interpreter check say."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python>=3.11,<3.14" in env["dependencies"]
    assert 'requires-python = ">=3.11,<3.14"' in (ROOT / "pyproject.toml").read_text()
    assert "(3, 11) <= sys.version_info[:2] <= (3, 13)" in (ROOT / "Makefile").read_text()


def test_constraints_agree_with_requirements():
    constraints = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.strip().split("==")
            constraints[name.lower().replace("_", "-")] = version
    for name, version in _requirements().items():
        assert constraints.get(name.replace("_", "-")) == version, name
