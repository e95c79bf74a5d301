"""The analysts' own chapters: bokmål Markdown files with live numbers, placed in the report.

A round's chapters are the files ``<tekst_dir>/<round>/*.md`` (``config/tekst/2015/`` for the
demo round). Each starts with YAML front matter naming its title and position::

    ---
    tittel: Bakgrunn
    plassering: etter-sammendrag
    ---
    Av landets {{ tall.kommuner_totalt }} kommuner ...

``plassering`` is one of :data:`POSITIONS`; several chapters at one position follow each other in
file-name order. ``{{ tall.<figure_id> }}`` shows a figure of ``figures.parquet`` in Norwegian form,
tagged like every number of the report.

A sentence that states a finding is written inside a condition, so it reaches the report only
where the data bear it out::

    {% hvis funn.frisklivsnavn_som_organisering %}
    Navnet og organiseringen deler tjenestene likt.
    {% ellers %}
    Navnet og organiseringen gir ulike tall.
    {% slutt %}

A condition is ``[ikke] <a> [<op> <b>]`` where ``a`` and ``b`` are ``tall.<figure_id>``,
``funn.<finding_id>`` (the findings of :mod:`kartlegging.analysis.findings`, computed for every
round) or a number, and ``op`` one of ``>``, ``<``, ``>=``, ``<=``, ``=``, ``!=``. Alone, a finding
is true where it holds and a figure where it is not zero. ``{% ellers hvis ... %}`` and
``{% ellers %}`` are optional; blocks may nest. A condition on a figure or finding the run did not
compute renders no branch at all (logged): neither the claim nor its opposite is known.

The text is never run as a template: references and conditions are found with regular
expressions and evaluated here (nothing from the file is executed); everything else is Markdown
for markdown-it-py with raw HTML switched off, so ``<script>`` in a chapter shows as text.

Checks (see README, "Analysts' chapters"):

* an unknown figure or finding id, a condition that does not parse, an ``ellers``/``slutt``
  without its ``hvis`` or a ``hvis`` never closed, or any other ``{{ ... }}`` / ``{% ... %}``,
  stops the run with file and line;
* a number typed as digits (other than a year, a day of a date, a publication's number in its series
  such as ``4/2016``, the number of a chapter, figure, table or appendix, or a number in a condition)
  is logged and listed in appendix B: it would not follow the data next round.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from markupsafe import Markup

LOG = logging.getLogger(__name__)

#: Where a chapter can stand, in report order.
POSITIONS = ("foran-sammendrag", "etter-sammendrag", "etter-metode", "etter-resultater", "foran-vedlegg")

_REF = re.compile(r"\{\{\s*tall\.([A-Za-z0-9_]+)\s*\}\}")
_TAG = re.compile(r"\{%\s*(.*?)\s*%\}")
_ANY_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
_OPERAND = r"(?:tall|funn)\.[A-Za-z0-9_]+|-?\d+(?:[.,]\d+)?"
_CONDITION = re.compile(rf"^(ikke\s+)?({_OPERAND})(?:\s*(>=|<=|!=|=|>|<)\s*({_OPERAND}))?$")
_IF, _ELIF, _ELSE, _END = "hvis", "ellers hvis", "ellers", "slutt"
#: Comparison operators of a condition.
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">": lambda a, b: a > b, "<": lambda a, b: a < b, ">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b,
    "=": lambda a, b: a == b, "!=": lambda a, b: a != b,
}
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w])")
_MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
           "november", "desember")
_BEFORE_ALLOWED = re.compile(r"(?:kapittel|kapitlet|figur|figuren|tabell|tabellen|vedlegg|avsnitt|side)\s+$",
                             re.IGNORECASE)
_SENTINEL = re.compile("\ue000(\\d+)\ue001")


class TekstError(ValueError):
    """A chapter that cannot be used: the message names the file and line."""


@dataclass(frozen=True)
class TypedNumber:
    """A number typed as digits in a chapter: where, and what."""

    file: str
    line: int
    number: str


@dataclass(frozen=True)
class Condition:
    """A parsed condition: ``[ikke] left [op right]``; operands are ``("tall"|"funn", id)`` or a number."""

    text: str
    negate: bool
    left: tuple[str, str] | float
    op: str | None = None
    right: tuple[str, str] | float | None = None


@dataclass(frozen=True)
class Block:
    """A conditional block: its branches in order (``None`` is ``ellers``), each a tuple of segments."""

    branches: tuple[tuple[Condition | None, tuple[Segment, ...]], ...]


#: A piece of a chapter body: Markdown text (with ``{{ tall.x }}`` references) or a conditional block.
Segment = str | Block

#: How a chapter looks a value up: ``("tall" | "funn", id)`` -> the number (a finding 1 or 0), None when not computed.
Lookup = Callable[[str, str], float | None]


@dataclass(frozen=True)
class Chapter:
    """One analyst chapter: where it stands, its title, and its Markdown body with the references found."""

    path: str
    slug: str
    title: str
    position: str
    body: str
    references: tuple[str, ...]
    typed_numbers: tuple[TypedNumber, ...]
    segments: tuple[Segment, ...] = ()
    conditions: tuple[Condition, ...] = ()


def _front_matter(path: Path, text: str) -> tuple[dict, str, int]:
    """The YAML front matter, the body, and the line number the body starts at."""
    if not text.startswith("---\n"):
        raise TekstError(f"{path} line 1: a chapter starts with front matter (---, tittel:, plassering:, ---)")
    end = text.find("\n---\n", 4)
    if end == -1:
        raise TekstError(f"{path}: the front matter has no closing ---")
    try:
        meta = yaml.safe_load(text[4:end]) or {}
    except yaml.YAMLError as err:
        raise TekstError(f"{path}: the front matter is not valid YAML ({err})") from None
    if not isinstance(meta, dict):
        raise TekstError(f"{path}: the front matter must be a mapping")
    body_start = len(text[: end + 5].splitlines()) + 1
    return meta, text[end + 5:], body_start


def _allowed_number(line: str, match: re.Match[str]) -> bool:
    """Years, the day of a date (``1. januar``), the number of a publication in its series
    (``NK LMH 4/2016``) and chapter/figure/table numbers may be typed."""
    digits = match.group(0)
    if re.fullmatch(r"(19|20)\d\d", digits):
        return True
    after = line[match.end():]
    if re.match(r"/(19|20)\d\d\b", after):
        return True
    if re.match(r"\.\s+(" + "|".join(_MONTHS) + r")\b", after, re.IGNORECASE):
        return True
    return bool(_BEFORE_ALLOWED.search(line[: match.start()]))


def typed_numbers(path: str, body: str, first_line: int) -> list[TypedNumber]:
    """Numbers typed as digits in the body (references removed), with their line numbers."""
    found = []
    for offset, line in enumerate(body.splitlines()):
        plain = _TAG.sub(" ", _REF.sub(" ", line))
        for m in _NUMBER.finditer(plain):
            if not _allowed_number(plain, m):
                found.append(TypedNumber(path, first_line + offset, m.group(0)))
    return found


def _operand(text: str, where: str, known: frozenset[str], findings: frozenset[str]) -> tuple[str, str] | float:
    """One operand of a condition: a figure or finding reference (checked against the known ids), or a number."""
    if text.startswith(("tall.", "funn.")):
        kind, fid = text.split(".", 1)
        if kind == "tall" and fid not in known:
            raise TekstError(f"{where}: unknown figure id {fid!r} in a condition")
        if kind == "funn" and fid not in findings:
            raise TekstError(f"{where}: unknown finding {fid!r} in a condition (known: {', '.join(sorted(findings))})")
        return kind, fid
    return float(text.replace(",", "."))


def _condition(text: str, where: str, known: frozenset[str], findings: frozenset[str]) -> Condition:
    m = _CONDITION.match(text)
    if not m:
        raise TekstError(f"{where}: cannot read the condition {text!r}; write for example "
                         "{% hvis funn.<id> %}, {% hvis tall.<id> > 0 %} or {% hvis ikke tall.<id> %}")
    left = _operand(m.group(2), where, known, findings)
    right = None if m.group(4) is None else _operand(m.group(4), where, known, findings)
    if isinstance(left, float) and (right is None or isinstance(right, float)):
        raise TekstError(f"{where}: the condition {text!r} names no figure or finding")
    return Condition(text, bool(m.group(1)), left, m.group(3), right)


def _parse(path: Path, body: str, first: int, known: frozenset[str],
           findings: frozenset[str]) -> tuple[tuple[Segment, ...], tuple[str, ...], tuple[Condition, ...]]:
    """The body as segments (text and conditional blocks), its references and its conditions.

    Every tag is checked where it stands: a misplaced ``ellers``/``slutt``, an unclosed ``hvis``, an
    unknown id or any other ``{{ }}``/``{% %}`` stops with the file and the line.
    """
    refs: list[str] = []
    conditions: list[Condition] = []
    # a stack of open blocks: (line it opened on, branches so far, the current branch's condition, its segments)
    root: list[Segment] = []
    stack: list[tuple[int, list, Condition | None, list[Segment]]] = []
    current = root
    for offset, line in enumerate(body.splitlines(keepends=True)):
        where = f"{path} line {first + offset}"
        for m in _REF.finditer(line):
            if m.group(1) not in known:
                raise TekstError(f"{where}: unknown figure id {m.group(1)!r} in {m.group(0)}")
            refs.append(m.group(1))
        rest = _TAG.sub(" ", _REF.sub(" ", line))
        other = _ANY_TEMPLATE.search(rest)
        if other:
            raise TekstError(f"{where}: {other.group(0)!r} is not a figure reference; write {{{{ tall.<figure_id> }}}}")
        # a line holding only tags leaves no trace (not even a blank line that would split a paragraph)
        only_tags = bool(_TAG.search(line)) and not _TAG.sub("", line).strip()
        pos = 0
        for m in _TAG.finditer(line):
            if m.start() > pos and not only_tags:
                current.append(line[pos:m.start()])
            pos = m.end()
            tag = " ".join(m.group(1).split())
            if tag.startswith(_ELIF + " ") or tag == _ELSE or tag == _END:
                if not stack:
                    raise TekstError(f"{where}: {{% {tag} %}} without an open {{% hvis ... %}}")
                opened, branches, cond, segments = stack.pop()
                branches.append((cond, tuple(segments)))
                if tag == _END:
                    parent = stack[-1][3] if stack else root
                    parent.append(Block(tuple(branches)))
                    current = parent
                    continue
                if branches and branches[-1][0] is None:
                    raise TekstError(f"{where}: {{% {tag} %}} after {{% ellers %}}")
                new_cond = None if tag == _ELSE else _condition(tag[len(_ELIF) + 1:], where, known, findings)
                if new_cond is not None:
                    conditions.append(new_cond)
                segments = []
                stack.append((opened, branches, new_cond, segments))
                current = segments
            elif tag.startswith(_IF + " "):
                cond = _condition(tag[len(_IF) + 1:], where, known, findings)
                conditions.append(cond)
                segments = []
                stack.append((first + offset, [], cond, segments))
                current = segments
            else:
                raise TekstError(f"{where}: {m.group(0)!r} is not a condition; write {{% hvis ... %}}, "
                                 "{% ellers hvis ... %}, {% ellers %} or {% slutt %}")
        if pos < len(line) and not only_tags:
            current.append(line[pos:])
    if stack:
        raise TekstError(f"{path} line {stack[-1][0]}: {{% hvis ... %}} is never closed with {{% slutt %}}")
    return tuple(root), tuple(refs), tuple(conditions)


def read_chapter(path: str | Path, known_ids: Iterable[str], known_findings: Iterable[str] = ()) -> Chapter:
    """Read and check one chapter file; unknown ids, bad conditions and template syntax stop with file and line.

    ``known_ids`` are the figure ids a reference or condition may name (the round's figures and
    register); ``known_findings`` the finding ids a condition may name as ``funn.<id>``.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise TekstError(f"{p}: cannot be read ({err})") from None
    meta, body, first = _front_matter(p, text.replace("\r\n", "\n"))
    title, position = meta.get("tittel"), meta.get("plassering")
    if not isinstance(title, str) or not title.strip():
        raise TekstError(f"{p}: the front matter needs a title (tittel: ...)")
    if position not in POSITIONS:
        raise TekstError(f"{p}: plassering must be one of {', '.join(POSITIONS)}, not {position!r}")
    segments, refs, conditions = _parse(p, body, first, frozenset(known_ids), frozenset(known_findings))
    numbers = typed_numbers(str(p), body, first)
    for n in numbers:
        LOG.warning("tekst: %s line %d: number %s typed as digits; use {{ tall.<figure_id> }}", n.file, n.line,
                    n.number)
    return Chapter(str(p), re.sub(r"[^a-z0-9]+", "-", p.stem.lower()).strip("-"), title.strip(), position, body,
                   refs, tuple(numbers), segments, conditions)


