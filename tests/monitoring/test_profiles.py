"""Profiles from per-window strategy probabilities, with bootstrap uncertainty."""

import numpy as np
import pytest

from lbpnet.errors import ConfigError
from lbpnet.monitoring.profiles import NONE, STRATEGIES, patient_profiles, session_profile


def windows(n, high, rng, level=0.85):
    """SYNTHETIC per-window probabilities: `high` strategies near `level`, others near 0.1."""
    p = rng.uniform(0.0, 0.2, (n, len(STRATEGIES)))
    for s in high:
        p[:, STRATEGIES.index(s)] = np.clip(rng.normal(level, 0.1, n), 0, 1)
    return p


def test_clear_profiles_and_their_certainty():
    rng = np.random.default_rng(0)
    g = session_profile(windows(40, ["guarding"], rng))
    assert g.profile == "guarding" and g.profile_share["guarding"] > 0.95
    c = session_profile(windows(40, ["asymmetry", "reduced_variability"], rng))
    assert c.profile == "coordination_deficit"
    assert session_profile(windows(40, [], rng)).profile == NONE
    lo, hi = g.strategy_ci95["guarding"]
    assert lo < g.strategy_mean["guarding"] < hi


def test_borderline_session_is_uncertain():
    p = np.full((6, len(STRATEGIES)), 0.05)
    p[:, STRATEGIES.index("fatigue")] = [0.3, 0.7, 0.3, 0.7, 0.32, 0.7]   # mean 0.503
    b = session_profile(p)
    assert b.profile == "fatigue_limited"
    assert 0.2 < b.profile_share["fatigue_limited"] < 0.8          # the resamples disagree


def test_per_patient_session_and_errors():
    rng = np.random.default_rng(2)
    p = np.concatenate([windows(10, ["fatigue"], rng), windows(10, ["absent_flexion_relaxation"], rng)])
    out = patient_profiles(p, ["P1"] * 10 + ["P2"] * 10, [1] * 20)
    assert out["P1", "1"].profile == "fatigue_limited"
    assert out["P2", "1"].profile == "activity_sensitive"
    with pytest.raises(ConfigError, match="strategies"):
        session_profile(np.zeros((3, 2)))
    with pytest.raises(ConfigError, match="one patient"):
        patient_profiles(p, ["P1"], [1] * 20)
