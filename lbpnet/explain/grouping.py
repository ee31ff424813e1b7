"""Group multi-rate samples into channels × time segments defined in seconds.

A window holds one tensor per modality, ``(channels, time_m)`` with
``time_m = round(length_s * rate_m)``. Segments are cut in seconds and shared by
every modality, so the first 0.5 s of a 2 s window is samples 0–999 of 2 kHz EMG
and samples 0–49 of 100 Hz IMU::

    time (s)      0 ──── 0.5 ──── 1.0 ──── 1.5 ──── 2.0
    emg (2 kHz)   │ 0:1000 │1000:2000│ …                 segment 0, 1, 2, 3
    imu (100 Hz)  │ 0:50   │ 50:100  │ …                 the same segments

Each (channel, segment) cell is one group; its id is
``global_channel * n_segments + segment`` where channels are numbered across
modalities in model order. Captum takes one such mask per modality.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import torch

from lbpnet.errors import ConfigError

SIDES = ("left", "right")


@dataclass
class ChannelLayout:
    """Channels and rates of the model's inputs, in model order.

    Parameters
    ----------
    channel_names : dict of str to list of str
        Channel names per modality, modalities in model input order.
    rates_hz : dict of str to float
        Sampling rate per modality (Hz).
    length_s : float
        Window length (s).
    channel_types : dict of str to list of str, optional
        BIDS channel type per channel (``EMG``, ``ACCEL``…).
    source : str
        Where the layout came from (for error messages).
    """

    channel_names: dict[str, list[str]]
    rates_hz: dict[str, float]
    length_s: float
    channel_types: dict[str, list[str]] = field(default_factory=dict)
    source: str = "data"

    @property
    def modalities(self) -> list[str]:
        """The modalities, in input order."""
        return list(self.channel_names)

    def samples(self, modality: str) -> int:
        """Samples per window of ``modality``."""
        return int(round(self.length_s * float(self.rates_hz[modality])))

    @property
    def channels(self) -> list[str]:
        """``"<modality>/<channel>"`` for every channel, model order."""
        return [f"{m}/{c}" for m, names in self.channel_names.items() for c in names]

    @property
    def channel_modalities(self) -> list[str]:
        """The modality of each channel, in the order of the channels (length ``n_channels``)."""
        return [m for m, names in self.channel_names.items() for _ in names]

    @property
    def n_channels(self) -> int:
        """Number of channels over all modalities."""
        return sum(len(v) for v in self.channel_names.values())

    @classmethod
    def from_dataset(cls, dataset, modalities=None) -> "ChannelLayout":
        """The layout of a :class:`lbpnet.windows.dataset.WindowDataset` (its first recording)."""
        rec = dataset.recordings[0]
        mods = list(modalities) if modalities is not None else list(dataset.modalities)
        return cls({m: list(rec.streams[m].channel_names) for m in mods},
                   {m: float(rec.streams[m].sampling_rate) for m in mods},
                   float(dataset.index.length),
                   {m: list(rec.streams[m].channel_types) for m in mods},
                   source=str(rec.source))

    def channel_info(self) -> dict[str, list[str]]:
        """Grouping keys per channel: ``muscle``, ``side``, ``site``, ``type``, ``modality``.

        ``<muscle>_<left|right>`` names give muscle and side (EMG); ``<site>_<acc|gyro|mag>_<axis>``
        names give the body site (IMU). A channel whose name says neither gets ``""``.
        """
        info: dict[str, list[str]] = {"modality": [], "muscle": [], "side": [], "site": [],
                                      "type": []}
        for m, names in self.channel_names.items():
            types = self.channel_types.get(m) or ["MISC"] * len(names)
            for name, kind in zip(names, types):
                muscle, side, site = "", "", ""
                head, _, tail = name.rpartition("_")
                if tail in SIDES and head:
                    muscle, side = head, tail
                hit = re.match(r"^(.+?)_(acc|gyro|gyr|mag)(_[xyz])?$", name)
                if hit:
                    site = hit.group(1)
                info["modality"].append(m)
                info["muscle"].append(muscle)
                info["side"].append(side)
                info["site"].append(site)
                info["type"].append(str(kind))
        return info


def segment_edges(length_s: float, n_segments: int | None = None,
                  segment_s: float | None = None) -> np.ndarray:
    """Edges (s) of equal segments of a window, shape (n_segments + 1,).

    Give ``n_segments`` or ``segment_s`` (the last segment is shorter when
    ``segment_s`` does not divide the window).

    Raises
    ------
    ConfigError
        A segment longer than the window, or neither/both given.
    """
    if (n_segments is None) == (segment_s is None):
        raise ConfigError("give exactly one of n_segments and segment_s",
                          field="explain.segments", fix="set n_segments: 4 or segment_s: 0.5")
    if segment_s is not None:
        if not 0 < segment_s <= length_s + 1e-9:
            raise ConfigError(f"segments of {segment_s} s do not fit windows of {length_s} s",
                              field="explain.segments.segment_s",
                              fix=f"choose 0 < segment_s <= {length_s} (the window length)")
        edges = np.arange(0.0, length_s, segment_s)
        return np.append(edges, length_s)
    if int(n_segments) < 1:
        raise ConfigError(f"n_segments={n_segments} is not a positive count",
                          field="explain.segments.n_segments", fix="use 1 or more")
    return np.linspace(0.0, length_s, int(n_segments) + 1)


def segment_of_samples(edges: np.ndarray, rate_hz: float, n_samples: int) -> np.ndarray:
    """Segment index of each sample (its start time ``i / rate``), shape (n_samples,).

    Raises
    ------
    ConfigError
        When a segment holds no sample at this rate (shorter than one sample).
    """
    t = np.arange(n_samples) / float(rate_hz)
    seg = np.clip(np.searchsorted(edges, t, side="right") - 1, 0, len(edges) - 2)
    empty = np.setdiff1d(np.arange(len(edges) - 1), seg)
    if empty.size:
        raise ConfigError(f"segments {empty.tolist()} (edges {np.round(edges, 4).tolist()} s) "
                          f"hold no sample at {rate_hz} Hz",
                          field="explain.segments",
                          fix=f"use segments of at least {1.0 / rate_hz:.4g} s")
    return seg


def feature_masks(layout: ChannelLayout, edges: np.ndarray,
                  device: torch.device | str = "cpu") -> tuple[torch.Tensor, ...]:
    """One Captum feature mask per modality, shape (1, channels_m, time_m), int64.

    The value of a sample is its (channel, segment) group id
    ``global_channel * n_segments + segment``.
    """
    n_seg = len(edges) - 1
    masks, offset = [], 0
    for m in layout.modalities:
        n_ch = len(layout.channel_names[m])
        seg = segment_of_samples(edges, layout.rates_hz[m], layout.samples(m))
        ids = (offset + np.arange(n_ch))[:, None] * n_seg + seg[None, :]
        masks.append(torch.as_tensor(ids, dtype=torch.long, device=device).unsqueeze(0))
        offset += n_ch
    return tuple(masks)


def group_sum(attributions: tuple[torch.Tensor, ...], masks: tuple[torch.Tensor, ...],
              n_groups: int) -> torch.Tensor:
    """Sum per-sample attributions over each group, shape (batch, n_groups).

    ``attributions[m]`` is (batch, channels_m, time_m); ``masks[m]`` (1, channels_m, time_m).
    """
    batch = attributions[0].shape[0]
    out = torch.zeros(batch, n_groups, dtype=torch.float64, device=attributions[0].device)
    for a, mask in zip(attributions, masks):
        idx = mask.expand_as(a).reshape(batch, -1)
        out.scatter_add_(1, idx, a.reshape(batch, -1).to(torch.float64))
    return out


def group_mean(attributions, masks, n_groups: int) -> torch.Tensor:
    """Mean per-sample attribution of each group (for ablation methods, whose every
    sample of a group carries the group's score), shape (batch, n_groups)."""
    total = group_sum(attributions, masks, n_groups)
    ones = tuple(torch.ones_like(a[:1]) for a in attributions)
    count = group_sum(ones, masks, n_groups)
    return total / count.clamp_min(1)


def coarse_groups(layout: ChannelLayout, by: str) -> tuple[list[str], np.ndarray]:
    """Names and per-channel group index for a coarser grouping of channels.

    ``by`` is ``channel``, ``modality``, ``muscle`` (EMG ``<muscle>_<side>``),
    ``side`` or ``site`` (IMU ``<site>_<axis>``). Returns ``(names, index)`` with
    ``index`` of shape (n_channels,); ``-1`` for channels outside the grouping.

    Raises
    ------
    ConfigError
        When no channel name carries the asked key.
    """
    if by == "channel":
        return layout.channels, np.arange(layout.n_channels)
    info = layout.channel_info()
    if by not in info:
        raise ConfigError(f"unknown channel grouping '{by}'", field="explain.grouping",
                          fix=f"use one of channel, {', '.join(sorted(info))}")
    keys = info[by]
    names = sorted({k for k in keys if k})
    if not names:
        raise ConfigError(
            f"no channel name carries a {by} (channels: {layout.channels[:6]}"
            f"{'…' if layout.n_channels > 6 else ''})", source=layout.source,
            field="explain.grouping",
            fix=f"name channels <muscle>_<left|right> (EMG) or <site>_<acc|gyro>_<axis> (IMU), "
                f"or group by channel or modality instead of {by}")
    pos = {n: i for i, n in enumerate(names)}
    return names, np.array([pos.get(k, -1) for k in keys])


def group_channels(matrix: np.ndarray, index: np.ndarray, n_groups: int) -> np.ndarray:
    """Sum channel rows of ``matrix`` (n_windows, n_channels, n_segments) into groups,
    shape (n_windows, n_groups, n_segments)."""
    out = np.zeros((matrix.shape[0], n_groups, matrix.shape[2]), dtype=matrix.dtype)
    for c, g in enumerate(index):
        if g >= 0:
            out[:, g] += matrix[:, c]
    return out
