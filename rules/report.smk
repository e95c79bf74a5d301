rule report:
    """The kartlegging report of a round, as one self-contained HTML file and a PDF."""
    input:
        tables=expand(
            os.path.join(PROC, "{{round}}", "{table}.parquet"),
            table=[
                "dispatch", "email_replies", "phone_units", "interviews", "services",
                "service_kommuner", "kommune_status", "issues", "overrides_applied",
                "figures", "reconciliation",
            ],
        ),
        register=os.path.join(REGISTER, "{round}.yaml"),
        code=report_sources(),
    output:
        html=os.path.join(REPORT, "{round}", "kartlegging.html"),
        pdf=os.path.join(REPORT, "{round}", "kartlegging.pdf"),
    params:
        round="{round}",
        processed_dir=lambda wc, input: os.path.dirname(os.path.dirname(input.tables[0])),
        synthetic=lambda wc: bool(round_cfg(wc.round).get("synthetic", False)),
        classification=lambda wc: str(round_cfg(wc.round)["classification"]),
    log:
        os.path.join(LOGS, "{round}", "report.log"),
    threads: 1
    resources:
        mem_mb=1500,
    conda:
        "../environment.yml"
    script:
        "../scripts/render_report.py"
