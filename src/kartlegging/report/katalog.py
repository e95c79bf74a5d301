"""The report's bokmål catalogue (``katalog.yaml``): what holds for every round.

Labels and round-neutral definitions of every figure id a register may list, what each
reconciliation status means, and how appendix A names a register by its kind. What belongs to
one round (its sources, the notes on its values, a definition tied to its date) is the round's
register (:mod:`kartlegging.core.register`): :func:`figure_text` takes the round's note and
definition and falls back to the catalogue only for what the register does not say. A figure
the catalogue does not know yet (a register entry added before its text) shows the register's
own definition and is logged, so the report still builds; ``tests/test_figure_series.py`` asks
for an entry for every register id.

Published values and tolerances are written as the register has them (``16000``, ``1.05``,
``1.8–2.2x``, ``2 pp``); :func:`fmt_published` and :func:`fmt_tolerance` give their Norwegian
forms (``16 000``, ``1,05``, ``1,8–2,2 ganger``, ``2 prosentpoeng``).
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from kartlegging.report.numbers import fmt_decimal

LOG = logging.getLogger(__name__)
KATALOG_PATH = Path(__file__).with_name("katalog.yaml")


@dataclass(frozen=True)
class FigureText:
    """What the report says about one figure of the register."""

    etikett: str
    definisjon: str
    merknad: str


@functools.lru_cache(maxsize=1)
def load() -> dict[str, Any]:
    """The catalogue, read once per process."""
    data = yaml.safe_load(KATALOG_PATH.read_text(encoding="utf-8"))
    for key in ("statuser", "registre", "tall"):
        if not isinstance(data.get(key), dict):
            raise ValueError(f"{KATALOG_PATH}: expected a mapping {key!r}")
    return data


def figure_text(figure_id: str, register_definition: str = "", round_note: str = "",
                round_definition: str = "") -> FigureText:
    """Bokmål label, definition and remark of a figure in one round.

    The remark is the round's own (its register's ``merknad``); the definition is the round's
    (``definisjon``) where the register gives one, else the catalogue's round-neutral one. A figure
    the catalogue lacks shows the register's working definition and is logged.
    """
    entry = load()["tall"].get(figure_id)
    if entry is None:
        LOG.warning("report: figure %s has no entry in %s; showing the register's text", figure_id, KATALOG_PATH.name)
        return FigureText(figure_id, round_definition or register_definition, round_note)
    return FigureText(str(entry.get("etikett", figure_id)), round_definition or str(entry.get("definisjon", "")),
                      round_note)


def status_text(status: str) -> str:
    """What a reconciliation status means, in one sentence."""
    return str(load()["statuser"].get(status, ""))


def register_words(kind: str | None) -> dict[str, str]:
    """How appendix A names a register of this kind (``published``, ``design_targets``; None: no register):
    its title, the column of the register's values, and the paragraph that opens it."""
    words = load()["registre"].get(kind or "none")
    if words is None:
        raise ValueError(f"{KATALOG_PATH}: no 'registre' entry for register kind {kind!r}")
    return {k: str(v) for k, v in words.items()}


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _norwegian_number(match: re.Match[str]) -> str:
    text = match.group(0)
    decimals = len(text.split(".", 1)[1]) if "." in text else 0
    return fmt_decimal(float(Decimal(text)), decimals)


_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")


def fmt_published(published: object) -> str:
    """A published value in Norwegian form: ``16000`` → ``16 000``, ``1.05`` → ``1,05``.

    Only a value that is a number as a whole gets thousands spaces; in a text such as
    ``november 2014 – januar 2015`` the years stay as they are and only decimal points
    become commas.
    """
    text = str(published).strip()
    if _NUMBER.fullmatch(text):
        return _NUMBER.sub(_norwegian_number, text)
    return _DECIMAL_POINT.sub(",", text)


def fmt_tolerance(tolerance: object) -> str:
    """A register tolerance in words: ``5`` → ``±5``, ``2 pp`` → ``±2 prosentpoeng``,
    ``1.8–2.2x`` → ``1,8–2,2 ganger``."""
    text = str(tolerance).strip()
    if text.endswith("x"):
        return _NUMBER.sub(_norwegian_number, text[:-1]).strip() + " ganger"
    if text.endswith("pp"):
        return "±" + _NUMBER.sub(_norwegian_number, text[:-2]).strip() + " prosentpoeng"
    return "±" + _NUMBER.sub(_norwegian_number, text)
