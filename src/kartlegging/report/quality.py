"""Appendix B of the report: what came in from each source, what became of it, what is still open.

Only counts, codes, file names and reasons reach it, each reason as the bokmål
message of its code (:mod:`kartlegging.core.reasons`): the English detail of the
issues table stays out, since the report is meant to be shared and is in bokmål.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from kartlegging.core.reasons import CATALOGUE
from kartlegging.report.inputs import ReportInputs
from kartlegging.report.labels import EMAIL_STATUS_LABELS, PHONE_LABELS, SOURCE_LABELS, label
from kartlegging.report.numbers import is_missing


def reason_nb(code: object) -> str:
    """The bokmål message of a reason code. A code the catalogue does not know (a table written by
    another version of the pipeline) is shown as the code itself rather than failing the report."""
    entry = CATALOGUE.get(str(code))
    return entry.nb if entry is not None else str(code)


def quality_appendix(inputs: ReportInputs) -> dict[str, Any]:
    """Appendix B: counts in and out per source, open items, overrides and unreadable files.

    Only counts, codes, file names and the bokmål message of each reason code: the
    English detail stays out, since the report is meant to be shared.
    """
    email = inputs.email_replies
    status = email["status"].astype("object")
    interviews = inputs.interviews
    services = inputs.services
    issues = inputs.issues.copy()
    issues["open"] = issues["resolved_by"].isna()
    phone = inputs.phone_units["svar"].astype("object")

    sources = [
        {
            "source": SOURCE_LABELS["dispatch"], "in_label": "rader i utsendelseslisten",
            "in": len(inputs.dispatch),
            "out": [("Enheter som fikk spørreskjemaet", len(inputs.dispatch))],
        },
        {
            "source": SOURCE_LABELS["epost"], "in_label": "e-postfiler",
            "in": len(email),
            "out": [(EMAIL_STATUS_LABELS[c], int((status == c).sum())) for c in EMAIL_STATUS_LABELS],
        },
        {
            "source": SOURCE_LABELS["telefon"], "in_label": "enheter som ble ringt",
            "in": len(inputs.phone_units),
            "out": [(f"Endelig svar: {PHONE_LABELS[c].lower()}", int((phone == c).sum())) for c in PHONE_LABELS],
        },
        {
            "source": SOURCE_LABELS["intervju"], "in_label": "intervjuskjemaer",
            "in": len(interviews),
            "out": [
                ("Knyttet til en tjeneste", int(interviews["service_id"].notna().sum())),
                ("Mulige tjenester etter sammenslåing", len(services)),
                ("Tjenester inkludert", int((services["inkludert"].astype("object") == "ja").sum())),
            ],
        },
    ]

    def grouped(frame: pd.DataFrame, keys: list[str]) -> list[dict[str, Any]]:
        if frame.empty:
            return []
        g = frame.groupby(keys, sort=True, dropna=False).size().reset_index(name="n")
        return [
            {**{k: ("" if is_missing(row[k]) else str(row[k])) for k in keys}, "n": int(row["n"])}
            for _, row in g.iterrows()
        ]

    summary = []
    for src, grp in issues.groupby("source", sort=True):
        action = grp["action"].astype("object")
        summary.append({
            "source": label(src, SOURCE_LABELS),
            "review": int((action == "review").sum()),
            "review_open": int(((action == "review") & grp["open"]).sum()),
            "quarantine": int((action == "quarantine").sum()),
            "resolved": int((~grp["open"]).sum()),
        })

    open_review = issues[(issues["action"].astype("object") == "review") & issues["open"]]
    open_rows = grouped(open_review, ["source", "field", "reason_code"])
    for row in open_rows:
        row["source"] = label(row["source"], SOURCE_LABELS)
        row["reason"] = reason_nb(row["reason_code"])

    quarantine = issues[issues["action"].astype("object") == "quarantine"]
    files_q = quarantine[quarantine["record"].fillna("").astype(str) == ""]
    unreadable = [
        {"source": label(r.source, SOURCE_LABELS), "file": str(r.file), "reason": reason_nb(r.reason_code),
         "resolved": not is_missing(r.resolved_by)}
        for r in files_q.sort_values(["source", "file", "field"]).itertuples(index=False)
    ]
    records_q = quarantine[quarantine["record"].fillna("").astype(str) != ""]
    record_rows = grouped(records_q, ["source", "reason_code"])
    for row in record_rows:
        row["source"] = label(row["source"], SOURCE_LABELS)
        row["reason"] = reason_nb(row["reason_code"])

    override_rows = _override_rows(inputs)
    return {
        "sources": sources,
        "issue_summary": summary,
        "issues_total": len(issues),
        "open_total": int(len(open_review)),
        "open_rows": open_rows,
        "unreadable": unreadable,
        "record_quarantine": record_rows,
        "overrides": override_rows,
        "overrides_count": len({r["id"] for r in override_rows}),
        "overrides_not_under_review": len({r["id"] for r in override_rows if not r["under_review"]}),
        "conservation": _conservation_rows(inputs.conservation),
    }


#: Fields whose values are kommuner or units: shown with their names (``0441 Os (Hedmark)``).
UNIT_FIELDS = ("enhet_id", "kommunenummer", "kommuner")


def _override_rows(inputs: ReportInputs) -> list[dict[str, Any]]:
    """One row per field an override set: the value set and the value before (kommuner and units with their
    names, so that a move from Os (Hordaland) to Os (Hedmark) reads as one), the value as the analyst wrote
    it where it was normalised, and whether the record was under review."""
    names = {str(e): str(n) for e, n in zip(inputs.dispatch["enhet_id"], inputs.dispatch["enhet_navn"])}
    for code, navn in zip(inputs.kommune_status["kommunenummer"], inputs.kommune_status["kommunenavn"]):
        names.setdefault(f"K{code}", str(navn))

    def shown(field: str, value: object) -> str:
        if is_missing(value):
            return ""
        text = str(value)
        if field not in UNIT_FIELDS:
            return text
        parts = []
        for code in (c.strip() for c in text.split(",")):
            unit = code if field == "enhet_id" else f"K{code}"
            parts.append(f"{code} {names[unit]}" if unit in names else code)
        return ", ".join(parts)

    rows = []
    for o in inputs.overrides_applied.sort_values(["override_id", "field"]).itertuples(index=False):
        field = str(o.field)
        rows.append({
            "id": str(o.override_id), "source": label(o.source, SOURCE_LABELS), "file": str(o.file),
            "record": str(o.record), "field": field, "value": shown(field, o.value),
            "before": shown(field, o.value_before), "written": "" if is_missing(o.value_written) else str(o.value_written),
            "under_review": bool(o.under_review), "reason": "" if is_missing(o.reason) else str(o.reason),
        })
    return rows


CONSERVATION_SOURCES = {"utsendelse": "dispatch", "epost": "epost", "telefon": "telefon", "intervju": "intervju",
                        "kostra": "kostra"}
CONSERVATION_UNITS = {"rad": "rader", "fil": "filer", "arbeidsbok": "arbeidsbøker"}
CONSERVATION_COLUMNS = ("records_in", "ingested", "superseded", "autosvar", "review", "quarantined", "unaccounted")


def _conservation_rows(conservation: pd.DataFrame | None) -> list[dict[str, Any]]:
    """The conservation table as report rows: every raw record of a source and what became of it.

    Shown as the pipeline computed it, so a reader can see that nothing was
    lost (the run fails before reaching the report when ``unaccounted`` is not 0).
    """
    if conservation is None or conservation.empty:
        return []
    rows = []
    for rec in conservation.sort_values("source").itertuples(index=False):
        source = str(rec.source)
        row: dict[str, Any] = {
            "source": label(CONSERVATION_SOURCES.get(source, source), SOURCE_LABELS),
            "unit": CONSERVATION_UNITS.get(str(rec.unit), str(rec.unit)),
        }
        row.update({c: int(getattr(rec, c)) for c in CONSERVATION_COLUMNS})
        rows.append(row)
    return rows
