"""Active learning over whole segments: contiguous windows of one recording.

An expert labels a stretch of a recording, not scattered windows, so the unit of
acquisition is a segment (:func:`contiguous_segments`): windows of one recording whose
starts follow each other without a gap, cut every ``max_windows``. :func:`select_segments`
scores the unlabelled segments with a strategy (:mod:`lbpnet.curation.al_strategies`;
a segment's score is the mean of its windows') and takes the best ones until the window
budget is spent; ``k_center`` picks a diverse batch on the segments' mean embeddings.
A segment never spans two recordings, and is labelled whole or not at all.
"""

from __future__ import annotations

import numpy as np

from lbpnet.curation.al_strategies import (bald_scores, entropy_scores, k_center_greedy,
                                           margin_scores, random_scores)
from lbpnet.errors import ConfigError

STRATEGIES = ("random", "entropy", "margin", "bald", "k_center")


def contiguous_segments(recording, start_s, stride_s: float, max_windows: int = 8
                        ) -> np.ndarray:
    """Segment id of each window, (n,) int.

    Parameters
    ----------
    recording : array (n,)
        Recording of each window (any hashable ids).
    start_s : array of float, (n,)
        Window starts (s).
    stride_s : float
        The window stride (s): consecutive windows further apart than 1.5 strides start a
        new segment.
    max_windows : int
        Longest segment, in windows.
    """
    rec = np.asarray(recording)
    start = np.asarray(start_s, dtype=float)
    if rec.shape != start.shape:
        raise ConfigError(f"recording {rec.shape} and start_s {start.shape} differ in shape",
                          field="start_s", fix="give one recording and start per window")
    if int(max_windows) < 1:
        raise ConfigError(f"max_windows must be >= 1, got {max_windows}", field="max_windows",
                          fix="use 1 or more")
    _, rec_codes = np.unique(rec.astype(str), return_inverse=True)
    order = np.lexsort((start, rec_codes))
    seg = np.empty(len(rec), dtype=int)
    current, length, prev = -1, 0, None
    for i in order.tolist():
        new = (prev is None or rec_codes[i] != rec_codes[prev]
               or start[i] - start[prev] > 1.5 * float(stride_s) or length >= int(max_windows))
        if new:
            current, length = current + 1, 0
        seg[i] = current
        length += 1
        prev = i
    return seg


def select_segments(strategy: str, segments, labelled, budget_windows: int,
                    rng: np.random.Generator, probs=None, mc_probs=None,
                    features=None) -> np.ndarray:
    """Windows to label next: whole unlabelled segments, at most ``budget_windows`` of them.

    Parameters
    ----------
    strategy : {"random", "entropy", "margin", "bald", "k_center"}
    segments : array of int, (n,)
        Segment id of each pool window (:func:`contiguous_segments`).
    labelled : array of bool, (n,)
        Windows labelled already.
    budget_windows : int
        Most windows to add.
    rng : numpy Generator
        For ``random`` and to break ties.
    probs : array (n, n_classes), optional
        Needed by ``entropy`` and ``margin``.
    mc_probs : array (passes, n, n_classes), optional
        Needed by ``bald``.
    features : array (n, dim), optional
        Needed by ``k_center``.

    Returns
    -------
    ndarray of int
        Pool indices of the windows chosen (sorted).
    """
    if strategy not in STRATEGIES:
        raise ConfigError(f"unknown strategy '{strategy}'", field="strategy",
                          fix=f"use one of {', '.join(STRATEGIES)}")
    seg = np.asarray(segments, dtype=int)
    lab = np.asarray(labelled, dtype=bool)
    ids, inverse, sizes = np.unique(seg, return_inverse=True, return_counts=True)
    seg_labelled = np.bincount(inverse, weights=lab, minlength=len(ids)) > 0
    need = {"entropy": probs, "margin": probs, "bald": mc_probs, "k_center": features}
    if strategy in need and need[strategy] is None:
        what = {"entropy": "probs", "margin": "probs", "bald": "mc_probs",
                "k_center": "features"}[strategy]
        raise ConfigError(f"strategy '{strategy}' needs {what}", field=what,
                          fix=f"pass {what} of the pool windows")
    free = ~seg_labelled
    if strategy == "k_center":
        f = np.asarray(features, dtype=np.float64)
        means = np.stack([np.bincount(inverse, weights=f[:, j], minlength=len(ids)) / sizes
                          for j in range(f.shape[1])], axis=1)
        order, spent, chosen = [], 0, seg_labelled.copy()
        while True:
            fits = free & ~chosen & (sizes <= int(budget_windows) - spent)
            pick = k_center_greedy(means, chosen, 1, weights=fits.astype(float))
            if not pick:
                break
            chosen[pick[0]] = True
            order.append(pick[0])
            spent += int(sizes[pick[0]])
        take = np.asarray(order, dtype=int)
    else:
        if strategy == "random":
            w = random_scores(len(seg), rng)
        elif strategy == "entropy":
            w = entropy_scores(probs)
        elif strategy == "margin":
            w = margin_scores(probs)
        else:
            w = bald_scores(mc_probs)
        score = np.bincount(inverse, weights=w, minlength=len(ids)) / sizes
        tie = rng.random(len(ids)) * 1e-12
        cand = np.flatnonzero(free)
        cand = cand[np.argsort(-(score[cand] + tie[cand]), kind="stable")]
        take, spent = [], 0
        for s in cand.tolist():
            if spent + sizes[s] <= int(budget_windows):
                take.append(s)
                spent += int(sizes[s])
        take = np.asarray(take, dtype=int)
    return np.sort(np.flatnonzero(np.isin(inverse, take)))
