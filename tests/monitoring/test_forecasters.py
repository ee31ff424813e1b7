"""LOCF / last + median change on arrays (the trajectory task's CarriedForward underneath)."""

import numpy as np
import pytest

from lbpnet.errors import ConfigError
from lbpnet.monitoring.forecasters import LastObservation, future_targets, last_reported


def test_last_reported_skips_missing_and_future_targets_shift():
    v = np.array([[[1.0], [np.nan], [3.0], [4.0]], [[np.nan], [np.nan], [5.0], [6.0]]])
    np.testing.assert_array_equal(last_reported(v, 2)[:, 0], [1.0, np.nan])
    np.testing.assert_array_equal(last_reported(v, 3)[:, 0], [3.0, 5.0])
    f = future_targets(v, 2)
    assert f.shape == (2, 3, 1)
    np.testing.assert_array_equal(f[0, :, 0], [3.0, 4.0, np.nan])


def test_locf_median_is_last_value_and_median_change_follows_the_drift():
    rng = np.random.default_rng(0)
    P, S = 60, 4
    t = np.tile(np.arange(S, dtype=float), (P, 1))
    v = (40 - 3.0 * t + rng.normal(0, 1, (P, S)))[..., None]      # SYNTHETIC: 3 points/session
    locf = LastObservation(center="last").fit(t, v).predict(t, v, 1)
    drift = LastObservation(center="median_change").fit(t, v).predict(t, v, 1)
    assert locf.shape == (P, S - 1, 1, 3)
    np.testing.assert_allclose(locf[:, 0, 0, 1], v[:, 0, 0], rtol=1e-6)
    step2 = drift[:, 1, 0, 1] - v[:, 0, 0]
    assert np.allclose(step2, -6.0, atol=1.0)
    assert np.isnan(locf[:, S - 1:]).all()                          # nothing past session S
    assert (drift[..., 0] <= drift[..., 2])[:, :S - 1].all()


def test_unfitted_and_misshaped_are_refused():
    with pytest.raises(ConfigError, match="not fitted"):
        LastObservation().predict(np.zeros((2, 3)), np.zeros((2, 3, 1)), 1)
    with pytest.raises(ConfigError, match="line up"):
        LastObservation().fit(np.zeros((2, 3)), np.zeros((2, 4, 1)))
