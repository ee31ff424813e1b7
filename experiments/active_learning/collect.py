"""Collect runs/*.json into results.md: label-efficiency curves and labels to 0.90 macro-F1.

    python experiments/active_learning/collect.py

"Labels to reach 0.90": per seed, the first labelled-window count at which test macro-F1
reaches 0.90, interpolated linearly in log2(labelled windows) between the two rounds that
bracket it; a seed whose curve never reaches 0.90 counts as not reached. The ratio divides
a strategy's mean count by random's (goal: <= 0.6).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from lbpnet.atomic import atomic_write_text

HERE = Path(__file__).parent
STRATEGIES = ["random", "entropy", "margin", "bald", "k_center"]
TARGET = 0.90


def labels_to_reach(curve: list[dict], target: float = TARGET) -> float | None:
    n = np.log2([c["labelled_windows"] for c in curve])
    f = np.asarray([c["test_f1_macro"] for c in curve])
    for i in range(len(f)):
        if f[i] >= target:
            if i == 0:
                return float(2 ** n[0])
            t = (target - f[i - 1]) / (f[i] - f[i - 1])
            return float(2 ** (n[i - 1] + t * (n[i] - n[i - 1])))
    return None


def main() -> None:
    runs = {s: [json.loads(p.read_text()) for p in sorted(HERE.glob(f"runs/{s}_seed*.json"))]
            for s in STRATEGIES}
    runs = {s: r for s, r in runs.items() if r}
    if not runs:
        raise SystemExit("no runs/*.json: run run.sh first")
    first = next(iter(runs.values()))[0]
    sizes = [c["labelled_windows"] for c in first["curve"]]
    lines = ["# Active learning on real UCI HAPT: results", "",
             "Written by `collect.py` from `runs/*.json` (reproduce with `run.sh`). Test macro-F1 "
             "on the 9 UCI-HAR test subjects (never in the pool) after each round, mean ± sd "
             f"over seeds; pool: {first['pool_windows']} windows of the 21 training subjects; "
             f"{first['steps_per_round']} AdamW steps (batch {first['batch']}) per round from the "
             f"previous round's weights; segments of up to {first['segment_windows']} contiguous "
             f"windows; BALD with {first['bald_passes']} MC-dropout passes.", "",
             "| strategy | seeds | " + " | ".join(f"{n} labelled" for n in sizes) + " |",
             "|---|---|" + "---|" * len(sizes)]
    for s, rs in runs.items():
        f = np.asarray([[c["test_f1_macro"] for c in r["curve"]] for r in rs])
        sd = f.std(axis=0, ddof=1) if len(rs) > 1 else np.zeros(f.shape[1])
        lines.append(f"| {s} | {len(rs)} | " + " | ".join(
            f"{m:.3f} ± {d:.3f}" for m, d in zip(f.mean(0), sd)) + " |")
    lines += ["", f"## Labelled windows to reach {TARGET:.2f} test macro-F1", "",
              "| strategy | per seed | mean | relative to random |", "|---|---|---|---|"]
    need = {s: [labels_to_reach(r["curve"]) for r in rs] for s, rs in runs.items()}

    def mean(v):
        return None if any(x is None for x in v) else float(np.mean(v))
    ref = mean(need.get("random", [None]))
    verdict = []
    for s, v in need.items():
        m = mean(v)
        rel = (m / ref) if (m is not None and ref) else None
        lines.append(f"| {s} | {', '.join('not reached' if x is None else f'{x:.0f}' for x in v)}"
                     f" | {'—' if m is None else f'{m:.0f}'} | "
                     f"{'—' if rel is None else f'{rel:.2f}×'} |")
        if s != "random" and rel is not None:
            verdict.append((rel, s))
    lines += ["", "## Verdict", ""]
    if verdict:
        rel, s = min(verdict)
        lines.append(f"Best strategy: **{s}**, {rel:.2f}× random's labels to reach "
                     f"{TARGET:.2f} — goal (≤ 0.6×) {'met' if rel <= 0.6 else 'NOT met'}.")
    else:
        lines.append("No ratio: random or every other strategy did not reach the target in "
                     "every seed.")
    wall = [r["wall_s"] for rs in runs.values() for r in rs]
    lines += ["", f"Wall time per run (one strategy, one seed, shared 2-core machine): "
              f"{np.mean(wall):.0f} s mean.", ""]
    atomic_write_text(HERE / "results.md", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
