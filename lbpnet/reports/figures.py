"""Static figures (matplotlib, Agg) inlined into the reports as base64 PNG data URIs."""

from __future__ import annotations

import base64
import io
from typing import Sequence

import numpy as np

from lbpnet.errors import ConfigError
from lbpnet.reports.html import channel_label, output_label
from lbpnet.reports.signals import WindowSignals

MAX_HEATMAP_ROWS = 20
MAX_BINS = 1500


def _plain(text: str) -> str:
    """Text matplotlib draws literally (a ``$`` would start mathtext)."""
    return str(text).replace("$", r"\$")


def _labels(channels: Sequence[str], rows) -> list[str]:
    return [_plain(channel_label(channels[i])) for i in rows]


def _pyplot():
    try:
        import matplotlib
        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError:
        raise ConfigError("matplotlib is needed to draw the report figures", field="reports",
                          fix="pip install matplotlib (or pip install -e '.[dev]')") from None
    return plt


def to_data_uri(fig) -> str:
    """Render a matplotlib figure to ``data:image/png;base64,…`` and close it."""
    plt = _pyplot()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)          # fixed margins: one draw, not two
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def heatmap_rows(matrix: np.ndarray, limit: int = MAX_HEATMAP_ROWS) -> np.ndarray:
    """Channels to draw: all (in data order) or the ``limit`` largest by |attribution|,
    kept in data order so that left/right muscles stay side by side. ``matrix`` is
    (channels, segments)."""
    n = matrix.shape[0]
    if n <= limit:
        return np.arange(n)
    return np.sort(np.argsort(-np.abs(matrix).sum(axis=1), kind="stable")[:limit])


def _draw_heatmap(ax, cax, matrix, edges, labels, title, cbar_label, fig):
    """Heat map of (rows, columns) on ``ax``, colour bar in ``cax``; masked cells
    (no window covers them) are grey."""
    scale = float(np.nanmax(np.abs(matrix))) if np.isfinite(matrix).any() else 1.0
    cmap = _pyplot().get_cmap("RdBu_r").with_extremes(bad="#d9d9d9")
    im = ax.pcolormesh(edges, np.arange(matrix.shape[0] + 1),
                       np.ma.masked_invalid(matrix / (scale or 1.0)), cmap=cmap,
                       vmin=-1, vmax=1, shading="flat")
    ax.set_yticks(np.arange(len(labels)) + 0.5)
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_title(title, fontsize=10, loc="left")
    bar = fig.colorbar(im, cax=cax)
    bar.set_label(cbar_label, fontsize=8)
    bar.set_ticks([-1, 0, 1])
    bar.set_ticklabels(["against", "0", "towards"], fontsize=8)


def _grid(fig, heights):
    """A two-column grid: plots left, a narrow colour-bar column right (so every time
    axis has the same width and the signals sit exactly under the heat map). Margins are
    fixed in inches (room for channel names left, titles on top)."""
    h = fig.get_figheight()
    return fig.add_gridspec(len(heights), 2, height_ratios=heights, width_ratios=[1, 0.018],
                            hspace=0.6, wspace=0.12, left=0.2, right=0.9,
                            top=1 - 0.4 / h, bottom=0.55 / h)


def window_figure(matrix: np.ndarray, channels: Sequence[str], edges_s: np.ndarray,
                  signals: WindowSignals | None, row: int, top: Sequence[int],
                  output_name: str, window_start_s: float) -> str:
    """:func:`window_axes` rendered to a ``data:image/png;base64,…`` URI."""
    return to_data_uri(window_axes(matrix, channels, edges_s, signals, row, top, output_name,
                                   window_start_s))


def only_rescaled(raw: np.ndarray, processed: np.ndarray) -> bool:
    """Whether ``processed`` is ``raw`` up to an offset and a positive scale (e.g. a
    per-channel standardisation): same length and correlation above 0.9999."""
    raw, processed = np.asarray(raw, dtype=float), np.asarray(processed, dtype=float)
    if raw.shape != processed.shape or raw.size < 3 or raw.std() == 0 or processed.std() == 0:
        return False
    return float(np.corrcoef(raw, processed)[0, 1]) > 0.9999


