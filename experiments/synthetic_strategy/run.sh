#!/usr/bin/env bash
# Reproduce experiments/synthetic_strategy/results.md (SYNTHETIC data; CPU, 2 cores: ~10 min).
# Run from the repository root with lbpnet installed: pip install torch==2.13.0 -e '.[datasets,dev]'
set -euo pipefail
cd "$(dirname "$0")/../.."
export WANDB_MODE=offline
OUT=experiments/synthetic_strategy/results
LOGS=logs/experiments/synthetic_strategy
mkdir -p "$OUT"
for difficulty in 0.5 1.0 2.0; do
  python experiments/synthetic_strategy/feature_baseline.py experiment=synthetic_strategy \
    data.difficulty=$difficulty "$OUT/features_difficulty_$difficulty.json"
done
lbpnet-train experiment=synthetic_strategy hydra.run.dir=$LOGS/deep_difficulty_1.0
mkdir -p "$OUT/deep_difficulty_1.0"
cp $LOGS/deep_difficulty_1.0/metrics.json $LOGS/deep_difficulty_1.0/config.yaml "$OUT/deep_difficulty_1.0/"
python experiments/synthetic_strategy/collect.py
