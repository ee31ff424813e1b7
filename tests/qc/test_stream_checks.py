"""Each check fires on a constructed bad signal and stays quiet on the clean one."""

import numpy as np
import pytest

from lbpnet.errors import WindowError
from lbpnet.qc import QCConfig, score_recording
from qc_signals import (EMG_FS, IMU_FS, emg_like, emg_recording, imu_recording,  # same folder
                        starts_of)

S = 20.0
STARTS = starts_of(S)


def _flags(rec, stream="emg", config=None, starts=STARTS, length=2.0, **kw):
    res = score_recording(rec, starts, length, config or QCConfig(), **kw)
    return res.streams[stream].window_flags(), res


def _around(t):
    """Windows that contain time ``t`` (s)."""
    return (STARTS <= t) & (STARTS + 2.0 > t)


def test_clean_emg_raises_no_flag():
    x, _ = emg_like(S)
    flags, res = _flags(emg_recording(x))
    assert {c: int(f.sum()) for c, f in flags.items() if f.any()} == {}
    assert res.quality().tolist() == [1.0] * len(STARTS)
    for q in res.streams.values():                 # scores are data, never NaN
        assert all(np.isfinite(s).all() for s in q.scores.values())


@pytest.mark.parametrize("check", ["flat_line", "clipping", "powerline", "baseline_wander",
                                   "motion", "electrode_pop", "missing"])
def test_each_emg_artefact_fires_its_check_where_it_is(check):
    x, t = emg_like(S)
    at = (t >= 9.0) & (t < 11.0)                  # 9-11 s, at rest
    if check == "flat_line":
        x[at, 0] = 3.0
    elif check == "clipping":
        x[(t >= 4) & (t < 8), 0] = np.clip(x[(t >= 4) & (t < 8), 0], -30, 30)
        at = (t >= 4) & (t < 8)
    elif check == "powerline":
        x[at, 0] += 20 * np.sin(2 * np.pi * 50 * t[at])
    elif check == "baseline_wander":
        x[at, 0] += 60 * np.sin(2 * np.pi * 0.4 * t[at])
    elif check == "motion":
        x[at, 0] += 200 * np.sin(2 * np.pi * 4 * t[at]) * np.hanning(at.sum())
    elif check == "electrode_pop":                 # a step at 9.5 s decaying back
        at = (t >= 9.5) & (t < 10.5)
        x[at, 0] += 500 * np.exp(-(t[at] - 9.5) / 0.2)
    elif check == "missing":
        x[at, 0] = np.nan
    flags, res = _flags(emg_recording(x))
    hit = flags[check]
    inside = (STARTS >= t[at][0] - 1.0) & (STARTS + 2.0 <= t[at][-1] + 1.0)
    if check == "electrode_pop":                   # the windows holding the step
        inside = _around(9.5)
    assert hit[inside].all(), (check, np.flatnonzero(hit), np.flatnonzero(inside))
    far = (STARTS + 2.0 < t[at][0] - 0.5) | (STARTS > t[at][-1] + 0.5)
    assert not hit[far].any(), (check, np.flatnonzero(hit & far))
    assert (res.quality()[hit] == 0).all()
    for q in res.streams.values():
        assert all(np.isfinite(s).all() for s in q.scores.values())


def test_ecg_contamination_on_the_named_trunk_channel_only():
    x, t = emg_like(S)
    beats = np.arange(0.3, S, 0.85)
    qrs = sum(np.exp(-0.5 * ((t - b) / 0.01) ** 2) for b in beats)
    x[:, 0] += (60 * qrs).astype(np.float32)
    x[:, 1] += (60 * qrs).astype(np.float32)
    rec = emg_recording(x, ["erector_spinae_l1_left", "gluteus_medius_left"])
    cfg = QCConfig(ecg_channels=["erector_spinae"])
    flags, res = _flags(rec, config=cfg)
    rest = np.array([not (a < 8 and a + 2 > 4) and not (a < 16 and a + 2 > 12) for a in STARTS])
    per_channel = res.streams["emg"].flags["ecg_contamination"]
    assert per_channel[rest, 0].all()                 # visible at rest
    assert not per_channel[:, 1].any()                # not a trunk channel: not checked
    motion = res.streams["emg"].flags["motion"]
    assert not motion[rest, 0].any()                  # a QRS train is not movement


def test_low_snr_flags_a_channel_without_activity():
    x, _ = emg_like(S)
    y, _ = emg_like(S, seed=1, active=())             # never above its noise floor
    flags, res = _flags(emg_recording(np.concatenate([x[:, :1], y[:, :1]], 1)))
    per_channel = res.streams["emg"].flags["low_snr"]
    assert per_channel[:, 1].all() and not per_channel[:, 0].any()


def test_left_right_swap_is_caught_from_the_rms_ratio():
    x, t = emg_like(S)
    x[:, 0] *= 3.0                                    # left three times right, always
    swap = (t >= 9) & (t < 13)
    x[swap] = x[swap][:, ::-1]
    rec = emg_recording(x, ["multifidus_left", "multifidus_right"])
    flags, _ = _flags(rec)
    inside = (STARTS >= 9) & (STARTS + 2 <= 13)
    assert flags["placement"][inside].all() and not flags["placement"][STARTS + 2 <= 8.5].any()


