"""Write ``results.md`` from the runs in ``results/`` (REAL data; no number typed by hand).

    python experiments/pro_trajectory/collect.py

Each run is one ``lbpnet-train experiment=pro_trajectory`` (one data set, one patient fold,
one seed); the table gives mean ± SD over the runs of each data set.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from lbpnet.atomic import atomic_write_text

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
DATASETS = {
    "arthritis": ("self_assessment", "multgee/arthritis: 302 patients, self-assessment 1-5 "
                  "(higher is better) at baseline and months 1, 3, 5; non-response = "
                  "improvement < 1 category at month 5 (a stated MIC assumption)"),
    "epilepsy": ("seizures", "MASS/epil: 59 patients, seizures per 2 weeks at baseline "
                 "(8-week count / 4) and four 2-week periods; non-response = < 50 % "
                 "reduction from baseline in period 4"),
}
METHODS = {"": "GRU (outcome, its change, weeks, arm)",
           "baseline_locf/": "LOCF (last report), empirical interval",
           "baseline_median_change/": "last report + training median change",
           "baseline_logistic/": "logistic regression on baseline + early change"}


def _load() -> dict:
    runs: dict = defaultdict(list)
    for path in sorted(RESULTS.glob("*/seed*/k*_fold*/metrics.json")):
        m = json.loads(path.read_text())
        if m.get("synthetic"):
            raise ValueError(f"{path}: a run on synthetic data does not belong in this table")
        m["seed"] = int(path.parent.parent.name.removeprefix("seed"))
        runs[path.parts[-4]].append(m)
    return runs


def _cell(ms: list[dict], key: str) -> str:
    v = np.array([m.get(key, np.nan) for m in ms], dtype=float)
    v = v[np.isfinite(v)]
    return "—" if not v.size else f"{v.mean():.2f} ± {v.std():.2f}"


def main() -> str:
    runs = _load()
    if not runs:
        raise SystemExit(f"no runs under {RESULTS}; run run.sh first")
    lines = ["# Trajectory forecasts on REAL longitudinal trials — results", "",
             "Written by `collect.py` from the runs of `run.sh` (`experiment=pro_trajectory`, "
             "k = 2 sessions seen: baseline + first follow-up; forecasts of every later "
             "session pooled; 0.1-0.9 interval, nominal coverage 0.80; 5 patient-disjoint "
             "folds per seed). Mean ± SD over runs. Uncalibrated: the conformal calibration "
             "and the mixed-model baseline of `lbpnet.monitoring` are not in these runs.", ""]
    for name, (outcome, what) in DATASETS.items():
        ms = runs.get(name, [])
        if not ms:
            continue
        seeds = sorted({m["seed"] for m in ms})
        lines += [f"## {name}", "", what + ".", "",
                  "| method | MAE | coverage | width | AUROC non-resp. | Brier |",
                  "|---|---|---|---|---|---|"]
        for prefix, label in METHODS.items():
            forecast = prefix != "baseline_logistic/"
            flag = prefix in ("", "baseline_logistic/")
            cells = [_cell(ms, f"test/{prefix}{k}_{outcome}") if forecast else "—"
                     for k in ("mae", "coverage", "width")]
            cells += [_cell(ms, f"test/{prefix}{k}") if flag else "—"
                      for k in ("auroc_non_response", "brier")]
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
        lines += ["", f"{len(ms)} runs (seeds {seeds}), "
                      f"{sum(m['test/examples'] for m in ms)} test patient-examples, "
                      f"{sum(m['test/non_responders'] for m in ms)} of them non-responders.", ""]
    text = "\n".join(lines)
    atomic_write_text(HERE / "results.md", text)
    return text


if __name__ == "__main__":
    print(main())
