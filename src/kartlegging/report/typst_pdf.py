"""Write the report's HTML as Typst markup, so the PDF is typeset from the same document as the page.

Why the HTML is the document model: the prose lives once, in the Jinja2
template and the analysts' chapters; whatever reaches the HTML reaches the PDF
without a second template. The HTML is our own, semantic and small in
vocabulary, so a walk over its elements (stdlib :mod:`html.parser`) maps each
one onto a Typst construct:

- ``h1`` is the document title; ``h2``/``h3``/``h4`` are numbered headings of
  level 1/2/3; in a ``section.appendix`` the numbering is lettered
  ("Vedlegg A") and the heading text's own "Vedlegg A." prefix is dropped;
- ``nav.toc`` becomes Typst's outline (with page numbers), listing exactly the headings the HTML's
  table of contents links to (every heading is still a bookmark), so both show one numbering;
- a footnote marker (``a.fn-ref``) becomes Typst's ``footnote`` with the text of the HTML's endnote:
  superscript, tagged as a note, at the foot of the page (the endnote list is left out);
- ``table`` with ``thead``/``tbody``/``tfoot``/``caption`` becomes a table with a
  real header row (``table.header``, repeated on each page), short tables a
  figure that never splits;
- ``figure`` with an ``img`` (an SVG data URI) becomes ``figure(image(...,
  alt: ...))`` with the HTML's alt text; the SVG travels in ``sys.inputs``,
  never through the markup;
- ``details`` is expanded (its ``summary`` a bold line, or the heading it holds), elements with class
  ``screen-only`` or ``data-pdf="skip"`` and all form controls are left out;
- a table's ``data-group`` (the kommune list's fylke) heads it on every page it runs over; a short
  table keeps its source line, a lead-in paragraph its table or figure, and no row is split;
- the response flow (``ol.flow-steps``) is drawn as boxes joined by arrows; maps are scaled to fit;
- ``header.title-block`` fills the title page; an element with
  ``data-pdf="page"`` gets a page of its own (the colophon).

Safety: every text node is escaped character by character (each ASCII
punctuation mark gets a backslash), and every string argument goes through
:func:`typst_string`, so nothing from the input is ever evaluated as Typst
code.
"""

from __future__ import annotations

import base64
import re
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})
SKIP_TAGS = frozenset({"head", "script", "style", "template", "form", "input", "select", "option", "label",
                       "output", "button", "textarea", "colgroup", "col", "noscript"})
BLOCK_TAGS = frozenset({"p", "div", "section", "main", "article", "aside", "header", "footer", "blockquote",
                        "ul", "ol", "dl", "table", "figure", "details", "nav", "h1", "h2", "h3", "h4", "h5",
                        "h6", "figcaption", "pre"})
