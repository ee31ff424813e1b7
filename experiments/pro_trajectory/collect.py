"""Write ``results.md`` from the runs in ``results/`` (no number typed by hand).

    python experiments/pro_trajectory/collect.py

Each run is one ``lbpnet-train`` (one data set, one k, one patient fold, one seed) whose
``metrics.json`` holds every forecaster calibrated on the validation patients and scored on
the test patients (``lbpnet.monitoring.held_out_scores``). Tables give mean ± SD over runs;
the bar check uses the coverage pooled over every run's test targets (coverage × targets).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np
from omegaconf import OmegaConf

from lbpnet.atomic import atomic_write_text

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
DATASETS = {
    "arthritis": (["self_assessment"], "REAL — multgee/arthritis: 302 patients, "
                  "self-assessment 1-5 (higher is better, integer) at baseline and months 1, "
                  "3, 5; non-response = improvement < 1 category at month 5 (a stated MIC "
                  "assumption)"),
    "epilepsy": (["seizures"], "REAL — MASS/epil: 59 patients, seizures per 2 weeks at "
                 "baseline (8-week count / 4) and four 2-week periods; non-response = < 50 % "
                 "reduction from baseline in period 4"),
    "simulated": (["odi", "nrs"], "SIMULATED — the lbpnet cohort simulator "
                  "(experiment=synthetic_trajectory, {n_patients} patients, 6 sessions, sensor measures "
                  "+ ODI/NRS); non-response = ODI improves < 10 points and < 30 %"),
}
FORECASTERS = {"": "GRU (lbpnet)", "baseline_mixed_model/": "mixed model (MixedLM)",
               "baseline_locf/": "LOCF", "baseline_median_change/": "last + median change"}
FLAGGERS = {"": "GRU (lbpnet)", "baseline_logistic/": "logistic regression, early change"}
LEVELS = {"": 0.80, "90": 0.90}
TOLERANCE = 0.03


def _seed_list(seeds: list[int]) -> str:
    """``0-39`` for a contiguous run of seeds, else the list."""
    contiguous = len(seeds) > 3 and seeds == list(range(seeds[0], seeds[-1] + 1))
    return f"{seeds[0]}-{seeds[-1]}" if contiguous else str(seeds)


def _load() -> dict:
    runs: dict = defaultdict(list)
    for path in sorted(RESULTS.glob("*/seed*/k*_fold*/metrics.json")):
        m = json.loads(path.read_text())
        name = path.parts[-4]
        if bool(m.get("synthetic")) != (name == "simulated"):
            raise ValueError(f"{path}: synthetic={m.get('synthetic')} in folder {name}")
        if "test/calibration" not in m:
            raise ValueError(f"{path}: no calibrated scores (an old run); rerun run.sh")
        m["seed"] = int(path.parent.parent.name.removeprefix("seed"))
        m["n_patients"] = OmegaConf.load(path.parent / "config.yaml").data.get("n_patients")
        k = int(path.parent.name.split("_")[0].removeprefix("k"))
        runs[name, k].append(m)
    return runs


def _values(ms: list[dict], key: str) -> np.ndarray:
    v = np.array([m.get(key, np.nan) for m in ms], dtype=float)
    return v[np.isfinite(v)]


def _cell(ms: list[dict], key: str) -> str:
    v = _values(ms, key)
    return "—" if not v.size else f"{v.mean():.2f} ± {v.std():.2f}"


def pooled_coverage(ms: list[dict], prefix: str, key: str) -> float:
    """Coverage over every run's test targets: sum(coverage × targets) / sum(targets)."""
    cov = np.array([m.get(f"test/{prefix}{key}", np.nan) for m in ms], dtype=float)
    n = np.array([m.get(f"test/{prefix}targets", np.nan) for m in ms], dtype=float)
    ok = np.isfinite(cov) & np.isfinite(n)
    return float((cov[ok] * n[ok]).sum() / n[ok].sum()) if ok.any() else float("nan")


