#!/usr/bin/env bash
# Reproduce experiments/feature_baseline/results.md (one thread; on a shared 2-core CPU:
# HAPT ~1 min, simulator ~7 min). Run from the repository root with lbpnet installed:
#   pip install torch==2.13.0 -e '.[datasets,dev]'
set -euo pipefail
cd "$(dirname "$0")/../.."
export WANDB_MODE=offline OMP_NUM_THREADS=1
OUT=experiments/feature_baseline/results
mkdir -p "$OUT"
python experiments/feature_baseline/feature_baseline.py hapt "$OUT/hapt.json"
python experiments/feature_baseline/feature_baseline.py synthetic "$OUT/synthetic_difficulty_1.0.json"
python experiments/feature_baseline/collect.py
python experiments/feature_baseline/validation.py