# Tables with at most this many body rows never split across pages.
SHORT_TABLE_ROWS = 22
_WS = re.compile(r"\s+")
_APPENDIX_PREFIX = re.compile(r"^\s*Vedlegg\s+[A-Z]\.\s*")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass
class Node:
    """One HTML element (or the document root) with its attributes and children (nodes or text)."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def elements(self, *tags: str) -> list[Node]:
        """Direct child elements, all or of the given tags."""
        return [c for c in self.children if isinstance(c, Node) and (not tags or c.tag in tags)]

    def find_all(self, tag: str) -> list[Node]:
        """Descendant elements of one tag, in document order."""
        found: list[Node] = []
        for child in self.elements():
            if child.tag == tag:
                found.append(child)
            found.extend(child.find_all(tag))
        return found

    def text(self) -> str:
        """All text below this node, whitespace collapsed."""
        parts: list[str] = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.text())
        return _WS.sub(" ", "".join(parts)).strip()


class _TreeBuilder(HTMLParser):
    """Build a :class:`Node` tree; tolerant of the unclosed elements HTML allows (p, li, td...)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: (v or "") for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: (v or "") for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(html: str) -> Node:
    """The HTML as a :class:`Node` tree."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


# --------------------------------------------------------------------------- escaping


def escape_markup(text: str) -> str:
    """Text safe in Typst markup: each ASCII punctuation mark is backslash-escaped.

    Escaping every mark, rather than a list of the ones Typst uses today, means
    no input can open a code expression (``#``), math (``$``), a label, a
    comment (``//``), a list item or a heading, whatever the text holds.
    """
    text = _CONTROL.sub("", text)
    return "".join("\\" + ch if (ch.isascii() and not ch.isalnum() and not ch.isspace()) else ch for ch in text)


_HYPHENATED = re.compile(r"\S*\w[-\u2013]\w\S*")


def escape_text(text: str) -> str:
    """A text node as Typst markup: escaped, and no line break after a hyphen or dash inside a word.

    A line that ends in a real hyphen reads as a hyphenation artefact once the
    text is extracted (``pdftotext`` joins it away: "HTML-versjonen" becomes
    "HTMLversjonen"), so a word with a hyphen or en dash inside is kept on one
    line in a box.
    """
    out: list[str] = []
    position = 0
    for match in _HYPHENATED.finditer(text):
        out.append(escape_markup(text[position:match.start()]))
        out.append(f"#box[{escape_markup(match.group())}]")
        position = match.end()
    out.append(escape_markup(text[position:]))
    return "".join(out)


def typst_string(text: str) -> str:
    """A Typst string literal of the text (quotes and backslashes escaped, no line breaks)."""
    text = _CONTROL.sub("", _WS.sub(" ", text))
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _label(ident: str) -> str | None:
    """A Typst label for an HTML id, or None when the id holds characters a label cannot."""
    return ident if re.fullmatch(r"[A-Za-z][A-Za-z0-9_\-]*", ident) else None


# --------------------------------------------------------------------------- the writer


PREAMBLE = """\
#set document(title: {title}, author: ({authors}), keywords: ({keywords}), date: {date})
#set text(lang: {lang}, region: "NO", font: "Libertinus Serif", size: 10.5pt, hyphenate: false)
#set par(justify: false, leading: 0.62em, spacing: 0.95em)
#set page(paper: "a4", margin: (x: 2.2cm, top: 2.2cm, bottom: 2.4cm), numbering: none)
#set heading(numbering: "1.1")
#show heading: set block(above: 1.4em, below: 0.7em)
#show heading.where(level: 1): set text(size: 16pt)
#show heading.where(level: 2): set text(size: 13pt)
#show heading.where(level: 3): set text(size: 11pt)
#show raw: set text(font: "DejaVu Sans Mono", size: 0.85em)
#set table(stroke: (x, y) => if y == 0 {{ (bottom: 0.7pt) }} else {{ (bottom: 0.2pt + luma(180)) }}, \
inset: (x: 4pt, y: 3pt))
#set table.cell(breakable: false)
#show footnote.entry: set text(size: 8.5pt)
#show footnote: it => [#sym.space.hair#it]
#show table: set text(size: 8.5pt)
#show table: set par(leading: 0.45em)
#show figure.where(kind: table): set figure.caption(position: top)
#show figure.caption: set text(size: 9.5pt)
#show figure.caption: set align(left)
#show outline.entry.where(level: 1): set block(above: 0.9em)
"""

APPENDIX_NUMBERING = """\
#counter(heading).update(0)
#set heading(numbering: (..n) => if n.pos().len() == 1 { "Vedlegg " + numbering("A.", ..n) } \
else { numbering("A.1", ..n) }, supplement: [Vedlegg])
"""


@dataclass
class TypstDocument:
    """Typst source plus the files it reads through ``sys.inputs`` (image key -> SVG text)."""

    source: str
    inputs: dict[str, str]


class _Writer:
    """Walk a :class:`Node` tree and emit Typst markup."""

    def __init__(self, root: Node) -> None:
        self.root = root
        self.inputs: dict[str, str] = {}
        everything = _all_elements(root)
        # The table of contents decides which headings the PDF's outline lists, so the two agree.
        self.toc_targets = {a.attrs.get("href", "")[1:] for n in everything if n.tag == "nav" and "toc" in n.classes
                            for a in _all_elements(n) if a.tag == "a" and a.attrs.get("href", "").startswith("#")}
        # The endnotes of the HTML become footnotes at the foot of the page: their text by id.
        self.notes = {n.attrs["id"]: n for n in everything
                      if n.tag == "li" and n.attrs.get("id", "").startswith("fotnote-")}
        self.notes_made: set[str] = set()
        self.in_appendix = False
        self.labels: set[str] = set()
        self.link_targets = {n.attrs["id"] for n in _all_elements(root) if _label(n.attrs.get("id", ""))}
        # ids some link points at: an element the writer does not label itself (a footnote's list
        # item) gets an invisible anchor, since Typst refuses a link to a label that does not exist
        self.linked = {a.attrs.get("href", "")[1:] for a in _all_elements(root)
                       if a.tag == "a" and a.attrs.get("href", "").startswith("#")} & self.link_targets

    # ---- dispatch

    def children(self, node: Node, *, skip: frozenset[str] = frozenset()) -> str:
        out: list[str] = []
        for child in node.children:
            if isinstance(child, str):
                out.append(escape_text(_WS.sub(" ", child)))
            elif child.tag not in skip:
                out.append(self.element(child))
        return "".join(out)

    def element(self, node: Node) -> str:  # noqa: C901 (one branch per HTML element)
        tag, cls = node.tag, node.classes
        if tag in SKIP_TAGS or node.attrs.get("data-pdf") == "skip" or "hidden" in node.attrs:
            return ""
        if "screen-only" in cls:
            # Left out, except the notes inside it meant for print (where to find the screen part).
            return "".join(self.block_children(n) for n in _all_elements(node) if "print-only" in n.classes)
        if tag == "section" and "appendix" in cls:
            # each appendix starts on a new page; the first switches to lettered numbering
            first = not self.in_appendix
            self.in_appendix = True
            return "\n\n#pagebreak(weak: true)\n" + (APPENDIX_NUMBERING if first else "") + self.section(node)
        if node.attrs.get("data-pdf") == "page":
            return "\n\n#pagebreak(weak: true)\n" + self.block_children(node) + "\n\n#pagebreak(weak: true)\n"
        handler = getattr(self, f"tag_{tag}", None)
        if handler is not None:
            out = handler(node)
        elif tag in BLOCK_TAGS:
            out = self.block_children(node)
        else:
            out = self.children(node)
        return self._anchor(node) + out

    def _anchor(self, node: Node) -> str:
        """An invisible, locatable anchor for an element a link points at and nothing labelled yet."""
        ident = node.attrs.get("id", "")
        if ident not in self.linked or ident in self.labels:
            return ""
        self.labels.add(ident)
        return f"#metadata(none) <{ident}>"

    def block_children(self, node: Node) -> str:
        return "\n\n" + self.children(node) + "\n\n"

    def section(self, node: Node) -> str:
        return self.block_children(node)

    def tag_section(self, node: Node) -> str:
        return self.section(node)

    # ---- title page and table of contents

    def tag_header(self, node: Node) -> str:
        if "title-block" not in node.classes:
            return self.block_children(node)
        body = self.children(node)
        return ("\n#page(numbering: none)[\n#v(3cm)\n" + body + "\n]\n"
                "#set page(numbering: \"1\", footer: context align(center, text(size: 9pt)"
                "[Side #counter(page).display() av #counter(page).final().first()]))\n#counter(page).update(1)\n")

    def tag_nav(self, node: Node) -> str:
        if "toc" not in node.classes:
            return self.block_children(node)
        heading = node.elements("h2")
        title = self.children(heading[0]) if heading else "Innhold"
        return (f"\n\n#outline(title: heading(outlined: false, numbering: none)[{title}], depth: 2)\n\n"
                "#pagebreak(weak: true)\n")

    # ---- headings

    def tag_h1(self, node: Node) -> str:
        return f"\n\n#title[{self.children(node)}]\n\n"

    def _heading(self, node: Node, level: int) -> str:
        body = self.children(node)
        if self.in_appendix and level == 1:
            body = escape_text(_APPENDIX_PREFIX.sub("", node.text())) if _APPENDIX_PREFIX.match(node.text()) else body
        label = self._heading_label(node)
        suffix = f" <{label}>" if label else ""
        args = [f"level: {level}"]
        if node.attrs.get("data-numbering") == "none":
            args.append("numbering: none")
        if node.attrs.get("data-outline") == "no":
            args.append("outlined: false")
        elif not label or label not in self.toc_targets:
            # in the bookmarks, but listed in the table of contents only where the HTML's lists it
            args.extend(["outlined: false", "bookmarked: true"])
        return f"\n\n#heading({', '.join(args)})[{body.strip()}]{suffix}\n\n"

    def _heading_label(self, node: Node) -> str | None:
        ident = _label(node.attrs.get("id", "")) or _label(getattr(node, "section_id", "") or "")
        if ident and ident not in self.labels:
            self.labels.add(ident)
            return ident
        return None

    def tag_h2(self, node: Node) -> str:
        return self._heading(node, 1)

    def tag_h3(self, node: Node) -> str:
        return self._heading(node, 2)

    def tag_h4(self, node: Node) -> str:
        return self._heading(node, 3)

    def tag_h5(self, node: Node) -> str:
        return self._heading(node, 3)

    # ---- inline

    def tag_strong(self, node: Node) -> str:
        return f"#strong[{self.children(node)}]"

    tag_b = tag_strong

    def tag_em(self, node: Node) -> str:
        return f"#emph[{self.children(node)}]"

    tag_i = tag_em

    def tag_code(self, node: Node) -> str:
        return f"#raw({typst_string(node.text())})"

    def tag_br(self, node: Node) -> str:
        return "#linebreak()"

    def tag_a(self, node: Node) -> str:
        href = node.attrs.get("href", "")
        if "fn-ref" in node.classes and href[1:] in self.notes:
            return self.footnote(href[1:])
        body = self.children(node)
        if href.startswith("#") and href[1:] in self.link_targets and _label(href[1:]):
            return f"#link(<{href[1:]}>)[{body}]"
        if urllib.parse.urlsplit(href).scheme in ("http", "https", "mailto"):
            return f"#link({typst_string(href)})[{body}]"
        return body

    def footnote(self, ident: str) -> str:
        """A note marker as a real footnote (superscript, tagged as a note, its text at the foot of the page);
        a second marker of the same note points to the first."""
        label = "fn-" + ident.removeprefix("fotnote-")
        if ident in self.notes_made:
            return f"#footnote(<{label}>)"
        self.notes_made.add(ident)
        return f"#footnote[{self.children(self.notes[ident]).strip()}] <{label}>"

    # ---- blocks

    def tag_p(self, node: Node) -> str:
        body = self.children(node).strip()
        if "notice" in node.classes:
            return f"\n\n#block(stroke: 0.8pt + luma(90), inset: 8pt, radius: 2pt, width: 100%)[{body}]\n\n"
        if "kilde" in node.classes:
            return f"\n\n#block(above: 0.4em, below: 1.1em)[#text(size: 8.5pt)[{body}]]\n\n"
        if getattr(node, "keep_with_next", False):
            # a short lead-in to a table or figure stays on its page, never alone at the foot of the one before
            return f"\n\n#block(sticky: true)[{body}]\n\n"
        return "\n\n" + body + "\n\n"

    def tag_div(self, node: Node) -> str:
        cls = node.classes
        if "notice" in cls:
            return ("\n\n#block(stroke: 0.8pt + luma(90), inset: 8pt, radius: 2pt, width: 100%)["
                    + self.children(node).strip() + "]\n\n")
        if "key-figures" in cls:
            cells = [f"[{self.children(k).strip()}]" for k in node.elements("div")]
            return f"\n\n#grid(columns: (1fr, 1fr), gutter: 10pt, {', '.join(cells)})\n\n"
        if getattr(node, "keep_with_next", False):
            return f"\n\n#block(sticky: true)[{self.children(node).strip()}]\n\n"
        return self.block_children(node)

    def tag_span(self, node: Node) -> str:
        body = self.children(node)
        cls = node.classes
        if "key-value" in cls:
            return f"#text(size: 18pt, weight: \"bold\")[{body}] #linebreak()"
        if "kilde" in cls:
            return f"#linebreak()#text(size: 8.5pt)[{body.strip()}]"
        if "step-title" in cls:
            return f"#text(size: 8pt, tracking: 0.04em)[#upper[{body.strip()}]]#linebreak()"
        if "step-count" in cls:
            return f"#text(size: 11pt, weight: \"bold\")[{body.strip()}]#linebreak()"
        if "step-detail" in cls:
            return f"#text(size: 9pt)[{body.strip()}]#linebreak()"
        return body

    def _items(self, node: Node) -> list[str]:
        return [f"[{self._anchor(li)}{self.children(li).strip()}]" for li in node.elements("li")
                if "screen-only" not in li.classes and li.attrs.get("data-pdf") != "skip"]

    def tag_ul(self, node: Node) -> str:
        items = self._items(node)
        if "reference-list" in node.classes and items:
            return f"\n\n#block(breakable: false)[#list({', '.join(items)})]\n\n"
        return f"\n\n#list({', '.join(items)})\n\n" if items else ""

    def tag_ol(self, node: Node) -> str:
        if "flow-steps" in node.classes:
            return self.flow_steps(node)
        items = self._items(node)
        return f"\n\n#enum({', '.join(items)})\n\n" if items else ""

    def flow_steps(self, node: Node) -> str:
        """The response flow (figure 1) as boxes joined by arrows, not a numbered list."""
        box = ("block(stroke: 0.8pt + rgb(\"#23415f\"), fill: rgb(\"#e8eff6\"), inset: 6pt, width: 100%, "
               "breakable: false)")
        parts = []
        for li in node.elements("li"):
            if "step-split" in li.classes:
                cells = [f"{box}[{self.children(b).strip()}]" for b in li.elements("div")]
                parts.append(f"#grid(columns: (1fr,) * {max(len(cells), 1)}, gutter: 8pt, {', '.join(cells)})")
            else:
                parts.append(f"#{box}[{self.children(li).strip()}]")
        arrow = "\n#align(center, block(above: 2pt, below: 2pt)[#text(size: 10pt, fill: rgb(\"#23415f\"))[▼]])\n"
        return "\n\n" + arrow.join(parts) + "\n\n"

    def tag_dl(self, node: Node) -> str:
        items: list[str] = []
        term = ""
        for child in _all_elements(node):
            if child.tag == "dt":
                term = self.children(child).strip()
            elif child.tag == "dd":
                items.append(f"terms.item([{term}], [{self.children(child).strip()}])")
        return f"\n\n#terms({', '.join(items)})\n\n" if items else ""

    def tag_details(self, node: Node) -> str:
        summary = node.elements("summary")
        headings = summary[0].elements("h2", "h3", "h4") if summary else []
        if headings:
            # a group heading (the kommune list's fylker): a real heading, tagged and in the bookmarks
            return self.element(headings[0]) + self.children(node, skip=frozenset({"summary"})) + "\n\n"
        # sticky: the summary stays on the page of what it introduces (no orphaned group title)
        head = (f"\n\n#block(sticky: true, above: 1.1em)[#strong[{self.children(summary[0]).strip()}]]\n\n"
                if summary else "")
        return head + self.children(node, skip=frozenset({"summary"})) + "\n\n"

    # ---- figures

    def tag_figure(self, node: Node) -> str:
        images = node.find_all("img")
        captions = node.elements("figcaption")
        caption = self.children(captions[0]).strip() if captions else ""
        label = _label(node.attrs.get("id", ""))
        suffix = f" <{label}>" if label and label not in self.labels else ""
        if label:
            self.labels.add(label)
        if not images:
            # A figure drawn in HTML (the response flow): its content, unsplit, then its caption.
            body = self.children(node, skip=frozenset({"figcaption"}))
            return (f"\n\n#figure(kind: \"flow\", supplement: none, numbering: none, placement: none, "
                    f"caption: [{caption}])[#block(width: 100%)[#set align(left)\n{body}]]{suffix}\n\n")
        parts = []
        for img in images[:1]:
            key = f"img{len(self.inputs) + 1}"
            svg = _svg_of(img.attrs.get("src", ""))
            if svg is None:
                continue
            self.inputs[key] = svg
            alt = img.attrs.get("alt", "").strip() or "Figur"
            if "map" in node.classes:
                # the whole map always shows: scaled to fit the text width and at most 15 cm high
                size = "width: 100%, height: 15cm, fit: \"contain\""
            else:
                size = "width: 88%"
            parts.append(f"image(bytes(sys.inputs.at({typst_string(key)})), format: \"svg\", "
                         f"alt: {typst_string(alt)}, {size})")
        rest = self.children(node, skip=frozenset({"figcaption", "img"}))
        figure = (f"\n\n#figure({', '.join(parts)}, numbering: none, supplement: none, "
                  f"caption: [{caption}]){suffix}\n\n")
        return figure + rest

    # ---- tables

    def tag_table(self, node: Node) -> str:
        # a caption only screen readers get in the HTML (the numbers under a chart, named by the summary above)
        caption_nodes = [c for c in node.elements("caption") if "visually-hidden" not in c.classes]
        caption = self.children(caption_nodes[0]).strip() if caption_nodes else ""
        groups = {"thead": [], "tbody": [], "tfoot": []}
        for child in node.elements():
            if child.tag in groups:
                groups[child.tag].extend(child.elements("tr"))
            elif child.tag == "tr":
                groups["tbody"].append(child)
        rows = groups["thead"] + groups["tbody"] + groups["tfoot"]
        ncols = max((sum(int(c.attrs.get("colspan", "1") or 1) for c in r.elements("td", "th")) for r in rows),
                    default=1)
        if not rows:
            return ""
        numeric = _numeric_columns(rows, ncols)
        align = ", ".join("right" if numeric[i] else "left" for i in range(ncols))
        parts = [f"columns: {ncols}", f"align: ({align},)"]
        if groups["thead"]:
            group = node.attrs.get("data-group", "")
            # a group's name (the kommune list's fylke) heads the table on every page it runs over
            named = (f"table.cell(colspan: {ncols}, align: left)[#strong[{escape_text(group)}]], " if group else "")
            parts.append("table.header(" + named + ", ".join(self._cells(r) for r in groups["thead"]) + ")")
        parts.extend(self._cells(r) for r in groups["tbody"])
        if groups["tfoot"]:
            parts.append("table.footer(repeat: false, " + ", ".join(self._cells(r) for r in groups["tfoot"]) + ")")
        table = "table(" + ", ".join(p for p in parts if p) + ")"
        short = len(groups["tbody"]) <= SHORT_TABLE_ROWS
        if caption:
            out = f"#figure({table}, numbering: none, supplement: none, caption: [{caption}])"
            if not short:
                out = f"#[#show figure: set block(breakable: true)\n{out}]"
        else:
            out = f"#block(breakable: {'false' if short else 'true'}, width: 100%)[#{table}]"
        return "\n\n" + out + "\n\n"

    def _cells(self, row: Node) -> str:
        cells = []
        for cell in row.elements("td", "th"):
            body = self.children(cell).strip()
            if cell.tag == "th" and cell.attrs.get("scope") == "row":
                body = f"#strong[{body}]"
            if "definition" in cell.classes:
                body = f"#text(size: 7.5pt)[{body}]"
            args = []
            for attr in ("colspan", "rowspan"):
                value = cell.attrs.get(attr, "")
                if value.isdigit() and int(value) > 1:
                    args.append(f"{attr}: {int(value)}")
            cells.append(f"table.cell({', '.join(args)})[{body}]" if args else f"[{body}]")
        return ", ".join(cells)


def _numeric_columns(rows: list[Node], ncols: int) -> list[bool]:
    """Columns whose cells are marked ``num`` (right-aligned); positions follow colspans."""
    numeric = [False] * ncols
    for row in rows:
        position = 0
        for cell in row.elements("td", "th"):
            if "num" in cell.classes and position < ncols:
                numeric[position] = True
            position += int(cell.attrs.get("colspan", "1") or 1) if cell.attrs.get("colspan", "1").isdigit() else 1
    return numeric


def _all_elements(node: Node) -> list[Node]:
    out: list[Node] = []
    for child in node.elements():
        out.append(child)
        out.extend(_all_elements(child))
    return out


def _svg_of(src: str) -> str | None:
    """The SVG text of a ``data:image/svg+xml`` URI (base64 or percent-encoded); None otherwise."""
    head, _, data = src.partition(",")
    if not head.startswith("data:image/svg+xml"):
        return None
    if head.endswith(";base64"):
        return base64.b64decode(data).decode("utf-8")
    return urllib.parse.unquote(data)


def _meta(root: Node) -> dict[str, str]:
    """The document's <title>, lang and <meta name=...> values."""
    found: dict[str, str] = {}
    for node in _all_elements(root):
        if node.tag == "html":
            found["lang"] = node.attrs.get("lang", "")
        elif node.tag == "title":
            found["title"] = node.text()
        elif node.tag == "meta" and node.attrs.get("name"):
            found[node.attrs["name"]] = node.attrs.get("content", "")
    return found


