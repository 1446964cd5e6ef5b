# Two commands do all set-up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# Find a Python 3.13: $PYTHON, else the first candidate that really runs 3.13+: a pyenv install
# (pyenv's shim alone may point at another version), then python3.13 / python3 on PATH.
PYTHON ?= $(shell for candidate in $$(ls -d $$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)/versions/3.1[3-9]*/bin/python3 2>/dev/null | sort -V -r) $$(command -v python3.13) $$(command -v python3); do \
	"$$candidate" -c 'import sys; assert sys.version_info[:2] >= (3, 13)' >/dev/null 2>&1 && echo "$$candidate" && break; done)

.PHONY: run test lint venv clean benchmark lock

$(VPY):
	@if [ -z "$(PYTHON)" ] || ! "$(PYTHON)" -c 'import sys; assert sys.version_info[:2] >= (3, 13)' 2>/dev/null; then \
	  echo "error: Python 3.13 not found. Install it (e.g. 'pyenv install 3.13' or your OS package) or run 'make PYTHON=/path/to/python3.13 ...'." >&2; exit 1; fi
	"$(PYTHON)" -m venv $(VENV)

# Dependencies come from the lock file (exact versions); the package itself is installed editable.
$(STAMP): $(VPY) pyproject.toml requirements.lock
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -r requirements.lock
	$(VPY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/mmm run

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests scripts
	$(VENV)/bin/ruff format --check src tests scripts
	$(VENV)/bin/mypy

test: lint
	$(VPY) -m pytest --cov --cov-report=term --cov-fail-under=80 $(PYTEST_ARGS)

benchmark: $(STAMP)
	$(VENV)/bin/mmm benchmark

# Re-resolve the dependencies of pyproject.toml in a scratch venv and pin them.
lock:
	rm -rf .venv-lock && "$(PYTHON)" -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet -e ".[test]"
	{ echo "# Pinned versions of every package 'make' installs (runtime and test extras)."; \
	  echo "# Regenerate with 'make lock' after changing the dependencies in pyproject.toml."; \
	  .venv-lock/bin/python -m pip freeze --exclude-editable | grep -v -i '^mmm.analytics'; } > requirements.lock
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) data/raw data/processed outputs
