"""Coding of typed answers into the project's codes.

Base vocabulary shared by every source. Source-specific coders (interview items,
phone answers) live here too; e-mail body parsing lives in ``ingest_email``.

Every coder is a pure function of one cell value (as ``python_calamine`` returns
it: ``str``, ``float``, ``bool``, ``date``/``datetime`` or ``None``). The
convention is the same everywhere, so the ingest steps can treat all items
alike:

- an empty cell gives ``None`` (the item was not answered; no review needed);
- a value the rules can code gives the code;
- a value the rules cannot code raises :class:`CodingError`, whose message says
  why. The caller turns it into a review item; a guess would hide the problem.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

_YES = {"ja", "j", "yes", "jada", "japp", "jo"}
_NO = {"nei", "n", "no", "nei takk"}
_DK = {"vet ikke", "vet ikkje", "usikker", "vet ikke helt", "vet ik", "uvisst", "ukjent"}


class CodingError(ValueError):
    """A typed value the coding rules cannot decide; the message is the review reason."""


_TRAILING_PUNCTUATION = re.compile(r"[\s.!,;:]+$")


def _clean(text: str) -> str:
    return _TRAILING_PUNCTUATION.sub("", " ".join(str(text).strip().casefold().split()))


def code_answer(text: object) -> str | None:
    """Code a short answer as ``ja``, ``nei`` or ``vet_ikke``; None if it is none of them.

    Tolerates case, trailing punctuation and whitespace (``Nei.``, `` JA ``).
    Longer text is the caller's business: it may hold the word in a context
    that means something else.
    """
    if text is None:
        return None
    t = _clean(text)
    if t in _YES:
        return "ja"
    if t in _NO:
        return "nei"
    if t in _DK or t.replace("_", " ") in _DK:
        return "vet_ikke"
    return None


# -- cells --------------------------------------------------------------------

def is_empty(value: object) -> bool:
    """True for a cell nobody typed in: None, NaN, or only whitespace.

    Calamine gives ``''`` for empty cells inside the used range, so an empty
    string and a missing cell must mean the same thing.
    """
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, float) and value != value


def cell_text(value: object) -> str | None:
    """A cell as the text a person typed, or None when empty.

    Numbers typed into Excel come back as floats (``301.0``); an integral float
    is written without its ``.0`` so a kommune number reads as typed (``301``).
    """
    if is_empty(value):
        return None
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return " ".join(str(value).split())


def fold(value: object) -> str:
    """Casefolded, NFC-normalised, whitespace-collapsed text, so typed variants compare equal."""
    text = unicodedata.normalize("NFC", str(value)).casefold()
    return " ".join(text.split())


def item_code(value: object) -> str | None:
    """Normalise an interview item code from column ``Nr``: ``t5``, ``T5``, `` T05 `` → ``T05``.

    Returns None when the cell is not an item code (a section heading, a stray
    note), so that rows are identified by code, never by position.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    return _item_code(value)


_ITEM_CODE = re.compile(r"\s*[Tt]\s*-?\s*0*(\d{1,3})\s*[.:)]?\s*")


@lru_cache(maxsize=4096)
def _item_code(value: str) -> str | None:
    """:func:`item_code` of a non-empty string (memoised: every workbook's column Nr holds the same codes)."""
    m = _ITEM_CODE.fullmatch(value)
    if not m:
        return None
    return f"T{int(m.group(1)):02d}"


def normalise_header(value: object) -> str:
    """A header cell for matching: casefolded, no whitespace, no trailing ``.``/``:``.

    ``Kommune / bydel``, ``kommune/bydel`` and ``KOMMUNE/BYDEL:`` then meet, while
    a renamed column (``Kommunenummer`` for ``Kommunenr``) still does not.
    """
    if is_empty(value):
        return ""
    return _header_key(str(value))


_WHITESPACE = re.compile(r"\s+")


@lru_cache(maxsize=4096)
def _header_key(text: str) -> str:
    """:func:`normalise_header` of a cell's text (memoised: every workbook's header row holds the same labels)."""
    return _WHITESPACE.sub("", fold(text)).rstrip(".:")


