"""The round's own letter, recognised in a reply line by line: where the quote is, and what the sender wrote.

A reply quotes the letter it answers, with ``>`` marks (Thunderbird, webmail) or without
(Outlook's header block, HTML mail turned into text), rewrapped, cut short, with the
sender's answers typed between its questions, with or without the letter's own sign-off.
Guessing where such a quote ends fails exactly where it matters: a sender who signs below
a quote that lacks its own sign-off looks like part of the quote. When the round has a
letter template (:mod:`kartlegging.core.letter`) the ingest knows the words it sent, and
matches them.

Matching is by words, so rewrapping and quote marks do not matter: a line of the reply
belongs to the letter when its words are a run of the letter's words that follows the
previous matched line (a short line, such as ``Vennlig hilsen``, only right after it, so
that the sender's own sign-off below a quote without one is not taken for the letter's).
The addressee's title is a wildcard (``Til kommunedirektøren`` / ``Til bydelsdirektøren``).
A block counts as the letter when it holds a fair share of a question's words.

:func:`recognise` then rewrites the body for the coding rules: each of the letter's
questions becomes one line the coder knows as that question (whatever the letter's own
wording), the rest of the letter's lines go, and every other line stays where it was; the
sender's lines below the last quoted line are returned as the *tail*, the sender's own
text (a sign-off there identifies the kommune).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kartlegging.core.letter import Letter, render_lines

_WORD = re.compile(r"\w+")
_PREFIX = re.compile(r"^[\s>]*")
#: Stands for the addressee's title in the rendered letter: matches any one word.
_ANY = "\x01"
#: A line of fewer words joins a block only right after the previous matched line.
SHORT = 3
#: A block is the letter when it covers at least this share of one question's words.
QUESTION_SHARE = 0.5
#: How far a short line may skip ahead of the previous match (in the letter's words).
SHORT_GAP = 2


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


@dataclass(frozen=True)
class _Stream:
    """The letter as one sequence of words, each with the role of its line; ``starts`` indexes the
    positions of each word (the wildcard's positions under :data:`_ANY`), so a line is looked up,
    not scanned for."""

    words: tuple[str, ...]
    roles: tuple[str, ...]
    starts: dict[str, tuple[int, ...]] = field(default_factory=dict, compare=False)

    def candidates(self, word: str) -> tuple[int, ...]:
        """Where a run starting with ``word`` may start: its own positions and the wildcard's, in order."""
        return self.starts.get(word, self.starts.get(_ANY, ()))

    def question_sizes(self) -> dict[str, int]:
        sizes: dict[str, int] = {}
        for role in self.roles:
            if role.startswith("q"):
                sizes[role] = sizes.get(role, 0) + 1
        return sizes


def letter_streams(letter: Letter) -> list[_Stream]:
    """The letter and the reminder as word streams, the addressee's title a wildcard."""
    streams = []
    for reminder in (False, True):
        words: list[str] = []
        roles: list[str] = []
        for text, role in render_lines(letter, _ANY, reminder):
            for w in _tokens_with_any(text):
                words.append(w)
                roles.append(role)
        starts: dict[str, list[int]] = {}
        for i, w in enumerate(words):
            starts.setdefault(w, []).append(i)
        wild = starts.get(_ANY, [])
        streams.append(_Stream(tuple(words), tuple(roles),
                               {w: tuple(sorted(set(v) | set(wild))) for w, v in starts.items()}))
    return streams


def _tokens_with_any(text: str) -> list[str]:
    out: list[str] = []
    for k, part in enumerate(text.casefold().split(_ANY)):
        if k:
            out.append(_ANY)
        out += _WORD.findall(part)
    return out


def _match_at(stream: _Stream, toks: list[str], start: int) -> bool:
    end = start + len(toks)
    if end > len(stream.words):
        return False
    return all(w == t or w == _ANY for w, t in zip(stream.words[start:end], toks))


@dataclass
class _LineMatch:
    index: int          # line of the body
    start: int          # first word of the letter it matches
    length: int         # words matched (the whole line, or its leading run: see ``rest``)
    rest: str = ""      # text after the matched run on the same line (an answer typed after a question)


@dataclass
class _Block:
    stream: _Stream
    lines: list[_LineMatch] = field(default_factory=list)

    def covers_a_question(self) -> bool:
        counts: dict[str, int] = {}
        for m in self.lines:
            for role in self.stream.roles[m.start:m.start + m.length]:
                counts[role] = counts.get(role, 0) + 1
        sizes = self.stream.question_sizes()
        return any(counts.get(q, 0) >= QUESTION_SHARE * n for q, n in sizes.items())


def _depth(line: str) -> int:
    return _PREFIX.match(line).group(0).count(">")


def _find_start(stream: _Stream, toks: list[str], after: int, limit: int | None) -> int | None:
    """The first position >= ``after`` (and <= ``after + limit`` when given) where ``toks`` match."""
    stop = len(stream.words) - len(toks) if limit is None else min(len(stream.words) - len(toks), after + limit)
    for s in stream.candidates(toks[0]):
        if s > stop:
            return None
        if s >= after and _match_at(stream, toks, s):
            return s
    return None


def _continue(stream: _Stream, toks: list[str], line: str, pos: int) -> _LineMatch | None:
    """How a line continues the block at letter position ``pos``: the whole line as a run of the letter
    (a short line only right after ``pos``), or a run of at least :data:`SHORT` + 1 words opening the line
    (a run as short as :data:`SHORT` only right after ``pos``) followed by the sender's words."""
    if len(toks) >= SHORT:
        s = _find_start(stream, toks, pos, None)
    else:
        s = _find_start(stream, toks, pos, SHORT_GAP)
    if s is not None:
        return _LineMatch(-1, s, len(toks))
    if len(toks) > SHORT:
        for length in range(len(toks) - 1, SHORT - 1, -1):
            s = _find_start(stream, toks[:length], pos, None if length > SHORT else SHORT_GAP)
            if s is not None:
                return _LineMatch(-1, s, length, _rest(line, length))
    return None


def _blocks(lines: list[str], stream: _Stream) -> list[_Block]:
    """Scan the body once: runs of lines that follow the letter in order make a block.

    A block continues only with lines quoted as deeply as its own (a ``>``-quoted letter never
    takes in the sender's unquoted lines); a line of more than :data:`SHORT` words found anywhere in
    the letter starts a new block (the letter quoted again, or a question copied by the sender).
    """
    blocks: list[_Block] = []
    current: _Block | None = None
    pos = 0
    depth_of_block = 0
    for i, line in enumerate(lines):
        toks = _words(line)
        if not toks:
            continue
        depth = _depth(line)
        match = _continue(stream, toks, line, pos) if current is not None and depth == depth_of_block else None
        if match is None and len(toks) > SHORT:
            s = _find_start(stream, toks, 0, None)
            if s is not None:  # a (new) copy of the letter begins
                current = _Block(stream)
                blocks.append(current)
                depth_of_block = depth
                match = _LineMatch(i, s, len(toks))
                _extend_back(current, lines, i, s, depth, stream)
        if match is None or current is None:
            continue
        match.index = i
        current.lines.append(match)
        pos = match.start + match.length
    return [b for b in blocks if b.covers_a_question()]


def _extend_back(block: _Block, lines: list[str], first: int, start: int, depth: int, stream: _Stream) -> None:
    """Short lines just above a block's first line that end right where it starts (the greeting
    ``Til kommunedirektøren``): part of the letter too."""
    j = first - 1
    while j >= 0:
        toks = _words(lines[j])
        if not toks:
            j -= 1
            continue
        if _depth(lines[j]) != depth or len(toks) > SHORT:
            return
        s = next((p for p in range(max(0, start - len(toks) - SHORT_GAP), start - len(toks) + 1)
                  if _match_at(stream, toks, p)), None)
        if s is None:
            return
        block.lines.insert(0, _LineMatch(j, s, len(toks)))
        start = s
        j -= 1


def _rest(line: str, words: int) -> str:
    """The text of ``line`` after its first ``words`` words."""
    found = list(_WORD.finditer(line.casefold()))
    return line[found[words - 1].end():].strip(" \t.:;,?") if len(found) >= words else ""


_ATTRIBUTION = re.compile(r"\b(?:skrev|skreiv|wrote|schrieb)\b.*:\s*$", re.I)


def _attribution_above(lines: list[str], first: int) -> int | None:
    """The line introducing a quote just above it (``Den 01.10.2026 09:00, skrev Kartleggingen:``,
    ``On ..., X wrote:``): the mail client's, not the sender's words."""
    j = first - 1
    while j >= 0 and not _words(lines[j]):
        j -= 1
    if j >= 0 and _depth(lines[j]) < _depth(lines[first]) and len(lines[j]) < 300 and _ATTRIBUTION.search(lines[j]):
        return j
    return None


@dataclass
class Recognised:
    """A body with the round's letter recognised in it.

    ``text``: the body rewritten for the coding rules (each quoted question one line the coder
    knows, the letter's other lines gone). ``tail``: the sender's own lines after the last quoted
    line of the letter (up to the next quoted message), where a sign-off below the quote stands.
    """

    text: str
    tail: list[str]
    blocks: int


def recognise(body: str, letter_streams_: list[_Stream], question_line) -> Recognised | None:
    """Find the letter in ``body`` (already decoded and normalised); None when it is not quoted there.

    ``question_line(n, prefix)`` gives the line that stands for question ``n`` (with the quote
    marks ``prefix``) in the rewritten body.
    """
    from kartlegging.ingest.email.quoting import is_quoted, quote_header_at

    lines = body.split("\n")
    best: list[_Block] = []
    for stream in letter_streams_:
        found = _blocks(lines, stream)
        if sum(len(b.lines) for b in found) > sum(len(b.lines) for b in best):
            best = found
    if not best:
        return None
    replaced: dict[int, list[str]] = {}
    for block in best:
        seen: set[str] = set()
        for m in block.lines:
            line = lines[m.index]
            prefix = _PREFIX.match(line).group(0)
            out: list[str] = []
            for role in dict.fromkeys(block.stream.roles[m.start:m.start + m.length]):
                if role.startswith("q") and role not in seen:
                    seen.add(role)
                    out.append(question_line(int(role[1:]), prefix))
            if m.rest:
                out.append(prefix + m.rest)
            replaced[m.index] = out
    for block in best:
        attribution = _attribution_above(lines, block.lines[0].index)
        if attribution is not None:
            replaced[attribution] = []
    last_match = best[-1].lines[-1]
    last = last_match.index
    tail: list[str] = [last_match.rest] if last_match.rest else []
    for j in range(last + 1, len(lines)):
        if quote_header_at(lines, j):
            break
        if not is_quoted(lines[j]):
            tail.append(lines[j])
    while tail and not tail[0].strip():
        tail.pop(0)
    text: list[str] = []
    for i, line in enumerate(lines):
        text.extend(replaced.get(i, [line]))
    return Recognised("\n".join(text), tail, len(best))
