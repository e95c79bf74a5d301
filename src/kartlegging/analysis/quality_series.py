"""The counts of the report's appendices, as rows of ``figure_series``: the report formats them, it counts nothing.

Appendix A (the reconciliation) shows every figure of the register and every figure computed, each with
a status; :func:`reconciliation_series` decides each row's status and counts them (series ``avstemming``
and ``avstemming_status``). Appendix B (data quality) shows what came in from each source and what
became of it, the review and quarantine items by source and reason, and how many overrides were
applied; :func:`quality_series` counts them (series ``kilder``, ``saker``, ``apne_saker``,
``karantene_poster`` and ``overstyringer``). Category codes that join two codes use ``|``
(``epost|enhet_id|epost.uidentifisert``): source, field and reason code of a group of items.
"""

from __future__ import annotations

import pandas as pd

from kartlegging.analysis.figure_series import PHONE_LABELS
from kartlegging.analysis.figures import Tables
from kartlegging.analysis.series_rows import Row
from kartlegging.core.reasons import CATALOGUE
from kartlegging.core.register import Register
from kartlegging.core.tables import included

#: Sources of appendix B, in the order it lists them, with their bokmål names.
SOURCE_LABELS = {
    "dispatch": "Utsendelsesliste",
    "epost": "E-post",
    "telefon": "Telefonrunde",
    "intervju": "Intervjuer",
    "overrides": "Overstyringer",
    "kostra": "KOSTRA",
}
#: What became of an e-mail file (``email_replies.status``), in bokmål.
EMAIL_STATUS_LABELS = {
    "svar": "Svar brukt i analysen",
    "autosvar": "Autosvar",
    "erstattet": "Erstattet av et senere svar",
    "til_vurdering": "Til vurdering",
    "karantene": "Karantene (kunne ikke leses)",
}
#: Statuses of appendix A in the order it lists them: the reconciliation's, and the two a figure outside
#: the reconciliation gets (a register figure not computed; a computed figure the register lacks).
NOT_COMPUTED, NOT_IN_REGISTER = "ikke beregnet", "ikke i registeret"
APPENDIX_STATUSES = ("lik", "innenfor toleranse", "trykkfeil i kilden", "avviker", NOT_COMPUTED, NOT_IN_REGISTER)
#: Joins the codes of a category made of several codes.
SEP = "|"


def reason_nb(code: object) -> str:
    """The bokmål message of a reason code; a code the catalogue does not know shows as itself."""
    entry = CATALOGUE.get(str(code))
    return entry.nb if entry is not None else str(code)


def _computed(row: pd.Series) -> bool:
    """Whether a figure has a value the report can show (a number, or a text for unit ``tekst``)."""
    value = row["text"] if row["unit"] == "tekst" else row["value"]
    return value is not None and not pd.isna(value)


def reconciliation_series(register: Register | None, figures: pd.DataFrame,
                          reconciliation: pd.DataFrame) -> dict[str, list[Row]]:
    """Appendix A: the status of every row (register order, then figures outside the register) and the count
    of each status. A register figure the run did not compute is ``ikke beregnet`` whatever the
    reconciliation says; a computed figure the register lacks is ``ikke i registeret``."""
    register_ids = list(register.ids) if register else []
    recon = reconciliation.sort_values(["nr", "figure_id"], kind="stable")
    status_of = dict(zip(recon["figure_id"].astype(str), recon["status"].astype(str)))
    computed = {str(r["figure_id"]): _computed(r) for _, r in figures.iterrows()}
    order = list(dict.fromkeys([*register_ids, *status_of, *sorted(computed)]))
    rows, statuses = [], []
    for fid in order:
        if fid not in status_of:
            status = NOT_COMPUTED if fid in register_ids else NOT_IN_REGISTER
        else:
            status = status_of[fid] if computed.get(fid, False) else NOT_COMPUTED
        statuses.append(status)
        rows.append(Row(fid, fid, "status", None, unit="tekst", text=status))
    counts = [Row(s, s, "figurer", float(statuses.count(s))) for s in APPENDIX_STATUSES]
    return {"avstemming": rows, "avstemming_status": counts}


