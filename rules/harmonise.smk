# Harmonisation across Klass 131 versions: the territorial crosswalk between every pair of Klass
# versions (SSB's change table for the candidates, Kartverket's kommune polygons for the weights),
# built once, and every round's kommune_status in the structure of one version (config key
# harmonise_to, default the newest Klass version in reference_dir). Every rule that translates
# kommuner (harmonise, map_status, round_map, kostra_crosscheck) reads the crosswalk table. The
# logic lives in kartlegging.analysis.crosswalk and kartlegging.analysis.harmonise.


# harmonise_to as a Klass version year (common.smk)
HARMONISE_TO = harmonise_to_version()
CROSSWALK = os.path.join(PROC, "reference", "crosswalk.parquet")


rule crosswalk:
    """Every kommune of each Klass version, and the share of its land in each kommune of every other version."""
    input:
        klass=KLASS_VERSION_FILES,
        changes=KLASS_CHANGES_FILES,
        # Kartverket's kommune polygons (2017-2021 and 2024): the weights where a kommune was split
        polygons=MAP_GEOMETRY_FILES,
        code=code_of("crosswalk"),
    output:
        crosswalk=CROSSWALK,
    log:
        os.path.join(LOGS, "crosswalk.log"),
    threads: 1
    # every translating rule waits for it: start it first (benchmarks/README.md)
    priority: 20
    resources:
        mem_mb=700,
    run:
        from kartlegging.steps.crosswalk import step_crosswalk

        run_step(rule, wildcards, log, output, step_crosswalk, list(input.klass), list(input.changes),
                 list(input.polygons), output.crosswalk)


rule harmonise:
    """Every round's kommune_status in the kommune structure of harmonise_to."""
    input:
        status=expand(os.path.join(PROC, "{round}", "kommune_status.parquet"), round=ROUNDS),
        crosswalk=CROSSWALK,
        code=code_of("harmonise"),
    output:
        # named as its DuckDB view: <processed_dir>/*/kommune_status.parquet reads the rounds only
        status=os.path.join(PROC, "harmonised", "harmonised_status.parquet"),
    params:
        rounds={r: klass_version_of(r) for r in ROUNDS},
        harmonise_to=HARMONISE_TO,
    log:
        os.path.join(LOGS, "harmonise.log"),
    threads: 1
    resources:
        mem_mb=500,
    run:
        from kartlegging.steps.harmonise import step_harmonise

        run_step(rule, wildcards, log, output, step_harmonise, input.crosswalk, dict(params.rounds),
                 params.harmonise_to, list(input.status), output.status)