def window_axes(matrix: np.ndarray, channels: Sequence[str], edges_s: np.ndarray,
                signals: WindowSignals | None, row: int, top: Sequence[int],
                output_name: str, window_start_s: float):
    """Heat map of one window's channel × segment attribution above the signals of its
    ``top`` channels, on one time axis (s from the window start): per channel the raw
    trace (as recorded, in its units) and, on its own axes below it, the processed one
    (as the model sees it), so that neither hides the other.

    Parameters
    ----------
    matrix : array, shape (channels, segments)
    channels : list of str, ``"modality/name"``
    edges_s : array, shape (segments + 1,)
    signals : WindowSignals or None
        ``row`` selects the window in it; without signals only the heat map is drawn.
    top : list of int
        Channel indices whose signals are drawn (most attributed first).

    Returns
    -------
    matplotlib.figure.Figure
    """
    plt = _pyplot()
    rows = heatmap_rows(matrix)
    panels = []                                   # (channel, processed?) per signal row
    for ch in (top if signals is not None else []):
        modality = channels[ch].partition("/")[0]
        index = _channel_index(channels, ch)
        panels.append((ch, False))
        if signals.channel(row, modality, index, processed=True) is not None:
            panels.append((ch, True))
    fig = plt.figure(figsize=(10.5, 0.28 * len(rows) + 1.6 + 1.25 * len(panels)))
    grid = _grid(fig, [0.28 * len(rows) + 1.0] + [1.15] * len(panels))
    ax = fig.add_subplot(grid[0, 0])
    _draw_heatmap(ax, fig.add_subplot(grid[0, 1]), matrix[rows], edges_s, _labels(channels, rows),
                  f"Attribution towards '{_plain(output_label(output_name))}', "
                  f"window starting {window_start_s:.1f} s into the recording",
                  "relative attribution", fig)
    ax.set_xlim(edges_s[0], edges_s[-1])
    bottom = ax
    for k, (ch, processed) in enumerate(panels):
        sub = bottom = fig.add_subplot(grid[1 + k, 0], sharex=ax)
        modality = channels[ch].partition("/")[0]
        index = _channel_index(channels, ch)
        unit = _plain(signals.units.get(modality, ["n/a"] * (index + 1))[index])
        unit = {"uV": "µV"}.get(unit, unit)
        name = channel_label(channels[ch])
        if processed:
            t, x = signals.channel(row, modality, index, processed=True)
            what = signals.processed_label.get(modality, "processed")
            raw = signals.channel(row, modality, index)
            if raw is not None and only_rescaled(raw[1], x):
                what += "; only a rescaling of the raw trace above: same shape, other scale"
            sub.plot(t, x, color="#1f4e9c", lw=1.2, label=f"processed: {what}")
            sub.set_ylabel("processed", fontsize=8, color="#1f4e9c")
            title = f"{name}, processed: {what}"
        else:
            raw = signals.channel(row, modality, index)
            if raw is not None:
                sub.plot(raw[0], raw[1], color="0.45", lw=0.6, label=f"raw ({unit})")
            sub.set_ylabel(unit, fontsize=8)
            title = f"{name}, raw as recorded ({unit})"
        peak = int(np.argmax(np.abs(matrix[ch])))
        towards = matrix[ch, peak] >= 0
        sub.axvspan(edges_s[peak], edges_s[peak + 1], color="#d62728" if towards else "#1f77b4",
                    alpha=0.13, lw=0)
        sub.set_title(_plain(title), fontsize=9, loc="left")
        sub.tick_params(labelsize=7)
    bottom.set_xlabel("time from window start (s)", fontsize=9)
    return fig


def _channel_index(channels: Sequence[str], ch: int) -> int:
    """Position of channel ``ch`` within its modality."""
    modality = channels[ch].partition("/")[0]
    return sum(1 for c in channels[:ch] if c.partition("/")[0] == modality)


def session_timeline(starts_s: np.ndarray, matrices: np.ndarray, edges_s: np.ndarray,
                     channels: Sequence[str], probability: np.ndarray | None,
                     threshold: float | None, output_name: str) -> str:
    """The whole session: the model's score of each explained window over time above a
    channel × time heat map
    (attribution of overlapping windows averaged per segment-long bin).

    Parameters
    ----------
    starts_s : array, shape (n_windows,), window starts on the recording clock (s)
    matrices : array, shape (n_windows, channels, segments)
    """
    plt = _pyplot()
    t0, t1 = float(starts_s.min()), float(starts_s.max() + edges_s[-1])
    # one bin per segment, but at most MAX_BINS across an hours-long session
    width = max(float(np.min(np.diff(edges_s))), (t1 - t0) / MAX_BINS)
    n_bins = max(1, int(np.ceil((t1 - t0) / width)))
    total = np.zeros((matrices.shape[1], n_bins))
    count = np.zeros(n_bins)
    mids = (edges_s[:-1] + edges_s[1:]) / 2
    for start, m in zip(starts_s, matrices):
        bins = np.clip(((start + mids - t0) // width).astype(int), 0, n_bins - 1)
        np.add.at(total.T, bins, m.T)
        np.add.at(count, bins, 1)
    mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    rows = heatmap_rows(np.nan_to_num(mean))
    has_p = probability is not None
    fig = plt.figure(figsize=(10.5, 0.28 * len(rows) + 1.6 + (1.5 if has_p else 0)))
    grid = _grid(fig, ([1.3] if has_p else []) + [0.28 * len(rows) + 1.0])
    bins_edges = t0 + width * np.arange(n_bins + 1)
    if has_p:
        pax = fig.add_subplot(grid[0, 0])
        order = np.argsort(starts_s)
        pax.plot(starts_s[order] + edges_s[-1] / 2, probability[order], "o-", color="#333",
                 ms=3, lw=1)
        if threshold is not None:
            pax.axhline(threshold, color="#d62728", ls="--", lw=1,
                        label=f"decision threshold {threshold:.2f}")
            pax.legend(fontsize=8, loc="upper right")
        pax.set_ylim(-0.02, 1.02)
        pax.set_ylabel("model score", fontsize=8)
        pax.set_title(f"Model score of '{_plain(output_label(output_name))}' per explained "
                      "window (centre time; a score, not a calibrated probability)",
                      fontsize=10, loc="left")
        pax.tick_params(labelsize=7)
    ax = fig.add_subplot(grid[-1, 0], sharex=pax if has_p else None)
    _draw_heatmap(ax, fig.add_subplot(grid[-1, 1]), mean[rows], bins_edges, _labels(channels, rows),
                  "Where in the session the attribution lies (overlapping windows averaged; "
                  "grey: no explained window)",
                  "relative attribution", fig)
    ax.set_xlabel("time in recording (s)", fontsize=9)
    return to_data_uri(fig)
