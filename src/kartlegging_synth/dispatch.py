"""utsendelse.csv: the dispatch list, and the addresses and Message-IDs replies refer to."""

from __future__ import annotations

import csv
import io
import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from kartlegging.core.classification import OSLO
from kartlegging_synth.common import kommune_slug, slugify
from kartlegging_synth.design import Design

COLUMNS = ("enhet_id", "kommunenummer", "bydelsnummer", "enhet_navn", "mottaker_rolle",
           "epost", "message_id", "sendt")


@dataclass(frozen=True)
class Sent:
    """One questionnaire as sent: the facts a reply can be matched on."""

    enhet_id: str
    kommunenummer: str
    navn: str
    domain: str
    address: str
    message_id: str
    sent_at: datetime


def plan_dispatch(design: Design, rng: random.Random, copy_suffix: str = "") -> dict[str, Sent]:
    """Addresses, Message-IDs and send times of every unit, drawn from the seed.

    ``copy_suffix`` (``-2``, ``-3``, ...) gives the repeated units of a scaled
    round their own domains, so that a domain still points at one dispatch row.
    """
    c = design.classification
    out: dict[str, Sent] = {}
    for enhet_id, unit in design.units.items():
        if enhet_id.startswith("B"):
            domain = f"bydel-{slugify(c.bydeler[enhet_id[1:]])}{copy_suffix}.oslo.kommune.no"
        else:
            domain = f"{kommune_slug(c.kommuner[unit.kommunenummer])}{copy_suffix}.kommune.no"
        # most letters went out on 4 November; a second batch on the 5th
        day = date(2014, 11, 4) if rng.random() < 0.8 else date(2014, 11, 5)
        sent_at = datetime(day.year, day.month, day.day, 9, 0) + timedelta(seconds=rng.randrange(3 * 3600))
        mid = f"<{uuid.UUID(int=rng.getrandbits(128), version=4)}@nklmh.no>"
        navn = unit.navn + (f" #{copy_suffix.lstrip('-')}" if copy_suffix else "")
        out[enhet_id] = Sent(enhet_id, unit.kommunenummer, navn, domain, f"postmottak@{domain}", mid, sent_at)
    domains = [s.domain for s in out.values()]
    if len(set(domains)) != len(domains):
        raise ValueError("two dispatch units share a mail domain; the sender-domain rule would be ambiguous")
    return out


def dispatch_rows(sent: dict[str, Sent]) -> list[dict[str, str]]:
    """The CSV rows: rådmenn first in kommune order, then Oslo's bydelsdirektører."""
    rows = []
    for s in sorted(sent.values(), key=lambda s: (s.enhet_id[0] != "K", s.enhet_id)):
        bydel = s.enhet_id[1:] if s.enhet_id.startswith("B") else ""
        rows.append({
            "enhet_id": s.enhet_id,
            "kommunenummer": s.kommunenummer if not bydel else OSLO,
            "bydelsnummer": bydel,
            "enhet_navn": s.navn,
            "mottaker_rolle": "bydelsdirektør" if bydel else "rådmann",
            "epost": s.address,
            "message_id": s.message_id,
            "sendt": s.sent_at.date().isoformat(),
        })
    return rows


def write_dispatch(rows: list[dict[str, str]], path: Path) -> None:
    """UTF-8 with BOM, ``;``-separated, CRLF as Excel saves it."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
