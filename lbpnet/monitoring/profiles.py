"""Stratification into rehabilitation profiles from per-window strategy-detection outputs.

Per session, the strategy detector's per-window probabilities (``(n_windows, n_strategies)``,
e.g. the multi-label head of ``experiment=synthetic_strategy``) are averaged; each profile's
score is the mean of its defining strategies' session scores (:data:`PROFILE_STRATEGIES`,
the same strategy → phenotype mapping the simulator plants its phenotypes with); the profile
is the highest-scoring one when it reaches ``threshold``, else ``no_dominant_profile``.

Uncertainty: the windows are resampled (bootstrap, ``n_boot`` times); the share of resamples
that lands on each profile is reported beside the assignment, with a 95 % interval of each
strategy's session mean. A profile is a research stratification for clinician review, not a
diagnosis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from lbpnet.errors import ConfigError

STRATEGIES = ("guarding", "asymmetry", "reduced_variability", "fatigue",
              "absent_flexion_relaxation")
PROFILE_STRATEGIES: dict[str, tuple[str, ...]] = {
    "guarding": ("guarding",),                                  # co-contraction dominant
    "coordination_deficit": ("asymmetry", "reduced_variability"),
    "fatigue_limited": ("fatigue",),
    "activity_sensitive": ("absent_flexion_relaxation",),
}
NONE = "no_dominant_profile"


@dataclass
class SessionProfile:
    """The profile of one session with its uncertainty.

    Attributes
    ----------
    profile : str                       assigned profile or ``no_dominant_profile``
    profile_share : dict str -> float   share of bootstrap resamples per profile (sums to 1)
    strategy_mean : dict str -> float   session mean probability per strategy
    strategy_ci95 : dict str -> (float, float)
    profile_score : dict str -> float
    n_windows : int
    """

    profile: str
    profile_share: dict
    strategy_mean: dict
    strategy_ci95: dict
    profile_score: dict
    n_windows: int


def _scores(mean: np.ndarray, strategies: Sequence[str],
            mapping: Mapping[str, Sequence[str]]) -> np.ndarray:
    """(..., n_profiles) from strategy means (..., n_strategies)."""
    cols = [[list(strategies).index(s) for s in mapping[p]] for p in mapping]
    return np.stack([mean[..., c].mean(-1) for c in cols], -1)


def session_profile(window_probs: np.ndarray, strategies: Sequence[str] = STRATEGIES,
                    mapping: Mapping[str, Sequence[str]] | None = None,
                    threshold: float = 0.5, n_boot: int = 200, seed: int = 0) -> SessionProfile:
    """Profile of one session from its windows' strategy probabilities ``(n_windows, K)``."""
    mapping = dict(mapping or PROFILE_STRATEGIES)
    p = np.asarray(window_probs, float)
    if p.ndim != 2 or p.shape[1] != len(strategies):
        raise ConfigError(f"window probabilities {p.shape} do not match {len(strategies)} "
                          "strategies", field="window_probs",
                          fix="give (n_windows, n_strategies) in the order of `strategies`")
    missing = sorted({s for v in mapping.values() for s in v} - set(strategies))
    if missing:
        raise ConfigError(f"profiles refer to unknown strategies {missing}", field="mapping",
                          fix=f"use strategies among {list(strategies)}")
    p = p[np.isfinite(p).all(1)]
    if len(p) == 0:
        raise ConfigError("no window with finite strategy probabilities", field="window_probs",
                          fix="give at least one scored window for the session")
    names = list(mapping) + [NONE]
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(p), (n_boot, len(p)))
    boot_mean = p[idx].mean(1)                                     # (n_boot, K)

    def assign(score: np.ndarray) -> np.ndarray:
        best = score.argmax(-1)
        return np.where(score.max(-1) >= threshold, best, len(mapping))

    mean = p.mean(0)
    score = _scores(mean, strategies, mapping)
    counts = np.bincount(assign(_scores(boot_mean, strategies, mapping)), minlength=len(names))
    lo, hi = np.percentile(boot_mean, [2.5, 97.5], axis=0)
    return SessionProfile(names[int(assign(score[None])[0])],
                          {n: float(c / n_boot) for n, c in zip(names, counts)},
                          {s: float(m) for s, m in zip(strategies, mean)},
                          {s: (float(a), float(b)) for s, a, b in zip(strategies, lo, hi)},
                          {n: float(v) for n, v in zip(mapping, score)}, int(len(p)))


def patient_profiles(window_probs: np.ndarray, window_patient: Sequence[str],
                     window_session: Sequence, **kw) -> dict[tuple[str, str], SessionProfile]:
    """:func:`session_profile` for every (patient, session) of the windows ``(n, K)``."""
    p = np.asarray(window_probs, float)
    pat, ses = np.asarray(window_patient).astype(str), np.asarray(window_session).astype(str)
    if not len(p) == len(pat) == len(ses):
        raise ConfigError(f"{len(p)} windows, {len(pat)} patient ids, {len(ses)} session ids",
                          field="window_patient", fix="give one patient and session per window")
    out = {}
    for key in sorted(set(zip(pat, ses))):
        m = (pat == key[0]) & (ses == key[1])
        out[key] = session_profile(p[m], **kw)
    return out
