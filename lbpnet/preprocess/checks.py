"""Checks shared by the torch preprocessing ops: they name the field and the fix."""

from __future__ import annotations

import math
from typing import Sequence

import torch

from lbpnet.errors import ConfigError, FeatureError


def check_rate(fs: float, field: str) -> float:
    """A sampling rate in Hz, finite and positive."""
    try:
        value = float(fs)
    except (TypeError, ValueError):
        value = float("nan")
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"sampling rate must be a positive number of Hz, got {fs!r}",
                          field=field, fix="give the stream's sampling rate in Hz")
    return value


def check_order(order, field: str) -> int:
    """A filter order: a positive integer."""
    if isinstance(order, bool) or not float(order).is_integer() or int(order) < 1:
        raise ConfigError(f"filter order must be a positive integer, got {order!r}", field=field,
                          fix="use an order of 1 or more (2 or 4 are usual)")
    return int(order)


def check_cutoffs(cutoff_hz: float | Sequence[float], fs: float, count: int,
                  field: str) -> list[float]:
    """``count`` cut-off frequencies strictly inside ``(0, fs / 2)`` Hz, increasing."""
    values = [cutoff_hz] if isinstance(cutoff_hz, (int, float)) else list(cutoff_hz)
    if len(values) != count:
        raise ConfigError(f"expected {count} cut-off frequenc{'y' if count == 1 else 'ies'} "
                          f"(Hz), got {values}", field=field,
                          fix="give [low, high] for a band-pass, one value for a low/high-pass")
    nyquist = fs / 2
    for v in values:
        if not 0 < float(v) < nyquist:
            raise ConfigError(f"cut-off {float(v):g} Hz is outside (0, {nyquist:g}) Hz, the open range "
                              f"below the Nyquist frequency of a {fs:g} Hz signal", field=field,
                              fix="choose a cut-off below half the sampling rate, or resample "
                                  "to a higher rate first")
    if count == 2 and not float(values[0]) < float(values[1]):
        raise ConfigError(f"band edges {values} are not increasing", field=field,
                          fix="give [low, high] with low < high")
    return [float(v) for v in values]


def check_signal(x: torch.Tensor, what: str, min_length: int = 1,
                 check_finite: bool = True) -> None:
    """``x`` is a float tensor ``(batch, channels, time)`` (or ``(..., time)``) long enough.

    Raises
    ------
    FeatureError
        Not floating point, fewer than ``min_length`` samples, or NaN/inf values.
    """
    if not isinstance(x, torch.Tensor) or not torch.is_floating_point(x):
        kind = x.dtype if isinstance(x, torch.Tensor) else type(x).__name__
        raise FeatureError(f"{what} needs a floating-point tensor (batch, channels, time), "
                           f"got {kind}", field="input", fix="convert with x.float() or x.double()")
    if x.dim() < 1 or x.shape[-1] < min_length:
        n = x.shape[-1] if x.dim() else 0
        raise FeatureError(f"{what} needs more than {min_length - 1} samples along time (the "
                           f"last axis), got {n}", field="input.time",
                           fix="use a longer signal (or window), a shorter padlen, or a filter "
                               "of lower order")
    if check_finite and x.numel() and not bool(torch.isfinite(x.sum())) \
            and not bool(torch.isfinite(x).all()):          # one cheap reduction first
        bad = (~torch.isfinite(x)).reshape(-1, x.shape[-1]).any(dim=-1).nonzero().flatten()
        raise FeatureError(f"{what} got NaN or inf values in {bad.numel()} row(s) of "
                           f"(batch x channels), first row {int(bad[0])}", field="input",
                           fix="interpolate or mask the gaps before filtering (a quality mask "
                               "from lbpnet.qc marks them)")
