"""Where a round's files are, read from the pipeline's configuration: shared by the survey commands."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml

from kartlegging.core import classification as klass
from kartlegging.core.letter import Letter, definite, leader_title_for, load_letter


class SurveyError(ValueError):
    """Something a person can fix (a missing file, an invalid contact list); the message says what."""


@dataclass(frozen=True)
class RoundContext:
    """One round of one configuration: its folders, settings, classification and letter."""

    config_path: Path
    config: dict
    round: str

    @property
    def raw_dir(self) -> Path:
        return Path(self.config.get("raw_dir", "data/raw"))

    @property
    def round_dir(self) -> Path:
        return self.raw_dir / self.round

    @property
    def reference_dir(self) -> Path:
        return Path(self.config.get("reference_dir", "data/reference"))

    @property
    def overrides_file(self) -> Path:
        return Path(self.config.get("overrides_dir", "config/overrides")) / f"{self.round}.yaml"

    @property
    def register_file(self) -> Path:
        return Path(self.config.get("register_dir", "config/register")) / f"{self.round}.yaml"

    @property
    def letter_file(self) -> Path:
        return Path(self.config.get("letter_dir", "config/letters")) / f"{self.round}.yaml"

    @property
    def round_config(self) -> dict:
        rounds = {str(k): v for k, v in (self.config.get("rounds") or {}).items()}
        if self.round not in rounds:
            raise SurveyError(f"round {self.round} is not in {self.config_path} (start it with "
                              f"`make new-round ROUND={self.round}`)")
        return rounds[self.round] or {}

    @property
    def leader_title(self) -> str:
        """The kommuner's addressee: the round's ``leader_title``, else the title of its time."""
        return str(self.round_config.get("leader_title") or leader_title_for(self.round))

    def title_for(self, enhet_id: str) -> str:
        """The addressee's title for a unit (a bydel: bydelsdirektør)."""
        return "bydelsdirektør" if enhet_id.startswith("B") else self.leader_title

    def mottaker(self, enhet_id: str) -> str:
        return definite(self.title_for(enhet_id))

    @cached_property
    def classification(self) -> klass.Classification:
        wanted = str(self.round_config.get("classification", ""))
        try:
            return klass.load(self.reference_dir, wanted)
        except klass.ClassificationError as exc:
            raise SurveyError(f"round {self.round}: {exc}") from None

    @cached_property
    def letter(self) -> Letter:
        try:
            return load_letter(self.letter_file)
        except ValueError as exc:
            raise SurveyError(str(exc)) from None


def read_config(config_path: str | Path) -> dict:
    """The pipeline's configuration file, as Snakemake reads it (YAML or JSON)."""
    path = Path(config_path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SurveyError(f"{path}: configuration not found (run from the project folder, or give --config)") from None
    except yaml.YAMLError as exc:
        raise SurveyError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise SurveyError(f"{path}: expected a mapping of settings")
    return data


def load_context(config_path: str | Path, round_name: str) -> RoundContext:
    """The round's context; :class:`SurveyError` when the config does not list the round."""
    ctx = RoundContext(Path(config_path), read_config(config_path), str(round_name))
    _ = ctx.round_config
    return ctx
