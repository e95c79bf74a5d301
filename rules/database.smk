import re

# A wildcard in an output pattern, with its constraint once Snakemake has applied wildcard_constraints.
_WILDCARD = re.compile(r"{\s*(\w+)\s*(?:,[^{}]*)?}")


def processed_tables(wildcards):
    """Input function: every Parquet file a rule writes under the processed folder, for every round.

    Taken from the rules themselves (when the DAG is built, after every rule file is read), so a
    step that writes a new table makes it an input here; the step makes a view of each table
    declared in kartlegging.tables whose file is among these."""
    proc = os.path.abspath(PROC)
    files = set()
    for other in workflow.rules:
        for pattern in other.output:
            path = str(pattern)
            if not path.endswith(".parquet") or os.path.commonpath([os.path.abspath(path), proc]) != proc:
                continue
            names = set(_WILDCARD.findall(path))
            if not names:
                files.add(path)
            elif names == {"round"}:
                files.update(_WILDCARD.sub(lambda _, r=r: r, path) for r in ROUNDS)
    return sorted(files)


rule database:
    """One DuckDB file (DuckDB 1.0's storage format) with a view per table over copies of the tables, and the data dictionary."""
    input:
        tables=processed_tables,
        code=code_of("database", pipeline=False),
    output:
        db=os.path.join(PROC, "kartlegging.duckdb"),
        copies=directory(os.path.join(PROC, "duckdb")),
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