# -- dates --------------------------------------------------------------------

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_PLAUSIBLE = (dt.date(1950, 1, 1), dt.date(2100, 1, 1))
_MONTHS = {
    "jan": 1, "januar": 1, "feb": 2, "februar": 2, "mar": 3, "mars": 3,
    "apr": 4, "april": 4, "mai": 5, "jun": 6, "juni": 6, "jul": 7, "juli": 7,
    "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
    "okt": 10, "oktober": 10, "nov": 11, "november": 11, "des": 12, "desember": 12,
}
_WEEKDAY = r"(?:mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag|man|tir|ons|tor|fre|lør|søn)\.?,?\s+"
_TIME = r"(?:[ T]+(?:kl\.?\s*)?\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)?"
_LEADING_WEEKDAY = re.compile(r"^" + _WEEKDAY)
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME)
_NUMERIC_DATE = re.compile(r"(\d{1,2})\s*[./-]\s*(\d{1,2})\s*[./-]\s*(\d{4}|\d{2})" + _TIME)
_WORD_DATE = re.compile(r"(\d{1,2})\.?\s*([a-zæøå]+)\.?,?\s*(\d{4}|\d{2})" + _TIME)


def _make_date(year: int, month: int, day: int, raw: object) -> dt.date:
    if year < 100:
        year += 2000
    try:
        value = dt.date(year, month, day)
    except ValueError as exc:
        raise CodingError(f"not a valid date: {raw!r} ({exc})") from None
    if not _PLAUSIBLE[0] <= value < _PLAUSIBLE[1]:
        raise CodingError(f"date outside 1950-2099: {raw!r}")
    return value


def parse_date(value: object) -> dt.date | None:
    """Read a date as Excel or a person delivers it.

    Accepts ``date``/``datetime`` cells, Excel serial numbers (1900 date system,
    the one Windows Excel uses), and text ``12.11.2014``, ``12.11.14``,
    ``12/11/2014``, ``2014-11-12``, ``12. nov. 2014``, ``12 november 2014``,
    optionally with a weekday before or a time after. Day before month, as
    Norwegians write it. Two-digit years are 20xx. A serial or text that gives
    no plausible date (before 1950, ``31.02.2014``, ``12.11`` without a year)
    raises :class:`CodingError`.
    """
    if is_empty(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise CodingError(f"a true/false value is not a date: {value!r}")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise CodingError(f"a number out of range is no date: {value!r}")
        serial = int(value)  # a fraction is the time of day
        try:
            result = _EXCEL_EPOCH + dt.timedelta(days=serial)
        except OverflowError:
            raise CodingError(f"a number that is no Excel date: {value!r}") from None
        if not _PLAUSIBLE[0] <= result < _PLAUSIBLE[1]:
            raise CodingError(f"a number that is no plausible Excel date: {value!r}")
        return result
    text = _LEADING_WEEKDAY.sub("", fold(value))
    m = _ISO_DATE.fullmatch(text)
    if m:
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), value)
    m = _NUMERIC_DATE.fullmatch(text)
    if m:
        return _make_date(int(m.group(3)), int(m.group(2)), int(m.group(1)), value)
    m = _WORD_DATE.fullmatch(text)
    if m and m.group(2) in _MONTHS:
        return _make_date(int(m.group(3)), _MONTHS[m.group(2)], int(m.group(1)), value)
    raise CodingError(f"not a date the rules can read: {value!r}")


# -- yes / no / don't know ----------------------------------------------------

_ANSWER_WORDS = re.compile(r"\b(ja|nei|vet ikke|vet ikkje|usikker)\b")
_LEADING_ANSWER = re.compile(r"(ja|nei|vet ikke|vet ikkje|usikker)(?:[\s,.:;!\-–—]+(.*))?")
_WORD_CODE = {"ja": "ja", "nei": "nei", "vet ikke": "vet_ikke", "vet ikkje": "vet_ikke", "usikker": "vet_ikke"}


def _leading_answer(text: str) -> str | None:
    """The code of an answer word that opens the text, if the rest does not contradict it.

    ``ja, interkommunalt`` → ja; ``nei, men planlegger`` → nei; ``ja og nei`` →
    None (the rest holds another answer word), so that mixed answers go to review.
    """
    m = _LEADING_ANSWER.fullmatch(text)
    if not m:
        return None
    code = _WORD_CODE[m.group(1)]
    rest = m.group(2) or ""
    for other in _ANSWER_WORDS.findall(rest):
        if _WORD_CODE[other] != code:
            return None
    return code


