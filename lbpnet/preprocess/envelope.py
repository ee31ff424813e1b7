"""RMS envelopes of surface EMG as a torch op on ``(batch, channels, time)``.

The moving RMS over a 50–250 ms window is the standard amplitude estimate of
surface EMG (Merletti & Parker, *Electromyography*, 2004; SENIAM). With
``with_derivative`` the RMS of the first difference is added: by Parseval,
RMS(Δx)/RMS(x) ≈ 2π·f_rms/fs for a band-limited signal, so the ratio of the
two envelopes follows the spectral shift of fatigue (Rice's formula) without an
FFT per window.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from lbpnet.errors import ConfigError


class RmsEnvelope(nn.Module):
    """``(batch, C, T)`` → ``(batch, C or 2C, T // stride)`` moving RMS, optionally in log.

    Parameters
    ----------
    window : int
        RMS window in samples (e.g. 100 samples = 100 ms at 1 kHz).
    stride : int
        Step between RMS values in samples (the envelope's rate is ``fs / stride``).
    with_derivative : bool
        Append the RMS envelope of the first difference of each channel.
    log : bool
        Return ``log(rms + eps)`` (amplitudes are log-normal across people).
    """

    def __init__(self, window: int = 100, stride: int = 10, with_derivative: bool = True,
                 log: bool = True, eps: float = 1e-3) -> None:
        super().__init__()
        if window < 1 or stride < 1:
            raise ConfigError(f"window ({window}) and stride ({stride}) must be >= 1 sample",
                              field="model.front_ends.window/stride", fix="use positive integers")
        self.window, self.stride = int(window), int(stride)
        self.with_derivative, self.log, self.eps = with_derivative, log, eps

    def channels_out(self, channels_in: int) -> int:
        return channels_in * (2 if self.with_derivative else 1)

    def _rms(self, x: torch.Tensor) -> torch.Tensor:
        power = F.avg_pool1d(x * x, self.window, self.stride, ceil_mode=False)
        rms = power.clamp_min(0).sqrt()
        return torch.log(rms + self.eps) if self.log else rms

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-1] < self.window + 1:
            raise ConfigError(f"window of {x.shape[-1]} samples is shorter than the RMS window "
                              f"({self.window})", field="model.front_ends.window",
                              fix="use a shorter RMS window or longer windows")
        out = [self._rms(x[..., 1:])]
        if self.with_derivative:
            out.append(self._rms(torch.diff(x, dim=-1)))
        return torch.cat(out, dim=1)
