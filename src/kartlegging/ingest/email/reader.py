"""E-mail replies (``epost/*.eml``): identify the replying unit and code questions 1 and 5.

Replies arrive as saved from Outlook or Thunderbird, in every state real mail is
in: wrong charsets, HTML-only bodies, quoted questionnaires, forwarded chains,
out-of-office notices, answers in attachments, truncated files. Each file gives
exactly one row of ``tables.EMAIL_REPLIES``; whatever the rules cannot decide
becomes an :class:`~kartlegging.core.issues.Issue` for an analyst, and whatever cannot
be read at all is kept as ``karantene``. Nothing is dropped and nothing is guessed.

Personal data (addresses, names, phone numbers) is used here for matching only:
the table keeps a salted hash of the sender, and raw values in issues are masked
by ``issues_frame``.

Speed: a round may hold thousands of small messages, so parsing uses the
``compat32`` policy (several times faster than the default policy) and decodes
headers and bodies by hand, which is also where the charset repairs live.

Identification cascade (falling trust; the first step that gives exactly one
dispatched unit wins, recorded in ``ident_method``):

1. ``tag``: ``[K1804]``/``[B030102]`` in the Subject, also mangled (``[ K1804 ]``,
   ``[k1804]``, ``(K1804)``, ``K 1804``, ``[K-1804]``, ``[K301]``); the unit must
   be in the dispatch list. Several different dispatched tags: step skipped.
2. ``in_reply_to``: a dispatch Message-ID in In-Reply-To (first) or References.
3. ``sender_address``: the From address equals exactly one unit's dispatch address.
4. ``sender_domain``: the From domain equals the domain of exactly one dispatch
   address; free-mail domains (gmail.com, online.no, ...) never identify a unit.
5. ``named_in_text``: ``Classification.find_in_text`` on the reply's own text
   (quotes removed), signature first, then signature and body together; one
   unit, or Oslo plus one bydel (-> the bydel). For a forward (``VS:``/``FW:``)
   the forwarded message is searched when the forwarder's text names nothing.
6. ``none``: review item "no unit identified", status ``til_vurdering``.

An override (source ``epost``, ``file`` = the file name, ``record`` empty) may
set ``enhet_id`` (``ident_method`` = ``override``), ``q1``, ``q5`` or ``auto_reply``.
"""

from __future__ import annotations

import codecs
import email
import email.errors
import email.header
import email.message
import email.policy
import email.utils
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from kartlegging.core.classification import OSLO, Classification
from kartlegging.core.coding import code_answer
from kartlegging.ingest.dispatch import DispatchResult, normalise_message_id
from kartlegging.core.issues import Issue
from kartlegging.ingest.email.mime import ENCODING_DEFECTS, STRUCTURE_LOST, Note, decode_utf8_mixed, defect_names
from kartlegging.core.overrides import Override, OverrideError
from kartlegging.ingest.email.quoting import sender_tail
from kartlegging.core.tables import ANSWER, EMAIL_REPLIES, salted_hash

SOURCE = "epost"
OVERRIDE_FIELDS = ("enhet_id", "q1", "q5", "auto_reply")


class EmailError(ValueError):
    """The e-mail folder of a round is missing (a bad override raises ``OverrideError``)."""


@dataclass
class EmailResult:
    """Outcome of the e-mail ingest: the table, the issues, and the override ids used."""

    table: pd.DataFrame
    issues: list[Issue]
    applied: set[str]


# ---------------------------------------------------------------------------
# Text decoding
# ---------------------------------------------------------------------------

#: UTF-8 bytes read as windows-1252 or latin-1 (``Ã¸`` for ``ø``, ``â€“`` for ``–``).
_MOJIBAKE = re.compile(
    "(?:[\u00c2\u00c3][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
    "|\u00e2\u20ac[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122])+"
)
_SINGLE_BYTE_WESTERN = {"latin_1", "iso8859_1", "cp1252", "ascii", "iso8859_15"}


def _codec_name(declared: str | None) -> str | None:
    """Python's name for a declared charset, or None when Python does not know it."""
    if not declared:
        return None
    try:
        return codecs.lookup(declared.strip().strip('"').lower()).name.replace("-", "_")
    except LookupError:
        return None


def _repair_mojibake(text: str) -> str:
    """Undo UTF-8 that was decoded as windows-1252/latin-1, run by run.

    Run by run, not the whole text, because a message may mix a correctly
    decoded signature with a mangled quoted part; a run that does not turn into
    valid UTF-8 is left as it is.
    """
    if "\u00c3" not in text and "\u00c2" not in text and "\u00e2" not in text:
        return text

    def fix(m: re.Match[str]) -> str:
        """One mojibake run back to the text it was meant to be, or unchanged."""
        run = m.group(0)
        for enc in ("cp1252", "latin-1"):
            try:
                return run.encode(enc).decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
        return run

    return _MOJIBAKE.sub(fix, text)


def decode_bytes(data: bytes, declared: str | None) -> str:
    """Decode a body or header chunk whose declared charset may be wrong (see :func:`decode_counting`)."""
    return decode_counting(data, declared)[0]


def decode_counting(data: bytes, declared: str | None) -> tuple[str, int]:
    """Decode one part whose declared charset may be wrong; returns the text and how many bytes
    could not be decoded as the charset chosen (read one by one as windows-1252 instead).

    Order, and why:

    - pure ASCII needs no charset;
    - strict UTF-8 first: bytes that are valid multi-byte UTF-8 are practically
      never Norwegian latin-1 text, so a declared iso-8859-1 over UTF-8 bytes
      (``Ã¸``) is caught here;
    - UTF-8 text with a few invalid bytes (more valid multi-byte characters than
      bad bytes) stays UTF-8, only the bad bytes fall back
      (:func:`kartlegging.ingest.email.mime.decode_utf8_mixed`): decoding it all as
      windows-1252 would mangle every valid æ, ø and å;
    - then an exotic declared charset, then windows-1252 (a superset of the
      printable latin-1 that also maps the 0x80-0x9F quotes and dashes), then
      latin-1, which cannot fail.

    Finally runs of mojibake left in the text (double-encoded by the sender) are
    repaired.
    """
    if not data:
        return "", 0
    try:
        return data.decode("ascii"), 0
    except UnicodeDecodeError:
        pass
    try:
        return _repair_mojibake(data.decode("utf-8")), 0
    except UnicodeDecodeError:
        pass
    valid = sum(1 for ch in data.decode("utf-8", errors="ignore") if ord(ch) > 0x7F)
    text, bad = decode_utf8_mixed(data)
    if valid and valid >= bad:
        return _repair_mojibake(text), bad
    codec = _codec_name(declared)
    order = [codec] if codec and codec not in _SINGLE_BYTE_WESTERN and codec != "utf_8" else []
    order.append("cp1252")
    for enc in order:
        try:
            return _repair_mojibake(data.decode(enc)), 0
        except UnicodeDecodeError:
            continue
    return _repair_mojibake(data.decode("latin-1")), 0


def decode_header_text(raw: str | None) -> str:
    """Decode one header value: raw 8-bit bytes, RFC 2047 encoded words, folding.

    ``compat32`` hands raw 8-bit header bytes over as surrogate escapes; they are
    turned back into bytes and decoded like a body. Encoded words are decoded
    with their own charset through the same repairing decoder.
    """
    if raw is None:
        return ""
    text = str(raw)
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        text = decode_bytes(text.encode("utf-8", "surrogateescape"), None)
    if "=?" in text:
        try:
            parts = email.header.decode_header(text)
        except (email.errors.HeaderParseError, ValueError):
            parts = [(text, None)]
        chunks = []
        for chunk, charset in parts:
            chunks.append(decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk)
        text = "".join(chunks)
    return " ".join(text.split())


