rule database:
    """One self-contained DuckDB file (DuckDB 1.0's storage format) holding every table, and the data dictionary."""
    input:
        tables=processed_tables,
        code=code_of("database"),
    output:
        # update: Snakemake keeps the previous file while the step runs and puts it back if the step fails,
        # so a run that fails still leaves a database that answers (the step writes a new file and renames it)
        db=update(os.path.join(PROC, "kartlegging.duckdb")),
        dictionary=os.path.join(PROC, "data_dictionary.md"),
    params:
        rounds=ROUNDS,
    log:
        os.path.join(LOGS, "database.log"),
    threads: 1
    resources:
        mem_mb=500,
    run:
        from kartlegging.steps.database import step_database

        run_step(rule, wildcards, log, output, step_database, params.rounds, input.tables, output.db,
                 output.dictionary)
