"""The ``comparison`` rule: a round set beside the rounds before it (the ``comparison`` table of its report)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from kartlegging.analysis.comparison import RoundTables, compare_rounds
from kartlegging.core import store
from kartlegging.core import tables as T

log = logging.getLogger("kartlegging")


def step_comparison(round_name: str, rounds: Sequence[str], classifications: Mapping[str, str],
                    status_paths: Sequence[str], services_paths: Sequence[str], map_status_paths: Sequence[str],
                    harmonised_path: str | None, out: str) -> None:
    """Read every round up to ``round_name`` (paths in the order of ``rounds``) and the harmonised status
    (``harmonised_path``; None for the first round, which is compared with nothing)."""
    if not len(rounds) == len(status_paths) == len(services_paths) == len(map_status_paths):
        raise ValueError("comparison: one kommune_status, services and map_status per round")
    tables = [
        RoundTables(r, str(classifications[r]), store.read_table(s, T.KOMMUNE_STATUS),
                    store.read_table(v, T.SERVICES), store.read_table(m, T.MAP_STATUS))
        for r, s, v, m in zip(rounds, status_paths, services_paths, map_status_paths)
    ]
    if len(tables) < 2:
        # the first round has nothing to be compared with: an empty table (the database has a view of every
        # round's file), and no read of the harmonised status, which a later round rewrites
        store.write_table(store.empty_frame(T.COMPARISON), T.COMPARISON, out)
        log.info("comparison: round %s is the first round; nothing to compare", round_name)
        return
    harmonised = store.read_table(harmonised_path, T.HARMONISED_STATUS)
    frame = compare_rounds(round_name, tables, harmonised)
    store.write_table(frame, T.COMPARISON, out)
    log.info("comparison: round %s against %s, %d rows", round_name, ", ".join(rounds[:-1]), len(frame))
