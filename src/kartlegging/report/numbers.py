"""Norwegian (bokmål) formatting of numbers, shares and dates for the report.

Pure functions, no locale: the system locale differs between a laptop, CI and
a container, and the report must read the same everywhere (and be byte-stable).
Conventions follow Språkrådet's advice for running text:

- decimal comma: ``1,05``
- thousands grouped with a space: ``16 000``
- a space before the per cent sign: ``18 %``
- rounding half up (``0,5`` → ``1``), as a reader rounding by hand would, not
  Python's banker's rounding, so that ``81,5 %`` reads ``82 %`` like in a table
  calculated by hand.

The space is an ordinary space so the strings can be searched for as typed;
the template keeps a figure on one line with ``white-space: nowrap`` instead.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import ROUND_HALF_UP, Decimal

from kartlegging.core.tables import DOES_NOT_HOLD, HOLDS

MISSING = "ikke beregnet"
"""Shown where a figure was not computed (for instance the KOSTRA figures of a round without KOSTRA data)."""

MINUS = "\u2212"
"""Typographic minus sign: a hyphen looks like a dash in running text."""

MONTHS = (
    "januar", "februar", "mars", "april", "mai", "juni",
    "juli", "august", "september", "oktober", "november", "desember",
)

UNITS = ("antall", "prosent", "forhold", "tekst", "utsagn")
STATEMENT_HOLDS = {1.0: HOLDS, 0.0: DOES_NOT_HOLD}
"""A statement of the source (unit ``utsagn``) is checked against the data: 1 it holds, 0 it does not."""


def is_missing(value: object) -> bool:
    """True for None and NaN, which both mean 'no value' after a Parquet round trip."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    # pandas' NA and NaT, without importing pandas into a module of pure functions.
    return type(value).__name__ in ("NAType", "NaTType")


def _round_half_up(value: float, decimals: int) -> Decimal:
    """Round through the decimal repr, so 0.125 rounds to 0.13 and not to the binary neighbour."""
    quantum = Decimal(1).scaleb(-decimals)
    return Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)


def _group(digits: str) -> str:
    """Insert a space between groups of three digits, counted from the right."""
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return " ".join(groups)


def fmt_decimal(value: float, decimals: int = 0) -> str:
    """A number with ``decimals`` decimals, decimal comma and grouped thousands.

    >>> fmt_decimal(16000)
    '16 000'
    >>> fmt_decimal(1.054, 2)
    '1,05'
    """
    if decimals < 0:
        raise ValueError("decimals must be zero or more")
    rounded = _round_half_up(value, decimals)
    negative = rounded < 0
    text = f"{abs(rounded):.{decimals}f}"
    whole, _, fraction = text.partition(".")
    out = _group(whole) + ("," + fraction if fraction else "")
    # "-0" after rounding a tiny negative number is just 0.
    if negative and rounded != 0:
        out = MINUS + out
    return out


def fmt_count(value: float) -> str:
    """A count: whole numbers without decimals, otherwise one decimal.

    Counts may be fractional where a range was counted by its midpoint
    (``3-4`` tilbud counts 3,5), and hiding that would misstate the sum.
    """
    if abs(value - round(value)) < 1e-9:
        return fmt_decimal(round(value), 0)
    return fmt_decimal(value, 1)


def fmt_percent(value: float, decimals: int = 0) -> str:
    """A percentage given on the 0-100 scale: ``18 %``."""
    return f"{fmt_decimal(value, decimals)} %"


def fmt_share(numerator: float, denominator: float, decimals: int = 0) -> str:
    """numerator / denominator as a percentage; an empty denominator has no share."""
    if is_missing(numerator) or is_missing(denominator) or denominator == 0:
        return MISSING
    return fmt_percent(100.0 * numerator / denominator, decimals)


def fmt_ratio(value: float, decimals: int = 2) -> str:
    """A ratio such as mean årsverk per centre: ``1,05``."""
    return fmt_decimal(value, decimals)


def fmt_figure(value: float | None, unit: str, text: str | None = None) -> str:
    """Format one row of figures.parquet by its unit.

    ``antall`` is a count, ``prosent`` is 0-100, ``forhold`` a ratio,
    ``tekst`` carries its value in ``text`` and ``utsagn`` (a finding) reads
    ``holder`` or ``holder ikke``. A missing value reads
    ``ikke beregnet`` rather than failing, so one absent figure does not stop
    the whole report.
    """
    if unit == "tekst":
        return MISSING if is_missing(text) or str(text).strip() == "" else str(text)
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}; expected one of {UNITS}")
    if is_missing(value):
        return MISSING
    if unit == "utsagn":
        return STATEMENT_HOLDS.get(float(value), MISSING)
    if unit == "antall":
        return fmt_count(float(value))
    if unit == "prosent":
        return fmt_percent(float(value))
    return fmt_ratio(float(value))


def canonical_value(value: float | None, unit: str, text: str | None = None) -> str:
    """A machine-readable form of a figure for the ``data-value`` attribute.

    Tests and readers compare against figures.parquet without parsing the
    Norwegian format; 12 significant digits survive float noise.
    """
    if unit == "tekst":
        return "" if is_missing(text) else str(text)
    if is_missing(value):
        return ""
    return f"{float(value):.12g}"


def parse_iso_date(text: str) -> dt.date | None:
    """Parse an ISO date (``YYYY-MM-DD`` exactly), or None when the string is not one."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text or ""):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def fmt_date(value: dt.date | str | None) -> str:
    """A date in running text: ``12. november 2014``. Strings are read as ISO dates."""
    if is_missing(value):
        return MISSING
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        value = value.date()
    return f"{value.day}. {MONTHS[value.month - 1]} {value.year}"


def fmt_date_span(first: dt.date | str | None, last: dt.date | str | None) -> str:
    """Two dates in running text, the shared month and year said once: ``4. og 5. november 2014``,
    ``30. november og 2. desember 2014``, ``30. desember 2014 og 2. januar 2015``; one date when they are equal."""
    if is_missing(first) or is_missing(last):
        return MISSING
    a = dt.date.fromisoformat(first[:10]) if isinstance(first, str) else first
    b = dt.date.fromisoformat(last[:10]) if isinstance(last, str) else last
    if a == b:
        return fmt_date(a)
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}. og {fmt_date(b)}"
    if a.year == b.year:
        return f"{a.day}. {MONTHS[a.month - 1]} og {fmt_date(b)}"
    return f"{fmt_date(a)} og {fmt_date(b)}"


def fmt_month(value: dt.date | None) -> str:
    """Month and year, as used for a field period: ``november 2014``."""
    if is_missing(value):
        return MISSING
    return f"{MONTHS[value.month - 1]} {value.year}"


def fmt_period(first: dt.date | None, last: dt.date | None) -> str:
    """A period between two dates by month, with an en dash: ``november 2014 – januar 2015``."""
    if is_missing(first) or is_missing(last):
        return MISSING
    start, end = fmt_month(first), fmt_month(last)
    return start if start == end else f"{start} – {end}"
