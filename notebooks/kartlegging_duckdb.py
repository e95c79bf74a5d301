# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # The kartlegging in DuckDB: three questions, in SQL
#
# This notebook reads the pipeline's outputs through `kartlegging.duckdb`, the file that
# `make run` writes to `data/processed/` with every table of the run inside it. Each
# question is one SQL query and one chart. Every number here is also in the report, so
# the notebook doubles as a check that the tables answer the way the report says.
#
# * **Where?** Kommuner with a learning-and-coping service, by county.
# * **What?** The included services, by how they are organised and whether one kommune
#   or several run them.
# * **Does KOSTRA agree?** Kommuner reporting a frisklivssentral to KOSTRA, set against
#   the frisklivssentraler the kartlegging found.
#
# The data of the demonstration rounds are synthetic (see the README): the figures show
# how the pipeline works, not the state of any real kommune.
#
# Settings, from the environment so that the notebook runs unchanged on any output folder:
#
# * `KARTLEGGING_PROCESSED`: the processed folder (default `data/processed`, relative to
#   the project root);
# * `KARTLEGGING_CHARTS`: where the charts are saved (default `<processed>/notebook/`,
#   next to the outputs they are drawn from, so nothing is written into the repository).

# %%
import os
from pathlib import Path

import matplotlib

if not os.environ.get("MPLBACKEND"):
    # headless by default (scripts, tests, CI); Jupyter sets MPLBACKEND to its inline backend
    matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend is chosen first)
import pandas as pd  # noqa: E402

from kartlegging.infra.database import connect  # noqa: E402


def project_root() -> Path:
    """The folder holding the Snakefile: the notebook may be started from notebooks/ or from the root."""
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "Snakefile").exists():
            return folder
    return here


PROCESSED = Path(os.environ.get("KARTLEGGING_PROCESSED", "data/processed"))
if not PROCESSED.is_absolute():
    PROCESSED = project_root() / PROCESSED
CHARTS = Path(os.environ.get("KARTLEGGING_CHARTS", PROCESSED / "notebook"))
CHARTS.mkdir(parents=True, exist_ok=True)

