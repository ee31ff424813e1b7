#!/usr/bin/env bash
# Reproduce experiments/architecture_benchmark/results.md: every registered architecture on
#   - UCI HAPT (real data; experiment=hapt_activity: UCI-HAR subject-disjoint split, its recipe), and
#   - SYNTHETIC movement-strategy detection (experiment=synthetic_strategy, split by patient),
# one seed each (HAPT seed 0, synthetic seed 42 = the default cohort), the same recipe and the
# same number of epochs for every architecture (HAPT_EPOCHS, default 5; SYNTHETIC_EPOCHS,
# default 2: CPU budget); then the speed of each architecture measured one after the other in
# one process (measure.py). A run whose results/<task>/<arch>/metrics.json exists is skipped
# (FORCE=1 reruns it).
#   bash experiments/architecture_benchmark/run.sh [all|train|measure|collect]
#   HAPT_EPOCHS=20 ARCHS="cnn tcn" bash experiments/architecture_benchmark/run.sh train
# CPU, 1 thread on a shared 2-core machine: ~60 min for the training, ~5 min for measure.py.
set -euo pipefail
cd "$(dirname "$0")/../.."
export WANDB_MODE=offline OMP_NUM_THREADS=1
OUT=experiments/architecture_benchmark/results
LOGS=logs/experiments/architecture_benchmark
ARCHS="${ARCHS:-cnn patch_transformer tcn inception_time deepconvlstm_shallow deepconvlstm}"
HAPT_EPOCHS="${HAPT_EPOCHS:-5}"
SYNTHETIC_EPOCHS="${SYNTHETIC_EPOCHS:-2}"
what="${1:-all}"

one() {  # one <task> <experiment> <arch> <overrides...>: train, keep metrics.json and config.yaml
  local task=$1 experiment=$2 arch=$3; shift 3
  local dir=$LOGS/$task/$arch
  if [[ -f $OUT/$task/$arch/metrics.json && -z ${FORCE:-} ]]; then return; fi
  lbpnet-train experiment=$experiment model=$arch "$@" \
    hydra.run.dir=$dir
  mkdir -p "$OUT/$task/$arch"
  cp "$dir/metrics.json" "$dir/config.yaml" "$OUT/$task/$arch/"
}

if [[ $what == all || $what == train ]]; then
  for arch in $ARCHS; do
    one hapt hapt_activity "$arch" seed=0 trainer.max_epochs=$HAPT_EPOCHS
  done
  for arch in $ARCHS; do
    # synthetic_strategy's protocol before issue 10 (24 patients, one stratified holdout),
    # with which results.md was recorded
    one synthetic synthetic_strategy "$arch" split=holdout '~split.k' '~split.fold' \
      data.n_patients=24 split.test_fraction=0.25 split.val_fraction=0.2 \
      trainer.max_epochs=$SYNTHETIC_EPOCHS
  done
fi
if [[ $what == all || $what == measure ]]; then
  python experiments/architecture_benchmark/measure.py "$OUT/speed.json"
fi
python experiments/architecture_benchmark/collect.py
