# Tsunagu — the two commands of the README are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
PORT ?= 8000
# Leaflet for the pages, from the npm registry (web/static/package-lock.json), served locally
NODE_STAMP := web/static/node_modules/.package-lock.json

.PHONY: run test lint typecheck unit bench clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

$(NODE_STAMP): web/static/package.json web/static/package-lock.json
	cd web/static && npm ci --no-audit --no-fund

## run: set up, build the demo city and serve the API on it (prints the URL and demo tokens)
run: $(STAMP) $(NODE_STAMP)
	$(BIN)/tsunagu demo
	$(BIN)/tsunagu serve --host 127.0.0.1 --port $(PORT)

## test: set up and run every check (ruff, mypy, pytest)
test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) $(NODE_STAMP)
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var build *.egg-info .mypy_cache .ruff_cache .pytest_cache