con = connect(PROCESSED / "kartlegging.duckdb")
TABLES = {row[0] for row in con.execute(
    "SELECT table_name FROM duckdb_tables() UNION SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
ROUNDS = [row[0] for row in con.execute("SELECT DISTINCT round FROM kommune_status ORDER BY round").fetchall()]
print(f"database: {PROCESSED / 'kartlegging.duckdb'}")
print(f"rounds: {', '.join(ROUNDS)}; charts go to {CHARTS}")


def show(frame: pd.DataFrame) -> None:
    """Print a result in full: the same output in Jupyter, in a script and in a test log."""
    print(frame.to_string(index=False))


def save(fig: plt.Figure, name: str) -> Path:
    """Save a chart next to the outputs; close it when headless (Jupyter's inline backend shows it instead)."""
    path = CHARTS / name
    fig.savefig(path, dpi=120)
    if matplotlib.get_backend().lower() == "agg":
        plt.close(fig)
    print(f"saved {path}")
    return path


def published(figure_id: str) -> pd.DataFrame:
    """A figure of the report (figures.parquet) per round, to set beside a query's answer."""
    return con.execute(
        "SELECT round, value FROM figures WHERE figure_id = ? ORDER BY round", [figure_id]
    ).df()


# %% [markdown]
# ## 1. Where are the services? Coverage by county
#
# `kommune_status` has one row per kommune of each round, in the kommune structure the
# round was analysed in (428 kommuner in 2015, 357 in 2024), so the counties are those
# of the round's own year. A kommune *has* a service when it hosts or takes part in an
# included service.

# %%
coverage = con.sql("""
    SELECT round, fylkesnummer, fylkesnavn,
           count(*) FILTER (WHERE har_tjeneste = 'ja') AS med_tjeneste,
           count(*) AS kommuner,
           round(100.0 * count(*) FILTER (WHERE har_tjeneste = 'ja') / count(*), 1) AS andel
    FROM kommune_status
    GROUP BY round, fylkesnummer, fylkesnavn
    ORDER BY round, fylkesnummer
""").df()
show(coverage)

coverage_totals = coverage.groupby("round", as_index=False)[["med_tjeneste", "kommuner"]].sum()
print("\nTotals per round, beside the report's kommuner_med_tjeneste:")
show(coverage_totals.merge(published("kommuner_med_tjeneste").rename(columns={"value": "i_rapporten"}), on="round"))

# %%
fig, axes = plt.subplots(1, len(ROUNDS), figsize=(6 * len(ROUNDS), 6), squeeze=False)
for ax, rnd in zip(axes[0], ROUNDS):
    part = coverage[coverage["round"] == rnd].sort_values("andel")
    ax.barh(part["fylkesnavn"], part["andel"], color="#3b7a57")
    for y, (share, n, total) in enumerate(zip(part["andel"], part["med_tjeneste"], part["kommuner"])):
        ax.text(share + 0.5, y, f"{n}/{total}", va="center", fontsize=8)
    ax.set_title(f"Runde {rnd}: kommuner med tjeneste")
    ax.set_xlabel("andel av fylkets kommuner (%)")
    ax.set_xlim(0, max(100.0, float(part["andel"].max()) + 10))
fig.tight_layout()
chart_coverage = save(fig, "coverage_by_county.png")

# %% [markdown]
# ## 2. What kind of services? Organisation and kind
#
# `services` lists every candidate service; the included ones have `inkludert = 'ja'`.
# `organisering` is item T06 as coded (frisklivssentral, frisklivs- og mestringssenter,
# own centre, department, coordinator, other) and `type` says whether one kommune runs
# the service (kommunal) or several together (interkommunal).

# %%
services_by_kind = con.sql("""
    SELECT round, organisering,
           count(*) FILTER (WHERE type = 'kommunal') AS kommunal,
           count(*) FILTER (WHERE type = 'interkommunal') AS interkommunal,
           count(*) AS tjenester
    FROM services
    WHERE inkludert = 'ja'
    GROUP BY round, organisering
    ORDER BY round, tjenester DESC, organisering
""").df()
show(services_by_kind)

services_totals = services_by_kind.groupby("round", as_index=False)[["kommunal", "interkommunal", "tjenester"]].sum()
print("\nTotals per round, beside the report's tjenester_totalt:")
show(services_totals.merge(published("tjenester_totalt").rename(columns={"value": "i_rapporten"}), on="round"))

# %%
fig, axes = plt.subplots(1, len(ROUNDS), figsize=(6 * len(ROUNDS), 4.5), squeeze=False)
for ax, rnd in zip(axes[0], ROUNDS):
    part = services_by_kind[services_by_kind["round"] == rnd].sort_values("tjenester")
    ax.barh(part["organisering"], part["kommunal"], color="#3b7a57", label="kommunal")
    ax.barh(part["organisering"], part["interkommunal"], left=part["kommunal"], color="#a3c4a8",
            label="interkommunal")
    ax.set_title(f"Runde {rnd}: inkluderte tjenester")
    ax.set_xlabel("antall tjenester")
    ax.legend(loc="lower right")
fig.tight_layout()
chart_services = save(fig, "services_by_organisation.png")

# %% [markdown]
# ## 3. Does KOSTRA agree? Frisklivssentraler in KOSTRA and in the kartlegging
#
# KOSTRA asks every kommune each year whether it has a frisklivssentral; the `kostra`
# table holds the statbank extracts as tidy rows (`region_code, region_level, year,
# variable, value, status, source_file`). The first query counts kommuner by their
# answer per year (Oslo answers per bydel; `region_level = 'kommune'` leaves the bydeler
# and the aggregate rows out). The second sets, per round, the kommuner covered by a
# frisklivssentral the kartlegging included against the disagreements the pipeline
# lists in `kostra_crosscheck` (KOSTRA read in the year nearest the round, in the
# round's kommune structure).
#
# A database built before the KOSTRA step existed has neither table: the cell then says
# so and skips its query.

# %%
kostra_by_year = None
if "kostra" not in TABLES:
    print("The kostra table is not in this database (no KOSTRA step in the run that built it): "
          "skipping KOSTRA by year.")
else:
    kostra_by_year = con.sql("""
        SELECT year,
               count(DISTINCT region_code) FILTER (WHERE value = 1) AS med_fls,
               count(DISTINCT region_code) FILTER (WHERE value = 0) AS uten_fls,
               count(DISTINCT region_code) FILTER (WHERE value IS NULL) AS uten_tall,
               count(DISTINCT region_code) AS kommuner
        FROM kostra
        WHERE variable = 'Frisklivssentral' AND region_level = 'kommune'
        GROUP BY year
        ORDER BY year
    """).df()
    show(kostra_by_year)

kartlegging_vs_kostra = None
if "kostra_crosscheck" not in TABLES:
    print("The kostra_crosscheck table is not in this database: skipping the comparison with the kartlegging.")
else:
    kartlegging_vs_kostra = con.sql("""
        WITH fls AS (
            SELECT sk.round, count(DISTINCT sk.kommunenummer) AS kommuner_fls_kartlegging
            FROM service_kommuner sk
            JOIN services s USING (round, service_id)
            WHERE s.inkludert = 'ja' AND s.organisering IN ('frisklivssentral', 'friskliv_og_mestring')
            GROUP BY sk.round
        ), avvik AS (
            SELECT round,
                   mode(kostra_aar) AS kostra_aar,
                   count(*) FILTER (WHERE avvik = 'fls_i_kartlegging_kostra_0') AS fls_men_kostra_0,
                   count(*) FILTER (WHERE avvik = 'fls_i_kartlegging_kostra_mangler') AS fls_kostra_mangler,
                   count(*) FILTER (WHERE avvik = 'kostra_fls_ingen_tjeneste') AS kostra_fls_uten_tjeneste
            FROM kostra_crosscheck
            GROUP BY round
        )
        SELECT r.round, fls.kommuner_fls_kartlegging, avvik.kostra_aar, avvik.fls_men_kostra_0,
               avvik.fls_kostra_mangler, avvik.kostra_fls_uten_tjeneste
        FROM (SELECT DISTINCT round FROM kommune_status) r
        LEFT JOIN fls USING (round)
        LEFT JOIN avvik USING (round)
        ORDER BY r.round
    """).df()
    show(kartlegging_vs_kostra)

# %%
if kostra_by_year is None and kartlegging_vs_kostra is None:
    chart_kostra = None
    print("No KOSTRA data in this database: no chart.")
else:
    fig, ax = plt.subplots(figsize=(8, 4.5))
    if kostra_by_year is not None:
        ax.plot(kostra_by_year["year"], kostra_by_year["med_fls"], marker="o", color="#3b7a57",
                label="KOSTRA: kommuner med frisklivssentral")
    if kartlegging_vs_kostra is not None:
        shown = kartlegging_vs_kostra.dropna(subset=["kostra_aar"])
        ax.scatter(shown["kostra_aar"], shown["kommuner_fls_kartlegging"], marker="s", s=60, color="#c0504d",
                   zorder=3, label="kartleggingen: kommuner dekket av en inkludert frisklivssentral")
        for _, row in shown.iterrows():
            ax.annotate(f"runde {row['round']}", (row["kostra_aar"], row["kommuner_fls_kartlegging"]),
                        textcoords="offset points", xytext=(6, -12), fontsize=8)
    ax.set_xlabel("år")
    ax.set_ylabel("kommuner")
    ax.set_ylim(bottom=0)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("Frisklivssentraler: KOSTRA og kartleggingen")
    fig.tight_layout()
    chart_kostra = save(fig, "kostra_vs_kartlegging.png")

# %% [markdown]
# The kartlegging counts a frisklivssentral only where it meets the survey's definition
# (group-based tilbud with equal user participation), so it finds far fewer than KOSTRA:
# most rows of `kostra_crosscheck` are kommuner that report a frisklivssentral to KOSTRA
# but have no included service. The report discusses the difference; this notebook only
# shows where to find it.

# %%
con.close()
