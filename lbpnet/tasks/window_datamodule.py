"""A LightningDataModule: recordings → window index → subject-wise split → loaders."""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, RandomSampler

from lbpnet.errors import ConfigError
from lbpnet.qc.quality import POLICIES as QC_POLICIES
from lbpnet.recording.recording import Recording
from lbpnet.tasks.recording_source import read_source, transformed
from lbpnet.tasks.rng_state import ShuffleState
from lbpnet.windows.dataset import RawWindows, WindowDataset, collate_windows
from lbpnet.windows.index import WindowIndex, make_windows
from lbpnet.windows.samplers import (DistributedRecordingLocalSampler, PersistentWorkerSampler,
                                     RecordingLocalSampler)
from lbpnet.windows.workers import open_in_worker
from lbpnet.windows.splits import SIDES, Split

SAMPLERS = ("random", "recording_local")


class WindowDataModule(ShuffleState, pl.LightningDataModule):
    """Windows of labelled recordings, split by subject (or session).

    Parameters
    ----------
    source : callable returning list of Recording, or a list
        E.g. ``functools.partial(load_hapt, root=None)`` (Hydra: ``_partial_: true``).
    classes : list of str, optional
        Label set in class-index order; must match the annotation labels.
        ``None``: every label found, sorted.
    split : callable
        ``split(recordings) -> Split`` (a partial of a splitter in
        :mod:`lbpnet.windows.splits`).
    length_s, stride_s : float
        Window length and stride (s).
    label_policy, anchor, min_fraction
        See :func:`lbpnet.windows.index.make_windows`.
    modalities : list of str, optional
        Streams to use (default: all that every recording has).
    missing_modalities : {"error", "mask"}
        A recording lacking one of ``modalities``: an error, or zeros plus
        ``batch["present"][m] = False`` for its windows (list ``modalities``, and use
        a model with ``missing_modalities: mask``).
    targets : list of str, optional
        Multi-label targets scored per window (e.g. movement strategies); see
        :func:`lbpnet.windows.index.make_windows`.
    target_min_fraction : float
        Least covered fraction of a window for a positive target.
    transforms : list of callables, optional
        ``transform(recording) -> recording``, applied in order after loading
        (e.g. :class:`lbpnet.preprocess.GravitySplit`). A
        :class:`~lbpnet.preprocess.StreamFilter` with ``on_device=True`` is not applied
        to the recordings: its stream's windows are read raw with context and filtered
        per batch on the training device (:meth:`on_after_batch_transfer`,
        :mod:`lbpnet.preprocess.on_device`); every other reader of ``datasets[side]``
        (explanations, reports) gets the same filters applied on the CPU.
    batch_size, num_workers : int
    sampler : {"random", "recording_local"}
        Order of the training windows: a full shuffle, or recording-local
        (:mod:`lbpnet.windows.samplers`: recordings shuffled, then windows within buffers
        of ``sampler_buffer_chunks`` chunks of ``sampler_chunk_s`` s, for cold storage).
        Under DDP (``trainer.world_size > 1``) the recording-local sampler splits each
        epoch across ranks; use ``Trainer(use_distributed_sampler=False)`` to keep it.
    sampler_chunk_s, sampler_buffer_chunks : float, int
    persistent_workers : bool, optional
        Keep workers between epochs (default: whenever ``num_workers > 0``).
    pin_memory : bool, optional
        Page-locked batches for fast copies to a GPU (default: when the trainer runs on
        CUDA, or without a trainer when CUDA is available).
    multiprocessing_context : {"fork", "spawn", "forkserver"}, optional
        How workers start (default: the platform's). Each worker reopens its stores
        (:func:`lbpnet.windows.workers.open_in_worker`); nothing large is pickled.
    quality : lbpnet.qc.QualityControl, optional
        Signal quality control over the windows (``None``: none), run on the recordings
        as read (before ``transforms``) over the streams in ``modalities``. Its ``policy``
        says what bad windows become: ``"exclude"`` removes them from every side
        and counts them in :meth:`split_summary`; ``"mask_loss"`` keeps them with
        ``batch["quality"] = 0`` so the task can mask their loss.
    """

    def __init__(self, source: Callable[[], list[Recording]] | list[Recording],
                 classes: Sequence[str] | None, split: Callable[[list[Recording]], Split],
                 length_s: float = 2.0, stride_s: float = 1.0, label_policy: str = "majority",
                 anchor: str = "recording", min_fraction: float = 0.5,
                 modalities: Sequence[str] | None = None, batch_size: int = 64,
                 num_workers: int = 0, stats_windows: int = 4096, seed: int = 0,
                 targets: Sequence[str] | None = None, target_min_fraction: float = 0.5,
                 transforms: Sequence[Callable[[Recording], Recording]] = (),
                 quality=None, missing_modalities: str = "error", sampler: str = "random",
                 sampler_chunk_s: float = 60.0, sampler_buffer_chunks: int = 8,
                 persistent_workers: bool | None = None, pin_memory: bool | None = None,
                 multiprocessing_context: str | None = None) -> None:
        super().__init__()
        if sampler not in SAMPLERS:
            raise ConfigError(f"unknown sampler {sampler!r}", field="data.module.sampler",
                              fix=f"use one of {', '.join(SAMPLERS)}")
        self.sampler, self.sampler_chunk_s = sampler, float(sampler_chunk_s)
        self.sampler_buffer_chunks = int(sampler_buffer_chunks)
        self.persistent_workers, self.pin_memory = persistent_workers, pin_memory
        self.multiprocessing_context = multiprocessing_context
        self.missing_modalities = missing_modalities
        self.source = source
        self.classes = [str(c) for c in classes] if classes is not None else None
        self.split_fn = split
        self.window_args = dict(length=float(length_s), stride=float(stride_s),
                                label_policy=label_policy, anchor=anchor,
                                min_fraction=min_fraction,
                                targets=list(targets) if targets else None,
                                target_min_fraction=target_min_fraction)
        self.targets = [str(t) for t in targets] if targets else None
        self.modalities = list(modalities) if modalities is not None else None
        self.batch_size, self.num_workers = int(batch_size), int(num_workers)
        self.stats_windows, self.seed = int(stats_windows), int(seed)
        self.transforms = list(transforms or ())
        self.quality = quality
        if quality is not None and getattr(quality, "policy", None) not in QC_POLICIES:
            raise ConfigError(f"unknown quality policy {getattr(quality, 'policy', None)!r}",
                              field="qc.policy", fix=f"use one of {', '.join(QC_POLICIES)}")
        self.excluded: dict[str, int] = {}
        self.quality_table: list[dict] = []
        self.recordings: list[Recording] | None = None
        self.datasets: dict[str, WindowDataset] = {}
        self.split: Split | None = None
        self.device_filters: dict = {}

    def setup(self, stage: str | None = None) -> None:
        """Read the source once, score quality, apply the transforms, cut the windows and split
        them by subject into the sides' datasets.
        """
        if self.datasets:
            return
        raw = read_source(self.source)   # QC scores the recordings as read, before transforms
        on_device = [f for f in self.transforms if getattr(f, "on_device", False)]
        recs = self.recordings = transformed(raw, [f for f in self.transforms
                                                   if not getattr(f, "on_device", False)])
        self.device_filters = device_filters(on_device, self.transforms, recs)
        found = sorted({lab for r in recs for lab in r.annotations.labels()})
        if self.classes is None:
            self.classes = found
        unknown = [c for c in self.classes if c not in found]
        if unknown:
            raise ConfigError(f"classes {unknown} never occur in the annotations; labels found: "
                              f"{found}", field="data.classes",
                              fix="spell the classes as the annotations do")
        index = make_windows(recs, classes=self.classes, **self.window_args)
        if self.quality is not None:
            # each recording is scored on the listed streams it has (missing_modalities=mask)
            index, self.quality_table = self.quality.apply(raw, index, self.modalities)
        self.split = self.split_fn(recs)
        for side in SIDES:
            keep = np.isin(index.recording, self.split.side(side))
            if self.quality is not None and self.quality.policy == "exclude":
                self.excluded[side] = int((keep & ~index.good()).sum())
                keep &= index.good()
            if keep.any():
                self.datasets[side] = WindowDataset(
                    recs, index.subset(keep), self.modalities, self.missing_modalities,
                    filters=self.device_filters)
        if "train" not in self.datasets:
            raise ConfigError("no training windows after the split", field="split",
                              fix="leave subjects with labelled windows on the training side")
        if self.targets:
            missing = [t for t in self.targets if t not in found]
            if missing:
                raise ConfigError(f"targets {missing} never occur in the annotations; labels "
                                  f"found: {found}", field="data.module.targets",
                                  fix="spell the targets as the annotations do")
        counts = self.datasets["train"].index.class_counts()
        if (counts == 0).any():
            absent = [c for c, n in zip(self.classes, counts) if n == 0]
            raise ConfigError(f"classes {absent} have no training windows", field="data.classes",
                              fix="drop them from data.classes or change the split")

    def split_summary(self) -> dict:
        """Per side: recordings, windows kept, windows QC flagged, windows QC excluded.

        ``windows_flagged`` counts kept windows with quality 0 (policy ``mask_loss``);
        ``windows_excluded`` counts windows removed (policy ``exclude``); both are 0
        without QC. Nothing is dropped without being counted here.
        """
        out = {"qc_policy": None if self.quality is None else self.quality.policy}
        for side in SIDES:
            if self.split is None:
                break
            ds = self.datasets.get(side)
            n_kept = len(ds) if ds is not None else 0
            flagged = int((~ds.index.good()).sum()) if ds is not None else 0
            out[side] = {"recordings": len(self.split.side(side)), "windows": n_kept,
                         "windows_flagged": flagged,
                         "windows_excluded": int(self.excluded.get(side, 0))}
        return out

    @property
    def output_names(self) -> list[str]:
        """What the model predicts: the targets (multi-label) or else the classes."""
        return list(self.targets) if self.targets else list(self.classes)

    def index(self, side: str) -> WindowIndex:
        """The window index of ``side`` (``train``, ``val`` or ``test``)."""
        return self.datasets[side].index

    def channels(self) -> dict[str, int]:
        """Channels per modality of the training windows."""
        return self.datasets["train"].channels()

    def class_weights(self) -> torch.Tensor:
        """Inverse-frequency weights from training windows, mean 1, shape (n_classes,)."""
        counts = torch.as_tensor(self.datasets["train"].index.class_counts(), dtype=torch.float32)
        w = counts.sum() / (len(counts) * counts.clamp_min(1))
        return w / w.mean()

    def channel_stats(self) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
        """Per-channel mean and std of each modality over (a sample of) training windows."""
        ds = self.datasets["train"]
        rng = np.random.default_rng(self.seed)
        pick = rng.permutation(len(ds))[: self.stats_windows]
        batch = ds.__getitems__(np.sort(pick))      # on-device filters applied (on the CPU)
        present = batch.get("present", {})
        stats = {}
        for m, x in batch["signals"].items():
            if m in present and present[m].any():
                x = x[present[m]]            # absent windows are zeros, not data
            stats[m] = (x.mean(dim=(0, 2)), x.std(dim=(0, 2)))
        return stats

    def device_transform(self, batch: dict) -> dict:
        """Filter the raw streams of a loader's ``batch`` (on its device) and cut their
        context: ``signals[m]`` (batch, channels, 2 context + time) -> (batch, channels,
        time) for each modality in ``batch["context"]`` (removed); a batch without it
        (already filtered by the dataset) is returned as it is."""
        context = batch.pop("context", None) if isinstance(batch, dict) else None
        for m in context or {}:
            batch["signals"][m] = self.device_filters[m](batch["signals"][m])
        return batch

    def on_after_batch_transfer(self, batch, dataloader_idx: int):
        """Lightning's hook, after the batch is on the device: :meth:`device_transform`."""
        return self.device_transform(batch)

    def _loader(self, side: str, shuffle: bool) -> DataLoader:
        if side not in self.datasets:
            raise ConfigError(f"the split has no {side} recordings", field="split",
                              fix=f"give the split a {side} side")
        # training: the shuffle generator a checkpoint saves and restores (exact resume)
        g = (self.shuffle_generator() if shuffle
             else torch.Generator().manual_seed(self.seed))
        windows = self.datasets[side]
        sampler = self._sampler(windows, g) if shuffle else None
        dataset = RawWindows(windows) if windows.filters else windows   # filtered on device
        workers = self.num_workers > 0
        persistent = workers if self.persistent_workers is None else \
            bool(self.persistent_workers) and workers
        if shuffle and persistent and not isinstance(sampler, DistributedRecordingLocalSampler):
            # epochs equal to num_workers=0 (see PersistentWorkerSampler)
            sampler = PersistentWorkerSampler(sampler or RandomSampler(dataset, generator=g), g)
        return DataLoader(dataset, batch_size=self.batch_size,
                          shuffle=shuffle and sampler is None, sampler=sampler,
                          num_workers=self.num_workers, collate_fn=collate_windows,
                          generator=g, persistent_workers=persistent,
                          pin_memory=self._pin_memory(),
                          worker_init_fn=open_in_worker if workers else None,
                          multiprocessing_context=self.multiprocessing_context if workers
                          else None,
                          drop_last=shuffle and len(dataset) > self.batch_size)

    def _sampler(self, dataset: WindowDataset, generator: torch.Generator):
        """The training sampler: None (DataLoader's random shuffle) or recording-local."""
        if self.sampler == "random":
            return None
        trainer = getattr(self, "trainer", None)
        world = int(getattr(trainer, "world_size", 1) or 1)
        if world > 1:
            return DistributedRecordingLocalSampler(
                dataset.index, world, int(trainer.global_rank), self.seed,
                self.sampler_chunk_s, self.sampler_buffer_chunks)
        return RecordingLocalSampler(dataset.index, self.sampler_chunk_s,
                                     self.sampler_buffer_chunks, generator=generator)

    def _pin_memory(self) -> bool:
        if self.pin_memory is not None:
            return bool(self.pin_memory)
        trainer = getattr(self, "trainer", None)
        if trainer is not None:
            return getattr(trainer.strategy.root_device, "type", "cpu") == "cuda"
        return torch.cuda.is_available()

    def train_dataloader(self) -> DataLoader:
        """Loader of the training windows, shuffled by the configured sampler."""
        return self._loader("train", True)

    def val_dataloader(self) -> DataLoader | list:
        """Validation windows; none (``[]``, validation skipped) when the split has no
        validation side, e.g. a final fit on all training subjects."""
        return self._loader("val", False) if "val" in self.datasets else []

    def test_dataloader(self) -> DataLoader:
        """Loader of the test windows."""
        return self._loader("test", False)


def device_filters(on_device: list, transforms: list, recs: list[Recording]) -> dict:
    """``{stream: BatchFilter}`` of the on-device stream filters, at each stream's rate.

    Raises
    ------
    ConfigError
        A stream no recording has, several rates, or a later recording transform of the
        same stream (it would run before the filter instead of after it).
    """
    out = {}
    for f in on_device:
        later = [t for t in transforms[transforms.index(f) + 1:]
                 if not getattr(t, "on_device", False) and getattr(t, "stream", None) == f.stream]
        rates = {float(r.streams[f.stream].sampling_rate) for r in recs if f.stream in r.streams}
        if later or len(rates) != 1 or f.stream in out:
            raise ConfigError(f"stream '{f.stream}' cannot be filtered on the device (rates "
                              f"{sorted(rates)}, {len(later)} later transform(s) of it)",
                              field="preprocess.on_device",
                              fix="one on-device filter per stream, after its other "
                                  "transforms, on a stream with one rate; or on_device: false")
        out[f.stream] = f.batch_filter(rates.pop())
    return out
