# The README's two commands: `make run` and `make test`. Both set up .venv first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CORES ?= 2
# Reproducible builds: the report's date and the PDF's timestamps come from SOURCE_DATE_EPOCH, by
# default the time of the checked-out commit (so the same code and inputs give the same bytes);
# outside a git checkout, 1 January 2015.
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 1420070400)
export PYTHONHASHSEED := 0
# openpyxl serialises workbooks with lxml when lxml is installed (it is: pikepdf, under the pdfua
# validator the tests use, needs it), and with the standard library otherwise; the bytes differ. The
# committed demo workbooks were written with the standard library writer, so keep to it.
export OPENPYXL_LXML := False

.PHONY: run test test-fast ruff venv demo-data demo-round-2024 lint clean bench review fuzz

$(STAMP): requirements.txt constraints.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || { \
		echo "error: $(PYTHON) is Python $$($(PYTHON) -c 'import platform; print(platform.python_version())'); the project needs 3.11: set PYTHON=/path/to/python3.11"; exit 1; }
	@if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then \
		echo "$(VENV) was made with another Python: recreating it"; rm -rf $(VENV); fi
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -c constraints.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

venv: $(STAMP)

# Snakemake reads profiles/default/config.yaml (a quiet console: one line per job, then the run's
# summary; the full job listing goes to .snakemake/log/). For its own console, add
# `--workflow-profile none` to a snakemake command.
run: $(STAMP)
	$(VENV)/bin/snakemake --cores $(CORES)

# Two tiers, both after `ruff check .`: `make test` runs everything (what CI runs, .ci/run);
# `make test-fast` leaves out the tests marked e2e or slow (Snakemake and whole-pipeline runs, the
# browser, the PDF/UA validator, other DuckDB clients, notebooks, the 2024 round, reproducibility).
test: ruff
	$(PY) -m pytest -q

test-fast: ruff
	$(PY) -m pytest -q -m "not e2e and not slow"

ruff: $(STAMP)
	$(VENV)/bin/ruff check .

# The open review items of a round, with excerpts read from the raw files, and an override skeleton for
# each: printed on the terminal only (the excerpts are personal data). `make review ROUND=2015`.
ROUND ?= 2015
review: $(STAMP)
	$(PY) -m kartlegging.infra.review $(ROUND)

lint: $(STAMP)
	$(VENV)/bin/snakemake --lint

demo-data: $(STAMP)
	$(PY) -m kartlegging_synth --out data/raw --round 2015 --seed 2015

# A second, SYNTHETIC demonstration round in the 2024 structure, kept out of the default run:
# writes data/raw/2024/, config/overrides/2024.yaml, config/register/2024.yaml and config/demo-2024.yaml
# (rounds 2015 and 2024; all gitignored, no tracked file changes), then runs the pipeline with that
# config. `$(PY) scripts/add_round.py --remove` takes the round out again.
DEMO_2024_CONFIG := config/demo-2024.yaml
demo-round-2024: $(STAMP)
	$(PY) scripts/add_round.py --round 2024 --seed 2024 --demo-config $(DEMO_2024_CONFIG)
	$(VENV)/bin/snakemake --cores $(CORES) --configfile $(DEMO_2024_CONFIG)

# Rerun and scaling benchmark (a few minutes): prints one table, writes benchmarks/RESULTS.md.
# Runs in a temporary folder; `$(PY) benchmarks/bench.py --help` for options (--quick: < 1 minute).
bench: $(STAMP)
	$(PY) benchmarks/bench.py

# Mutation fuzzing of every reader (tests/fuzz.py): N damaged copies of the demo files per reader, each
# outcome counted (ok, review, set aside, one-line error, crash, hang); exits non-zero on a crash or a hang
# and prints the seed of each. `make fuzz N=10000` is the recorded run (docs/FUZZING.md).
N ?= 1000
fuzz: $(STAMP)
	$(PY) tests/fuzz.py --n $(N)

clean:
	rm -rf data/processed logs .snakemake $(wildcard report/*/)
