"""Consolidation: one status per kommune of the round, from the three survey sources.

The unit of analysis is the kommune. A kommune has a service when it hosts or
takes part in an included service (T18 = ja); every other kommune that appears
in a source has none; a kommune that appears in no source is ``ukjent``. The
e-mail and phone answers are kept beside the status so that a reader can see
where the rådmann's "ja" was not borne out by the interview.
"""

from __future__ import annotations

import pandas as pd

from kartlegging.core.classification import Classification
from kartlegging.core.tables import included  # noqa: F401 (re-exported: the one inclusion rule)

#: Precedence when several units of one kommune (Oslo's bydeler) answered.
_ANSWER_ORDER = ("ja", "nei", "vet_ikke", "uklart", "ikke_nådd")


def combine_answers(values: list[str | None]) -> str | None:
    """Kommune-level answer from its units' answers: ``ja`` if any said ja, else ``nei``, ...

    The same rule the notat uses for Oslo's bydeler: one ja is enough.
    """
    present = {v for v in values if isinstance(v, str)}
    for code in _ANSWER_ORDER:
        if code in present:
            return code
    return None


def final_email_answers(email_replies: pd.DataFrame) -> pd.DataFrame:
    """The deciding reply of each unit: identified, not auto, not superseded."""
    if email_replies.empty:
        return email_replies
    mask = (email_replies["status"] == "svar") & email_replies["enhet_id"].notna()
    return email_replies.loc[mask]


#: The reply rule, written once: a unit replied when it sent a reply that is not an auto-reply. A reply
#: later superseded by the same unit's newer one still counts (the unit did answer).
REPLY_STATUSES = ("svar", "erstattet")


def is_reply(email_replies: pd.DataFrame) -> pd.Series:
    """Mask of the e-mails that count as a reply under :data:`REPLY_STATUSES`."""
    return email_replies["status"].isin(REPLY_STATUSES)


def replied(email_replies: pd.DataFrame) -> pd.DataFrame:
    """The replies whose sender unit was identified (``enhet_id`` set)."""
    return email_replies.loc[is_reply(email_replies) & email_replies["enhet_id"].notna()]


def kommuner_with_reply(email_replies: pd.DataFrame) -> set[str]:
    """Kommuner with at least one identified non-auto reply (superseded ones count: they replied)."""
    if email_replies.empty:
        return set()
    mask = is_reply(email_replies) & email_replies["kommunenummer"].notna()
    return set(email_replies.loc[mask, "kommunenummer"])


def kommune_status(
    round_name: str,
    cls: Classification,
    email_replies: pd.DataFrame,
    phone_attempts: pd.DataFrame,
    phone_units: pd.DataFrame,
    services: pd.DataFrame,
    service_kommuner: pd.DataFrame,
) -> pd.DataFrame:
    """One row per kommune of the classification, no more and no fewer."""
    inc = included(services)
    bridge = service_kommuner.merge(inc[["service_id", "type"]], on="service_id", how="inner")
    services_of: dict[str, list[str]] = {}
    type_of: dict[str, str] = {}
    for row in bridge.sort_values(["kommunenummer", "service_id"]).itertuples():
        services_of.setdefault(row.kommunenummer, []).append(row.service_id)
        type_of.setdefault(row.kommunenummer, row.type)

    email_final = final_email_answers(email_replies)
    email_by_k = email_final.groupby("kommunenummer")["q1"].apply(list).to_dict() if not email_final.empty else {}
    email_any = set(email_replies.loc[
        email_replies["kommunenummer"].notna() & ~email_replies["auto_reply"].astype(bool), "kommunenummer"
    ]) if not email_replies.empty else set()
    phone_by_k = phone_units.groupby("kommunenummer")["svar"].apply(list).to_dict() if not phone_units.empty else {}
    phone_any = set(phone_attempts["kommunenummer"].dropna()) if not phone_attempts.empty else set()
    interview_any = set(service_kommuner["kommunenummer"])

    rows = []
    for code in sorted(cls.kommuner):
        k = cls.kommuner[code]
        sources = [name for name, present in (
            ("epost", code in email_any), ("telefon", code in phone_any), ("intervju", code in interview_any),
        ) if present]
        if code in services_of:
            status = "ja"
        elif sources:
            status = "nei"
        else:
            status = "ukjent"
        rows.append({
            "round": round_name,
            "kommunenummer": code,
            "kommunenavn": k.name,
            "fylkesnummer": k.fylkesnummer,
            "fylkesnavn": k.fylkesnavn,
            "har_tjeneste": status,
            "kilder": ",".join(sources),
            "epost_svar": combine_answers(email_by_k.get(code, [])),
            "telefon_svar": combine_answers(phone_by_k.get(code, [])),
            "service_ids": services_of.get(code, []),
            "tjenestetype": type_of.get(code),
        })
    return pd.DataFrame(rows)
