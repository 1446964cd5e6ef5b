# Two commands do all set-up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# Find a Python 3.13: $PYTHON, else the first candidate that really runs 3.13+: a pyenv install
# (pyenv's shim alone may point at another version), then python3.13 / python3 on PATH.
PYTHON ?= $(shell for candidate in $$(ls -d $$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)/versions/3.1[3-9]*/bin/python3 2>/dev/null | sort -V -r) $$(command -v python3.13) $$(command -v python3); do \
	"$$candidate" -c 'import sys; assert sys.version_info[:2] >= (3, 13)' >/dev/null 2>&1 && echo "$$candidate" && break; done)

.PHONY: run test venv clean benchmark

$(VPY):
	@if [ -z "$(PYTHON)" ] || ! "$(PYTHON)" -c 'import sys; assert sys.version_info[:2] >= (3, 13)' 2>/dev/null; then \
	  echo "error: Python 3.13 not found. Install it (e.g. 'pyenv install 3.13' or your OS package) or run 'make PYTHON=/path/to/python3.13 ...'." >&2; exit 1; fi
	"$(PYTHON)" -m venv $(VENV)

$(STAMP): $(VPY) pyproject.toml
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/mmm run

test: $(STAMP)
	$(VPY) -m pytest --cov --cov-report=term --cov-fail-under=80 $(PYTEST_ARGS)

benchmark: $(STAMP)
	$(VENV)/bin/mmm benchmark

clean:
	rm -rf $(VENV) data/raw data/processed outputs
