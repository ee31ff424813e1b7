"""A stream: one modality of a recording at one sampling rate.

A stream holds a ``(n_samples, n_channels)`` array — time first, so that a window
of all channels is one contiguous read from a memory-mapped file — plus the
metadata every later step needs: sampling rate (Hz), channel names, channel
types (BIDS: ``EMG``, ``ACCEL``, ``GYRO``, ``ECG``, ``NIRS``, ``EDA``, ``MISC``…),
units per channel and the start offset (s) relative to the recording's start.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lbpnet.errors import RecordingError
from lbpnet.recording.units import canonical_unit, known_units


@dataclass
class Stream:
    """One modality of a recording.

    Parameters
    ----------
    name : str
        Modality name used as the key of model inputs (``"emg"``, ``"imu"``).
    data : array, shape (n_samples, n_channels)
        Samples, time first. May be a ``np.memmap`` (never loaded eagerly).
    sampling_rate : float
        Samples per second (Hz).
    channel_names : list of str
        One unique name per channel (``erector_spinae_left``, ``acc_x``).
    channel_types : list of str
        BIDS channel type per channel (``EMG``, ``ACCEL``, ``GYRO``, …).
    units : list of str
        Physical unit per channel (``uV``, ``g``, ``rad/s``); see
        :mod:`lbpnet.recording.units`.
    start_time : float
        Offset (s) of the first sample from the recording's start.
    storage : NpyHandle or ZarrHandle, optional
        How a stored stream is opened again (:mod:`lbpnet.recording.store_handles`):
        pickling such a stream sends the handle instead of the samples, and unpickling
        opens the store again, so ``DataLoader`` workers and Dask tasks stay small.
        ``data`` may then be a :class:`~lbpnet.recording.scaled.ScaledArray` (integer
        counts read as float32 physical values) or a Zarr array.
    """

    name: str
    data: np.ndarray
    sampling_rate: float
    channel_names: list[str]
    channel_types: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    start_time: float = 0.0
    storage: object | None = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        if self.storage is not None:
            state["data"] = None             # reopened from the store by __setstate__
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if self.data is None and self.storage is not None:
            self.data = self.storage.open()

    def __post_init__(self) -> None:
        self.channel_names = [str(c) for c in self.channel_names]
        if not self.channel_types:
            self.channel_types = ["MISC"] * len(self.channel_names)
        if not self.units:
            self.units = ["n/a"] * len(self.channel_names)

    @property
    def n_samples(self) -> int:
        """Number of samples (rows of ``data``)."""
        return int(self.data.shape[0])

    @property
    def n_channels(self) -> int:
        """Number of channels (columns of ``data``)."""
        return int(self.data.shape[1]) if self.data.ndim == 2 else 0

    @property
    def duration(self) -> float:
        """Length of the stream in seconds."""
        return self.n_samples / float(self.sampling_rate)

    @property
    def end_time(self) -> float:
        """Time (s, recording clock) just after the last sample."""
        return self.start_time + self.duration

    def validate(self, source: str = "<in memory>", check_values: bool = True) -> None:
        """Raise :class:`RecordingError` naming ``source`` and the field at fault.

        ``check_values`` scans the samples for NaN/inf; it is skipped for
        memory-mapped streams by the store (it would read the whole file).
        """
        where = f"{source} [stream '{self.name}']"
        if self.sampling_rate is None or not np.isfinite(float(self.sampling_rate)) \
                or float(self.sampling_rate) <= 0:
            raise RecordingError(
                f"sampling rate is missing or not positive (got {self.sampling_rate!r})",
                source=where, field="sampling_rate",
                fix="give the sampling frequency in Hz (BIDS: 'SamplingFrequency' in the JSON sidecar)")
        if self.data.ndim != 2:
            raise RecordingError(
                f"data must be 2-D (n_samples, n_channels), got shape {tuple(self.data.shape)}",
                source=where, field="data",
                fix="stack channels as columns; every channel must have the same number of samples")
        if self.n_channels != len(self.channel_names):
            raise RecordingError(
                f"{self.n_channels} data columns but {len(self.channel_names)} channel names",
                source=where, field="channel_names",
                fix="give exactly one name per channel column")
        for label, values in (("channel_types", self.channel_types), ("units", self.units)):
            if len(values) != self.n_channels:
                raise RecordingError(
                    f"{len(values)} entries for {self.n_channels} channels",
                    source=where, field=label, fix="give one entry per channel")
        seen: set[str] = set()
        for name in self.channel_names:
            if name in seen:
                raise RecordingError(
                    f"duplicate channel name '{name}'", source=where, field="channel_names",
                    fix="rename the channels so each name is unique (e.g. add _left/_right)")
            seen.add(name)
        for name, unit in zip(self.channel_names, self.units):
            if canonical_unit(unit) is None:
                raise RecordingError(
                    f"unknown unit '{unit}' for channel '{name}'", source=where, field="units",
                    fix=f"use one of {', '.join(known_units())}")
        if not np.isfinite(float(self.start_time)):
            raise RecordingError("start time is not finite", source=where, field="start_time",
                                 fix="give the offset of the first sample in seconds")
        counts = hasattr(self.data, "raw_dtype")    # integer counts: always finite
        if check_values and self.n_samples and not counts \
                and np.issubdtype(self.data.dtype, np.floating):
            finite = np.isfinite(self.data)
            if not finite.all():
                bad_sample, bad_col = np.argwhere(~finite)[0]
                raise RecordingError(
                    f"{int((~finite).sum())} NaN/inf samples, first in channel "
                    f"'{self.channel_names[bad_col]}' at sample {bad_sample} "
                    f"({self.start_time + bad_sample / self.sampling_rate:.3f} s)",
                    source=where, field="data",
                    fix="interpolate or cut the gap, or mark it with a quality annotation")

    def sample_at(self, t: float) -> int:
        """Index of the sample at recording time ``t`` (s), rounded to nearest."""
        return int(round((t - self.start_time) * self.sampling_rate))
