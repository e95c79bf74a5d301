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
import email.message
from dataclasses import dataclass

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


def has_utf8_sequences(data: bytes) -> bool:
    """Whether ``data`` holds at least one valid multi-byte UTF-8 sequence (so it is UTF-8 text,
    perhaps with a few bad bytes, rather than single-byte text)."""
    text = data.decode("utf-8", errors="ignore")
    return any(ord(ch) > 0x7F for ch in text)


def decode_utf8_mixed(data: bytes) -> tuple[str, int]:
    """Decode UTF-8 text with a few invalid bytes: valid sequences as UTF-8, each invalid byte
    as windows-1252. Returns the text and the number of bytes that needed the fallback."""
    strict_ok = data.decode("utf-8", errors="ignore")
    text = data.decode("utf-8", errors=_FALLBACK)
    replaced = len(data) - len(strict_ok.encode("utf-8"))
    return text, replaced
