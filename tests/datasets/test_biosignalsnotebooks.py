"""Real OpenSignals samples of biosignalsnotebooks==0.6.14: units, layout, errors."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("h5py", reason="h5py (the datasets extra) is not installed")

from lbpnet.datasets import biosignalsnotebooks as bsn  # noqa: E402
from lbpnet.errors import ReaderError  # noqa: E402


def test_transfer_functions_follow_the_plux_datasheets():
    # mid-scale is 0; full scale of a 16-bit EMG is +/- VCC / (2 G) = +/- 1.5 mV
    values, unit = bsn.to_physical(np.array([0, 32768, 65536]), "EMG", 16)
    assert unit == "mV"
    np.testing.assert_allclose(values, [-1.5, 0.0, 1.5])
    ecg, unit = bsn.to_physical(np.array([4096]), "ECG", 12)
    assert unit == "mV" and ecg[0] == pytest.approx(0.5 * 3 / 1100 * 1e3)
    eda, unit = bsn.to_physical(np.array([512]), "EDABITREV", 10)
    assert unit == "uS" and eda[0] == pytest.approx(0.5 * 3.3 / 0.132)
    acc, unit = bsn.to_physical(np.array([123]), "cACC", 16)
    assert unit == "a.u." and acc[0] == 123


def test_emg_bursts_is_read_in_millivolts(opensignals_names):
    assert "emg_bursts" in opensignals_names and "ecg_5_min" in opensignals_names
    rec = bsn.load_opensignals_sample("emg_bursts")
    emg = rec.streams["emg"]
    assert emg.sampling_rate == 1000.0 and emg.data.shape == (28519, 1)
    assert emg.units == ["mV"] and emg.channel_types == ["EMG"]
    assert np.abs(emg.data).max() <= 1.5  # the sensor's range
    assert rec.metadata["synthetic"] is False
    assert "Biceps" in rec.metadata["info"]["Observations"]


def test_two_device_file_keeps_both_rates(opensignals_names):
    rec = bsn.load_opensignals_sample("emg_1000_hz_16_bits")
    assert rec.streams["emg"].sampling_rate == 1000.0
    assert rec.streams["emg_dev2"].sampling_rate == 10.0


def test_unknown_and_corrupt_files_name_the_fix(opensignals_names, tmp_path):
    with pytest.raises(ReaderError, match="emg_bursts"):
        bsn.load_opensignals_sample("no_such_sample")
    bad = tmp_path / "broken.h5"
    bad.write_bytes(b"not an hdf5 file")
    with pytest.raises(ReaderError, match="HDF5"):
        bsn.load_opensignals_file(bad)
    with pytest.raises(ReaderError, match="not found"):
        bsn.load_opensignals_file(tmp_path / "missing.h5")


def test_offline_without_cache_is_a_clear_error(tmp_path):
    with pytest.raises(ReaderError, match="not cached"):
        bsn.list_opensignals_samples(cache_dir=tmp_path, download=False)
