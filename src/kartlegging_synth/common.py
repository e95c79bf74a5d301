"""Shared helpers of the synthetic round: invented people, address slugs, byte-stable files.

Everything personal in the synthetic raw files comes from this module: person
names are combinations of :data:`FIRST_NAMES` and :data:`LAST_NAMES`, phone
numbers all start with :data:`PHONE_PREFIX`, and personal e-mail addresses are
built from those names. Tests (ours and the lead's) scan processed outputs for
exactly these values, so nothing else personal may be generated.
"""

from __future__ import annotations

import io
import random
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kartlegging.core.classification import Kommune

#: Common Norwegian first names. None is also a kommune name, so that a
#: signature line can never be read as naming a kommune.
FIRST_NAMES: tuple[str, ...] = (
    "Kari", "Ola", "Anne", "Per", "Ingrid", "Lars", "Marit", "Jon", "Liv", "Knut",
    "Hilde", "Tor", "Randi", "Bjørn", "Siri", "Arne", "Solveig", "Geir", "Tone", "Terje",
)
#: Common Norwegian last names, again none of them a kommune name.
LAST_NAMES: tuple[str, ...] = (
    "Nordmann", "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen",
    "Kristiansen", "Jensen", "Karlsen", "Haugen", "Hagen", "Bakken", "Dahl", "Eriksen",
    "Solberg", "Halvorsen", "Berntsen", "Jakobsen",
)
#: Every synthetic phone number begins with these digits (written ``99 00 12 34``).
PHONE_PREFIX = "9900"
#: The project's own sender address and domain (invented, not a real mailbox).
PROJECT_ADDRESS = "kartlegging@nklmh.no"
PROJECT_DOMAIN = "nklmh.no"

#: Fixed timestamp written into every workbook's document properties.
FIXED_DOC_TIME = datetime(2015, 2, 2, 8, 0, 0)
#: The timestamp in force: FIXED_DOC_TIME unless a round sets its own with
#: :func:`document_time` (a later round's workbooks should not say they were
#: saved in 2015). A context variable, so nothing leaks out of that round's run.
_DOC_TIME: ContextVar[datetime] = ContextVar("document_time", default=FIXED_DOC_TIME)
#: Fixed zip entry time (the earliest a zip can hold), so archives are byte-stable.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

#: The Norwegian-language part of kommune names written in several languages,
#: which is what mail domains and callers use.
NORWEGIAN_PART: dict[str, str] = {
    "1736": "Snåsa", "1739": "Røyrvik", "1849": "Hamarøy", "1850": "Tysfjord",
    "1920": "Lavangen", "1939": "Storfjord", "1940": "Kåfjord", "2011": "Kautokeino",
    "2020": "Porsanger", "2021": "Karasjok", "2025": "Tana", "2027": "Nesseby",
    # codes of the 2024 structure (new codes, or old codes whose official name gained a
    # Sami form); none is a code of another kommune in an earlier version
    "1826": "Hattfjelldal", "1833": "Rana", "1841": "Fauske", "1845": "Sørfold", "1853": "Evenes",
    "1870": "Sortland", "1875": "Hamarøy", "5001": "Trondheim", "5007": "Namsos", "5025": "Røros",
    "5037": "Levanger", "5041": "Snåsa", "5043": "Røyrvik", "5503": "Harstad", "5512": "Tjeldsund",
    "5516": "Gratangen", "5518": "Lavangen", "5538": "Storfjord", "5540": "Kåfjord", "5544": "Nordreisa",
    "5603": "Hammerfest", "5610": "Karasjok", "5612": "Kautokeino", "5622": "Porsanger", "5628": "Tana",
    "5636": "Nesseby",
}


def fold_ascii(text: str) -> str:
    """ASCII form of a Norwegian name for addresses: æ→ae, ø→o, å→a, accents dropped."""
    text = text.replace("Æ", "Ae").replace("æ", "ae").replace("Ø", "O").replace("ø", "o")
    text = text.replace("Å", "A").replace("å", "a")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


