"""StreamFilter: a chain applied to a recording's stream, from Python and from conf/preprocess."""

from functools import partial

import numpy as np
import pytest
from hydra.utils import instantiate
from scipy.signal import butter, sosfiltfilt

from lbpnet.cli.compose import compose_train_config
from lbpnet.errors import ConfigError, FeatureError
from lbpnet.preprocess import Butterworth, FullWaveRectify, StreamFilter
from lbpnet.recording import Recording, Stream


def real_recording(name="emg_fatigue"):
    pytest.importorskip("h5py")
    from lbpnet.datasets.biosignalsnotebooks import load_opensignals_sample
    return load_opensignals_sample(name)


def test_new_stream_and_the_input_recording_is_untouched():
    rec = real_recording()
    before = rec.streams["emg"].data.copy()
    steps = [partial(Butterworth, cutoff_hz=[20.0, 450.0], btype="bandpass"), FullWaveRectify()]
    out = StreamFilter("emg", steps, output_stream="emg_rectified")(rec).validate()
    assert rec.streams["emg"].data is not out.streams["emg_rectified"].data
    np.testing.assert_array_equal(rec.streams["emg"].data, before)
    assert "emg_rectified" not in rec.streams and out.streams["emg"] is rec.streams["emg"]
    new = out.streams["emg_rectified"]
    assert new.units == ["mV"] and new.channel_types == ["EMG"] and new.data.dtype == np.float32
    ref = np.abs(sosfiltfilt(butter(4, [20, 450], btype="bandpass", fs=1000.0, output="sos"),
                             before[:, 0].astype(np.float64)))
    np.testing.assert_allclose(new.data[:, 0], ref, atol=1e-6)      # float32 storage


@pytest.fixture
def fresh_hydra():
    from hydra.core.global_hydra import GlobalHydra
    yield
    GlobalHydra.instance().clear()


def test_configs_compose_and_filter_real_recordings(tmp_path, fresh_hydra):
    from lbpnet.datasets import load_hapt
    rec = real_recording()
    for name, rate in (("emg_standard", 1000.0), ("emg_envelope_100hz", 100.0)):
        cfg = compose_train_config([f"preprocess={name}"], tmp_path / name)
        (transform,) = [instantiate(t) for t in cfg.preprocess.values() if t]
        out = transform(rec).validate()
        emg = out.streams["emg"]
        # an envelope: non-negative up to the low-pass's small undershoot after sharp bursts
        assert emg.sampling_rate == rate and emg.data.min() > -0.05 * emg.data.max()
        assert abs(emg.duration - rec.streams["emg"].duration) < 0.01
    imu = load_hapt()[0]
    cfg = compose_train_config(["preprocess=imu_lowpass"], tmp_path / "imu")
    (transform,) = [instantiate(t) for t in cfg.preprocess.values() if t]
    s = transform(imu).validate().streams["imu"]
    ref = sosfiltfilt(butter(3, 20.0, fs=50.0, output="sos"),
                      imu.streams["imu"].data.astype(np.float64), axis=0)
    np.testing.assert_allclose(s.data, ref, atol=1e-5)


def test_errors_name_the_recording_stream_and_channel():
    rec = real_recording()
    steps = [partial(Butterworth, cutoff_hz=450.0, btype="lowpass")]
    with pytest.raises(ConfigError, match=r"no stream 'imu'.*\['emg'\]"):
        StreamFilter("imu", steps)(rec)
    with pytest.raises(ConfigError, match=r"channels \['emg_port9'\] not in stream"):
        StreamFilter("emg", steps, channels=["emg_port9"])(rec)
    slow = Recording({"emg": Stream("emg", np.zeros((100, 1), np.float32), 500.0, ["m"])},
                     source="slow.bdf")
    with pytest.raises(ConfigError, match=r"outside \(0, 250\)"):
        StreamFilter("emg", steps)(slow)
    short = Recording({"emg": Stream("emg", np.zeros((10, 1), np.float32), 1000.0, ["m"])},
                      source="short.bdf")
    with pytest.raises(FeatureError, match=r"short\.bdf \[stream 'emg'\].*more than"):
        StreamFilter("emg", steps)(short)
    with pytest.raises(ConfigError, match="dtype"):
        StreamFilter("emg", steps, dtype="float16")


@pytest.mark.slow
def test_lbpnet_train_runs_with_the_emg_chain(tmp_path, monkeypatch):
    # lbpnet-train experiment=synthetic_strategy preprocess=emg_standard (SYNTHETIC cohort)
    from hydra.core.global_hydra import GlobalHydra

    from lbpnet.cli.train import train
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.chdir(tmp_path)
    cfg = compose_train_config(["experiment=synthetic_strategy", "preprocess=emg_standard",
                                "trainer=debug", "data.n_patients=15", "data.n_sessions=1"],
                               tmp_path / "run", tmp_path)
    try:
        metrics = train(cfg)
    finally:
        GlobalHydra.instance().clear()
    assert (tmp_path / "run" / "metrics.json").is_file() and "test/auroc_macro" in metrics
