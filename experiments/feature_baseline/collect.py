"""Write experiments/feature_baseline/results.md from the runs' JSON (and the deep models'
recorded metrics in experiments/hapt_activity and experiments/synthetic_strategy).

    python experiments/feature_baseline/collect.py
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from lbpnet.atomic import atomic_write_text

HERE = Path(__file__).resolve().parent
EXPERIMENTS = HERE.parent


def _load(path: Path):
    return json.loads(path.read_text()) if path.is_file() else None


def hapt_section() -> list[str]:
    ours = _load(HERE / "results" / "hapt.json")
    lines = ["## UCI HAPT activity recognition (real data)", "",
             "6 activities, 2.56 s windows with 50 % overlap, UCI-HAR subject split (21 training, "
             "9 test subjects); identical windows and split for every row.", "",
             "| model | input | test accuracy | test macro-F1 | test windows |", "|---|---|---|---|---|"]
    if ours:
        n = len(ours["measures"])
        for name, m in ours["models"].items():
            lines.append(f"| {name} (this study) | {n} interpretable measures | "
                         f"{m['test/acc']:.4f} | {m['test/f1_macro']:.4f} | {ours['test_windows']} |")
    rf = _load(EXPERIMENTS / "hapt_activity" / "results" / "random_forest_raw.json")
    if rf:
        lines.append(f"| random forest (hapt_activity) | per-channel statistics, raw 6 channels | "
                     f"{rf['test/acc']:.4f} | {rf['test/f1_macro']:.4f} | {rf['test_windows']} |")
    runs = [_load(p) for p in sorted((EXPERIMENTS / "hapt_activity" / "results" / "6class").glob("*/metrics.json"))]
    if runs:
        acc = np.array([r["test/acc"] for r in runs])
        f1 = np.array([r["test/f1_macro"] for r in runs])
        lines.append(f"| lbpnet CNN (hapt_activity, {len(runs)} seeds, mean ± sd) | acc + gyro + "
                     f"gravity split | {acc.mean():.4f} ± {acc.std(ddof=1):.4f} | "
                     f"{f1.mean():.4f} ± {f1.std(ddof=1):.4f} | "
                     f"{'/'.join(sorted({str(r['split']['test']['windows']) for r in runs}))} |")
    if ours:
        lines += ["", "Per-class test F1 of the measures:", "",
                  "| model | " + " | ".join(ours["classes"]) + " |",
                  "|---|" + "---|" * len(ours["classes"])]
        for name, m in ours["models"].items():
            lines.append(f"| {name} | " + " | ".join(f"{m['test/f1_per_class'][c]:.3f}"
                                                       for c in ours["classes"]) + " |")
        lines += ["", "Measures: " + "; ".join(ours["measures"]) + "."]
    return lines


def synthetic_section() -> list[str]:
    ours = _load(HERE / "results" / "synthetic_difficulty_1.0.json")
    old = _load(EXPERIMENTS / "synthetic_strategy" / "results" / "features_difficulty_1.0.json")
    deep = _load(EXPERIMENTS / "synthetic_strategy" / "results" / "deep_difficulty_1.0" / "metrics.json")
    lines = ["## Movement-strategy detection on the simulated cohort (SYNTHETIC data)", "",
             "**SYNTHETIC.** `experiment=synthetic_strategy`, difficulty 1.0: 24 simulated patients, "
             "2 s windows, patient split stratified by phenotype; identical windows and split for "
             "every row. AUROC/AUPRC on the test patients; F1 at the threshold chosen on the "
             "validation patients.", ""]
    targets = (ours or old or {}).get("targets") or list((old or {}).get("test/auroc", {}))
    short = [t.split("/")[-1] for t in targets]
    lines += ["| model | macro-AUROC | macro-AUPRC | macro-F1 | " + " | ".join(f"AUROC {s}" for s in short) + " |",
              "|---|---|---|---|" + "---|" * len(short)]

    def row(name, m):
        return (f"| {name} | {m['test/auroc_macro']:.3f} | {m['test/auprc_macro']:.3f} | "
                f"{m['test/f1_macro']:.3f} | " + " | ".join(
                    "n/a" if m["test/auroc"].get(t) is None else f"{m['test/auroc'][t]:.3f}"
                    for t in targets) + " |")
    if ours:
        for name, m in ours["models"].items():
            lines.append(row(f"{name} on {len(ours['measures'])} measures (this study)", m))
    if old:
        lines.append(row("logistic regression on the earlier measures (synthetic_strategy)", old))
    if deep:
        lines.append(row("lbpnet CNN (synthetic_strategy)", deep))
    if ours:
        any_model = next(iter(ours["models"].values()))
        lines += ["", "Test positive windows: " + ", ".join(
            f"{t.split('/')[-1]} {n}" for t, n in any_model["test/positives"].items())
            + f" (of {any_model['test_windows']})."]
    return lines


def main() -> str:
    text = "\n".join(["# Interpretable-measure baselines — results", "",
                      "Written by `collect.py` from `results/*.json` (reproduce with `run.sh`); the "
                      "deep-model rows are read from the other studies' recorded metrics.", "",
                      *hapt_section(), "", *synthetic_section(), ""])
    atomic_write_text(HERE / "results.md", text)
    print(text)
    return text


if __name__ == "__main__":
    main()
