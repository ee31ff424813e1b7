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

    python experiments/pro_trajectory/baseline_splits.py --out experiments/pro_trajectory/baseline_splits.md
    python experiments/pro_trajectory/baseline_splits.py --data epilepsy --k 2 --seeds 5

The first writes ``baseline_splits.md`` (simulated cohort of 200 patients at k = 3 and
MASS/epil at k = 2, 20 seeds x 5 folds each; ~25 min on one core); the second prints one
data set's table. A table: pooled coverage over all runs, its SE (SD of the runs' coverages /
sqrt(runs)), and the mean calibration patients per run.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

os.environ.setdefault("WANDB_MODE", "disabled")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))

from lbpnet.atomic import atomic_write_text  # noqa: E402
from lbpnet.cli.compose import fitted_datamodule  # noqa: E402
from lbpnet.monitoring.held_out_scores import (  # noqa: E402
    LEVELS, _suffix, baseline_quantiles, calibration_keys)

QUANTILES = [0.05, 0.1, 0.5, 0.9, 0.95]
NAMES = {"locf": "LOCF", "median_change": "last + median change",
         "mixed_model": "mixed model (MixedLM)"}
TITLES = {"simulated": "SIMULATED cohort ({n} patients)", "arthritis": "REAL multgee/arthritis",
          "epilepsy": "REAL MASS/epil"}
WRITTEN = (("simulated", 3), ("epilepsy", 2))      # what --out writes, 20 seeds each
HEADER = ("# Baselines' calibrated coverage over many patient splits (no network trained)\n\n"
          "Written by `baseline_splits.py --out` (its docstring; seeds {first}-{last}, not "
          "run.sh's 0-2). Smoothed split conformal on each run's validation patients, as in a "
          "run; LOCF, last + median change and the mixed model fitted on its training "
          "patients. A bias of 0.03 would stand out by 0.03 / SE standard errors (last "
          "column: how far each cell is from nominal).\n")


def overrides(data: str, k: int, seed: int, fold: int, n_patients: int) -> list[str]:
    base = (["experiment=synthetic_trajectory", f"data.n_patients={n_patients}"]
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


def table(data: str, k: int, seeds: range, n_patients: int) -> str:
    """The markdown section of one data set at ``k`` over ``seeds`` x 5 folds."""
    runs, n_cal = [], []
    for seed in seeds:
        for fold in range(5):
            keys, n = one_run(data, k, seed, fold, n_patients)
            runs.append(keys)
            n_cal.append(n)
    outcomes = sorted({key.rsplit("_", 1)[-1] for key in runs[0] if "/coverage_" in key})
    lines = [f"## {TITLES[data].format(n=n_patients)}, k = {k}: {len(runs)} runs (seeds "
             f"{seeds[0]}..{seeds[-1]} x 5 folds), {np.mean(n_cal):.1f} calibration patients "
             "per run", "",
             "| outcome | forecaster | nominal | coverage (mean of runs) | SE | (coverage - "
             "nominal) / SE |", "|---|---|---|---|---|---|"]
    for o in outcomes:
        for name, label in NAMES.items():
            for level in LEVELS:
                v = np.array([r[f"test/baseline_{name}/coverage{_suffix(level)}_{o}"]
                              for r in runs])
                se = v.std(ddof=1) / np.sqrt(len(v))
                lines.append(f"| {o} | {label} | {level:.2f} | {v.mean():.3f} | {se:.3f} | "
                             f"{(v.mean() - level) / se:+.1f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="simulated", choices=list(TITLES))
    ap.add_argument("--k", type=int, default=3)
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--first-seed", type=int, default=100,
                    help="seeds first..first+seeds-1 (default 100: not run.sh's 0-2)")
    ap.add_argument("--n-patients", type=int, default=200)
    ap.add_argument("--out", default=None,
                    help="write the committed file (WRITTEN data sets, --seeds each) here")
    a = ap.parse_args()
    seeds = range(a.first_seed, a.first_seed + a.seeds)
    if a.out is None:
        print(table(a.data, a.k, seeds, a.n_patients))
        return
    parts = [HEADER.format(first=seeds[0], last=seeds[-1])]
    parts += [table(data, k, seeds, a.n_patients) for data, k in WRITTEN]
    atomic_write_text(a.out, "\n".join(parts))
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
