# TruthGraph: `make demo` runs the main job, `make test` runs the checks CI runs.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint install docs clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=25.1"
	$(PY) -m pip install --quiet -e '.[api,reliability,ray]' --group dev
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

# The docs site (offline): regenerate the reference pages, then build site/ with MkDocs Material.
docs: $(STAMP)
	$(PY) -m pip install --quiet --group docs
	$(PY) scripts/gen_docs.py
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .import_linter_cache site
