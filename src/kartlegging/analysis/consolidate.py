"""Consolidation: one status per kommune of the round, from the three survey sources.

The unit of analysis is the kommune. A kommune has a service when it hosts or
takes part in an included service (T18 = ja); every other kommune that appears
in a source has none; a kommune that appears in no source is ``ukjent``. The
e-mail and phone answers are kept beside the status so that a reader can see
where the rådmann's "ja" was not borne out by the interview.

Where the sources contradict one another for a unit or kommune (two e-mail replies,
e-mail against phone, a "ja" against an interview that found no service),
:func:`contradictions` makes review items; the rules of which source counts are
written out in docs/SOURCES.md and are the rules of this module.
"""

from __future__ import annotations

import pandas as pd

from kartlegging.core.classification import Classification
from kartlegging.core.issues import Issue
from kartlegging.core.overrides import Override
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


# ---------------------------------------------------------------------------------------------
# Contradictions across sources (the rules of which source counts: docs/SOURCES.md)
# ---------------------------------------------------------------------------------------------

#: Answers that can contradict one another; vet_ikke, uklart and ikke_nådd contradict nothing.
DECIDED = ("ja", "nei")
#: A phone attempt that gives an answer (the unit's phone answer is its last such attempt).
CONCLUSIVE = ("ja", "nei", "vet_ikke")

#: A record an item concerns: (source, file, record); record "" means the whole file.
Record = tuple[str, str, str]


def _deciding_phone_rows(phone_attempts: pd.DataFrame) -> dict[str, tuple[str, int]]:
    """Per unit, the file and Excel row of its deciding attempt: the last conclusive one by date, then row
    (the order :func:`kartlegging.ingest.phone.decide_units` uses)."""
    if phone_attempts.empty:
        return {}
    rows = phone_attempts.loc[phone_attempts["svar"].isin(CONCLUSIVE) & phone_attempts["enhet_id"].notna()]
    rows = rows.assign(_dato=pd.to_datetime(rows["dato"]))  # an attempt without a date sorts first
    rows = rows.sort_values(["enhet_id", "_dato", "row"], kind="stable", na_position="first")
    return {str(e): (str(g["file"].iloc[-1]), int(g["row"].iloc[-1])) for e, g in rows.groupby("enhet_id")}


def _settled_by(records: list[Record], overrides: list[Override]) -> str | None:
    """The first override (by id) that targets one of ``records``: the analyst's decision on the item.
    An interview override of any item of the workbook counts for the workbook."""
    for o in sorted(overrides, key=lambda o: o.id):
        for source, file, record in records:
            if o.source == source and o.file == file and (not record or o.record == record or source == "intervju"):
                return o.id
    return None


