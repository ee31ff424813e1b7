"""Cohort job ``features``: a table of interpretable measures per epoch, one CSV per recording.

``<out>/<key>.features.csv`` has a row per epoch (``epoch_s`` long, back to back while every
stream has data): ``start_s`` and, per channel,

- EMG channels (type ``EMG``): ``emg_rms_<unit>/<stream>/<channel>``
  (:func:`lbpnet.features.rms`) and ``emg_median_freq_hz/<stream>/<channel>``
  (:func:`lbpnet.features.emg_spectral_frequencies`, ``band_hz``; empty where the epoch has no
  power in the band, e.g. a flat line, with the count in the summary);
- every other channel: ``mean_<unit>/...`` and ``sd_<unit>/...`` (sample SD).

Epochs are read in blocks of ``block_epochs`` so memory stays bounded however long the
recording.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lbpnet.atomic import atomic_write_text
from lbpnet.cohort.recordings import cohort_recordings, window_starts
from lbpnet.features import emg_spectral_frequencies, rms
from lbpnet.recording.store import read_recording


def _epochs(stream, starts: np.ndarray, epoch_s: float) -> np.ndarray:
    """(E, channels, n) float64 samples of the epochs ``starts`` of one stream."""
    fs = stream.sampling_rate
    n = int(round(epoch_s * fs))
    first = np.rint((starts - stream.start_time) * fs).astype(np.int64)
    lo, hi = int(first[0]), int(first[-1]) + n
    block = np.asarray(stream.data[lo:hi], dtype=np.float64)
    return np.stack([block[f - lo:f - lo + n].T for f in first])


@dataclass
class FeatureJob:
    """Per-epoch measures of every recording of a cohort.

    Parameters
    ----------
    epoch_s : float
        Epoch length (s).
    band_hz : (float, float)
        EMG band (Hz) of the median frequency.
    block_epochs : int
        Epochs read at once.
    """

    epoch_s: float = 10.0
    band_hz: tuple = (20.0, 450.0)
    block_epochs: int = 30
    name: str = "features"

    def items(self, root) -> dict[str, str]:
        """Recording key → store path (:func:`cohort_recordings`)."""
        return cohort_recordings(root)

    def output(self, out_dir, key: str) -> Path:
        """``<out_dir>/<key>.features.csv``."""
        return Path(out_dir) / f"{key}.features.csv"

    def is_done(self, path: Path) -> bool:
        """The CSV exists (it is only ever written whole)."""
        return Path(path).is_file()

    def table(self, recording) -> tuple[list[str], np.ndarray]:
        """Column names and the (E, columns) float64 table of one recording (NaN: masked)."""
        starts = window_starts(recording, self.epoch_s, self.epoch_s)
        names = ["start_s"]
        for sname, st in recording.streams.items():
            for c, ch in enumerate(st.channel_names):
                unit = st.units[c] if c < len(st.units) else ""
                if (st.channel_types[c] if c < len(st.channel_types) else "") == "EMG":
                    names += [f"emg_rms_{unit}/{sname}/{ch}", f"emg_median_freq_hz/{sname}/{ch}"]
                else:
                    names += [f"mean_{unit}/{sname}/{ch}", f"sd_{unit}/{sname}/{ch}"]
        rows = []
        for b in range(0, len(starts), self.block_epochs):
            s = starts[b:b + self.block_epochs]
            cols = [s[:, None]]
            for st in recording.streams.values():
                x = _epochs(st, s, self.epoch_s)                     # (E, C, n)
                emg = np.array([(st.channel_types[c] if c < len(st.channel_types) else "")
                                == "EMG" for c in range(x.shape[1])])
                out = np.full((len(s), x.shape[1], 2), np.nan)
                if emg.any():
                    out[:, emg, 0] = rms(x[:, emg])
                    freq = emg_spectral_frequencies(x[:, emg], st.sampling_rate,
                                                    tuple(self.band_hz), on_invalid="mask")
                    out[:, emg, 1] = np.ma.filled(np.ma.asarray(freq["median_frequency_hz"])
                                                  .astype(float), np.nan)
                if (~emg).any():
                    out[:, ~emg, 0] = x[:, ~emg].mean(axis=-1)
                    out[:, ~emg, 1] = x[:, ~emg].std(axis=-1, ddof=1)
                cols.append(out.reshape(len(s), -1))
            rows.append(np.concatenate(cols, axis=1))
        table = np.concatenate(rows) if rows else np.zeros((0, len(names)))
        return names, table

    def __call__(self, key: str, payload: str, path: Path) -> dict:
        """Measure one recording (store at ``payload``) and write its CSV to ``path``."""
        names, table = self.table(read_recording(payload))
        buf = io.StringIO()
        buf.write(",".join(names) + "\n")
        for row in table:
            buf.write(",".join("" if not np.isfinite(v) else repr(float(v)) for v in row) + "\n")
        atomic_write_text(path, buf.getvalue())
        return {"epochs": int(len(table)), "columns": len(names),
                "masked": int((~np.isfinite(table)).sum())}