def _mark_section_ids(node: Node) -> None:
    """Give the first heading of each section with an id that id, so links to the section land on it."""
    for child in node.elements():
        if child.tag == "section" and child.attrs.get("id"):
            for sub in child.elements():
                if sub.tag in ("h2", "h3", "h4") and "id" not in sub.attrs:
                    sub.attrs["id"] = child.attrs["id"]
                    break
        _mark_section_ids(child)


_LEADS_TO = frozenset({"figure", "table"})


def _mark_lead_ins(node: Node) -> None:
    """Mark each paragraph that directly precedes a table or figure, so the PDF keeps the two on one page."""
    children = node.elements()
    for child, following in zip(children, children[1:]):
        if child.tag == "p" and (following.tag in _LEADS_TO or following.classes & {"table-wrap", "answer-block",
                                                                                    "side-by-side"}):
            child.keep_with_next = True  # type: ignore[attr-defined]
        if "table-wrap" in child.classes and following.tag == "p" and "kilde" in following.classes \
                and len(child.find_all("tr")) <= SHORT_TABLE_ROWS:
            child.keep_with_next = True  # type: ignore[attr-defined]  # a short table and its source line
    for child in children:
        _mark_lead_ins(child)


def html_to_typst(html: str, date: tuple[int, int, int] | None = None) -> TypstDocument:
    """The report's HTML as a Typst document (source and image inputs).

    ``date`` (year, month, day) is the document's date in the PDF's metadata;
    None leaves it out.
    """
    root = parse_html(html)
    _mark_section_ids(root)
    _mark_lead_ins(root)
    meta = _meta(root)
    writer = _Writer(root)
    body_nodes = [n for n in _all_elements(root) if n.tag == "body"]
    body = writer.children(body_nodes[0] if body_nodes else root)
    authors = [a.strip() for a in meta.get("author", "").split(";") if a.strip()]
    keywords = [k.strip() for k in meta.get("keywords", "").split(",") if k.strip()]
    date_expr = (f"datetime(year: {date[0]}, month: {date[1]}, day: {date[2]})" if date else "none")
    preamble = PREAMBLE.format(
        title=typst_string(meta.get("title", "Rapport")),
        authors="".join(typst_string(a) + ", " for a in authors),
        keywords="".join(typst_string(k) + ", " for k in keywords),
        date=date_expr,
        lang=typst_string((meta.get("lang") or "nb").split("-")[0]),
    )
    source = preamble + re.sub(r"\n{3,}", "\n\n", body)
    return TypstDocument(source=source, inputs=writer.inputs)
