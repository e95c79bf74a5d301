"""The dispatch list (``utsendelse.csv``): who was asked, and how to recognise their replies.

The dispatch list is the frame of the survey: every reply is matched back to one
of its rows, and every figure's denominator comes from it. A list the pipeline
cannot trust would silently corrupt everything downstream, so any unusable row
stops the run with a :class:`DispatchError` that names the file, the line and
the reason, rather than being skipped.

The recipient addresses are personal data. They leave this module only as a
salted hash in the table; the clear addresses live in the in-memory lookup maps
of :class:`DispatchResult`, which the e-mail ingest needs for matching and which
are never written anywhere (they are also hidden from ``repr`` so that a log
line or a traceback cannot leak them).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kartlegging.core.classification import OSLO, Classification

if TYPE_CHECKING:  # pandas and the table declarations are imported where used, so that
    import pandas as pd  # check_readable stays light enough to run while Snakemake parses the workflow

REQUIRED_COLUMNS = (
    "enhet_id", "kommunenummer", "bydelsnummer", "enhet_navn",
    "mottaker_rolle", "epost", "message_id", "sendt",
)

_ENHET = re.compile(r"^(?:K\d{4}|B\d{6})$")
_ADDRESS = re.compile(r"^[^@\s<>]+@([A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)$")


class DispatchError(ValueError):
    """The dispatch list is missing or unusable; the message names file, line and reason."""


@dataclass
class DispatchResult:
    """The dispatch table plus the lookup maps the e-mail ingest matches replies with.

    ``table`` is safe to write (addresses hashed). The maps hold clear addresses
    and must stay in memory: they are excluded from ``repr`` for that reason.

    - ``by_address``: lower-cased address -> the units mailed at it. A set,
      because two units may share a postmottak address; a shared address cannot
      identify a reply on its own.
    - ``by_domain``: lower-cased domain -> the units mailed at that domain.
    - ``by_message_id``: normalised Message-ID (no brackets, lower-case) -> unit.
    - ``units``: enhet_id -> kommunenummer, for every row.
    """

    table: pd.DataFrame
    units: dict[str, str]
    by_message_id: dict[str, str]
    by_address: dict[str, set[str]] = field(default_factory=dict, repr=False)
    by_domain: dict[str, set[str]] = field(default_factory=dict, repr=False)

    def kommunenummer(self, enhet_id: str) -> str:
        """Kommune of a dispatched unit (0301 for Oslo's bydeler)."""
        return self.units[enhet_id]


def normalise_message_id(raw: str) -> str:
    """Message-IDs compared without angle brackets, whitespace or case.

    Mail clients copy the id verbatim into In-Reply-To/References, but some
    drop the brackets or change case in folded headers; comparing a normal form
    makes the match robust without a realistic risk of collisions.
    """
    return raw.strip().strip("<>").strip().lower()


def _fail(path: Path, line: int | None, reason: str) -> DispatchError:
    """One error format for every problem, so the analyst always learns file, line and reason; on one
    line, however many lines a quoted value swallowed (a field opened by a stray quote)."""
    where = f"{path}" + (f", line {line}" if line is not None else "")
    reason = " ".join(reason.split())
    return DispatchError(f"{where}: {reason if len(reason) <= 300 else reason[:299] + '…'}")


def _parse_sendt(text: str) -> date | None:
    """ISO date as specified; ``dd.mm.yyyy`` too, because the list may have passed through Excel."""
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ].*", text):
        try:
            return datetime.fromisoformat(text).date()
        except ValueError:
            return None
    return None


