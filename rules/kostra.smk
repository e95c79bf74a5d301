# KOSTRA: SSB statbank extracts on frisklivssentraler, read from {raw_dir}/kostra/.
# The folder is optional: without it (or with it empty) the kostra rule writes an
# empty table, so the survey rules run exactly as before.




rule kostra:
    """KOSTRA extracts (statbank CSV and JSON-stat 2.0) into one tidy table and its review items."""
    input:
        # every file of {raw_dir}/kostra/; [] when the folder is absent, so the rule still runs
        files=lambda wc: files_in(os.path.join(RAW, "kostra")),
        reference=[*KLASS_VERSION_FILES, BYDELER],
        code=code_of("kostra"),
    output:
        table=os.path.join(PROC, "kostra", "kostra.parquet"),
        issues=os.path.join(PROC, "kostra", "issues_kostra.parquet"),
    params:
        kostra=config.get("kostra", {}),
    log:
        os.path.join(LOGS, "kostra.log"),
    threads: 1
    resources:
        mem_mb=1000,
    run:
        from kartlegging.steps.kostra import step_kostra

        run_step(rule, wildcards, log, output, step_kostra, input.files, input.reference, dict(params.kostra),
                 output.table, output.issues)


rule kostra_crosscheck:
    """Kommuner where the round's kartlegging and KOSTRA disagree about a frisklivssentral."""
    input:
        kostra=rules.kostra.output.table,
        services=round_table("services"),
        service_kommuner=round_table("service_kommuner"),
        status=round_table("kommune_status"),
        crosswalk=CROSSWALK,
        # the Klass versions the KOSTRA years and the round are in, and the bydeler
        reference=[*KLASS_VERSION_FILES, BYDELER],
        code=code_of("kostra_crosscheck"),
    output:
        check=round_table("kostra_crosscheck"),
    params:
        classification=lambda wc: str(round_cfg(wc.round)["classification"]),
    log:
        os.path.join(LOGS, "{round}", "kostra_crosscheck.log"),
    threads: 1
    resources:
        mem_mb=1000,
    run:
        from kartlegging.steps.kostra_crosscheck import step_crosscheck

        run_step(rule, wildcards, log, output, step_crosscheck, input.kostra, input.services,
                 input.service_kommuner, input.status, params.classification, input.reference, input.crosswalk,
                 output.check)