# ---------------------------------------------------------------------------
# HTML to text
# ---------------------------------------------------------------------------

class _HTMLText(HTMLParser):
    """Text of an HTML body: block elements become line breaks, ``<blockquote>``
    content becomes ``>``-quoted lines (as Thunderbird and Gmail quote in HTML),
    and script/style/head content is ignored. Nothing is fetched or executed."""

    _SKIP = {"script", "style", "head", "title", "noscript", "template", "xml", "object", "iframe"}
    _BLOCK = {
        "p", "div", "br", "li", "tr", "table", "ul", "ol", "blockquote", "hr", "pre",
        "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header", "footer",
        "dd", "dt", "dl", "body",
    }

    def __init__(self) -> None:
        """Entities are converted by the parser itself (``&aring;`` -> å)."""
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._cur: list[str] = []
        self._cur_quote = 0
        self._skip = 0
        self._quote = 0

    def _break(self) -> None:
        """End the current line; at most one blank line in a row, since blank lines carry no meaning."""
        text = " ".join("".join(self._cur).split())
        if text or (self.lines and self.lines[-1] != ""):
            self.lines.append(("> " * self._cur_quote) + text if text else "")
        self._cur = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open skipped, block and quote elements."""
        if tag == "body":
            self._skip = 0  # a <head> left open must not swallow the body
        if tag in self._SKIP:
            self._skip += 1
            return
        if tag in self._BLOCK:
            self._break()
        if tag == "blockquote":
            self._quote += 1
        elif tag in ("td", "th"):
            self._cur.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """``<br/>``-style void elements only break the line (no skip or quote depth to track)."""
        if tag in self._BLOCK:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        """Close skipped, block and quote elements."""
        if tag in self._SKIP:
            self._skip = max(0, self._skip - 1)
            return
        if tag in self._BLOCK:
            self._break()
        if tag == "blockquote":
            self._quote = max(0, self._quote - 1)

    def handle_data(self, data: str) -> None:
        """Collect text outside skipped elements, remembering the quote depth its line starts at."""
        if self._skip:
            return
        if not self._cur:
            self._cur_quote = self._quote
        self._cur.append(data)

    def text(self) -> str:
        """The collected text, after flushing the last line."""
        self._break()
        return "\n".join(self.lines).strip("\n")


def html_to_text(html: str) -> str:
    """Plain text of an HTML body (see :class:`_HTMLText`)."""
    parser = _HTMLText()
    parser.feed(html)
    parser.close()
    return parser.text()


def _normalise_text(text: str) -> str:
    """Line endings, non-breaking and zero-width spaces, NULs: one canonical form."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return text.replace("\xa0", " ").replace("\u200b", "").replace("\ufeff", "")


# ---------------------------------------------------------------------------
# Quotes, forwards and signatures
# ---------------------------------------------------------------------------

_SEPARATOR = re.compile(
    r"^\s*-{2,}\s*(?:opprinnelig\s+(?:melding|e-?post)|original\s+message|videresendt\s+(?:melding|e-?post)"
    r"|forwarded\s+message|weitergeleitete\s+nachricht)\s*-{2,}\s*$", re.I)
_UNDERSCORES = re.compile(r"^\s*_{10,}\s*$")
_FROM_LINE = re.compile(r"^\s*\*?(?:fra|from)\s*:\*?\s*\S", re.I)
_SENT_LINE = re.compile(r"^\s*\*?(?:sendt|sent|dato|date)\s*:", re.I)
_HEADER_FIELD = re.compile(
    r"^\s*\*?(?:fra|from|sendt|sent|til|to|kopi|cc|blindkopi|bcc|emne|subject|dato|date|vedlegg|attachments"
    r"|prioritet|importance|viktighet|svar til|reply-to)\s*:", re.I)
_ON_WROTE_START = re.compile(r"^\s*(?:den|on)\s+\S", re.I)
_WROTE_END = re.compile(r"\b(?:skrev|wrote|skreiv)\s*:?\s*$", re.I)
_SIGNATURE = re.compile(
    r"^\s*(?:--\s*$|(?:med\s+)?(?:vennlig|venleg|beste|hjertelig|vennleg)\s+(?:hilsen|helsing)\b"
    r"|mvh\.?\b|m\.v\.h\b|hilsen\b|helsing\b|vh\.?\s*$|best\s+regards\b|kind\s+regards\b|regards\b"
    r"|sendt\s+fra\s+(?:min|mi)\b|sent\s+from\s+my\b)", re.I)
_FORWARD_SUBJECT = re.compile(r"^\s*(?:vs|fw|fwd|wg|tr|vb)\s*:", re.I)


def _is_quoted(line: str) -> bool:
    """A ``>``-quoted line: context for inline answers, never answer text itself."""
    return line.lstrip().startswith(">")


def _quote_header_at(lines: list[str], i: int) -> bool:
    """Does a quoted or forwarded message start at line ``i``?

    Recognises the Outlook separator lines, Outlook's ``Fra:``/``From:`` header
    block (a From line followed within six non-blank lines by Sendt/Sent/Dato/Date),
    the Thunderbird/Gmail attribution ``Den ... skrev:`` / ``On ... wrote:``
    (on one line or wrapped onto the next), and any short line ending in
    ``skrev:``/``wrote:`` that is followed by ``>`` lines.
    """
    line = lines[i]
    if _is_quoted(line):
        return False
    if _SEPARATOR.match(line):
        return True
    if _UNDERSCORES.match(line):
        nxt = next((ln for ln in lines[i + 1:i + 4] if ln.strip()), "")
        return bool(_FROM_LINE.match(nxt))
    if _FROM_LINE.match(line):
        seen = 0
        for nxt in lines[i + 1:]:
            if not nxt.strip():
                continue
            seen += 1
            if _SENT_LINE.match(nxt):
                return True
            if seen >= 6 or not _HEADER_FIELD.match(nxt):
                return False
        return False
    if len(line) < 300 and _ON_WROTE_START.match(line):
        if _WROTE_END.search(line):
            return True
        if i + 1 < len(lines) and len(lines[i + 1]) < 200 and _WROTE_END.search(lines[i + 1]):
            return True
    if len(line) < 300 and _WROTE_END.search(line):
        nxt = next((ln for ln in lines[i + 1:i + 3] if ln.strip()), "")
        return _is_quoted(nxt)
    return False


def split_segments(text: str) -> list[list[str]]:
    """Split a body into the reply's own text and the quoted/forwarded messages below it.

    Segment 0 is what the sender wrote (``>`` lines kept, for the context of
    inline answers); each later segment is one quoted or forwarded message with
    its ``Fra:/Sendt:/Til:/Emne:`` block removed.
    """
    lines = _normalise_text(text).split("\n")
    segments: list[list[str]] = [[]]
    i = 0
    while i < len(lines):
        if _quote_header_at(lines, i):
            segments.append([])
            j = i + 1
            if _ON_WROTE_START.match(lines[i]) and not _WROTE_END.search(lines[i]):
                j += 1  # the attribution was wrapped onto the next line
            while j < len(lines) and (not lines[j].strip() or _HEADER_FIELD.match(lines[j])
                                      or _FROM_LINE.match(lines[j])):
                j += 1
            i = j
            continue
        segments[-1].append(lines[i])
        i += 1
    return segments


def split_signature(lines: list[str]) -> tuple[list[str], list[str]]:
    """Separate signature lines from body lines.

    A signature starts at ``-- ``, ``Med vennlig hilsen``, ``Mvh``, ``Hilsen``,
    ``Sendt fra min ...`` and the like, and runs until the next ``>`` line:
    someone who signs above a quoted questionnaire and then answers inline
    under its questions must not lose the answers.
    """
    body: list[str] = []
    sig: list[str] = []
    in_sig = False
    for line in lines:
        if _is_quoted(line):
            in_sig = False
        elif _SIGNATURE.match(line):
            in_sig = True
        (sig if in_sig else body).append(line)
    return body, sig


