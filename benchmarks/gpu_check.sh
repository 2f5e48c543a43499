#!/usr/bin/env bash
# GPU check for a lent H100/H200 machine, in ONE call (the device budget is 15 minutes a task):
#   1. install carried wheels (.whl/*.whl, if any) into /tmp/site: faker, phonenumbers, ... (README)
#   2. nvidia-smi; onnxruntime's providers (CUDAExecutionProvider needs onnxruntime-gpu)
#   3. the GPU tests: pytest -m gpu
#   4. benchmarks/run.py --gpu --repeats 3 on a corpus big enough for ~1M tokens/s (10k docs, ~3.4M
#      tokens): one process, 4 and 8 worker processes, torch.compile, ONNX CUDA, the HF pipeline
#   5. results (+ worker logs as one .tgz) to $OUT when set; a short table printed last.
# Everything is bounded so the whole script ends under 8 minutes (BENCH_BUDGET_S, default 240 s for
# step 4: runs that would overrun it are skipped and the JSON says so; results are rewritten after
# every run, so a timeout keeps what was measured).
#
# Run it from the repository root (device tool: carry .whl and benchmarks/results/tmp):
#   bash benchmarks/gpu_check.sh
set -u
cd "$(dirname "$0")/.."
T0=$(date +%s)
PY=${PYTHON:-python3}
export PYTHONUNBUFFERED=1 OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"   # scanner importable without installing it
RES=${OUT:-benchmarks/results}            # result JSON/MD/PNG + LATEST-GPU.md
LOGS=${OUT:-benchmarks/results/tmp}        # logs (benchmarks/results/tmp is git-ignored)
mkdir -p "$RES" "$LOGS"
LOG="$LOGS/gpu_check.log"
say() { echo "== [$(( $(date +%s) - T0 ))s] $*" | tee -a "$LOG"; }

if compgen -G ".whl/*.whl" >/dev/null; then
  say "installing carried wheels"
  if $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl; then
    export PYTHONPATH="$PYTHONPATH:/tmp/site"
  else
    say "WARNING: carried wheels did not install"
  fi
fi

say "nvidia-smi"
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv 2>&1 | tee -a "$LOG"
$PY - <<'PY' 2>&1 | tee -a "$LOG"
import torch, transformers
print(f"python torch {torch.__version__} cuda {torch.version.cuda} available={torch.cuda.is_available()} "
      f"transformers {transformers.__version__}")
try:
    import onnxruntime as ort
    p = ort.get_available_providers()
    print(f"onnxruntime {ort.__version__} providers {p}")
    print("CUDAExecutionProvider: " + ("yes" if "CUDAExecutionProvider" in p else
          "NO (CPU build of onnxruntime; onnx-cuda will be reported unavailable)"))
except ImportError as e:
    print(f"onnxruntime missing: {e}")
for mod in ("faker", "phonenumbers", "datasets", "matplotlib", "psutil"):
    try:
        __import__(mod); print(f"{mod}: ok")
    except Exception as e:
        print(f"{mod}: MISSING ({type(e).__name__})")
PY

say "GPU tests: pytest -m gpu (the quick GPU benchmark test is left to step 4, which runs the same path)"
timeout "${TEST_TIMEOUT_S:-120}" $PY -m pytest -m gpu -q -p no:cacheprovider -x \
  -k "not test_quick_gpu_benchmark" 2>&1 | tail -25 | tee -a "$LOG"
echo "pytest exit: ${PIPESTATUS[0]}" | tee -a "$LOG"

ELAPSED=$(( $(date +%s) - T0 ))
BUDGET=${BENCH_BUDGET_S:-240}
LEFT=$(( 380 - ELAPSED ))          # no run starts after ~6.5 minutes; the timeout below caps the last
[ "$LEFT" -lt "$BUDGET" ] && BUDGET=$LEFT
[ "$BUDGET" -lt 60 ] && BUDGET=60
# The carried 20k-document corpus (benchmarks/README.md); --docs takes its first BENCH_DOCS documents.
CORPUS=${BENCH_CORPUS:-benchmarks/results/tmp/corpus-heldout-20000.jsonl.gz}
say "benchmark: --gpu --docs ${BENCH_DOCS:-10000} --repeats ${BENCH_REPEATS:-3}, budget ${BUDGET}s, corpus $CORPUS"
mkdir -p "$(dirname "$CORPUS")"
rm -rf /tmp/bench-logs; mkdir -p /tmp/bench-logs
timeout $(( BUDGET + 75 )) $PY benchmarks/run.py ${BENCH_GPU_FLAG---gpu} --repeats "${BENCH_REPEATS:-3}" \
  --docs "${BENCH_DOCS:-10000}" --long 4 --corpus "$CORPUS" --quality-docs "${BENCH_QUALITY_DOCS:-4000}" \
  --budget-s "$BUDGET" --worker-timeout 240 --out "$RES" --logs /tmp/bench-logs ${BENCH_ARGS:-} \
  > "$LOGS/bench.log" 2>&1
RC=$?
grep -E "^\[(bench|prepare)\]" "$LOGS/bench.log" | tee -a "$LOG"
tar czf "$LOGS/worker-logs.tgz" -C /tmp bench-logs 2>/dev/null
say "benchmark exit $RC (full output: bench.log; worker logs: worker-logs.tgz)"

LATEST=$(ls -t "$RES"/*.json 2>/dev/null | grep -v /quick- | head -1)
if [ -n "$LATEST" ]; then
  echo
  $PY benchmarks/run.py --show "$LATEST" | tee -a "$LOG"
else
  echo "no benchmark result written; tail of bench.log:"; tail -30 "$LOGS/bench.log"
fi
say "done"
