"""GaitPy's real lower-back demo recording and its reference analysis (gaitpy==1.6.1 wheel)."""

from __future__ import annotations

import numpy as np
import pytest

from lbpnet.datasets.gaitpy_demo import DATA_FILE, FEATURES_FILE, load_gaitpy_demo
from lbpnet.errors import ReaderError


def test_demo_has_its_documented_shape_and_reference():
    try:
        d = load_gaitpy_demo()
    except ReaderError as exc:
        pytest.skip(f"gaitpy==1.6.1 could not be fetched: {exc}")
    assert d.acc.shape[0] == 3 and d.fs == 50.0
    assert d.acc.shape[1] / d.fs == pytest.approx(168, abs=1)
    assert np.median(np.linalg.norm(d.acc, axis=0)) == pytest.approx(1.0, abs=0.1)   # g
    assert d.bout_start_s.size == d.bout_end_s.size == d.bout_steps.size >= 1
    assert np.all(d.bout_end_s > d.bout_start_s)
    assert np.all((d.ic_s >= d.bout_start_s[0]) & (d.ic_s <= d.bout_end_s[-1]))
    assert np.all((d.bout_cadence > 60) & (d.bout_cadence < 160))


def test_missing_or_corrupt_cache_names_the_fix(tmp_path):
    with pytest.raises(ReaderError, match="not cached"):
        load_gaitpy_demo(cache_dir=tmp_path, download=False)
    (tmp_path / DATA_FILE).write_text("Device Type,GENEActiv\n2019-08-06 10:25:50:000,a,b,c,0,0,1\n")
    (tmp_path / FEATURES_FILE).write_text("bout_number\n1\n")
    with pytest.raises(ReaderError, match="sample rows"):
        load_gaitpy_demo(cache_dir=tmp_path, download=False)
