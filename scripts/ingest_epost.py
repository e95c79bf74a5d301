"""Snakemake script: dispatch list and e-mail replies of one survey round."""
from kartlegging.infra.runner import run
from kartlegging.steps.ingest_epost import step_ingest_email


def main(smk, logger):
    step_ingest_email(smk.params.round, smk.input.klass, smk.input.bydeler, smk.input.dispatch,
                      smk.params.epost_dir, list(smk.params.overrides), dict(smk.output.items()),
                      letter_file=getattr(smk.input, "letter", None))


run(snakemake, main)  # noqa: F821 (injected by Snakemake)
