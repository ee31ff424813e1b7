#!/usr/bin/env bash
# Reproduce experiments/hapt_activity/results.md (CPU, 2 cores: ~8 min for the 10 6-class seeds,
# ~2 min for 12 classes, ~6 min for the ablations, ~30 min for leave-one-subject-out).
#   bash experiments/hapt_activity/run.sh [all|baseline|default|6class|6class_dev|12class|ablation|loso]
# Run from the repository root with lbpnet installed: pip install torch==2.13.0 -e '.[datasets,dev]'
set -euo pipefail
cd "$(dirname "$0")/../.."
export WANDB_MODE=offline
OUT=experiments/hapt_activity/results
LOGS=logs/experiments/hapt_activity
what="${1:-all}"

keep() {  # keep metrics.json and config.yaml of each run of a sweep; checkpoints stay in logs/
  local sweep=$1 name=$2
  rm -rf "$OUT/$name"
  for run in "$sweep"/*/; do
    [ -f "$run/metrics.json" ] || continue
    mkdir -p "$OUT/$name/$(basename "$run")"
    cp "$run/metrics.json" "$run/config.yaml" "$OUT/$name/$(basename "$run")/"
  done
}

if [[ $what == all || $what == baseline ]]; then
  python experiments/hapt_activity/random_forest.py experiment=hapt_activity preprocess=none "$OUT/random_forest_raw.json"
  python experiments/hapt_activity/random_forest.py experiment=hapt_activity "$OUT/random_forest_gravity.json"
fi
if [[ $what == all || $what == default ]]; then
  # the default run (lbpnet-train = experiment=hapt_activity: the patch Transformer recipe) at
  # seeds 0-9 and at the README's seed 42, two runs at a time, one thread each
  OMP_NUM_THREADS=1 lbpnet-train --multirun hydra/launcher=joblib hydra.launcher.n_jobs=2 \
    experiment=hapt_activity 'seed=0,1,2,3,4,5,6,7,8,9,42' hydra.sweep.dir=$LOGS/6class_default
  keep $LOGS/6class_default 6class_default
fi
if [[ $what == all || $what == 6class ]]; then
  # the CNN of the same recipe (the default before issue 10)
  lbpnet-train --multirun experiment=hapt_activity_cnn 'seed=range(10)' hydra.sweep.dir=$LOGS/6class
  keep $LOGS/6class 6class
  # two 5-seed ensembles (class probabilities averaged) of those runs
  python experiments/hapt_activity/ensemble.py "$OUT/ensemble_seeds_0-4.json" $LOGS/6class/{0..4}
  python experiments/hapt_activity/ensemble.py "$OUT/ensemble_seeds_5-9.json" $LOGS/6class/{5..9}
fi
if [[ $what == all || $what == 6class_dev ]]; then
  lbpnet-train --multirun experiment=hapt_activity_dev 'seed=0,1,2' hydra.sweep.dir=$LOGS/6class_dev
  keep $LOGS/6class_dev 6class_dev
fi
if [[ $what == all || $what == 12class ]]; then
  lbpnet-train --multirun experiment=hapt_activity12 'seed=0' hydra.sweep.dir=$LOGS/12class
  keep $LOGS/12class 12class
fi
if [[ $what == all || $what == ablation ]]; then
  # the same final fit without the random sensor rotations, and without the gravity/body channels
  lbpnet-train --multirun experiment=hapt_activity_cnn 'seed=0,1,2' task.augment.rotation=0 \
    hydra.sweep.dir=$LOGS/ablation_no_rotation
  keep $LOGS/ablation_no_rotation ablation_no_rotation
  lbpnet-train --multirun experiment=hapt_activity_cnn 'seed=0,1,2' preprocess=none \
    'task.augment.triples={imu: [[0, 1, 2], [3, 4, 5]]}' hydra.sweep.dir=$LOGS/ablation_raw_channels
  keep $LOGS/ablation_raw_channels ablation_raw_channels
fi
if [[ $what == all || $what == loso ]]; then
  lbpnet-train --multirun experiment=hapt_loso 'split.fold=range(30)' hydra.sweep.dir=$LOGS/loso
  keep $LOGS/loso loso
fi
python experiments/hapt_activity/collect.py
