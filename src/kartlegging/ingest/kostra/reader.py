"""SSB statbank extracts on frisklivssentraler (KOSTRA): every file into one tidy table.

Parsing lives in :mod:`.parse`, region levels in :mod:`.regions`; the kommune-level values the
figures read are :mod:`kartlegging.analysis.kostra_values`, the cross-check with a round
:mod:`kartlegging.analysis.crosscheck` (its own rule, so a parser fix does not rerun it).

KOSTRA is the only national register of frisklivssentraler, so it is the
yardstick the kartlegging is held against. Analysts download its tables from
SSB's statbank as they come: CSV (title line, ``;`` or tab, quoted or bare
numbers, decimal comma or point, ``"0301 Oslo"`` regions, UTF-8 or
windows-1252, wide or long layout) or JSON-stat 2.0. Both formats are reduced
here to one tidy frame with a row per region, year and variable, so that the
figures never depend on how a table was downloaded.

Decisions, each documented where it is implemented:

- Region levels: ``kommune`` (a kommune of the structure valid on 1 January of
  the data year), ``bydel`` (one of Oslo's 15 administrative bydeler),
  ``aggregat`` (a code matching a configured aggregate pattern: ``EAK``,
  ``EKA03``, ``EKG13``, ``Rest`` ...) and ``ukjent`` (anything else, including
  Oslo's non-administrative codes such as 030116 Sentrum or 030117 Marka:
  configure a pattern for them if a table carries them). An ``ukjent`` code is kept, so
  the table stays a faithful copy of the extract, and raises one review item,
  because a misread or renumbered region would otherwise vanish from every
  count without anyone noticing.
- KOSTRA keeps old and new kommune codes side by side. A cell without a number
  for a code that is a kommune in another Klass version (1601 Trondheim in 2019)
  is how the statbank says "outside its years": it is skipped and counted in
  the log. The same code *with* a number is an anomaly: kept as ``ukjent``
  with a review item.
- Symbols: ``.``, ``..``, ``...`` and ``:`` give a null value with the symbol
  as status; ``-`` is a true zero (value 0, status ``-``, so the source's
  spelling stays visible). Text that is neither a number nor a symbol is kept
  as status ``ugyldig`` with a review item. Empty cells carry no information
  and are not kept as rows; for a kommune or bydel of the year they are
  counted in one review item per file.
- A file that cannot be read at all becomes one quarantine item naming it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from kartlegging.core.issues import Issue
from kartlegging.core.reasons import LAST_RESORT
from kartlegging.core.tables import KOSTRA
from kartlegging.ingest.filetype import sniff
from kartlegging.ingest.kostra.jsonstat import parse_jsonstat
from kartlegging.ingest.kostra.parse import SOURCE, FileResult, KostraConfig, KostraFormatError, parse_csv
from kartlegging.ingest.kostra.regions import RegionContext, classify_regions, value_conflicts

log = logging.getLogger("kartlegging")


def _sniff_json(raw: bytes) -> bool:
    """JSON-stat by content, since downloads get renamed (``.txt``, no extension)."""
    head = raw.lstrip(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"{")


def read_file(path: Path, cfg: KostraConfig) -> FileResult:
    """Parse one file by its content (``{`` starts JSON-stat), not its extension; a file that cannot
    be used raises :class:`KostraFormatError` saying why."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise KostraFormatError(f"the file cannot be read ({exc.strerror or exc})") from None
    if not raw.strip():
        raise KostraFormatError("the file is empty")
    kind, description = sniff(raw, path.name)
    if kind not in ("text", "utf-16", "binary"):
        # a workbook or archive (an .xlsx download, an .xls renamed .csv): say what it is, not "UTF-16 text"
        raise KostraFormatError(f"{description.replace(', not an xlsx workbook', '').split(': save')[0]}, "
                                "not a statbank CSV or JSON-stat file: download the table as CSV or JSON-stat 2.0")
    return parse_jsonstat(raw, path.name, cfg) if _sniff_json(raw) else parse_csv(raw, path.name, cfg)


def _read_one(path: Path, cfg: KostraConfig, ctx: RegionContext) -> tuple[list[dict], list[Issue], str]:
    """One file's rows, issues and log line; a file that cannot be read is one quarantine item.

    A :class:`KostraFormatError` names what is wrong with the file (its ``code`` is the item's).
    Anything else is a fault of the reader: the file is set aside under ``kostra.lesefeil``, the
    traceback goes to the log, and the other files are read, so one file never stops the rule.
    """
    rows: list[dict] = []
    issues: list[Issue] = []
    try:
        result = read_file(path, cfg)
        counts = classify_regions(result, path.name, ctx, rows, issues)
    except KostraFormatError as exc:
        code, reason = exc.code, f"cannot be read as statbank CSV or JSON-stat 2.0: {exc}"
    except Exception as exc:  # one file must not stop the rule: set aside, named, the fault logged
        log.info("kostra: %s: the reader failed (%s; for the developer)", path.name, type(exc).__name__,
                 exc_info=True)
        code, reason = "kostra.lesefeil", LAST_RESORT
    else:
        detail = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "no values"
        return rows, [*result.issues, *issues], f"kostra: {path.name} ({result.detail}): {detail}"
    log.warning("kostra: %s quarantined: %s", path.name, reason)
    return [], [Issue(SOURCE, path.name, "", "file", code, reason, "quarantine", locator="file")], ""


def read_kostra(paths: Iterable[str | Path], reference_dir: str | Path,
                cfg: KostraConfig | None = None, ctx: RegionContext | None = None) -> tuple[pd.DataFrame, list[Issue]]:
    """Every KOSTRA file into one tidy frame (the ``kostra`` table) and its review/quarantine items.

    ``ctx`` (the region levels of ``reference_dir``) is loaded when not given; a caller reading
    many sets of files against one reference passes it once.
    """
    cfg = cfg or KostraConfig.from_config(None)
    ctx = ctx or RegionContext.load(reference_dir, cfg)
    rows: list[dict] = []
    issues: list[Issue] = []
    for path in sorted((Path(p) for p in paths), key=lambda p: p.name):
        file_rows, file_issues, line = _read_one(path, cfg, ctx)
        rows += file_rows
        issues += file_issues
        if line:
            log.info(line)
    frame = pd.DataFrame(rows, columns=KOSTRA.column_names)
    if not frame.empty:
        frame["year"] = frame["year"].astype("int64")
        frame["value"] = frame["value"].astype("float64")
        frame = frame.sort_values(list(KOSTRA.sort_by), kind="stable").reset_index(drop=True)
    issues += value_conflicts(frame)
    return frame, issues
