"""Who has answered so far: the round's e-mail replies (and phone log) read exactly as the pipeline reads them.

The phone list and the reminders go to the units without an e-mail reply, and the interview
workbooks to the services the answers name; "replied" must mean here what it means in the
report, so the same ingest runs (with the round's overrides and letter), in this process,
without writing anything. The texts under questions 2 to 4 (the service's name and place, who
takes part, the leader's contact) are read here for the interview workbooks only; they stay
in memory and in ``data/raw/``.
"""

from __future__ import annotations

import email
import email.policy
import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kartlegging.analysis.consolidate import replied
from kartlegging.core.overrides import OverrideError, load_overrides
from kartlegging.survey.context import RoundContext, SurveyError


@dataclass
class Replies:
    """The round's dispatch units, the e-mail table and what it says about who replied."""

    units: list[str]                       # dispatched units, in dispatch order
    table: pd.DataFrame                    # email_replies, as the pipeline writes it
    replied: set[str] = field(default_factory=set)
    unidentified: int = 0                  # replies no rule or override attributed to a unit

    @property
    def without_reply(self) -> list[str]:
        return [u for u in self.units if u not in self.replied]


def _overrides(ctx: RoundContext, source: str):
    try:
        return [o for o in load_overrides(ctx.overrides_file) if o.source == source]
    except OverrideError as exc:
        raise SurveyError(str(exc)) from None


def read_replies(ctx: RoundContext) -> Replies:
    """The e-mail ingest of the round, with its overrides and letter; nothing is written."""
    from kartlegging.ingest.dispatch import DispatchError, find_dispatch_file, read_dispatch
    from kartlegging.ingest.email.reader import ingest_email

    quiet = logging.getLogger("kartlegging")
    level = quiet.level
    quiet.setLevel(logging.WARNING)
    try:
        dispatch = read_dispatch(find_dispatch_file(ctx.round_dir), ctx.classification, ctx.round)
        letter = ctx.letter if ctx.letter_file.exists() else None
        folder = ctx.round_dir / "epost"
        if not folder.is_dir():
            raise SurveyError(f"{folder}: e-mail folder not found (save the replies there as .eml files)")
        result = ingest_email(folder, dispatch, ctx.classification, ctx.round, _overrides(ctx, "epost"), letter)
    except DispatchError as exc:
        raise SurveyError(str(exc)) from None
    finally:
        quiet.setLevel(level)
    table = result.table
    units = sorted(dispatch.units, key=lambda u: (u[0] != "K", u))
    counted = replied(table)
    unidentified = int(((table["status"] == "til_vurdering") & table["enhet_id"].isna()).sum())
    return Replies(units, table, set(counted["enhet_id"]), unidentified)


def phone_answers(ctx: RoundContext, units: set[str]) -> dict[str, str]:
    """The phone round's answer per unit (``ja``, ``nei``, ...), read as the pipeline reads the log."""
    from kartlegging.ingest.phone import PhoneLogError, ingest_phone

    path = ctx.round_dir / "telefonrunde.xlsx"
    if not path.exists():
        return {}
    try:
        result = ingest_phone(path, ctx.classification, units, ctx.round, _overrides(ctx, "telefon"))
    except PhoneLogError as exc:
        raise SurveyError(str(exc)) from None
    return dict(zip(result.units["enhet_id"], result.units["svar"], strict=True))


def answer_texts(path: Path, streams) -> dict[int, str]:
    """What a reply wrote under questions 2, 3 and 4 (the service, who takes part, the leader's contact),
    cut by the coding rules that cut question 1; empty when it wrote nothing there."""
    from kartlegging.ingest.email.coding import cut_answers, question_line
    from kartlegging.ingest.email.letter_quote import recognise
    from kartlegging.ingest.email.message import read_parts
    from kartlegging.ingest.email.mime import normalise_text
    from kartlegging.ingest.email.quoting import split_segments, split_signature

    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.compat32)
    body, _, _, _ = read_parts(msg)
    body = normalise_text(body)
    known = recognise(body, streams, question_line) if streams else None
    if known is not None:
        body = known.text
    segments = split_segments(body)
    texts: dict[int, str] = {}
    for segment in segments[:2]:
        own, _ = split_signature(segment)
        cut = cut_answers(own)
        for n in (2, 3, 4):
            text = "\n".join(ln for ln in cut.text_of(n).split("\n") if ln.strip() and not ln.lstrip().startswith(">"))
            if text and n not in texts:
                texts[n] = text.strip()
    return texts
