"""Build ``results.md`` from the runs' ``metrics.json`` files (no number typed by hand).

    python experiments/hapt_activity/collect.py

Reads ``experiments/hapt_activity/results/``: ``random_forest_*.json`` (from
``random_forest.py``) and one folder per sweep (``6class_default/``, ``6class/``, ``12class/``,
``loso/``) holding ``<run>/metrics.json`` (copied there by ``run.sh``). Writes
``results.md`` atomically.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from lbpnet.atomic import atomic_write_text

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
BAR = 0.95  # the activity bar of the foundation issue: test accuracy and macro-F1
HEADER = ["| run | classes | test acc | test macro-F1 | test windows | test subjects | val subjects "
          "| epochs | fit s |", "|---|---|---|---|---|---|---|---|---|"]


def _sd(values: list[float]) -> float:
    return statistics.stdev(values) if len(values) > 1 else 0.0


def _row(name: str, m: dict) -> str:
    split = m["split"]
    return (f"| {name} | {len(m['test/f1_per_class'])} | {m['test/acc']:.4f} | "
            f"{m['test/f1_macro']:.4f} | {split['test']['windows']} | "
            f"{', '.join(split['test']['subjects'])} | "
            f"{', '.join(split.get('val', {}).get('subjects', [])) or 'none (final fit)'} | "
            f"{m['epochs']} | {m['fit_seconds']} |")


def _runs(group: str) -> list[tuple[str, dict]]:
    folder = RESULTS / group
    runs = sorted(folder.glob("*/metrics.json"), key=lambda p: int(p.parent.name)
                  if p.parent.name.isdigit() else p.parent.name) if folder.is_dir() else []
    name = _name if group == "6class_default" else (lambda p: p.parent.name)  # seeds 0-9 and 42
    return [(f"{group}/{name(p)}", json.loads(p.read_text())) for p in runs]


def _name(metrics_path: Path) -> str:
    """The run's job number, and its seed where that is not the job number (``10, seed 42``)."""
    config = metrics_path.with_name("config.yaml")
    seed = next((ln.split(":", 1)[1].strip() for ln in config.read_text().splitlines()
                 if ln.startswith("seed:")), None) if config.is_file() else None
    job = metrics_path.parent.name
    return job if seed in (None, job) else f"{job}, seed {seed}"


def _summary(label: str, runs: list[tuple[str, dict]]) -> str:
    acc = [m["test/acc"] for _, m in runs]
    f1 = [m["test/f1_macro"] for _, m in runs]
    if len(runs) == 1:
        return f"**{label}** (1 run): accuracy {acc[0]:.4f}, macro-F1 {f1[0]:.4f}."
    return (f"**{label}** ({len(runs)} runs): accuracy {statistics.mean(acc):.4f} ± {_sd(acc):.4f}, "
            f"macro-F1 {statistics.mean(f1):.4f} ± {_sd(f1):.4f} (mean ± sd); "
            f"min accuracy {min(acc):.4f}, min macro-F1 {min(f1):.4f}.")


def main() -> str:
    lines = ["# UCI HAPT activity recognition — results", "",
             "Real data: UCI HAPT raw smartphone IMU (waist, 50 Hz, acc + gyro), 30 subjects. "
             "Windows 2.56 s with 50 % overlap. Written by `collect.py` from the runs' "
             "`metrics.json` (reproduce with `run.sh`). `fit s` is wall time on a shared 2-core "
             "CPU machine, with other jobs running: read it as noisy.", ""]
    for rf in sorted(RESULTS.glob("random_forest_*.json")):
        m = json.loads(rf.read_text())
        lines += [f"Baseline ({rf.stem}) — {m['model']}, same windows and split, fit on all "
                  f"training subjects: test accuracy {m['test/acc']:.4f}, macro-F1 "
                  f"{m['test/f1_macro']:.4f} ({m['test_windows']} test windows).", ""]
    ensembles = sorted(RESULTS.glob("ensemble_*.json"))
    for group, label in (("6class_default", "The default run (`lbpnet-train`, "
                                            "experiment=hapt_activity: patch Transformer), "
                                            "6 activities, UCI-HAR test subjects, final fit on "
                                            "all 21 training subjects, seeds 0-9 and 42"),
                         ("6class", "The CNN of the same recipe (experiment=hapt_activity_cnn, "
                                    "the default before issue 10), one run per seed"),
                         ("6class_dev", "6 activities, development runs: 18 training subjects, "
                                        "3 validation subjects drawn by seed"),
                         ("ablation_no_rotation", "Ablation: final fit without random sensor "
                                                  "rotations"),
                         ("ablation_raw_channels", "Ablation: final fit on the raw 6 channels "
                                                   "(no gravity/body split)"),
                         ("12class", "12 classes (with postural transitions), UCI-HAR test subjects")):
        runs = _runs(group)
        if runs:
            lines += [f"## {label}", "", _summary(group, runs), ""]
            below = [n for n, m in runs if min(m["test/acc"], m["test/f1_macro"]) < BAR]
            lines += [f"Runs below the {BAR} bar (accuracy or macro-F1): "
                      f"{', '.join(below) if below else 'none'} of {len(runs)}.", ""]
            if group == "6class":
                for path in ensembles:
                    m = json.loads(path.read_text())
                    lines += [f"- {path.stem} (class probabilities of {len(m['members'])} of these "
                              f"runs averaged): test accuracy {m['test/acc']:.4f}, macro-F1 "
                              f"{m['test/f1_macro']:.4f}"]
                lines += [""] if ensembles else []
            lines += [*HEADER, *[_row(n, m) for n, m in runs], ""]
    loso = _runs("loso")
    if loso:
        worst = min(loso, key=lambda r: r[1]["test/acc"])
        lines += ["## Leave one subject out (6 activities)", "",
                  _summary("LOSO", loso) + f" Worst subject: {worst[1]['split']['test']['subjects'][0]} "
                  f"(accuracy {worst[1]['test/acc']:.4f}).", "", *HEADER,
                  *[_row(n, m) for n, m in loso], ""]
    text = "\n".join(lines)
    atomic_write_text(HERE / "results.md", text)
    print(text)
    return text


if __name__ == "__main__":
    main()
