"""QC summary for reports: per recording and stream, the share of windows each check flagged.

A row: ``{"recording", "stream", "check", "windows", "flagged", "fraction", "note"}``;
checks that could not run appear with ``flagged = None`` and the reason in ``note`` (never a
silent NaN). :func:`write_summary_csv` writes the rows atomically; :func:`plot_summary` draws
a heat map (matplotlib, imported only there).
"""

from __future__ import annotations

import csv
import io
import os

import numpy as np

from lbpnet.atomic import atomic_write_text

COLUMNS = ("recording", "stream", "check", "windows", "flagged", "fraction", "note")


def summary_rows(results) -> list[dict]:
    """Rows of the summary table for a list of :class:`RecordingQuality`."""
    rows = []
    for res in results:
        n = len(res.starts)
        for s, q in res.streams.items():
            for check, f in q.window_flags().items():
                k = int(f.sum())
                rows.append({"recording": res.key, "stream": s, "check": check, "windows": n,
                             "flagged": k, "fraction": round(k / n, 4) if n else 0.0,
                             "note": ""})
            for check, why in q.skipped.items():
                rows.append({"recording": res.key, "stream": s, "check": check, "windows": n,
                             "flagged": None, "fraction": None, "note": f"not scored: {why}"})
        good = res.quality()
        rows.append({"recording": res.key, "stream": "*", "check": "any", "windows": n,
                     "flagged": int((good == 0).sum()),
                     "fraction": round(float((good == 0).mean()), 4) if n else 0.0,
                     "note": "window flagged by at least one check"})
    return rows


def write_summary_csv(rows: list[dict], path: str | os.PathLike) -> None:
    """Write the summary rows to ``path`` as CSV, atomically."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS)
    writer.writeheader()
    for r in rows:
        writer.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in COLUMNS})
    atomic_write_text(path, buf.getvalue())


def plot_summary(rows: list[dict], path: str | os.PathLike | None = None):
    """Heat map: recordings (rows) x ``stream/check`` (columns), share of windows flagged.

    Returns the matplotlib figure; saves it to ``path`` when given. Checks that could not run
    are drawn grey.
    """
    import matplotlib
    if path is not None:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    recs = list(dict.fromkeys(r["recording"] for r in rows))
    cols = list(dict.fromkeys(f"{r['stream']}/{r['check']}" for r in rows))
    grid = np.full((len(recs), len(cols)), np.nan)
    for r in rows:
        if r["fraction"] is not None:
            grid[recs.index(r["recording"]), cols.index(f"{r['stream']}/{r['check']}")] = \
                r["fraction"]
    fig, ax = plt.subplots(figsize=(max(6, 0.35 * len(cols) + 2), max(2.5, 0.3 * len(recs) + 1.5)))
    cmap = plt.get_cmap("viridis").with_extremes(bad="lightgrey")
    im = ax.imshow(np.ma.masked_invalid(grid), aspect="auto", vmin=0, vmax=1, cmap=cmap)
    ax.set_xticks(range(len(cols)), cols, rotation=90, fontsize=7)
    ax.set_yticks(range(len(recs)), recs, fontsize=7)
    fig.colorbar(im, ax=ax, label="share of windows flagged")
    ax.set_title("Signal quality per recording (grey: not scored)")
    fig.tight_layout()
    if path is not None:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=120)
        from lbpnet.atomic import atomic_write_bytes
        atomic_write_bytes(path, buf.getvalue())
    return fig