def _parse(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The non-blank rows of the list with their line numbers, after the checks that need no classification.

    Raises :class:`DispatchError` for a missing or empty file, a file that is
    not UTF-8, missing columns, a row with more fields than the header, and a
    malformed or duplicated ``enhet_id``: what makes the file unusable whatever
    the round's kommune structure.
    """
    if not path.is_file():
        raise _fail(path, None, "dispatch list not found (it is required: it defines who was asked)")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail(path, None, f"not UTF-8 ({exc.reason} at byte {exc.start})") from exc

    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=";")
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise _fail(path, 1, f"not readable as ';'-separated text ({exc})") from exc
    if not header:
        raise _fail(path, None, "file is empty: no header row")
    reader.fieldnames = header
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise _fail(path, 1, f"missing column(s) {', '.join(missing)}; header has {', '.join(header) or 'nothing'} "
                             "(expected ';'-separated)")
    rows: list[tuple[int, dict[str, str]]] = []
    first_line: dict[str, int] = {}
    try:
        for rec in reader:
            line = reader.line_num
            if None in rec:
                raise _fail(path, line, f"{len(header) + len(rec[None])} fields, header has {len(header)}")
            values = {k: (v or "").strip() for k, v in rec.items()}
            if not any(values.values()):
                continue  # a blank spreadsheet row carries no recipient
            enhet = values["enhet_id"].upper()
            if not _ENHET.match(enhet):
                raise _fail(path, line, f"enhet_id '{values['enhet_id']}' is not K + 4 digits or B + 6 digits")
            if enhet in first_line:
                raise _fail(path, line, f"enhet_id {enhet} duplicated (first on line {first_line[enhet]})")
            first_line[enhet] = line
            rows.append((line, {**values, "enhet_id": enhet}))
    except csv.Error as exc:
        raise _fail(path, reader.line_num, f"not readable as ';'-separated text ({exc})") from exc
    if not rows:
        raise _fail(path, None, "no recipients: the dispatch list has a header but no rows")
    return rows


def check_readable(path: str | Path) -> None:
    """Stop early on a dispatch list no round could use (see :func:`_parse`); the Snakefile may call it
    while the workflow is parsed, so that the run stops before any job does work."""
    _parse(Path(path))


def read_dispatch(path: str | Path, classification: Classification, round_name: str) -> DispatchResult:
    """Read and validate ``utsendelse.csv``.

    Raises :class:`DispatchError` for a missing file, a file that is not UTF-8,
    missing columns, and for any row whose ``enhet_id`` is malformed or
    duplicated, whose kommune or bydel is not in the round's classification, whose
    numbers disagree with its ``enhet_id``, or that lacks an address or a
    Message-ID (both are needed to recognise replies). A kommunenummer that lost
    its leading zero (``301``) is padded, since the ``enhet_id`` check then
    proves it right.
    """
    import pandas as pd

    from kartlegging.core.tables import DISPATCH, salted_hash

    p = Path(path)
    rows: list[dict[str, object]] = []
    units: dict[str, str] = {}
    by_message_id: dict[str, str] = {}
    by_address: dict[str, set[str]] = {}
    by_domain: dict[str, set[str]] = {}

    for line, values in _parse(p):
        enhet = values["enhet_id"]
        knr = values["kommunenummer"]
        if re.fullmatch(r"\d{1,4}", knr):
            knr = knr.zfill(4)
        else:
            raise _fail(p, line, f"kommunenummer '{knr}' is not a number of up to four digits")
        if knr not in classification.kommuner:
            raise _fail(p, line, f"kommunenummer {knr} is not in Klass 131 version {classification.version}")

        bnr = values["bydelsnummer"]
        if enhet.startswith("K"):
            if enhet[1:] != knr:
                raise _fail(p, line, f"enhet_id {enhet} disagrees with kommunenummer {knr}")
            if bnr:
                raise _fail(p, line, f"enhet_id {enhet} is a kommune but bydelsnummer '{bnr}' is filled in")
            bydel = None
        else:
            if bnr != enhet[1:]:
                raise _fail(p, line, f"enhet_id {enhet} disagrees with bydelsnummer '{bnr}'")
            if bnr not in classification.bydeler:
                raise _fail(p, line, f"bydelsnummer {bnr} is not one of Oslo's bydeler")
            if knr != OSLO:
                raise _fail(p, line, f"bydel {enhet} has kommunenummer {knr}, expected {OSLO}")
            bydel = bnr

        for col in ("enhet_navn", "mottaker_rolle"):
            if not values[col]:
                raise _fail(p, line, f"{col} is empty for {enhet}")

        address = values["epost"].strip("<>").strip().lower()
        m = _ADDRESS.match(address)
        if not m:
            raise _fail(p, line, f"epost for {enhet} is not an e-mail address")
        domain = m.group(1)

        mid_raw = values["message_id"]
        mid = normalise_message_id(mid_raw)
        if not mid:
            raise _fail(p, line, f"message_id is empty for {enhet}")
        if mid in by_message_id:
            raise _fail(p, line, f"message_id of {enhet} is also the message_id of {by_message_id[mid]}")

        sendt = _parse_sendt(values["sendt"])
        if values["sendt"] and sendt is None:
            raise _fail(p, line, f"sendt '{values['sendt']}' is not an ISO date")

        units[enhet] = knr
        by_message_id[mid] = enhet
        by_address.setdefault(address, set()).add(enhet)
        by_domain.setdefault(domain, set()).add(enhet)
        rows.append({
            "round": round_name,
            "enhet_id": enhet,
            "kommunenummer": knr,
            "bydelsnummer": bydel,
            "enhet_navn": values["enhet_navn"],
            "mottaker_rolle": values["mottaker_rolle"],
            "adresse_hash": salted_hash(address),
            "message_id": salted_hash(mid),
            "sendt": sendt,
        })

    table = pd.DataFrame(rows, columns=DISPATCH.column_names)
    table = table.sort_values(list(DISPATCH.sort_by), kind="stable").reset_index(drop=True)
    return DispatchResult(table=table, units=units, by_message_id=by_message_id,
                          by_address=by_address, by_domain=by_domain)
