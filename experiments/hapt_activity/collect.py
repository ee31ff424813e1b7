"""Build ``results.md`` from the runs' ``metrics.json`` files (nothing typed by hand).

    python experiments/hapt_activity/collect.py

Reads, under ``experiments/hapt_activity/results/``:
  ``random_forest_6class.json``            the baseline (random_forest.py)
  ``<name>/metrics.json``                  one lbpnet-train run each (copied by run.sh)
  ``loso/<fold>/metrics.json``             leave-one-subject-out folds
and writes ``results.md`` atomically.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from lbpnet.atomic import atomic_write_text

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def _row(name: str, m: dict) -> str:
    split = m.get("split", {})
    test_subjects = split.get("test", {}).get("subjects", m.get("test_subjects", []))
    windows = split.get("test", {}).get("windows", m.get("test_windows", ""))
    return (f"| {name} | {m['test/acc']:.4f} | {m['test/f1_macro']:.4f} | {windows} | "
            f"{len(test_subjects)} | {m.get('epochs', '')} | {m.get('fit_seconds', '')} |")


def main() -> str:
    lines = ["# UCI HAPT activity recognition — results", "",
             "Real data (UCI HAPT raw smartphone IMU, 50 Hz, acc + gyro), windows 2.56 s with 50 % "
             "overlap, test subjects 2, 4, 9, 10, 12, 13, 18, 20, 24 (UCI-HAR split), validation "
             "subjects drawn from the training subjects only. Produced by `collect.py` from the "
             "runs' `metrics.json`.", "",
             "| model / experiment | test acc | test macro-F1 | test windows | test subjects "
             "| epochs | fit s |", "|---|---|---|---|---|---|---|"]
    rf = RESULTS / "random_forest_6class.json"
    if rf.is_file():
        lines.append(_row("random forest, per-channel statistics (6 classes)",
                          json.loads(rf.read_text())))
    for run in sorted(p for p in RESULTS.iterdir() if (p / "metrics.json").is_file()):
        lines.append(_row(run.name, json.loads((run / "metrics.json").read_text())))
    folds = sorted((RESULTS / "loso").glob("*/metrics.json")) if (RESULTS / "loso").is_dir() else []
    if folds:
        ms = [json.loads(f.read_text()) for f in folds]
        acc = [m["test/acc"] for m in ms]
        f1 = [m["test/f1_macro"] for m in ms]
        sd = (lambda v: statistics.stdev(v) if len(v) > 1 else 0.0)
        lines += ["", f"Leave-one-subject-out ({len(ms)} folds, one test subject each): "
                  f"accuracy {statistics.mean(acc):.4f} ± {sd(acc):.4f}, "
                  f"macro-F1 {statistics.mean(f1):.4f} ± {sd(f1):.4f} (mean ± sd over folds); "
                  f"worst subject {min(zip(acc, [m['split']['test']['subjects'][0] for m in ms]))}."]
    text = "\n".join(lines) + "\n"
    atomic_write_text(HERE / "results.md", text)
    print(text)
    return text


if __name__ == "__main__":
    main()
