"""A tiny SYNTHETIC cohort (2 patients x 2 sessions, 2 EMG channels at 1 kHz), written once."""

import pytest

SMALL = dict(n_patients=2, n_sessions=2, seed=1,
             params=dict(emg_rate=1000.0, emg_channels=["erector_spinae_l3_left",
                                                       "erector_spinae_l3_right"],
                         artefact_rate=0.3, novel_rate=0.0))


@pytest.fixture(scope="session")
def simulator_params():
    """The SimulateJob parameters of ``small_cohort``."""
    return SMALL


@pytest.fixture(scope="session")
def small_cohort(tmp_path_factory):
    """Folder of 4 SYNTHETIC ``.lbp`` recordings written by the serial path."""
    from lbpnet.cohort import SimulateJob, run_cohort
    root = tmp_path_factory.mktemp("cohort") / "recordings"
    report = run_cohort(SimulateJob(**SMALL), None, root, address="serial")
    assert report.ok and len(report.done) == 4
    return root


@pytest.fixture
def broken_cohort(small_cohort, tmp_path):
    """A copy of ``small_cohort`` plus ``sub-P009_ses-1.lbp``, a store whose header is not
    JSON (reading it raises ReaderError)."""
    import shutil
    root = tmp_path / "broken_cohort"
    shutil.copytree(small_cohort, root)
    bad = root / "sub-P009_ses-1.lbp"
    bad.mkdir()
    (bad / "recording.json").write_text("{ not json")
    return root
