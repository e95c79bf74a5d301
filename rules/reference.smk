rule reference:
    """Klass 131 kommuner, typed-name variants and Oslo's bydeler for every version the rounds use."""
    input:
        reference=[*sorted({klass_version_file(r) for r in ROUNDS}), BYDELER],
        code=code_of("reference"),
    output:
        kommuner=os.path.join(PROC, "reference", "kommuner.parquet"),
        navn=os.path.join(PROC, "reference", "kommune_navn.parquet"),
        bydeler=os.path.join(PROC, "reference", "bydeler.parquet"),
    params:
        versions=[str(round_cfg(r)["classification"]) for r in ROUNDS],
    log:
        os.path.join(LOGS, "reference.log"),
    threads: 1
    resources:
        mem_mb=500,
    run:
        from kartlegging.steps.reference import step_reference

        run_step(rule, wildcards, log, output, step_reference, input.reference, list(params.versions),
                 output.kommuner, output.navn, output.bydeler)
