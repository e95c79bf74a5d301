"""The ``ingest_intervjuer`` rule: the telephone interviews, their candidate services and the kommuner covered."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from kartlegging.core import classification as klass
from kartlegging.core import store
from kartlegging.core.tables import included
from kartlegging.steps.common import overrides_from_params, write_issues_and_applied

log = logging.getLogger("kartlegging")


def step_ingest_interviews(round_name: str, klass_file: str, bydeler_file: str, intervju_dir: str,
                           override_items: list[dict], out: Mapping[str, str]) -> None:
    """Interviews: coded items, candidate services and the kommuner they cover."""
    from kartlegging.ingest.interviews import ingest_interviews

    cls = klass.load_files(klass_file, bydeler_file)
    overrides = overrides_from_params(override_items)
    result = ingest_interviews(intervju_dir, cls, round_name, overrides)
    store.write_table(result.interviews, "interviews", out["interviews"])
    store.write_table(result.services, "services", out["services"])
    store.write_table(result.service_kommuner, "service_kommuner", out["service_kommuner"])
    write_issues_and_applied(round_name, result.issues, overrides, result.applied, out["issues"], out["applied"],
                             result.before)
    log.info("interviews: %d workbooks read, %d candidate services (%d included), %d issues",
             len(result.interviews), len(result.services), len(included(result.services)),
             len(result.issues))

