"""``lbpnet-aggregate``: one table (mean ± sd) and one plot from the runs of a sweep.

A fold sweep (``lbpnet-train --multirun experiment=hapt_loso 'split.fold=range(30)'``)
leaves one ``metrics.json`` per run under its multirun directory. This command finds
them all and writes, beside them (or into ``--out``)::

    aggregate.md     mean ± sd (sample sd, ddof = 1), n, min and max per scalar metric
    aggregate.csv    the same numbers, one row per metric
    runs.csv         every run's scalars, one row per run (labelled by its overrides)
    aggregate.png    per-run bars of the scored metrics, the mean as a line

Usage::

    lbpnet-aggregate logs/hapt_loso/multiruns/2026-01-01_12-00-00
    lbpnet-aggregate SWEEP_DIR --metrics test/acc test/f1_macro --out results/
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import re
import sys
from pathlib import Path

import yaml

from lbpnet.atomic import atomic_write_bytes, atomic_write_text
from lbpnet.errors import ConfigError, LbpnetError, ReaderError

OUTPUTS = ("aggregate.md", "aggregate.csv", "runs.csv", "aggregate.png")


def find_runs(sweep_dir: str | Path) -> list[dict]:
    """Every run under ``sweep_dir``: ``{"dir", "label", "metrics"}``, in label order.

    The label is the run's Hydra overrides that differ between runs (e.g.
    ``split.fold=3``), or its directory relative to ``sweep_dir``.
    """
    root = Path(sweep_dir)
    if not root.is_dir():
        raise ConfigError(f"'{root}' is not a directory", source=str(root), field="sweep_dir",
                          fix="pass the multirun directory of a sweep "
                              "(logs/<task_name>/multiruns/<date_time>)")
    files = _metrics_files(root)
    if not files:
        raise ConfigError("no metrics.json under this directory: no run of the sweep finished",
                          source=str(root), field="sweep_dir",
                          fix="pass the multirun directory of a finished sweep "
                              "(logs/<task_name>/multiruns/<date_time>), or wait for its runs")
    runs = []
    for f in files:
        try:
            metrics = json.loads(f.read_text())
        except (OSError, json.JSONDecodeError) as err:
            raise ReaderError(f"cannot read the run's metrics ({err})", source=str(f),
                              fix="re-run that fold, or delete its half-written directory") from err
        overrides_file = f.parent / ".hydra" / "overrides.yaml"
        overrides = yaml.safe_load(overrides_file.read_text()) if overrides_file.is_file() else []
        runs.append({"dir": f.parent, "overrides": list(overrides or []), "metrics": metrics})
    shared = set.intersection(*(set(r["overrides"]) for r in runs))
    for r in runs:
        varying = [o for o in r["overrides"] if o not in shared]
        r["label"] = " ".join(varying) or str(r["dir"].relative_to(root)) or root.name
    return sorted(runs, key=lambda r: _natural(r["label"]))


def _metrics_files(root: Path) -> list[Path]:
    """Every ``metrics.json`` under ``root``, following symbolic links to run folders (a
    sweep gathered from links), each real folder once (a link loop ends)."""
    found, seen = [], set()
    for folder, dirs, names in os.walk(root, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        dirs.sort()
        if "metrics.json" in names:
            found.append(Path(folder) / "metrics.json")
    return sorted(found)


def _natural(text: str) -> list:
    """Sort key in which ``fold=10`` comes after ``fold=9``."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


def scalars(metrics: dict) -> dict[str, float]:
    """The top-level numbers of one ``metrics.json`` (booleans left out; null -> NaN)."""
    out = {}
    for k, v in metrics.items():
        if isinstance(v, bool):
            continue
        if isinstance(v, (int, float)):
            out[k] = float(v)
        elif v is None and (k.startswith(("test/", "val/")) or k == "best_val"):
            out[k] = math.nan
    return out


def summarise(runs: list[dict]) -> list[dict]:
    """Per scalar metric: n (finite values), mean, sd (ddof = 1; NaN when n < 2), min, max."""
    table = [scalars(r["metrics"]) for r in runs]
    names = sorted({k for row in table for k in row}, key=lambda k: (not k.startswith("test/"), k))
    rows = []
    for name in names:
        values = [row[name] for row in table if name in row and math.isfinite(row[name])]
        n = len(values)
        mean = sum(values) / n if n else math.nan
        sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else math.nan
        rows.append({"metric": name, "n": n, "mean": mean, "sd": sd,
                     "min": min(values) if n else math.nan, "max": max(values) if n else math.nan})
    return rows