# ---------------------------------------------------------------------------
# Question markers and answer chunks
# ---------------------------------------------------------------------------

def _phrase(pattern: str) -> str:
    """Let a readable pattern survive wrapping and quoting: a space matches any run
    of whitespace and ``>`` marks, ``~`` an optional such run."""
    return pattern.replace(" ", r"[\s>]+").replace("~", r"[\s>]*")


_OPTIONS_BODY = r"ja~/~nei(?:~/~vet (?:ikke|ikkje))?"
_OPTIONS = _phrase(r"[(\[]~" + _OPTIONS_BODY + r"~[)\]]")
_UNIT = r"(?:kommunen|bydelen)(?:~\(~(?:bydelen|kommunen)~\))?"
#: A repeated question: only at the start of a line (after quote marks and its number),
#: so that an answer such as "I dag har kommunen en lærings- og mestringstjeneste" is not
#: mistaken for the question.
_QUESTIONS = re.compile(
    r"^(?P<pre>[ \t>]*(?:(?:spm|spørsmål|sporsmål)\.?[ \t]*)?(?:[1-5][ \t]*[.):][ \t]*)?)(?:"
    + "|".join(
        f"(?P<q{n}>{_phrase(p)}(?:[\\s>]*{_OPTIONS})?)"
        for n, p in (
            (1, rf"har {_UNIT} (?:en )?lærings-?~og mestringstjeneste"
                r"(?:~,~det vil si[^?]{0,300}?brukermedvirkning)?(?:~\?)?"),
            (2, r"hva heter tjenesten[^?]{0,120}?\?"),
            (3, r"er tjenesten kommunal eller interkommunal(?:~\?)?(?:~hvis interkommunal~:[^?]{0,120}?\?)?"),
            (4, r"navn~,~telefon og e-?post til leder eller koordinator(?:~\.)?"),
            (5, rf"har {_UNIT} (?:noen )?planer om å etablere (?:en )?slik tjeneste(?:~\?)?"),
        )
    )
    + ")",
    re.I | re.M,
)
_LEFTOVER_OPTIONS = re.compile(_OPTIONS + "|" + _phrase(r"\bja~/~nei~/~vet (?:ikke|ikkje)\b"), re.I)
_MARKER = re.compile(r"^\s*\x00([1-5])\x00\s*$")
_NUMBERED = re.compile(
    r"^\s*(?:(?:spm|spørsmål|sporsmål|spørsmal|sporsmal|sp)\.?\s*(?:nr\.?\s*)?([1-5])(?!\d)\s*[.):\-–]?"
    r"|([1-5])\s*[.):](?!\d)|([1-5])\s+[-–](?=\s))\s*(.*)$",
    re.I,
)
_QUOTED_NUMBERED_QUESTION = re.compile(r"^[\s>]*(?:(?:spm|spørsmål)\.?\s*)?([1-5])\s*[.)]\s*\S.*\?", re.I)


@dataclass
class _Answers:
    """Reply text cut at the questions: text before any question, and per question the chunks after it."""

    preamble: list[str] = field(default_factory=list)
    chunks: dict[int, list[list[str]]] = field(default_factory=dict)

    def text_of(self, n: int) -> str:
        """All text written under question ``n``."""
        return "\n".join("\n".join(c) for c in self.chunks.get(n, []))


def _mark_questions(text: str) -> str:
    """Replace every repeated question text with a marker line; drop option lists.

    The marker replaces the line's quote marks and question number too; a
    question quoted with ``>`` stays quoted after the marker, so whatever
    remained on its line is still never read as an answer.
    """
    def repl(m: re.Match[str]) -> str:
        """A marker line for the question matched, keeping the quote mark of its line."""
        n = next(int(k[1]) for k, v in m.groupdict().items() if k != "pre" and v is not None)
        return f"\x00{n}\x00\n" + ("> " if ">" in m.group("pre") else "")

    marked = _QUESTIONS.sub(repl, text)
    return _LEFTOVER_OPTIONS.sub(" ", marked)


def cut_answers(lines: list[str]) -> _Answers:
    """Assign the reply's own lines to questions.

    Context comes from repeated question texts (quoted or not), numbered lines
    (``1. Ja``, ``1) nei``, ``Spm 1: Ja``, ``Spørsmål 1: nei``) and quoted
    numbered questions; an unquoted line belongs to the last question seen.
    Quoted lines only give context, never answer text.
    """
    marked = _mark_questions("\n".join(lines))
    out = _Answers()
    current: int | None = None
    for line in marked.split("\n"):
        mk = _MARKER.match(line)
        if mk:
            current = int(mk.group(1))
            out.chunks.setdefault(current, []).append([])
            continue
        if _is_quoted(line):
            qm = _QUOTED_NUMBERED_QUESTION.match(line)
            if qm:
                current = int(qm.group(1))
                out.chunks.setdefault(current, []).append([])
            continue
        nm = _NUMBERED.match(line)
        if nm:
            current = int(nm.group(1) or nm.group(2) or nm.group(3))
            out.chunks.setdefault(current, []).append([nm.group(4)] if nm.group(4).strip() else [])
            continue
        if current is None:
            out.preamble.append(line)
        else:
            out.chunks[current][-1].append(line)
    return out


# ---------------------------------------------------------------------------
# Coding questions 1 and 5
# ---------------------------------------------------------------------------

_LEAD = re.compile(
    r"^(ja|jo|jada|nei|vet\s+ikke|vet\s+ikkje|usikre?|usikkert)\b"
    r"(?!\s*/|\s+(?:og|eller)\s+(?:ja|nei)\b)", re.I)
_LEAD_CODE = {"ja": "ja", "jo": "ja", "jada": "ja", "nei": "nei"}
_NON_ANSWER = re.compile(
    r"^(?:[-–—x/?]+|ikke\s+aktuelt|ikke\s+relevant|ikkje\s+aktuelt|se\s+over|se\s+ovenfor|n/?a)$", re.I)
_GREETING = re.compile(
    r"^(?:hei|hallo|heisann|god\s+(?:dag|morgen|ettermiddag)|takk\s+for|tusen\s+takk|viser\s+til"
    r"|her\s+(?:kommer|er|følger)|svar\s+på|se\s+(?:svar|under|nedenfor|vedlagt|vedlegg)|til\s+|videresender)\b",
    re.I)
_STRIP_LEAD = re.compile(r"^[\s\-–—:.,;*•?…]+")
_ANSWER_LABEL = re.compile(r"^(?:svar|answer)\s*:\s*", re.I)

_NEG_ADVERBS = (r"(?:(?:dessverre|foreløpig|enda|ennå|heller|per\s+i\s+dag|pr\.?\s+i\s+dag|i\s+dag|så\s+langt"
                r"|p\.?\s?t\.?)\s+)*")
_SERVICE_WORD = re.compile(
    r"tjeneste|teneste|tilbud|senter|sentral|koordinator|lærings|mestring|\bslikt?\b|\blms\b|noe\s+sånt")
#: Who "has" the service in a sentence: vi, kommunen, bydelen, "Bodø kommune", "bydel Sagene".
_HOLDER = r"(?:vi|kommunen|bydelen|[\w\-]+\s+kommune|bydel\s+[\w\-]+)"
#: "<holder> har", or inverted after an adverb: "Dessverre har vi ...", "I dag har kommunen ...".
_HAS = r"(?:" + _HOLDER + r"\s+har|har\s+(?:vi|kommunen|bydelen))"
_Q1_NEG_HEAD = re.compile(
    r"\b" + _HAS + r"\s+" + _NEG_ADVERBS + r"(?:ikke|ikkje|ingen)\b"
    r"(?!\s+(?:konkrete\s+|noen\s+)?plan)([^.;:!?]{0,80})")
