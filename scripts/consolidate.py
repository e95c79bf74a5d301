"""Snakemake script: kommune_status, review queue and overrides applied of one round."""
from kartlegging.pipeline import step_consolidate
from kartlegging.runner import run


def main(smk, logger):
    inputs = {k: v for k, v in smk.input.items()}
    step_consolidate(smk.params.round, smk.params.reference_dir, smk.params.classification,
                     smk.params.overrides_file, inputs, dict(smk.output.items()))


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
