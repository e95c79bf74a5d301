"""The ``reference`` rule: the Klass 131 reference tables."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from kartlegging.core import classification as klass
from kartlegging.core import store

log = logging.getLogger("kartlegging")


def step_reference(reference: Iterable[str] | str, versions: list[str], out_kommuner: str, out_navn: str,
                   out_bydeler: str) -> None:
    """Kommuner, name variants and bydeler of the Klass versions the rounds use.
    ``reference``: the reference files the rule declares (or a reference folder: every file in it)."""
    kommuner, navn, bydeler = klass.reference_frames(klass.reference_of(reference), versions)
    store.write_table(kommuner, "kommuner", out_kommuner)
    store.write_table(navn, "kommune_navn", out_navn)
    store.write_table(bydeler, "bydeler", out_bydeler)
    log.info("reference: %d kommuner, %d name variants, %d bydeler", len(kommuner), len(navn), len(bydeler))

