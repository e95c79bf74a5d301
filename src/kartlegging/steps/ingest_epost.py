"""The ``ingest_epost`` rule: e-mail replies identified against the dispatch list, questions 1 and 5 coded."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from kartlegging.core import classification as klass
from kartlegging.core import store
from kartlegging.steps.common import overrides_from_params, write_issues_and_applied

log = logging.getLogger("kartlegging")


def step_ingest_email(round_name: str, klass_file: str, bydeler_file: str, dispatch_csv: str, epost_dir: str,
                      override_items: list[dict], out: Mapping[str, str], letter_file: str | None = None) -> None:
    """E-mail replies, identified against the dispatch list. An unusable dispatch list stops the run
    (DispatchError). The list is parsed again here rather than read from dispatch.parquet because
    identification needs its lookups (Message-IDs, addresses), which the table keeps only hashed.
    ``out["dispatch"]``, when given, receives the dispatch table too (see :func:`step_dispatch`).
    ``letter_file``: the round's letter template, when it has one (config/letters/<round>.yaml)."""
    from kartlegging.core.letter import load_letter
    from kartlegging.ingest.dispatch import read_dispatch
    from kartlegging.ingest.email.reader import ingest_email

    cls = klass.load_files(klass_file, bydeler_file)
    overrides = overrides_from_params(override_items)
    dispatch = read_dispatch(dispatch_csv, cls, round_name)
    if out.get("dispatch"):
        store.write_table(dispatch.table, "dispatch", out["dispatch"])
    letter = load_letter(letter_file) if letter_file else None
    if letter is not None:
        log.info("letter template %s: a quoted copy of the letter is recognised line by line", letter_file)
    result = ingest_email(epost_dir, dispatch, cls, round_name, overrides, letter)
    store.write_table(result.table, "email_replies", out["replies"])
    write_issues_and_applied(round_name, result.issues, overrides, result.applied, out["issues"], out["applied"],
                             result.before)
    counts = result.table["status"].value_counts().to_dict()
    log.info("e-mail: %d recipients; %d messages: %s", len(dispatch.table), len(result.table),
             ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))

