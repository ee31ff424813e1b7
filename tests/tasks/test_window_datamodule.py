"""Parallel loading of the window data module: workers > 0 give the batches of 0 workers,
with memory-mapped and Zarr stores and both samplers. SYNTHETIC recordings."""

from functools import partial

import numpy as np
import pytest
import torch

pytest.importorskip("zarr")

from lbpnet.errors import ConfigError
from lbpnet.recording.store import read_recording, write_recording
from lbpnet.tasks.window_datamodule import WindowDataModule
from lbpnet.windows.splits import subject_holdout
from lbpnet.windows.samplers import RecordingLocalSampler
from tests.windows.test_workers import synthetic


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    root = tmp_path_factory.mktemp("stores")
    out = {}
    for suffix in (".lbp", ".zarr"):
        out[suffix] = [write_recording(synthetic(s), root / f"{s}{suffix}") for s in "1234"]
    return out


def batches(paths, workers, sampler="random", context=None, epochs=1):
    dm = WindowDataModule(lambda: [read_recording(p) for p in paths], classes=["walk"],
                          split=partial(subject_holdout, test_subjects=["4"], val_subjects=["3"]),
                          length_s=2.0, stride_s=1.5, batch_size=16, num_workers=workers,
                          seed=11, sampler=sampler, sampler_chunk_s=10.0,
                          multiprocessing_context=context, pin_memory=False)
    dm.setup("fit")
    loader = dm.train_dataloader()
    out = [[(b["recording"].clone(), b["start"].clone(), b["signals"]["emg"].clone())
            for b in loader] for _ in range(epochs)]
    return out, loader


def same(a, b):
    assert len(a) == len(b) and len(a[0]) > 3
    for ea, eb in zip(a, b):
        for x, y in zip(ea, eb):
            assert all(torch.equal(u, v) for u, v in zip(x, y))


@pytest.mark.parametrize("suffix", [".lbp", ".zarr"])
@pytest.mark.parametrize("sampler", ["random", "recording_local"])
def test_two_workers_give_the_batches_of_none(stores, suffix, sampler):
    serial, loader0 = batches(stores[suffix], 0, sampler, epochs=2)
    parallel, loader = batches(stores[suffix], 2, sampler, epochs=2)
    same(serial, parallel)
    assert loader.persistent_workers and loader.num_workers == 2
    assert serial[0][0][0].tolist() != serial[1][0][0].tolist() or \
        not torch.equal(serial[0][0][1], serial[1][0][1])        # epochs differ
    if sampler == "recording_local":
        assert isinstance(loader0.sampler, RecordingLocalSampler)


def test_spawned_workers_give_the_same_batches(stores):
    serial, _ = batches(stores[".zarr"], 0, "recording_local")
    spawned, _ = batches(stores[".zarr"], 1, "recording_local", context="spawn")
    same(serial, spawned)


def test_unknown_sampler_is_refused():
    with pytest.raises(ConfigError, match="sampler"):
        WindowDataModule([], classes=None, split=None, sampler="shards")
