#!/usr/bin/env bash
# Reproduce experiments/synthetic_trajectory/results.md (SYNTHETIC data; CPU, 2 shared cores:
# ~25 min, of which ~3 min generate the 80-patient cohort once into ~/.cache/lbpnet).
# Run from the repository root with lbpnet installed: pip install torch==2.13.0 -e '.[datasets,dev]'
set -euo pipefail
cd "$(dirname "$0")/../.."
export WANDB_MODE=offline OMP_NUM_THREADS=1
OUT=experiments/synthetic_trajectory/results
LOGS=logs/experiments/synthetic_trajectory
SEEDS=${SEEDS:-42}         # e.g. SEEDS="7 8" KS=2: more seeds (other folds and inits) for k = 2
KS=${KS:-1,2,3}
mkdir -p "$OUT"
# three input variants x k = 1, 2, 3 observed sessions x 5 patient folds (x seeds); one
# lbpnet-train -m process per variant and seed (Hydra's basic launcher runs the jobs in turn)
declare -A VARIANTS=(
  [pro_and_measure_change]="data.module.measures_as=change"
  [pro_only]="data.module.feature_groups=[pro,time]"
  [pro_and_measure_level]="data.module.measures_as=level"
)
for variant in pro_and_measure_change pro_only pro_and_measure_level; do
  for seed in $SEEDS; do
    lbpnet-train -m experiment=synthetic_trajectory logger=none seed=$seed ${VARIANTS[$variant]} \
      data.module.observed_sessions=$KS split.fold=0,1,2,3,4 \
      hydra.sweep.dir=$LOGS/$variant/seed$seed \
      'hydra.sweep.subdir=k${data.module.observed_sessions}_fold${split.fold}'
    for run in $LOGS/$variant/seed$seed/k*_fold*; do
      dest="$OUT/$variant/seed$seed/$(basename "$run")"
      mkdir -p "$dest"
      cp "$run/metrics.json" "$run/config.yaml" "$dest/"
    done
  done
done
python experiments/synthetic_trajectory/collect.py
