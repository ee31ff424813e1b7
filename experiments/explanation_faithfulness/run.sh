#!/usr/bin/env bash
# Reproduce experiments/explanation_faithfulness/results.md. CPU, 2 cores: ~30 min in all
# (trainings ~10 min, evaluations ~20 min). Run from the repository root with lbpnet installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
export WANDB_MODE=offline OMP_NUM_THREADS=1
HERE=experiments/explanation_faithfulness
LOGS=logs/experiments/explanation_faithfulness
# the models explained: SYNTHETIC strategy detection, the same on shuffled labels, real HAPT
lbpnet-train experiment=synthetic_strategy hydra.run.dir=$LOGS/synthetic_strategy
python $HERE/train_random_labels.py $LOGS/synthetic_strategy_random_labels trainer.max_epochs=8
lbpnet-train experiment=hapt_activity trainer.max_epochs=6 hydra.run.dir=$LOGS/hapt_activity
# every method: faithfulness vs random, ground truth (synthetic), randomisation checks
python $HERE/evaluate.py synthetic_strategy $LOGS/synthetic_strategy $LOGS/synthetic_strategy_random_labels
python $HERE/evaluate.py hapt_activity $LOGS/hapt_activity
python $HERE/collect.py
