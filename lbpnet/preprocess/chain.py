"""A filter chain for one modality: torch steps in order on ``(batch, channels, time)``.

Steps that need the sampling rate are given as factories (``functools.partial`` or Hydra
``_partial_: true``) and built by the chain with the rate at their place in the chain, so a
resampling step updates the rate seen by the steps after it::

    chain = FilterChain(2000.0, [
        partial(Butterworth, cutoff_hz=[20, 450], btype="bandpass", order=4),
        partial(Notch, freq_hz=50.0, quality=30.0),
        FullWaveRectify(),
        partial(LinearEnvelope, cutoff_hz=6.0),
        partial(ResamplePoly, fs_out=100.0),
    ])
    envelope = chain(emg)            # (batch, 16, 7_200_000) at 2 kHz -> (batch, 16, 360_000)

The same chain is a model front end (it keeps the channel count), applied to each window
after standardisation, e.g. in an experiment config::

    model:
      front_ends:
        emg:
          _target_: lbpnet.preprocess.FilterChain
          fs: 1000.0                     # the EMG stream's rate
          steps:
            - {_target_: lbpnet.preprocess.Butterworth, _partial_: true,
               cutoff_hz: [20.0, 450.0], btype: bandpass, order: 4}
            - {_target_: lbpnet.preprocess.FullWaveRectify}
            - {_target_: lbpnet.preprocess.LinearEnvelope, _partial_: true, cutoff_hz: 6.0}

or, through :class:`~lbpnet.preprocess.stream_filter.StreamFilter`, a recording transform
(``conf/preprocess/emg_standard.yaml``: ``lbpnet-train preprocess=emg_standard``).
"""

from __future__ import annotations

from typing import Iterable

import torch
from torch import nn

from lbpnet.errors import ConfigError
from lbpnet.preprocess.checks import check_rate
from lbpnet.preprocess.normalise import ReferenceContraction, ZScore, _PerChannel


class FilterChain(nn.Sequential):
    """Steps applied in order; input ``(batch, channels, time)`` at ``fs`` Hz.

    Parameters
    ----------
    fs : float
        Sampling rate of the input (Hz).
    steps : sequence
        Each an ``nn.Module`` (used as is) or a callable ``step(fs=rate) -> nn.Module``.

    Attributes
    ----------
    fs, fs_out : float
        Input and output sampling rates (Hz).
    """

    def __init__(self, fs: float, steps: Iterable) -> None:
        rate = check_rate(fs, "preprocess.fs")
        modules = []
        for i, step in enumerate(list(steps or [])):
            if isinstance(step, nn.Module):
                module = step
            elif callable(step):
                module = step(fs=rate)
            else:
                raise ConfigError(f"step {i} is {step!r}, not a torch module nor a factory",
                                  field=f"preprocess.steps[{i}]",
                                  fix="give a _target_ (with _partial_: true when it takes fs)")
            if not isinstance(module, nn.Module):
                raise ConfigError(f"step {i} built {type(module).__name__}, not a torch module",
                                  field=f"preprocess.steps[{i}]", fix="use lbpnet.preprocess ops")
            step_rate = getattr(module, "fs", rate)
            if abs(float(step_rate) - rate) > 1e-9 * rate:
                raise ConfigError(f"step {i} ({type(module).__name__}) is designed for "
                                  f"{step_rate:g} Hz but gets {rate:g} Hz at this point",
                                  field=f"preprocess.steps[{i}].fs",
                                  fix="leave fs out of the step (_partial_: true) so the chain "
                                      "passes the rate")
            modules.append(module)
            rate = float(getattr(module, "fs_out", rate))
        super().__init__(*modules)
        self.fs, self.fs_out = float(fs), rate

    @property
    def channelwise(self) -> bool:
        """True when every step treats channels independently (no per-channel statistics)."""
        return not any(isinstance(m, _PerChannel) for m in self)

    def channels_out(self, channels_in: int) -> int:
        """Number of output channels (the chain keeps the channels)."""
        return channels_in

    def unit_out(self, unit: str) -> str:
        """Unit of the output for an input in ``unit``: unchanged, ``%`` after a
        reference-contraction step in percent, ``a.u.`` after a z-score."""
        for m in self:
            if isinstance(m, ZScore):
                unit = "a.u."
            elif isinstance(m, ReferenceContraction):
                unit = "%" if m.percent else "a.u."
        return unit

    def output_length(self, length: int) -> int:
        """Samples out for ``length`` samples in."""
        for m in self:
            length = m.output_length(length) if hasattr(m, "output_length") else length
        return length

    @torch.no_grad()
    def fit(self, data) -> "FilterChain":
        """Fit every :class:`ZScore` step on training data passed through the steps before it.

        ``data`` is a tensor ``(batch, channels, time)`` or a list of them (training only).
        Reference-contraction steps are fitted on their own segment (``chain[i].fit(...)``).
        """
        batches = [data] if isinstance(data, torch.Tensor) else list(data)
        last = max([i for i, m in enumerate(self) if isinstance(m, ZScore)], default=-1)
        for module in list(self)[:last + 1]:
            if isinstance(module, ZScore):
                module.fit(batches)
            batches = [module(b) for b in batches]
        return self
