"""Errors every stage may raise, kept in ``core`` so that no stage imports the runner above it."""

from __future__ import annotations


class InputError(ValueError):
    """Input the run cannot use at all; the message names the file and what is wrong."""
