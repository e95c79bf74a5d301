"""Coding of typed answers into the project's codes.

Base vocabulary shared by every source. Source-specific coders (interview items,
phone answers) live here too; e-mail body parsing lives in ``ingest_email``.
"""

from __future__ import annotations

import re

_YES = {"ja", "j", "yes", "jada", "japp", "jo"}
_NO = {"nei", "n", "no", "nei takk"}
_DK = {"vet ikke", "vet ikkje", "usikker", "vet ikke helt", "vet ik", "uvisst", "ukjent"}


def _clean(text: str) -> str:
    return re.sub(r"[\s.!,;:]+$", "", " ".join(str(text).strip().casefold().split()))


def code_answer(text: object) -> str | None:
    """Code a short answer as ``ja``, ``nei`` or ``vet_ikke``; None if it is none of them.

    Tolerates case, trailing punctuation and whitespace (``Nei.``, `` JA ``).
    Longer text is the caller's business: it may hold the word in a context
    that means something else.
    """
    if text is None:
        return None
    t = _clean(text)
    if t in _YES:
        return "ja"
    if t in _NO:
        return "nei"
    if t in _DK or t.replace("_", " ") in _DK:
        return "vet_ikke"
    return None
