# Coverage map: each round's kommune_status in the kommune structure of the map geometry
# (Kartverket's 2024 kommuner), one row per kommune of that structure with the class it is drawn
# in, translated by the crosswalk table (rules/harmonise.smk). Per round, so adding a round never reruns another round's map or report. The logic lives
# in kartlegging.report.maps. rules/report.smk uses MAP_GEOMETRY and includes this file itself
# unless the Snakefile included it first.


# The map geometry: kommuner and fylker of one Klass version (the year in the file names).
MAP_GEOMETRY = {
    "kommuner": os.path.join(REF, "kartverket", "kommuner-2024-S.geojson"),
    "fylker": os.path.join(REF, "kartverket", "fylker-2024-S.geojson"),
}


rule map_status:
    """One round's coverage in the map's kommune structure: the class every kommune is drawn in."""
    input:
        status=round_table("kommune_status"),
        services=round_table("services"),
        crosswalk=CROSSWALK,
        code=code_of("map_status"),
    output:
        status=round_table("map_status"),
    params:
        round="{round}",
        classification=lambda wc: klass_version_of(wc.round),
        map_version=Path(MAP_KLASS).stem.split("-", 1)[1],
    log:
        os.path.join(LOGS, "{round}", "map_status.log"),
    threads: 1
    # on the critical path of a cold build: start before the independent rules (benchmarks/README.md)
    priority: 10
    resources:
        mem_mb=500,
    run:
        from kartlegging.steps.map_status import step_map_status

        run_step(rule, wildcards, log, output, step_map_status, input.status, input.services, params.round,
                 params.classification, params.map_version, input.crosswalk, output.status)


# The round's own map: its kommune_status on the kommune geometry of its Klass version or the nearest
# one (kartverket/ for 2024, kartverket-historic/ for 2017-2021), translated through the crosswalk only
# where the structures differ; fylke borders are unions of the kommuner. Drawn once per round and
# cached, so a report rerun (or an override edit that leaves the coverage alone) does not draw it again.
rule map_geometry:
    """A kommune geometry read, projected and simplified once, with its fylker (unions of its kommuner)."""
    input:
        geometry=geometry_source,
        code=code_of("map_geometry"),
    output:
        geometry=os.path.join(PROC, "reference", "map_geometry", "{geoyear}.geometry.json"),
    wildcard_constraints:
        geoyear=r"\d{4}",
    log:
        os.path.join(LOGS, "geometry-{geoyear}", "map_geometry.log"),
    threads: 1
    resources:
        mem_mb=700,
    run:
        from kartlegging.steps.map_geometry import step_map_geometry

        run_step(rule, wildcards, log, output, step_map_geometry, input.geometry, output.geometry)


rule round_map:
    """One round's coverage map in its own kommune structure (SVG, caption and alt text, as JSON)."""
    input:
        status=round_table("kommune_status"),
        services=round_table("services"),
        geometry=round_geometry,
        crosswalk=CROSSWALK,
        code=code_of("round_map"),
    output:
        figure=os.path.join(PROC, "{round}", "kart.json"),
    params:
        round="{round}",
        classification=lambda wc: klass_version_of(wc.round),
        # the Klass version the geometry file draws (the 2021 file draws version 2020)
        geometry_version=lambda wc: str(_klass_year_of(Path(round_geometry_source(wc)).name.split("-")[1][:4])),
    log:
        os.path.join(LOGS, "{round}", "round_map.log"),
    threads: 1
    priority: 10
    resources:
        mem_mb=700,
    run:
        from kartlegging.steps.round_map import step_round_map

        run_step(rule, wildcards, log, output, step_round_map, input.status, input.services, params.round,
                 params.classification, input.geometry, params.geometry_version, input.crosswalk,
                 output.figure)
