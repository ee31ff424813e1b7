#!/usr/bin/env bash
# SYNTHETIC: early non-response flags on the simulated LBP cohort (PROs only), the default rule
# set vs the last-change rule, with the mixed-effects forecaster + split conformal.
# ~2 min on 2 CPU cores. Writes results.json, then results.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
python experiments/monitoring_flags/flags.py --seeds 0 1 2 --patients 200 --sessions 6
python experiments/monitoring_flags/collect.py
