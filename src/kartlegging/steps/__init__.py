"""One module per Snakemake rule: each exposes the step function the rule's thin script in ``scripts/`` calls.

A step takes plain paths and values (no Snakemake objects), so a test can call it as well as the
script. Steps read and write only through :mod:`kartlegging.core.store`, so every table is validated
and byte-stable. A rule's code inputs are the import closure of its step module
(``code_of("steps.<rule>")`` in rules/common.smk), so nothing is listed by hand.
"""
