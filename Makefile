# planeval. Quick start on a fresh Debian machine: `make report`, `make test`. `make` lists targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
YEAR ?= 2023
UV_VERSION := 0.13.9
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_STAMP := $(VENV)/.uv-$(UV_VERSION)
STAMP := $(VENV)/.stamp
NBVAL_FLAGS ?= -p no:cacheprovider --nbval-lax --nbval-current-env
# The machine exports PYTHONDONTWRITEBYTECODE=1; without precompiled bytecode notebooks run ~2x slower.
export UV_COMPILE_BYTECODE := 1

.PHONY: help env sysdeps report test lab notebooks lock bench calibrate clean

help: ## list the targets
	@echo "make <target>   (YEAR=$(YEAR), PYTHON=$(PYTHON))"
	@awk -F ':.*## ' '/^[a-z]+:.*## / {printf "  %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

env: $(STAMP) ## create .venv from requirements.lock with the pinned uv; install planeval

$(UV_STAMP):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "error: planeval needs Python >= 3.11, but '$(PYTHON)' is: $$($(PYTHON) -V 2>/dev/null || echo not found)." >&2; \
	  echo "Install Python 3.11+ or point make at one: make PYTHON=/path/to/python3.11 ..." >&2; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "'$(PYTHON) -m venv' failed; on Debian/Ubuntu it needs the python3-venv package." >&2; \
	  scripts/sysdeps.sh --venv && $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }; }
	$(PY) -m pip install -q uv==$(UV_VERSION)
	rm -f $(VENV)/.uv-* && touch $@

$(STAMP): requirements.lock pyproject.toml $(UV_STAMP)
	$(UV) pip sync --python $(PY) requirements.lock
	$(UV) pip install --python $(PY) --no-deps -e .
	touch $@

sysdeps: ## install missing Debian packages (fonts, pango, poppler); no-op when present
	@scripts/sysdeps.sh

report: env sysdeps ## build the report: make report YEAR=2023
	$(PY) run_all.py --year $(YEAR)

# No `|| true` anywhere: pytest's exit code 5 (nothing collected) fails the build, as it should.
# Agg for the unit tests only: kernels inherit the environment, ipykernel picks its inline backend
# only when MPLBACKEND is unset, and under Agg the figures vanish from the outputs nbval checks.
test: env sysdeps ## unit tests, then every notebook under nbval
	MPLBACKEND=Agg $(PY) -m pytest -n 2 tests
	env -u MPLBACKEND $(PY) -m pytest $(NBVAL_FLAGS) notebooks/

lab: env ## open the notebooks in JupyterLab
	$(VENV)/bin/jupyter lab notebooks/

notebooks: env sysdeps ## re-execute notebooks/ on their defaults; store the outputs nbval compares
	env -u MPLBACKEND $(PY) scripts/refresh_notebooks.py

lock: $(UV_STAMP) ## re-resolve requirements.lock from requirements.in; regenerate environment.yml
	$(UV) pip compile --quiet requirements.in --python-version 3.11 --generate-hashes -o requirements.lock
	$(PY) scripts/sync_environment.py

bench: env sysdeps ## time the report pipeline
	$(PY) bench/run.py

calibrate: env ## learn the forecast's error spread on M1+Tourism yearly series; check on M3 (writes calibration/)
	$(PY) scripts/calibrate.py

# Excel: the data as one workbook and back (the workbook's sheets are validated before any CSV is written).
BOOK ?= data.xlsx
.PHONY: workbook csv template
workbook: env ## write data/*.csv into one Excel workbook: make workbook BOOK=data.xlsx
	$(PY) -m planeval.inputs.workbook export data $(BOOK)

csv: env ## write a workbook's sheets back into data/*.csv: make csv BOOK=data.xlsx
	$(PY) -m planeval.inputs.workbook import $(BOOK) data

template: env ## regenerate data/template.xlsx (empty sheets with drop-down lists)
	$(PY) -m planeval.inputs.workbook template data data/template.xlsx

clean: ## remove .venv, report outputs and caches (keeps reports/README.md)
	rm -rf $(VENV) .pytest_cache .hypothesis .cache bench/out *.egg-info
	[ ! -d reports ] || find reports -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +
	find . -path ./.git -prune -o \( -name __pycache__ -o -name .ipynb_checkpoints \) -type d -prune -exec rm -rf {} +
