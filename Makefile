# The README's two commands: `make run` and `make test`. Both set up .venv first.
# The interpreter: PYTHON=... when given, else the newest of python3.13, python3.12 and python3.11 that
# runs (each is tried, not only looked up: pyenv puts a shim on the PATH for versions that are not
# active), else a python3 of 3.11 to 3.13. The .venv is made with it, and made again when it changes.
PY_SUPPORTED := import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell for p in python3.13 python3.12 python3.11 python3; do \
	if $$p -c '$(PY_SUPPORTED)' >/dev/null 2>&1; then command -v $$p; break; fi; done)
endif
PYVER := $(if $(PYTHON),$(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null))
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
VENV_PYTHON := $(VENV)/.python-$(or $(PYVER),none)
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

.PHONY: run test test-fast ruff venv demo-data demo-round-2024 lint clean bench review a11y-deps print-python \
	compare-pythons new-round letters reminders phone-list interview-workbooks fuzz

$(VENV_PYTHON):
	@test -n "$(PYTHON)" || { echo "error: no Python 3.11, 3.12 or 3.13 found on the PATH; set PYTHON=/path/to/python3.13"; exit 1; }
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; set PYTHON=/path/to/python3.13 (3.11 to 3.13)"; exit 1; }
	@$(PYTHON) -c '$(PY_SUPPORTED)' || { \
		echo "error: $(PYTHON) is Python $$($(PYTHON) -c 'import platform; print(platform.python_version())'); the project needs 3.11, 3.12 or 3.13: set PYTHON=/path/to/python3.13"; exit 1; }
	@if [ -x $(PY) ] && [ "$$($(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])')" != "$(PYVER)" ]; then \
		echo "$(VENV) was made with another Python: making it again with $(PYTHON) ($(PYVER))"; rm -rf $(VENV); fi
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	rm -f $(VENV)/.python-*
	touch $@

$(STAMP): requirements.txt constraints.txt pyproject.toml $(VENV_PYTHON)
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
test: ruff a11y-deps
	$(PY) -m pytest -q

# The fast tier runs on $(CORES) workers (pytest-xdist): its tests share no state; the full suite stays in one
# process, where the session's demo run is built once.
test-fast: ruff
	$(PY) -m pytest -q -n $(CORES) -m "not e2e and not slow"

# The browser tier's accessibility test runs axe-core (npm, pinned in tests/a11y/package-lock.json) inside
# Debian's Chromium; npm ci fetches only that JavaScript file's package, never a browser.
AXE := tests/a11y/node_modules/axe-core/axe.min.js
a11y-deps: $(AXE)

$(AXE): tests/a11y/package.json tests/a11y/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "error: npm not found (apt-get install -y npm); the accessibility test needs axe-core"; exit 1; }
	npm ci --prefix tests/a11y --no-audit --no-fund --ignore-scripts --silent
	touch $(AXE)

ruff: $(STAMP)
	$(VENV)/bin/ruff check .

# The open review items of a round, with excerpts read from the raw files, and an override skeleton for
# each: printed on the terminal only (the excerpts are personal data). `make review ROUND=2015`.
ROUND ?= 2015
review: $(STAMP)
	$(PY) -m kartlegging.infra.review $(ROUND)

# The commands that prepare and follow a survey round (README "Adding a round", docs/INPUTS.md): they
# write under data/raw/<round>/ (personal data, gitignored) and print counts and paths only.
#   make new-round ROUND=2026 [DATE=2026-09-01] [REPLY_BY=2026-11-30]
#   make letters ROUND=2026 [SENDT=2026-10-01] [FORCE=1]   then, after the deadline:
#   make phone-list ROUND=2026 [SENDT=...] [FORCE=1]      (also writes reminders; or make reminders ROUND=...)
#   make interview-workbooks ROUND=2026
new-round: SURVEY_ARGS = $(if $(DATE),--date $(DATE)) $(if $(REPLY_BY),--reply-by $(REPLY_BY))
letters phone-list: SURVEY_ARGS = $(if $(FORCE),--force) $(if $(SENDT),--sendt $(SENDT))
reminders: SURVEY_ARGS = $(if $(SENDT),--sendt $(SENDT))
new-round letters reminders phone-list interview-workbooks: $(STAMP)
	@if [ "$(origin ROUND)" = "file" ]; then echo "usage: make $@ ROUND=<round>, e.g. make $@ ROUND=2026"; exit 2; fi
	$(PY) -m kartlegging.survey $@ $(ROUND) $(SURVEY_ARGS)

# The interpreter the venv is made with (see PYTHON above).
print-python:
	@echo $(PYTHON)

# Outputs of the demo run under every Python 3.11-3.13 found, compared byte for byte (a few minutes per
# version; each gets its own venv under .venv-pythons/): writes benchmarks/PYTHON_VERSIONS.md.
compare-pythons: $(STAMP)
	$(PY) benchmarks/python_versions.py

lint: $(STAMP)
	$(VENV)/bin/snakemake --lint

demo-data: $(STAMP)
	$(PY) -m kartlegging_synth --out data/raw --round 2015 --seed 2015

# A second, SYNTHETIC demonstration round in the 2024 structure, kept out of the default run:
# writes data/raw/2024/, config/overrides/2024.yaml, config/register/2024.yaml, config/tekst/2024/ and config/demo-2024.yaml
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