def read_chapters(paths: Iterable[str | Path], known_ids: Iterable[str],
                  known_findings: Iterable[str] = ()) -> tuple[Chapter, ...]:
    """Every chapter of a round, in file-name order."""
    known, findings = tuple(known_ids), tuple(known_findings)
    return tuple(read_chapter(p, known, findings) for p in sorted(paths, key=lambda x: Path(x).name))


def _value(operand: tuple[str, str] | float, lookup: Lookup) -> float | None:
    return operand if isinstance(operand, float) else lookup(*operand)


def holds(condition: Condition, lookup: Lookup) -> bool | None:
    """Whether a condition holds; None when a figure or finding it names was not computed."""
    left = _value(condition.left, lookup)
    if condition.op is None:
        result = None if left is None else left != 0
    else:
        right = _value(condition.right, lookup)  # type: ignore[arg-type]
        result = None if left is None or right is None else _OPS[condition.op](left, right)
    return None if result is None else result != condition.negate


def _flatten(segments: Iterable[Segment], lookup: Lookup, path: str) -> str:
    """The Markdown the data choose: each block's first branch whose condition holds, or its ``ellers``."""
    out: list[str] = []
    for seg in segments:
        if isinstance(seg, str):
            out.append(seg)
            continue
        for cond, body in seg.branches:
            verdict = True if cond is None else holds(cond, lookup)
            if verdict is None:
                LOG.warning("tekst: %s: the condition %r names a figure or finding not computed in this round; "
                            "no branch of its block is shown", path, cond.text)  # type: ignore[union-attr]
                break
            if verdict:
                out.append(_flatten(body, lookup, path))
                break
    return "".join(out)


