"""The torch ``Dataset`` over a window index, and the collate for multi-rate batches.

A sample is a dict::

    {"signals": {modality: float32 tensor (channels, time_m)},
     "label": int64 tensor (),
     "targets": float32 tensor (n_targets,)      (only with multi-label targets)
     "quality": float32 tensor ()   (1 good, 0 bad: :mod:`lbpnet.qc`; 1 without QC)
     "present": {modality: bool tensor ()}   (only with missing_modalities="mask")
     "recording": int64 tensor (), "start": float64 tensor () (s)}

where ``time_m = round(length_s * rate_m)`` differs per modality. A batch has the
same keys with a leading batch dimension: ``signals[m]`` is
``(batch, channels, time_m)``.

Reading a window slices the stream arrays (memory-mapped from the native store
or in RAM); the only copy is the one into the batch tensor. The dataset also
implements ``__getitems__`` so a ``DataLoader`` fetches a whole batch in one
call, stacking straight into the batch array.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from torch.utils.data import Dataset

from lbpnet.errors import WindowError
from lbpnet.recording.recording import Recording
from lbpnet.recording.scaled import ScaledArray
from lbpnet.windows.index import WindowIndex


class WindowDataset(Dataset):
    """Windows of ``recordings`` listed by ``index``.

    Parameters
    ----------
    recordings : list of Recording
    index : WindowIndex
    modalities : list of str, optional
        Streams to read (default: those every recording has, in the first
        recording's order).
    missing_modalities : {"error", "mask"}
        A recording that lacks one of ``modalities``: refuse it (``"error"``), or
        give its windows zeros for that modality and ``batch["present"][m] = False``
        (``"mask"``; models with ``missing_modalities=mask`` then ignore them).
    filters : dict of str to BatchFilter, optional
        Filters run per batch (:mod:`lbpnet.preprocess.on_device`): the windows of such a
        modality are read with ``filter.context`` extra samples on each side (context
        running off the recording repeats its edge sample), filtered, and cut back to the
        window. ``__getitems__(indices)`` does this on the CPU, so every reader of the
        dataset gets filtered windows; ``__getitems__(indices, raw=True)`` (the training
        loaders, :class:`RawWindows`) returns ``(batch, channels, context + time_m +
        context)`` unfiltered plus ``batch["context"] = {modality: samples}``, for the
        data module to filter after the batch is on the GPU.
    """

    def __init__(self, recordings: list[Recording], index: WindowIndex,
                 modalities: Sequence[str] | None = None,
                 missing_modalities: str = "error", filters: dict | None = None) -> None:
        if missing_modalities not in ("error", "mask"):
            raise WindowError(f"unknown missing_modalities '{missing_modalities}'",
                              field="data.module.missing_modalities", fix="use error or mask")
        self.recordings = recordings
        self.index = index
        self.mask_missing = missing_modalities == "mask"
        common = [m for m in recordings[0].streams
                  if all(m in r.streams for r in recordings)] if recordings else []
        self.modalities = list(modalities) if modalities is not None else common
        self.first = {}        # modality -> the first recording that has it (channels, rate)
        for m in self.modalities:
            having = [r for r in recordings if m in r.streams]
            missing = [r for r in recordings if m not in r.streams]
            if missing and (not self.mask_missing or not having):
                raise WindowError(
                    f"modality '{m}' is missing in {len(missing)} recording(s); available: "
                    f"{sorted(missing[0].streams)}", source=missing[0].source,
                    field="data.modalities",
                    fix="choose modalities every recording has, or set "
                        "data.module.missing_modalities=mask (at least one recording must "
                        "have it)")
            self.first[m] = having[0]
            names = having[0].streams[m].channel_names
            other = next((r for r in having if r.streams[m].channel_names != names), None)
            if other is not None:
                raise WindowError(
                    f"modality '{m}' has channels {other.streams[m].channel_names} here but "
                    f"{names} in {having[0].source}", source=other.source,
                    field=f"streams.{m}.channel_names",
                    fix="give every recording the same channels in the same order")
        self.has = {m: np.array([m in r.streams for r in recordings], dtype=bool)
                    for m in self.modalities}
        self.samples = {m: self._samples_per_window(m) for m in self.modalities}
        self.filters = dict(filters or {})
        self.context = {m: int(f.context) for m, f in self.filters.items() if int(f.context) > 0}

    def _samples_per_window(self, modality: str) -> int:
        rates = {float(r.streams[modality].sampling_rate) for r in self.recordings
                 if modality in r.streams}
        if len(rates) > 1:
            raise WindowError(
                f"modality '{modality}' has several sampling rates {sorted(rates)}",
                field=f"streams.{modality}.sampling_rate",
                fix="resample to one rate before windowing")
        return int(round(self.index.length * rates.pop()))

    def channels(self) -> dict[str, int]:
        """Number of channels per modality."""
        return {m: self.first[m].streams[m].n_channels for m in self.modalities}

    def __len__(self) -> int:
        return len(self.index)

    def _slice(self, modality: str, rec: int, start: float) -> np.ndarray:
        stream = self.recordings[rec].streams[modality]
        n = self.samples[modality]
        s = min(max(stream.sample_at(start), 0), stream.n_samples - n)
        c = self.context.get(modality, 0)
        if not c:
            return stream.data[s:s + n]
        lo, hi = max(s - c, 0), min(s + n + c, stream.n_samples)
        part = np.asarray(stream.data[lo:hi])
        if lo == s - c and hi == s + n + c:
            return part
        return np.pad(part, ((lo - (s - c), s + n + c - hi), (0, 0)), mode="edge")

    def _counts_into(self, out: np.ndarray, data: ScaledArray, modality: str, rec: int,
                     start: float) -> None:
        """Integer counts straight into ``out`` (channels, time) as physical float32: the
        same float32 operations as ``ScaledArray.__getitem__`` (bit-equal), one copy less."""
        stream = self.recordings[rec].streams[modality]
        n = self.samples[modality]
        s = min(max(stream.sample_at(start), 0), stream.n_samples - n)
        np.multiply(np.asarray(data.raw[s:s + n]).T, data._gain32[:, None], out=out,
                    dtype=np.float32)             # int32 * float32 would promote to float64
        out += data._offset32[:, None]

    def __getitem__(self, i: int) -> dict:
        batch = self.__getitems__([int(i)])
        return {k: ({m: x[0] for m, x in v.items()} if isinstance(v, dict) else v[0])
                for k, v in batch.items()}

    def __getitems__(self, indices: Sequence[int], raw: bool = False) -> dict:
        """A whole batch at once: ``signals[m]`` is (batch, channels, time_m); with ``raw``
        the filtered modalities are unfiltered, with context (see ``filters``)."""
        idx = np.asarray(indices, dtype=np.int64)
        recs, starts = self.index.recording[idx], self.index.start[idx]
        signals, present = {}, {}
        for m in self.modalities:
            n = self.samples[m] + 2 * self.context.get(m, 0)
            first = self.first[m].streams[m]
            array = np.empty((len(idx), first.n_channels, n), dtype=np.float32)
            has = self.has[m][recs]
            for b, (rec, start) in enumerate(zip(recs.tolist(), starts.tolist())):
                data = self.recordings[rec].streams[m].data if has[b] else None
                if isinstance(data, ScaledArray) and m not in self.context:
                    self._counts_into(array[b], data, m, rec, start)
                elif has[b]:
                    array[b] = self._slice(m, rec, start).T   # the only copy
                else:
                    array[b] = 0.0                            # absent: masked by the model
            signals[m] = torch.from_numpy(array)
            present[m] = torch.from_numpy(has)           # fancy indexing made a copy
        # fancy indexing (label[idx], recording[idx], targets[idx]) already copies
        out = {"signals": signals, "label": torch.from_numpy(self.index.label[idx]),
               "recording": torch.from_numpy(recs),
               "start": torch.from_numpy(starts.astype(np.float64))}
        if self.index.targets is not None:
            out["targets"] = torch.from_numpy(self.index.targets[idx])
        if self.mask_missing:
            out["present"] = present
        quality = self.index.quality
        out["quality"] = (torch.ones(len(idx), dtype=torch.float32) if quality is None
                          else torch.from_numpy(quality[idx].astype(np.float32)))
        if raw and self.filters:
            out["context"] = {m: int(f.context) for m, f in self.filters.items()}
        else:
            for m, f in self.filters.items():
                signals[m] = f(signals[m])
        return out


class RawWindows(Dataset):
    """The windows of a :class:`WindowDataset` unfiltered, with context (``raw=True``):
    what the training loaders read when filters run on the device."""

    def __init__(self, dataset: WindowDataset) -> None:
        self.dataset = dataset

    @property
    def recordings(self) -> list[Recording]:
        """The recordings of the wrapped dataset (reopened by each loader worker)."""
        return self.dataset.recordings

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, i: int) -> dict:
        batch = self.__getitems__([int(i)])
        context = batch.pop("context")
        one = {k: ({m: x[0] for m, x in v.items()} if isinstance(v, dict) else v[0])
               for k, v in batch.items()}
        return {**one, "context": context}

    def __getitems__(self, indices: Sequence[int]) -> dict:
        """``WindowDataset.__getitems__(indices, raw=True)``."""
        return self.dataset.__getitems__(indices, raw=True)


def collate_windows(batch: list[dict] | dict) -> dict:
    """Stack samples into a batch; a batch already built by ``__getitems__`` passes through."""
    if isinstance(batch, dict):
        return batch
    signals = {m: torch.stack([b["signals"][m] for b in batch]) for m in batch[0]["signals"]}
    out = {"signals": signals}
    for key in ("label", "recording", "start", "targets", "quality"):
        if key in batch[0]:
            out[key] = torch.stack([b[key] for b in batch])
    if "present" in batch[0]:
        out["present"] = {m: torch.stack([b["present"][m] for b in batch])
                          for m in batch[0]["present"]}
    if "context" in batch[0]:               # raw windows to be filtered on the device
        out["context"] = dict(batch[0]["context"])
    return out
