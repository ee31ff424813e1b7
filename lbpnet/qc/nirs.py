"""NIRS signal loss: tissue saturation outside its physiological range, or a frozen signal.

A lifted optode reads ambient light or nothing: TSI jumps outside ~30-95 % or the device
holds its last value. Channels in ``%`` are TSI; every NIRS channel gets the flat-run test.
"""

from __future__ import annotations

import numpy as np

from lbpnet.qc import measures as ms
from lbpnet.qc.frames import iter_windows


def nirs_checks(stream, cols, starts, length_s, cfg, skipped):
    """Yield ``missing`` and ``signal_loss`` (score: out-of-range share + frozen flag)."""
    fs = float(stream.sampling_rate)
    tsi = np.array([stream.units[c] == "%" for c in cols])
    lo, hi = cfg.tsi_range
    miss, loss = [], []
    for _, w, finite in iter_windows(stream, starts, length_s, cols, cfg.chunk_samples):
        miss.append(1.0 - finite.mean(axis=-1))
        outside = ((w < lo) | (w > hi)).mean(axis=-1) * tsi
        frozen = ms.longest_run(w) / fs >= cfg.nirs_flat_run_s
        loss.append(np.maximum(outside, frozen.astype(np.float32)))
    miss, loss = np.concatenate(miss), np.concatenate(loss)
    if cfg.enabled("missing"):
        yield "missing", cols, miss, miss > 0
    if cfg.enabled("signal_loss"):
        yield "signal_loss", cols, loss, loss > 0
