"""Polyphase resampling of ``(batch, channels, time)`` as a torch op: ``scipy.signal.resample_poly``.

The rate changes by ``up / down`` (reduced by their gcd). As in scipy: a linear-phase
low-pass FIR of ``2 * 10 * max(up, down) + 1`` taps, cut-off ``1 / max(up, down)`` of the
Nyquist frequency, Kaiser window (beta 5) by default, designed with ``scipy.signal.firwin``
and scaled by ``up``; the input is upsampled by inserting zeros, filtered with the centre
of the filter on each output sample, and every ``down``-th sample is kept; values beyond
the ends are zero (``padtype="constant"``) or the channel mean (``padtype="mean"``).
The filtering is a strided ``conv1d`` (or ``conv_transpose1d`` when only upsampling), so it
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
        # conv1d correlates: flip so that each output is sum_k h[k] u[centre - k]
        self.register_buffer("taps", torch.as_tensor(taps[::-1].copy()), persistent=False)

    def extra_repr(self) -> str:
        return f"fs={self.fs:g}, fs_out={self.fs_out:g}, up={self.up}, down={self.down}"

    def output_length(self, length: int) -> int:
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
        taps = self.taps.to(dtype=flat.dtype, device=flat.device)[None, None]
        n_out, half = self.output_length(length), self.half_len
        if self.down == 1:                                  # upsampling only: no wasted zeros
            y = F.conv_transpose1d(flat, taps.flip(-1), stride=self.up, padding=half,
                                   output_padding=self.up - 1)
        else:
            if self.up > 1:                                 # insert up - 1 zeros per sample
                flat = F.pad(flat[..., None], (0, self.up - 1)).reshape(flat.shape[0], 1, -1)
            right = max(0, (n_out - 1) * self.down + half + 1 - flat.shape[-1])
            y = F.conv1d(F.pad(flat, (half, right)), taps, stride=self.down)
        y = y[..., :n_out]
        if background is not None:
            y = y + background
        return y.reshape(*shape[:-1], n_out)


def rate_after(steps, fs: float) -> float:
    """Sampling rate (Hz) after a sequence of steps (a :class:`ResamplePoly` changes it)."""
    for step in steps:
        fs = getattr(step, "fs_out", fs)
    return fs

