"""Compare a channel × segment attribution with the simulator's planted ground truth.

The LBP cohort simulator (SYNTHETIC) records, in ``recording.metadata["attribution"]``,
every planted effect as ``{label, onset, duration, stream, channels}``: e.g.
``strategy/asymmetry`` lives in the extensor EMG channels during repetitive tasks.
For a window explained for output ``label``, the ground-truth mask is true on the
(channel, segment) cells whose channel is listed and whose segment overlaps the
interval.

Scores (per window, then averaged over windows with both kinds of cells):

- **AUPRC**: average precision of ``|attribution|`` ranking the true cells
  (``sklearn.metrics.average_precision_score``); chance = the fraction of true cells.
- **AUP / AUR**: area under precision and under recall as a function of the threshold
  on the attribution magnitude normalised to [0, 1] per window (Ismail et al.,
  "Benchmarking deep learning interpretability in time series predictions",
  NeurIPS 2020).

The magnitude is used because a planted signal is "where the evidence is" whatever
its sign.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score

from lbpnet.errors import ConfigError

THRESHOLDS = np.linspace(0.0, 1.0, 51)


def ground_truth_masks(dataset, indices, channels: list[str], edges: np.ndarray,
                       labels: list[str]) -> np.ndarray:
    """Boolean ground truth (n_windows, n_channels, n_segments).

    Parameters
    ----------
    dataset : WindowDataset
        Its recordings carry ``metadata["attribution"]`` (simulated data).
    indices : array of int, shape (n_windows,)
        Windows of ``dataset``.
    channels : list of str
        ``"<modality>/<channel>"`` in matrix order.
    edges : array, shape (n_segments + 1,)
        Segment edges (s from the window start).
    labels : list of str, length n_windows
        The explained output of each window (e.g. ``strategy/guarding``).
    """
    if not any("attribution" in r.metadata for r in dataset.recordings):
        raise ConfigError("the recordings carry no planted ground truth "
                          "(metadata['attribution'])", source=str(dataset.recordings[0].source),
                          field="metadata.attribution",
                          fix="score ground truth on the simulator's data (data=synthetic_lbp)")
    pos = {c: i for i, c in enumerate(channels)}
    edges = np.asarray(edges, dtype=float)
    out = np.zeros((len(indices), len(channels), len(edges) - 1), dtype=bool)
    for w, i in enumerate(np.asarray(indices)):
        rec = dataset.recordings[int(dataset.index.recording[i])]
        t0 = float(dataset.index.start[i])
        lo, hi = t0 + edges[:-1], t0 + edges[1:]
        for e in rec.metadata.get("attribution", []):
            if e["label"] != labels[w]:
                continue
            a, b = e["onset"], e["onset"] + e["duration"]
            segs = (lo < b) & (hi > a)
            if not segs.any():
                continue
            for ch in e["channels"]:
                c = pos.get(f"{e['stream']}/{ch}")
                if c is not None:
                    out[w, c, segs] = True
    return out


def localisation(matrix: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """AUPRC, AUP, AUR of ``|matrix|`` against ``truth`` (both (n_windows, ...)), averaged
    over windows that have true and false cells; also the chance AUPRC."""
    scores = np.abs(np.asarray(matrix, dtype=float)).reshape(len(matrix), -1)
    truth = np.asarray(truth, dtype=bool).reshape(len(truth), -1)
    ap, aup, aur, chance = [], [], [], []
    for s, t in zip(scores, truth):
        if t.all() or not t.any():
            continue
        ap.append(average_precision_score(t, s))
        chance.append(t.mean())
        top = s.max()
        norm = s / top if top > 0 else s
        sel = norm[None, :] >= THRESHOLDS[:, None]                # (thresholds, cells)
        n_sel = sel.sum(1)
        tp = (sel & t[None, :]).sum(1)
        precision = np.where(n_sel > 0, tp / np.maximum(n_sel, 1), 1.0)
        recall = tp / t.sum()
        aup.append(np.trapezoid(precision, THRESHOLDS))
        aur.append(np.trapezoid(recall, THRESHOLDS))
    if not ap:
        return {"auprc": float("nan"), "aup": float("nan"), "aur": float("nan"),
                "auprc_chance": float("nan"), "n_windows": 0}
    return {"auprc": float(np.mean(ap)), "aup": float(np.mean(aup)), "aur": float(np.mean(aur)),
            "auprc_chance": float(np.mean(chance)), "n_windows": len(ap)}