_Q1_NEG = (
    re.compile(r"\b(?:det|dette|noe\s+slikt|en\s+slik\s+tjeneste)\s+har\s+(?:vi|kommunen|bydelen)\s+"
               r"(?:dessverre\s+|foreløpig\s+)*(?:ikke|ikkje)\b(?!\s+(?:tenkt|planer|planlagt|vurdert|bestemt))"),
    re.compile(r"\b" + _HAS + r"\s+(?:dessverre\s+)?(?:ikke|ikkje)\s+(?:dette|det|noe\s+slikt|noe\s+sånt)"
               r"\s*(?:[.!,]|$)"),
    re.compile(r"\b" + _HOLDER + r"\s+har\s+(?:det|dette|noe\s+slikt)\s+(?:dessverre\s+)?(?:ikke|ikkje)\s*(?:[.!,]|$)"),
    re.compile(r"\b(?:finnes|eksisterer)\s+(?:det\s+)?(?:dessverre\s+)?(?:ikke|ikkje|ingen)\b[^.;:!?]{0,60}?"
               r"(?:tjeneste|teneste|senter|koordinator|lærings|mestring|tilbud)"),
    re.compile(r"\bingen\s+(?:slik|egen\s+(?:lærings|tjeneste)|eget\s+(?:lærings|senter)|lærings)"),
    re.compile(r"\bmen\s+ikke\s+(?:en\s+|noen\s+)?(?:egen\s+|eget\s+)?(?:slik|lærings|lms|mestringstjeneste)"),
)
_Q1_POS = (
    re.compile(r"\b" + _HAS + r"\s+(?:(?:allerede|i\s+dag|per\s+i\s+dag|nå)\s+)*"
               r"(?:(?:en|et|ei|eit|egen|eget)\s+)?(?:[\w\-]+\s+){0,4}?"
               r"(?:lærings-?\s*og\s+mestring\w*|mestringstjeneste\w*|mestringssenter\w*|lms\b"
               r"|slik\s+tjeneste|sånn\s+tjeneste|slik\s+teneste)"),
    re.compile(r"\ben\s+slik\s+tjeneste\s+har\s+(?:vi|kommunen|bydelen)\b(?!\s+(?:dessverre\s+)?(?:ikke|ikkje))"),
)
_Q1_DK = (
    re.compile(r"\b(?:usikre?|usikker|usikkert)\s+på\s+om\s+(?:vi|kommunen|bydelen|det|dette|vårt|våre)\b"),
    re.compile(r"\bvet\s+ikke\s+om\s+(?:vi|kommunen|bydelen)\s+har\b"),
)
_NEGATION = re.compile(r"\b(?:ikke|ikkje|ingen|aldri)\b")
_Q5_NEG = (
    re.compile(r"\b(?:ingen|ikke|ikkje)\s+(?:konkrete\s+|aktuelle\s+|umiddelbare\s+|noen\s+)?(?:planer|planar)\b"),
    re.compile(r"\bplanlegger\s+(?:ikke|ikkje|ingen)\b"),
    re.compile(r"\bikke\s+planlagt\b"),
    re.compile(r"\bikke\s+(?:aktuelt|prioritert)\s+(?:å\s+)?(?:etablere|opprette)"),
)
_Q5_POS = (
    re.compile(r"\bplanlegger\s+(?:å\s+)?(?:etablere|opprette|starte|få|lage|bygge)"),
    re.compile(r"\bplaner\s+om\s+(?:å\s+)?(?:etablere|opprette|starte)"),
    re.compile(r"\b(?:har|er\s+det|foreligger(?:\s+det)?)\s+planer\b"),
    re.compile(r"\bunder\s+etablering\b"),
    re.compile(r"\b(?:skal|vil)\s+(?:etablere|opprette|starte\s+opp)\b"),
    re.compile(r"\bi\s+gang\s+med\s+å\s+(?:etablere|opprette|planlegge)\b"),
)
_Q5_DK = (
    re.compile(r"\b(?:vurderer|vurderes|skal\s+vurdere|ikke\s+avklart|uavklart|usikkert\s+om"
               r"|ikke\s+tatt\s+stilling)\b"),
)
_Q5_MENTION = re.compile(r"\bplan\w*|\bplanar\b|\betabler\w*", re.I)


def _prose_flat(text: str) -> str:
    """Casefold and join lines: mail clients wrap sentences, and the prose rules read sentences."""
    return " ".join(text.casefold().split())


def _prose_q1(text: str) -> str | None:
    """Question 1 from prose; None when the prose says nothing or contradicts itself.

    ``nei``: "vi/kommunen/bydelen har [dessverre|foreløpig|...] ikke/ingen" followed,
    before the next ``men`` and within the sentence, by a service word (tjeneste,
    tilbud, senter, koordinator, lærings, mestring, slik ...), but not "ingen
    planer" (that is question 5); "det har vi ikke"; "finnes ikke ... tjeneste";
    "ingen slik/lærings..."; "men ikke en slik/lærings...".
    ``ja``: "vi/kommunen/bydelen har [en|et|egen] (up to four words)
    lærings- og mestring.../mestringstjeneste/mestringssenter/LMS/slik tjeneste",
    unless the span holds a negation. A frisklivssentral alone is not enough:
    whether it meets the definition is for the interview round to find out.
    ``vet_ikke``: "usikker på om vi ...", "vet ikke om vi har".
    """
    t = _prose_flat(text)
    found: set[str] = set()
    for m in _Q1_NEG_HEAD.finditer(t):
        window = re.split(r"\bmen\b", m.group(1), maxsplit=1)[0]
        if _SERVICE_WORD.search(window):
            found.add("nei")
    if any(p.search(t) for p in _Q1_NEG):
        found.add("nei")
    for p in _Q1_POS:
        for m in p.finditer(t):
            if not _NEGATION.search(m.group(0)):
                found.add("ja")
    if any(p.search(t) for p in _Q1_DK):
        found.add("vet_ikke")
    return found.pop() if len(found) == 1 else None


def _prose_q5(text: str) -> str | None:
    """Question 5 from prose; None when it says nothing or contradicts itself.

    ``nei``: "ingen/ikke planer", "planlegger ikke", "ikke planlagt", "ikke aktuelt å
    etablere". ``ja``: "planlegger å etablere/opprette/starte", "planer om å etablere",
    "har planer", "under etablering", "skal/vil etablere", "i gang med å etablere",
    each only when no negation stands in the 20 characters before it.
    ``vet_ikke``: "vurderer", "ikke avklart", "usikkert om", "ikke tatt stilling".
    """
    t = _prose_flat(text)
    found: set[str] = set()
    if any(p.search(t) for p in _Q5_NEG):
        found.add("nei")
    for p in _Q5_POS:
        for m in p.finditer(t):
            if not _NEGATION.search(t[max(0, m.start() - 20):m.start()]):
                found.add("ja")
    if any(p.search(t) for p in _Q5_DK):
        found.add("vet_ikke")
    return found.pop() if len(found) == 1 else None


def _lead_code(text: str) -> str | None:
    """A leading ja/nei/vet ikke (``Nei, vi har ...``); ``ja/nei`` or ``ja og nei`` is no answer."""
    m = _LEAD.match(text.strip())
    if not m:
        return None
    word = " ".join(m.group(1).casefold().split())
    return _LEAD_CODE.get(word, "vet_ikke")


def _code_chunk(lines: list[str], question: int) -> tuple[str | None, bool]:
    """Code the text written under one question: (code or None, whether any text was there)."""
    text = "\n".join(ln for ln in lines).strip()
    text = _ANSWER_LABEL.sub("", _STRIP_LEAD.sub("", text))
    text = text.strip()
    if not text or _NON_ANSWER.match(text.rstrip(".")):
        return None, False
    first = next((ln for ln in text.split("\n") if ln.strip()), "")
    code = code_answer(first) or _lead_code(text)
    if code:
        return code, True
    prose = _prose_q1(text) if question == 1 else _prose_q5(text) if question == 5 else None
    return prose, True


