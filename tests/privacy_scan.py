"""Collect the personal data a raw round holds, and scan output folders for it.

Kept apart from the tests so that both the privacy test and the adversarial
end-to-end test (whose corpus plants names, numbers and addresses on purpose)
can use the same scanner. The values are collected from the raw files
themselves, not from the generator, so the scan also holds for a round the
generator did not write: From/To/Cc display names and addresses, signature
names and every address or phone number in the bodies of the ``.eml`` files;
T20/T21 of the interview workbooks; Kontakt and Kommentar of the phone log; the
dispatch addresses. Free text too: names (foreign ones included) from signatures,
sign-offs (``BR, Bob``), display names and subjects; every run of eight or more
digits in subjects and bodies (a foreign phone number, a personal number); and
the parts of every Message-ID (its local part often holds a user name).
"""

from __future__ import annotations

import csv
import email
import email.message
import email.policy
import email.utils
import html
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq
from python_calamine import CalamineError, CalamineWorkbook

from kartlegging.core.coding import item_code
from kartlegging.ingest.email.mime import decode_header_text, html_to_text

#: An e-mail address anywhere in a text.
EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
#: A Norwegian phone number as people type it: eight digits in groups, optionally +47 first.
PHONE = re.compile(r"(?<![\w.,/+-])(?:(?:\+|00)47[\s.]?)?[2-9]\d(?:[\s.]?\d){6}(?![\w/-]|[.,]\d)")
#: ``24.11.2014`` has the shape of a number too; a date is not a phone number.
DATE = re.compile(r"\d\d\.\d\d\.\d{4}")
#: A signature opening: the line after it carries the sender's name.
SIGNATURE = re.compile(
    r"^\s*(?:--\s*$|(?:med\s+)?(?:vennlig|venleg|beste|hjertelig|vennleg)\s+(?:hilsen|helsing)\b|mvh\.?\b"
    r"|hilsen\b|helsing\b|vh\.?\s*$|best\s+regards\b|kind\s+regards\b)", re.I)
#: A person's name: two to four capitalised words, in any alphabet (``Siobhán O'Connor``,
#: ``Zbigniew Brzęczyszczykiewicz``); hyphens and apostrophes inside a word allowed.
_UPPER = r"[A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ]"
_LOWER = r"[^\W\d_A-ZÀ-ÖØ-Þ]"
_PART = rf"{_UPPER}{_LOWER}+|{_UPPER}'{_UPPER}{_LOWER}+"
_WORD = rf"(?:{_PART})(?:-(?:{_PART}))?"
NAME = re.compile(rf"^{_WORD}(?: {_WORD}){{1,3}}$")
#: A one-word name after a short sign-off on the same line (``BR, Bob``, ``Mvh Kari``).
SIGN_OFF_NAME = re.compile(rf"^\s*(?i:br|mvh|hilsen|regards|cheers|thanks)\b[,.]?\s+({_WORD})\s*$")
#: Eight or more digits, however grouped by spaces, hyphens or brackets (dots would join a date).
LONG_DIGITS = re.compile(r"(?<![\w.])\+?\(?\d(?:[ \-()]{0,2}\d){7,}(?![\w])")
#: The angle-bracketed ids of Message-ID, In-Reply-To and References.
MESSAGE_ID = re.compile(r"<([^<>\s@]+)@([^<>\s]+)>")
#: Runs of capitalised words inside free text (``Snakket med Kari Nordmann.``).
NAME_RUN = re.compile(rf"{_WORD}(?: {_WORD})+")
#: Words that make a capitalised run an organisation or a place, not a person.
NOT_PERSON = {"kommune", "bydel", "bydelen", "nk", "lmh", "postmottak", "kartlegging", "prosjektgruppa",
              "helse", "omsorg", "frisklivssentral", "frisklivssentralen", "sentralbord", "servicetorg", "lms",
              # words of attributions, separators and sign-offs, not of names
              "on", "den", "original", "message", "opprinnelig", "melding", "mvh", "br", "regards", "hilsen"}
#: The project's own mailbox (the To of every reply): an institution's address, not a person's.
PROJECT_ADDRESSES = {"kartlegging@nklmh.no"}


def digits(text: str) -> str:
    """A phone number reduced to its national digits, so any spelling compares equal."""
    d = re.sub(r"\D", "", text)
    return d[2:] if len(d) == 10 and d.startswith("47") else d


