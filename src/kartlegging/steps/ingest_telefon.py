"""The ``ingest_telefon`` rule: the phone round, one row per attempt and one final answer per unit."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from kartlegging.core import classification as klass
from kartlegging.core import store
from kartlegging.steps.common import overrides_from_params, write_issues_and_applied

log = logging.getLogger("kartlegging")


def step_ingest_phone(round_name: str, klass_file: str, bydeler_file: str, phone_log: str, dispatch_path: str,
                      override_items: list[dict], out: Mapping[str, str]) -> None:
    """Phone round: attempts and final answers per unit."""
    from kartlegging.ingest.phone import ingest_phone

    cls = klass.load_files(klass_file, bydeler_file)
    overrides = overrides_from_params(override_items)
    units = set(store.read_table(dispatch_path)["enhet_id"])
    result = ingest_phone(phone_log, cls, units, round_name, overrides)
    store.write_table(result.attempts, "phone_attempts", out["attempts"])
    store.write_table(result.units, "phone_units", out["units"])
    write_issues_and_applied(round_name, result.issues, overrides, result.applied, out["issues"], out["applied"],
                             result.before)
    log.info("phone round: %d attempts (%d empty rows skipped), %d units, %d issues",
             len(result.attempts), result.empty_rows, len(result.units), len(result.issues))

