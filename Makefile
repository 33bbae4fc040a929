# One command each: `make demo` (set up and run the demo) and `make test` (set up and test).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SPARK  := $(VENV)/.spark
NPM    ?= npm

STATIC := src/consortia/pack/static
# The NHS design system's built styles and the chart libraries' minified scripts, from the npm
# registry at the versions package.json pins (never committed): the pack inlines them. The
# copied package.json files record the versions.
ASSETS := $(STATIC)/nhsuk-frontend/package.json

.PHONY: demo test lint bench docs clean assets fuzz

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

# Spark, for the tests that run every spec on it too (not needed by the demo).
$(SPARK): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,spark]'
	@touch $(SPARK)

assets: $(ASSETS)

$(ASSETS): package.json package-lock.json
	@command -v $(NPM) >/dev/null || { echo "npm is needed to fetch the NHS design system and chart libraries for the pack: install it (Debian: apt-get install npm) and run make assets" >&2; exit 1; }
	$(NPM) ci --no-audit --no-fund --ignore-scripts --loglevel=error
	rm -rf $(STATIC)/nhsuk-frontend
	mkdir -p $(STATIC)/nhsuk-frontend/images
	cp node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css $(STATIC)/nhsuk-frontend/
	cp node_modules/nhsuk-frontend/dist/nhsuk/assets/images/nhsuk-icon-*.svg $(STATIC)/nhsuk-frontend/images/
	rm -rf $(STATIC)/vega
	mkdir -p $(STATIC)/vega/vega $(STATIC)/vega/vega-lite
	cp node_modules/vega/build/vega.min.js node_modules/vega/package.json node_modules/vega/LICENSE $(STATIC)/vega/vega/
	cp node_modules/vega-lite/build/vega-lite.min.js node_modules/vega-lite/package.json node_modules/vega-lite/LICENSE $(STATIC)/vega/vega-lite/
	cp node_modules/nhsuk-frontend/package.json $(ASSETS)

# The package compiled to bytecode up front, as pip does for installed packages: an editable
# install is otherwise compiled at each start where PYTHONDONTWRITEBYTECODE is set (~0.3 s).
demo: $(STAMP) $(ASSETS)
	$(BIN)/python -m compileall -q src/consortia >/dev/null
	$(BIN)/consortia demo

test: $(STAMP) $(SPARK) $(ASSETS)
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# A million inputs through ingest's readers, coverage-guided (atheris): the extended profile.
fuzz: $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,fuzz]'
	$(BIN)/python bench/fuzz_ingest.py --runs 1000000

docs: $(STAMP)
	$(BIN)/consortia docs --out docs

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) demo-data build *.egg-info node_modules $(STATIC)
