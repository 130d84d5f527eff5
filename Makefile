# dtolab developer commands. Everything runs from the virtual environment in .venv/.
#   make up      install, build the demo catalogue, start the embedded stack + JupyterLab
#   make hub     the same stack behind JupyterHub (OpenID Connect login, Dask Gateway)
#   make down    stop the stack
#   make test    install, lint, and run every test (unit, integration, browser)
#   make bench   run the benchmarks (results go in BENCHMARKS.md)
#   make lock    regenerate the images' and Binder's lock files (images/lock.py)

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.dtolab-installed
JLPM := $(VENV)/bin/jlpm
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

# Everything the installed package is built from: a change here re-runs the (editable) install.
SOURCES := pyproject.toml package.json yarn.lock tsconfig.json hub-config/node/package-lock.json \
	$(shell find extension/src extension/style -type f 2>/dev/null)

.PHONY: install system-packages up hub down status test lint test-python bench lock clean

install: $(STAMP)

system-packages:
	@scripts/system-packages.sh

$(STAMP): $(SOURCES) scripts/system-packages.sh
	@scripts/system-packages.sh
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# A reinstall writes install.json through the develop link below into the build folder,
	@# which the wheel would then hold twice: drop both before installing again.
	rm -f $(VENV)/share/jupyter/labextensions/dtolab server/dtolab/labextension/install.json
	CI=true $(PY) -m pip install --quiet -e ".[stack,hub,test]"
	@# The hub's node programs (OpenID Connect provider, configurable-http-proxy), from the lock.
	npm ci --prefix hub-config/node --no-audit --no-fund --loglevel=error
	@# Link the built extension into the environment so that `jlpm build` is enough after edits.
	$(VENV)/bin/jupyter-builder develop --overwrite . >/dev/null
	@touch $(STAMP)

up: install
	$(VENV)/bin/dtolab up --detach

hub: install
	$(VENV)/bin/dtolab hub --detach

down:
	@test -x $(VENV)/bin/dtolab && $(VENV)/bin/dtolab down || true

status:
	@$(VENV)/bin/dtolab status

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(JLPM) run lint:check

test-python: install
	mkdir -p test-output
	$(VENV)/bin/pytest

test: lint test-python

bench: install
	$(PY) benchmarks/run.py

lock: install
	$(PY) images/lock.py

clean:
	rm -rf $(VENV) node_modules hub-config/node/node_modules extension/lib server/dtolab/labextension server/dtolab/_version.py
