"""Batch augmentations for training, on ``{modality: (batch, channels, time)}`` tensors.

They run inside the training step (on whatever device the batch is on), on
signals in their physical units (before the model's standardisation), and only
while the module is in training mode.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import torch
from torch import nn

from lbpnet.errors import ConfigError


def random_rotations(batch: int, sigma: float, device=None) -> torch.Tensor:
    """Rotation matrices ``Rz @ Ry @ Rx`` with angles ~ N(0, sigma) rad, shape (batch, 3, 3)."""
    a = torch.randn(batch, 3, device=device) * sigma
    c, s = torch.cos(a), torch.sin(a)
    one, zero = torch.ones(batch, device=device), torch.zeros(batch, device=device)
    rx = torch.stack([one, zero, zero, zero, c[:, 0], -s[:, 0], zero, s[:, 0], c[:, 0]], 1)
    ry = torch.stack([c[:, 1], zero, s[:, 1], zero, one, zero, -s[:, 1], zero, c[:, 1]], 1)
    rz = torch.stack([c[:, 2], -s[:, 2], zero, s[:, 2], c[:, 2], zero, zero, zero, one], 1)
    return rz.view(batch, 3, 3) @ ry.view(batch, 3, 3) @ rx.view(batch, 3, 3)


class SignalAugment(nn.Module):
    """Small sensor rotations, amplitude scaling, jitter and time shifts.

    Parameters
    ----------
    rotation : float
        Standard deviation (rad) of the angle about each axis of a random
        rotation, the same for every 3-axis group of a window (a sensor that
        sits slightly differently on the body).
    triples : mapping of modality to list of [x, y, z] channel indices
        The 3-axis groups to rotate, e.g. ``{"imu": [[0, 1, 2], [3, 4, 5]]}`` for
        acc and gyro; channels not listed (|acc|, EMG) are not rotated.
    scale : float
        Each channel of each window is multiplied by ``1 + N(0, scale)``.
    jitter : float
        Gaussian noise of ``jitter`` times the channel's standard deviation over
        the batch is added.
    max_shift : float
        Fraction of the window by which it is rolled in time (uniform in
        ``[-max_shift, max_shift]``, the same for all modalities of a window).
    """

    def __init__(self, rotation: float = 0.0,
                 triples: Mapping[str, Sequence[Sequence[int]]] | None = None,
                 scale: float = 0.1, jitter: float = 0.05, max_shift: float = 0.0) -> None:
        super().__init__()
        self.rotation, self.triples = rotation, {m: [list(t) for t in ts]
                                                 for m, ts in (triples or {}).items()}
        self.scale, self.jitter, self.max_shift = scale, jitter, max_shift

    def check_channels(self, channels: Mapping[str, int]) -> None:
        """Refuse ``triples`` that name a modality or a channel index the data does not have.

        ``channels`` is the number of channels per modality (``x.shape[1]``).
        """
        for m, groups in self.triples.items():
            if m not in channels:
                raise ConfigError(
                    f"augmentation rotates 3-axis channel groups of modality '{m}', which the "
                    f"data does not have (modalities: {sorted(channels)})",
                    field="task.augment.triples",
                    fix="name your data's modalities in task.augment.triples, or turn rotation "
                        "off: task.augment.rotation=0 'task.augment.triples={}'")
            bad = [t for t in groups if len(t) != 3 or any(not 0 <= i < channels[m] for i in t)]
            if bad:
                raise ConfigError(
                    f"augmentation rotates channel groups {bad} of '{m}', which has "
                    f"{channels[m]} channels (each group is 3 indices, x y z, below that)",
                    field="task.augment.triples",
                    fix=f"give 3-axis groups of '{m}' channel indices 0..{channels[m] - 1} (e.g. "
                        f"task.augment.triples={{{m}:[[0,1,2]]}}), or turn rotation off: "
                        "task.augment.rotation=0 'task.augment.triples={}'")

    def forward(self, signals: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """Augment a batch while training (rotations of IMU channel groups, time shifts, …);
        ``signals[m]`` ``(batch, channels, time)`` keeps its shape; unchanged in eval mode.
        """
        if not self.training:
            return signals
        first = next(iter(signals.values()))
        batch, device = first.shape[0], first.device
        rot = random_rotations(batch, self.rotation, device) if self.rotation > 0 else None
        shift = (torch.rand(batch, device=device) * 2 - 1) * self.max_shift
        if rot is not None:
            self.check_channels({m: x.shape[1] for m, x in signals.items()})
        out = {}
        for m, x in signals.items():
            y = x
            if rot is not None and self.triples.get(m):
                y = x.clone()
                for t in self.triples[m]:
                    y[:, t] = rot.to(x.dtype) @ x[:, t]
            if self.scale > 0:
                y = y * (1 + self.scale * torch.randn(batch, x.shape[1], 1, device=device))
            if self.jitter > 0:
                sd = x.std(dim=(0, 2), keepdim=True) if batch > 1 else x.std(dim=2, keepdim=True)
                y = y + self.jitter * sd * torch.randn_like(x)
            if self.max_shift > 0:
                n = x.shape[-1]
                steps = (shift * n).round().long()
                idx = (torch.arange(n, device=device)[None, :] - steps[:, None]) % n
                y = torch.gather(y, -1, idx[:, None, :].expand_as(y))
            out[m] = y
        return out
