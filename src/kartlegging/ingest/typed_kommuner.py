"""Kommuner and bydeler as people type them in the interviews: a number, a name or both, and lists of them.

Apart from the interview reader because the survey commands read the same typed lists (the
partner kommuner a reply names, when the interview workbooks are pre-filled), and a change to
how a name resolves must read the same in both.
"""

from __future__ import annotations

import re

from kartlegging.core.classification import FYLKER, Classification, Resolution

_NUMBER_THEN_NAME = re.compile(r"[KB]?-?(\d{3,6})\s*[-–:]?\s*(.*)", flags=re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]")
_LIST_WORD = re.compile(r"(?:og|samt)\b", flags=re.IGNORECASE)


def resolve_text(text: str, classification: Classification) -> Resolution:
    """Resolve a typed kommune or bydel: a number (``301``), a name, or both (``301 Oslo``)."""
    m = _NUMBER_THEN_NAME.fullmatch(text.strip())
    if m and m.group(2):
        if not _LETTER.search(m.group(2)):
            return Resolution("unknown")  # "0125 0138": two numbers without a separator, not number + name
        if _LIST_WORD.match(m.group(2)):
            return Resolution("unknown")  # "1517 og 1515", "619 og Hol": a list, not number + name
        return classification.resolve(name=m.group(2), number=m.group(1))
    if m:
        return classification.resolve(number=m.group(1))
    return classification.resolve(name=text)


def resolve_list(parts: list[str], classification: Classification) -> list[tuple[str, Resolution | None]]:
    """Resolve the parts of a typed kommune list, reading a fylke name as the qualifier of the name before it.

    People type a county after a name several kommuner share, as the next item of the list:
    ``Molde, Herøy, Møre og Romsdal, Aukra`` names Herøy in Møre og Romsdal. So a part that is a
    fylke of the round's classification settles an ambiguous name just before it (the pair resolves
    as ``Herøy (Møre og Romsdal)``); after a name it agrees with it says nothing more (the pair is one
    kommune); anywhere else, or when it contradicts the name before it, it is no kommune (status
    ``fylke``, or the name's own status) and goes to review. Returns ``(part as typed, resolution)``,
    with None for a fylke that only qualified the name before it.
    """
    out: list[tuple[str, Resolution | None]] = []
    for part in parts:
        fylke = classification.fylke_named(part)
        if fylke is None or resolve_text(part, classification).status in {"ok", "ambiguous"}:
            out.append((part, resolve_text(part, classification)))
            continue
        previous = out[-1] if out else None
        if previous is not None and previous[1] is not None and previous[1].status in {"ambiguous", "ok"}:
            name, res = previous
            if res.status == "ambiguous":
                paired = classification.resolve_name(f"{name} ({FYLKER[fylke]})")
                if paired.ok:
                    out[-1] = (f"{name}, {part}", paired)
                    out.append((part, None))
                    continue
            elif res.enhet_id.startswith("K") and res.enhet_id[1:3] == fylke:
                out.append((part, None))
                continue
        out.append((part, Resolution("fylke")))
    return out
