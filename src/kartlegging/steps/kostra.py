"""The ``kostra`` rule: the KOSTRA extracts into one tidy table and its review items."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from kartlegging.core import classification as klass
from kartlegging.core import store
from kartlegging.core.issues import issues_frame
from kartlegging.core.tables import KOSTRA
from kartlegging.ingest.kostra.parse import ISSUES_ROUND, KostraConfig
from kartlegging.ingest.kostra.reader import read_kostra

log = logging.getLogger("kartlegging")


def step_kostra(files: Iterable[str], reference: Iterable[str] | str, kostra_config: Mapping | None,
                out_table: str, out_issues: str) -> None:
    """The ``kostra`` rule: no files gives an empty table, so the rest of the pipeline runs unchanged.
    ``reference``: the reference files the rule declares (or a reference folder: every file in it)."""
    files = list(files)
    cfg = KostraConfig.from_config(kostra_config)
    frame, issues = read_kostra(files, klass.reference_of(reference), cfg)
    store.write_table(frame if not frame.empty else store.empty_frame(KOSTRA), KOSTRA, out_table)
    store.write_table(issues_frame(ISSUES_ROUND, issues), "issues", out_issues)
    for issue in issues:
        log.info(issue.message())
    log.info("kostra: %d files, %d rows, %d review items, %d quarantined", len(files), len(frame),
             sum(i.action == "review" for i in issues), sum(i.action == "quarantine" for i in issues))

