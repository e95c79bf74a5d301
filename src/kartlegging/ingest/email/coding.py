"""Coding of questions 1 and 5 in a reply: the answer block cut from the quoted questionnaire,
numbered answers, then prose."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kartlegging.core.coding import code_answer
from kartlegging.ingest.email.quoting import is_quoted, split_signature


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



#: One line per question that :data:`_QUESTIONS` knows: what a round's own letter's question becomes once
#: the letter is recognised in a reply (:mod:`kartlegging.ingest.email.letter_quote`), whatever its wording.
QUESTION_LINES: dict[int, str] = {
    1: "Har kommunen en lærings- og mestringstjeneste? (ja / nei / vet ikke)",
    2: "Hva heter tjenesten, og hvor er den organisatorisk plassert?",
    3: "Er tjenesten kommunal eller interkommunal?",
    4: "Navn, telefon og e-post til leder eller koordinator.",
    5: "Har kommunen planer om å etablere en slik tjeneste? (ja / nei / vet ikke)",
}


def question_line(n: int, prefix: str = "") -> str:
    """The line standing for question ``n`` (quote marks ``prefix`` kept) in a body whose letter was recognised."""
    return f"{prefix}{n}. {QUESTION_LINES[n]}"



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
        if is_quoted(line):
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
#: A name is a whole word of at most 40 letters: unbounded, ``[\w-]+`` would be tried from every
#: hyphen of a long hyphenated run (a damaged body), which takes time quadratic in its length.
_HOLDER = r"(?:vi|kommunen|bydelen|(?<![\w\-])[\w\-]{1,40}\s+kommune|bydel\s+[\w\-]{1,40})"



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
               r"(?:(?:en|et|ei|eit|egen|eget)\s+)?(?:[\w\-]{1,40}\s+){0,4}?"
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



def code_answers(ans: _Answers, prose: bool) -> Coding:
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



def code_reply(segments: list[list[str]], forward: bool,
               tail: list[str] | None = None) -> tuple[Coding, list[str], list[str]]:
    """Code a reply from its segments; also return its own body and signature lines.

    The reply's own text (segment 0, signature removed) decides. Only when it leaves question 1
    open is the first quoted segment read: for a forward (``VS:``/``FW:``) in full, since it holds
    the answer being passed on; for a plain reply only the text standing under the repeated
    questions, which is where an Outlook user writes inline answers. Last, ``tail``: the sender's
    own lines below the round's letter, known when the letter was recognised (an answer written
    under the whole quote, in prose). The questionnaire's own words never count: question texts
    become markers and option lists are removed.
    """
    body, sig = split_signature(segments[0])
    coding = code_answers(cut_answers(body), prose=True)
    if coding.q1 is None and len(segments) > 1:
        qbody, _ = split_signature(segments[1])
        inner = code_answers(cut_answers(qbody), prose=forward)
        if inner.q1 is not None:
            coding = _merge_q5(inner, coding)
    if coding.q1 is None and tail:
        below, _ = split_signature(tail)
        under = code_answers(cut_answers(below), prose=True)
        if under.q1 is not None:
            coding = _merge_q5(under, coding)
    return coding, body, sig


def _merge_q5(found: Coding, own: Coding) -> Coding:
    """Question 1 from ``found``; question 5 from the reply's own text when it has one, else from ``found``."""
    q5, q5_unreadable, q5_raw = own.q5, own.q5_unreadable, own.q5_raw
    if q5 is None:
        q5, q5_unreadable, q5_raw = found.q5, found.q5_unreadable, found.q5_raw
    return Coding(found.q1, q5, False, q5_unreadable, None, q5_raw)
