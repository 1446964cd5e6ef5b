# Two commands do all set-up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# Find a Python 3.13: $PYTHON, else the first candidate that really runs 3.13+: a pyenv install
# (pyenv's shim alone may point at another version), then python3.13 / python3 on PATH.
PYTHON ?= $(shell for candidate in $$(ls -d $$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)/versions/3.1[3-9]*/bin/python3 2>/dev/null | sort -V -r) $$(command -v python3.13) $$(command -v python3); do \
	"$$candidate" -c 'import sys; assert sys.version_info[:2] >= (3, 13)' >/dev/null 2>&1 && echo "$$candidate" && break; done)

.PHONY: run test test-slow lint venv clean benchmark lock

$(VPY):
	@if [ -z "$(PYTHON)" ] || ! "$(PYTHON)" -c 'import sys; assert sys.version_info[:2] >= (3, 13)' 2>/dev/null; then \
	  echo "error: Python 3.13 not found. Install it (e.g. 'pyenv install 3.13' or your OS package) or run 'make PYTHON=/path/to/python3.13 ...'." >&2; exit 1; fi
	"$(PYTHON)" -m venv $(VENV)

# Dependencies come from the lock file (exact versions, checked against their hashes); the
# package itself is installed editable, without resolving anything else.
$(STAMP): $(VPY) pyproject.toml requirements.lock
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet --require-hashes -r requirements.lock
	$(VPY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/mmm run

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests scripts
	$(VENV)/bin/ruff format --check src tests scripts
	$(VENV)/bin/mypy

# The suite without the end-to-end runs marked slow (whole pipelines and `mmm run`, interrupts, Ray form choice,
# trainings through the large-panel and lift-test paths); `make test-slow` runs those.
test: lint
	$(VPY) -m pytest -m "not slow" --cov --cov-report=term --cov-fail-under=80 $(PYTEST_ARGS)

test-slow: $(STAMP)
	$(VPY) -m pytest -m slow $(PYTEST_ARGS)

benchmark: $(STAMP)
	$(VENV)/bin/mmm benchmark

# Upgrade: re-resolve pyproject.toml's dependencies (runtime, test and ray extras) to their newest
# versions with pip-tools in a scratch venv, and pin them with hashes.
lock:
	rm -rf .venv-lock && "$(PYTHON)" -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip pip-tools
	.venv-lock/bin/pip-compile --quiet --generate-hashes --allow-unsafe --no-strip-extras --no-header \
	  --no-annotate --extra test --extra ray --output-file .venv-lock/requirements.lock pyproject.toml
	{ echo "# Exact versions and hashes of every package 'make' installs (runtime, test and ray extras),"; \
	  echo "# resolved from pyproject.toml. Upgrade them all with 'make lock' (pip-tools), then run 'make test'."; \
	  echo; grep -v -e '^--' .venv-lock/requirements.lock; } > requirements.lock
	$(MAKE) requirements.txt
	rm -rf .venv-lock

# `pip install -r requirements.txt`: the project itself (editable) and the lock's exact versions, without
# hashes (pip cannot check hashes and install a local folder in one command; `make` checks them).
requirements.txt: requirements.lock
	{ echo "# pip install -r requirements.txt: this project (editable, with its 'mmm' command) and exactly the versions"; \
	  echo "# of requirements.lock (runtime, test and ray extras). 'make' installs the same versions from requirements.lock"; \
	  echo "# checked against their hashes (pip cannot check hashes and install a local folder in one command)."; \
	  echo "# Written by 'make lock' from requirements.lock; do not edit by hand."; \
	  echo "-e ."; grep -E '^[A-Za-z0-9]' requirements.lock | sed 's/ *\\$$//'; } > requirements.txt

clean:
	rm -rf $(VENV) data/raw data/processed outputs
