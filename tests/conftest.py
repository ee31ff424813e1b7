"""Fixtures shared by several test folders."""

import pytest


@pytest.fixture(scope="session")
def opensignals_names():
    """Names of the real biosignalsnotebooks==0.6.14 OpenSignals samples (fetched once);
    skips where h5py or the package cannot be had."""
    pytest.importorskip("h5py", reason="h5py (the datasets extra) is not installed")
    from lbpnet.datasets import biosignalsnotebooks as bsn
    from lbpnet.errors import ReaderError
    try:
        return bsn.list_opensignals_samples()
    except ReaderError as exc:
        pytest.skip(f"biosignalsnotebooks==0.6.14 could not be fetched: {exc}")
