"""Zero-phase Butterworth and notch filters against scipy on real EMG, ECG and IMU.

Tolerances (max abs error over max |x| of the input):
float64 <= 1e-10 (measured <= 3e-13), float32 <= 5e-5 (measured <= 1.1e-5; scipy's own
sosfiltfilt in float32 is 3.6e-5 off its float64 result on the real EMG envelope).
"""

import numpy as np
import pytest
import torch
from scipy.signal import butter, filtfilt, iirnotch, sosfiltfilt

from lbpnet.errors import ConfigError, FeatureError
from lbpnet.preprocess import Butterworth, Notch

TOL = {torch.float64: 1e-10, torch.float32: 5e-5}


def apply(module, x, dtype=torch.float64):
    return module(torch.as_tensor(x, dtype=dtype)[None]).double().numpy()[0]


def assert_close(y, ref, x, dtype):
    err = np.abs(y - ref).max() / np.abs(x).max()
    assert err <= TOL[dtype], f"relative max error {err:.2e} above {TOL[dtype]:.0e}"


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("btype,cutoff", [("bandpass", [20.0, 450.0]), ("highpass", 20.0),
                                          ("lowpass", 6.0), ("bandstop", [45.0, 55.0])])
def test_butterworth_equals_sosfiltfilt_on_real_emg(real_emg, btype, cutoff, dtype):
    x, fs = real_emg
    ref = sosfiltfilt(butter(4, cutoff, btype=btype, fs=fs, output="sos"), x, axis=-1)
    assert_close(apply(Butterworth(fs, cutoff, btype, 4), x, dtype), ref, x, dtype)


def test_butterworth_on_real_ecg_and_real_imu(real_ecg, real_imu):
    x, fs = real_ecg
    ref = sosfiltfilt(butter(2, [0.5, 40.0], btype="bandpass", fs=fs, output="sos"), x)
    assert_close(apply(Butterworth(fs, [0.5, 40.0], "bandpass", 2), x), ref, x, torch.float64)
    x, fs = real_imu                                  # 6 channels of HAPT at 50 Hz
    ref = sosfiltfilt(butter(3, 20.0, fs=fs, output="sos"), x, axis=-1)
    assert_close(apply(Butterworth(fs, 20.0, "lowpass", 3), x), ref, x, torch.float64)


@pytest.mark.parametrize("padtype,padlen", [("even", None), ("constant", 100), (None, None),
                                            ("odd", 0), ("odd", 1000)])
def test_padding_options_equal_scipy(real_emg_bursts, padtype, padlen):
    x, fs = real_emg_bursts
    sos = butter(2, [20.0, 450.0], btype="bandpass", fs=fs, output="sos")
    ref = sosfiltfilt(sos, x, padtype=padtype, padlen=padlen)
    out = apply(Butterworth(fs, [20.0, 450.0], "bandpass", 2, padtype=padtype, padlen=padlen), x)
    assert_close(out, ref, x, torch.float64)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_notch_equals_filtfilt_on_real_emg(real_emg, dtype):
    x, fs = real_emg
    b, a = iirnotch(50.0, 30.0, fs=fs)
    assert_close(apply(Notch(fs, 50.0, 30.0), x, dtype), filtfilt(b, a, x), x, dtype)


def test_notch_removes_the_power_line_tone():
    fs = 1000.0
    t = torch.arange(20000, dtype=torch.float64) / fs   # SYNTHETIC: 50 Hz tone + 80 Hz
    x = torch.sin(2 * torch.pi * 50 * t) + torch.sin(2 * torch.pi * 80 * t)
    y = Notch(fs, 50.0, 30.0)(x[None, None])[0, 0, 2000:-2000]
    assert (y - torch.sin(2 * torch.pi * 80 * t[2000:-2000])).abs().max() < 0.05


def test_batch_and_channels_are_independent(real_emg):
    x, fs = real_emg
    rows = torch.as_tensor(x[0, :12000].reshape(6, 2000))          # 6 real segments
    batch = rows.reshape(2, 3, 2000)
    f = Butterworth(fs, [20.0, 450.0], "bandpass", 4)
    together = f(batch).reshape(6, 2000)
    alone = torch.cat([f(r[None, None])[0] for r in rows])
    np.testing.assert_allclose(together.numpy(), alone.numpy(), rtol=0, atol=1e-13)
    changed = batch.clone()
    changed[1, 2] = 0                                               # other rows unaffected
    np.testing.assert_allclose(f(changed)[0].numpy(), f(batch)[0].numpy(), rtol=0, atol=1e-13)


