"""Apply a :class:`~lbpnet.preprocess.chain.FilterChain` to one stream of a recording.

A recording transform (``Recording -> Recording``) for ``conf/preprocess/*.yaml``, applied
once after loading (``lbpnet.cli.train.build_datamodule``). The chain is built for the
stream's own sampling rate, so one config serves 1 kHz and 2 kHz EMG alike. The input
recording is never changed: the result is a new recording with a new stream object (the
filtered stream replaces the original under its name, or is added under ``output_stream``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

import numpy as np
import torch

from lbpnet.errors import ConfigError, LbpnetError
from lbpnet.preprocess.chain import FilterChain
from lbpnet.recording.recording import Recording
from lbpnet.recording.stream import Stream

SAMPLES_PER_PASS = 2 ** 24
"""Channels are filtered in groups of about this many samples (memory stays bounded)."""


class StreamFilter:
    """Filter a stream of a recording with a chain of torch steps.

    Parameters
    ----------
    stream : str
        Name of the stream to filter (``"emg"``).
    steps : sequence
        Steps of the :class:`FilterChain` (modules, or factories taking ``fs``).
    output_stream : str, optional
        Add the result as a new stream of this name instead of replacing ``stream``.
    channels : sequence of str, optional
        Filter only these channels (the output stream holds only them); default all.
    device : str
        Torch device of the computation (``"cpu"``, ``"cuda"``).
    dtype : {"float64", "float32"}
        Precision of the computation; the stream is stored as float32.
    on_device : bool
        Do not filter the recording: the data module reads this stream's windows raw with
        ``context_s`` of context and filters each batch on the training device
        (:mod:`lbpnet.preprocess.on_device`). Whole streams only (no ``channels``,
        no ``output_stream``), no resampling or per-channel statistics.
    context_s : float
        Seconds of context per side of a window filtered on the device.

    Call it on a recording: ``StreamFilter("emg", steps)(recording) -> recording``. The
    output stream keeps channel names and types, its rate is the chain's output rate and
    its units follow :meth:`FilterChain.unit_out`.
    """

    def __init__(self, stream: str, steps: Sequence, output_stream: str | None = None,
                 channels: Sequence[str] | None = None, device: str = "cpu",
                 dtype: str = "float64", on_device: bool = False,
                 context_s: float = 1.0) -> None:
        if dtype not in ("float64", "float32"):
            raise ConfigError(f"unknown dtype {dtype!r}", field="preprocess.dtype",
                              fix="use float64 (scipy's precision) or float32")
        self.stream, self.steps = stream, list(steps or [])
        self.output_stream, self.device = output_stream, device
        self.channels = list(channels) if channels is not None else None
        self.dtype = getattr(torch, dtype)
        self._chains: dict[float, FilterChain] = {}
        self.on_device, self.context_s = bool(on_device), float(context_s)
        if self.on_device and (output_stream is not None or channels is not None):
            raise ConfigError("on_device filters a whole stream in place",
                              field="preprocess.on_device",
                              fix="drop channels/output_stream, or set on_device: false")

    def batch_filter(self, fs: float):
        """The :class:`~lbpnet.preprocess.on_device.BatchFilter` of this stream at ``fs`` Hz."""
        from lbpnet.preprocess.on_device import BatchFilter, context_samples
        return BatchFilter(self.steps, fs, context_samples(self.context_s, fs), self.dtype,
                           source=f"preprocess stream '{self.stream}'")

    def chain(self, fs: float) -> FilterChain:
        """The chain built for a stream at ``fs`` Hz (cached per rate)."""
        if fs not in self._chains:
            self._chains[fs] = FilterChain(fs, self.steps).to(self.device)
        return self._chains[fs]

    def __call__(self, recording: Recording) -> Recording:
        s = recording.streams.get(self.stream)
        if s is None:
            raise ConfigError(f"no stream '{self.stream}'; streams: {recording.modalities}",
                              source=recording.source, field="preprocess.stream",
                              fix="name a stream of the recording (e.g. emg)")
        cols = list(range(s.n_channels))
        if self.channels is not None:
            missing = [c for c in self.channels if c not in s.channel_names]
            if missing:
                raise ConfigError(f"channels {missing} not in stream '{self.stream}' "
                                  f"({s.channel_names})", source=recording.source,
                                  field="preprocess.channels", fix="use the stream's channel names")
            cols = [s.channel_names.index(c) for c in self.channels]
        chain = self.chain(float(s.sampling_rate))
        data = np.empty((chain.output_length(s.n_samples), len(cols)), dtype=np.float32)
        group = max(1, SAMPLES_PER_PASS // max(1, s.n_samples)) if chain.channelwise else len(cols)
        with torch.no_grad():
            for first in range(0, len(cols), group):
                part = cols[first:first + group]
                host = np.float32 if self.dtype == torch.float32 else np.float64
                x = torch.as_tensor(np.asarray(s.data[:, part], dtype=host).T[None])
                try:
                    y = chain(x.to(device=self.device, dtype=self.dtype))
                except LbpnetError as exc:         # say which recording and stream
                    raise type(exc)(exc.problem, field=exc.field, fix=exc.fix,
                                    source=f"{recording.source} [stream '{self.stream}']") \
                        from None
                data[:, first:first + len(part)] = y[0].T.cpu().numpy()
        new = Stream(self.output_stream or s.name, data, chain.fs_out,
                     [s.channel_names[c] for c in cols], [s.channel_types[c] for c in cols],
                     [chain.unit_out(s.units[c]) for c in cols], s.start_time)
        return replace(recording, streams={**recording.streams, new.name: new})
