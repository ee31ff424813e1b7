"""Rectification, linear envelope and moving RMS on real EMG against numpy/scipy."""

import numpy as np
import pytest
import torch
from scipy.signal import butter, sosfiltfilt

from lbpnet.errors import ConfigError, FeatureError
from lbpnet.preprocess import FullWaveRectify, LinearEnvelope, MovingRms


def test_rectify_is_the_absolute_value(real_emg_bursts):
    x = torch.as_tensor(real_emg_bursts[0])[None]
    np.testing.assert_array_equal(FullWaveRectify()(x).numpy(), np.abs(x.numpy()))


@pytest.mark.parametrize("dtype,tol", [(torch.float64, 1e-10), (torch.float32, 5e-5)])
def test_linear_envelope_equals_lowpass_of_rectified_real_emg(real_emg, dtype, tol):
    x, fs = real_emg
    ref = sosfiltfilt(butter(4, 6.0, fs=fs, output="sos"), np.abs(x))
    out = LinearEnvelope(fs, 6.0, 4)(torch.as_tensor(x, dtype=dtype)[None]).double().numpy()[0]
    # tolerance relative to max |x| (measured: float64 2.9e-13, float32 1.1e-5;
    # scipy's own float32 sosfiltfilt: 3.6e-5)
    assert np.abs(out - ref).max() <= tol * np.abs(x).max()


def test_linear_envelope_follows_the_real_bursts(real_emg_bursts):
    x, fs = real_emg_bursts
    env = LinearEnvelope(fs, 3.0, 2)(torch.as_tensor(x)[None])[0, 0].numpy()
    # the envelope tracks the bursts: correlated with the 250 ms moving RMS of the signal
    rms = MovingRms(fs, 0.25)(torch.as_tensor(x)[None])[0, 0].numpy()
    assert np.corrcoef(env, rms)[0, 1] > 0.9


@pytest.mark.parametrize("window_s", [0.001, 0.05, 0.1, 0.125])
def test_moving_rms_equals_numpy_convolution(real_emg_bursts, window_s):
    x, fs = real_emg_bursts
    w = int(round(window_s * fs))
    ref = np.sqrt(np.convolve(x[0] ** 2, np.ones(w) / w, mode="same"))
    out = MovingRms(fs, window_s)(torch.as_tensor(x)[None]).numpy()[0, 0]
    np.testing.assert_allclose(out, ref, rtol=1e-9, atol=1e-12)
    out32 = MovingRms(fs, window_s)(torch.as_tensor(x, dtype=torch.float32)[None])
    assert out32.dtype == torch.float32
    np.testing.assert_allclose(out32.numpy()[0, 0], ref, rtol=1e-5, atol=1e-7)


def test_envelopes_pass_gradients_and_refuse_bad_input():
    x = torch.randn(2, 3, 400, requires_grad=True)
    (LinearEnvelope(1000.0)(x).sum() + MovingRms(1000.0, 0.05)(x).sum()).backward()
    assert torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0
    with pytest.raises(ConfigError, match=r"cutoff_hz.*outside"):
        LinearEnvelope(10.0, 6.0)
    with pytest.raises(ConfigError, match=r"window_s.*less than one sample"):
        MovingRms(1000.0, 0.0001)
    with pytest.raises(FeatureError, match="NaN"):
        MovingRms(1000.0)(torch.tensor([[[1.0, float("nan"), 2.0]]]))
