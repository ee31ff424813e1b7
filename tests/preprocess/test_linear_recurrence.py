"""The blocked state-space recurrence equals scipy.signal.sosfilt sample for sample."""

import numpy as np
import pytest
import torch
from scipy.signal import butter, sosfilt, sosfilt_zi

from lbpnet.preprocess.linear_recurrence import (CHUNK, RecurrenceKernels, TorchKernels,
                                                 sos_state_space, sosfilt as torch_sosfilt)

SOS = butter(4, [20, 450], btype="bandpass", fs=1000.0, output="sos")


def run(x, sos=SOS, start=0, reverse=False):
    t = torch.as_tensor(x)
    kernels = TorchKernels(RecurrenceKernels(sos), t)
    zi = sosfilt_zi(sos).reshape(-1)
    s0 = torch.as_tensor(zi)[None] * (t[:, -1:] if reverse else t[:, start:start + 1])
    return torch_sosfilt(t, kernels, s0, start, reverse).numpy()


def test_state_space_has_the_impulse_response_of_the_cascade():
    a, b, c, d = sos_state_space(SOS)
    impulse = np.zeros(50)
    impulse[0] = 1.0
    state, response = np.zeros(len(b)), []
    for value in impulse:
        response.append(c @ state + d * value)
        state = a @ state + b * value
    np.testing.assert_allclose(response, sosfilt(SOS, impulse), atol=1e-15)


@pytest.mark.parametrize("length", [1, 5, CHUNK - 1, CHUNK, CHUNK + 1, 16 * CHUNK + 3,
                                    16 * 16 * CHUNK + 7])
def test_equals_scipy_sosfilt_on_real_emg_at_every_length(real_emg, length):
    x = real_emg[0][:, :length]
    ref = sosfilt(SOS, x, zi=sosfilt_zi(SOS)[:, None, :] * x[:, :1])[0]
    # float64: tolerance 1e-12 of the signal's scale (measured ~1e-14)
    np.testing.assert_allclose(run(x), ref, rtol=0, atol=1e-12 * np.abs(x).max())


def test_long_real_emg_and_a_state_entering_after_alignment_zeros(real_emg):
    x = real_emg[0][:, :100_000]
    ref = sosfilt(SOS, x, zi=sosfilt_zi(SOS)[:, None, :] * x[:, :1])[0]
    np.testing.assert_allclose(run(x), ref, atol=1e-12 * np.abs(x).max())
    padded = np.concatenate([np.zeros((1, 17)), x], axis=1)
    y = run(padded, start=17)
    assert np.all(y[:, :17] == 0)
    np.testing.assert_allclose(y[:, 17:], ref, atol=1e-12 * np.abs(x).max())


@pytest.mark.parametrize("length", [7, CHUNK, 3 * CHUNK + 5, 20_000])
def test_reverse_pass_equals_sosfilt_of_the_reversed_signal(real_emg, length):
    x = real_emg[0][:, :length]
    back = x[:, ::-1]
    ref = sosfilt(SOS, back, zi=sosfilt_zi(SOS)[:, None, :] * back[:, :1])[0][:, ::-1]
    np.testing.assert_allclose(run(x, reverse=True), ref, atol=1e-12 * np.abs(x).max())


def test_very_low_cutoff_keeps_exactness(real_imu):
    # 0.3 Hz at 50 Hz: poles close to 1, the slowest decay lbpnet uses (gravity split)
    sos = butter(3, 0.3, fs=50.0, output="sos")
    x = real_imu[0][:3]
    ref = sosfilt(sos, x, zi=sosfilt_zi(sos)[:, None, :] * x[:, :1])[0]
    np.testing.assert_allclose(run(x, sos), ref, atol=1e-11 * np.abs(x).max())
