"""Polyphase resampling equals scipy.signal.resample_poly on real EMG, ECG and IMU.

Tolerance: max abs error <= 1e-12 of max |x| in float64 (measured ~1e-16), 1e-6 in float32.
"""

import numpy as np
import pytest
import torch
from scipy.signal import resample_poly

from lbpnet.errors import ConfigError, FeatureError
from lbpnet.preprocess import ResamplePoly


@pytest.mark.parametrize("fs_out", [100.0, 250.0, 500.0, 1500.0, 2000.0, 2048.0, 1000.0])
@pytest.mark.parametrize("padtype", ["constant", "mean"])
def test_equals_resample_poly_on_real_emg(real_emg_bursts, fs_out, padtype):
    x, fs = real_emg_bursts
    r = ResamplePoly(fs, fs_out, padtype=padtype)
    ref = resample_poly(x, r.up, r.down, axis=-1, padtype=padtype)
    out = r(torch.as_tensor(x)[None]).numpy()[0]
    assert out.shape == ref.shape == (1, r.output_length(x.shape[-1]))
    assert np.abs(out - ref).max() <= 1e-12 * np.abs(x).max()


def test_float32_and_imu_and_ecg(real_imu, real_ecg):
    x, fs = real_imu                                 # 50 Hz HAPT -> 20 Hz and -> 200 Hz
    for fs_out in (20.0, 200.0):
        r = ResamplePoly(fs, fs_out)
        ref = resample_poly(x.astype(np.float32), r.up, r.down, axis=-1)
        out = r(torch.as_tensor(x, dtype=torch.float32)[None]).numpy()[0]
        assert out.dtype == np.float32
        assert np.abs(out - ref).max() <= 1e-6 * np.abs(x).max()
    x, fs = real_ecg
    r = ResamplePoly(fs, 128.0)                      # 1000 -> 128 Hz: up 16, down 125
    assert (r.up, r.down) == (16, 125)
    np.testing.assert_allclose(r(torch.as_tensor(x)[None]).numpy()[0],
                               resample_poly(x, 16, 125, axis=-1), atol=1e-12)


def test_batches_gradients_and_errors():
    r = ResamplePoly(1000.0, 300.0)
    x = torch.randn(2, 3, 1000, dtype=torch.float64, requires_grad=True)
    y = r(x)
    assert y.shape == (2, 3, 300)
    np.testing.assert_allclose(y[1, 2].detach().numpy(), r(x[1, 2][None, None])[0, 0].detach().numpy())
    y.sum().backward()
    assert torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0
    with pytest.raises(ConfigError, match=r"fs_out.*factors.*simple ratio"):
        ResamplePoly(1000.0, 999.9)
    with pytest.raises(ConfigError, match=r"resample\.fs.*positive"):
        ResamplePoly(0.0, 100.0)
    with pytest.raises(FeatureError, match="NaN"):
        r(torch.full((1, 1, 10), float("nan")))
