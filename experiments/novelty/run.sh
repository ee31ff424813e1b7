#!/usr/bin/env bash
# Novelty detectors on real HAPT and on the SYNTHETIC cohort, 3 seeds each; then collect.py.
# Budget (2 shared CPU cores): HAPT 1-D CNN 4 epochs, simulated CNN 4 epochs per seed.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=experiments/novelty/runs
mkdir -p "$OUT"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} WANDB_MODE=offline
COMMON="logger=none trainer.enable_progress_bar=false trainer.accelerator=cpu"
for seed in 0 1 2; do
  # (a) real HAPT, 6 basic activities, validation subjects carved from the training subjects
  if [ ! -f "$OUT/hapt_seed$seed.json" ]; then
    lbpnet-train experiment=hapt_activity_cnn seed=$seed trainer.max_epochs=4 \
      split.val_fraction=0.15 $COMMON hydra.run.dir="$OUT/hapt_seed$seed"
    python experiments/novelty/score.py hapt "$OUT/hapt_seed$seed" "$OUT/hapt_seed$seed.json"
  fi
  # (b) SYNTHETIC cohort: activity classes; planted novel/* events and artefact/* events
  if [ ! -f "$OUT/sim_seed$seed.json" ]; then
    lbpnet-train data=synthetic_lbp seed=$seed data.n_patients=12 data.n_sessions=2 \
      data.module.source.emg_rate=1000.0 data.module.source.novel_rate=1.0 \
      'data.module.modalities=[emg,imu]' qc=default trainer.max_epochs=4 \
      '+model.front_ends={emg:{_target_:lbpnet.preprocess.envelope.RmsEnvelope,window:100,stride:10,with_derivative:true,log:true}}' \
      $COMMON hydra.run.dir="$OUT/sim_seed$seed"
    python experiments/novelty/score.py simulated "$OUT/sim_seed$seed" "$OUT/sim_seed$seed.json"
  fi
done
python experiments/novelty/collect.py
