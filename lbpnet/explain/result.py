"""What an explanation run hands on to reports: attributions grouped to channels × segments.

This is the contract between ``lbpnet.explain`` (which fills it) and ``lbpnet.reports``
(which draws it). Plain numpy arrays, so it can be saved (``.npz`` + JSON) and read back
without the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class ChannelSegmentAttribution:
    """Attributions of ``n_windows`` predictions, grouped by channel and time segment.

    Attributes
    ----------
    matrix : float array, shape (n_windows, n_channels, n_segments)
        Attribution summed over the samples of each channel inside each segment
        (signed; larger = pushed the explained output up).
    channels : list of str, length n_channels
        ``"<modality>/<channel name>"``, e.g. ``"emg/erector_spinae_left"``.
    modalities : list of str, length n_channels
        The modality of each channel (``"emg"``, ``"imu"``…).
    segment_edges_s : float array, shape (n_segments + 1,)
        Segment boundaries in seconds from the window start (shared by every
        modality whatever its sampling rate).
    target : int array, shape (n_windows,)
        The explained output (class or label index) of each window.
    output_names : list of str
        Names of the model outputs (classes or multi-label targets).
    method : str
        The attribution method (``"integrated_gradients"``, ``"feature_ablation"``…).
    windows : dict of str to array, each shape (n_windows,)
        Window metadata: at least ``recording`` (int) and ``start`` (s); may add
        ``subject``, ``session``, ``prediction``, ``probability``, ``quality``.
    faithfulness : dict of str to float
        Scores of this method on these windows (e.g. ``deletion_auc``,
        ``insertion_auc``, ``random_deletion_auc``); empty when not measured.
    """

    matrix: np.ndarray
    channels: list[str]
    modalities: list[str]
    segment_edges_s: np.ndarray
    target: np.ndarray
    output_names: list[str]
    method: str
    windows: dict[str, np.ndarray] = field(default_factory=dict)
    faithfulness: dict[str, float] = field(default_factory=dict)

    @property
    def n_windows(self) -> int:
        return int(self.matrix.shape[0])

    def per_channel(self) -> np.ndarray:
        """Attribution per channel, summed over segments, shape (n_windows, n_channels)."""
        return self.matrix.sum(axis=2)

    def per_segment(self) -> np.ndarray:
        """Attribution per segment, summed over channels, shape (n_windows, n_segments)."""
        return self.matrix.sum(axis=1)
