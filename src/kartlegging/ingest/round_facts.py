"""What a round's raw files say that the overrides check needs while the workflow is parsed.

:func:`round_facts` gathers, for :func:`kartlegging.core.overrides.read_entries`:

- the files an override may name (``epost/``, ``intervjuer/``, the phone log) and the
  rows of the phone log, so a typo stops ``snakemake -n`` with the override's line;
- the units of the dispatch list and of the round's classification;
- the names of persons the raw data hold, so that no override's reason (which the
  report prints) carries one: contacts in the dispatch list (extra columns and
  addresses of the form ``given.surname@``), the display names and addresses of
  the e-mails' senders, the interviewed persons (items T20 and T21) and the
  contacts typed in the phone log (column ``Kontakt``).

Light by design, because it runs on every Snakemake invocation that has overrides:
only the header block of each e-mail is parsed, and of each workbook only the
cells needed (the column ``Nr`` and the answers to T20/T21; the phone log's
``Kontakt`` column). The names are held in memory for the check and never
written anywhere; an error names the kind of source, never the name.
"""

from __future__ import annotations

import email.utils
import os
import re
from collections.abc import Iterable
from pathlib import Path

from kartlegging.core.overrides import PersonName, RoundFacts, words

#: Words of display names and contact cells that name a function, not a person.
ROLE_WORDS = frozenset({
    "postmottak", "post", "postkasse", "mottak", "kommune", "kommunen", "bydel", "bydelen", "fylke",
    "rådmann", "rådmannen", "kommunedirektør", "kommunedirektøren", "bydelsdirektør", "kommunalsjef",
    "helsesjef", "helse", "omsorg", "og", "i", "for", "servicetorg", "servicetorget", "service", "sentralbord",
    "sentralbordet", "frisklivssentral", "frisklivssentralen", "lms", "lærings", "mestring", "mestringssenter",
    "leder", "koordinator", "avdeling", "senter", "sekretær", "kontor", "administrasjon", "enhet", "sektor",
    "tjenester", "kundesenter", "firmapost", "legekontor", "helsestasjon", "info", "postmaster", "noreply",
    "no", "reply", "support", "the", "office", "team", "saksbehandler", "helseleder", "kommuneoverlege",
    "ikke", "svar", "ukjent", "vakt", "resepsjon", "sykehjem", "fastlege", "ringer", "tilbake",
})
#: Parts of an address that are not a name (``post.mottak@``, ``lms.bodo@``).
HEADER_LIMIT = 65536
_ADDRESS = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_ITEM = re.compile(r"\s*[Tt]\s*-?\s*0*(\d{1,3})\s*[.:)]?\s*")


def _listing(folder: Path) -> frozenset[str] | None:
    """Every entry of a folder by name (what the ingest reads), or None when there is no folder."""
    try:
        return frozenset(os.listdir(folder))
    except OSError:
        return None


