"""FilterChain on real EMG equals the same scipy pipeline; rates, units, fitting, front end."""

from functools import partial

import numpy as np
import pytest
import torch
from scipy.signal import butter, filtfilt, iirnotch, resample_poly, sosfiltfilt

from lbpnet.errors import ConfigError
from lbpnet.preprocess import (Butterworth, FilterChain, FullWaveRectify, LinearEnvelope, Notch,
                               ReferenceContraction, ResamplePoly, ZScore)


def emg_steps(fs_out=None):
    steps = [partial(Butterworth, cutoff_hz=[20.0, 450.0], btype="bandpass", order=4),
             partial(Notch, freq_hz=50.0, quality=30.0), FullWaveRectify(),
             partial(LinearEnvelope, cutoff_hz=6.0, order=4, rectify=False)]
    return steps + ([partial(ResamplePoly, fs_out=fs_out)] if fs_out else [])


def scipy_emg(x, fs, fs_out=None):
    y = sosfiltfilt(butter(4, [20.0, 450.0], btype="bandpass", fs=fs, output="sos"), x)
    b, a = iirnotch(50.0, 30.0, fs=fs)
    y = sosfiltfilt(butter(4, 6.0, fs=fs, output="sos"), np.abs(filtfilt(b, a, y)))
    return resample_poly(y, 1, int(fs // fs_out), axis=-1) if fs_out else y


@pytest.mark.parametrize("dtype,tol", [(torch.float64, 1e-10), (torch.float32, 5e-5)])
def test_emg_chain_equals_the_scipy_pipeline_on_real_emg(real_emg, dtype, tol):
    x, fs = real_emg
    chain = FilterChain(fs, emg_steps(fs_out=100.0))
    assert chain.fs == 1000.0 and chain.fs_out == 100.0
    out = chain(torch.as_tensor(x, dtype=dtype)[None]).double().numpy()[0]
    ref = scipy_emg(x, fs, 100.0)
    assert out.shape == ref.shape == (1, chain.output_length(x.shape[-1]))
    # tolerance relative to max |x| (measured on this signal: float64 ~3e-13, float32 ~1e-5)
    assert np.abs(out - ref).max() <= tol * np.abs(x).max()


def test_rates_follow_the_chain_and_a_fixed_rate_step_must_match():
    chain = FilterChain(2000.0, [partial(ResamplePoly, fs_out=500.0),
                                 partial(Butterworth, cutoff_hz=200.0, btype="lowpass")])
    assert chain[1].fs == 500.0 and chain.fs_out == 500.0
    with pytest.raises(ConfigError, match=r"steps\[1\].*designed for 2000 Hz but gets 500 Hz"):
        FilterChain(2000.0, [partial(ResamplePoly, fs_out=500.0),
                             Butterworth(2000.0, 200.0, "lowpass")])
    with pytest.raises(ConfigError, match=r"cutoff_hz.*outside \(0, 250\)"):
        FilterChain(500.0, emg_steps())                        # 450 Hz above 250 Hz Nyquist
    with pytest.raises(ConfigError, match=r"steps\[0\]"):
        FilterChain(1000.0, ["bandpass"])


def test_units_and_zscore_fit_through_the_chain(real_emg):
    x, fs = real_emg
    train = torch.as_tensor(x[:, :60000].reshape(1, 6, 10000).transpose(1, 0, 2))
    chain = FilterChain(fs, emg_steps() + [ZScore()]).fit(train)
    envelope = FilterChain(fs, emg_steps())(train)
    flat = envelope.permute(1, 0, 2).reshape(1, -1)
    np.testing.assert_allclose(chain[-1].mean.numpy(), flat.mean(1).numpy(), rtol=1e-12)
    assert chain.unit_out("mV") == "a.u." and not chain.channelwise
    percent = FilterChain(fs, emg_steps() + [ReferenceContraction(reference=[0.1])])
    assert percent.unit_out("mV") == "%"
    assert FilterChain(fs, emg_steps()).unit_out("mV") == "mV"


def test_chain_is_a_model_front_end():
    from lbpnet.models.multimodal import MultimodalClassifier
    front = FilterChain(1000.0, emg_steps(fs_out=100.0))
    net = MultimodalClassifier({"emg": 4, "imu": 6}, n_outputs=3, front_ends={"emg": front})
    batch = {"emg": torch.randn(2, 4, 2000), "imu": torch.randn(2, 6, 200)}
    logits = net(batch)
    assert logits.shape == (2, 3)
    logits.sum().backward()
    assert all(torch.isfinite(p.grad).all() for p in net.parameters() if p.grad is not None)


def test_front_end_from_a_hydra_config():
    from hydra.utils import instantiate
    front = {"_target_": "lbpnet.preprocess.FilterChain", "fs": 1000.0, "steps": [
        {"_target_": "lbpnet.preprocess.Butterworth", "_partial_": True,
         "cutoff_hz": [20.0, 450.0], "btype": "bandpass", "order": 4},
        {"_target_": "lbpnet.preprocess.FullWaveRectify"},
        {"_target_": "lbpnet.preprocess.LinearEnvelope", "_partial_": True, "cutoff_hz": 6.0}]}
    net = instantiate({"_target_": "lbpnet.models.multimodal.MultimodalClassifier",
                       "channels": {"emg": 4}, "n_outputs": 2, "front_ends": {"emg": front}},
                      _convert_="all")
    assert isinstance(net.front_ends["emg"], FilterChain) and len(net.front_ends["emg"]) == 3
    assert net({"emg": torch.randn(2, 4, 2000)}).shape == (2, 2)
