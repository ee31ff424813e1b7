"""Winter's %COCON, antagonist/agonist ratio and the left/right asymmetry index."""

from __future__ import annotations

import numpy as np
import pytest

from lbpnet.features import (FeatureError, antagonist_agonist_ratio, asymmetry_index,
                             co_contraction_index)


def test_cocon_known_overlaps():
    t = np.linspace(0, 1, 1000, endpoint=False)
    a = np.where(t < 0.5, 1.0, 0.0)
    assert co_contraction_index(a, a) == pytest.approx(100.0)
    assert co_contraction_index(a, 1 - a) == pytest.approx(0.0)
    # constant 1 vs constant 0.5: 2 * 0.5 / 1.5 * 100
    assert co_contraction_index(np.ones(100), np.full(100, 0.5)) == pytest.approx(200 / 3)
    batch = co_contraction_index(np.stack([a, a]), np.stack([a, 1 - a]))
    np.testing.assert_allclose(batch, [100.0, 0.0], atol=1e-12)
    # symmetric in its arguments
    rng = np.random.default_rng(0)
    x, y = rng.random((2, 3, 200))
    np.testing.assert_allclose(co_contraction_index(x, y), co_contraction_index(y, x))


def test_ratio_and_masking_of_silent_windows():
    ag = np.stack([np.full(50, 2.0), np.zeros(50)])
    an = np.stack([np.full(50, 0.5), np.ones(50)])
    with pytest.raises(FeatureError, match="agonist"):
        antagonist_agonist_ratio(ag, an)
    r = antagonist_agonist_ratio(ag, an, on_invalid="mask")
    assert r[0] == pytest.approx(0.25) and r.mask.tolist() == [False, True]
    c = co_contraction_index(np.zeros((2, 10)), np.zeros((2, 10)), on_invalid="mask")
    assert c.mask.all()
    with pytest.raises(FeatureError, match="non-negative"):
        co_contraction_index(-np.ones(5), np.ones(5))


def test_asymmetry_index():
    np.testing.assert_allclose(asymmetry_index([1.0, 3.0, 2.0], [1.0, 1.0, 0.0]),
                               [0.0, 100.0, 200.0])
    assert asymmetry_index(1.0, 3.0) == pytest.approx(-100.0)
    assert asymmetry_index(0.0, 0.0, on_invalid="mask").mask
    with pytest.raises(FeatureError, match="both sides"):
        asymmetry_index([0.0], [0.0])
    with pytest.raises(FeatureError, match="NaN"):
        asymmetry_index([np.nan], [1.0])
