"""The signals shown under a heat map: raw (as recorded) and processed (as the model sees it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np


@dataclass
class WindowSignals:
    """Signals of ``k`` windows, per modality, for display.

    Attributes
    ----------
    raw : dict of str to float array, shape (k, channels, time_m)
        The window as read from the recording (after recording transforms), in
        ``units``.
    raw_rate : dict of str to float
        Sampling rate of each raw modality (Hz).
    units : dict of str to list of str
        Unit of each raw channel (``uV``, ``g``, ``rad/s``…).
    processed : dict of str to float array, shape (k, channels, time'_m)
        The same channels after the model's own processing (per-channel
        standardisation and any front end, e.g. an EMG RMS envelope); one row per
        raw channel.
    processed_rate : dict of str to float
        Rate of each processed modality (Hz); lower than ``raw_rate`` after an envelope.
    processed_label : dict of str to str
        What the processing is, in words (e.g. ``"log RMS envelope (100 ms)"``).
    """

    raw: dict[str, np.ndarray]
    raw_rate: dict[str, float]
    units: dict[str, list[str]]
    processed: dict[str, np.ndarray] = field(default_factory=dict)
    processed_rate: dict[str, float] = field(default_factory=dict)
    processed_label: dict[str, str] = field(default_factory=dict)

    def channel(self, row: int, modality: str, index: int, processed: bool = False):
        """``(time_s, values)`` of one channel of window ``row``; ``None`` when absent."""
        source = self.processed if processed else self.raw
        rates = self.processed_rate if processed else self.raw_rate
        if modality not in source:
            return None
        x = np.asarray(source[modality][row, index], dtype=float)
        return np.arange(x.shape[0]) / float(rates[modality]), x


def check_same_channels(channels: Sequence[str], data_channels: Sequence[str],
                        result_source: str, data_source: str) -> None:
    """Refuse an attribution whose channels are not the data's, naming both sides.

    Raises
    ------
    lbpnet.errors.ConfigError
    """
    from lbpnet.errors import ConfigError

    if list(channels) == list(data_channels):
        return
    only_result = [c for c in channels if c not in data_channels]
    only_data = [c for c in data_channels if c not in channels]
    detail = (f"channels only in the attribution: {only_result}; only in the data: {only_data}"
              if only_result or only_data else "same channels in a different order")
    raise ConfigError(
        f"the attribution's channels do not match the data's ({detail}); attribution "
        f"({result_source}): {list(channels)}; data ({data_source}): {list(data_channels)}",
        source=result_source, field="channels",
        fix="explain with the same run, modalities and channels as the report's data "
            "(re-run lbpnet-explain on this run directory)")
