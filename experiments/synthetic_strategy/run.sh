#!/usr/bin/env bash
# Reproduce experiments/synthetic_strategy/results.md (SYNTHETIC data; CPU, 2 cores: ~20 min).
# Run from the repository root with lbpnet installed: pip install torch==2.13.0 -e '.[datasets,dev]'
# Protocol: experiment=synthetic_strategy is fold 0 of 4 (40 patients, stratified by phenotype);
# every model is run on the 4 folds and reported as mean ± sd (see README.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
export WANDB_MODE=offline OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
HERE=experiments/synthetic_strategy
OUT=$HERE/results
LOGS=logs/experiments/synthetic_strategy
mkdir -p "$OUT"
# no training: positive patients per strategy and side, the first protocol (one 24-patient
# holdout, stratified) against the 4 folds
python $HERE/positives.py "$OUT/positives_holdout24.json" experiment=synthetic_strategy \
  data.n_patients=24 split=holdout "~split.k" "~split.fold" split.test_fraction=0.25 \
  split.val_fraction=0.2 \
  split.stratify=patient.phenotype
python $HERE/positives.py "$OUT/positives_kfold40.json" experiment=synthetic_strategy
python $HERE/feature_baseline.py experiment=synthetic_strategy "$OUT/features_difficulty_1.0.json"
rm -rf "$OUT/deep_difficulty_1.0"
for fold in 0 1 2 3; do
  lbpnet-train experiment=synthetic_strategy split.fold=$fold \
    hydra.run.dir=$LOGS/deep_difficulty_1.0/fold_$fold
  mkdir -p "$OUT/deep_difficulty_1.0/fold_$fold"
  cp $LOGS/deep_difficulty_1.0/fold_$fold/metrics.json \
    $LOGS/deep_difficulty_1.0/fold_$fold/config.yaml "$OUT/deep_difficulty_1.0/fold_$fold/"
done
for difficulty in 0.5 2.0; do    # the difficulty knob (features only: a new cohort each)
  python $HERE/feature_baseline.py experiment=synthetic_strategy \
    data.difficulty=$difficulty "$OUT/features_difficulty_$difficulty.json"
done
python $HERE/collect.py
