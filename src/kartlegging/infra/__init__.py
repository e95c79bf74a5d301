"""Running the pipeline: the step runner, code dependencies for Snakemake, the run summary, the review helper
and the DuckDB database."""
