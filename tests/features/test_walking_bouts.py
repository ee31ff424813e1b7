"""Walking bouts: a known synthetic gait inside quiet stretches, and real lower-back walking."""

from __future__ import annotations

import numpy as np
import pytest

from lbpnet.errors import FeatureError, ReaderError
from lbpnet.features import step_cadence, walking_bouts

FS = 50.0


def _gait(cadence_spm: float, seconds: float, rng, amplitude_g: float = 0.3) -> np.ndarray:
    """SYNTHETIC (3, n) trunk acceleration in g: gravity on z plus one sine cycle per step."""
    t = np.arange(int(seconds * FS)) / FS
    acc = np.zeros((3, t.size)) + 0.01 * rng.standard_normal((3, t.size))
    acc[2] += 1.0 + amplitude_g * np.sin(2 * np.pi * cadence_spm / 60 * t)
    return acc


def _quiet(seconds: float, rng) -> np.ndarray:
    acc = 0.01 * rng.standard_normal((3, int(seconds * FS)))
    acc[2] += 1.0
    return acc


def test_a_walk_between_quiet_stretches_gives_its_bout_steps_and_cadence():
    rng = np.random.default_rng(0)
    acc = np.concatenate([_quiet(20, rng), _gait(108, 30, rng), _quiet(20, rng)], axis=1)
    out = walking_bouts(acc, FS)
    assert out["start_s"].size == 1
    assert out["start_s"][0] == pytest.approx(20.0, abs=0.6)
    assert out["end_s"][0] == pytest.approx(50.0, abs=0.6)
    assert abs(out["total_steps"] - 54) <= 1               # 30 s at 108 steps/min
    assert out["cadence_steps_per_min"][0] == pytest.approx(108.0, rel=0.01)
    assert out["recording_cadence_steps_per_min"] == pytest.approx(108.0, rel=0.01)
    assert np.all((out["step_times_s"] > 19.5) & (out["step_times_s"] < 50.5))


def test_a_free_living_file_gets_a_cadence_where_whole_file_counting_gets_none():
    rng = np.random.default_rng(1)
    t = np.arange(int(10 * FS)) / FS
    bumps = _quiet(10, rng)
    bumps[2] += 0.4 * np.exp(-((t[None, :] - np.array([[2.0], [4.5], [8.7]])) / 0.15) ** 2).sum(0)
    acc = np.concatenate([_gait(100, 20, rng), bumps, _quiet(15, rng), _gait(120, 25, rng)], axis=1)
    assert np.ma.is_masked(step_cadence(acc, FS)["cadence_steps_per_min"])   # the old answer
    out = walking_bouts(acc, FS)
    assert out["start_s"].size == 2, out["start_s"]
    np.testing.assert_allclose(out["cadence_steps_per_min"], [100.0, 120.0], rtol=0.02)
    assert not np.any((out["step_times_s"] > 21) & (out["step_times_s"] < 45))   # bumps: no steps
    expected = 60 * (out["n_steps"] - 1).sum() / (out["end_s"] - out["start_s"]).sum()
    assert out["recording_cadence_steps_per_min"] == pytest.approx(expected)


def test_a_pause_shorter_than_the_break_joins_and_a_longer_one_splits():
    rng = np.random.default_rng(2)
    short = np.concatenate([_gait(110, 15, rng), _quiet(2, rng), _gait(110, 15, rng)], axis=1)
    long_ = np.concatenate([_gait(110, 15, rng), _quiet(6, rng), _gait(110, 15, rng)], axis=1)
    assert walking_bouts(short, FS)["start_s"].size == 1
    assert walking_bouts(long_, FS)["start_s"].size == 2


def test_rest_has_no_bout_and_says_why():
    out = walking_bouts(_quiet(60, np.random.default_rng(3)), FS)
    assert out["total_steps"] == 0 and out["walking_s"] == 0.0
    assert np.isnan(out["recording_cadence_steps_per_min"]) and "no walking bout" in out["reason"]


def test_bad_input_is_refused_with_the_fix():
    with pytest.raises(FeatureError, match="one recording"):
        walking_bouts(np.zeros((2, 3, 500)), FS)
    with pytest.raises(FeatureError, match="Nyquist"):
        walking_bouts(np.zeros((3, 500)), 5.0)
    with pytest.raises(FeatureError, match="min_steps"):
        walking_bouts(np.zeros((3, 500)), FS, min_steps=1)


def test_real_lower_back_walking_matches_gaitpy_cadence():
    from lbpnet.datasets.gaitpy_demo import load_gaitpy_demo
    try:
        demo = load_gaitpy_demo()
    except ReaderError as exc:
        pytest.skip(f"gaitpy==1.6.1 demo could not be fetched: {exc}")
    assert np.ma.is_masked(step_cadence(demo.acc, demo.fs)["cadence_steps_per_min"])
    out = walking_bouts(demo.acc, demo.fs)
    # most of GaitPy's steps of each bout are inside ours, and the recording has a cadence near GaitPy's
    for a, b, n_ref in zip(demo.bout_start_s, demo.bout_end_s, demo.bout_steps):
        inside = (out["step_times_s"] >= a) & (out["step_times_s"] <= b)
        assert inside.sum() >= 0.8 * n_ref
    assert out["recording_cadence_steps_per_min"] == pytest.approx(np.mean(demo.bout_cadence),
                                                                   rel=0.05)
