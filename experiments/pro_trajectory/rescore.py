"""Recompute the calibrated scores of finished runs from their tested checkpoints.

    python experiments/pro_trajectory/rescore.py [arthritis epilepsy simulated simulated/seed1 ...]

For each run in ``results/`` this rebuilds the run's data module from its ``config.yaml``,
loads the checkpoint ``lbpnet-train`` tested (``tested_checkpoint`` in ``metrics.json``,
under ``logs/``), and calls the same :func:`lbpnet.monitoring.held_out_scores.
calibrated_test_scores` that ``lbpnet-train`` calls after testing, writing the result into
the run's ``metrics.json`` (atomically). Used once: the runs of ``run.sh`` had finished with a
Platt calibration that could reverse a ranking (fixed in ``ProbabilityCalibrator``); the
interval keys must come out as they were (checked here, so the checkpoint and data are the
run's own), only the probability keys may change. New runs of ``run.sh`` need no rescore.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import torch
from omegaconf import OmegaConf

from lbpnet.atomic import atomic_write_json
from lbpnet.cli.train import build_datamodule, build_task
from lbpnet.monitoring.held_out_scores import calibrated_test_scores

HERE = Path(__file__).resolve().parent
PROBABILITY_KEYS = ("auroc_non_response", "brier")


def rescore(run: Path) -> int:
    """Rescore one run folder; returns the number of probability keys that changed."""
    metrics = json.loads((run / "metrics.json").read_text())
    cfg = OmegaConf.load(run / "config.yaml")
    dm = build_datamodule(cfg)
    dm.setup("fit")
    task = build_task(cfg, dm)
    ckpt = torch.load(metrics["tested_checkpoint"], map_location="cpu", weights_only=True)
    task.load_state_dict(ckpt["state_dict"])
    new = calibrated_test_scores(task, dm)
    changed = 0
    for key, value in new.items():
        old = metrics.get(key)
        if not isinstance(value, float) or not isinstance(old, float):
            continue
        same = (math.isnan(value) and math.isnan(old)) or abs(value - old) <= 1e-6
        if key.endswith(PROBABILITY_KEYS):
            changed += not same
        elif not same:
            raise SystemExit(f"{run}: {key} was {old}, now {value}: not the run's own "
                             "checkpoint or data; rerun run.sh instead")
    metrics.update(new)
    metrics["rescored_by"] = "experiments/pro_trajectory/rescore.py"
    atomic_write_json(run / "metrics.json", metrics)
    return changed


def main(datasets: list[str]) -> None:
    """Rescore every run of ``datasets`` (``<data set>`` or ``<data set>/seed<s>`` folders
    under ``results/``; all when empty)."""
    runs = sorted(p.parent for p in (HERE / "results").glob("*/seed*/k*_fold*/metrics.json")
                  if not datasets or p.parts[-4] in datasets
                  or "/".join(p.parts[-4:-2]) in datasets)
    for run in runs:
        print(f"{run.relative_to(HERE)}: {rescore(run)} probability keys changed", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
