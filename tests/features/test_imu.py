"""Acceleration magnitude statistics: gravity at rest, known sinusoid, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from lbpnet.features import FeatureError, acc_magnitude, acc_magnitude_stats


def test_rest_is_one_g_in_any_orientation_and_unit():
    tilt = np.deg2rad(35)
    acc = np.tile([0.0, np.sin(tilt), np.cos(tilt)], (500, 1))
    np.testing.assert_allclose(acc_magnitude(acc), 1.0)
    np.testing.assert_allclose(acc_magnitude(acc * 9.80665, unit="m/s^2"), 1.0)
    stats = acc_magnitude_stats(acc, fs=50, window_s=2)
    assert stats["mean_g"].shape == (5,)
    np.testing.assert_allclose(stats["mean_g"], 1.0)
    np.testing.assert_allclose(stats["sd_g"], 0.0, atol=1e-12)


def test_vertical_oscillation_gives_the_expected_spread():
    fs, t = 100.0, np.arange(0, 10, 0.01)
    acc = np.zeros((t.size, 3))
    acc[:, 2] = 1 + 0.3 * np.sin(2 * np.pi * 2 * t)  # 2 Hz, 0.3 g: magnitude = 1 + 0.3 sin
    s = acc_magnitude_stats(acc, fs, window_s=5, step_s=2.5, percentiles=(5, 95))
    np.testing.assert_allclose(s["start_s"], [0, 2.5, 5])
    np.testing.assert_allclose(s["mean_g"], 1.0, atol=1e-3)
    np.testing.assert_allclose(s["sd_g"], 0.3 / np.sqrt(2), rtol=0.01)
    # P(sin <= x) = 1/2 + arcsin(x)/pi for a uniform phase, so the 95th percentile is sin(0.45 pi)
    np.testing.assert_allclose(s["p95_g"], 1 + 0.3 * np.sin(0.45 * np.pi), atol=0.003)


def test_bad_input_is_refused():
    with pytest.raises(FeatureError, match="3 axes"):
        acc_magnitude(np.zeros((10, 2)))
    with pytest.raises(FeatureError, match="shorter than one"):
        acc_magnitude_stats(np.ones((10, 3)), fs=50, window_s=2)
    bad = np.ones((200, 3))
    bad[5, 1] = np.nan
    with pytest.raises(FeatureError, match="NaN"):
        acc_magnitude_stats(bad, fs=50)
    with pytest.raises(FeatureError, match="unit"):
        acc_magnitude(np.ones((4, 3)), unit="mg")


def test_vertical_and_horizontal_parts_of_body_acceleration():
    from lbpnet.features import vertical_horizontal_acceleration
    t = np.linspace(0, 1, 50)
    gravity = np.tile(np.array([0.0, 0.6, 0.8])[:, None], (1, t.size))   # tilted sensor
    up = gravity[:, 0]
    side = np.array([1.0, 0.0, 0.0])                                      # perpendicular to up
    body = 0.2 * np.sin(2 * np.pi * t) * up[:, None] + 0.1 * side[:, None]
    out = vertical_horizontal_acceleration(body[None], gravity[None])
    np.testing.assert_allclose(out["vertical_g"][0], 0.2 * np.sin(2 * np.pi * t), atol=1e-12)
    np.testing.assert_allclose(out["horizontal_g"][0], 0.1, atol=1e-12)
    with pytest.raises(FeatureError, match="zero gravity"):
        vertical_horizontal_acceleration(body, 0 * gravity)
