"""Identification of the replying unit: subject tag, In-Reply-To, sender address or domain, a unit named in the text."""

from __future__ import annotations

import re

from kartlegging.core.classification import OSLO, Classification
from kartlegging.ingest.dispatch import DispatchResult, normalise_message_id
from kartlegging.ingest.email.mime import decode_header_text
from kartlegging.ingest.email.quoting import is_quoted, sender_tail
from kartlegging.ingest.email.row import ReplyRow, header_value

_TAG_BRACKET = re.compile(r"[\[(]\s*([KkBb])\s*-?\s*(\d{3,6})\s*[\])]")



_TAG_BARE = re.compile(r"(?<![\w])([KkBb])\s?-?\s?(\d{4}|\d{6})(?![\w])")



_MSGID = re.compile(r"<([^<>\s]+)>")



#: Free-mail and ISP domains: a dispatch address there says nothing about a sender's employer.
PUBLIC_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "hotmail.com", "hotmail.no", "live.no", "live.com", "outlook.com",
    "outlook.no", "yahoo.com", "yahoo.no", "online.no", "broadpark.no", "icloud.com", "me.com",
    "msn.com", "frisurf.no", "start.no", "getmail.no", "c2i.net", "lyse.net", "altibox.no",
    "epost.no", "mail.com", "tele2.no", "chello.no", "bluezone.no",
})



def tag_units(subject: str, dispatch: DispatchResult) -> set[str]:
    """Dispatched units tagged in a subject, tolerating the usual mangling."""
    found: set[str] = set()
    for m in list(_TAG_BRACKET.finditer(subject)) + list(_TAG_BARE.finditer(subject)):
        letter, digits = m.group(1).upper(), m.group(2)
        if letter == "K" and len(digits) <= 4:
            enhet = f"K{digits.zfill(4)}"
        elif letter == "B" and len(digits) == 6:
            enhet = f"B{digits}"
        else:
            continue
        if enhet in dispatch.units:
            found.add(enhet)
    return found



_AFTER_KOMMUNE = re.compile(r"\bkommune\b")



def _units_named(text: str, classification: Classification, dispatch: DispatchResult) -> str | None:
    """The one dispatched unit a text names; Oslo named with one bydel means the bydel.

    A line break is put after every ``kommune``, because ``find_in_text`` lets a
    name run over up to four words and would otherwise read ``Bodø kommune og
    Saltdal kommune`` as one name ending in Saltdal and miss Bodø.
    """
    found = classification.find_in_text(_AFTER_KOMMUNE.sub("\\g<0>\n", text))
    if len(found) > 1 and f"K{OSLO}" in found:
        bydeler = {u for u in found if u.startswith("B")}
        if len(bydeler) == 1 and len(found) == 2:
            found = bydeler
    if len(found) == 1:
        unit = next(iter(found))
        return unit if unit in dispatch.units else None
    return None



def _message_ids(value: str) -> list[str]:
    """Normalised ids of an In-Reply-To/References value; bare ids are accepted when brackets were lost."""
    ids = _MSGID.findall(value)
    if not ids and value.strip():
        ids = value.split()
    return [normalise_message_id(i) for i in ids]



def identify_unit(row: ReplyRow, items: list[tuple[str, str]], dispatch: DispatchResult,
              classification: Classification, body: list[str], sig: list[str],
              segments: list[list[str]], passes_on: bool, tail: list[str] | None = None) -> None:
    """Run the identification cascade (see the module docstring) and record the step.

    ``tail``: the sender's own lines below the round's letter, when the letter was recognised in the
    reply (:mod:`kartlegging.ingest.email.letter_quote`); otherwise the end of the quoted questionnaire
    is found by its last question and sign-off (:func:`sender_tail`)."""
    tagged = tag_units(row.subject, dispatch)
    if len(tagged) == 1:
        row.enhet_id, row.ident_method = next(iter(tagged)), "tag"
        return
    if len(tagged) > 1:
        row.ident_note = f"several tags in the subject ({', '.join(sorted(tagged))}); "
    for name in ("in-reply-to", "references"):
        units = {dispatch.by_message_id[i] for i in _message_ids(decode_header_text(header_value(items, name)))
                 if i in dispatch.by_message_id}
        if len(units) == 1:
            row.enhet_id, row.ident_method = next(iter(units)), "in_reply_to"
            return
    if row.sender:
        units = dispatch.by_address.get(row.sender, set())
        if len(units) == 1:
            row.enhet_id, row.ident_method = next(iter(units)), "sender_address"
            return
        domain = row.sender.rsplit("@", 1)[1]
        units = dispatch.by_domain.get(domain, set())
        if len(units) == 1 and domain not in PUBLIC_DOMAINS:
            row.enhet_id, row.ident_method = next(iter(units)), "sender_domain"
            return
        if len(units) > 1:
            row.ident_note += f"sender domain shared by {len(units)} dispatched units; "
    own_sig = "\n".join(ln for ln in sig if not is_quoted(ln))
    own_all = "\n".join(ln for ln in body + sig if not is_quoted(ln))
    # below the quoted questionnaire: a sign-off or a transport-rule disclaimer is the sender's own
    own_tail = "\n".join(tail if tail is not None else sender_tail(segments))
    candidates = [own_sig, own_all, own_tail]
    if passes_on:
        candidates.append("\n".join(ln for ln in segments[1] if not is_quoted(ln)))
    for text in candidates:
        if text.strip():
            unit = _units_named(text, classification, dispatch)
            if unit:
                row.enhet_id, row.ident_method = unit, "named_in_text"
                return