def _resting_acc(seconds=S, seed=0):
    rng = np.random.default_rng(seed)
    n = int(seconds * IMU_FS)
    return np.array([1.0, 0.0, 0.0]) + 0.005 * rng.standard_normal((n, 3))


def test_imu_dropout_gravity_and_placement():
    acc = _resting_acc()
    t = np.arange(len(acc)) / IMU_FS
    acc[(t >= 3) & (t < 5)] = 0.0                     # lost packets
    acc[(t >= 9) & (t < 12)] *= 1.5                   # 1.5 g at rest: miscalibrated
    acc[(t >= 15) & (t < 19)] *= -1                   # upside down
    cfg = QCConfig(placement={"trunk_l1": "+x"})
    flags, _ = _flags(imu_recording(acc), stream="imu", config=cfg)
    win = lambda a, b: (STARTS >= a) & (STARTS + 2 <= b)  # noqa: E731
    assert flags["dropout"][win(3, 5)].all() and not flags["dropout"][win(6, 20)].any()
    assert flags["gravity_norm"][win(9, 12)].all()
    assert not flags["gravity_norm"][win(13, 20)].any()
    assert flags["placement"][win(15, 19)].all() and not flags["placement"][win(5, 14)].any()


def test_imu_in_adc_counts_skips_gravity_with_a_reason():
    rec = imu_recording(_resting_acc())
    rec.streams["imu"].units = ["a.u."] * 3
    _, res = _flags(rec, stream="imu")
    assert "not g or m/s^2" in res.skipped()["imu/gravity_norm"]


def test_nirs_signal_loss_and_rr_stream():
    from lbpnet.recording import Annotations, Recording, Stream
    rng = np.random.default_rng(0)
    tsi = 65 + 0.3 * rng.standard_normal((200, 2))
    tsi[80:110, 0] = 4.0                               # optode lifted: 8-11 s
    rr = 850 + 20 * np.sin(np.arange(80) / 4.0)
    rr[40:44] = 250.0                                  # 10-11 s: impossible RR
    rec = Recording({"nirs": Stream("nirs", tsi.astype(np.float32), 10.0, ["l_tsi", "r_tsi"],
                                    ["NIRS"] * 2, ["%"] * 2),
                     "rr": Stream("rr", rr[:, None].astype(np.float32), 4.0, ["rr_interval"],
                                  ["MISC"], ["ms"])}, Annotations())
    res = score_recording(rec, STARTS, 2.0)
    nirs, rrf = res.streams["nirs"].window_flags(), res.streams["rr"].window_flags()
    assert nirs["signal_loss"][_around(9.5)].all() and not nirs["signal_loss"][STARTS > 12].any()
    assert rrf["rr_range"][_around(10.5)].all() and not rrf["rr_range"][STARTS > 12].any()
    assert rrf["rr_ectopic"][_around(10.0)].any() and not rrf["rr_ectopic"][STARTS > 12].any()


def test_too_short_window_for_a_spectral_check_is_a_clear_error():
    x, _ = emg_like(S)
    with pytest.raises(WindowError, match=r"0\.5 s window is too short .*'powerline'"):
        score_recording(emg_recording(x), starts_of(S, 0.5, 0.5), 0.5)
    only = QCConfig(checks=["flat_line", "clipping", "missing"])      # no spectral check
    res = score_recording(emg_recording(x), starts_of(S, 0.5, 0.5), 0.5, only)
    assert set(res.streams["emg"].flags) == {"flat_line", "clipping", "missing"}


def test_a_rate_too_low_for_a_check_is_reported_not_silent():
    x = np.random.default_rng(0).standard_normal((int(S * 100), 1)).astype(np.float32)
    res = score_recording(emg_recording(x, fs=100.0), STARTS, 2.0)
    assert "too low" in res.skipped()["emg/powerline"]


def test_constant_channel_is_a_flat_line_with_finite_scores():
    x = np.zeros((int(S * EMG_FS), 1), np.float32)
    flags, res = _flags(emg_recording(x))
    assert flags["flat_line"].all() and not flags["clipping"].any()
    assert all(np.isfinite(s).all() for s in res.streams["emg"].scores.values())


def test_no_window_and_disabled_checks():
    x, _ = emg_like(S)
    res = score_recording(emg_recording(x), np.zeros(0), 2.0)
    assert res.quality().shape == (0,) and res.streams["emg"].flags == {}
    only = QCConfig(checks=["flat_line"])
    res = score_recording(emg_recording(x), STARTS, 2.0, only)
    assert set(res.streams["emg"].flags) == {"flat_line"}


def test_a_stream_with_only_the_missing_check_warns_naming_stream_and_channels():
    from lbpnet.qc.stream_checks import NoQualityChecksWarning
    from lbpnet.recording import Recording, Stream

    rng = np.random.default_rng(0)
    misc = Stream("physio", rng.standard_normal((1000, 2)).astype(np.float32), 100.0,
                  ["cardiac", "trigger"], ["MISC", "TRIG"])
    ecg = Stream("ecg", rng.standard_normal((1000, 1)).astype(np.float32), 100.0, ["ecg"],
                 ["ECG"])
    rec = Recording({"physio": misc, "ecg": ecg})
    with pytest.warns(NoQualityChecksWarning, match=r"'physio'.*cardiac \(MISC\), trigger") as got:
        score_recording(rec, np.array([0.0, 2.0]), 2.0)
    assert not any("'ecg'" in str(w.message) for w in got)
