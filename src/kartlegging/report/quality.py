"""Appendix B of the report: what came in from each source, what became of it, what is still open.

Only counts, codes, file names and reasons reach it, each reason as the bokmål
message of its code (:mod:`kartlegging.core.reasons`): the English detail of the
issues table stays out, since the report is meant to be shared and is in bokmål.
Every count is a row of figure_series, counted by the figures step
(:mod:`kartlegging.analysis.quality_series`); this module lays them out and lists
the unreadable files and the overrides as the tables have them.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from kartlegging.analysis.quality_series import SEP, reason_nb
from kartlegging.report.inputs import ReportInputs
from kartlegging.report.labels import SOURCE_LABELS, label
from kartlegging.report.numbers import is_missing
from kartlegging.report.series import SeriesBook
from kartlegging.report.skjema import field_label


def _sources(book: SeriesBook) -> list[dict[str, Any]]:
    """Per source: records in (with their unit) and what became of them, as the figures step counted."""
    out: list[dict[str, Any]] = []
    for c in book.categories("kilder"):
        if SEP not in c.code:
            out.append({"source": c.label, "in": c.get("inn"), "in_label": c.texts.get("inn") or "", "out": []})
        elif out:
            out[-1]["out"].append((c.label, c.get("antall")))
    return out


def _split(code: str, parts: int) -> list[str]:
    codes = code.split(SEP)
    return codes + [""] * (parts - len(codes))


def quality_appendix(inputs: ReportInputs, book: SeriesBook) -> dict[str, Any]:
    """Appendix B: counts in and out per source, open items, overrides and unreadable files.

    Only counts, codes, file names and the bokmål message of each reason code: the
    English detail stays out, since the report is meant to be shared.
    """
    summary = [{"source": c.label, "review": c.get("til_vurdering"), "review_open": c.get("apne"),
                "quarantine": c.get("karantene"), "resolved": c.get("avgjort")} for c in book.categories("saker")]
    open_rows = []
    for c in book.categories("apne_saker"):
        source, field, _reason = _split(c.code, 3)
        open_rows.append({"source": label(source, SOURCE_LABELS), "field": field, "field_label": field_label(field),
                          "reason": c.label, "n": c.get("antall")})
    record_rows = []
    for c in book.categories("karantene_poster"):
        source, _reason = _split(c.code, 2)
        record_rows.append({"source": label(source, SOURCE_LABELS), "reason": c.label, "n": c.get("antall")})

    issues = inputs.issues
    files_q = issues[(issues["action"].astype("object") == "quarantine")
                     & (issues["record"].fillna("").astype(str) == "")]
    unreadable = [
        {"source": label(r.source, SOURCE_LABELS), "file": str(r.file), "reason": reason_nb(r.reason_code),
         "resolved": not is_missing(r.resolved_by)}
        for r in files_q.sort_values(["source", "file", "field"]).itertuples(index=False)
    ]
    override_rows = _override_rows(inputs)
    return {
        "sources": _sources(book),
        "issue_summary": summary,
        "open_rows": open_rows,
        "unreadable": unreadable,
        "record_quarantine": record_rows,
        "overrides": override_rows,
        "overrides_count": book.value("overstyringer", "i_alt"),
        "overrides_not_under_review": book.value("overstyringer", "ikke_til_vurdering"),
        "conservation": _conservation_rows(inputs.conservation),
    }


def _record_text(source: object, record: object) -> str:
    """Where in a file an override applies, in words: the phone log's row, the interview's item (never its code)."""
    text = "" if is_missing(record) else str(record)
    if not text:
        return ""
    if str(source) == "telefon":
        return f"rad {text}"
    if str(source) == "intervju":
        return field_label(text)
    return text


#: Values of the answer vocabularies and flags as a reader reads them (``vet_ikke`` is "vet ikke").
VALUE_WORDS = {"True": "ja", "False": "nei", "true": "ja", "false": "nei"}
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
            return VALUE_WORDS.get(text, text.replace("_", " "))
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
            # where in the file, and which item or field, in words (an interview's item code is named as its field)
            "record": _record_text(o.source, o.record), "field": field_label(field), "value": shown(field, o.value),
            "before": shown(field, o.value_before),
            "written": "" if is_missing(o.value_written) else str(o.value_written),
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
        # what the source's folder holds besides its records (hidden files, sub-folders): never read, named
        names = getattr(rec, "ignored_names", None)
        row["ignored_names"] = str(names).split("; ") if isinstance(names, str) and names else []
        rows.append(row)
    return rows
