"""Polyphase resampling of ``(batch, channels, time)`` as a torch op: ``scipy.signal.resample_poly``.

The rate changes by ``up / down`` (reduced by their gcd). As in scipy: a linear-phase
low-pass FIR of ``2 * 10 * max(up, down) + 1`` taps, cut-off ``1 / max(up, down)`` of the
Nyquist frequency, Kaiser window (beta 5) by default, designed with ``scipy.signal.firwin``
and scaled by ``up``; the input is upsampled by inserting zeros, filtered with the centre
of the filter on each output sample, and every ``down``-th sample is kept; values beyond
the ends are zero (``padtype="constant"``) or the channel mean (``padtype="mean"``).
The filtering is one strided ``conv1d`` with ``up`` polyphase kernels (output ``c + m up``
uses the taps ``h[phase_c::up]``), so no multiplication by an inserted zero is done, it
runs on the GPU and gradients flow.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import torch
from scipy.signal import firwin
from torch import nn
from torch.nn import functional as F

from lbpnet.errors import ConfigError
from lbpnet.preprocess.checks import check_rate, check_signal
from lbpnet.preprocess.precision import full_precision

MAX_FACTOR = 1000
"""Largest reduced up or down factor (the FIR has ``20 * factor + 1`` taps)."""


class ResamplePoly(nn.Module):
    """Resample from ``fs`` to ``fs_out`` Hz along the last axis.

    Parameters
    ----------
    fs : float
        Input sampling rate (Hz).
    fs_out : float
        Output sampling rate (Hz); ``fs_out / fs`` must be a ratio of integers of at most
        :data:`MAX_FACTOR` after reduction (e.g. 2000 → 100 Hz is 1/20).
    window : str or tuple
        FIR window passed to ``scipy.signal.firwin`` (scipy's default ``("kaiser", 5.0)``).
    padtype : {"constant", "mean"}
        Values assumed beyond both ends: zero, or each row's mean.

    ``(..., time)`` → ``(..., ceil(time * up / down))`` in the input's dtype; the first output
    sample is at the time of the first input sample.
    """

    def __init__(self, fs: float, fs_out: float, window=("kaiser", 5.0),
                 padtype: str = "constant") -> None:
        super().__init__()
        self.fs = check_rate(fs, "preprocess.resample.fs")
        self.fs_out = check_rate(fs_out, "preprocess.resample.fs_out")
        ratio = Fraction(self.fs_out).limit_denominator(10 ** 6) / \
            Fraction(self.fs).limit_denominator(10 ** 6)
        self.up, self.down = ratio.numerator, ratio.denominator
        if max(self.up, self.down) > MAX_FACTOR:
            raise ConfigError(f"{self.fs:g} Hz → {self.fs_out:g} Hz needs up/down factors "
                              f"{self.up}/{self.down}, above {MAX_FACTOR}",
                              field="preprocess.resample.fs_out",
                              fix="choose an output rate in a simple ratio to the input rate")
        if padtype not in ("constant", "mean"):
            raise ConfigError(f"unknown padtype {padtype!r}", field="preprocess.resample.padtype",
                              fix="use 'constant' (zeros, scipy's default) or 'mean'")
        self.padtype = padtype
        factor = max(self.up, self.down)
        self.half_len = 10 * factor
        window = tuple(window) if isinstance(window, list) else window   # lists from YAML
        taps = (firwin(2 * self.half_len + 1, 1.0 / factor, window=window) * self.up
                if factor > 1 else np.ones(1))
        self.register_buffer("phases", torch.as_tensor(self._polyphase(taps)), persistent=False)

    def _polyphase(self, taps: np.ndarray) -> np.ndarray:
        """Kernels ``(up, 1, K)``: output ``c + m * up`` is the correlation of kernel ``c`` with
        ``x[first + m * down : first + m * down + K]`` (``first`` may be negative: zeros)."""
        up, down, half = self.up, self.down, self.half_len
        rows = []
        for c in range(up):                       # output class c uses the taps of one phase
            phase = (c * down + half) % up
            centre = (c * down + half - phase) // up
            rows.append((centre, taps[phase::up]))  # out = sum_j taps[phase + j up] x[centre - j]
        self.first = min(centre - len(t) + 1 for centre, t in rows)
        width = max(centre for centre, _ in rows) - self.first + 1
        kernels = np.zeros((up, 1, width))
        for c, (centre, t) in enumerate(rows):
            kernels[c, 0, centre - self.first - np.arange(len(t))] = t
        return kernels

    def extra_repr(self) -> str:
        """The resampler's parameters for ``repr`` (input and output rates in Hz, up and down
        factors).
        """
        return f"fs={self.fs:g}, fs_out={self.fs_out:g}, up={self.up}, down={self.down}"

    def output_length(self, length: int) -> int:
        """Samples out for ``length`` samples in: ``ceil(length * up / down)``."""
        return -(-length * self.up // self.down)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(..., time)`` → ``(..., ceil(time * up / down))``."""
        check_signal(x, "resampling", 1)
        if self.up == self.down:
            return x.clone()
        shape, length = x.shape, x.shape[-1]
        flat = x.reshape(-1, 1, length)
        background = flat.mean(dim=-1, keepdim=True) if self.padtype == "mean" else None
        if background is not None:
            flat = flat - background
        kernels = self.phases.to(dtype=flat.dtype, device=flat.device)
        n_out = self.output_length(length)
        per_class = -(-n_out // self.up)
        span = (per_class - 1) * self.down + kernels.shape[-1]
        if self.first < 0:
            flat = F.pad(flat, (-self.first, 0))
        else:
            flat = flat[..., self.first:]
        flat = F.pad(flat, (0, max(0, span - flat.shape[-1])))
        with torch.autocast(device_type=flat.device.type, enabled=False), full_precision():
            y = F.conv1d(flat, kernels, stride=self.down)[..., :per_class]  # (rows, up, per_class)
        y = y.transpose(1, 2).reshape(flat.shape[0], 1, per_class * self.up)
        y = y[..., :n_out]
        if background is not None:
            y = y + background
        return y.reshape(*shape[:-1], n_out)