def code_yes_no(value: object) -> str | None:
    """Code an interview yes/no/don't-know item (T08, T09, T13-T18): ``ja``|``nei``|``vet_ikke``.

    Empty gives None. Short answers go through :func:`code_answer`; a leading
    answer word with an explanation (``Ja, i stor grad``, ``Nei, ikke ennå``) counts
    when the explanation holds no contradicting answer word. Excel TRUE/FALSE
    read as ja/nei. Anything else (``delvis``, ``ja/nei``, ``1``) raises, because
    a partial or odd answer is the analyst's call, not the coder's.
    """
    if is_empty(value):
        return None
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if not isinstance(value, str):
        raise CodingError(f"expected ja/nei/vet ikke, got {cell_text(value)!r}")
    code = code_answer(value)
    if code is not None:
        return code
    code = _leading_answer(fold(value))
    if code is not None:
        return code
    raise CodingError(f"expected ja/nei/vet ikke, got {value.strip()!r}")


# -- phone answers ------------------------------------------------------------

#: Phrases that say the call reached nobody who could answer, or answered
#: something else. They are expected and need no review; the attempt is
#: ``ikke_konklusiv``. ``har frisklivssentral`` is among them on purpose: a
#: frisklivssentral is not in itself a lærings- og mestringstjeneste (most of
#: the centres interviewed in 2015 did not meet the definition), so the answer
#: says neither ja nor nei to the question asked.
PHONE_INCONCLUSIVE = re.compile(
    r"\b(?:"
    r"ikke svar|ingen svar|svarer ikke|ikke besvart|ubesvart|ikke truffet|ikke nådd"
    r"|ringer tilbake|ring(?:e|es)? tilbake|ring(?:e|es)? igjen|ringer igjen|ring(?:e|es)? senere"
    r"|opptatt|ikke tilgjengelig|ikke til stede|ikke inne|telefonsvarer"
    r"|(?:legger|la|lagt|lagt inn) (?:igjen )?beskjed|beskjed|feil nummer|sett(?:er|es)? over|satt over"
    r"|videresendt|henvist|sender (?:svar|e ?-?post|mail)|svar(?:er)? (?:på|per|pr) (?:e ?-?post|mail)"
    r"|sjekker|undersøker|kommer tilbake|tar kontakt|ferie|permisjon|syk(?:emeldt)?"
    r"|har frisklivssentral(?:en)?|frisklivssentral(?:en)?"
    r")\b"
)

PHONE_CODES = ("ja", "nei", "vet_ikke", "ikke_konklusiv")


#: Who answered a call, as callers type it. ``Kontakt`` is meant to hold a role,
#: but a caller may type the person instead (``Kari Nordmann, helseleder``);
#: only these words ever leave the ingest, so a name typed there cannot.
#: Longer phrases first, so ``enhetsleder helse`` wins over ``enhetsleder``.
KONTAKT_ROLES: tuple[str, ...] = (
    "kommunalsjef helse og omsorg", "kommunalsjef helse", "enhetsleder helse", "rådmannens kontor",
    "bydelsadministrasjonen", "bydelsadministrasjon", "bydelsdirektør", "folkehelsekoordinator",
    "frisklivskoordinator", "frisklivssentralen", "frisklivssentral", "kommuneoverlegen", "kommuneoverlege",
    "kommunelegen", "kommunelege", "virksomhetsleder", "avdelingsleder", "enhetsleder", "kommunalsjef",
    "helsesjef", "helseleder", "fagleder", "sentralbordet", "sentralbord", "servicetorget", "servicetorg",
    "resepsjonen", "resepsjon", "postmottak", "legekontoret", "legekontor", "helsestasjonen", "helsestasjon",
    "helsesøster", "helsesykepleier", "sykepleier", "fysioterapeuten", "fysioterapeut", "ergoterapeut",
    "rådgiver", "konsulent", "saksbehandler", "sekretær", "koordinator", "rådmannen", "rådmann", "leder",
)
_KONTAKT_ROLE = re.compile(r"(?<![\w])(" + "|".join(re.escape(r) for r in KONTAKT_ROLES) + r")(?![\w])")


