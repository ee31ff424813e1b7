"""Is the calibration unbiased? The baselines' calibrated coverage over many patient splits.

The runs of ``run.sh`` give 15 runs per cell, and with 10-40 calibration patients per run the
pooled coverage of 15 runs sits up to ~0.03 from the truth by the draw of patients alone.
This script asks the question without that noise, and without training a network: for
``--seeds`` seeds x 5 patient-disjoint folds it builds the run's data module (the same split
``lbpnet-train`` would make), fits LOCF, last + median change and the mixed model on the
training patients, calibrates them on the validation patients
(:func:`lbpnet.monitoring.held_out_scores.calibration_keys`, as a run does) and scores them
on the test patients. Smoothed split conformal is exactly nominal in expectation when
validation and test patients are exchangeable, so a pooled coverage many SEs from nominal
would be a bug (or non-exchangeability), not chance.

    python experiments/pro_trajectory/baseline_splits.py --data simulated --k 3 --seeds 40
    python experiments/pro_trajectory/baseline_splits.py --data epilepsy --k 2 --seeds 40

Prints a markdown table: pooled coverage over all runs, its SE (SD of the runs' coverages /
sqrt(runs)), and the mean calibration patients per run.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

os.environ.setdefault("WANDB_MODE", "disabled")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))

from lbpnet.cli.compose import fitted_datamodule  # noqa: E402
from lbpnet.monitoring.held_out_scores import (  # noqa: E402
    LEVELS, baseline_quantiles, calibration_keys)

QUANTILES = [0.05, 0.1, 0.5, 0.9, 0.95]
NAMES = {"locf": "LOCF", "median_change": "last + median change",
         "mixed_model": "mixed model (MixedLM)"}


def overrides(data: str, k: int, seed: int, fold: int, n_patients: int) -> list[str]:
    base = ([f"experiment=synthetic_trajectory", f"data.n_patients={n_patients}"]
            if data == "simulated" else
            ["experiment=pro_trajectory", f"data.dataset={data}", "data.covariates=[arm]"])
    return base + [f"seed={seed}", f"split.fold={fold}", f"data.module.observed_sessions={k}",
                   f"model.quantiles=[{','.join(map(str, QUANTILES))}]", "logger=none"]


def one_run(data: str, k: int, seed: int, fold: int, n_patients: int) -> tuple[dict, int]:
    _, dm = fitted_datamodule(overrides(data, k, seed, fold, n_patients))
    by = baseline_quantiles(dm, QUANTILES, k)
    train = [dm.table.patients[i] for i in
             sorted(set(dm.datasets["train"].tensors["patient"].tolist()))]
    keys = {}
    for name in NAMES:
        keys.update(calibration_keys(by[name], QUANTILES, list(dm.table.outcomes),
                                     f"test/baseline_{name}/", train, LEVELS, "normalised",
                                     seed))
    return keys, len(set(map(str, by["locf"]["val"]["patient"])))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="simulated", choices=["simulated", "arthritis", "epilepsy"])
    ap.add_argument("--k", type=int, default=3)
    ap.add_argument("--seeds", type=int, default=40)
    ap.add_argument("--first-seed", type=int, default=100,
                    help="seeds first..first+seeds-1 (default 100: not run.sh's 0-2)")
    ap.add_argument("--n-patients", type=int, default=200)
    a = ap.parse_args()
    runs, n_cal = [], []
    for seed in range(a.first_seed, a.first_seed + a.seeds):
        for fold in range(5):
            keys, n = one_run(a.data, a.k, seed, fold, a.n_patients)
            runs.append(keys)
            n_cal.append(n)
    outcomes = sorted({key.rsplit("_", 1)[-1] for key in runs[0] if "/coverage_" in key})
    print(f"## {a.data}, k = {a.k}: {len(runs)} runs (seeds {a.first_seed}.."
          f"{a.first_seed + a.seeds - 1} x 5 folds), {np.mean(n_cal):.1f} calibration "
          "patients per run\n")
    print("| outcome | forecaster | nominal | coverage (mean of runs) | SE | (coverage - "
          "nominal) / SE |\n|---|---|---|---|---|---|")
    for o in outcomes:
        for name, label in NAMES.items():
            for level in LEVELS:
                sfx = "" if level == 0.8 else "90"
                v = np.array([r[f"test/baseline_{name}/coverage{sfx}_{o}"] for r in runs])
                se = v.std(ddof=1) / np.sqrt(len(v))
                print(f"| {o} | {label} | {level:.2f} | {v.mean():.3f} | {se:.3f} | "
                      f"{(v.mean() - level) / se:+.1f} |")


if __name__ == "__main__":
    main()
