rule database:
    """One DuckDB file (DuckDB 1.0's storage format) with a view per table over copies of the tables, and the data dictionary."""
    input:
        tables=processed_tables,
        code=code_of("database"),
    output:
        db=os.path.join(PROC, "kartlegging.duckdb"),
        copies=directory(os.path.join(PROC, "duckdb")),
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
