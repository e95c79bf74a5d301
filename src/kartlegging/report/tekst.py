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
tagged like every number of the report. The text is never run as a template: the references are
found with one regular expression, everything else is Markdown for markdown-it-py with raw HTML
switched off, so ``<script>`` in a chapter shows as text.

Checks (see README, "Analysts' chapters"):

* an unknown figure id, or any other ``{{ ... }}`` / ``{% ... %}``, stops the run with file and line;
* a number typed as digits (other than a year, a day of a date or the number of a chapter, figure,
  table or appendix) is logged and listed in appendix B: it would not follow the data next round.
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
_ANY_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
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
class Chapter:
    """One analyst chapter: where it stands, its title, and its Markdown body with the references found."""

    path: str
    slug: str
    title: str
    position: str
    body: str
    references: tuple[str, ...]
    typed_numbers: tuple[TypedNumber, ...]


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
    """Years, the day of a date (``1. januar``) and chapter/figure/table numbers may be typed."""
    digits = match.group(0)
    if re.fullmatch(r"(19|20)\d\d", digits):
        return True
    after = line[match.end():]
    if re.match(r"\.\s+(" + "|".join(_MONTHS) + r")\b", after, re.IGNORECASE):
        return True
    return bool(_BEFORE_ALLOWED.search(line[: match.start()]))


def typed_numbers(path: str, body: str, first_line: int) -> list[TypedNumber]:
    """Numbers typed as digits in the body (references removed), with their line numbers."""
    found = []
    for offset, line in enumerate(body.splitlines()):
        plain = _REF.sub(" ", line)
        for m in _NUMBER.finditer(plain):
            if not _allowed_number(plain, m):
                found.append(TypedNumber(path, first_line + offset, m.group(0)))
    return found


def read_chapter(path: str | Path, known_ids: Iterable[str]) -> Chapter:
    """Read and check one chapter file; unknown ids and template syntax stop with file and line."""
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
    known = set(known_ids)
    refs = []
    for offset, line in enumerate(body.splitlines()):
        for m in _REF.finditer(line):
            if m.group(1) not in known:
                raise TekstError(f"{p} line {first + offset}: unknown figure id {m.group(1)!r} in {m.group(0)}")
            refs.append(m.group(1))
        rest = _REF.sub(" ", line)
        other = _ANY_TEMPLATE.search(rest)
        if other:
            raise TekstError(f"{p} line {first + offset}: {other.group(0)!r} is not a figure reference; "
                             "write {{ tall.<figure_id> }}")
    numbers = typed_numbers(str(p), body, first)
    for n in numbers:
        LOG.warning("tekst: %s line %d: number %s typed as digits; use {{ tall.<figure_id> }}", n.file, n.line,
                    n.number)
    return Chapter(str(p), re.sub(r"[^a-z0-9]+", "-", p.stem.lower()).strip("-"), title.strip(), position, body,
                   tuple(refs), tuple(numbers))


def read_chapters(paths: Iterable[str | Path], known_ids: Iterable[str]) -> tuple[Chapter, ...]:
    """Every chapter of a round, in file-name order."""
    known = tuple(known_ids)
    return tuple(read_chapter(p, known) for p in sorted(paths, key=lambda x: Path(x).name))


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


def render_chapter(chapter: Chapter, figure: Callable[[str], Markup]) -> Markup:
    """The chapter body as HTML: Markdown escaped by markdown-it, each reference as ``figure(id)``."""
    ids: list[str] = []

    def mark(m: re.Match[str]) -> str:
        ids.append(m.group(1))
        return f"\ue000{len(ids) - 1}\ue001"

    source = _REF.sub(mark, chapter.body)
    md = _markdown()
    _shift_headings(md)
    html = md.render(source)
    out = _SENTINEL.sub(lambda m: str(figure(ids[int(m.group(1))])), html)
    return Markup(out)

