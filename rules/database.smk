rule database:
    """One DuckDB file with a view per table across all rounds, and the data dictionary."""
    input:
        reference=rules.reference.output,
        crosswalk=rules.crosswalk.output,
        harmonised=rules.harmonise.output,
        kostra=rules.kostra.output.table,
        kostra_issues=rules.kostra.output.issues,
        tables=expand(
            os.path.join(PROC, "{round}", "{table}.parquet"),
            round=ROUNDS,
            table=[
                "dispatch", "email_replies", "phone_attempts", "phone_units", "interviews",
                "services", "service_kommuner", "kommune_status", "issues",
                "overrides_applied", "figures", "figure_series", "reconciliation", "conservation", "kostra_crosscheck",
            ],
        ),
        code=code_of("database", pipeline=False),
    output:
        db=os.path.join(PROC, "kartlegging.duckdb"),
        dictionary=os.path.join(PROC, "data_dictionary.md"),
    params:
        processed_dir=lambda wc, output: os.path.dirname(output.db),
        rounds=ROUNDS,
    log:
        os.path.join(LOGS, "database.log"),
    threads: 1
    resources:
        mem_mb=500,
    conda:
        "../environment.yml"
    script:
        "../scripts/database.py"
