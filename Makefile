# Two commands on a fresh machine (Python 3.11+ and make): `make demo` and `make test`.
# Each builds the virtual environment in .venv first if it is missing or out of date.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= out
# What the tests need (the dashboard without JupyterLab); `make lab` adds JupyterLab.
EXTRAS ?= dashboard,brief,explore,dev
WHEELHOUSE ?= wheelhouse
WHEEL_EXTRAS ?= dashboard,parquet

.PHONY: demo test lint format bench fuzz dataset lab wheel wheelhouse clean

$(BIN)/.installed: pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
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

## The dashboard notebook in JupyterLab (installs the [lab] extra on first use).
lab: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -e ".[lab]"
	$(BIN)/jupyter lab notebooks/dashboard.ipynb

## jjjplan's wheel and sdist in dist/.
wheel: $(BIN)/.installed
	$(BIN)/python -m build --no-isolation --outdir dist .

## Every wheel an offline install needs, in $(WHEELHOUSE)/ (PLATFORM=win_amd64 PYVER=3.11
## for another machine); then: pip install --no-index --find-links wheelhouse "jjjplan[dashboard]"
wheelhouse: $(BIN)/.installed
	$(BIN)/python tools/build_wheelhouse.py --out $(WHEELHOUSE) --extras $(WHEEL_EXTRAS) \
		$(if $(PLATFORM),--platform $(PLATFORM)) $(if $(PYVER),--python-version $(PYVER))

## Rebuild the bundled dataset from ../shared/data (needs the shared folder).
dataset: $(BIN)/.installed
	$(BIN)/python tools/build_dataset.py

clean:
	rm -rf $(VENV) $(OUT) $(WHEELHOUSE) dist build .pytest_cache .ruff_cache
