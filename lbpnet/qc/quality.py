"""From per-stream checks to a per-window quality mask the window index carries.

``QualityControl(config, policy)`` scores every window of an index (each stream at its own
rate), turns the flags into ``quality`` (1 good, 0 bad) and keeps the flags as data:
``index.quality_flags[:, j]`` says which ``"<stream>/<check>"`` flagged which window. The
``policy`` (``"exclude"`` or ``"mask_loss"``) is read by
:class:`lbpnet.tasks.window_datamodule.WindowDataModule`; this module never drops a window.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from lbpnet.errors import ConfigError
from lbpnet.qc.config import QCConfig
from lbpnet.qc.stream_checks import StreamQuality, score_stream
from lbpnet.recording.recording import Recording

POLICIES = ("exclude", "mask_loss")


@dataclass
class RecordingQuality:
    """QC of one recording: the streams' results over the windows ``starts`` (s)."""

    key: str
    source: str
    starts: np.ndarray
    length_s: float
    streams: dict[str, StreamQuality] = field(default_factory=dict)

    def flag_table(self) -> tuple[list[str], np.ndarray]:
        """Flag names ``"<stream>/<check>"`` and bool (W, n_flags)."""
        names, cols = [], []
        for s, q in self.streams.items():
            for check, f in q.window_flags().items():
                names.append(f"{s}/{check}")
                cols.append(f)
        flags = np.stack(cols, axis=1) if cols else np.zeros((len(self.starts), 0), bool)
        return names, flags

    def quality(self) -> np.ndarray:
        """float32 (W,): 1 when no check flagged the window, else 0."""
        return (~self.flag_table()[1].any(axis=1)).astype(np.float32)

    def skipped(self) -> dict[str, str]:
        """``"<stream>/<check>"`` → why it could not run."""
        return {f"{s}/{c}": why for s, q in self.streams.items() for c, why in q.skipped.items()}


def score_recording(recording: Recording, starts: np.ndarray, length_s: float,
                    config: QCConfig | None = None, streams: Sequence[str] | None = None,
                    kinds: dict[str, str] | None = None) -> RecordingQuality:
    """Score the windows ``[start, start + length_s)`` of one recording.

    Parameters
    ----------
    recording : Recording
    starts : array of float, shape (W,)
        Window starts (s, recording clock).
    length_s : float
        Window length (s).
    config : QCConfig, optional
        Thresholds (default :class:`QCConfig()`).
    streams : list of str, optional
        Streams to check (default all).
    kinds : dict, optional
        Signal kind per stream where channel types do not say it, e.g. ``{"raw": "PPG"}``.

    Raises
    ------
    ConfigError
        A stream that the recording lacks.
    WindowError
        A window too short for an enabled spectral check (the message names the check).
    """
    cfg = config or QCConfig()
    names = list(streams) if streams is not None else list(recording.streams)
    missing = [s for s in names if s not in recording.streams]
    if missing:
        raise ConfigError(f"streams {missing} are not in the recording (it has "
                          f"{list(recording.streams)})", source=recording.source,
                          field="qc.streams", fix="name streams the recording has")
    out = RecordingQuality(recording.key, recording.source, np.asarray(starts, float),
                           float(length_s))
    for s in names:
        out.streams[s] = score_stream(recording.streams[s], out.starts, length_s, cfg,
                                      (kinds or {}).get(s))
    return out


class QualityControl:
    """Quality control as configured: checks, thresholds and what bad windows become.

    Parameters
    ----------
    config : QCConfig or dict, optional
        Thresholds (a dict is passed to :class:`QCConfig`).
    policy : {"exclude", "mask_loss"}
        ``exclude``: the data module removes bad windows and counts them;
        ``mask_loss``: bad windows stay with ``batch["quality"] = 0``.
    kinds : dict, optional
        Signal kind per stream name where channel types do not say it.
    """

    def __init__(self, config: QCConfig | dict | None = None, policy: str = "mask_loss",
                 kinds: dict[str, str] | None = None) -> None:
        if policy not in POLICIES:
            raise ConfigError(f"unknown quality policy {policy!r}", field="qc.policy",
                              fix=f"use one of {', '.join(POLICIES)}")
        self.config = config if isinstance(config, QCConfig) else QCConfig(**(config or {}))
        self.policy = policy
        self.kinds = dict(kinds or {})
        self.results: list[RecordingQuality] = []

    def apply(self, recordings: list[Recording], index, streams: Sequence[str] | None = None):
        """Score every window of ``index`` and return ``(index_with_quality, summary_rows)``.

        ``summary_rows``: see :func:`lbpnet.qc.summary.summary_rows`.
        """
        from lbpnet.qc.summary import summary_rows

        self.results = []
        quality = np.ones(len(index), dtype=np.float32)
        per_rec = []
        for i, rec in enumerate(recordings):
            rows = np.flatnonzero(index.recording == i)
            if not len(rows):
                continue
            mine = None if streams is None else [s for s in streams if s in rec.streams]
            res = score_recording(rec, index.start[rows], index.length, self.config, mine,
                                  self.kinds)
            self.results.append(res)
            names, f = res.flag_table()
            quality[rows] = ~f.any(axis=1)
            per_rec.append((rows, names, f))
        names = sorted({n for _, ns, _ in per_rec for n in ns})
        col = {n: j for j, n in enumerate(names)}
        flags = np.zeros((len(index), len(names)), dtype=bool)
        for rows, ns, f in per_rec:
            for j, n in enumerate(ns):
                flags[rows, col[n]] = f[:, j]
        return index.with_quality(quality, flags, names), summary_rows(self.results)
