"""The ``dispatch`` rule: the dispatch list (who was asked) as a table."""

from __future__ import annotations

import logging

from kartlegging.core import classification as klass
from kartlegging.core import store

log = logging.getLogger("kartlegging")


def step_dispatch(round_name: str, klass_file: str, bydeler_file: str, dispatch_csv: str,
                  out_dispatch: str) -> None:
    """The dispatch list as a table. Its own step, so that the phone ingest (which needs the list of
    units) does not depend on the e-mail ingest and an edited e-mail override does not rerun it."""
    from kartlegging.ingest.dispatch import read_dispatch

    dispatch = read_dispatch(dispatch_csv, klass.load_files(klass_file, bydeler_file), round_name)
    store.write_table(dispatch.table, "dispatch", out_dispatch)
    log.info("dispatch: %d recipients", len(dispatch.table))

