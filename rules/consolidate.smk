rule consolidate:
    """kommune_status (one row per kommune), the review queue, the overrides applied and the conservation check."""
    input:
        dispatch=round_table("dispatch"),
        replies=round_table("email_replies"),
        attempts=round_table("phone_attempts"),
        units=round_table("phone_units"),
        services=round_table("services"),
        service_kommuner=round_table("service_kommuner"),
        issues=[round_table(f"issues_{s}") for s in ("epost", "telefon", "intervju")],
        applied=[round_table(f"overrides_{s}") for s in ("epost", "telefon", "intervju")],
        klass=lambda wc: klass_version_file(wc.round),
        bydeler=BYDELER,
        overrides=lambda wc: [p for p in [overrides_file(wc.round)] if os.path.exists(p)],
        dispatch_csv=dispatch_file,
        phone_log=os.path.join(RAW, "{round}", "telefonrunde.xlsx"),
        emails=email_files,
        workbooks=interview_files,
        interviews=round_table("interviews"),
        # the KOSTRA extracts are shared by the rounds; each round's conservation table counts them too
        kostra_files=lambda wc: files_in(os.path.join(RAW, "kostra")),
        kostra=os.path.join(PROC, "kostra", "kostra.parquet"),
        kostra_issues=os.path.join(PROC, "kostra", "issues_kostra.parquet"),
        code=code_of("consolidate"),
    output:
        status=round_table("kommune_status"),
        issues=round_table("issues"),
        applied=round_table("overrides_applied"),
        conservation=round_table("conservation"),
    params:
        round="{round}",
        ignored=ignored_in,
    log:
        os.path.join(LOGS, "{round}", "consolidate.log"),
    threads: 1
    # on the critical path of a cold build: start before the independent rules (benchmarks/README.md)
    priority: 10
    resources:
        mem_mb=1000,
    run:
        from kartlegging.steps.consolidate import step_consolidate

        run_step(rule, wildcards, log, output, step_consolidate, params.round, input.klass, input.bydeler,
                 input.overrides, input, output, params.ignored)


rule figures:
    """Every figure of the register, its reconciliation with the published value, and every series the report shows."""
    input:
        unpack(register_of),
        dispatch=round_table("dispatch"),
        replies=round_table("email_replies"),
        attempts=round_table("phone_attempts"),
        units=round_table("phone_units"),
        interviews=round_table("interviews"),
        services=round_table("services"),
        service_kommuner=round_table("service_kommuner"),
        status=round_table("kommune_status"),
        kostra=os.path.join(PROC, "kostra", "kostra.parquet"),
        kostra_crosscheck=round_table("kostra_crosscheck"),
        # appendix B's counts: the round's review items with the shared KOSTRA extracts', and the overrides
        issues=round_table("issues"),
        kostra_issues=os.path.join(PROC, "kostra", "issues_kostra.parquet"),
        overrides_applied=round_table("overrides_applied"),
        code=code_of("figures"),
    output:
        figures=round_table("figures"),
        series=round_table("figure_series"),
        reconciliation=round_table("reconciliation"),
    params:
        round="{round}",
        # the year the KOSTRA cross-check aims at: the round's Klass version year
        reference_year=lambda wc: int(str(round_cfg(wc.round)["classification"])[:4]),
    log:
        os.path.join(LOGS, "{round}", "figures.log"),
    threads: 1
    resources:
        mem_mb=500,
    run:
        from kartlegging.steps.figures import step_figures

        run_step(rule, wildcards, log, output, step_figures, params.round, input, input.get("register"),
                 output.figures, output.reconciliation, output.series, params.reference_year)