def kontakt_role(value: object) -> str | None:
    """The role(s) named in a ``Kontakt`` cell, in typed order; ``annet`` when it names none.

    Only words of :data:`KONTAKT_ROLES` are returned, never the typed text, so a
    person's name, number or address typed into the cell stays in the raw file.
    """
    text = cell_text(value)
    if text is None:
        return None
    found: list[str] = []
    for m in _KONTAKT_ROLE.finditer(fold(text)):
        if m.group(1) not in found:
            found.append(m.group(1))
    return ", ".join(found) if found else "annet"


def code_phone_answer(value: object, strict: bool = False) -> str:
    """Code the ``Svar`` of one phone attempt: ``ja``|``nei``|``vet_ikke``|``ikke_konklusiv``.

    Rules, in order:

    1. empty → ``ikke_konklusiv`` (an attempt with nothing recorded decides nothing);
    2. a short answer (``Ja``, ``nei``, ``Nei.``, ``usikker``, ``vet ikke``) → its code;
    3. an answer word opening the text with an uncontradicted explanation
       (``ja, interkommunalt`` → ja, ``nei, men planlegger`` → nei);
    4. a known no-contact or off-topic phrase (:data:`PHONE_INCONCLUSIVE`:
       ``ikke svar``, ``ringer tilbake``, ``ikke truffet``, ``har frisklivssentral``)
       → ``ikke_konklusiv``;
    5. anything else → ``ikke_konklusiv``, or with ``strict=True`` a
       :class:`CodingError`, so the ingest can put the attempt to review while
       still coding it conservatively.
    """
    if is_empty(value):
        return "ikke_konklusiv"
    if isinstance(value, bool):
        return "ja" if value else "nei"
    text = fold(cell_text(value) or "")
    code = code_answer(text)
    if code is not None:
        return code
    code = _leading_answer(text)
    if code is not None:
        return code
    if PHONE_INCONCLUSIVE.search(text):
        return "ikke_konklusiv"
    if strict:
        raise CodingError(f"phone answer not recognised: {text!r}")
    return "ikke_konklusiv"


# -- interview items ----------------------------------------------------------

def code_samarbeidsform(value: object) -> str | None:
    """T04: ``kommunal`` or ``interkommunal``.

    Any mention of interkommunal, ``IKS``, ``samarbeid`` or ``vertskommune``
    means interkommunal (an IKS or a host-kommune arrangement is by law a
    cooperation between kommuner); text starting with ``kommunal`` otherwise
    means kommunal.
    """
    if is_empty(value):
        return None
    text = fold(cell_text(value) or "")
    if re.search(r"interkommunal|\biks\b|samarbeid|vertskommune", text):
        return "interkommunal"
    if re.match(r"kommunal(t|e)?\b|egen kommune|kun (egen )?kommune", text):
        return "kommunal"
    raise CodingError(f"expected kommunal or interkommunal, got {text!r}")


_HARD_SEP = re.compile(r"[,;\n\r]+|\s+&\s+|\s+\+\s+")
_SOFT_SEP = re.compile(r"\s+(?:og|samt)\s+")


def _split_outside_parens(text: str, pattern: re.Pattern[str]) -> tuple[list[str], list[str]]:
    """Split on a pattern, except inside parentheses (``Herøy (Møre og Romsdal)``).

    Returns the pieces and the separators between them, so pieces can be
    joined back exactly as typed.
    """
    parts, seps, depth, start = [], [], 0, 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            m = pattern.match(text, i)
            if m and m.end() > i:
                parts.append(text[start:i])
                seps.append(m.group(0))
                start = i = m.end()
                continue
        i += 1
    parts.append(text[start:])
    return parts, seps


