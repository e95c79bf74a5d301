# kartlegging: from the raw replies of a survey round to Parquet tables, figures and the report.
# Thin by design: the rules live in rules/*.smk, the logic in the kartlegging package.
import os
import sys

from snakemake.logging import logger as _snakemake_logger
from snakemake.utils import min_version

from kartlegging.core.config_check import ConfigError, validate_config
from kartlegging.infra import snakemake_shims

min_version("9.0")

# Two guarded fixes to Snakemake (kartlegging/infra/snakemake_shims.py): its rate-limiter timer no longer
# holds the process for a second after the last job, and a run with nothing to do imports no pandas. Each
# applies only to the Snakemake code it was written for, and says so in the log when it does not.
snakemake_shims.apply(_snakemake_logger.info)


configfile: "config/config.yaml"


# Rounds given on the command line (--configfile other.yaml, --config rounds=...) replace the
# rounds of config/config.yaml instead of being merged with them (Snakemake merges nested
# mappings), so `snakemake --configfile other.yaml` runs the rounds of other.yaml only.
_cli_rounds = workflow.config_settings.overwrite_config.get("rounds")
if _cli_rounds is not None:
    config["rounds"] = _cli_rounds

try:
    validate_config(config, os.path.join(workflow.basedir, "config", "schema.yaml"))
except ConfigError as err:
    sys.exit(f"kartlegging: {err}")


include: "rules/common.smk"


# Stop before any job runs when a round cannot be used at all: a required raw file or folder
# missing, or a dispatch list no parser could read. One message naming the file, no traceback.
for _round in ROUNDS:
    _problem = required_inputs_problem(_round)
    if _problem:
        sys.exit(f"kartlegging: {_problem}")
include: "rules/reference.smk"
include: "rules/ingest.smk"
include: "rules/consolidate.smk"
include: "rules/harmonise.smk"
include: "rules/kostra.smk"
include: "rules/database.smk"
include: "rules/report.smk"


rule all:
    input:
        all_targets(),
    default_target: True



# The last lines of every run: where the reports are, per round the records set aside and the
# review items open (with the command that lists them), and which jobs ran (kartlegging.infra.run_summary).
onsuccess:
    from kartlegging.infra.run_summary import log_summary

    log_summary(PROC, REPORT, ROUNDS, log, ok=True)


onerror:
    from kartlegging.infra.run_summary import log_summary

    log_summary(PROC, REPORT, ROUNDS, log, ok=False)
