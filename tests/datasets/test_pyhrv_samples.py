"""Real NN-interval series of pyhrv==0.5.0."""

from __future__ import annotations

import numpy as np
import pytest

from lbpnet.datasets.pyhrv_samples import load_nn_intervals
from lbpnet.errors import ReaderError


@pytest.mark.parametrize("which,n,minutes", [("long", 4684, 60.0), ("short", 337, 5.0)])
def test_series_have_the_documented_length(which, n, minutes):
    try:
        nn = load_nn_intervals(which)
    except ReaderError as exc:
        pytest.skip(f"pyhrv==0.5.0 could not be fetched: {exc}")
    assert nn.shape == (n,) and nn.dtype == np.float64
    assert nn.sum() / 60000 == pytest.approx(minutes, rel=0.01)


def test_errors_name_the_fix(tmp_path):
    with pytest.raises(ReaderError, match="long"):
        load_nn_intervals("medium")
    with pytest.raises(ReaderError, match="not cached"):
        load_nn_intervals("short", cache_dir=tmp_path, download=False)
    (tmp_path / "SampleNNISeriesShort.npy").write_bytes(b"garbage")
    with pytest.raises(ReaderError, match="npy"):
        load_nn_intervals("short", cache_dir=tmp_path, download=False)
