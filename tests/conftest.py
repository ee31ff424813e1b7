"""Fixtures shared by several test folders."""

import pytest


@pytest.fixture(autouse=True, scope="session")
def pseudonym_key_in_a_temporary_folder(tmp_path_factory):
    """Tests never create or read the user's own pseudonym key (~/.config/lbpnet)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LBPNET_PSEUDONYM_KEY_FILE",
                     str(tmp_path_factory.mktemp("pseudonym") / "pseudonym.key"))
        yield


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