def _source_rows(t: Tables) -> list[Row]:
    """Per source: the records in (measure ``inn``, its unit as text) and what became of them."""
    email_status = t.email_replies["status"].astype("object")
    phone = t.phone_units["svar"].astype("object")
    interviews, services = t.interviews, t.services
    groups = [
        ("dispatch", "rader i utsendelseslisten", len(t.dispatch),
         [("mottakere", "Enheter som fikk spørreskjemaet", len(t.dispatch))]),
        ("epost", "e-postfiler", len(t.email_replies),
         [(c, label, int((email_status == c).sum())) for c, label in EMAIL_STATUS_LABELS.items()]),
        ("telefon", "enheter som ble ringt", len(t.phone_units),
         [(c, f"Endelig svar: {label.lower()}", int((phone == c).sum())) for c, label in PHONE_LABELS.items()]),
        ("intervju", "intervjuskjemaer", len(interviews),
         [("tjeneste", "Knyttet til en tjeneste", int(interviews["service_id"].notna().sum())),
          ("mulige", "Mulige tjenester etter sammenslåing", len(services)),
          ("inkludert", "Tjenester inkludert", len(included(services)))]),
    ]
    rows = []
    for source, unit, n_in, outcomes in groups:
        rows.append(Row(source, SOURCE_LABELS[source], "inn", float(n_in), text=unit))
        rows += [Row(f"{source}{SEP}{code}", label, "antall", float(n)) for code, label, n in outcomes]
    return rows


def quality_series(t: Tables, issues: pd.DataFrame, overrides_applied: pd.DataFrame) -> dict[str, list[Row]]:
    """Appendix B's counts: records per source, items by source (open, quarantined, settled), open review items
    and quarantined records by reason, overrides applied. ``issues`` are the round's and the shared KOSTRA
    extracts' items together, as the appendix lists them."""
    action = issues["action"].astype("object")
    open_ = issues["resolved_by"].isna()
    summary = []
    for source in sorted(set(issues["source"].astype(str))):
        mine = issues["source"].astype(str) == source
        label = SOURCE_LABELS.get(source, source.replace("_", " ").capitalize())
        summary += [Row(source, label, "til_vurdering", float((mine & (action == "review")).sum())),
                    Row(source, label, "apne", float((mine & (action == "review") & open_).sum())),
                    Row(source, label, "karantene", float((mine & (action == "quarantine")).sum())),
                    Row(source, label, "avgjort", float((mine & ~open_).sum()))]

    def grouped(frame: pd.DataFrame, keys: list[str]) -> list[Row]:
        if frame.empty:
            return []
        sizes = frame.fillna({k: "" for k in keys}).groupby(keys, sort=True).size()
        return [Row(SEP.join(str(k) for k in key), reason_nb(key[-1]), "antall", float(n))
                for key, n in sizes.items()]

    review_open = issues[(action == "review") & open_]
    quarantine = issues[action == "quarantine"]
    records_q = quarantine[quarantine["record"].fillna("").astype(str) != ""]
    n_overrides = overrides_applied["override_id"].nunique()
    # overrides of a record that was not under review (issue 20): listed apart in appendix B
    not_under_review = (overrides_applied.loc[~overrides_applied["under_review"].astype(bool), "override_id"].nunique()
                        if "under_review" in overrides_applied else 0)
    return {
        "kilder": _source_rows(t),
        "saker": summary,
        "apne_saker": grouped(review_open, ["source", "field", "reason_code"]),
        "karantene_poster": grouped(records_q, ["source", "reason_code"]),
        "overstyringer": [Row("i_alt", "Overstyringer brukt", "antall", float(n_overrides)),
                          Row("ikke_til_vurdering", "Overstyringer av poster som ikke var til vurdering", "antall",
                              float(not_under_review))],
    }


__all__ = ["APPENDIX_STATUSES", "EMAIL_STATUS_LABELS", "NOT_COMPUTED", "NOT_IN_REGISTER", "SEP", "SOURCE_LABELS",
           "quality_series", "reason_nb", "reconciliation_series"]
