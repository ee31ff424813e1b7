#!/usr/bin/env bash
# The foundation recipe at its full budget (experiment=hapt_activity: 20 epochs, final fit on the
# 21 training subjects, UCI-HAR test subjects) for the architectures that came closest to the
# CNN at the 5-epoch budget of run.sh, several seeds each; collect_full.py writes the table.
#   ARCHS="patch_transformer tcn" SEEDS="0 1 2" bash experiments/architecture_benchmark/full_budget.sh
# CPU, 1 thread per run: ~2-4 min per run on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
export WANDB_MODE=offline OMP_NUM_THREADS=1
OUT=experiments/architecture_benchmark/results/hapt_full
LOGS=logs/experiments/architecture_benchmark/hapt_full
ARCHS="${ARCHS:-patch_transformer tcn}"
SEEDS="${SEEDS:-0 1 2}"
for arch in $ARCHS; do
  for seed in $SEEDS; do
    [[ -f $OUT/$arch/$seed/metrics.json && -z ${FORCE:-} ]] && continue
    lbpnet-train experiment=hapt_activity model=$arch seed=$seed hydra.run.dir=$LOGS/$arch/$seed
    mkdir -p "$OUT/$arch/$seed"
    cp "$LOGS/$arch/$seed/metrics.json" "$LOGS/$arch/$seed/config.yaml" "$OUT/$arch/$seed/"
  done
done
python experiments/architecture_benchmark/collect_full.py
