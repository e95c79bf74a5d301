"""The dispatch list (``utsendelse.csv`` or ``utsendelse.xlsx``): who was asked, and how to recognise their replies.

The dispatch list is the frame of the survey: every reply is matched back to one
of its rows, and every figure's denominator comes from it. A list the pipeline
cannot trust would silently corrupt everything downstream, so any unusable row
stops the run with a :class:`DispatchError` that names the file, the line and
the reason, rather than being skipped. The list is read as Excel saved it
(:mod:`kartlegging.ingest.listfile`: UTF-8 or windows-1252, ``;``, ``,`` or tab, or the
workbook itself), and how it was read is logged.

The recipient addresses are personal data. They leave this module only as a
salted hash in the table; the clear addresses live in the in-memory lookup maps
of :class:`DispatchResult`, which the e-mail ingest needs for matching and which
are never written anywhere (they are also hidden from ``repr`` so that a log
line or a traceback cannot leak them).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kartlegging.core.classification import OSLO, Classification

log = logging.getLogger("kartlegging")

if TYPE_CHECKING:  # pandas and the table declarations are imported where used, so that
    import pandas as pd  # check_readable stays light enough to run while Snakemake parses the workflow

REQUIRED_COLUMNS = (
    "enhet_id", "kommunenummer", "bydelsnummer", "enhet_navn",
    "mottaker_rolle", "epost", "sendt",
)
#: Optional: the Message-ID of the letter (absent or empty when the letters were sent by mail merge,
#: whose ids the mail client sets) and of the reminder (``make reminders``). A reply whose In-Reply-To
#: or References names either is identified.
OPTIONAL_COLUMNS = ("message_id", "paminnelse_message_id")
#: The file names a round's dispatch list may have, in the order they are looked for.
DISPATCH_NAMES = ("utsendelse.csv", "utsendelse.xlsx")

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


def _fail_at(path: Path, line: int | None, reason: str, where: str = "line") -> DispatchError:
    """One error format for every problem, so the analyst always learns file, line (or row) and reason; on
    one line, however many lines a quoted value swallowed (a field opened by a stray quote)."""
    reason = " ".join(reason.split())
    return DispatchError(f"{path}" + (f", {where} {line}" if line is not None else "")
                         + f": {reason if len(reason) <= 300 else reason[:299] + '…'}")


def find_dispatch_file(round_dir: str | Path) -> Path:
    """The dispatch list of a round folder: ``utsendelse.csv`` or ``utsendelse.xlsx``.

    Neither: the CSV path (whose absence the reader reports). Both: :class:`DispatchError`, since
    which one is the list cannot be told.
    """
    folder = Path(round_dir)
    found = [folder / n for n in DISPATCH_NAMES if (folder / n).is_file()]
    if len(found) > 1:
        raise DispatchError(f"{folder}: two dispatch lists ({', '.join(p.name for p in found)}); keep one")
    return found[0] if found else folder / DISPATCH_NAMES[0]


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


@dataclass(frozen=True)
class _Parsed:
    rows: list[tuple[int, dict[str, str]]]
    how: str
    where: str


def _parse(path: Path) -> _Parsed:
    """The non-blank rows of the list with their line numbers, after the checks that need no classification.

    Raises :class:`DispatchError` for a missing or empty file, a file no encoding or separator
    reads (:mod:`kartlegging.ingest.listfile`), missing columns, and a malformed or duplicated
    ``enhet_id``: what makes the file unusable whatever the round's kommune structure.
    """
    from kartlegging.ingest.listfile import ListFileError, read_list

    if not path.is_file():
        raise _fail_at(path, None, "dispatch list not found (it is required: it defines who was asked)")
    try:
        listed = read_list(path, REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
    except ListFileError as exc:
        raise DispatchError(str(exc)) from None
    where = listed.where
    header = listed.header
    if not header:
        raise _fail_at(path, None, "file is empty: no header row")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise _fail_at(path, 1, f"missing column(s) {', '.join(missing)}; header has {', '.join(header) or 'nothing'} "
                             f"(read as {listed.how}; the columns are listed in docs/INPUTS.md)")
    rows: list[tuple[int, dict[str, str]]] = []
    first_line: dict[str, int] = {}
    for line, values in listed.rows:
        enhet = values["enhet_id"].upper()
        if not _ENHET.match(enhet):
            raise _fail_at(path, line, f"enhet_id '{values['enhet_id']}' is not K + 4 digits or B + 6 digits", where)
        if enhet in first_line:
            raise _fail_at(path, line, f"enhet_id {enhet} duplicated (first on {where} {first_line[enhet]})", where)
        first_line[enhet] = line
        rows.append((line, {**{c: "" for c in OPTIONAL_COLUMNS}, **values, "enhet_id": enhet}))
    if not rows:
        raise _fail_at(path, None, "no recipients: the dispatch list has a header but no rows (a new round: fill in "
                                "kontaktliste.csv and write the letters, `make letters ROUND=<round>`, which "
                                "writes this list)")
    return _Parsed(rows, listed.how, where)


def check_readable(path: str | Path) -> str:
    """Stop early on a dispatch list no round could use (see :func:`_parse`); the Snakefile calls it
    while the workflow is parsed, so that the run stops before any job does work. A folder means the
    round's folder (:func:`find_dispatch_file`). Returns how the file was read."""
    p = Path(path)
    return _parse(find_dispatch_file(p) if p.is_dir() else p).how


