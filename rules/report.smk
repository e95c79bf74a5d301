# The map_status rule and MAP_GEOMETRY come from map.smk. Included here unless the Snakefile already
# included it (before this file): Snakemake would define the rule twice otherwise.
if "MAP_GEOMETRY" not in globals():

    include: "map.smk"


# Beyond its own tables, the report of a round reads its own map (round_map, in the round's own
# structure) and, only when there is an earlier round to compare with, the map status of every round
# up to it (one small map per round, in the harmonise_to structure), its comparison table (every count
# the chapter on change shows, from the harmonised kommune_status and the earlier rounds' tables) and the
# 2024 geometry. Later rounds never appear, so adding a round leaves the first round's report untouched;
# a later round's comparison reads the shared harmonised table (which a new round rewrites), so it
# reruns, with the same content.
HARMONISED_STATUS = os.path.join(PROC, "harmonised", "harmonised_status.parquet")



# The first round has nothing before it (an empty comparison table) and does not read the harmonised
# status, so adding a later round reruns nothing of the first round.
rule comparison:
    """A round set beside the rounds before it: the comparison table its report's chapter on change reads."""
    input:
        unpack(lambda wc: {"harmonised": HARMONISED_STATUS} if ROUNDS.index(wc.round) > 0 else {}),
        status=round_files("kommune_status"),
        services=round_files("services"),
        map_status=round_files("map_status"),
        code=code_of("comparison"),
    output:
        table=round_table("comparison"),
    params:
        round="{round}",
        rounds=lambda wc: rounds_up_to(wc.round),
        classifications=lambda wc: {r: str(round_cfg(r)["classification"]) for r in rounds_up_to(wc.round)},
    log:
        os.path.join(LOGS, "{round}", "comparison.log"),
    threads: 1
    resources:
        mem_mb=500,
    run:
        from kartlegging.steps.comparison import step_comparison

        run_step(rule, wildcards, log, output, step_comparison, params.round, params.rounds, params.classifications,
                 input.status, input.services, input.map_status, input.get("harmonised"), output.table)


rule report:
    """The kartlegging report of a round, as one self-contained HTML file (report_pdf typesets it)."""
    input:
        unpack(
            lambda wc: {
                "earlier_map_status": [
                    os.path.join(PROC, r, "map_status.parquet") for r in ROUNDS[: ROUNDS.index(wc.round)]
                ],
                # the maps comparing rounds stay in the harmonise_to structure: the 2024 geometry; every
                # count of the comparison is a row of the comparison table
                **(
                    {
                        "map_status": os.path.join(PROC, wc.round, "map_status.parquet"),
                        "comparison": os.path.join(PROC, wc.round, "comparison.parquet"),
                        "geometry_kommuner": MAP_GEOMETRY["kommuner"],
                        "geometry_fylker": MAP_GEOMETRY["fylker"],
                    }
                    if ROUNDS.index(wc.round) > 0
                    else {}
                ),
                **register_of(wc),
            }
        ),
        tables=expand(
            os.path.join(PROC, "{{round}}", "{table}.parquet"),
            table=[
                "dispatch", "email_replies", "phone_units", "interviews", "services",
                "service_kommuner", "kommune_status", "issues", "overrides_applied",
                "figures", "figure_series", "reconciliation",
            ],
        ),
        kostra=os.path.join(PROC, "kostra", "kostra.parquet"),
        kostra_crosscheck=round_table("kostra_crosscheck"),
        kostra_issues=os.path.join(PROC, "kostra", "issues_kostra.parquet"),
        conservation=round_table("conservation"),
        chapters=chapters_of,
        round_map=os.path.join(PROC, "{round}", "kart.json"),
        code=report_sources(),
    output:
        html=os.path.join(REPORT, "{round}", "kartlegging.html"),
        # every table of the report as CSV, linked under the table in the HTML
        tables=directory(os.path.join(REPORT, "{round}", "tabeller")),
    params:
        round="{round}",
        synthetic=lambda wc: bool(round_cfg(wc.round).get("synthetic", False)),
        # which sources are generated demonstration data: the rounds so flagged, and KOSTRA
        # (rounds up to this one only: a later round never reruns an earlier report)
        synthetic_rounds=lambda wc: [
            r for r in ROUNDS[: ROUNDS.index(wc.round) + 1] if bool(round_cfg(r).get("synthetic", False))
        ],
        kostra_synthetic=bool((config.get("kostra") or {}).get("synthetic", False)),
        classification=lambda wc: str(round_cfg(wc.round)["classification"]),
        harmonise_to=HARMONISE_TO,
        # the round's own title page and colophon, and the title of the leader the letter went to
        publication=lambda wc: dict(round_cfg(wc.round).get("publication") or {}),
        leader_title=lambda wc: str(round_cfg(wc.round).get("leader_title") or ""),
    log:
        os.path.join(LOGS, "{round}", "report.log"),
    threads: 1
    # on the critical path of a cold build: start before the independent rules (benchmarks/README.md)
    priority: 10
    resources:
        mem_mb=1500,
    run:
        from kartlegging.steps.report import step_report

        run_step(rule, wildcards, log, output, step_report, input, params, workflow.basedir, output.html,
                 output.tables)


rule report_pdf:
    """The report of a round as a tagged PDF/UA-1, typeset by Typst from its HTML (light: no pandas)."""
    input:
        html=os.path.join(REPORT, "{round}", "kartlegging.html"),
        code=code_of("report_pdf"),
    output:
        pdf=os.path.join(REPORT, "{round}", "kartlegging.pdf"),
    log:
        os.path.join(LOGS, "{round}", "report_pdf.log"),
    threads: 1
    priority: 10
    resources:
        mem_mb=500,
    run:
        from kartlegging.steps.report_pdf import step_report_pdf

        run_step(rule, wildcards, log, output, step_report_pdf, input.html, output.pdf)