def _place_words() -> frozenset[str]:
    """Every word of every kommune and bydel name of every Klass version: such a word makes a run a place."""
    import json

    ref = Path(__file__).resolve().parents[1] / "data" / "reference"
    words: set[str] = set()
    for path in sorted((ref / "ssb-klass-131").glob("version-*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for item in data.get("classificationItems", []):
            words |= set(re.split(r"[\s\-()]+", str(item.get("name", "")).casefold()))
    for line in (ref / "oslo-bydeler.csv").read_text(encoding="utf-8").splitlines():
        words |= set(re.split(r"[\s\-();,]+", line.casefold()))
    return frozenset(w for w in words if w and not w.isdigit())


PLACE_WORDS = _place_words()


@dataclass
class Personal:
    """The personal values of one raw round, each kept in the form it is searched for."""

    names: set[str] = field(default_factory=set)
    addresses: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    #: digit strings of every run of eight or more digits (foreign numbers, ids)
    numbers: set[str] = field(default_factory=set)
    #: local parts of Message-IDs (what precedes the @)
    id_parts: set[str] = field(default_factory=set)

    def add_text(self, text: str) -> None:
        """Addresses, phone numbers and long digit runs anywhere in a free text."""
        self.addresses |= {a.lower().strip(".") for a in EMAIL.findall(text)}
        self.phones |= {digits(p) for p in PHONE.findall(text) if not DATE.fullmatch(p)}
        self.numbers |= {re.sub(r"\D", "", m) for m in LONG_DIGITS.findall(text)}

    def add_message_ids(self, text: str) -> None:
        """The local part of every Message-ID in a header value (at least six characters: shorter ones
        would match by chance)."""
        self.id_parts |= {local for local, _ in MESSAGE_ID.findall(text) if len(local) >= 6}

    def add_name(self, text: str) -> None:
        """A name from a field that holds one (T20, a From display name, a signature line)."""
        text = " ".join(text.split())
        if NAME.match(text) and not set(text.casefold().split()) & NOT_PERSON:
            self.names.add(text)

    def add_sign_off_name(self, line: str) -> None:
        """The one-word name of a short sign-off (``BR, Bob``), when it is no place or organisation word."""
        m = SIGN_OFF_NAME.match(line)
        if m and len(m.group(1)) >= 3 and m.group(1).casefold() not in PLACE_WORDS | NOT_PERSON:
            self.names.add(m.group(1))

    def add_names_in(self, text: str) -> None:
        """Names inside free text: runs of capitalised words none of which is part of a place name."""
        for run in NAME_RUN.findall(text):
            words = run.split()
            for i in range(len(words) - 1):
                pair = words[i:i + 2]
                if not {w.casefold() for w in pair} & (PLACE_WORDS | NOT_PERSON):
                    self.add_name(" ".join(pair))


def _mail_texts(msg: email.message.Message) -> list[str]:
    """Every text part of a message, decoded leniently (a broken part still yields its words)."""
    out = []
    for part in msg.walk():
        if part.get_content_maintype() != "text":
            continue
        payload = part.get_payload(decode=True) or b""
        charset = part.get_content_charset() or "utf-8"
        try:
            text = payload.decode(charset, errors="replace")
        except LookupError:
            text = payload.decode("latin-1")
        if "\ufffd" in text:
            text = payload.decode("cp1252", errors="replace")
        out.append(html_to_text(text) if part.get_content_subtype() == "html" else text)
    return out


def collect_from_emails(folder: Path, into: Personal) -> None:
    """From/To/Cc/Reply-To names and addresses, signature names, addresses and numbers in bodies."""
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        raw = path.read_bytes()
        msg = email.message_from_bytes(raw, policy=email.policy.compat32)
        # raw values: compat32 turns an 8-bit header into a Header whose str() loses the letters
        raw_headers: dict[str, list[str]] = {}
        for key, value in msg.raw_items():
            raw_headers.setdefault(key.lower(), []).append(str(value))
        for header in ("message-id", "in-reply-to", "references"):
            for value in raw_headers.get(header, []):
                into.add_message_ids(value)
        subject = " ".join(decode_header_text(v) for v in raw_headers.get("subject", []))
        into.add_text(subject)
        into.add_names_in(subject)
        for header in ("from", "to", "cc", "reply-to", "sender"):
            for value in raw_headers.get(header, []):
                for display, address in email.utils.getaddresses([decode_header_text(value)]):
                    if address and address.lower() not in PROJECT_ADDRESSES:
                        into.addresses.add(address.lower())
                    if display:
                        into.add_name(display.replace('"', ""))
        for text in _mail_texts(msg):
            into.add_text(text)
            into.add_names_in(text)
            lines = [ln.strip().lstrip(">").strip() for ln in text.splitlines()]
            for i, line in enumerate(lines):
                into.add_sign_off_name(line)
                if SIGNATURE.match(line):
                    following = [x for x in lines[i + 1:i + 3] if x]
                    if following:
                        into.add_name(following[0])
    into.addresses -= PROJECT_ADDRESSES


def _sheet_rows(path: Path, sheet: str) -> list[list[object]]:
    """The rows of one sheet; none for a workbook the pipeline cannot read either (nothing to leak)."""
    try:
        wb = CalamineWorkbook.from_path(str(path))
        return wb.get_sheet_by_name(sheet).to_python()
    except (CalamineError, OSError, ValueError, KeyError):
        return []


def collect_from_interviews(folder: Path, into: Personal) -> None:
    """T20 (name) and T21 (phone and e-mail) of every workbook, found by the header ``Nr``/``Svar``."""
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() == ".xlsx"):
        rows = [["" if v is None else str(v).strip() for v in row] for row in _sheet_rows(path, "Intervju")]
        header = next((r for r in rows if "Nr" in r and "Svar" in r), None)
        if header is None:
            continue
        c_nr, c_svar = header.index("Nr"), header.index("Svar")
        for row in rows:
            if len(row) <= max(c_nr, c_svar):
                continue
            code = item_code(row[c_nr])
            if code == "T20":
                into.add_name(row[c_svar])
                into.add_names_in(row[c_svar])
            elif code == "T21":
                into.add_text(row[c_svar])


def collect_from_phone_log(path: Path, into: Personal) -> None:
    """Kontakt and Kommentar of the phone log: names in free text, numbers and addresses."""
    rows = _sheet_rows(path, "Telefonrunde")
    if not rows:
        return
    header = [str(v).strip() for v in rows[0]]
    cols = [header.index(c) for c in ("Kontakt", "Kommentar") if c in header]
    for row in rows[1:]:
        for c in cols:
            if c < len(row) and row[c] not in (None, ""):
                text = str(row[c])
                into.add_text(text)
                into.add_names_in(text)


def collect_from_dispatch(path: Path, into: Personal) -> None:
    """Every recipient address and every Message-ID of the dispatch list."""
    text = path.read_bytes().decode("utf-8-sig")
    for rec in csv.DictReader(io.StringIO(text), delimiter=";"):
        address = (rec.get("epost") or "").strip().strip("<>").lower()
        if address:
            into.addresses.add(address)
        into.add_message_ids(rec.get("message_id") or "")


def collect_round(round_dir: Path) -> Personal:
    """Every personal value of one raw round folder."""
    found = Personal()
    if (round_dir / "epost").is_dir():
        collect_from_emails(round_dir / "epost", found)
    if (round_dir / "intervjuer").is_dir():
        collect_from_interviews(round_dir / "intervjuer", found)
    if (round_dir / "telefonrunde.xlsx").is_file():
        collect_from_phone_log(round_dir / "telefonrunde.xlsx", found)
    if (round_dir / "utsendelse.csv").is_file():
        collect_from_dispatch(round_dir / "utsendelse.csv", found)
    return found


# ---------------------------------------------------------------------------
# Reading outputs as text
# ---------------------------------------------------------------------------

def _parquet_text(path: Path) -> str:
    table = pq.read_table(path)
    parts = [" ".join(table.column_names)]
    for column in table.columns:
        for value in column.to_pylist():
            if value is not None:
                parts.append(" ".join(map(str, value)) if isinstance(value, list) else str(value))
    return "\n".join(parts)


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    return "\n".join((page.extract_text() or "") for page in reader.pages)


def _duckdb_text(path: Path) -> str:
    """Every table's and view's definition and every row it returns."""
    from kartlegging.infra.database import connect

    con = connect(path)
    try:
        parts = []
        views = con.execute(
            "SELECT table_name, sql FROM duckdb_tables() UNION ALL "
            "SELECT view_name, sql FROM duckdb_views() WHERE NOT internal ORDER BY 1").fetchall()
        for name, sql in views:
            parts.append(sql)
            table = con.sql(f'SELECT * FROM "{name}"').to_arrow_table()
            for column in table.columns:
                parts += [" ".join(map(str, v)) if isinstance(v, list) else str(v)
                          for v in column.to_pylist() if v is not None]
        return "\n".join(parts)
    finally:
        con.close()


def output_text(path: Path) -> str:
    """The readable content of one output file (Parquet decoded, PDF text, DuckDB views, text files)."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return _parquet_text(path)
    if suffix == ".pdf":
        return _pdf_text(path)
    if suffix == ".duckdb":
        return _duckdb_text(path)
    if suffix in (".png", ".jpg", ".jpeg", ".gif", ".wal", ".tmp"):
        return ""
    text = path.read_bytes().decode("utf-8", errors="replace")
    return html.unescape(text) if suffix in (".html", ".htm", ".svg") else text


def leaks(text: str, personal: Personal, patterns: tuple[str, ...] = ()) -> list[str]:
    """The personal values found in ``text`` (names across line breaks, numbers in any spelling)."""
    flat = " ".join(text.split())
    folded = flat.casefold()
    found = [n for n in personal.names if (" " in n and n.casefold() in folded)
             or (" " not in n and re.search(rf"(?<!\w){re.escape(n.casefold())}(?!\w)", folded))]
    found += [a for a in personal.addresses if a in folded]
    found += [p for p in PHONE.findall(flat) if digits(p) in personal.phones and not DATE.fullmatch(p)]
    found += [m for m in LONG_DIGITS.findall(flat) if re.sub(r"\D", "", m) in personal.numbers]
    found += [part for part in personal.id_parts if part.casefold() in folded]
    found += [m.group(0) for pat in patterns for m in re.finditer(pat, flat, re.I)]
    return sorted(set(found))


def scan_folders(folders: list[Path], personal: Personal, patterns: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """``{file: leaked values}`` over every file under ``folders``; empty when nothing leaked."""
    out: dict[str, list[str]] = {}
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            found = leaks(output_text(path), personal, patterns)
            if found:
                out[str(path)] = found
    return out