def dispatch_rows(path: str | Path) -> int:
    """Non-blank data rows of the list (header excluded), as the conservation check counts them."""
    from kartlegging.ingest.listfile import read_list

    return len(read_list(Path(path), REQUIRED_COLUMNS + OPTIONAL_COLUMNS).rows)


def recipient_fields(path: str | Path) -> list[dict[str, str]]:
    """The recipients' fields as read (the overrides check looks for units and contacts' names in them;
    nothing is kept). A folder means the round's folder (:func:`find_dispatch_file`); an unusable list
    raises :class:`DispatchError` as :func:`check_readable` does."""
    p = Path(path)
    return [values for _, values in _parse(find_dispatch_file(p) if p.is_dir() else p).rows]


def read_dispatch(path: str | Path, classification: Classification, round_name: str) -> DispatchResult:
    """Read and validate the dispatch list (``utsendelse.csv`` or ``.xlsx``, as Excel saved it).

    Raises :class:`DispatchError` for a missing file, a file no encoding or separator
    reads, missing columns, and for any row whose ``enhet_id`` is malformed or
    duplicated, whose kommune or bydel is not in the round's classification, whose
    numbers disagree with its ``enhet_id``, that lacks an address (needed to
    recognise replies), or whose Message-ID is another row's. The Message-IDs are
    optional (a list sent by mail merge has none: replies are then recognised by
    the tag in the subject, the sender and the text). A kommunenummer that lost
    its leading zero (``301``) is padded, since the ``enhet_id`` check then proves
    it right. How the file was read is logged.
    """
    import pandas as pd

    from kartlegging.core.tables import DISPATCH, salted_hash

    p = Path(path)
    rows: list[dict[str, object]] = []
    units: dict[str, str] = {}
    by_message_id: dict[str, str] = {}
    by_address: dict[str, set[str]] = {}
    by_domain: dict[str, set[str]] = {}

    parsed = _parse(p)
    log.info("dispatch list %s: read as %s, %d recipients", p.name, parsed.how, len(parsed.rows))

    def bad(path: Path, line: int | None, reason: str) -> DispatchError:
        return _fail_at(path, line, reason, parsed.where)

    for line, values in parsed.rows:
        enhet = values["enhet_id"]
        knr = values["kommunenummer"]
        if re.fullmatch(r"\d{1,4}", knr):
            knr = knr.zfill(4)
        else:
            raise bad(p, line, f"kommunenummer '{knr}' is not a number of up to four digits")
        if knr not in classification.kommuner:
            raise bad(p, line, f"kommunenummer {knr} is not in Klass 131 version {classification.version}")

        bnr = values["bydelsnummer"]
        if enhet.startswith("K"):
            if enhet[1:] != knr:
                raise bad(p, line, f"enhet_id {enhet} disagrees with kommunenummer {knr}")
            if bnr:
                raise bad(p, line, f"enhet_id {enhet} is a kommune but bydelsnummer '{bnr}' is filled in")
            bydel = None
        else:
            if bnr != enhet[1:]:
                raise bad(p, line, f"enhet_id {enhet} disagrees with bydelsnummer '{bnr}'")
            if bnr not in classification.bydeler:
                raise bad(p, line, f"bydelsnummer {bnr} is not one of Oslo's bydeler")
            if knr != OSLO:
                raise bad(p, line, f"bydel {enhet} has kommunenummer {knr}, expected {OSLO}")
            bydel = bnr

        for col in ("enhet_navn", "mottaker_rolle"):
            if not values[col]:
                raise bad(p, line, f"{col} is empty for {enhet}")

        address = values["epost"].strip("<>").strip().lower()
        m = _ADDRESS.match(address)
        if not m:
            raise bad(p, line, f"epost for {enhet} is not an e-mail address")
        domain = m.group(1)

        mids = []
        for col in OPTIONAL_COLUMNS:
            mid = normalise_message_id(values[col])
            if not mid:
                continue
            if mid in by_message_id or mid in mids:
                other = by_message_id.get(mid, enhet)
                raise bad(p, line, f"{col} of {enhet} is also the message_id of {other}")
            mids.append(mid)

        sendt = _parse_sendt(values["sendt"])
        if values["sendt"] and sendt is None:
            raise bad(p, line, f"sendt '{values['sendt']}' is not an ISO date")

        units[enhet] = knr
        by_message_id.update({mid: enhet for mid in mids})
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
            "message_id": salted_hash(normalise_message_id(values["message_id"])) if values["message_id"] else None,
            "sendt": sendt,
        })

    table = pd.DataFrame(rows, columns=DISPATCH.column_names)
    table = table.sort_values(list(DISPATCH.sort_by), kind="stable").reset_index(drop=True)
    return DispatchResult(table=table, units=units, by_message_id=by_message_id,
                          by_address=by_address, by_domain=by_domain)
