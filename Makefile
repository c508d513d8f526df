# Two commands on a fresh machine (Python 3.11+ and make): `make demo` and `make test`.
# Each builds the virtual environment in .venv first if it is missing or out of date.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= out

.PHONY: demo test lint format bench fuzz dataset clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dashboard,dev]"
	touch $@

## Main job: build the shipped scenario workbooks' results and the comparison workbook.
demo: $(BIN)/.installed
	$(BIN)/jjjplan demo --out $(OUT)

## The test suite (slow fuzzing excluded; `make fuzz` runs it).
test: $(BIN)/.installed
	$(BIN)/ruff check jjjplan tests benchmarks tools
	$(BIN)/python -m pytest -m "not slow"

lint: $(BIN)/.installed
	$(BIN)/ruff check jjjplan tests benchmarks tools
	$(BIN)/ruff format --check jjjplan tests benchmarks tools

format: $(BIN)/.installed
	$(BIN)/ruff format jjjplan tests benchmarks tools
	$(BIN)/ruff check --fix jjjplan tests benchmarks tools

bench: $(BIN)/.installed
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b; done

fuzz: $(BIN)/.installed
	$(BIN)/python -m pytest -m slow

## Rebuild the bundled dataset from ../shared/data (needs the shared folder).
dataset: $(BIN)/.installed
	$(BIN)/python tools/build_dataset.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache
