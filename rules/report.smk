# A round's publication frame: its own block, or the top-level one (kartlegging.core.config_check).
from kartlegging.core.config_check import round_publication

# The map_status rule and MAP_GEOMETRY come from map.smk. Included here unless the Snakefile already
# included it (before this file): Snakemake would define the rule twice otherwise.
if "MAP_GEOMETRY" not in globals():

    include: "map.smk"


# Beyond its own tables, the report of a round reads its own map (round_map, in the round's own
# structure) and, only when there is an earlier round to compare with, the map status of every round
# up to it (one small map per round, in the harmonise_to structure), the services of the earlier
# rounds, the harmonised kommune_status and the 2024 geometry. Later rounds never appear,
# so adding a round leaves the first round's report untouched; a later round's report reads the
# shared harmonised table (which a new round rewrites), so it reruns, with the same content.
HARMONISED_STATUS = os.path.join(PROC, "harmonised", "kommune_status.parquet")


rule report:
    """The kartlegging report of a round, as one self-contained HTML file (report_pdf typesets it)."""
    input:
        unpack(
            lambda wc: {
                "earlier_map_status": [
                    os.path.join(PROC, r, "map_status.parquet") for r in ROUNDS[: ROUNDS.index(wc.round)]
                ],
                "earlier_services": [
                    os.path.join(PROC, r, "services.parquet") for r in ROUNDS[: ROUNDS.index(wc.round)]
                ],
                # the maps comparing rounds stay in the harmonise_to structure: the 2024 geometry
                **(
                    {
                        "map_status": os.path.join(PROC, wc.round, "map_status.parquet"),
                        "harmonised": HARMONISED_STATUS,
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
    params:
        round="{round}",
        processed_dir=lambda wc, input: os.path.dirname(os.path.dirname(input.tables[0])),
        synthetic=lambda wc: bool(round_cfg(wc.round).get("synthetic", False)),
        classification=lambda wc: str(round_cfg(wc.round)["classification"]),
        harmonise_to=HARMONISE_TO,
        publication=lambda wc: round_publication(config, wc.round),
    log:
        os.path.join(LOGS, "{round}", "report.log"),
    threads: 1
    # on the critical path of a cold build: start before the independent rules (benchmarks/README.md)
    priority: 10
    resources:
        mem_mb=1500,
    conda:
        "../environment.yml"
    script:
        "../scripts/render_report.py"


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
    conda:
        "../environment.yml"
    script:
        "../scripts/render_pdf.py"