def _first_line_code(lines: list[str]) -> str | None:
    """A bare answer opening the reply (``Nei.``, ``Nei, vi har ikke ...``), after greetings.

    Up to two greeting lines (``Hei``, ``Takk for henvendelsen``) are skipped. On
    the deciding line an answer after its last colon also counts (``Her er
    svaret: nei``, ``Svar fra Saltdal: Nei``).
    """
    seen = 0
    for line in lines:
        text = _STRIP_LEAD.sub("", line).strip()
        if not text:
            continue
        seen += 1
        tail = text.rsplit(":", 1)[1].strip() if ":" in text else ""
        code = (code_answer(text) or _lead_code(text)) if not _GREETING.match(text) else None
        if code is None and tail:
            code = code_answer(tail) or _lead_code(tail)
        if code is not None or not _GREETING.match(text) or seen >= 3:
            return code
    return None


@dataclass
class Coding:
    """Coded questions 1 and 5 of one reply, with what the analyst needs when they are unclear."""

    q1: str | None
    q5: str | None
    q1_had_text: bool = False
    q5_unreadable: bool = False
    q1_raw: str | None = None
    q5_raw: str | None = None


def _code_answers(ans: _Answers, prose: bool) -> Coding:
    """Questions 1 and 5 from one cut text.

    Question 1: the first chunk under question 1 that codes (leading ja/nei/vet
    ikke, or prose); else, with ``prose``, the text before any question: its first
    content line's leading answer and the prose rules, which must agree.
    Question 5: the first chunk under question 5 that codes; else, with
    ``prose``, the prose rules on the text before any question plus the text
    under question 1 (``1. Nei, men vi planlegger å etablere ...``).
    """
    q1: str | None = None
    q1_had = False
    q1_raw: str | None = None
    for chunk in ans.chunks.get(1, []):
        code, has = _code_chunk(chunk, 1)
        if code:
            q1 = code
            break
        if has:
            q1_had = True
            q1_raw = q1_raw or "\n".join(chunk)
    if q1 is None and prose:
        lead = _first_line_code(ans.preamble)
        pr = _prose_q1("\n".join(ans.preamble))
        if lead and pr and lead != pr:
            q1_had = True
        else:
            q1 = lead or pr
        if q1 is None and any(ln.strip() for ln in ans.preamble):
            q1_had = True
            q1_raw = q1_raw or "\n".join(ln for ln in ans.preamble if ln.strip())

    q5: str | None = None
    q5_unreadable = False
    q5_raw: str | None = None
    for chunk in ans.chunks.get(5, []):
        code, has = _code_chunk(chunk, 5)
        if code:
            q5 = code
            break
        if has:
            q5_unreadable = True
            q5_raw = q5_raw or "\n".join(chunk)
    if q5 is None and prose:
        text = "\n".join(ans.preamble) + "\n" + ans.text_of(1)
        q5 = _prose_q5(text)
        if q5 is None and 5 not in ans.chunks and _Q5_MENTION.search(text):
            q5_unreadable = True
            q5_raw = q5_raw or text.strip()
    if q5 is not None:
        q5_unreadable = False
    return Coding(q1, q5, q1_had and q1 is None, q5_unreadable, q1_raw, q5_raw)


def code_reply(segments: list[list[str]], forward: bool) -> tuple[Coding, list[str], list[str]]:
    """Code a reply from its segments; also return its own body and signature lines.

    The reply's own text (segment 0, signature removed) decides. Only when it
    leaves question 1 open is the first quoted segment read: for a forward
    (``VS:``/``FW:``) in full, since it holds the answer being passed on; for a
    plain reply only the text standing under the repeated questions, which is
    where an Outlook user writes inline answers. The questionnaire's own words
    never count: question texts become markers and option lists are removed.
    """
    body, sig = split_signature(segments[0])
    coding = _code_answers(cut_answers(body), prose=True)
    if coding.q1 is None and len(segments) > 1:
        qbody, _ = split_signature(segments[1])
        inner = _code_answers(cut_answers(qbody), prose=forward)
        if inner.q1 is not None:
            q5, q5_unreadable, q5_raw = coding.q5, coding.q5_unreadable, coding.q5_raw
            if q5 is None:
                q5, q5_unreadable, q5_raw = inner.q5, inner.q5_unreadable, inner.q5_raw
            coding = Coding(inner.q1, q5, False, q5_unreadable, None, q5_raw)
    return coding, body, sig


# ---------------------------------------------------------------------------
# Identification
# ---------------------------------------------------------------------------

_TAG_BRACKET = re.compile(r"[\[(]\s*([KkBb])\s*-?\s*(\d{3,6})\s*[\])]")
_TAG_BARE = re.compile(r"(?<![\w])([KkBb])\s?-?\s?(\d{4}|\d{6})(?![\w])")
_MSGID = re.compile(r"<([^<>\s]+)>")
#: Free-mail and ISP domains: a dispatch address there says nothing about a sender's employer.
PUBLIC_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "hotmail.com", "hotmail.no", "live.no", "live.com", "outlook.com",
    "outlook.no", "yahoo.com", "yahoo.no", "online.no", "broadpark.no", "icloud.com", "me.com",
    "msn.com", "frisurf.no", "start.no", "getmail.no", "c2i.net", "lyse.net", "altibox.no",
    "epost.no", "mail.com", "tele2.no", "chello.no", "bluezone.no",
})


def tag_units(subject: str, dispatch: DispatchResult) -> set[str]:
    """Dispatched units tagged in a subject, tolerating the usual mangling."""
    found: set[str] = set()
    for m in list(_TAG_BRACKET.finditer(subject)) + list(_TAG_BARE.finditer(subject)):
        letter, digits = m.group(1).upper(), m.group(2)
        if letter == "K" and len(digits) <= 4:
            enhet = f"K{digits.zfill(4)}"
        elif letter == "B" and len(digits) == 6:
            enhet = f"B{digits}"
        else:
            continue
        if enhet in dispatch.units:
            found.add(enhet)
    return found


_AFTER_KOMMUNE = re.compile(r"\bkommune\b")


def _units_named(text: str, classification: Classification, dispatch: DispatchResult) -> str | None:
    """The one dispatched unit a text names; Oslo named with one bydel means the bydel.

    A line break is put after every ``kommune``, because ``find_in_text`` lets a
    name run over up to four words and would otherwise read ``Bodø kommune og
    Saltdal kommune`` as one name ending in Saltdal and miss Bodø.
    """
    found = classification.find_in_text(_AFTER_KOMMUNE.sub("\\g<0>\n", text))
    if len(found) > 1 and f"K{OSLO}" in found:
        bydeler = {u for u in found if u.startswith("B")}
        if len(bydeler) == 1 and len(found) == 2:
            found = bydeler
    if len(found) == 1:
        unit = next(iter(found))
        return unit if unit in dispatch.units else None
    return None


def _message_ids(value: str) -> list[str]:
    """Normalised ids of an In-Reply-To/References value; bare ids are accepted when brackets were lost."""
    ids = _MSGID.findall(value)
    if not ids and value.strip():
        ids = value.split()
    return [normalise_message_id(i) for i in ids]


# ---------------------------------------------------------------------------
# Reading one message
# ---------------------------------------------------------------------------

_AUTO_SUBJECT = re.compile(
    r"automatisk\s+svar|fraværsmelding|fravær\s*:|out\s+of\s+(?:the\s+)?office|autosvar|automatic\s+reply"
    r"|auto[\s\-]?reply|autoreply|ikke\s+på\s+kontoret|abwesenheitsnotiz", re.I)
