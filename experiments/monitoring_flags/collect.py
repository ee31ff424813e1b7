"""results.json (from flags.py) -> results.md: flags, forecast calibration, P(non-response).

Mean ± sd over the cohort seeds; each seed pools its 5 patient-disjoint test folds.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from lbpnet.atomic import atomic_write_text

HERE = Path(__file__).resolve().parent


def ms(values, digits=3) -> str:
    v = np.array([x for x in values if x == x], float)
    if not v.size:
        return "–"
    return f"{v.mean():.{digits}f} ± {v.std(ddof=1) if v.size > 1 else 0:.{digits}f}"


def main() -> None:
    d = json.loads((HERE / "results.json").read_text())
    seeds = d["per_seed"]
    S = d["sessions"]
    L = [f"# Early non-response flags — SYNTHETIC simulated cohort", "",
         "**SYNTHETIC data** (the LBP cohort simulator's patient-reported outcomes; no real "
         "patient). Produced by `experiments/monitoring_flags/run.sh` "
         "(`flags.py` → `results.json`, `collect.py` → this file).", "",
         f"{d['patients']} patients (controls left out) × {S} weekly sessions, cohort seeds "
         f"{d['seeds']}; 5 patient-disjoint folds per seed (training 75 % / calibration 25 % "
         "of the other folds' patients). Horizon: session "
         f"{S}; non-response: ODI change < 10 points and < 30 % (session 1 → {S}). "
         "Forecaster behind the flags: **the linear mixed-effects model (random intercept + "
         f"slope, BLUP) with smoothed split-conformal {d['level']:.0%} intervals** (normalised "
         "score, randomised ends: lbpnet.monitoring.smoothed_conformal; per step ahead, "
         "calibrated on the calibration patients). Rules: "
         f"`conf/monitoring/default.yaml` v{d['rules']['default']} vs "
         f"`conf/monitoring/last_change.yaml` v{d['rules']['last_change']}. Mean ± sd over seeds.",
         "", "## Flags (review or urgent)", "",
         "| rule set | sensitivity | lead time (sessions before the horizon, mean) | "
         "false alarms per responder patient-session | responders ever flagged |",
         "|---|---|---|---|---|"]
    names = ["default", "last_change"] + sorted(k for k in seeds[0]["flags"] if ":" in k)
    for name in names:
        r = [s["flags"][name] for s in seeds]
        label = name if ":" not in name else f"{name} (this rule alone, any level)"
        L.append(f"| {label} | {ms([x['sensitivity'] for x in r])} | "
                 f"{ms([x['lead_time_mean'] for x in r], 2)} | "
                 f"{ms([x['false_alarm_rate'] for x in r])} | "
                 f"{ms([x['responders_ever_flagged'] for x in r])} |")
    n = seeds[0]["flags"]["default"]
    L += ["", f"Per seed: {n['non_responders']} non-responders, {n['responders']} responders "
          f"(seed {seeds[0]['seed']}). Sessions evaluated: 1..{S - 1} (each sees only "
          "the sessions so far). The sensor rule has no data here (no signals are simulated "
          "for this table), so it never fires. SEM of the ODI from the test-retest "
          "(sessions 1 → 2) of the training non-responders: "
          f"{ms([x['odi'] for s in seeds for x in s['sem']], 2)} points "
          f"(SDC95 ≈ {1.96 * np.sqrt(2) * np.mean([x['odi'] for s in seeds for x in s['sem']]):.1f}).",
          "", f"## Forecast intervals (nominal {d['level']:.0%}), every later session pooled", "",
          "| forecaster | k | coverage raw (q0.1-q0.9) | coverage conformal 80 % | width raw | "
          "width conformal 80 % | coverage conformal 90 % | width conformal 90 % | MAE |",
          "|---|---|---|---|---|---|---|---|---|"]
    for model in ("mixed_model", "locf", "last_median_change"):
        for k in range(1, S):
            f = [s["forecasts"] for s in seeds]
            raw = [x[f"{model}/raw/k={k}"] for x in f]
            cal = [x[f"{model}/conformal/k={k}"] for x in f]
            c90 = [x[f"{model}/conformal90/k={k}"] for x in f]
            L.append(f"| {model} | {k} | {ms([x['coverage'] for x in raw])} | "
                     f"{ms([x['coverage'] for x in cal])} | {ms([x['width'] for x in raw], 1)} | "
                     f"{ms([x['width'] for x in cal], 1)} | {ms([x['coverage'] for x in c90])} | "
                     f"{ms([x['width'] for x in c90], 1)} | {ms([x['mae'] for x in cal], 2)} |")
    L += ["", "Outcomes: ODI (0-100) and NRS (0-10) pooled, so widths and MAE mix the two "
          "scales (ODI dominates). Conformal: smoothed split conformal on crepes' normalised "
          "score (symmetric around the median; coverage exactly nominal in expectation), one calibration per step ahead and outcome (pooled over steps below 20 "
          "targets); LOCF's raw interval is asymmetric around its median (the last report), "
          "so the symmetric calibrated one is wider.", "",
          "## P(non-response) from the mixed model's horizon forecast", "",
          "| k | Brier raw | Brier Platt (calibrated on held-out patients) |", "|---|---|---|"]
    for k in range(1, S):
        p = [s["probability"][f"k={k}"] for s in seeds]
        L.append(f"| {k} | {ms([x['brier_raw'] for x in p])} | "
                 f"{ms([x['brier_platt'] for x in p])} |")
    rel = seeds[0]["probability"]["k=1"]["reliability_platt"]
    L += ["", f"Reliability at k = 1 after Platt scaling (seed {seeds[0]['seed']}, 5 bins):", "",
          "| bin | n | mean predicted | observed (95 % CI) |", "|---|---|---|---|"]
    for r in rel:
        if r["n"]:
            L.append(f"| {r['lower']:.1f}–{r['upper']:.1f} | {r['n']} | {r['mean_predicted']:.2f}"
                     f" | {r['observed_rate']:.2f} ({r['observed_low']:.2f}–{r['observed_high']:.2f}) |")
    atomic_write_text(HERE / "results.md", "\n".join(L) + "\n")
    print("wrote", HERE / "results.md")


if __name__ == "__main__":
    main()
