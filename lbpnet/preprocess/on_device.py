"""Run a stream's filter chain per batch on the accelerator instead of on the recording.

With ``on_device: true`` in a :class:`~lbpnet.preprocess.stream_filter.StreamFilter`
config (``lbpnet-train preprocess=emg_standard preprocess.emg.on_device=true``), the data
module does not filter the recording when it loads it. Its windows of that stream are read
raw, with ``context_s`` seconds of extra samples on each side, and after the batch is on
the device (Lightning's ``on_after_batch_transfer``) :class:`BatchFilter` runs the chain on
``(batch, channels, context + time + context)`` and cuts the context off. The workers then
only slice and copy integers or floats; the GPU does the filtering.

Why the context: a zero-phase IIR filter's output at a sample depends, with exponentially
decaying weight, on every sample of the signal. Filtering the whole recording sees the
true neighbours; filtering one window alone sees scipy's odd extension at its edges, so
its first and last ~``3 / cutoff`` seconds differ. With ``context_s`` of true neighbours
on each side the window's own samples are filtered from (nearly) the same data as in the
recording-level path; what is left is the filter's response to the far edge of the
context, which decays exponentially with ``context_s`` at the rate of the chain's slowest
pole (for the standard EMG chain — 20-450 Hz band-pass, 50 Hz notch Q 30, 6 Hz envelope —
the notch, bandwidth 50/30 Hz). Measured on synthetic 2 kHz EMG, as a fraction of the
largest filtered value: 3e-3 with 0.5 s of context, 1.9e-4 with 1 s (the default), 7e-7
with 2 s (float32 rounding); ``tests/preprocess/test_on_device.py`` asserts < 5e-4 at 1 s
and < 5e-6 at 2 s. More context costs reading more samples per window (2 s windows with
1 s per side read 2x the samples). Windows closer than ``context_s`` to a
recording's start or end get edge-repeated samples as context; the recording-level path
has its own edge extension there, so the two differ more in those windows only.
"""

from __future__ import annotations

import torch
from torch import nn

from lbpnet.errors import ConfigError
from lbpnet.preprocess.chain import FilterChain

__all__ = ["BatchFilter", "context_samples"]


def context_samples(context_s: float, fs: float) -> int:
    """Samples of context per side for ``context_s`` seconds at ``fs`` Hz (rounded up)."""
    if not context_s >= 0:
        raise ConfigError(f"context_s={context_s}", field="preprocess.context_s",
                          fix="give the seconds of context per side, >= 0")
    return int(-(-float(context_s) * float(fs) // 1))


class BatchFilter(nn.Module):
    """A stream filter's chain applied to padded windows; cuts the context off.

    Parameters
    ----------
    steps : sequence
        The :class:`FilterChain` steps of the stream filter.
    fs : float
        The stream's rate (Hz); the chain must keep it (no resampling on the device).
    context : int
        Samples of context on each side of the window.
    dtype : torch.dtype
        Precision of the computation; the output is float32.
    source : str
        Named in errors (the stream).
    """

    def __init__(self, steps, fs: float, context: int, dtype: torch.dtype = torch.float32,
                 source: str = "preprocess") -> None:
        super().__init__()
        self.chain = FilterChain(fs, steps)
        if abs(self.chain.fs_out - float(fs)) > 1e-9 * float(fs):
            raise ConfigError(f"{source}: the chain resamples ({fs:g} -> "
                              f"{self.chain.fs_out:g} Hz), which on_device does not support",
                              field="preprocess.on_device",
                              fix="filter on the recording (on_device: false), or move the "
                                  "resampling step to a recording-level filter")
        if not self.chain.channelwise:
            raise ConfigError(f"{source}: a step fits per-channel statistics (z-score, "
                              "reference contraction)", field="preprocess.on_device",
                              fix="run such chains on the recording (on_device: false)")
        self.context, self.dtype = int(context), dtype

    @torch.no_grad()
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(batch, channels, 2 context + time)`` raw → ``(batch, channels, time)`` filtered,
        float32, on ``x``'s device."""
        if next(self.chain.buffers(), x).device != x.device:
            self.chain.to(x.device)
        y = self.chain(x.to(self.dtype))
        c = self.context
        return (y[..., c:y.shape[-1] - c] if c else y).to(torch.float32).contiguous()