def person_words(text: str, place_words: frozenset[str] = frozenset()) -> tuple[str, ...] | None:
    """The words of a person's name in ``text``, given names first, or None when it names none.

    A name is two to four words, each written with a capital, none a word of a function
    (``Postmottak``, ``Helse og omsorg``) and not all of them place names (``Bodø kommune``);
    ``Surname, Given`` is turned round. Addresses and parentheses are left out first."""
    text = _ADDRESS.sub(" ", str(text))
    text = re.sub(r"\([^)]*\)|<[^>]*>|\"", " ", text).strip()
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        return None
    if len(parts) >= 2 and len(parts[0].split()) == 1 and 1 <= len(parts[1].split()) <= 3:
        text = f"{parts[1]} {parts[0]}"
    else:
        text = parts[0]
    raw = re.findall(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*", text)
    if not 2 <= len(raw) <= 4 or not all(w[:1].isupper() for w in raw):
        return None
    found = tuple(words(" ".join(raw)))
    if any(w in ROLE_WORDS for w in found) or all(w in place_words for w in found):
        return None
    return found


def address_words(address: str, place_words: frozenset[str] = frozenset()) -> tuple[str, ...] | None:
    """A name in an address of the form ``given.surname@`` (``knut.jakobsen75@`` too), or None."""
    local = address.split("@", 1)[0].lower()
    parts = [re.sub(r"\d+$", "", p) for p in re.split(r"[._]", local)]
    parts = [p for p in parts if p]
    if not 2 <= len(parts) <= 4 or not all(re.fullmatch(r"[^\W\d_]{2,}(?:-[^\W\d_]+)*", p) for p in parts):
        return None
    if any(p in ROLE_WORDS for p in parts) or all(p in place_words for p in parts):
        return None
    return tuple(parts)


def _names_of(texts: Iterable[str], where: str, place_words: frozenset[str]) -> list[PersonName]:
    out: list[PersonName] = []
    for text in texts:
        if not text:
            continue
        found = person_words(text, place_words)
        if found:
            out.append(PersonName(found, where))
        for address in _ADDRESS.findall(text):
            found = address_words(address, place_words)
            if found:
                out.append(PersonName(found, where))
    return out


def _header_block(path: Path) -> bytes:
    """The bytes of a message up to its first empty line: all the header parser needs."""
    with open(path, "rb") as fh:
        head = fh.read(HEADER_LIMIT)
    m = re.search(rb"\r?\n\r?\n", head)
    return head[: m.start() + 1] if m else head


#: A sender header in a header block, with its folded continuation lines.
_SENDER_HEADER = re.compile(rb"^(?:From|Reply-To|Sender)[ \t]*:(.*(?:\r?\n[ \t].*)*)", re.MULTILINE | re.IGNORECASE)


def email_sender_names(folder: Path, place_words: frozenset[str] = frozenset()) -> list[PersonName]:
    """Display names and addresses of the senders (``From``, ``Reply-To``, ``Sender``), from the header block of
    each message only (found by a pattern; the body is never read)."""
    from kartlegging.ingest.email.mime import decode_header_text

    out: list[PersonName] = []
    for name in sorted(_listing(folder) or ()):
        path = folder / name
        try:
            block = _header_block(path) if path.is_file() else b""
        except OSError:
            continue  # the ingest quarantines what cannot be read; a name cannot come from it either
        for m in _SENDER_HEADER.finditer(block):
            value = decode_header_text(m.group(1).decode("utf-8", "surrogateescape").replace("\r", ""))
            for display, address in email.utils.getaddresses([" ".join(value.split())]):
                out += _names_of([display, address], f"a sender of an e-mail in epost/ ({name})", place_words)
    return out


def _sheet_cells(path: Path, sheet: str, wanted: dict[str, str]) -> tuple[list[list[object]], dict[str, int], int]:
    """The rows of one sheet (Excel row ``i + 1`` is ``rows[i]``), its header's columns and the header's row
    index; empty when unreadable. Read through :func:`kartlegging.ingest.workbook.read_sheet`, which checks
    what the native reader would allocate before it reads (a damaged workbook must not abort Snakemake while
    it parses the workflow); the ingest job names what is wrong with a workbook this leaves unread."""
    from kartlegging.ingest.workbook import WorkbookError, find_header, read_sheet

    try:
        sheet_data = read_sheet(path, sheet)
    except WorkbookError:
        return [], {}, 0
    except Exception:  # noqa: BLE001 - a fault of the reader: this check leaves the file to the ingest job, which
        return [], {}, 0  # sets it aside by name with the traceback in its log (never a traceback at parse time)
    header, cols, _ = find_header(sheet_data, wanted, 10)
    return sheet_data.rows, cols, header


def interview_contact_names(folder: Path, place_words: frozenset[str] = frozenset()) -> list[PersonName]:
    """The interviewed persons (T20, name; T21, phone and address) of every workbook."""
    out: list[PersonName] = []
    for name in sorted(_listing(folder) or ()):
        path = folder / name
        if not path.is_file() or name.startswith("~$"):
            continue
        rows, cols, header = _sheet_cells(path, "Intervju", {"nr": "Nr", "svar": "Svar"})
        if "nr" not in cols or "svar" not in cols:
            continue
        for row in rows[header + 1:]:
            code = row[cols["nr"]] if cols["nr"] < len(row) else None
            m = _ITEM.fullmatch(code) if isinstance(code, str) else None
            if m and int(m.group(1)) in (20, 21) and cols["svar"] < len(row) and row[cols["svar"]]:
                out += _names_of([str(row[cols["svar"]])], f"the interviewed person in intervjuer/ ({name})",
                                 place_words)
    return out


def phone_log(path: Path, place_words: frozenset[str] = frozenset()) -> tuple[tuple[int, int] | None,
                                                                           list[PersonName]]:
    """The first and last Excel row of the phone log's data, and the persons typed in its ``Kontakt`` column."""
    rows, cols, header = _sheet_cells(path, "Telefonrunde", {"kontakt": "Kontakt", "svar": "Svar"})
    if not rows:
        return None, []
    span = (header + 2, max(len(rows), header + 2))
    c = cols.get("kontakt")
    texts = [str(r[c]) for r in rows[header + 1:] if c is not None and c < len(r) and isinstance(r[c], str)]
    return span, _names_of(texts, f"a contact in the phone log ({path.name})", place_words)


def dispatch_contact_names(rows: list[dict[str, str]], place_words: frozenset[str]) -> list[PersonName]:
    """Persons in the dispatch list: columns beyond the contract's (a contact person), and addresses."""
    from kartlegging.ingest.dispatch import REQUIRED_COLUMNS

    structural = set(REQUIRED_COLUMNS) - {"mottaker_rolle", "epost"}
    texts = [v for row in rows for k, v in row.items() if k not in structural and isinstance(v, str)]
    return _names_of(texts, "a contact in the dispatch list (utsendelse.csv)", place_words)


def _classification(klass_file: Path, bydeler_file: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Kommuner (code: name) of a Klass 131 version file and Oslo's bydeler, read as they are: the checks need
    codes and names only, not the name index :func:`kartlegging.core.classification.load_files` builds."""
    import csv
    import json

    items = json.loads(klass_file.read_text(encoding="utf-8"))["classificationItems"]
    kommuner = {str(i["code"]): str(i["name"]).strip() for i in items if re.fullmatch(r"\d{4}", str(i["code"]))
                and str(i["code"]) != "9999"}
    with bydeler_file.open(encoding="utf-8-sig", newline="") as fh:
        bydeler = {r["bydelsnummer"].strip(): r["bydel"].strip() for r in csv.DictReader(fh, delimiter=";")}
    return kommuner, bydeler


def round_facts(round_dir: str | Path, klass_file: str | Path | None, bydeler_file: str | Path | None,
                names: bool = True) -> RoundFacts:
    """The facts of one round's raw folder; a part that cannot be read is left unknown (None), so its
    check falls to the ingest job, which names the problem with the file itself."""
    from kartlegging.core.classification import FYLKER
    from kartlegging.ingest.dispatch import DispatchError, recipient_fields

    folder = Path(round_dir)
    kommuner = bydeler = None
    version = ""
    place: set[str] = {w for navn in FYLKER.values() for w in words(navn)}
    if klass_file and bydeler_file:
        try:
            kommune_names, bydel_names = _classification(Path(klass_file), Path(bydeler_file))
        except (OSError, ValueError, KeyError):
            kommune_names = bydel_names = None
        if kommune_names is not None and bydel_names is not None:
            kommuner, bydeler = frozenset(kommune_names), frozenset(bydel_names)
            version = Path(klass_file).stem.split("-", 1)[-1]
            for navn in (*kommune_names.values(), *bydel_names.values()):
                place.update(words(navn))
    try:
        recipients = recipient_fields(folder)
    except DispatchError:
        recipients = []
    for row in recipients:
        place.update(words(row.get("enhet_navn", "")))
    place_words = frozenset(place)
    phone_path = folder / "telefonrunde.xlsx"
    span, phone_names = phone_log(phone_path, place_words) if phone_path.is_file() else (None, [])
    found: list[PersonName] = []
    if names:
        found = (dispatch_contact_names(recipients, place_words) + email_sender_names(folder / "epost", place_words)
                 + interview_contact_names(folder / "intervjuer", place_words) + phone_names)
    return RoundFacts(
        email_files=_listing(folder / "epost"),
        interview_files=_listing(folder / "intervjuer"),
        phone_file=phone_path.name if phone_path.is_file() else None,
        phone_rows=span,
        dispatch_units=frozenset(r["enhet_id"] for r in recipients) or None,
        kommuner=kommuner,
        bydeler=bydeler,
        classification=version,
        names=tuple(dict.fromkeys(found)),
        place_words=place_words,
    )
