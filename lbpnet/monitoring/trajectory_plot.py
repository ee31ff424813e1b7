"""The trajectory plot of one patient's monitoring summary (matplotlib, PNG).

Per outcome, one panel: the reports seen (filled), later reports not seen by the forecast
(hollow, when the data has them), the forecast median and its calibrated interval from the
last session seen, the baseline and the minimal-important-change line (the value an
improvement by the MIC reaches), and every flag marked at the session it was raised.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

LEVEL_COLOURS = {"info": "#4a6fa5", "review": "#c07a00", "urgent": "#a4161a"}


def trajectory_figure(summary: dict):
    """A matplotlib Figure of ``summary`` (:func:`lbpnet.monitoring.patient_summary.
    patient_summary`): x = session (1-based), y = outcome in its units, one panel per
    outcome."""
    import matplotlib
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    outcomes = summary["outcomes"]
    fig, axes = plt.subplots(len(outcomes), 1, figsize=(8.6, 2.6 * len(outcomes)),
                             squeeze=False, sharex=True)
    sessions = summary["sessions"]
    x = np.array([s["session"] for s in sessions])
    seen = np.array([s["seen"] for s in sessions])
    for ax, spec in zip(axes[:, 0], outcomes):
        name = spec["name"]
        y = np.array([np.nan if s["values"][name] is None else s["values"][name]
                      for s in sessions], float)
        ax.plot(x[seen], y[seen], "o-", color="#1b1b1b", label="reported (seen)")
        if (~seen & np.isfinite(y)).any():
            ax.plot(x[~seen], y[~seen], "o", mfc="white", color="#666",
                    label="reported later (not seen)")
        fc = sorted((f for f in summary["forecasts"] if f["outcome"] == name),
                    key=lambda f: f["horizon_session"])
        if fc:
            fx = np.array([summary["as_of_session"]] + [f["horizon_session"] for f in fc])
            last = y[summary["as_of_session"] - 1] if np.isfinite(
                y[summary["as_of_session"] - 1]) else fc[0]["median"]
            med = np.array([last] + [f["median"] for f in fc], float)
            lo = np.array([last] + [np.nan if f["lower"] is None else f["lower"] for f in fc])
            hi = np.array([last] + [np.nan if f["upper"] is None else f["upper"] for f in fc])
            level = fc[0]["level"]
            cal = "calibrated " if fc[0]["calibrated"] else "uncalibrated "
            ax.fill_between(fx, lo, hi, color="#8aa6d6", alpha=0.35,
                            label=f"{cal}{100 * level:.0f} % interval")
            ax.plot(fx, med, "--", color="#1f3b6e", label="forecast median")
        base = summary["baseline"]["values"].get(name)
        if base is not None and spec.get("mic") is not None:
            target = base - spec["mic"] if spec["higher_is_worse"] else base + spec["mic"]
            ax.axhline(target, color="#1d6b36", lw=1, ls=":",
                       label=f"baseline {'-' if spec['higher_is_worse'] else '+'} MIC "
                             f"({spec['mic']:g})")
        for f in summary["flags"]:
            if _concerns(f, name):
                ax.axvline(f["session"], color=LEVEL_COLOURS.get(f["level"], "#444"),
                           lw=1.2, alpha=0.7)
                ax.annotate(f["rule_id"], (f["session"], 1.0), xycoords=("data", "axes fraction"),
                            fontsize=7, rotation=90, va="top", ha="right",
                            color=LEVEL_COLOURS.get(f["level"], "#444"))
        ax.set_ylabel(f"{name}" + (f" ({spec['units']})" if spec.get("units") else ""))
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    axes[-1, 0].set_xlabel("session")
    axes[-1, 0].set_xticks(x)
    fig.suptitle(f"Patient {summary['patient']}: seen up to session {summary['as_of_session']}",
                 fontsize=10)
    fig.tight_layout()
    return fig


def _concerns(flag: dict, outcome: str) -> bool:
    ev = flag.get("evidence") or {}
    if ev.get("outcome") is not None:
        return ev["outcome"] == outcome
    measures = [m.get("measure") for m in ev.get("measures", [])]
    return outcome in measures if measures else True       # e.g. missed sessions: every panel


def trajectory_png(summary: dict) -> bytes:
    """:func:`trajectory_figure` as PNG bytes (the figure is closed)."""
    import matplotlib.pyplot as plt
    fig = trajectory_figure(summary)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return buf.getvalue()


def write_trajectory_png(summary: dict, path: str | Path) -> Path:
    """Write the plot to ``path`` atomically (temporary file, then rename)."""
    from lbpnet.atomic import atomic_write_bytes
    return atomic_write_bytes(path, trajectory_png(summary))
