# TruthGraph: `make demo` runs the main job, `make test` runs the checks CI runs.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint install clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=25.1"
	$(PY) -m pip install --quiet -e '.[api]' --group dev
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

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
