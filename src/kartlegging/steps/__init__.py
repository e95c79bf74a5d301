"""One module per Snakemake rule: each exposes the step function the rule's ``run:`` block calls.

The block passes the rule's inputs, params and outputs to the step through
:func:`kartlegging.infra.runner.run_step` (the job's log, its outputs removed on failure, one-line
errors). A step takes plain paths and values, or the rule's named inputs and outputs as a mapping, so
a test can call it as well as the rule. Steps run in threads of Snakemake's process: they keep no
state between calls and change nothing process-wide. Steps read and write only through
:mod:`kartlegging.core.store`, so every table is validated and byte-stable. A rule's code inputs are
the import closure of its step module (``code_of("<rule>")`` in rules/common.smk), so nothing is
listed by hand.
"""
