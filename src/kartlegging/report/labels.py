"""Display labels and small helpers shared by the report's modules.

Kept apart from :mod:`kartlegging.report.render` so the section builders
(:mod:`kartlegging.report.sections`) use the same wording and sort order as
the rest of the report without importing the renderer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# The labels of the series the figures step writes are defined there, once; re-exported here.
from kartlegging.analysis.figure_series import ORG_LABELS, PHONE_LABELS, RECRUIT_LABELS  # noqa: F401
from kartlegging.analysis.quality_series import EMAIL_STATUS_LABELS, SOURCE_LABELS  # noqa: F401
from kartlegging.report.numbers import is_missing

TYPE_LABELS = {"kommunal": "Kommunal", "interkommunal": "Interkommunal"}


def label(code: Any, labels: Mapping[str, str]) -> str:
    """Display label of a code; unknown codes are shown readably rather than dropped."""
    if is_missing(code):
        return "Ikke oppgitt"
    text = str(code)
    return labels.get(text, text.replace("_", " ").capitalize())


def as_list(value: Any) -> list[str]:
    """A list column cell (numpy array, list or None) as a list of strings."""
    if value is None or (isinstance(value, float) and is_missing(value)):
        return []
    return [str(v) for v in value if not is_missing(v)]


def sort_key(text: Any) -> tuple[str, str]:
    """Norwegian-ish sort of names: casefold, with æøå after z as in the alphabet."""
    s = "" if is_missing(text) else str(text)
    key = s.casefold().replace("æ", "{").replace("ø", "|").replace("å", "}")
    return key, s


@dataclass(frozen=True)
class LeaderTitle:
    """The title of the kommune leader the letter went to, in the forms a bokmål sentence needs."""

    singular: str
    definite: str
    plural: str
    plural_definite: str


#: Irregular titles; any other title is inflected as a regular masculine noun (-en, -er, -ene).
_TITLES = {"rådmann": LeaderTitle("rådmann", "rådmannen", "rådmenn", "rådmennene")}
#: The 2018 kommunelov (in force from the 2019 election, so for the kommuner of 2020 on) names the
#: administrative leader kommunedirektør; before, most kommuner had a rådmann.
KOMMUNEDIREKTOR_FROM = 2020


def leader_title(title: str | None, classification: str = "") -> LeaderTitle:
    """The round's leader title (config ``leader_title``), or by its classification year when not given."""
    name = (title or "").strip().lower()
    if not name:
        year = int(classification[:4]) if classification[:4].isdigit() else 0
        name = "kommunedirektør" if year >= KOMMUNEDIREKTOR_FROM else "rådmann"
    return _TITLES.get(name, LeaderTitle(name, f"{name}en", f"{name}er", f"{name}ene"))
