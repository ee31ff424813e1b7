"""Write ``results.md`` from the runs in ``results/`` (SYNTHETIC data; no number typed by hand).

    python experiments/synthetic_strategy/collect.py

Inputs (written by ``run.sh``): ``positives_*.json`` (patients / windows per strategy and side,
``positives.py``), ``features_difficulty_*.json`` (``feature_baseline.py``, one entry per fold)
and ``deep_difficulty_*/fold_*/metrics.json`` (``lbpnet-train``, one run per fold).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from lbpnet.atomic import atomic_write_text

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def _ms(values) -> str:
    """``mean ± sd`` (sd over folds, ddof 1) of the defined values, with their count."""
    v = [x for x in values if x is not None]
    if not v:
        return "n/a"
    sd = f" ± {np.std(v, ddof=1):.3f}" if len(v) > 1 else ""
    return f"{np.mean(v):.3f}{sd}" + (f" ({len(v)} of {len(values)})" if len(v) < len(values)
                                      else "")


def _range(values, fmt="{:.3f}") -> str:
    v = [x for x in values if x is not None]
    if not v:
        return "n/a"
    return fmt.format(min(v)) if min(v) == max(v) else f"{fmt.format(min(v))}–{fmt.format(max(v))}"


def _positives_table() -> list[str]:
    lines = ["| protocol | strategy | positive val patients | positive test patients | "
             "positive test windows |", "|---|---|---|---|---|"]
    for path in sorted(RESULTS.glob("positives_*.json")):
        r = json.loads(path.read_text())
        folds = r["folds"]
        name = f"{path.stem.split('_', 1)[1]}: {folds[0]['test']['patients']} test / " \
               f"{folds[0]['val']['patients']} val patients per split, {len(folds)} split(s)"
        for t in [k for k in folds[0]["test"] if k.startswith("strategy/")]:
            lines.append(f"| {name} | {t.split('/')[-1]} | "
                         f"{_range([f['val'][t]['patients'] for f in folds], '{:d}')} | "
                         f"{_range([f['test'][t]['patients'] for f in folds], '{:d}')} | "
                         f"{_range([f['test'][t]['windows'] for f in folds], '{:d}')} |")
    return lines


def _rows(name: str, folds: list[dict], val_macro: list) -> list[str]:
    labels = list(folds[0]["test/auroc"])
    get = lambda key, label: [f.get(key, {}).get(label) for f in folds]  # noqa: E731
    rows = []
    for label in labels:
        lo, hi = get("test/auroc_ci_low", label), get("test/auroc_ci_high", label)
        ci = "n/a" if None in lo + hi else f"{np.mean(lo):.2f}–{np.mean(hi):.2f}"
        val = _ms(get("val/auroc", label)) if "val/auroc" in folds[0] else ""
        rows.append(f"| {name} | {label.split('/')[-1]} | {val} | {_ms(get('test/auroc', label))} | "
                    f"{_range(get('test/auroc', label))} | {ci} | "
                    f"{_ms(get('test/auprc', label))} | {_ms(get('test/f1', label))} | "
                    f"{_range(get('test/positive_subjects', label), '{:d}')} |")
    macro = lambda key: [f.get(key) for f in folds]  # noqa: E731
    rows.append(f"| {name} | **macro** | **{_ms(val_macro)}** | "
                f"**{_ms(macro('test/auroc_macro'))}** | {_range(macro('test/auroc_macro'))} | | "
                f"**{_ms(macro('test/auprc_macro'))}** | **{_ms(macro('test/f1_macro'))}** | |")
    return rows


def main() -> str:
    runs = []
    for path in sorted(RESULTS.glob("features_difficulty_*.json")):
        r = json.loads(path.read_text())
        assert r.get("synthetic", True), "a run on real data does not belong in this table"
        runs.append((f"features + logistic regression, difficulty {path.stem.split('_')[-1]}",
                     r["folds"], [f.get("val/auroc_macro") for f in r["folds"]]))
    for path in sorted(RESULTS.glob("deep_difficulty_*")):
        folds = [json.loads(p.read_text()) for p in sorted(path.glob("fold_*/metrics.json"))]
        if folds:
            assert all(m.get("synthetic", True) for m in folds), "real data in a synthetic table"
            runs.append((f"lbpnet CNN (EMG RMS envelopes + IMU), difficulty "
                         f"{path.name.split('_')[-1]}", folds, [m.get("best_val") for m in folds]))
    n_folds = {len(f) for _, f, _ in runs}
    lines = ["# Movement-strategy detection on the simulated LBP cohort — results (SYNTHETIC)", "",
             "**All data here is synthetic** (lbpnet's simulator, `data=synthetic_lbp`): these "
             "numbers say whether the pipeline can find planted signals, not how it would do on "
             "patients. Windows 2 s, stride 1 s; grouped k-fold over patients, stratified by "
             "phenotype (no patient on two sides; every patient tested once). Written by "
             "`collect.py` from the runs (`run.sh`).", "",
             "## Positive patients per side", "",
             "Strategies are planted per patient, so a window-level score is only as good as "
             "the number of positive *patients* on its side. The first protocol (one 24-patient "
             "holdout) validated every strategy on one patient; its validation and test scores "
             "could not agree.", ""] + _positives_table() + [
             "", f"## Scores over {'/'.join(map(str, sorted(n_folds)))} folds", "",
             "Mean ± sd over folds (each fold: a different set of test patients); the range over "
             "folds; the 95 % interval of a bootstrap over the fold's test patients (mean of the "
             "folds' bounds); F1 at the threshold chosen on the fold's validation patients. "
             "\"val AUROC\" is the score model selection saw (CNN: the best epoch's, "
             "which early stopping picked; features: the model fitted on train).", "",
             "| model | strategy | val AUROC | test AUROC | test AUROC over folds | "
             "95 % CI over test patients | test AUPRC | test F1 | positive test patients |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, folds, val in runs:
        lines += _rows(name, folds, val)
    text = "\n".join(lines) + "\n"
    atomic_write_text(HERE / "results.md", text)
    print(text)
    return text


if __name__ == "__main__":
    main()