def contradictions(email_replies: pd.DataFrame, phone_attempts: pd.DataFrame, phone_units: pd.DataFrame,
                   services: pd.DataFrame, service_kommuner: pd.DataFrame, interviews: pd.DataFrame,
                   overrides: list[Override] | None = None) -> list[Issue]:
    """Answers for one unit or kommune that contradict across sources, as review items.

    - two e-mail replies of one unit, one ``ja`` and one ``nei`` (the latest counts, :func:`final_email_answers`):
      an item on the latest reply;
    - the e-mail answer and the phone answer of one unit, one ``ja`` and one ``nei``: an item on the e-mail reply;
    - a kommune that answered ``ja`` by e-mail or phone, interviewed about a candidate service that does not meet
      the definition (T18 = nei), and covered by no included service: an item on the interview's T18 (the
      interview counts, so the kommune has no service).

    The item's locator names the other record (``also telefon: telefonrunde.xlsx row 40``); an override of
    either record settles it (``resolved_by``). None of these changes ``kommune_status``: the rules of
    which source counts are those of :func:`kommune_status` (docs/SOURCES.md).
    """
    overrides = overrides or []
    items: list[Issue] = []

    def add(source: str, file: str, record: str, field: str, code: str, detail: str, other: Record) -> None:
        mine: Record = (source, file, record)
        where = f"{other[1]}" + (f" row {other[2]}" if other[0] == "telefon" else "")
        items.append(Issue(source, file, record, field, code, detail, "review",
                           _settled_by([mine, other], overrides), f"also {other[0]}: {where}"))

    replies = email_replies.loc[is_reply(email_replies) & email_replies["enhet_id"].notna()] \
        if not email_replies.empty else email_replies
    deciding = final_email_answers(email_replies)
    deciding = deciding.drop_duplicates("enhet_id").set_index("enhet_id") if not deciding.empty else deciding
    for enhet, group in (replies.groupby("enhet_id") if not replies.empty else ()):
        if enhet not in deciding.index or deciding.loc[enhet, "q1"] not in DECIDED:
            continue
        win = deciding.loc[enhet]
        other = group.loc[group["q1"].isin(DECIDED) & (group["q1"] != win["q1"])].sort_values("file")
        if not other.empty:
            o = other.iloc[0]
            add("epost", str(win["file"]), "", "q1", "epost.motstrid_epostsvar",
                f"replies from {enhet} answer question 1 differently: {win['file']} (the latest, which counts) "
                f"says {win['q1']}, {o['file']} says {o['q1']}", ("epost", str(o["file"]), ""))

    phone_rows = _deciding_phone_rows(phone_attempts)
    phone = phone_units.set_index("enhet_id")["svar"].to_dict() if not phone_units.empty else {}
    for enhet, win in (deciding.iterrows() if not deciding.empty else ()):
        said = phone.get(enhet)
        if win["q1"] in DECIDED and said in DECIDED and said != win["q1"] and enhet in phone_rows:
            file, row = phone_rows[enhet]
            add("epost", str(win["file"]), "", "q1", "epost.motstrid_telefon",
                f"{enhet} answered question 1 {win['q1']} by e-mail and {said} on the phone ({file} row {row}); "
                "both are kept, and the kommune's status follows the interviews", ("telefon", file, str(row)))

    inc = included(services)
    covered = set(service_kommuner.loc[service_kommuner["service_id"].isin(inc["service_id"]), "kommunenummer"])
    excluded = services.loc[services["inkludert"] == "nei", "service_id"]
    candidates = service_kommuner.loc[service_kommuner["service_id"].isin(excluded)]
    workbook_of = (interviews.dropna(subset=["service_id"]).sort_values("file").drop_duplicates("service_id")
                   .set_index("service_id")["file"].to_dict()) if not interviews.empty else {}
    said_ja: list[tuple[str, str, Record]] = []
    for _, win in (deciding.iterrows() if not deciding.empty else ()):
        if win["q1"] == "ja" and isinstance(win["kommunenummer"], str):
            said_ja.append((win["kommunenummer"], "epost", ("epost", str(win["file"]), "")))
    for enhet, svar in sorted(phone.items()):
        if svar == "ja" and enhet in phone_rows:
            file, row = phone_rows[enhet]
            said_ja.append((_kommune_code(enhet), "telefon", ("telefon", file, str(row))))
    for kommune, source, record in said_ja:
        if kommune in covered:
            continue
        for sid in sorted(candidates.loc[candidates["kommunenummer"] == kommune, "service_id"]):
            if sid in workbook_of:
                how = "by e-mail" if source == "epost" else "on the phone"
                add("intervju", workbook_of[sid], "T18", "inkludert", f"intervju.motstrid_{source}",
                    f"kommune {kommune} answered ja {how}, but the interview of candidate service {sid} found no "
                    "service that meets the definition (T18 = nei); the interview counts", record)
                break
    return items


def _kommune_code(enhet: str) -> str:
    """The kommune of a unit id: K1804 is 1804, an Oslo bydel (B030101) is 0301."""
    return enhet[1:5] if enhet.startswith("K") else "0301"


def settled_overrides(items: list[Issue]) -> set[str]:
    """The overrides that settle one of ``items``."""
    return {i.resolved_by for i in items if i.resolved_by}
