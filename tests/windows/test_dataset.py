import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from lbpnet.recording import Annotations, Recording, Stream
from lbpnet.recording.store import read_recording, write_recording
from lbpnet.windows import WindowDataset, collate_windows, make_windows


def test_each_modality_sliced_at_its_own_rate(recording):
    idx = make_windows([recording], 2.0, 1.0, classes=["sit", "stand"])
    ds = WindowDataset([recording], idx)
    sample = ds[1]                                   # window [1, 3) s
    emg, imu = sample["signals"]["emg"], sample["signals"]["imu"]
    assert emg.shape == (2, 400) and imu.shape == (3, 40)
    # samples encode their own time: the first sample of each modality is at t = 1 s
    assert emg[0, 0].item() == 1.0 and imu[0, 0].item() == 1.0
    assert abs(emg[0, -1].item() - (3.0 - 1 / 200)) < 1e-6
    assert sample["label"].item() == 0


def test_getitems_equals_getitem_and_loader_batches(recording):
    idx = make_windows([recording], 2.0, 1.0, classes=["sit", "stand"])
    ds = WindowDataset([recording], idx)
    batch = ds.__getitems__([0, 2, 4])
    for b, i in enumerate([0, 2, 4]):
        for m in ("emg", "imu"):
            torch.testing.assert_close(batch["signals"][m][b], ds[i]["signals"][m])
    loader = DataLoader(ds, batch_size=4, collate_fn=collate_windows)
    first = next(iter(loader))
    assert first["signals"]["emg"].shape == (4, 2, 400)
    assert first["signals"]["imu"].shape == (4, 3, 40)
    # the plain-list path of the collate gives the same batch
    listed = collate_windows([ds[i] for i in range(4)])
    torch.testing.assert_close(listed["signals"]["emg"], first["signals"]["emg"])


def test_store_backed_windows_equal_in_memory_windows(make_recording, tmp_path):
    rec = make_recording()
    stored = read_recording(write_recording(rec, tmp_path / "r.lbp"))
    idx = make_windows([rec], 2.0, 0.5, classes=["sit", "stand"])
    a = WindowDataset([rec], idx).__getitems__(np.arange(len(idx)))
    b = WindowDataset([stored], idx).__getitems__(np.arange(len(idx)))
    for m in ("emg", "imu"):
        torch.testing.assert_close(a["signals"][m], b["signals"][m])


def test_stream_start_offsets_align_modalities(make_recording):
    rec = make_recording()
    emg = rec.streams["emg"]
    emg.data = emg.data[100:]        # EMG starts 0.5 s later: its first sample is t = 0.5
    emg.start_time = 0.5
    idx = make_windows([rec], 2.0, 1.0, classes=["sit", "stand"], drop_unlabelled=False)
    assert idx.start[0] == 0.5
    s = WindowDataset([rec], idx)[0]
    # samples encode recording time: both modalities start the window at t = 0.5 s
    assert s["signals"]["emg"][0, 0].item() == 0.5
    assert s["signals"]["imu"][0, 0].item() == 0.5


def test_targets_travel_with_samples_and_batches(make_recording):
    rec = make_recording(labels=(("sit", 0.0, 10.0), ("strategy/guarding", 2.0, 5.0)))
    idx = make_windows([rec], 2.0, 1.0, classes=["sit"], targets=["strategy/guarding"])
    ds = WindowDataset([rec], idx)
    assert ds[2]["targets"].tolist() == [1.0]
    batch = ds.__getitems__([0, 2])
    assert batch["targets"].shape == (2, 1)
    assert collate_windows([ds[0], ds[2]])["targets"].tolist() == [[0.0], [1.0]]


def test_recordings_with_different_channels_are_refused(make_recording):
    import pytest

    from lbpnet.errors import WindowError
    a, b = make_recording(subject="01"), make_recording(subject="02")
    b.streams["imu"].channel_names = ["x", "z", "y"]
    b.source = "sub-02.lbp"
    idx = make_windows([a, b], 2.0, 1.0, classes=["sit", "stand"])
    with pytest.raises(WindowError, match=r"sub-02\.lbp.*\['x', 'z', 'y'\] here but \['x', 'y', 'z'\]"):
        WindowDataset([a, b], idx)


def test_batches_carry_quality(recording):
    idx = make_windows([recording], 2.0, 1.0, classes=["sit", "stand"], label_policy="pure")
    plain = WindowDataset([recording], idx).__getitems__([0, 1])
    assert plain["quality"].dtype == torch.float32 and plain["quality"].tolist() == [1.0, 1.0]
    q = np.array([1.0, 0.0, 1.0, 0.0], np.float32)
    ds = WindowDataset([recording], idx.with_quality(q))
    assert ds.__getitems__([1, 2])["quality"].tolist() == [0.0, 1.0]
    assert ds[3]["quality"].item() == 0.0
    assert collate_windows([ds[0], ds[1]])["quality"].tolist() == [1.0, 0.0]


@pytest.mark.parametrize("dtype,scale", [("int16", 100.0), ("int32", 1e6)])
def test_integer_streams_give_the_windows_of_their_physical_values(dtype, scale):
    """The counts path of __getitems__ equals slicing the ScaledArray (SYNTHETIC noise)."""
    from lbpnet.recording.scaled import quantise
    x = np.random.default_rng(4).standard_normal((6000, 3)) * scale
    rec = Recording({"emg": Stream("emg", quantise(x, dtype), 1000.0, ["a", "b", "c"],
                                   ["EMG"] * 3, ["uV"] * 3)},
                    Annotations([0.0], [6.0], ["lift"]), subject="1", metadata={"synthetic": True})
    ds = WindowDataset([rec], make_windows([rec], 1.0, 0.3, classes=["lift"]))
    batch = ds.__getitems__(list(range(len(ds))))["signals"]["emg"].numpy()
    data = rec.streams["emg"].data
    for b, start in enumerate(ds.index.start):
        s = int(round(start * 1000))
        assert np.array_equal(batch[b], data[s:s + 1000].T)
