"""Snakemake script: kommune_status, review queue and overrides applied of one round."""
from kartlegging.infra.runner import run
from kartlegging.steps.consolidate import step_consolidate


def main(smk, logger):
    inputs = {k: v for k, v in smk.input.items()}
    # an input, not a param, so that the file is staged where the job runs (no shared filesystem needed)
    overrides = list(smk.input.overrides)
    step_consolidate(smk.params.round, smk.input.klass, smk.input.bydeler,
                     overrides[0] if overrides else None, inputs, dict(smk.output.items()))


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
