"""Cohort job ``qc``: the per-window quality flags of each recording, one CSV per recording.

``<out>/<key>.qc.csv`` has a row per window: ``start_s``, ``quality`` (1: no check flagged
it) and a 0/1 column per ``<stream>/<check>``; checks that could not run are listed in the
job summary (``skipped``), never written as a silent column.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lbpnet.atomic import atomic_write_text
from lbpnet.cohort.recordings import cohort_recordings, window_starts
from lbpnet.qc import QCConfig, score_recording
from lbpnet.recording.store import read_recording


@dataclass
class QCJob:
    """QC of every window of every recording of a cohort.

    Parameters
    ----------
    config : QCConfig or dict, optional
        Thresholds (``conf/qc/default.yaml``'s ``config``).
    length_s, stride_s : float
        Window length and stride (s).
    kinds : dict, optional
        Signal kind per stream where channel types do not say it.
    streams : list of str, optional
        Streams to check (default all).
    """

    config: QCConfig | dict | None = None
    length_s: float = 2.0
    stride_s: float = 2.0
    kinds: dict = field(default_factory=dict)
    streams: list | None = None
    name: str = "qc"

    def items(self, root) -> dict[str, str]:
        """Recording key → store path (:func:`cohort_recordings`)."""
        return cohort_recordings(root)

    def output(self, out_dir, key: str) -> Path:
        """``<out_dir>/<key>.qc.csv``."""
        return Path(out_dir) / f"{key}.qc.csv"

    def is_done(self, path: Path) -> bool:
        """The CSV exists (it is only ever written whole)."""
        return Path(path).is_file()

    def __call__(self, key: str, payload: str, path: Path) -> dict:
        """Score one recording (store at ``payload``) and write its CSV to ``path``."""
        cfg = self.config if isinstance(self.config, QCConfig) else QCConfig(**(self.config or {}))
        rec = read_recording(payload)
        starts = window_starts(rec, self.length_s, self.stride_s)
        res = score_recording(rec, starts, self.length_s, cfg, self.streams, dict(self.kinds))
        names, flags = res.flag_table()
        good = ~flags.any(axis=1)
        buf = io.StringIO()
        buf.write(",".join(["start_s", "quality", *names]) + "\n")
        for i, s in enumerate(starts):
            row = [f"{s:.6f}", str(int(good[i]))] + [str(int(v)) for v in flags[i]]
            buf.write(",".join(row) + "\n")
        atomic_write_text(path, buf.getvalue())
        return {"windows": int(len(starts)), "flagged": int((~good).sum()),
                "skipped": res.skipped()}
