"""Amplitude normalisation of ``(batch, channels, time)``: z-score from training data, and EMG
relative to a reference contraction.

Both keep their statistics as buffers, so they travel in a checkpoint's ``state_dict`` and a
model applied later uses the training statistics, never the test data's.
"""

from __future__ import annotations

from typing import Iterable

import torch
from torch import nn

from lbpnet.errors import ConfigError, FeatureError
from lbpnet.preprocess.checks import check_signal


def _batches(data) -> Iterable[torch.Tensor]:
    return [data] if isinstance(data, torch.Tensor) else data


def _as_bct(x: torch.Tensor, what: str) -> torch.Tensor:
    check_signal(x, what, 1)
    if x.dim() == 2:
        return x[None]
    if x.dim() != 3:
        raise FeatureError(f"{what} needs (batch, channels, time) or (channels, time), got "
                           f"shape {tuple(x.shape)}", field="input", fix="reshape the tensor")
    return x


class _PerChannel(nn.Module):
    """Per-channel statistics as buffers sized on fit (or from a checkpoint)."""

    _stats: tuple[str, ...] = ()

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        for name in self._stats + ("fitted",):
            if prefix + name in state_dict:
                setattr(self, name, torch.empty_like(state_dict[prefix + name]))
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def _check_ready(self, x: torch.Tensor, field: str) -> None:
        if not bool(self.fitted):
            raise ConfigError(f"{type(self).__name__} has no statistics yet", field=field,
                              fix="call .fit(...) on training data (or load a checkpoint) "
                                  "before applying it")
        n = self._stats and getattr(self, self._stats[0]).numel()
        if x.dim() < 2 or x.shape[-2] != n:
            raise FeatureError(f"fitted on {n} channels, got shape {tuple(x.shape)} "
                               "(batch, channels, time)", field=field,
                               fix="apply it to the same channels it was fitted on")


class ZScore(_PerChannel):
    """``(x - mean) / std`` per channel, with mean and std fitted on training data only.

    Parameters
    ----------
    min_std : float
        A channel whose training standard deviation is not above this is refused at fit
        (a flat channel has no scale); in the signal's unit.

    Use ``ZScore().fit(train_batches)`` (a tensor ``(batch, channels, time)`` or an iterable
    of them); then ``forward`` maps ``(..., channels, time)`` to the same shape, unitless.
    The standard deviation is the population one (``ddof=0``, as ``StandardScaler``).
    """

    _stats = ("mean", "std")

    def __init__(self, min_std: float = 0.0) -> None:
        super().__init__()
        self.min_std = float(min_std)
        self.register_buffer("mean", torch.empty(0, dtype=torch.float64))
        self.register_buffer("std", torch.empty(0, dtype=torch.float64))
        self.register_buffer("fitted", torch.tensor(False))

    @torch.no_grad()
    def fit(self, data) -> "ZScore":
        """Fit the per-channel mean and std over every batch and time sample of ``data``."""
        count, mean, m2 = 0, None, None
        for x in _batches(data):
            x = _as_bct(x, "z-score fit").detach().double()
            n = x.shape[0] * x.shape[2]
            bm = x.mean(dim=(0, 2))
            bm2 = ((x - bm[:, None]) ** 2).sum(dim=(0, 2))
            if mean is None:
                count, mean, m2 = n, bm, bm2
            else:                                    # Chan et al.: merge two partial moments
                if bm.numel() != mean.numel():
                    raise FeatureError(f"batches with {mean.numel()} and {bm.numel()} channels",
                                       field="input", fix="fit on one channel layout")
                delta, total = bm - mean, count + n
                mean = mean + delta * n / total
                m2 = m2 + bm2 + delta ** 2 * count * n / total
                count = total
        if mean is None:
            raise FeatureError("no training data to fit on", field="input",
                               fix="pass a tensor or a non-empty iterable of tensors")
        std = (m2 / count).sqrt()
        flat = (std <= self.min_std).nonzero().flatten().tolist()
        if flat:
            raise FeatureError(f"channels {flat} are constant (std <= {self.min_std}) in the "
                               "training data", field="preprocess.zscore",
                               fix="drop those channels or check the sensor (lbpnet.qc flags "
                                   "flat lines)")
        self.mean, self.std = mean.to(self.mean.device), std.to(self.std.device)
        self.fitted = torch.tensor(True, device=self.fitted.device)
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(..., channels, time)`` → per-channel z-scores with the fitted mean and std, same
        shape (unitless).
        """
        self._check_ready(x, "preprocess.zscore")
        mean = self.mean.to(dtype=x.dtype, device=x.device)[:, None]
        std = self.std.to(dtype=x.dtype, device=x.device)[:, None]
        return (x - mean) / std


class ReferenceContraction(_PerChannel):
    """EMG amplitude relative to a reference contraction (e.g. MVC): ``x / reference``.

    Parameters
    ----------
    reference : list of float, optional
        Reference amplitude per channel, in the signal's unit (e.g. the RMS in mV of each
        muscle during its maximal voluntary contraction); or fit it with :meth:`fit`.
    statistic : {"rms", "peak"}
        What :meth:`fit` takes from the reference segment per channel: its RMS, or its
        maximum (use "peak" on a linear envelope: %MVC of the peak envelope).
    percent : bool
        Multiply by 100 (``%MVC``, unit ``%``).

    ``(..., channels, time)`` → same shape.
    """

    _stats = ("reference",)

    def __init__(self, reference=None, statistic: str = "rms", percent: bool = True) -> None:
        super().__init__()
        if statistic not in ("rms", "peak"):
            raise ConfigError(f"unknown statistic {statistic!r}",
                              field="preprocess.reference_contraction.statistic",
                              fix="use 'rms' or 'peak'")
        self.statistic, self.percent = statistic, bool(percent)
        self.register_buffer("reference", torch.empty(0, dtype=torch.float64))
        self.register_buffer("fitted", torch.tensor(False))
        if reference is not None:
            self._set(torch.as_tensor(list(reference), dtype=torch.float64))

    def _set(self, reference: torch.Tensor) -> None:
        bad = (~(reference > 0) | ~torch.isfinite(reference)).nonzero().flatten().tolist()
        if bad:
            raise FeatureError(f"reference amplitude of channels {bad} is not positive and "
                               f"finite ({reference.tolist()})",
                               field="preprocess.reference_contraction.reference",
                               fix="record a reference contraction on every channel, or drop "
                                   "the silent channels")
        self.reference = reference
        self.fitted = torch.tensor(True)

    @torch.no_grad()
    def fit(self, segment: torch.Tensor) -> "ReferenceContraction":
        """Reference per channel from a reference-contraction segment ``(batch, channels, time)``."""
        x = _as_bct(segment, "reference-contraction fit").detach().double()
        if self.statistic == "rms":
            value = (x ** 2).mean(dim=(0, 2)).sqrt()
        else:
            value = x.abs().amax(dim=(0, 2))
        self._set(value)
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(..., channels, time)`` → divided per channel by the reference contraction's
        amplitude (×100 for %MVC), same shape.
        """
        self._check_ready(x, "preprocess.reference_contraction")
        scale = (100.0 if self.percent else 1.0) / self.reference
        return x * scale.to(dtype=x.dtype, device=x.device)[:, None]