def _section(name: str, k: int, ms: list[dict], bars: list[str]) -> list[str]:
    outcomes, what = DATASETS[name]
    seeds = sorted({m["seed"] for m in ms})
    sizes = sorted({m["n_patients"] for m in ms}, key=str)
    lines = [f"## {name}, k = {k}", "",
             what.format(n_patients=" / ".join(map(str, sizes))) + ".", "",
             f"{len(ms)} runs (seeds {_seed_list(seeds)} × patient folds), "
             f"{sum(m['test/examples'] for m in ms)} test patient-examples, "
             f"{sum(m['test/non_responders'] for m in ms)} of them non-responders; "
             f"{int(np.mean([m['test/calibration']['calibration_patients'] for m in ms]))} "
             "validation (calibration) patients per run on average.", ""]
    for o in outcomes:
        lines += [f"### {o}: forecasts of every later session", "",
                  "| forecaster | MAE | cov. 80 % cal. | width 80 % cal. | cov. 90 % cal. | "
                  "width 90 % cal. | cov. 80 % plain | width 80 % plain | cov. 90 % plain | "
                  "width 90 % plain | cov. 80 % raw | width 80 % raw | cov. 90 % raw | "
                  "width 90 % raw |", "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        maes = {}
        for prefix, label in FORECASTERS.items():
            cells = [_cell(ms, f"test/{prefix}mae_{o}")]
            for raw in ("", "conservative/", "uncalibrated/"):
                for tag in LEVELS:
                    cells += [_cell(ms, f"test/{prefix}{raw}coverage{tag}_{o}"),
                              _cell(ms, f"test/{prefix}{raw}width{tag}_{o}")]
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
            maes[label] = _values(ms, f"test/{prefix}mae_{o}").mean()
            for tag, nominal in LEVELS.items():
                c = pooled_coverage(ms, prefix, f"coverage{tag}_{o}")
                plain = pooled_coverage(ms, f"{prefix}conservative/", f"coverage{tag}_{o}")
                raw = pooled_coverage(ms, f"{prefix}uncalibrated/", f"coverage{tag}_{o}")
                per_run = _values(ms, f"test/{prefix}coverage{tag}_{o}")
                se = per_run.std(ddof=1) / np.sqrt(len(per_run)) if len(per_run) > 1 \
                    else float("nan")
                ok = abs(c - nominal) <= TOLERANCE
                bars.append(f"| {name} | {k} | {o} | {label} | {nominal:.2f} | {c:.3f} | "
                            f"{se:.3f} | {'yes' if ok else '**no**'} | {plain:.3f} | "
                            f"{raw:.3f} |")
        mixed = maes["mixed model (MixedLM)"]
        best = min((v, lab) for lab, v in maes.items() if lab != "mixed model (MixedLM)")
        lines += ["", f"Best non-mixed-model forecaster by MAE: {best[1]} ({best[0]:.3f}) "
                      f"vs mixed model {mixed:.3f}: "
                      f"{'≤ mixed model' if best[0] <= mixed else '**worse than the mixed model**'}"
                      f"; GRU {maes['GRU (lbpnet)']:.3f} "
                      f"{'≤' if maes['GRU (lbpnet)'] <= mixed else '>'} mixed model.", ""]
    lines += ["### non-response at the last session", "",
              "| method | AUROC cal. | Brier cal. | AUROC raw | Brier raw |", "|---|---|---|---|---|"]
    for prefix, label in FLAGGERS.items():
        lines.append(f"| {label} | " + " | ".join(
            _cell(ms, f"test/{prefix}{raw}{key}") for raw in ("", "uncalibrated/")
            for key in ("auroc_non_response", "brier")) + " |")
    return lines + [""]


def main() -> str:
    runs = _load()
    if not runs:
        raise SystemExit(f"no runs under {RESULTS}; run run.sh first")
    lines = ["# Calibrated trajectory forecasts on REAL trials and the SIMULATED cohort — results",
             "", "Written by `collect.py` from the runs of `run.sh`. k = sessions seen; "
             "forecasts of every later session pooled. 'cal.': smoothed split conformal "
             "(normalised scores as crepes', randomised ends: lbpnet.monitoring."
             "smoothed_conformal) on the validation patients of each run, per step ahead × "
             "outcome; 'plain': the same scores with plain split conformal (crepes), "
             "conservative; "
             "'raw': the forecaster's own 0.1–0.9 / 0.05–0.95 quantiles. P(non-response) "
             "'cal.': Platt scaling on the same patients. Every forecaster is fitted on the "
             "training patients only and scored on the test patients only. Mean ± SD over runs.",
             ""]
    bars = ["## Bar: calibrated coverage within ±0.03 of nominal (pooled over all test targets "
            "of all runs); plain split conformal and the uncalibrated intervals beside", "",
            "SE: standard error of the mean of the runs' coverages (SD / sqrt(runs)): how far "
            "the pooled coverage may sit from the truth by the draw of calibration patients "
            "alone", "",
            "| data | k | outcome | forecaster | nominal | coverage | SE | within ±0.03 | "
            "plain | uncalibrated |", "|---|---|---|---|---|---|---|---|---|---|"]
    missing = []
    for name in DATASETS:
        for k in ((2,) if name != "simulated" else (1, 2, 3)):
            ms = runs.get((name, k), [])
            if len(ms) < 15:
                missing.append(f"{name} k={k}: {len(ms)} of 15 runs")
            if ms:
                lines += _section(name, k, ms, bars)
    lines += bars + [""]
    if missing:
        lines += ["## Not complete", ""] + [f"- {m}" for m in missing] + [""]
    text = "\n".join(lines)
    atomic_write_text(HERE / "results.md", text)
    return text


if __name__ == "__main__":
    print(main())
