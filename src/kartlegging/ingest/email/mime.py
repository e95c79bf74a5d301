"""Salvage before quarantine: MIME defects the standard library tolerates, and mixed charsets.

A reply is quarantined only when it cannot be read. Two kinds of damage are
common in real mail and leave the message readable:

- structural defects the standard library recovers from: a multipart whose
  final boundary is missing (the last part still parses), a header block not
  followed by a blank line (the first line that is no header starts the body),
  an attachment whose base64 is cut off (the text part is intact);
- a body that is UTF-8 except for a few bytes (a pasted signature in
  windows-1252): decoding the whole part as windows-1252 would mangle every
  æ, ø and å of the valid UTF-8, so only the invalid bytes fall back.

Each salvage is reported (:class:`Note`) so the analyst sees what was repaired.
"""

from __future__ import annotations

import codecs
import email.errors
import email.header
import email.message
import re
from dataclasses import dataclass
from html.parser import HTMLParser

#: Defects after which the structure of the message cannot be trusted: the boundaries that
#: delimit the parts were not found at all, so what the parts are is a guess.
STRUCTURE_LOST = frozenset({"StartBoundaryNotFoundDefect", "NoBoundaryInMultipartDefect"})
#: Defects the standard library recovers from: the message is read, with a note.
TOLERATED = frozenset({"CloseBoundaryNotFoundDefect", "MissingHeaderBodySeparatorDefect",
                       "InvalidBase64PaddingDefect", "InvalidBase64LengthDefect",
                       "InvalidBase64CharactersDefect", "MisplacedEnvelopeHeaderDefect",
                       "FirstHeaderLineIsContinuationDefect", "InvalidHeaderDefect"})
#: Defects of a part's content transfer encoding: fatal for a text part that holds the answer,
#: tolerated for an attachment (which is listed, never opened).
ENCODING_DEFECTS = frozenset({"InvalidBase64PaddingDefect", "InvalidBase64LengthDefect",
                              "InvalidBase64CharactersDefect"})


@dataclass(frozen=True)
class Note:
    """A repair made while reading a message: a reason code, an English detail, where."""

    code: str
    detail: str
    locator: str


def defect_names(part: email.message.Message) -> set[str]:
    return {type(d).__name__ for d in part.defects}


_FALLBACK = "kartlegging-cp1252-fallback"


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: the bytes UTF-8 cannot decode, read one by one as windows-1252
    (U+FFFD for the five bytes windows-1252 leaves undefined)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start:exc.end]
    return bad.decode("cp1252", errors="replace"), exc.end


codecs.register_error(_FALLBACK, _cp1252_fallback)


def decode_utf8_mixed(data: bytes) -> tuple[str, int]:
    """Decode UTF-8 text with a few invalid bytes: valid sequences as UTF-8, each invalid byte
    as windows-1252. Returns the text and the number of bytes that needed the fallback."""
    strict_ok = data.decode("utf-8", errors="ignore")
    text = data.decode("utf-8", errors=_FALLBACK)
    replaced = len(data) - len(strict_ok.encode("utf-8"))
    return text, replaced


#: UTF-8 bytes read as windows-1252 or latin-1 (``Ã¸`` for ``ø``, ``â€“`` for ``–``).
_MOJIBAKE = re.compile(
    "(?:[\u00c2\u00c3][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
    "|\u00e2\u20ac[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122])+"
)



_SINGLE_BYTE_WESTERN = {"latin_1", "iso8859_1", "cp1252", "ascii", "iso8859_15"}



def _codec_name(declared: str | None) -> str | None:
    """Python's name for a declared charset, or None when it names no text encoding Python knows.

    A sender (or damage) may declare anything: an unknown name, a name with a NUL or a lone
    surrogate in it, or one of Python's codecs that are no charset at all (``rot13``, ``bz2``,
    ``quopri``, ``base64``), which ``bytes.decode`` refuses with ``LookupError``.
    """
    if not declared or len(declared) > 64:
        return None
    try:
        info = codecs.lookup(declared.strip().strip('"').lower())
    except (LookupError, ValueError, UnicodeError):
        return None
    return info.name.replace("-", "_") if info._is_text_encoding else None



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



#: A charset name as mail clients write them; anything else is not repeated in a note (it came from the file).
_CHARSET_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+-]{0,39}")


def unknown_charset(data: bytes, declared: str | None) -> str | None:
    """The declared charset, when Python knows no text encoding by that name and the bytes needed one.

    :func:`decode_counting` then reads the part as windows-1252 (what Norwegian mail that is
    neither ASCII nor UTF-8 nearly always is): a guess, so the reader notes it for review rather
    than passing it off as the sender's text. ASCII and UTF-8 bytes need no charset, so no note.
    Returns the name as written when it looks like a charset name, else ``"(unreadable name)"``:
    the header is input and only a label that cannot carry a person's text is repeated.
    """
    if not declared or _codec_name(declared) is not None:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        label = declared.strip().strip('"')
        return label if _CHARSET_LABEL.fullmatch(label) else "(unreadable name)"
    return None


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
        except (UnicodeError, LookupError):  # not the charset declared, or a codec that always fails
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



def normalise_text(text: str) -> str:
    """Line endings, non-breaking and zero-width spaces, NULs: one canonical form."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return text.replace("\xa0", " ").replace("\u200b", "").replace("\ufeff", "")
