# Two commands do all the set-up on a fresh machine (python3 with venv, a C compiler, PyPI):
#   make demo   install alcheck into $(VENV) and check the bundled example files
#   make test   install alcheck with its compiled kernels, the test tools and Chromium (apt);
#               lint, type-check, test
# Both install the package non-editably (`pip install .`): with the src layout the tests
# import the installed package, so a missing compiled extension cannot hide.

VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
# benchmarks/ is linted once it exists (an empty folder is not in a clone).
LINT := src tests $(wildcard benchmarks)

.PHONY: demo test chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# --fail-on never: findings in the examples are the point of the demo, so they do not fail
# make (exit 1); a file alcheck cannot read still does (exit 2).
demo: $(BIN)/python
	$(BIN)/python -m pip install --quiet .
	$(BIN)/alcheck check --fail-on never examples/

# tests/test_stats_browser.py opens the stats page in Debian's headless Chromium at
# /usr/bin/chromium and fails, never skips, without it: install it when it is missing
# (about a minute), with sudo only when not root.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
		$$sudo apt-get update -q && \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium; \
	fi

# ALCHECK_IMPLEMENTATION=cython makes a failed build of an extension an error, and the
# import check below proves the installed package loads them.
test: $(BIN)/python chromium
	ALCHECK_IMPLEMENTATION=cython $(BIN)/python -m pip install --quiet ".[test,dask]"
	$(BIN)/python -c "import alcheck; assert alcheck.IMPLEMENTATION == 'cython', alcheck.IMPLEMENTATION"
	$(BIN)/ruff check $(LINT)
	$(BIN)/ruff format --check $(LINT)
	$(BIN)/mypy --strict src
	$(BIN)/pytest
