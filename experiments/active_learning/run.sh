#!/usr/bin/env bash
# Active learning on real UCI HAPT: 5 strategies x 3 seeds (run.py), then collect.py.
# Budget: per run 6 training rounds of 50 AdamW steps (batch 32) on one CPU thread; two seeds
# run side by side (seeds 0 and 1, then 2).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=experiments/active_learning/runs
mkdir -p "$OUT"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} WANDB_MODE=offline
python experiments/active_learning/run.py 0 "$OUT" &    # skips strategies already done
python experiments/active_learning/run.py 1 "$OUT"
wait
python experiments/active_learning/run.py 2 "$OUT"
python experiments/active_learning/collect.py