#: Regular expressions that find any personal value the generator writes: a
#: synthetic phone number in any of its spellings, and a person's e-mail address
#: (``first.last@...``). Postmottak and project addresses are not personal.
PERSONAL_PATTERNS: tuple[str, ...] = (
    r"(?:\+47\s?)?9\s?9\s?0\s?0(?:\s?\d){4}(?!\d)",
    r"\b(?:" + "|".join(
        fold_ascii(n).lower() for n in FIRST_NAMES
    ) + r")\.[a-z]+\d*@[\w.\-]+",
)


def slugify(text: str) -> str:
    """Lower-case ASCII with hyphens, as mail domains are written."""
    return re.sub(r"[^a-z0-9]+", "-", fold_ascii(text).lower()).strip("-")


def split_paren(name: str) -> tuple[str, str | None]:
    """``Bø (Telemark)`` → (``Bø``, ``Telemark``); other names → (name, None)."""
    m = re.fullmatch(r"(.+?)\s*\((.+)\)\s*", name)
    return (m.group(1), m.group(2)) if m else (name, None)


def display_name(kommune: Kommune) -> str:
    """The name people use in everyday writing: no county qualifier, the Norwegian part."""
    if kommune.code in NORWEGIAN_PART:
        return NORWEGIAN_PART[kommune.code]
    return split_paren(kommune.name)[0]


def kommune_slug(kommune: Kommune) -> str:
    """Mail-domain label of a kommune; a county qualifier keeps namesakes apart."""
    base, qualifier = split_paren(kommune.name)
    if kommune.code in NORWEGIAN_PART:
        base = NORWEGIAN_PART[kommune.code]
    return slugify(f"{base} {qualifier}" if qualifier else base)


@dataclass(frozen=True)
class Person:
    """An invented person: a combination of a common first and last name."""

    first: str
    last: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    def address(self, domain: str, suffix: str = "") -> str:
        """``kari.nordmann@bodo.kommune.no``: how kommuner build staff addresses."""
        local = f"{fold_ascii(self.first)}.{fold_ascii(self.last)}{suffix}".lower()
        return f"{local}@{domain}"


class People:
    """Draws invented people and phone numbers from a seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def person(self) -> Person:
        return Person(self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES))

    def phone(self, style: int | None = None) -> str:
        """A synthetic number in one of the ways people write it; all start 99 00."""
        a, b = self.rng.randrange(100), self.rng.randrange(100)
        style = self.rng.randrange(4) if style is None else style
        if style == 0:
            return f"99 00 {a:02d} {b:02d}"
        if style == 1:
            return f"+47 99 00 {a:02d} {b:02d}"
        if style == 2:
            return f"9900{a:02d}{b:02d}"
        return f"990 0{a // 10} {a % 10}{b:02d}"


# -- byte-stable archives -----------------------------------------------------

_CORE_TIME = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def stable_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed entry times, sorted names and fixed attributes.

    openpyxl stamps the save time into ``docProps/core.xml`` and into every zip
    entry; both are replaced so that the same seed gives the same bytes.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        entries = {info.filename: zin.read(info) for info in zin.infolist()}
    stamp = _DOC_TIME.get().strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    if "docProps/core.xml" in entries:
        entries["docProps/core.xml"] = _CORE_TIME.sub(
            lambda m: m.group(1) + stamp + m.group(2), entries["docProps/core.xml"])
    return build_zip(entries)


def build_zip(entries: dict[str, bytes]) -> bytes:
    """A deflated zip of ``entries`` in sorted order with fixed metadata."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            zout.writestr(info, entries[name])
    return out.getvalue()


@contextmanager
def document_time(when: datetime) -> Iterator[None]:
    """Stamp ``when`` instead of :data:`FIXED_DOC_TIME` into the workbooks saved inside the block.

    The writers call :func:`save_workbook` without a time; a round whose field
    work lies in another year wraps its run in this block, so the writers stay
    as they are and round 2015's bytes do not change.
    """
    token = _DOC_TIME.set(when)
    try:
        yield
    finally:
        _DOC_TIME.reset(token)


def save_workbook(wb, path: Path) -> None:
    """Save an openpyxl workbook so that the file's bytes depend only on its content."""
    stamp = _DOC_TIME.get()
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "NK LMH"
    wb.properties.lastModifiedBy = "NK LMH"
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(stable_zip(buf.getvalue()))
