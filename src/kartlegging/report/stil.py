"""The checkable rules of the report's style sheet (``docs/STIL.md``), as patterns over its visible text.

Why in the package: the same rules hold for the text the templates write and for the analysts'
chapters, and both the tests and an analyst (``python -m kartlegging.report.stil report.html``) can
run them on a finished report. Each rule has a short bokmål name and a pattern; a finding is the
rule's name and the few words around the match, so it can be found in the report.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

#: Abbreviations that end in a point but do not end a sentence ("nr. 1/2026", "ca. 5").
ABBREVIATIONS = ("nr", "ca", "kap", "jf", "s", "pkt", "bl.a", "f.eks", "dvs", "mv", "osv", "m.m", "inkl", "t.o.m",
                 "f.o.m")
COUNT_NOUNS = ("tjenester", "kommuner", "enheter", "intervjuer", "meldinger", "bydeler", "saker", "filer", "rader",
               "mottakere", "rådmenn", "arbeidsbøker", "poster", "overstyringer")
MONTHS = ("januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember")


@dataclass(frozen=True)
class Rule:
    """One checkable rule of the style sheet."""

    name: str
    pattern: re.Pattern[str]
    advice: str


SENTENCE_START = "setning starter med siffer"
_CANDIDATE = re.compile(r"(?:^|(?<=[.!?])\s+)(\d)")
_WORD_BEFORE = re.compile(r"([\w.]+)[.!?]$")


def _sentences_starting_with_digits(text: str) -> list[re.Match[str]]:
    """Digits that open a sentence: at the start of a block, or after a full stop that does not close an
    abbreviation (``nr. 1/2026``) or a number (``4. og 5. november``)."""
    found = []
    for match in _CANDIDATE.finditer(text):
        start = match.start(1)
        before = text[:match.start()].rstrip()
        if before:
            word = _WORD_BEFORE.search(before)
            if word and (word.group(1).lower() in ABBREVIATIONS or word.group(1).isdigit()):
                continue
        found.append(match)
        del start
    return found


RULES: tuple[Rule, ...] = (
    Rule("entall etter 1",
         re.compile(rf"(?<![\d,])\b1\s(?:{'|'.join(COUNT_NOUNS)})\b"),
         "«1 kommune», «1 tjeneste»: entall etter tallet én."),
    Rule("dato gjentar måned og år",
         re.compile(rf"\b(\d{{1,2}})\. ({MONTHS}) (\d{{4}}) og (\d{{1,2}})\. \2 \3\b"),
         "Si måned og år én gang: «4. og 5. november 2014»."),
    Rule("prosent uten mellomrom", re.compile(r"\d%"), "Mellomrom før prosenttegnet: «18 %»."),
    Rule("kols med store bokstaver", re.compile(r"\bKOLS\b"),
         "Skriv «kols» (stor forbokstav bare først i en setning)."),
    Rule("fagpersoner", re.compile(r"\bfagperson(?:er|ene)?\b", re.IGNORECASE), "Bruk «fagfolk» overalt."),
    Rule("rørledning", re.compile(r"\b(?:rørledning\w*|pipeline\w*)\b", re.IGNORECASE),
         "Kall verktøyet «arbeidsflyten»."),
    Rule("prosjektnavn med bindestrek", re.compile(r"\bKartlegging-prosjekt\w*", re.IGNORECASE),
         "Skriv «kartleggingsprosjektet» i ett ord."),
    Rule("spørsmålskode", re.compile(r"\bT\d{2}\b|\bq[1-5]\b|\benhet_id\b|\bfigure_id\b"),
         "Si hva spørsmålet eller feltet gjelder, med ord; kodene står i vedlegg C."),
)


@dataclass(frozen=True)
class Finding:
    """A place where the text breaks a rule: the rule's name and the words around the match."""

    rule: str
    excerpt: str


#: Blocks of running text, where a sentence may not open with digits (a table cell or a key figure may).
PROSE = frozenset({"p", "li", "figcaption", "blockquote"})


def check(text: str, prose: bool = True) -> list[Finding]:
    """Every place in the text that breaks a checkable rule (the sentence rule only in running text)."""
    text = " ".join(text.split())
    found = [Finding(SENTENCE_START, text[max(m.start(1) - 40, 0):m.start(1) + 40])
             for m in _sentences_starting_with_digits(text)] if prose else []
    for rule in RULES:
        for match in rule.pattern.finditer(text):
            start, end = max(match.start() - 40, 0), min(match.end() + 40, len(text))
            found.append(Finding(rule.name, text[start:end]))
    return found


class _Blocks(HTMLParser):
    """The visible text of a report, block by block (a paragraph, a list item, a cell, a caption), so a
    sentence never runs from one block into the next; script, style and code elements left out."""

    BLOCKS = frozenset({"p", "li", "td", "th", "caption", "figcaption", "dd", "dt", "h1", "h2", "h3", "h4", "summary",
                        "div", "section", "span"})
    SKIP = frozenset({"script", "style", "code", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.blocks: list[list[str]] = [["", ""]]
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skip += 1
        elif tag == "sup":
            self.skip += 1
        elif tag in self.BLOCKS and tag != "span":
            self.open.append(tag)
            self.blocks.append([tag, ""])
        elif tag == "span" and "kilde" in (dict(attrs).get("class") or ""):
            self.blocks.append(["p", ""])

    def handle_endtag(self, tag):
        if tag in self.SKIP or tag == "sup":
            self.skip -= 1
        elif tag in self.BLOCKS and tag != "span":
            if tag in self.open:
                del self.open[len(self.open) - 1 - self.open[::-1].index(tag):]
            self.blocks.append([self.open[-1] if self.open else "", ""])

    def handle_data(self, data):
        if not self.skip:
            self.blocks[-1][1] += data


def html_blocks(html: str) -> list[tuple[str, str]]:
    """The visible text blocks of an HTML report as (element, text), whitespace collapsed, empty ones dropped."""
    parser = _Blocks()
    parser.feed(html)
    return [(tag, text) for tag, text in ((t, " ".join(x.split())) for t, x in parser.blocks) if text]


def check_html(html: str) -> list[Finding]:
    """Every finding in the visible text of an HTML report, block by block."""
    return [f for tag, block in html_blocks(html) for f in check(block, prose=tag in PROSE)]


def main(argv: list[str] | None = None) -> int:
    """Print the findings of an HTML report; exit 1 when there are any."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m kartlegging.report.stil report/<round>/kartlegging.html", file=sys.stderr)
        return 2
    findings = check_html(Path(args[0]).read_text(encoding="utf-8"))
    for f in findings:
        print(f"{f.rule}: …{f.excerpt}…")
    return 1 if findings else 0


if __name__ == "__main__":
    raise SystemExit(main())
