"""Acquisition scores of active learning, per window (higher = label it sooner).

- :func:`random_scores` — uniform noise (the reference every strategy must beat);
- :func:`entropy_scores` — entropy of the predicted class distribution;
- :func:`margin_scores` — one minus the gap between the two most probable classes;
- :func:`bald_scores` — mutual information between prediction and weights under
  MC-dropout (Houlsby et al. 2011; Gal et al., ICML 2017);
- :func:`k_center_greedy` — a diversity-aware batch: points picked one by one, each the
  farthest from everything picked or labelled so far (Sener & Savarese, ICLR 2018).
"""

from __future__ import annotations

import numpy as np

from lbpnet.curation.mc_dropout import entropy, mutual_information
from lbpnet.errors import ConfigError


def _probs(probs) -> np.ndarray:
    p = np.asarray(probs, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] < 2:
        raise ConfigError(f"probabilities must be (n_windows, n_classes >= 2), got {p.shape}",
                          field="probs", fix="pass softmax outputs of the model")
    return p


def random_scores(n: int, rng: np.random.Generator) -> np.ndarray:
    """Uniform [0, 1) scores, (n,)."""
    return rng.random(int(n))


def entropy_scores(probs) -> np.ndarray:
    """Predictive entropy (nats), (n_windows,); ``probs`` (n_windows, n_classes)."""
    return entropy(_probs(probs))


def margin_scores(probs) -> np.ndarray:
    """``1 - (p_top1 - p_top2)``, (n_windows,), in [0, 1]; 1 = a tie between two classes."""
    p = np.sort(_probs(probs), axis=1)
    return 1.0 - (p[:, -1] - p[:, -2])


def bald_scores(mc_probs) -> np.ndarray:
    """BALD mutual information, (n_windows,); ``mc_probs`` (passes, n_windows, n_classes)."""
    mc = np.asarray(mc_probs, dtype=np.float64)
    if mc.ndim != 3 or mc.shape[0] < 2:
        raise ConfigError(f"MC-dropout probabilities must be (passes >= 2, n_windows, "
                          f"n_classes), got {mc.shape}", field="mc_probs",
                          fix="run the model with dropout sampling two or more times")
    return mutual_information(mc)


def k_center_greedy(points, chosen, n_pick: int, weights=None) -> list[int]:
    """Greedy k-centre: ``n_pick`` rows of ``points``, each the farthest from the chosen set.

    Parameters
    ----------
    points : array (n, dim)
        E.g. mean embeddings of candidate segments and of labelled ones.
    chosen : array of bool, (n,)
        Rows already labelled (the starting centres); may be all False (then the
        first pick is the row farthest from the mean).
    n_pick : int
        How many rows to add.
    weights : array (n,), optional
        Only rows with weight > 0 may be picked (e.g. segments that still fit the budget).

    Returns
    -------
    list of int
        Picked row indices, in order.
    """
    x = np.asarray(points, dtype=np.float64)
    chosen = np.asarray(chosen, dtype=bool).copy()
    ok = np.ones(len(x), bool) if weights is None else np.asarray(weights) > 0
    if chosen.any():
        d = np.min(np.linalg.norm(x[:, None, :] - x[chosen][None], axis=2), axis=1)
    else:
        d = np.linalg.norm(x - x.mean(axis=0), axis=1)
    picks = []
    for _ in range(int(n_pick)):
        d_free = np.where(chosen | ~ok, -np.inf, d)
        if not np.isfinite(d_free).any():
            break
        i = int(np.argmax(d_free))
        picks.append(i)
        chosen[i] = True
        d = np.minimum(d, np.linalg.norm(x - x[i], axis=1))
    return picks
