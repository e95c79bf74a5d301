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

from kartlegging.ingest.email.mime import normalise_text

_QUOTED = re.compile(r"^\s*>")
#: The last question of the questionnaire: numbered 5, or its answer options.
_LAST_QUESTION = re.compile(r"^[\s>]*(?:5\s*[.):]\s+\S|.*\(\s*ja\s*/\s*nei(?:\s*/\s*vet\s+ikke)?\s*\)\s*$)", re.I)
#: The questionnaire's answer options, as quoted (possibly wrapped over two lines).
_OPTIONS = re.compile(r"\(\s*ja\s*/\s*nei\b", re.I)
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
    quoted letter ends cannot be told, and what it holds is not the sender's.

    When nothing follows that block, it may be the sender's own, signed below a quoted letter that
    has no sign-off of its own (the round's letter template, when there is one, settles this by the
    letter's words; see :mod:`kartlegging.ingest.email.letter_quote`). Without the template the block
    is the sender's only when what stands above it is the questionnaire, known by its answer options
    (``(ja / nei / vet ikke)``, as the input contract has them): someone else's quoted reply (``1. Nei``
    ... ``Mvh Fauske kommune``) has a "5." line and a sign-off too, and its sign-off is not this
    sender's. Identification then reads only explicit forms in the block (``Bodø kommune``, ``Bydel
    Frogner``), which a kommune's signature has and the survey's own sign-off (a project, a hospital)
    has not, so a letter signed from a hospital in Tromsø never makes its reader Tromsø."""
    last_q = max((i for i, ln in enumerate(lines) if _LAST_QUESTION.match(ln)), default=None)
    if last_q is None:
        return []
    sign = next((i for i in range(last_q + 1, len(lines)) if _SIGN_OFF.match(lines[i])), None)
    if sign is None:
        return []
    end = next((i for i in range(sign + 1, len(lines)) if not lines[i].strip()), len(lines))
    after = _strip_blank(lines[end:])
    if after or not _OPTIONS.search(" ".join(lines[:sign])):
        return after
    return lines[sign:end]


def sender_tail(segments: list[list[str]]) -> list[str]:
    """The sender's own lines after the end of the quoted questionnaire, or [].

    ``segments`` as :func:`kartlegging.ingest.email.quoting.split_segments` returns them; only
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



FORWARD_SUBJECT = re.compile(r"^\s*(?:vs|fw|fwd|wg|tr|vb)\s*:", re.I)



def is_quoted(line: str) -> bool:
    """A ``>``-quoted line: context for inline answers, never answer text itself."""
    return line.lstrip().startswith(">")



def quote_header_at(lines: list[str], i: int) -> bool:
    """Does a quoted or forwarded message start at line ``i``?

    Recognises the Outlook separator lines, Outlook's ``Fra:``/``From:`` header
    block (a From line followed within six non-blank lines by Sendt/Sent/Dato/Date),
    the Thunderbird/Gmail attribution ``Den ... skrev:`` / ``On ... wrote:``
    (on one line or wrapped onto the next), and any short line ending in
    ``skrev:``/``wrote:`` that is followed by ``>`` lines.
    """
    line = lines[i]
    if is_quoted(line):
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
        return is_quoted(nxt)
    return False



def split_segments(text: str) -> list[list[str]]:
    """Split a body into the reply's own text and the quoted/forwarded messages below it.

    Segment 0 is what the sender wrote (``>`` lines kept, for the context of
    inline answers); each later segment is one quoted or forwarded message with
    its ``Fra:/Sendt:/Til:/Emne:`` block removed.
    """
    lines = normalise_text(text).split("\n")
    segments: list[list[str]] = [[]]
    i = 0
    while i < len(lines):
        if quote_header_at(lines, i):
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
        if is_quoted(line):
            in_sig = False
        elif _SIGNATURE.match(line):
            in_sig = True
        (sig if in_sig else body).append(line)
    return body, sig
