"""The sender's own text below a quoted questionnaire: sign-offs, signatures, transport-rule disclaimers.

Most replies put the sender's text above the quoted questionnaire. Some do not:

- clients that quote first and sign below (``>`` lines, then ``Mvh ... Hvaler kommune``);
- Exchange transport rules, which append a signature or a disclaimer below the
  whole message, under the quoted questionnaire (``Denne e-posten er sendt fra
  Hvaler kommune``);
- HTML replies whose signature block follows the ``gmail_quote`` blockquote.

That text is the sender's own and may identify the unit. Text *inside* a quoted or
forwarded message is someone else's and never does: :func:`sender_tail` returns
only what follows the end of the quoted questionnaire, and nothing when that end
cannot be told.
"""

from __future__ import annotations

import re

_QUOTED = re.compile(r"^\s*>")
#: The last question of the questionnaire: numbered 5, or its answer options.
_LAST_QUESTION = re.compile(r"^[\s>]*(?:5\s*[.):]\s+\S|.*\(\s*ja\s*/\s*nei(?:\s*/\s*vet\s+ikke)?\s*\)\s*$)", re.I)
#: The first line of a sign-off (the letter's own, or the sender's).
_SIGN_OFF = re.compile(
    r"^[\s>]*(?:--\s*$|(?:med\s+)?(?:vennlig|venleg|beste|hjertelig|vennleg)\s+(?:hilsen|helsing)\b"
    r"|mvh\.?\b|hilsen\b|helsing\b|best\s+regards\b|kind\s+regards\b|regards\b)", re.I)


def _strip_blank(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def _after_quote_marks(lines: list[str]) -> list[str] | None:
    """``>``-quoted message: the unquoted lines after its last ``>`` line (None when nothing is quoted)."""
    last = max((i for i, ln in enumerate(lines) if _QUOTED.match(ln)), default=None)
    if last is None:
        return None
    return _strip_blank(lines[last + 1:])


def _after_letter(lines: list[str]) -> list[str]:
    """Unquoted (Outlook-style) questionnaire: the lines after the letter's own sign-off block, which
    follows its last question. Without a recognisable last question and sign-off, nothing: where the
    quoted letter ends cannot be told, and what it holds is not the sender's."""
    last_q = max((i for i, ln in enumerate(lines) if _LAST_QUESTION.match(ln)), default=None)
    if last_q is None:
        return []
    sign = next((i for i in range(last_q + 1, len(lines)) if _SIGN_OFF.match(lines[i])), None)
    if sign is None:
        return []
    end = next((i for i in range(sign + 1, len(lines)) if not lines[i].strip()), len(lines))
    return _strip_blank(lines[end:])


def sender_tail(segments: list[list[str]]) -> list[str]:
    """The sender's own lines after the end of the quoted questionnaire, or [].

    ``segments`` as :func:`kartlegging.ingest.email.reader.split_segments` returns them; only
    the last segment can carry a tail (text appended below the whole message). For
    ``>``-quoted messages the tail is what follows the last quoted line; for unquoted
    ones (Outlook's header block) what follows the letter's own sign-off.
    """
    if len(segments) < 2:
        return []
    last = segments[-1]
    tail = _after_quote_marks(last)
    if tail is None:
        tail = _after_letter(last)
    return tail
