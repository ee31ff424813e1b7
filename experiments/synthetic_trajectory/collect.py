"""Write ``results.md`` from the runs in ``results/`` (SYNTHETIC data; no number typed by hand).

    python experiments/synthetic_trajectory/collect.py

Each run is one ``lbpnet-train experiment=synthetic_trajectory`` (one patient fold, one k, one
seed); the table gives mean ± SD over the folds (and seeds) of each k. The naive baselines
depend only on the PROs and the split, so they are read from the runs of the first variant.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from lbpnet.atomic import atomic_write_text

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
VARIANTS = {  # folder -> what the GRU sees per session
    "pro_and_measure_change": "GRU: PROs + sensor measures as change from session 1",
    "pro_only": "GRU: PROs only",
    "pro_and_measure_level": "GRU: PROs + sensor measures as measured",
}
BASELINES = {"baseline_locf": "LOCF (last report), empirical interval",
             "baseline_median_change": "last report + training median change",
             "baseline_logistic": "logistic regression on first-session PROs + early change"}
FORECAST = ["mae_odi", "coverage_odi", "width_odi", "mae_nrs", "coverage_nrs", "width_nrs"]
FLAG = ["auroc_non_response", "brier"]


def _load() -> dict:
    runs: dict = defaultdict(list)          # (variant, k) -> list of metrics
    for path in sorted(RESULTS.glob("*/seed*/k*_fold*/metrics.json")):
        m = json.loads(path.read_text())
        if not m.get("synthetic"):
            raise ValueError(f"{path}: a run on real data does not belong in this table")
        k = int(path.parent.name.split("_")[0][1:])
        m["seed"] = int(path.parent.parent.name.removeprefix("seed"))
        runs[(path.parts[-4], k)].append(m)
    return runs


def _cell(ms: list[dict], key: str) -> str:
    v = np.array([m.get(key, np.nan) for m in ms], dtype=float)
    v = v[np.isfinite(v)]
    return "n/a" if not v.size else f"{v.mean():.2f} ± {v.std():.2f}"


def _row(k: int, name: str, ms: list[dict], prefix: str, forecast: bool, flag: bool) -> str:
    cells = [_cell(ms, f"test/{prefix}{key}") if forecast else "—" for key in FORECAST]
    cells += [_cell(ms, f"test/{prefix}{key}") if flag else "—" for key in FLAG]
    return f"| {k} | {name} | " + " | ".join(cells) + " |"


def main() -> str:
    runs = _load()
    if not runs:
        raise SystemExit(f"no runs under {RESULTS}; run run.sh first")
    ks = sorted({k for _, k in runs})
    first = next(v for v in VARIANTS if any((v, k) in runs for k in ks))
    lines = [
        "# Response-trajectory prediction on the simulated LBP cohort — results (SYNTHETIC)", "",
        "**All data here is synthetic** (lbpnet's simulator): these numbers say whether the "
        "task machinery recovers the simulator's planted trajectories, not how it would do on "
        "patients. Written by `collect.py` from the runs of `run.sh`.", "",
        "Test patients of 5 patient-disjoint folds, seen up to session k (of 6); forecasts "
        "of ODI (0-100) and pain NRS (0-10) at sessions k+1..6 (pooled over steps ahead, "
        "missing reports left out); the interval is 0.1-0.9 (nominal coverage 0.80); "
        "non-response = ODI change from session 1 to 6 of < 10 points and < 30 %. "
        "Mean ± SD over folds (and seeds).", "",
        "| k | method | MAE ODI | cov. ODI | width ODI | MAE NRS | cov. NRS | width NRS "
        "| AUROC non-resp. | Brier |", "|---|---|---|---|---|---|---|---|---|---|"]
    for k in ks:
        for variant, name in VARIANTS.items():
            if (variant, k) in runs:
                lines.append(_row(k, name, runs[(variant, k)], "", True, True))
        ms = runs.get((first, k), [])
        for prefix, name in BASELINES.items():
            lines.append(_row(k, name, ms, f"{prefix}/", prefix != "baseline_logistic",
                              prefix == "baseline_logistic"))
    counts = []
    for k in ks:
        ms = runs.get((first, k), [])
        seeds = sorted({int(m["seed"]) for m in ms}) if all("seed" in m for m in ms) else []
        counts.append(f"k={k}: {len(ms)} runs (seeds {seeds or 'n/a'}; each seed is its own "
                      f"5-fold partition, so every patient is tested once per seed), "
                      f"{sum(m['test/examples'] for m in ms)} test patient-examples, "
                      f"{sum(m['test/non_responders'] for m in ms)} of them non-responders")
    lines += ["", "Runs: " + "; ".join(counts) + "."]
    text = "\n".join(lines) + "\n"
    atomic_write_text(HERE / "results.md", text)
    return text


if __name__ == "__main__":
    print(main())
