"""Fixtures of the feature tests: real recordings (skipped, not failed, when the download is
impossible) and event matching."""

from __future__ import annotations

import numpy as np
import pytest

from lbpnet.errors import ReaderError


def _opensignals(name: str, stream: str):
    """``(data (n,), fs)`` of the first channel of ``stream`` in a biosignalsnotebooks sample."""
    pytest.importorskip("h5py", reason="h5py (the datasets extra) is not installed")
    from lbpnet.datasets.biosignalsnotebooks import load_opensignals_sample
    try:
        rec = load_opensignals_sample(name)
    except ReaderError as exc:
        pytest.skip(f"biosignalsnotebooks==0.6.14 not available: {exc}")
    s = rec.streams[stream]
    return s.data[:, 0].astype(np.float64), float(s.sampling_rate)


_TABLES: dict = {}


def _pyphysio_column(name: str):
    """``(data (n,), fs)`` of one column of pyphysio==2.4.3's medical.txt.bz2 (read once)."""
    from lbpnet.datasets.pyphysio_samples import CHANNELS, SAMPLING_RATE, load_medical_table
    if "medical" not in _TABLES:
        try:
            _TABLES["medical"] = load_medical_table()
        except ReaderError as exc:
            pytest.skip(f"pyphysio==2.4.3 sample not available: {exc}")
    return _TABLES["medical"][:, CHANNELS.index(name)].copy(), SAMPLING_RATE


def _match_f1(found, reference, tolerance: float) -> float:
    """F1 of event times ``found`` vs ``reference``, one-to-one matches within ``tolerance``."""
    found, reference = np.sort(found), np.sort(reference)
    used = np.zeros(reference.size, bool)
    hits = 0
    for x in found:
        j = np.searchsorted(reference, x)
        near = [k for k in (j - 1, j) if 0 <= k < reference.size]
        for k in sorted(near, key=lambda k: abs(reference[k] - x)):
            if not used[k] and abs(reference[k] - x) <= tolerance:
                used[k] = True
                hits += 1
                break
    return 2.0 * hits / (found.size + reference.size) if found.size + reference.size else 1.0


@pytest.fixture
def opensignals():
    """``opensignals(name, stream) -> (data (n,), fs)``: a biosignalsnotebooks sample."""
    return _opensignals


@pytest.fixture
def pyphysio_column():
    """``pyphysio_column(name) -> (data (n,), fs)``: a column of pyphysio's medical sample."""
    return _pyphysio_column


@pytest.fixture
def match_f1():
    """``match_f1(found, reference, tolerance) -> F1`` of one-to-one event matches."""
    return _match_f1