def split_kommuner(value: object, keep_whole: Callable[[str], bool] | None = None) -> list[str]:
    """T05: split a typed list of kommuner into single names or numbers.

    Separators are ``,``, ``;``, line breaks, ``&``, ``+``, and the words ``og``
    and ``samt``, never inside parentheses. Names such as ``Sande i Møre og
    Romsdal`` carry the word ``og``; so within a chunk, the longest run of
    ``og``-separated pieces for which ``keep_whole`` returns True is kept
    together (``Bø og Sande i Møre og Romsdal`` → ``Bø``, ``Sande i Møre og
    Romsdal``). A leading ``kommunene``/``kommuner:`` is dropped.
    """
    if is_empty(value):
        return []
    text = value if isinstance(value, str) else cell_text(value) or ""
    text = re.sub(r"^\s*(?:kommunene|kommuner)\s*:?\s*", "", text, flags=re.IGNORECASE)
    out: list[str] = []
    chunks, _ = _split_outside_parens(text, _HARD_SEP)
    for chunk in chunks:
        pieces, seps = _split_outside_parens(chunk.strip(), _SOFT_SEP)
        i = 0
        while i < len(pieces):
            j = len(pieces)
            if keep_whole is not None:
                while j > i + 1:
                    joined = pieces[i] + "".join(seps[k] + pieces[k + 1] for k in range(i, j - 1))
                    if keep_whole(joined.strip(" .")):
                        break
                    j -= 1
            else:
                j = i + 1
            piece = (pieces[i] + "".join(seps[k] + pieces[k + 1] for k in range(i, j - 1))).strip(" .")
            if piece:
                out.append(piece)
            i = j
    return out


def code_organisering(value: object) -> str | None:
    """T06: ``frisklivssentral``|``friskliv_og_mestring``|``eget_senter``|``avdeling``|``koordinator``|``annet``.

    ``annet`` (or ``annet: ...``) wins when it opens the answer, because the
    interviewer chose it explicitly. Then friskliv with mestring (a
    ``frisklivs- og mestringssenter``), friskliv alone, koordinator, avdeling,
    and senter (``eget senter``, ``lærings- og mestringssenter``).
    """
    if is_empty(value):
        return None
    text = fold(cell_text(value) or "")
    if re.match(r"(annet|anna|andre)\b", text):
        return "annet"
    if "friskliv" in text and "mestring" in text:
        return "friskliv_og_mestring"
    if "friskliv" in text:
        return "frisklivssentral"
    if "koordinator" in text:
        return "koordinator"
    if "avdeling" in text:
        return "avdeling"
    if "senter" in text or re.search(r"\blms\b", text):
        return "eget_senter"
    raise CodingError(f"organisation not recognised: {text!r}")


_FLAG_TRUE = {"x", "ja", "j", "yes", "1", "✓", "✔", "sann", "true"}
_FLAG_FALSE = {"nei", "n", "no", "0", "usann", "false"}


def code_flag(value: object) -> bool:
    """T07: a mark that something was volunteered. ``x``/``X``/``ja`` → True; empty → False.

    The question was never asked, so an empty cell means "not mentioned", which
    is False rather than unknown. An explicit ``nei`` is False too. Other text
    raises, because it may hold a qualified answer.
    """
    if is_empty(value):
        return False
    if isinstance(value, bool):
        return value
    text = _clean(cell_text(value) or "")
    if text in _FLAG_TRUE:
        return True
    if text in _FLAG_FALSE:
        return False
    raise CodingError(f"expected x, ja or empty, got {text!r}")


#: Norwegian number words (bokmål and nynorsk) up to twenty, and the tens to fifty.
NUMBER_WORDS: dict[str, int] = {
    "null": 0, "ingen": 0, "en": 1, "ett": 1, "ein": 1, "eitt": 1, "ei": 1, "to": 2, "tre": 3,
    "fire": 4, "fem": 5, "seks": 6, "sju": 7, "syv": 7, "åtte": 8, "ni": 9, "ti": 10,
    "elleve": 11, "tolv": 12, "tretten": 13, "fjorten": 14, "femten": 15, "seksten": 16,
    "sytten": 17, "atten": 18, "nitten": 19, "tjue": 20, "tyve": 20, "tretti": 30,
    "tredve": 30, "førti": 40, "femti": 50,
}
_NUM = r"(\d+(?:[.,]\d+)?|[a-zæøå]+)"
_RANGE = re.compile(_NUM + r"\s*(?:-|–|—|til|à)\s*" + _NUM)
_APPROX = re.compile(r"^(?:ca\.?|cirka|omtrent|om lag|rundt|anslagsvis|~)\s*")
_UNIT_WORDS = re.compile(
    r"\s*(?:(?:ulike |forskjellige )?(?:tilbud|kurs|grupper|gruppe|stk\.?|stykker)"
    r"|i året|per år|pr\.? år|årlig|siste år)\s*$"
)
_OPEN_ENDED = re.compile(
    r"^(?:over|mer enn|flere enn|minst|opptil|inntil|under|mindre enn|>|<|mange|flere|noen|et par|få)\b|\+$|^[<>]"
)