_MESSAGE_HEADERS = {"from", "to", "subject", "date", "message-id"}


@dataclass
class _Row:
    """Everything learnt about one file; becomes one table row and its issues."""

    file: str
    quarantine: str | None = None
    quarantine_code: str = "epost.uleselig"
    quarantine_locator: str = "file"
    notes: list[Note] = field(default_factory=list)
    message_id: str | None = None
    date: datetime | None = None
    subject: str = ""
    sender: str | None = None
    content_type: str | None = None
    auto_reply: bool = False
    attachments: list[str] = field(default_factory=list)
    answer_attachments: int = 0
    coding: Coding | None = None
    enhet_id: str | None = None
    ident_method: str = "none"
    ident_note: str = ""
    # the rules found no unit and an override supplied one: the review item stays, marked resolved
    unidentified: bool = False
    superseded: bool = False
    status: str = ""
    overridden: dict[str, str] = field(default_factory=dict)
    override_values: dict[str, object] = field(default_factory=dict)


def _header(items: list[tuple[str, str]], name: str) -> str | None:
    """First raw value of a header (``name`` lower-case); raw, so the repairing decoder sees the bytes."""
    for key, value in items:
        if key.lower() == name:
            return value
    return None


def _parse_date(raw: str | None) -> datetime | None:
    """Date header in UTC; a date without zone (``-0000`` or none) is taken as UTC."""
    if not raw:
        return None
    try:
        dt = email.utils.parsedate_to_datetime(" ".join(raw.split()))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def _sender_address(raw: str | None) -> str | None:
    """The From address, lower-cased.

    Parsed from the header before RFC 2047 decoding: an encoded display name is
    one opaque token there, whereas the decoded ``Nordmann, Ola`` would be split
    at its comma into two addresses.
    """
    if not raw:
        return None
    text = str(raw)
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        text = decode_bytes(text.encode("utf-8", "surrogateescape"), None)
    text = " ".join(text.split())
    addresses = [a for _, a in email.utils.getaddresses([text]) if "@" in a]
    if not addresses:
        addresses = [a for _, a in email.utils.getaddresses([decode_header_text(text)]) if "@" in a]
    return addresses[0].strip().strip("<>").lower() if addresses else None


def _has_header_end(raw: bytes) -> bool:
    """Whether the header block is closed by a blank line; a file cut inside its headers is not."""
    return b"\n\n" in raw or b"\r\n\r\n" in raw or b"\n\r\n" in raw


class _Unreadable(Exception):
    """The message cannot be read; ``args`` are the reason code and the quarantine reason."""


def _raw_value(part: email.message.Message, name: str) -> str | None:
    """A header of a MIME part as a plain string.

    ``compat32`` returns a ``Header`` object instead of a string when the value
    holds raw 8-bit bytes (a damaged or sloppy part header); string methods on
    it would fail, so the raw text is fetched instead.
    """
    wanted = name.lower()
    for key, value in part.raw_items():
        if key.lower() == wanted:
            return str(value)
    return None


def attachment_label(name: str, ctype: str, size: int) -> str:
    """How an attachment is listed in the table: its type, file suffix and decoded size, never its
    name (``Svar fra Kari Nordmann.docx`` names a person; the review command shows the name)."""
    suffix = Path(name).suffix.lower() if name else ""
    suffix = suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else ""
    return f"{suffix or ctype} ({size})"


def _read_parts(msg: email.message.Message) -> tuple[str, list[str], int, list[Note]]:
    """Body text, attachment labels, how many attachments may hold an answer, and repair notes.

    Inline ``text/plain`` parts are preferred; ``text/html`` parts are used when
    no plain part has text (``multipart/alternative`` from Outlook has both).
    Everything else is an attachment, listed by type, suffix and decoded size
    (:func:`attachment_label`) and never opened. Inline images with a
    Content-ID (logos in signatures) and vCards are listed but do not count as
    a possible answer. Each part's charset is decoded on its own
    (:func:`decode_counting`); bytes that needed the fallback are noted, as is an
    attachment whose transfer encoding is cut off (the text is still read). A
    text part whose own encoding is broken makes the message unreadable.
    """
    plain: list[str] = []
    html: list[str] = []
    attachments: list[str] = []
    notes: list[Note] = []
    answer_attachments = 0
    stack = [msg]
    n = 0
    while stack:
        part = stack.pop(0)
        n += 1
        where = f"part {n}"
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            inner = part.get_payload()
            inner_msg = inner[0] if isinstance(inner, list) and inner else None
            try:
                size = len(inner_msg.as_bytes()) if inner_msg is not None else 0
            except (UnicodeError, LookupError, ValueError):
                size = 0  # the size is informative only; an odd inner charset must not lose the reply
            attachments.append(attachment_label(".eml", ctype, size))
            answer_attachments += 1
            continue
        if part.is_multipart():
            payload = part.get_payload()
            stack[0:0] = list(payload) if isinstance(payload, list) else []
            continue
        raw_name = part.get_filename()
        name = decode_header_text(raw_name) if raw_name else ""
        disposition = (_raw_value(part, "Content-Disposition") or "").split(";")[0].strip().lower()
        payload = part.get_payload(decode=True) or b""
        broken = defect_names(part) & ENCODING_DEFECTS
        is_text = ctype in ("text/plain", "text/html") and not name and disposition != "attachment"
        if broken and is_text:
            raise _Unreadable("epost.koding_brutt", f"truncated or corrupt {_raw_value(part, 'Content-Transfer-Encoding') or ''} "
                              f"text part ({', '.join(sorted(broken))})", where)
        if broken:
            notes.append(Note("epost.mime_defekt", f"attachment with a truncated or corrupt transfer encoding "
                              f"({', '.join(sorted(broken))}); listed, the text is read", where))
        if is_text:
            decoded, replaced = decode_counting(payload, part.get_content_charset())
            if replaced:
                notes.append(Note("epost.tegn_erstattet", f"{replaced} byte(s) not valid in the part's charset "
                                  f"read as windows-1252", where))
            text = _normalise_text(decoded)
            (plain if ctype == "text/plain" else html).append(text)
            continue
        attachments.append(attachment_label(name, ctype, len(payload)))
        logo = ctype.startswith("image/") and disposition != "attachment" and _raw_value(part, "Content-ID") is not None
        vcard = ctype in ("text/vcard", "text/x-vcard") or name.lower().endswith(".vcf")
        if not (logo or vcard):
            answer_attachments += 1
    body = "\n".join(t for t in plain if t.strip())
    if not body.strip() and html:
        body = "\n".join(html_to_text(h) for h in html)
    return body, attachments, answer_attachments, notes


def _header_block_cut(raw: bytes, msg: email.message.Message) -> bool:
    """A file cut inside its header block: no blank line after the headers, and what the standard
    library took for a body is nothing or a single unterminated line (``Da`` of a ``Date:``)."""
    if _has_header_end(raw):
        return False
    payload = msg.get_payload(decode=False)
    text = payload if isinstance(payload, str) else ""
    return not text.strip() or ("\n" not in text and not raw.endswith((b"\n", b"\r")))


