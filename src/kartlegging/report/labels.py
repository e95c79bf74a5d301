"""Display labels and small helpers shared by the report's modules.

Kept apart from :mod:`kartlegging.report.render` so the section builders
(:mod:`kartlegging.report.sections`) use the same wording and sort order as
the rest of the report without importing the renderer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The labels of the series the figures step writes are defined there, once; re-exported here.
from kartlegging.analysis.figure_series import ORG_LABELS, PHONE_LABELS, RECRUIT_LABELS  # noqa: F401
from kartlegging.report.numbers import is_missing

TYPE_LABELS = {"kommunal": "Kommunal", "interkommunal": "Interkommunal"}
ORG_ORDER = tuple(ORG_LABELS)
EMAIL_STATUS_LABELS = {
    "svar": "Svar brukt i analysen",
    "autosvar": "Autosvar",
    "erstattet": "Erstattet av et senere svar",
    "til_vurdering": "Til vurdering",
    "karantene": "Karantene (kunne ikke leses)",
}
SOURCE_LABELS = {
    "dispatch": "Utsendelsesliste",
    "epost": "E-post",
    "telefon": "Telefonrunde",
    "intervju": "Intervjuer",
    "overrides": "Overstyringer",
    "kostra": "KOSTRA",
}


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
