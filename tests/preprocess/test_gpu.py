"""Every preprocessing op gives the same result on CUDA as on the CPU (skipped without CUDA)."""

from functools import partial

import numpy as np
import pytest
import torch

from lbpnet.preprocess import (Butterworth, FilterChain, FullWaveRectify, LinearEnvelope,
                               MovingRms, Notch, ResamplePoly, ZScore)

pytestmark = [pytest.mark.gpu,
              pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")]


@pytest.mark.parametrize("dtype,tol", [(torch.float64, 1e-10), (torch.float32, 5e-5)])
def test_cpu_equals_gpu_on_real_emg(real_emg, dtype, tol):
    x, fs = real_emg
    signal = torch.as_tensor(np.stack([x[0, :60000], x[0, 60000:120000]]), dtype=dtype)[None]
    ops = [Butterworth(fs, [20.0, 450.0], "bandpass", 4), Notch(fs, 50.0),
           LinearEnvelope(fs, 6.0), MovingRms(fs, 0.1), ResamplePoly(fs, 100.0),
           ResamplePoly(fs, 2048.0), FullWaveRectify(), ZScore().fit(signal),
           FilterChain(fs, [partial(Butterworth, cutoff_hz=[20.0, 450.0], btype="bandpass"),
                            partial(Notch, freq_hz=50.0), FullWaveRectify(),
                            partial(LinearEnvelope, cutoff_hz=6.0, rectify=False),
                            partial(ResamplePoly, fs_out=100.0)])]
    scale = float(signal.abs().max())
    for op in ops:
        cpu = op(signal)
        gpu = op.to("cuda")(signal.to("cuda"))
        assert gpu.device.type == "cuda" and gpu.dtype == dtype
        err = float((gpu.cpu() - cpu).abs().max()) / max(scale, float(cpu.abs().max()))
        assert err <= tol, f"{type(op).__name__}: CPU/GPU relative difference {err:.1e}"


def test_gradients_on_gpu():
    x = torch.randn(4, 8, 4000, device="cuda", requires_grad=True)
    LinearEnvelope(2000.0)(Butterworth(2000.0, [20.0, 450.0], "bandpass", 4)(x)).sum().backward()
    assert torch.isfinite(x.grad).all()
