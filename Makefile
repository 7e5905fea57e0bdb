# The two commands of the README: `make book` and `make test`.
# Each creates .venv from requirements.txt on a fresh machine and reuses it afterwards
# (the stamp file is rebuilt whenever requirements.txt or pyproject.toml change).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(BIN):$(PATH)
NOTEBOOKS := $(sort $(wildcard book/*.ipynb))

.PHONY: book test validate-matrix notebooks lab bench bench-contention bench-sweep sweep clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

book: $(STAMP)
	$(BIN)/jupyter-book build . --builder html -W -n --keep-going

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest tests $(NOTEBOOKS) --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg

# nbval on every chapter under each configuration of tests/tools/validate_matrix.sh (threads,
# OpenBLAS kernels, Numba compile target): no printed digit may depend on the machine.
validate-matrix: $(STAMP)
	tests/tools/validate_matrix.sh

# Regenerate every chapter notebook from its MyST source and execute it in place.
notebooks: $(STAMP)
	$(BIN)/python tests/tools/refresh_notebooks.py book/*.md

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
	$(BIN)/python benchmarks/bench_sweep.py

# A sweep (README.md, "Sweeps"): make sweep SPEC=sweeps/lam_beta.toml STORE=runs/lam_beta,
# optionally WORKERS=N (local cluster) or SCHEDULER=tcp://HOST:8786 (a running Dask scheduler).
sweep: $(STAMP)
	@test -n "$(SPEC)" -a -n "$(STORE)" || { echo "usage: make sweep SPEC=FILE.toml STORE=DIR" \
		"[WORKERS=N | SCHEDULER=tcp://HOST:8786]"; exit 2; }
	$(BIN)/python -m lib.sweep run $(SPEC) --store $(STORE) \
		$(if $(WORKERS),--workers $(WORKERS)) $(if $(SCHEDULER),--scheduler $(SCHEDULER))

clean:
	rm -rf _build