def _csv(header: list[str], rows: list[list]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def markdown(summary: list[dict], runs: list[dict], sweep_dir: Path) -> str:
    """The Markdown report of a sweep: a mean ± sd table over ``runs`` of each metric of
    ``summary``, marked SYNTHETIC when any run's data were.
    """
    synthetic = any(r["metrics"].get("synthetic") for r in runs)
    lines = [f"# {'SYNTHETIC data: ' if synthetic else ''}{len(runs)} runs of {sweep_dir}", "",
             "| metric | mean ± sd | n | min | max |", "|---|---|---|---|---|"]
    for s in summary:
        lines.append(f"| {s['metric']} | {s['mean']:.4f} ± {s['sd']:.4f} | {s['n']} | "
                     f"{s['min']:.4f} | {s['max']:.4f} |")
    lines += ["", "sd: sample standard deviation (ddof = 1) over runs; n: runs with a finite "
              "value.", "", "Runs: " + ", ".join(r["label"] for r in runs), ""]
    return "\n".join(lines)


def plot(runs: list[dict], summary: list[dict], metrics: list[str]) -> bytes:
    """Per-run bars of each metric in ``metrics``, the mean as a dashed line; PNG bytes."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    means = {s["metric"]: s for s in summary}
    labels = [r["label"] for r in runs]
    fig, axes = plt.subplots(len(metrics), 1, squeeze=False,
                             figsize=(max(6.0, 0.35 * len(runs) + 2), 2.2 * len(metrics)))
    for ax, name in zip(axes[:, 0], metrics):
        values = [scalars(r["metrics"]).get(name, math.nan) for r in runs]
        ax.bar(range(len(runs)), values, color="#4c72b0")
        s = means[name]
        ax.axhline(s["mean"], color="k", linestyle="--", linewidth=1,
                   label=f"mean {s['mean']:.3f} ± {s['sd']:.3f}")
        ax.set_ylabel(name)
        ax.legend(loc="lower right", fontsize=8)
        ax.set_xticks(range(len(runs)))
        ax.set_xticklabels(labels, rotation=90 if len(runs) > 8 else 0, fontsize=7)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120)
    plt.close(fig)
    return buf.getvalue()


def aggregate(sweep_dir: str | Path, out_dir: str | Path | None = None,
              metrics: list[str] | None = None, with_plot: bool = True) -> list[dict]:
    """Write the table, the per-run CSV and the plot of a sweep; return the summary rows.

    ``metrics`` selects what is plotted (default: every ``test/`` scalar, else every scalar).
    """
    runs = find_runs(sweep_dir)
    summary = summarise(runs)
    names = [s["metric"] for s in summary]
    wanted = metrics or [n for n in names if n.startswith("test/")] or names
    unknown = [m for m in wanted if m not in names]
    if unknown:
        raise ConfigError(f"metrics {unknown} are in no run's metrics.json; scalars found: {names}",
                          field="--metrics", fix="name metrics as metrics.json spells them")
    out = Path(out_dir) if out_dir is not None else Path(sweep_dir)
    atomic_write_text(out / "aggregate.md", markdown(summary, runs, Path(sweep_dir)))
    atomic_write_text(out / "aggregate.csv", _csv(
        ["metric", "n", "mean", "sd", "min", "max"],
        [[s["metric"], s["n"], s["mean"], s["sd"], s["min"], s["max"]] for s in summary]))
    atomic_write_text(out / "runs.csv", _csv(
        ["run", "dir", *names],
        [[r["label"], str(r["dir"]), *[scalars(r["metrics"]).get(n, "") for n in names]]
         for r in runs]))
    if with_plot:
        atomic_write_bytes(out / "aggregate.png", plot(runs, summary, wanted))
    return summary


def main(argv: list[str] | None = None) -> int:
    """``lbpnet-aggregate SWEEP_DIR [--out DIR] [--metrics ...]``: table and plot of a sweep's
    ``metrics.json`` files; returns the exit status.
    """
    parser = argparse.ArgumentParser(
        prog="lbpnet-aggregate",
        description="Mean ± sd table and per-run plot of the metrics.json files of a sweep.")
    parser.add_argument("sweep_dir", help="multirun directory (logs/<task>/multiruns/<time>)")
    parser.add_argument("--out", default=None, help="where to write (default: sweep_dir)")
    parser.add_argument("--metrics", nargs="+", default=None,
                        help="metrics to plot (default: every test/ scalar)")
    parser.add_argument("--no-plot", action="store_true", help="tables only")
    args = parser.parse_args(argv)
    try:
        summary = aggregate(args.sweep_dir, args.out, args.metrics, not args.no_plot)
    except LbpnetError as err:
        print(f"lbpnet-aggregate: {err}", file=sys.stderr)
        return 2
    out = Path(args.out or args.sweep_dir)
    for s in summary:
        if s["metric"].startswith("test/"):
            print(f"{s['metric']}: {s['mean']:.4f} ± {s['sd']:.4f} (n={s['n']})")
    print(f"wrote {', '.join(str(out / o) for o in OUTPUTS[: 3 + (not args.no_plot)])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
