"""Smoothed (randomised) split conformal: intervals whose coverage is the nominal level exactly.

Plain split conformal takes the ``ceil((n + 1) * level)``-th smallest calibration score, so its
expected coverage is ``ceil((n + 1) * level) / (n + 1)``: above nominal by up to ``1 / (n + 1)``
(0.857 at a nominal 0.8 with 13 calibration patients), and further above when scores tie, as
they do for discrete outcomes (a 1–5 scale, seizure counts), because a test score equal to the
threshold counts as covered. The smoothed conformal p-value (Vovk, Gammerman & Shafer 2005,
*Algorithmic Learning in a Random World*, ch. 2)

    p(s) = (#{s_i > s} + U * (#{s_i = s} + 1)) / (n + 1),     U ~ Uniform(0, 1) per test point

is uniform on (0, 1) under exchangeability, ties or not, so the prediction set
``{y : p(s(y)) > 1 - level}`` covers with probability ``level`` exactly. Because ``p`` does not
increase with ``s``, the set is a score interval ``[.., t]`` or ``[.., t)`` ending at one of the
calibration scores; :func:`smoothed_thresholds` returns that end per test point, nudged by a
relative ``1e-9`` inwards (open end) or outwards (closed end) so that the usual closed-interval
check ``lower <= y <= upper`` decides a tied test score the way ``p`` does.

crepes (the library that fits the plain intervals here) smooths its p-values
(``ConformalRegressor.predict_p(smoothing=True)``) but not its intervals (``predict_int``), so
the interval end is computed here from the same definition; ``tests/monitoring`` checks that
with ``U = 1`` (the unsmoothed p-value) the inclusion decisions equal crepes' ``predict_p``.
"""

from __future__ import annotations

import numpy as np

NUDGE = 1e-9


def smoothed_thresholds(scores: np.ndarray, level: float, u: np.ndarray) -> np.ndarray:
    """Per test point, the largest score its smoothed prediction set includes.

    Parameters
    ----------
    scores : (n,) calibration non-conformity scores (any real values; ties allowed)
    level : nominal coverage in (0, 1)
    u : (m,) one Uniform(0, 1) draw per test point (``1.0`` gives plain, conservative
        split conformal with a closed end)

    Returns
    -------
    (m,) score thresholds ``t``: a test point is covered iff its score ``<= t``. ``+inf`` when
    the set is unbounded (too few calibration scores for ``level``); ``-inf`` when it is empty.
    """
    s = np.sort(np.asarray(scores, dtype=float))
    u = np.asarray(u, dtype=float)
    n = len(s)
    alpha = 1.0 - level
    if n == 0:
        return np.full(u.shape, np.inf)
    values, counts = np.unique(s, return_counts=True)
    greater = n - np.cumsum(counts)                      # #{s_i > v_j}
    bound = alpha * (n + 1)
    # p is non-increasing along: gap below v_1, v_1, gap (v_1, v_2), v_2, ..., gap above v_m
    # (p at v_j: greater_j + u * (counts_j + 1); in the gap above v_j: greater_j + u)
    at = greater[None, :] + u[:, None] * (counts[None, :] + 1) > bound      # (m, J) v_j in
    above = greater[None, :] + u[:, None] > bound                          # gap above v_j in
    below_first = n + u > bound                                            # gap below v_1 in
    out = np.empty(u.shape)
    n_at, n_above = at.sum(1), above.sum(1)              # both are prefixes (p non-increasing)
    for i in range(len(u)):
        if n_above[i] == len(values):
            out[i] = np.inf
        elif n_at[i] > n_above[i]:                      # v_j itself in, the gap above it not
            v = values[n_at[i] - 1]
            out[i] = v + NUDGE * max(1.0, abs(v))
        elif n_above[i] > 0 or below_first[i]:          # the gap below v_j in, v_j not: open
            v = values[n_above[i]]
            out[i] = v - NUDGE * max(1.0, abs(v))
        else:
            out[i] = -np.inf
    return out

