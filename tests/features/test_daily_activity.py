"""Cadence, activity counts and time in posture: known signals and real UCI HAPT walking."""

from __future__ import annotations

import numpy as np
import pytest

from lbpnet.errors import ReaderError
from lbpnet.features import (FeatureError, activity_counts, inclination, step_cadence,
                             time_in_posture)


def test_cadence_of_a_periodic_gait_and_of_rest():
    fs = 50.0
    t = np.arange(0, 20, 1 / fs)
    walk = np.stack([1 + 0.3 * np.sin(2 * np.pi * 1.8 * t), 0.05 * np.sin(np.pi * 1.8 * t), 0 * t])
    rest = np.stack([1 + 0.002 * np.random.default_rng(0).standard_normal(t.size), 0 * t, 0 * t])
    out = step_cadence(np.stack([walk, rest]), fs)
    assert out["cadence_steps_per_min"][0] == pytest.approx(108.0, rel=0.01)
    assert out["cadence_steps_per_min"].mask.tolist() == [False, True]
    assert out["reason"][1].startswith("fewer than")


def test_activity_counts_scale_with_movement():
    fs = 50.0
    t = np.arange(0, 120, 1 / fs)
    still = np.stack([0 * t, 0 * t, 1 + 0 * t])
    moving = still + np.stack([0.2 * np.sin(2 * np.pi * 2 * t), 0 * t, 0 * t])
    out = activity_counts(np.stack([still, moving, 2 * moving - still]), fs, epoch_s=60)
    assert out["counts_g_s"].shape == (3, 2)
    np.testing.assert_allclose(out["start_s"], [0, 60])
    assert out["counts_g_s"][0].max() < 1e-6
    # |0.2 sin| integrates to 0.2 * 2 / pi g per second
    np.testing.assert_allclose(out["counts_g_s"][1], 60 * 0.4 / np.pi, rtol=0.02)
    np.testing.assert_allclose(out["counts_g_s"][2], 2 * out["counts_g_s"][1], rtol=1e-6)
    with pytest.raises(FeatureError, match="shorter than one"):
        activity_counts(still[:, :100], fs, epoch_s=60)


def test_time_in_posture_bands():
    angle = np.r_[np.full(100, 10.0), np.full(50, 30.0), np.full(50, 75.0)]
    out = time_in_posture(angle, fs=10.0)
    assert out["below_20_deg"]["seconds"] == 10.0
    assert out["20_60_deg"]["fraction"] == 0.25
    assert out["above_60_deg"]["seconds"] == 5.0
    with pytest.raises(FeatureError, match="increasing"):
        time_in_posture(angle, 10.0, edges_deg=(60, 20))


def _hapt_segments(label: str, n_subjects: int = 6):
    pytest.importorskip("pandas")
    from lbpnet.datasets import load_hapt
    try:
        recordings = load_hapt()
    except (ReaderError, ImportError) as exc:
        pytest.skip(f"UCI HAPT not available: {exc}")
    out = []
    for rec in recordings[: 2 * n_subjects]:
        imu = rec.streams["imu"]
        ann = rec.annotations
        for onset, duration, lab in zip(ann.onset, ann.duration, ann.label):
            if lab == label and duration >= 8:
                a, b = int(onset * imu.sampling_rate), int((onset + duration) * imu.sampling_rate)
                out.append(imu.data[a:b, :3].T.astype(np.float64))
    return out, imu.sampling_rate


def test_real_hapt_walking_cadence_lies_in_the_normal_range():
    walks, fs = _hapt_segments("walking")
    cad = [float(step_cadence(w, fs)["cadence_steps_per_min"]) for w in walks]
    # level walking of healthy adults: ~100-130 steps/min (Tudor-Locke et al. 2011)
    assert len(cad) >= 10
    assert 95 <= np.median(cad) <= 130, np.median(cad)
    lying, _ = _hapt_segments("laying")
    assert all(step_cadence(x, fs)["cadence_steps_per_min"].mask for x in lying)


def test_real_hapt_postures_fall_in_their_iso_bands():
    # the waist phone's x axis points up the body: standing upright, lying ~90 deg
    standing, fs = _hapt_segments("standing")
    lying, _ = _hapt_segments("laying")
    up = [time_in_posture(inclination(x), fs)["below_20_deg"]["fraction"] for x in standing]
    down = [time_in_posture(inclination(x), fs)["above_60_deg"]["fraction"] for x in lying]
    assert np.median(up) > 0.9 and np.median(down) > 0.9