#: The largest count read as one (a service holding more tilbud a year than this is a typing error).
MAX_COUNT = 100_000


def _number(token: str) -> float | None:
    if token in NUMBER_WORDS:
        return float(NUMBER_WORDS[token])
    if re.fullmatch(r"\d+(?:[.,]\d+)?", token):
        return float(token.replace(",", "."))
    return None


def parse_count(value: object) -> float | None:
    """T10: number of tilbud in the last year.

    ``5`` and ``ca. 5`` → 5; ``3-4``, ``3–4`` and ``3 til 4`` → 3.5 (the midpoint,
    as the published total counts ranges); number words up to twenty (``fem``,
    ``tolv``) and the tens to fifty; ``ingen`` → 0; trailing ``tilbud``/``kurs``
    are allowed. Open-ended answers (``over 10``, ``10+``, ``mange``) and date cells
    (Excel turns a typed ``3-4`` into 3 April) raise: they are not one number.
    """
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise CodingError(f"a true/false value is not a count: {value!r}")
    if isinstance(value, (dt.date, dt.datetime)):
        raise CodingError(
            f"a date where a count should be ({value.isoformat()}): "
            "Excel may have turned a range such as 3-4 into a date"
        )
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or abs(value) > MAX_COUNT:
            raise CodingError(f"a number out of range for a count: {value!r}")
        if value < 0:
            raise CodingError(f"negative count: {value!r}")
        return float(value)
    raw = fold(value)
    text = _APPROX.sub("", raw)
    text = _UNIT_WORDS.sub("", text).strip(" .")
    if _OPEN_ENDED.search(text):
        raise CodingError(f"open-ended count, not one number: {raw!r}")
    single = _number(text)
    if single is not None:
        if single > MAX_COUNT:
            raise CodingError(f"a number out of range for a count: {raw!r}")
        return single
    m = _RANGE.fullmatch(text)
    if m:
        low, high = _number(m.group(1)), _number(m.group(2))
        if low is not None and high is not None:
            if high > MAX_COUNT:
                raise CodingError(f"a number out of range for a count: {raw!r}")
            if low > high:
                raise CodingError(f"range with low above high: {raw!r}")
            return (low + high) / 2
    raise CodingError(f"not a count the rules can read: {raw!r}")


#: Target groups (T11) in the order the codes are reported, with the typed forms each covers.
MALGRUPPER: tuple[tuple[str, str], ...] = (
    ("diabetes", r"diabet\w*|sukkersyk\w*"),
    ("kols", r"kols|lungesyk\w*|lunge\w*"),
    ("hjerte_kar", r"hjerte\w*(?:\s*(?:-\s*)?(?:og|/|-)\s*kar\w*)?|kar\s*sykdom\w*"),
    ("kreft", r"kreft\w*|cancer"),
    ("psykisk_helse",
     r"psykisk\w*(?:\s+(?:helse\w*|lidelse\w*|sykdom\w*|uhelse))?|psykiatri\w*|mental\w*\s+helse|rus og psykisk helse"),
    ("muskel_skjelett", r"muskel\w*(?:\s*(?:-\s*)?(?:og|/|-)\s*skjelett\w*)?|skjelett\w*|rygg\w*"),
    ("overvekt", r"overvekt\w*|fedme|sykelig overvekt"),
    ("paa_tvers", r"(?:på\s+)?tvers\s+av\s+(?:alle\s+)?diagnose\w*|tverrdiagnostisk\w*|diagnoseuavhengig\w*"
                  r"|uavhengig\s+av\s+diagnose\w*|alle\s+diagnose\w*"),
    ("parorende", r"pårørende|parorende"),
    ("annet", r"(?:annet|anna|andre)\b.*"),
)
_MALGRUPPE_RE = re.compile("|".join(f"(?P<{code}>\\b(?:{pat}))" for code, pat in MALGRUPPER))
_MALGRUPPE_FILLER = re.compile(
    r"\b(?:og|samt|med|m\.?\s?m\.?|etc\.?|osv\.?|mv\.?|sykdom\w*|lidelse\w*|diagnose\w*|grupper?|tilbud)\b"
    r"|[,;:/\-–().\s]+"
)


