"""Overrides applied to the rows of the e-mails, and supersession: a later reply from the same unit
replaces an earlier one."""

from __future__ import annotations

from datetime import UTC, datetime

from kartlegging.core.issues import Issue
from kartlegging.core.overrides import Override, OverrideError
from kartlegging.core.tables import ANSWER
from kartlegging.ingest.dispatch import DispatchResult
from kartlegging.ingest.email.row import OVERRIDE_FIELDS, SOURCE, ReplyRow


def _override_value(ov: Override, key: str, value: object, dispatch: DispatchResult) -> object:
    """Validate one override value; a wrong one names the override, because a typo
    would otherwise change the coding silently."""
    if key == "enhet_id":
        unit = str(value).strip().upper()
        if unit not in dispatch.units:
            raise OverrideError(f"override {ov.id}: enhet_id '{value}' is not in the dispatch list")
        return unit
    if key in ("q1", "q5"):
        if isinstance(value, bool):  # YAML reads a bare yes/no as a boolean
            return "ja" if value else "nei"
        code = str(value).strip().lower().replace(" ", "_")
        if code not in ANSWER:
            raise OverrideError(f"override {ov.id}: {key} '{value}' is not one of {', '.join(ANSWER)}")
        return code
    if key == "auto_reply":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "ja", "yes", "1"):
            return True
        if text in ("false", "nei", "no", "0"):
            return False
        raise OverrideError(f"override {ov.id}: auto_reply '{value}' is not true or false")
    raise OverrideError(f"override {ov.id}: cannot set '{key}' on an e-mail reply "
                        f"(allowed: {', '.join(OVERRIDE_FIELDS)})")



def apply_overrides(rows: list[ReplyRow], overrides: list[Override], dispatch: DispatchResult,
                    before: dict[str, dict[str, object]] | None = None) -> set[str]:
    """Apply the analysts' decisions for this source; return the ids used so unmatched ones can be reported.
    ``before``, when given, receives per override the value each field it sets had from the rules."""
    applied: set[str] = set()
    by_file = {r.file: r for r in rows}
    for ov in overrides:
        if ov.source != SOURCE:
            continue
        row = by_file.get(ov.file)
        if row is None or not ov.matches(SOURCE, row.file, ""):
            continue
        if before is not None:
            q1, q5 = final_answers(row)
            had = {"enhet_id": row.enhet_id, "q1": q1, "q5": q5, "auto_reply": bool(row.auto_reply)}
            before[ov.id] = {key: had.get(key) for key in ov.set}
        for key, value in ov.set.items():
            row.override_values[key] = _override_value(ov, key, value, dispatch)
            row.overridden[key] = ov.id
        applied.add(ov.id)
    for row in rows:
        vals = row.override_values
        if "enhet_id" in vals:
            row.unidentified = row.enhet_id is None
            row.enhet_id, row.ident_method = str(vals["enhet_id"]), "override"
        if "auto_reply" in vals:
            row.auto_reply = bool(vals["auto_reply"])
    return applied



def final_answers(row: ReplyRow) -> tuple[str | None, str | None]:
    """Coded q1/q5 after overrides: null for auto-replies, ``uklart`` where the rules could not decide."""
    if row.auto_reply:
        return None, None
    q1 = row.coding.q1 if row.coding else None
    q5 = row.coding.q5 if row.coding else None
    q1 = str(row.override_values.get("q1", q1 or "uklart"))
    q5 = str(row.override_values.get("q5", q5 or "uklart"))
    return q1, q5



def supersede_replies(rows: list[ReplyRow], issues: list[Issue]) -> None:
    """Latest reply per unit by Date is the answer; earlier ones are ``erstattet``.

    A missing Date sorts first (the message cannot claim to be the latest); on a
    tie the later file name wins and the tie goes to review.
    """
    groups: dict[str, list[ReplyRow]] = {}
    for row in rows:
        if row.status == "svar" and row.enhet_id:
            groups.setdefault(row.enhet_id, []).append(row)
    floor = datetime.min.replace(tzinfo=UTC)
    for enhet, group in groups.items():
        if len(group) < 2:
            continue
        group.sort(key=lambda r: (r.date or floor, r.file))
        winner = group[-1]
        for row in group[:-1]:
            row.superseded, row.status = True, "erstattet"
        ties = [r.file for r in group[:-1] if r.date is not None and r.date == winner.date]
        if ties:
            issues.append(Issue(SOURCE, winner.file, "", "date", "epost.samme_dato",
                                f"two replies with the same Date from {enhet} ({', '.join(ties)}): "
                                "the later file name wins", locator="headers"))
        undated = [r.file for r in group if r.date is None]
        if undated:
            issues.append(Issue(SOURCE, winner.file, "", "date", "epost.mangler_dato",
                                f"several replies from {enhet}, some without a readable Date ({', '.join(undated)}): "
                                "ordered as earliest", locator="headers"))
