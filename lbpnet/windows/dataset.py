"""The torch ``Dataset`` over a window index, and the collate for multi-rate batches.

A sample is a dict::

    {"signals": {modality: float32 tensor (channels, time_m)},
     "label": int64 tensor (),
     "targets": float32 tensor (n_targets,)      (only with multi-label targets)
     "quality": float32 tensor ()   (1 good, 0 bad: :mod:`lbpnet.qc`; 1 without QC)
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
    """

    def __init__(self, recordings: list[Recording], index: WindowIndex,
                 modalities: Sequence[str] | None = None) -> None:
        self.recordings = recordings
        self.index = index
        common = [m for m in recordings[0].streams
                  if all(m in r.streams for r in recordings)] if recordings else []
        self.modalities = list(modalities) if modalities is not None else common
        for m in self.modalities:
            missing = [r for r in recordings if m not in r.streams]
            if missing:
                raise WindowError(
                    f"modality '{m}' is missing in {len(missing)} recording(s); available: "
                    f"{sorted(missing[0].streams)}", source=missing[0].source,
                    field="data.modalities", fix="choose modalities every recording has")
            names = recordings[0].streams[m].channel_names
            other = next((r for r in recordings if r.streams[m].channel_names != names), None)
            if other is not None:
                raise WindowError(
                    f"modality '{m}' has channels {other.streams[m].channel_names} here but "
                    f"{names} in {recordings[0].source}", source=other.source,
                    field=f"streams.{m}.channel_names",
                    fix="give every recording the same channels in the same order")
        self.samples = {m: self._samples_per_window(m) for m in self.modalities}

    def _samples_per_window(self, modality: str) -> int:
        rates = {float(r.streams[modality].sampling_rate) for r in self.recordings}
        if len(rates) > 1:
            raise WindowError(
                f"modality '{modality}' has several sampling rates {sorted(rates)}",
                field=f"streams.{modality}.sampling_rate",
                fix="resample to one rate before windowing")
        return int(round(self.index.length * rates.pop()))

    def channels(self) -> dict[str, int]:
        """Number of channels per modality."""
        return {m: self.recordings[0].streams[m].n_channels for m in self.modalities}

    def __len__(self) -> int:
        return len(self.index)

    def _slice(self, modality: str, rec: int, start: float) -> np.ndarray:
        stream = self.recordings[rec].streams[modality]
        n = self.samples[modality]
        s = min(max(stream.sample_at(start), 0), stream.n_samples - n)
        return stream.data[s:s + n]

    def __getitem__(self, i: int) -> dict:
        batch = self.__getitems__([int(i)])
        return {"signals": {m: x[0] for m, x in batch["signals"].items()},
                **{k: v[0] for k, v in batch.items() if k != "signals"}}

    def __getitems__(self, indices: Sequence[int]) -> dict:
        """A whole batch at once: ``signals[m]`` is (batch, channels, time_m)."""
        idx = np.asarray(indices, dtype=np.int64)
        recs, starts = self.index.recording[idx], self.index.start[idx]
        signals = {}
        for m in self.modalities:
            n = self.samples[m]
            first = self.recordings[0].streams[m]
            array = np.empty((len(idx), first.n_channels, n), dtype=np.float32)
            for b, (rec, start) in enumerate(zip(recs.tolist(), starts.tolist())):
                array[b] = self._slice(m, rec, start).T       # the only copy
            signals[m] = torch.from_numpy(array)
        out = {"signals": signals, "label": torch.from_numpy(self.index.label[idx].copy()),
               "recording": torch.from_numpy(recs.copy()),
               "start": torch.from_numpy(starts.astype(np.float64))}
        if self.index.targets is not None:
            out["targets"] = torch.from_numpy(self.index.targets[idx].copy())
        quality = self.index.quality
        out["quality"] = (torch.ones(len(idx), dtype=torch.float32) if quality is None
                          else torch.from_numpy(quality[idx].astype(np.float32)))
        return out


def collate_windows(batch: list[dict] | dict) -> dict:
    """Stack samples into a batch; a batch already built by ``__getitems__`` passes through."""
    if isinstance(batch, dict):
        return batch
    signals = {m: torch.stack([b["signals"][m] for b in batch]) for m in batch[0]["signals"]}
    out = {"signals": signals}
    for key in ("label", "recording", "start", "targets", "quality"):
        if key in batch[0]:
            out[key] = torch.stack([b[key] for b in batch])
    return out