def code_malgrupper(value: object) -> tuple[list[str], list[str]]:
    """T11: target groups, several per answer. Returns ``(codes, unrecognised parts)``.

    The answer is split into parts on ``,``, ``;`` and line breaks; known forms
    are found anywhere in a part (``KOLS``, ``hjerte- og karsykdom``, ``Psykisk
    helse``, ``på tvers av diagnoser``, ``pårørende``), so ``og`` inside a group
    name does no harm. ``annet``/``andre`` codes ``annet`` and whatever follows
    it in its part is its description (``annet: demens``), not an unrecognised
    group. Codes come back once each, in the order of :data:`MALGRUPPER`. Text
    left after removing known forms and filler words is returned, so the caller
    keeps the codes it has and still sends the rest to review.
    """
    if is_empty(value):
        return [], []
    typed = value if isinstance(value, str) else cell_text(value) or ""
    text = re.sub(r"[\r\n]+", ",", unicodedata.normalize("NFC", typed).casefold())
    found: set[str] = set()
    unrecognised: list[str] = []
    for part in re.split(r"[,;]", text):
        leftover: list[str] = []
        last = 0
        for m in _MALGRUPPE_RE.finditer(part):
            found.add(m.lastgroup or "")
            leftover.append(part[last:m.start()])
            last = m.end()
            if m.lastgroup == "annet":
                break
        else:
            leftover.append(part[last:])
        for piece in leftover:
            rest = " ".join(_MALGRUPPE_FILLER.sub(" ", piece).split())
            if rest:
                unrecognised.append(rest)
    codes = [code for code, _ in MALGRUPPER if code in found]
    return codes, unrecognised


def code_rekruttering(value: object) -> str | None:
    """T12: ``via_brukerorganisasjoner``|``utenom_organisasjonene``|``vet_ikke``.

    ``utenom``/``ikke via`` is checked before the organisation words, since
    ``utenom organisasjonene`` names them too. An answer naming both ways
    (``begge``) raises: the published figures count one way per service.
    """
    if is_empty(value):
        return None
    text = fold(cell_text(value) or "")
    if code_answer(text) == "vet_ikke":
        return "vet_ikke"
    if re.search(r"\bbegge\b|\bogså\b", text):
        raise CodingError(f"several recruitment ways named: {text!r}")
    if re.search(r"utenom|ikke (?:via|gjennom)|uten (?:om )?organisasjon|andre kanaler|egen rekruttering|selv", text):
        return "utenom_organisasjonene"
    if re.search(r"organisasjon|\bffo\b|\bsaf\b|lhl|diabetesforbund|brukerorg", text):
        return "via_brukerorganisasjoner"
    raise CodingError(f"recruitment way not recognised: {text!r}")


def code_grunnlag(value: object) -> str | None:
    """T19: ``tjeneste`` (an established service) or ``erfaring`` (many years of tilbud, no service)."""
    if is_empty(value):
        return None
    text = fold(cell_text(value) or "")
    has_t = "tjeneste" in text
    has_e = "erfaring" in text
    if has_t and not has_e:
        return "tjeneste"
    if has_e and not has_t:
        return "erfaring"
    if has_e and has_t and re.match(r"erfaring", text):
        return "erfaring"
    raise CodingError(f"expected tjeneste or erfaring, got {text!r}")


def mentions_friskliv_og_mestring(name: object) -> bool:
    """True when a service name holds both ``friskliv`` and ``mestring`` (any case).

    Feeds the published count of frisklivssentraler named as friskliv- og
    mestring-services; a plain substring test is the definition used there.
    """
    if is_empty(name):
        return False
    text = fold(name)
    return "friskliv" in text and "mestring" in text