def _read_message(path: Path, dispatch: DispatchResult, classification: Classification) -> _Row:
    """Read, identify and code one file; every failure becomes a quarantine reason, every repair a note."""
    row = _Row(path.name)

    def quarantine(code: str, reason: str, locator: str = "file") -> _Row:
        row.quarantine, row.quarantine_code, row.quarantine_locator = reason, code, locator
        return row

    if path.suffix.lower() != ".eml":
        return quarantine("epost.ikke_eml", f"not an .eml file (suffix '{path.suffix}')")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return quarantine("epost.uleselig", f"cannot be read ({type(exc).__name__}: {exc.strerror or exc})")
    if not raw.strip():
        return quarantine("epost.tom", "empty file")
    if b"\x00" in raw[:8192]:
        return quarantine("epost.binaer", "binary content (NUL bytes): not an e-mail message")

    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    items = list(msg.raw_items())
    names = {k.lower() for k, _ in items}
    if not names & _MESSAGE_HEADERS:
        return quarantine("epost.ikke_epost", "no e-mail headers (From, To, Subject, Date, Message-ID): "
                          "not an RFC 5322 message")
    row.message_id = decode_header_text(_header(items, "message-id")) or None
    row.date = _parse_date(decode_header_text(_header(items, "date")))
    row.subject = decode_header_text(_header(items, "subject"))
    row.content_type = msg.get_content_type()
    row.sender = _sender_address(_header(items, "from"))
    if _header_block_cut(raw, msg):
        return quarantine("epost.avkortet", "truncated: the file ends inside the header block", "headers")
    if "MissingHeaderBodySeparatorDefect" in defect_names(msg) or not _has_header_end(raw):
        row.notes.append(Note("epost.mime_defekt", "the header block is not closed by a blank line "
                              "(MissingHeaderBodySeparatorDefect); the first line that is no header starts the body",
                              "headers"))
    for i, part in enumerate(msg.walk(), 1):
        lost = defect_names(part) & STRUCTURE_LOST
        if lost:
            return quarantine("epost.mime_brutt", f"broken MIME structure ({', '.join(sorted(lost))})", f"part {i}")
        if "CloseBoundaryNotFoundDefect" in defect_names(part):
            row.notes.append(Note("epost.mime_defekt", "the final MIME boundary is missing "
                                  "(CloseBoundaryNotFoundDefect); the parts before the end are read", f"part {i}"))
    try:
        body, row.attachments, row.answer_attachments, notes = _read_parts(msg)
    except _Unreadable as exc:
        return quarantine(*exc.args)
    row.notes += notes

    auto_submitted = (_header(items, "auto-submitted") or "").strip().lower()
    row.auto_reply = bool(
        (auto_submitted and auto_submitted != "no")
        or "x-autoreply" in names or "x-autorespond" in names
        or (_header(items, "precedence") or "").strip().lower() == "auto_reply"
        or _AUTO_SUBJECT.search(row.subject)
    )
    forward = bool(_FORWARD_SUBJECT.match(row.subject))
    segments = split_segments(body)
    row.coding, own_body, own_sig = code_reply(segments, forward)
    # a forwarded message names the unit only when it is the answer being passed on (the forwarder's
    # own text has none); otherwise it is someone else's message, context that never identifies
    passes_on = forward and len(segments) > 1 and _code_answers(cut_answers(own_body), prose=True).q1 is None
    _identify(row, items, dispatch, classification, own_body, own_sig, segments, passes_on)
    return row


def _identify(row: _Row, items: list[tuple[str, str]], dispatch: DispatchResult,
              classification: Classification, body: list[str], sig: list[str],
              segments: list[list[str]], passes_on: bool) -> None:
    """Run the identification cascade (see the module docstring) and record the step."""
    tagged = tag_units(row.subject, dispatch)
    if len(tagged) == 1:
        row.enhet_id, row.ident_method = next(iter(tagged)), "tag"
        return
    if len(tagged) > 1:
        row.ident_note = f"several tags in the subject ({', '.join(sorted(tagged))}); "
    for name in ("in-reply-to", "references"):
        units = {dispatch.by_message_id[i] for i in _message_ids(decode_header_text(_header(items, name)))
                 if i in dispatch.by_message_id}
        if len(units) == 1:
            row.enhet_id, row.ident_method = next(iter(units)), "in_reply_to"
            return
    if row.sender:
        units = dispatch.by_address.get(row.sender, set())
        if len(units) == 1:
            row.enhet_id, row.ident_method = next(iter(units)), "sender_address"
            return
        domain = row.sender.rsplit("@", 1)[1]
        units = dispatch.by_domain.get(domain, set())
        if len(units) == 1 and domain not in PUBLIC_DOMAINS:
            row.enhet_id, row.ident_method = next(iter(units)), "sender_domain"
            return
        if len(units) > 1:
            row.ident_note += f"sender domain shared by {len(units)} dispatched units; "
    own_sig = "\n".join(ln for ln in sig if not _is_quoted(ln))
    own_all = "\n".join(ln for ln in body + sig if not _is_quoted(ln))
    # below the quoted questionnaire: a sign-off or a transport-rule disclaimer is the sender's own
    own_tail = "\n".join(sender_tail(segments))
    candidates = [own_sig, own_all, own_tail]
    if passes_on:
        candidates.append("\n".join(ln for ln in segments[1] if not _is_quoted(ln)))
    for text in candidates:
        if text.strip():
            unit = _units_named(text, classification, dispatch)
            if unit:
                row.enhet_id, row.ident_method = unit, "named_in_text"
                return


# ---------------------------------------------------------------------------
# Overrides, supersession, output
# ---------------------------------------------------------------------------

def _override_value(ov: Override, key: str, value: object, dispatch: DispatchResult) -> object:
    """Validate one override value; a wrong one names the override, because a typo
    would otherwise change the coding silently."""
    if key == "enhet_id":
        unit = str(value).strip().upper()
        if unit not in dispatch.units:
            raise OverrideError(f"override {ov.id}: enhet_id '{value}' is not in the dispatch list")
        return unit
    if key in ("q1", "q5"):
        if isinstance(value, bool):  # YAML reads a bare yes/no as a boolean
            return "ja" if value else "nei"
        code = str(value).strip().lower().replace(" ", "_")
        if code not in ANSWER:
            raise OverrideError(f"override {ov.id}: {key} '{value}' is not one of {', '.join(ANSWER)}")
        return code
    if key == "auto_reply":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "ja", "yes", "1"):
            return True
        if text in ("false", "nei", "no", "0"):
            return False
        raise OverrideError(f"override {ov.id}: auto_reply '{value}' is not true or false")
    raise OverrideError(f"override {ov.id}: cannot set '{key}' on an e-mail reply "
                        f"(allowed: {', '.join(OVERRIDE_FIELDS)})")


def _apply_overrides(rows: list[_Row], overrides: list[Override], dispatch: DispatchResult) -> set[str]:
    """Apply the analysts' decisions for this source; return the ids used so unmatched ones can be reported."""
    applied: set[str] = set()
    by_file = {r.file: r for r in rows}
    for ov in overrides:
        if ov.source != SOURCE:
            continue
        row = by_file.get(ov.file)
        if row is None or not ov.matches(SOURCE, row.file, ""):
            continue
        for key, value in ov.set.items():
            row.override_values[key] = _override_value(ov, key, value, dispatch)
            row.overridden[key] = ov.id
        applied.add(ov.id)
    for row in rows:
        vals = row.override_values
        if "enhet_id" in vals:
            row.unidentified = row.enhet_id is None
            row.enhet_id, row.ident_method = str(vals["enhet_id"]), "override"
        if "auto_reply" in vals:
            row.auto_reply = bool(vals["auto_reply"])
    return applied


def _final_answers(row: _Row) -> tuple[str | None, str | None]:
    """Coded q1/q5 after overrides: null for auto-replies, ``uklart`` where the rules could not decide."""
    if row.auto_reply:
        return None, None
    q1 = row.coding.q1 if row.coding else None
    q5 = row.coding.q5 if row.coding else None
    q1 = str(row.override_values.get("q1", q1 or "uklart"))
    q5 = str(row.override_values.get("q5", q5 or "uklart"))
    return q1, q5


