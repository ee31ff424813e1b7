"""Write ``results.md`` from the runs in ``results/`` (SYNTHETIC data; no number typed by hand).

    python experiments/synthetic_strategy/collect.py
"""

from __future__ import annotations

import json
from pathlib import Path

from lbpnet.atomic import atomic_write_text

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def _fmt(v) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def _rows(name: str, m: dict) -> list[str]:
    labels = list(m["test/auroc"])
    return [f"| {name} | {label.split('/')[-1]} | {_fmt(m['test/auroc'][label])} | "
            f"{_fmt(m['test/auprc'][label])} | {_fmt(m['test/f1'][label])} | "
            f"{m['test/positives'][label]} |" for label in labels] + [
        f"| {name} | **macro** | **{_fmt(m['test/auroc_macro'])}** | "
        f"**{_fmt(m['test/auprc_macro'])}** | **{_fmt(m['test/f1_macro'])}** | |"]


def main() -> str:
    runs = []
    for path in sorted(RESULTS.glob("features_difficulty_*.json")):
        runs.append((f"features + logistic regression, difficulty {path.stem.split('_')[-1]}",
                     json.loads(path.read_text())))
    for path in sorted(RESULTS.glob("deep_difficulty_*/metrics.json")):
        runs.append((f"lbpnet CNN (EMG RMS envelopes + IMU), difficulty "
                     f"{path.parent.name.split('_')[-1]}", json.loads(path.read_text())))
    lines = ["# Movement-strategy detection on the simulated LBP cohort — results (SYNTHETIC)", "",
             "**All data here is synthetic** (lbpnet's simulator, `data=synthetic_lbp`): these "
             "numbers say whether the pipeline can find planted signals, not how it would do on "
             "patients. Windows 2 s, stride 1 s; split by patient, stratified by phenotype (no "
             "patient on two sides); F1 at the threshold chosen on the validation patients. "
             "Written by `collect.py` from the runs (`run.sh`).", "",
             "| model | strategy | test AUROC | test AUPRC | test F1 | test positive windows |",
             "|---|---|---|---|---|---|"]
    for name, m in runs:
        assert m.get("synthetic", True), "a run on real data does not belong in this table"
        lines += _rows(name, m)
    text = "\n".join(lines) + "\n"
    atomic_write_text(HERE / "results.md", text)
    print(text)
    return text


if __name__ == "__main__":
    main()
