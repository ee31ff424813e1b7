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
from lbpnet.preprocess.checks import check_rate, check_signal
from lbpnet.preprocess.filters import Butterworth


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
        """Output channels for ``channels_in`` input channels (doubled with the derivative's
        envelope).
        """
        return channels_in * (2 if self.with_derivative else 1)

    def _rms(self, x: torch.Tensor) -> torch.Tensor:
        power = F.avg_pool1d(x * x, self.window, self.stride, ceil_mode=False)
        rms = power.clamp_min(0).sqrt()
        return torch.log(rms + self.eps) if self.log else rms

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(batch, channels, time)`` → ``(batch, channels_out, time / stride)``: RMS over
        ``window`` samples every ``stride`` samples (log when asked), of the signal and of
        its first difference.
        """
        if x.shape[-1] < self.window + 1:
            raise ConfigError(f"window of {x.shape[-1]} samples is shorter than the RMS window "
                              f"({self.window})", field="model.front_ends.window",
                              fix="use a shorter RMS window or longer windows")
        out = [self._rms(x[..., 1:])]
        if self.with_derivative:
            out.append(self._rms(torch.diff(x, dim=-1)))
        return torch.cat(out, dim=1)


class FullWaveRectify(nn.Module):
    """``(batch, channels, time)`` → ``|x|``, same shape: full-wave rectification of EMG."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(..., time)`` → the absolute value, same shape and unit."""
        return x.abs()


class MovingRms(nn.Module):
    """Centred moving RMS, same length as the input: ``sqrt(mean of x² over window_s)``.

    Parameters
    ----------
    fs : float
        Sampling rate (Hz).
    window_s : float
        Window length (s), e.g. 0.05–0.25 s for surface EMG; at least one sample.

    Output ``(batch, channels, time)`` in the input's unit. Sample ``t`` averages
    ``x[t - w//2 : t - w//2 + w]`` with zeros beyond the ends (``numpy.convolve(x**2,
    ones(w) / w, mode="same")``), so the first and last ``w/2`` samples are biased low. The
    sums run as a float64 cumulative sum (exact enough for hours of 2 kHz signal).
    """

    def __init__(self, fs: float, window_s: float = 0.1) -> None:
        super().__init__()
        self.fs = check_rate(fs, "preprocess.moving_rms.fs")
        self.window = int(round(float(window_s) * self.fs))
        if self.window < 1:
            raise ConfigError(f"RMS window of {window_s} s is less than one sample at "
                              f"{self.fs:g} Hz", field="preprocess.moving_rms.window_s",
                              fix=f"use at least {1 / self.fs:g} s")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(..., time)`` → the centred moving RMS over the window, same shape, in the input's
        unit.
        """
        check_signal(x, "moving RMS", 1)
        w = self.window
        power = F.pad((x.double() ** 2), (w // 2 + 1, (w - 1) // 2)).cumsum(-1)
        mean = (power[..., w:] - power[..., :-w]) / w
        return mean.clamp_min(0).sqrt().to(x.dtype)


class LinearEnvelope(nn.Module):
    """Linear envelope of EMG: full-wave rectification, then a zero-phase Butterworth low-pass.

    Parameters
    ----------
    fs : float
        Sampling rate (Hz).
    cutoff_hz : float
        Low-pass cut-off (Hz); 2–10 Hz is usual for movement (Winter, *Biomechanics and
        Motor Control of Human Movement*, 2009), 6 Hz here by default.
    order : int
        Butterworth order of the low-pass (doubled by the forward-backward pass).
    rectify : bool
        Take ``|x|`` first (harmless on an already rectified signal).

    ``(batch, channels, time)`` → same shape, in the input's unit; equals
    ``scipy.signal.sosfiltfilt(butter(order, cutoff_hz, fs=fs, output="sos"), abs(x))``.
    """

    def __init__(self, fs: float, cutoff_hz: float = 6.0, order: int = 4,
                 rectify: bool = True) -> None:
        super().__init__()
        self.rectify = bool(rectify)
        self.lowpass = Butterworth(fs, cutoff_hz, "lowpass", order,
                                   name="preprocess.linear_envelope")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(..., time)`` → the zero-phase low-pass of the rectified (or raw) signal, same
        shape, in the input's unit.
        """
        return self.lowpass(x.abs() if self.rectify else x)