def _supersede(rows: list[_Row], issues: list[Issue]) -> None:
    """Latest reply per unit by Date is the answer; earlier ones are ``erstattet``.

    A missing Date sorts first (the message cannot claim to be the latest); on a
    tie the later file name wins and the tie goes to review.
    """
    groups: dict[str, list[_Row]] = {}
    for row in rows:
        if row.status == "svar" and row.enhet_id:
            groups.setdefault(row.enhet_id, []).append(row)
    floor = datetime.min.replace(tzinfo=timezone.utc)
    for enhet, group in groups.items():
        if len(group) < 2:
            continue
        group.sort(key=lambda r: (r.date or floor, r.file))
        winner = group[-1]
        for row in group[:-1]:
            row.superseded, row.status = True, "erstattet"
        ties = [r.file for r in group[:-1] if r.date is not None and r.date == winner.date]
        if ties:
            issues.append(Issue(SOURCE, winner.file, "", "date", "epost.samme_dato",
                                f"two replies with the same Date from {enhet} ({', '.join(ties)}): "
                                "the later file name wins", locator="headers"))
        undated = [r.file for r in group if r.date is None]
        if undated:
            issues.append(Issue(SOURCE, winner.file, "", "date", "epost.mangler_dato",
                                f"several replies from {enhet}, some without a readable Date ({', '.join(undated)}): "
                                "ordered as earliest", locator="headers"))


def _issues_for(row: _Row, q1: str | None, q5: str | None) -> list[Issue]:
    """The review and quarantine items of one row, each marked resolved by the override that settles it."""
    out: list[Issue] = [Issue(SOURCE, row.file, "", "mime", n.code, n.detail, "review", None, n.locator)
                        for n in row.notes]
    ov = row.overridden
    if row.quarantine:
        out.append(Issue(SOURCE, row.file, "", "file", row.quarantine_code, row.quarantine,
                         "quarantine", ov.get("enhet_id"), row.quarantine_locator))
        if row.enhet_id is None:
            return out
    if row.auto_reply:
        return out
    if row.enhet_id is None or (row.unidentified and not row.quarantine):
        out.append(Issue(SOURCE, row.file, "", "enhet_id", "epost.uidentifisert",
                         f"no unit identified ({row.ident_note}no tag, reply id, known sender or unit named in text)",
                         "review", ov.get("enhet_id") if row.unidentified else None, "subject, sender, signature"))
    coding = row.coding
    if coding is not None and coding.q1 is None:
        if row.answer_attachments:
            out.append(Issue(SOURCE, row.file, "", "q1", "epost.svar_i_vedlegg",
                             "answer in attachment: code manually", "review", ov.get("q1"), "attachments"))
        elif coding.q1_had_text:
            out.append(Issue(SOURCE, row.file, "", "q1", "epost.sp1_ukodet",
                             "answer to question 1 could not be coded", "review", ov.get("q1"), "body"))
        else:
            out.append(Issue(SOURCE, row.file, "", "q1", "epost.sp1_mangler",
                             "no answer to question 1 found in the reply", "review", ov.get("q1"), "body"))
    if coding is not None and coding.q5_unreadable and coding.q5 is None and q1 not in (None, "uklart"):
        out.append(Issue(SOURCE, row.file, "", "q5", "epost.sp5_ukodet",
                         "answer to question 5 could not be coded", "review", ov.get("q5"), "body"))
    return out


def ingest_email(epost_dir: str | Path, dispatch: DispatchResult, classification: Classification,
                 round_name: str, overrides: list[Override]) -> EmailResult:
    """Read every file in ``epost/`` into ``EMAIL_REPLIES`` rows, issues and applied overrides.

    Coding of question 1 (``ja``/``nei``/``vet_ikke``/``uklart``), from the reply's
    own text with quotes and signature removed:

    1. numbered answers (``1. Ja``, ``1) nei``, ``Spm 1: Ja, vi har ...``,
       ``Spørsmål 1: nei``) and text written under the repeated question 1
       (quoted or not): a leading ja/nei/vet ikke, else the prose rules;
    2. otherwise the text before any question: its first content line after
       greetings (``Nei, vi har ikke ...``) and the prose rules
       (:func:`_prose_q1`), which must not contradict each other;
    3. otherwise, if a quoted message follows, the text under its questions
       (Outlook inline answers), or for a forward the whole forwarded reply.

    The option list ``(ja / nei / vet ikke)`` and the question texts are removed
    first and ``>`` lines never give answer text, so the questionnaire itself
    cannot be read as an answer. ``ja/nei`` and ``ja og nei`` are no answer.
    Undecided -> ``uklart`` and a review item on ``q1``; when an attachment may
    hold the answer, ``attachment_answer`` is set and the item says so.

    Question 5 likewise (numbered/inline first, then prose, :func:`_prose_q5`,
    also over the answer to question 1). ``uklart`` when undecided. It goes to
    review only when question 1 was decided and question-5 text exists but
    cannot be coded (an answer under question 5, or prose about plans the rules
    cannot read); an absent or ``-``/``ikke aktuelt`` answer does not, since
    question 5 only matters for units without a service. When question 1 is
    already in review, the analyst sees the whole reply anyway.

    Auto-replies have ``q1``/``q5`` null and status ``autosvar``; they are
    identified when possible but never go to review. Identified non-automatic
    replies take part in supersession (:func:`_supersede`).
    """
    folder = Path(epost_dir)
    if not folder.is_dir():
        raise EmailError(f"{folder}: e-mail folder not found")
    paths = sorted(folder.iterdir(), key=lambda p: p.name)
    rows: list[_Row] = []
    for path in paths:
        if path.is_dir():
            row = _Row(path.name, quarantine="a directory, not a message file", quarantine_code="epost.mappe")
        else:
            try:
                row = _read_message(path, dispatch, classification)
            except Exception as exc:  # one broken file must not stop a round; it is quarantined with its reason
                row = _Row(path.name, quarantine=f"could not be parsed ({type(exc).__name__})")
        rows.append(row)

    applied = _apply_overrides(rows, overrides, dispatch)

    issues: list[Issue] = []
    answers: dict[str, tuple[str | None, str | None]] = {}
    for row in rows:
        q1, q5 = _final_answers(row)
        answers[row.file] = (q1, q5)
        if row.quarantine and row.ident_method != "override":
            row.status = "karantene"
            answers[row.file] = (None, None)
        elif row.auto_reply:
            row.status = "autosvar"
        elif row.enhet_id is None:
            row.status = "til_vurdering"
        else:
            row.status = "svar"
        issues.extend(_issues_for(row, *answers[row.file]))
    _supersede(rows, issues)

    records = []
    for row in rows:
        q1, q5 = answers[row.file]
        records.append({
            "round": round_name,
            "file": row.file,
            "message_id": salted_hash(normalise_message_id(row.message_id)) if row.message_id else None,
            "date": row.date,
            "enhet_id": row.enhet_id,
            "kommunenummer": dispatch.units.get(row.enhet_id) if row.enhet_id else None,
            "ident_method": row.ident_method,
            "sender_hash": salted_hash(row.sender) if row.sender else None,
            "content_type": row.content_type,
            "auto_reply": bool(row.auto_reply),
            "superseded": bool(row.superseded),
            "q1": q1,
            "q5": q5,
            "attachment_answer": bool(
                row.status not in ("karantene", "autosvar") and row.coding is not None
                and row.coding.q1 is None and row.answer_attachments > 0),
            "attachments": "; ".join(row.attachments) or None,
            "status": row.status,
        })
    table = pd.DataFrame.from_records(records, columns=EMAIL_REPLIES.column_names)
    table["date"] = pd.to_datetime(table["date"], utc=True).astype("datetime64[us, UTC]")
    for col in ("auto_reply", "superseded", "attachment_answer"):
        table[col] = table[col].astype(bool)
    table = table.sort_values(list(EMAIL_REPLIES.sort_by), kind="stable").reset_index(drop=True)
    return EmailResult(table=table, issues=issues, applied=applied)
