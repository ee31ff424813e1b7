"""What an explanation run hands on to reports: attributions grouped to channels × segments.

This is the contract between ``lbpnet.explain`` (which fills it) and ``lbpnet.reports``
(which draws it). Plain numpy arrays, so it can be saved (``.npz`` + JSON) and read back
without the model.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lbpnet.atomic import atomic_write_bytes, atomic_write_json
from lbpnet.errors import ReaderError

FORMAT_VERSION = 1


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
    channel_info : dict of str to list of str, each length n_channels
        Grouping keys per channel where the metadata gives them: ``muscle``
        (``erector_spinae_l1``), ``side`` (``left``), ``site`` (``trunk_l1``),
        ``type`` (``EMG``, ``ACCEL``…), ``rate_hz``; empty when unknown.
    segment_labels : list of str, length n_segments
        A name per segment (``"0.0-0.5 s"``, or a movement phase); may be empty.
    provenance : dict of str to str
        Where the attribution came from: run directory, checkpoint and its
        sha256, config sha256, split side, lbpnet version; may be empty.
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
    channel_info: dict[str, list[str]] = field(default_factory=dict)
    segment_labels: list[str] = field(default_factory=list)
    provenance: dict[str, str] = field(default_factory=dict)

    @property
    def n_windows(self) -> int:
        """Number of explained windows."""
        return int(self.matrix.shape[0])

    def per_channel(self) -> np.ndarray:
        """Attribution per channel, summed over segments, shape (n_windows, n_channels)."""
        return self.matrix.sum(axis=2)

    def per_segment(self) -> np.ndarray:
        """Attribution per segment, summed over channels, shape (n_windows, n_segments)."""
        return self.matrix.sum(axis=1)

    def save(self, path: str | os.PathLike) -> tuple[Path, Path]:
        """Write ``<path>.npz`` (arrays) then ``<path>.json`` (names, metadata, the
        sha256 of the ``.npz``), each atomically; return both paths.

        The JSON is written last and names the arrays' checksum, so a reader never
        pairs new names with old arrays (or the reverse).
        """
        base = _base(path)
        arrays = {"matrix": np.asarray(self.matrix, dtype=np.float32),
                  "segment_edges_s": np.asarray(self.segment_edges_s, dtype=np.float64),
                  "target": np.asarray(self.target, dtype=np.int64)}
        for key, value in self.windows.items():
            value = np.asarray(value)
            arrays[f"windows/{key}"] = value.astype(str) if value.dtype == object else value
        buf = io.BytesIO()
        np.savez_compressed(buf, **arrays)
        data = buf.getvalue()
        npz = atomic_write_bytes(_with(base, ".npz"), data)
        meta = {"format": "lbpnet.ChannelSegmentAttribution", "version": FORMAT_VERSION,
                "npz_sha256": hashlib.sha256(data).hexdigest(),
                "channels": list(self.channels), "modalities": list(self.modalities),
                "output_names": list(self.output_names), "method": self.method,
                "windows": sorted(self.windows),
                "faithfulness": {k: float(v) for k, v in self.faithfulness.items()},
                "channel_info": {k: [str(x) for x in v] for k, v in self.channel_info.items()},
                "segment_labels": [str(x) for x in self.segment_labels],
                "provenance": {k: str(v) for k, v in self.provenance.items()}}
        js = atomic_write_json(_with(base, ".json"), meta)
        return npz, js

    @classmethod
    def load(cls, path: str | os.PathLike) -> "ChannelSegmentAttribution":
        """Read what :meth:`save` wrote (``path`` with or without ``.npz``/``.json``).

        Raises
        ------
        ReaderError
            A file is missing, of another format, or the two do not belong together.
        """
        base = _base(path)
        js, npz = _with(base, ".json"), _with(base, ".npz")
        for f in (js, npz):
            if not f.is_file():
                raise ReaderError("file not found", source=str(f),
                                  fix="save the attribution with ChannelSegmentAttribution.save "
                                      "(lbpnet-explain) first")
        try:
            meta = json.loads(js.read_text())
        except json.JSONDecodeError as err:
            raise ReaderError(f"not valid JSON ({err})", source=str(js),
                              fix="re-run lbpnet-explain") from err
        if meta.get("format") != "lbpnet.ChannelSegmentAttribution":
            raise ReaderError(f"format is {meta.get('format')!r}", source=str(js),
                              field="format", fix="point to a file lbpnet-explain wrote")
        if meta.get("version", 0) > FORMAT_VERSION:
            raise ReaderError(f"format version {meta['version']} is newer than this lbpnet "
                              f"reads ({FORMAT_VERSION})", source=str(js), field="version",
                              fix="upgrade lbpnet")
        data = npz.read_bytes()
        if hashlib.sha256(data).hexdigest() != meta.get("npz_sha256"):
            raise ReaderError(f"its arrays do not match the checksum in {js.name} (one of the "
                              "pair was replaced or half copied)", source=str(npz),
                              field="npz_sha256", fix="re-run lbpnet-explain")
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        return cls(matrix=arrays["matrix"], channels=meta["channels"],
                   modalities=meta["modalities"], segment_edges_s=arrays["segment_edges_s"],
                   target=arrays["target"], output_names=meta["output_names"],
                   method=meta["method"],
                   windows={k: arrays[f"windows/{k}"] for k in meta["windows"]},
                   faithfulness=dict(meta.get("faithfulness", {})),
                   channel_info=dict(meta.get("channel_info", {})),
                   segment_labels=list(meta.get("segment_labels", [])),
                   provenance=dict(meta.get("provenance", {})))

    def validate(self) -> "ChannelSegmentAttribution":
        """Check that the shapes agree; raise :class:`ValueError` naming the field."""
        n, c, s = np.shape(self.matrix)
        checks = {"channels": len(self.channels) == c, "modalities": len(self.modalities) == c,
                  "segment_edges_s": len(self.segment_edges_s) == s + 1,
                  "target": len(self.target) == n,
                  "segment_labels": not self.segment_labels or len(self.segment_labels) == s}
        checks.update({f"windows.{k}": len(v) == n for k, v in self.windows.items()})
        checks.update({f"channel_info.{k}": len(v) == c for k, v in self.channel_info.items()})
        bad = [k for k, ok in checks.items() if not ok]
        if bad:
            raise ValueError(f"ChannelSegmentAttribution: fields {bad} do not match the matrix "
                             f"shape {(n, c, s)} (windows, channels, segments)")
        return self


def _base(path: str | os.PathLike) -> Path:
    p = Path(path)
    return p.with_suffix("") if p.suffix in (".npz", ".json") else p


def _with(base: Path, suffix: str) -> Path:
    return base.parent / (base.name + suffix)
