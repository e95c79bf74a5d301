"""The ``kostra_crosscheck`` rule: kommuner where the round and KOSTRA disagree about a frisklivssentral."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from kartlegging.analysis.crosscheck import cross_check, cross_check_counts
from kartlegging.core import classification as klass
from kartlegging.core import store
from kartlegging.core.tables import KOSTRA_CROSSCHECK

log = logging.getLogger("kartlegging")


def step_crosscheck(kostra_path: str, services_path: str, bridge_path: str, status_path: str,
                    round_version: str, reference: Iterable[str] | str, crosswalk_path: str, out_path: str) -> None:
    """The ``kostra_crosscheck`` rule: read, compare (KOSTRA years of another structure through the crosswalk
    table), write, and log the counts. ``reference``: the reference files the rule declares (or a reference
    folder: every file in it)."""
    read = store.read_table
    check = cross_check(read(kostra_path), read(services_path), read(bridge_path), read(status_path),
                        round_version, klass.reference_of(reference), crosswalk=read(crosswalk_path))
    store.write_table(check if not check.empty else store.empty_frame(KOSTRA_CROSSCHECK), KOSTRA_CROSSCHECK, out_path)
    for kind, n in cross_check_counts(check).items():
        log.info("kostra cross-check: %s: %d kommuner", kind, n)

