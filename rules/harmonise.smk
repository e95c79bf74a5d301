# Harmonisation across Klass 131 versions: a crosswalk of kommune codes between
# every version the configuration uses, and every round's kommune_status in the
# structure of one version (config key harmonise_to, default the newest Klass
# version in reference_dir). The logic lives in kartlegging.analysis.crosswalk.


# harmonise_to from the config, or the newest version year present in reference_dir.
HARMONISE_TO = str(
    config.get("harmonise_to") or max((Path(p).stem.split("-", 1)[1] for p in KLASS_VERSION_FILES), default="")
)


rule crosswalk:
    """Kommune codes of each round's Klass version translated to every other version used and to harmonise_to."""
    input:
        reference=ALL_REFERENCE,
        code=code_of("crosswalk"),
    output:
        crosswalk=os.path.join(PROC, "reference", "crosswalk.parquet"),
    params:
        rounds={r: str(round_cfg(r)["classification"]) for r in ROUNDS},
        harmonise_to=HARMONISE_TO,
    log:
        os.path.join(LOGS, "crosswalk.log"),
    threads: 1
    resources:
        mem_mb=500,
    run:
        from kartlegging.steps.crosswalk import step_crosswalk

        run_step(rule, wildcards, log, output, step_crosswalk, input.reference, dict(params.rounds),
                 params.harmonise_to, output.crosswalk)


rule harmonise:
    """Every round's kommune_status in the kommune structure of harmonise_to."""
    input:
        status=expand(os.path.join(PROC, "{round}", "kommune_status.parquet"), round=ROUNDS),
        reference=ALL_REFERENCE,
        code=code_of("harmonise"),
    output:
        status=os.path.join(PROC, "harmonised", "kommune_status.parquet"),
    params:
        rounds={r: str(round_cfg(r)["classification"]) for r in ROUNDS},
        harmonise_to=HARMONISE_TO,
    log:
        os.path.join(LOGS, "harmonise.log"),
    threads: 1
    resources:
        mem_mb=500,
    run:
        from kartlegging.steps.harmonise import step_harmonise

        run_step(rule, wildcards, log, output, step_harmonise, input.reference, dict(params.rounds),
                 params.harmonise_to, list(input.status), output.status)