def _no_lookup(kind: str, fid: str) -> float | None:
    raise TekstError(f"{kind}.{fid}: a chapter with conditions needs the round's figures to render")


def _markdown() -> MarkdownIt:
    """CommonMark with raw HTML off (it shows as text) and tables on; links keep markdown-it's URL checks."""
    md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
    return md


def _shift_headings(md: MarkdownIt) -> None:
    """Headings inside a chapter are its subsections: the chapter's own title is the h2, so the
    highest level the text uses becomes h3, and no heading goes more than one level below the one
    before it (``#`` or ``##`` alike open a subsection; an accessible PDF refuses skipped levels)."""

    def rule(state) -> None:  # noqa: ANN001 (markdown-it's StateCore)
        opens = [t for t in state.tokens if t.type == "heading_open"]
        if not opens:
            return
        top = min(int(t.tag[1]) for t in opens)
        previous, levels = 2, []
        for t in opens:
            level = min(int(t.tag[1]) - top + 3, previous + 1, 6)
            levels.append(level)
            previous = level
        it = iter(levels)
        level = 3
        for token in state.tokens:
            if token.type == "heading_open":
                level = next(it)
            if token.type in ("heading_open", "heading_close"):
                token.tag = f"h{level}"

    md.core.ruler.push("kartlegging_shift_headings", rule)


def render_chapter(chapter: Chapter, figure: Callable[[str], Markup], lookup: Lookup = _no_lookup) -> Markup:
    """The chapter body as HTML: the branches the data choose (``lookup``), Markdown escaped by
    markdown-it, each reference as ``figure(id)``."""
    ids: list[str] = []

    def mark(m: re.Match[str]) -> str:
        ids.append(m.group(1))
        return f"\ue000{len(ids) - 1}\ue001"

    text = _flatten(chapter.segments, lookup, chapter.path) if chapter.segments else chapter.body
    source = _REF.sub(mark, text)
    md = _markdown()
    _shift_headings(md)
    html = md.render(source)
    out = _SENTINEL.sub(lambda m: str(figure(ids[int(m.group(1))])), html)
    return Markup(out)
