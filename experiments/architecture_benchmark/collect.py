"""Build ``results.md`` from the runs' files (no number typed by hand).

    python experiments/architecture_benchmark/collect.py

Reads ``results/<task>/<architecture>/metrics.json`` (copied there by ``run.sh``),
``results/speed.json`` (from ``measure.py``) and, for the reference, the foundation CNN's
ten 20-epoch seeds in ``experiments/hapt_activity/results/6class/``. Writes ``results.md``
atomically.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from lbpnet.atomic import atomic_write_text
from lbpnet.models.registry import ENCODERS

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
FOUNDATION = HERE.parent / "hapt_activity" / "results" / "6class"


def _load(path: Path) -> dict | None:
    return json.loads(path.read_text()) if path.is_file() else None


def _rf(rf: dict | None) -> str:
    if not rf:
        return "–"
    return ", ".join(f"{m}: {'whole window' if v is None else v}" for m, v in rf.items())


def _speed_cells(speed: dict | None) -> list[str]:
    if not speed:
        return ["–", "–", "–"]
    return [f"{speed['parameters']:,}", f"{speed['train_s_per_epoch']:.0f}",
            f"{speed['inference_windows_per_s']:.0f}"]


def _hapt_table(speed: dict) -> tuple[list[str], list[tuple[str, float]]]:
    lines = ["| architecture | parameters | receptive field (samples) | test acc | test macro-F1 "
             "| epochs | fit s (whole run) | train s/epoch (measured) | inference windows/s |",
             "|---|---|---|---|---|---|---|---|---|"]
    accs = []
    for arch in ENCODERS:
        m = _load(RESULTS / "hapt" / arch / "metrics.json")
        s = speed.get(arch)
        if m is None:
            lines.append(f"| {arch} | {_speed_cells(s)[0]} | {_rf(s and s['receptive_field'])} "
                         "| not run | | | | | |")
            continue
        params, train_s, infer = _speed_cells(s)
        accs.append((arch, m["test/acc"]))
        lines.append(f"| {arch} | {params} | {_rf(s and s['receptive_field'])} | "
                     f"{m['test/acc']:.4f} | {m['test/f1_macro']:.4f} | {m['epochs']} | "
                     f"{m['fit_seconds']} | {train_s} | {infer} |")
    return lines, accs


def _synthetic_table(speed: dict) -> list[str]:
    lines = ["| architecture | parameters | receptive field (samples) | test AUROC (macro) "
             "| test AUPRC (macro) | test F1 (macro) | best val AUROC | epochs | fit s (whole run) "
             "| train s/epoch (measured) | inference windows/s |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for arch in ENCODERS:
        m = _load(RESULTS / "synthetic" / arch / "metrics.json")
        s = speed.get(arch)
        params, train_s, infer = _speed_cells(s)
        if m is None:
            lines.append(f"| {arch} | {params} | {_rf(s and s['receptive_field'])} | not run "
                         "| | | | | | | |")
            continue
        lines.append(f"| {arch} | {params} | {_rf(s and s['receptive_field'])} | "
                     f"{m['test/auroc_macro']:.4f} | {m['test/auprc_macro']:.4f} | "
                     f"{m['test/f1_macro']:.4f} | {m['best_val']:.4f} | {m['epochs']} | "
                     f"{m['fit_seconds']} | {train_s} | {infer} |")
    return lines


def _foundation() -> tuple[list[float], dict | None]:
    runs = sorted(FOUNDATION.glob("*/metrics.json"))
    accs = [json.loads(p.read_text())["test/acc"] for p in runs]
    return accs, _load(FOUNDATION / "0" / "metrics.json")


def main() -> str:
    speed = _load(RESULTS / "speed.json") or {}
    hapt_epochs = {m["epochs"] for a in ENCODERS
                   if (m := _load(RESULTS / "hapt" / a / "metrics.json"))}
    lines = ["# Architecture benchmark — results", "",
             "Written by `collect.py` from the runs' `metrics.json` and `measure.py`'s "
             "`speed.json` (reproduce with `run.sh`). **One seed per architecture** (HAPT seed 0, "
             "synthetic seed 42): a difference of one or two points between two rows is within "
             "the seed-to-seed spread (the foundation CNN's sd over 10 seeds is given below).",
             "", "Columns: `fit s` is the wall time of the whole `lbpnet-train` run (windowing, "
             "training, testing) on a 2-core machine shared with other jobs — noisy. `train "
             "s/epoch (measured)` and `inference windows/s` come from `measure.py`: every "
             "architecture timed one after the other in one process, one thread, on the same "
             "batches (median optimisation step × steps per epoch; eval-mode forward passes over "
             "the test windows in batches of 256). Read those two as ratios between rows.", ""]
    hapt, accs = _hapt_table(speed.get("hapt", {}))
    lines += ["## UCI HAPT (real data), 6 activities, UCI-HAR test subjects", "",
              "`lbpnet-train experiment=hapt_activity model=<name> seed=0 "
              f"trainer.max_epochs={'/'.join(str(e) for e in sorted(hapt_epochs)) or '?'}`: "
              "the foundation recipe (gravity/body channels, 13 channels at 50 Hz, 128-sample "
              "windows, random rotations, AdamW one-cycle, label smoothing), the same for every "
              "architecture, final fit on the 21 training subjects, last epoch tested.", ""]
    lines += hapt + [""]
    found, seed0 = _foundation()
    if found:
        mean, sd = statistics.mean(found), statistics.stdev(found) if len(found) > 1 else 0.0
        lines += [f"Reference: the foundation CNN (`model=cnn`, 20 epochs) over {len(found)} "
                  f"seeds: accuracy {mean:.4f} ± {sd:.4f} (mean ± sd)"
                  + (f"; its seed 0: {seed0['test/acc']:.4f}." if seed0 else "."), ""]
        if accs:
            best, acc = max(accs, key=lambda t: t[1])
            verdict = "above" if acc > mean else "not above"
            lines += [f"Best architecture at this budget: **{best}**, accuracy {acc:.4f} — "
                      f"{verdict} the foundation CNN's 20-epoch mean ({mean:.4f}). One seed at a "
                      "shorter budget against a 10-seed mean at 20 epochs is no proof either way.",
                      ""]
    lines += ["## SYNTHETIC movement-strategy detection (simulated cohort, split by patient)", "",
              "`lbpnet-train experiment=synthetic_strategy model=<name> trainer.max_epochs=<n>`: "
              "EMG (RMS-envelope front end, 100 Hz) + IMU (100 Hz), 2 s windows, 5 labels, "
              "best checkpoint by validation macro-AUROC. Synthetic data: says nothing about "
              "real patients.", ""]
    lines += _synthetic_table(speed.get("synthetic", {})) + [""]
    ref = _load(HERE.parent / "synthetic_strategy" / "results" / "deep_difficulty_1.0" /
                "metrics.json")
    if ref:
        lines += [f"Reference: the foundation CNN run of `experiments/synthetic_strategy` (up to "
                  f"15 epochs, early stopping; stopped after {ref['epochs']}): test macro-AUROC "
                  f"{ref['test/auroc_macro']:.4f}, AUPRC {ref['test/auprc_macro']:.4f}, best val "
                  f"AUROC {ref['best_val']:.4f}. The test side holds the windows of a few "
                  "patients only: validation and test AUROC differ by several points, and so "
                  "can two seeds.", ""]
    text = "\n".join(lines)
    atomic_write_text(HERE / "results.md", text)
    return text


if __name__ == "__main__":
    print(main())