def test_gradients_flow_and_are_the_adjoint_of_the_filter():
    # the filter is linear in x, so d<w, f(x)>/dx . v == <w, f(v)> for every direction v
    f = Butterworth(1000.0, [20.0, 200.0], "bandpass", 2)
    x = torch.randn(2, 2, 300, dtype=torch.float64, requires_grad=True)
    w = torch.randn(2, 2, 300, dtype=torch.float64)
    (grad,) = torch.autograd.grad((w * f(x)).sum(), x)
    for _ in range(3):
        v = torch.randn_like(w)
        np.testing.assert_allclose((grad * v).sum().item(), (w * f(v)).sum().item(), rtol=1e-10)
    x32 = torch.randn(1, 3, 500, requires_grad=True)
    f(x32).pow(2).sum().backward()
    assert torch.isfinite(x32.grad).all() and x32.grad.abs().sum() > 0


def test_half_precision_input_is_filtered_in_float32():
    x = torch.randn(1, 2, 400)
    f = Butterworth(1000.0, 100.0, "lowpass", 2)
    y = f(x.to(torch.bfloat16))
    assert y.dtype == torch.bfloat16
    np.testing.assert_allclose(y.float().numpy(), f(x.to(torch.bfloat16).float()).numpy(),
                               atol=0.02, rtol=0.02)


def test_global_tf32_settings_are_ignored_and_restored(real_emg_bursts):
    x, fs = real_emg_bursts
    before = torch.get_float32_matmul_precision()
    torch.set_float32_matmul_precision("medium")
    try:
        out = apply(Butterworth(fs, [20.0, 450.0], "bandpass", 4), x, torch.float32)
        assert torch.get_float32_matmul_precision() == "medium"
    finally:
        torch.set_float32_matmul_precision(before)
    ref = sosfiltfilt(butter(4, [20.0, 450.0], btype="bandpass", fs=fs, output="sos"), x)
    assert_close(out, ref, x, torch.float32)


def test_bad_configurations_name_the_field_and_the_fix():
    with pytest.raises(ConfigError, match=r"cutoff_hz.*500 Hz is outside \(0, 500\) Hz.*Fix"):
        Butterworth(1000.0, [20.0, 500.0], "bandpass", 4)
    with pytest.raises(ConfigError, match=r"cutoff_hz.*outside"):
        Butterworth(100.0, 60.0, "lowpass", 4)
    with pytest.raises(ConfigError, match=r"order.*positive integer"):
        Butterworth(1000.0, 10.0, "lowpass", 0)
    with pytest.raises(ConfigError, match=r"order"):
        Butterworth(1000.0, 10.0, "lowpass", -2)
    with pytest.raises(ConfigError, match=r"not increasing"):
        Butterworth(1000.0, [450.0, 20.0], "bandpass", 4)
    with pytest.raises(ConfigError, match=r"expected 2 cut-off"):
        Butterworth(1000.0, 20.0, "bandpass", 4)
    with pytest.raises(ConfigError, match=r"btype"):
        Butterworth(1000.0, 20.0, "lowpas", 4)
    with pytest.raises(ConfigError, match=r"freq_hz.*outside"):
        Notch(100.0, 50.0)
    with pytest.raises(ConfigError, match=r"quality"):
        Notch(1000.0, 50.0, 0.0)


def test_bad_signals_are_feature_errors():
    f = Butterworth(1000.0, [20.0, 450.0], "bandpass", 4)          # padlen 27
    assert f.padlen == 27
    with pytest.raises(FeatureError, match=r"more than 27 samples.*got 27.*Fix"):
        f(torch.randn(1, 1, 27))
    f(torch.randn(1, 1, 28))                                        # scipy's limit: > padlen
    x = torch.randn(2, 3, 500)
    x[1, 2, 100] = float("nan")
    with pytest.raises(FeatureError, match=r"NaN or inf.*1 row.*first row 5.*Fix: interpolate"):
        f(x)
    with pytest.raises(FeatureError, match="floating-point"):
        f(torch.ones(1, 1, 100, dtype=torch.int64))
