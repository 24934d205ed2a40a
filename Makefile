# TruthGraph: `make demo` runs the main job, `make test` runs the checks CI runs.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test test-core print-core-python lint install docs clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=25.1"
	$(PY) -m pip install --quiet -e '.[api,reliability,train,plots,ray]' --group dev
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/truthgraph demo

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests scripts
	$(VENV)/bin/ruff format --check src tests scripts
	$(VENV)/bin/mypy
	$(VENV)/bin/mypy tests scripts
	$(VENV)/bin/lint-imports --no-cache

test: lint
	$(PY) -m pytest

# The core install (no torch: both models from the shipped int8 exports) on another Python:
# a fresh .venv-core with only the `api` extra, then the core tests. CI runs it after `make test`.
CORE_PYTHON ?= $(shell for p in python3.13 python3.12 $$HOME/.pyenv/versions/3.13*/bin/python $$HOME/.pyenv/versions/3.12*/bin/python; do $$p -c "import sys; assert sys.version_info >= (3, 12)" 2>/dev/null && { command -v $$p || echo $$p; } && break; done)
test-core:
	@test -n "$(CORE_PYTHON)" || { echo "test-core: no Python 3.12 or 3.13 found (set CORE_PYTHON)"; exit 1; }
	rm -rf .venv-core
	$(CORE_PYTHON) -m venv .venv-core
	.venv-core/bin/python -m pip install --quiet --upgrade "pip>=25.1"
	.venv-core/bin/python -m pip install --quiet '.[api]' "pytest>=8,<10"
	.venv-core/bin/python -c "import sys, importlib.util as u; print(sys.version.split()[0], 'torch installed:', u.find_spec('torch') is not None)"
	cd tests && ../.venv-core/bin/python -m pytest -q -p no:cacheprovider --rootdir=.. -c ../pyproject.toml core

# The docs site (offline): regenerate the reference pages, then build site/ with MkDocs Material.
docs: $(STAMP)
	$(PY) -m pip install --quiet --group docs
	$(PY) scripts/gen_docs.py
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

clean:
	rm -rf $(VENV) .venv-core .mypy_cache .ruff_cache .pytest_cache .import_linter_cache site

print-core-python:
	@echo $(CORE_PYTHON)
