"""The recordings of a cohort folder: every native store (``*.lbp``) and Zarr store
(``*.zarr``) directly under it, keyed by folder name without the suffix."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lbpnet.errors import ConfigError

SUFFIXES = (".lbp", ".zarr")


def cohort_recordings(root) -> dict[str, str]:
    """Item key (folder stem) → path of each recording store under ``root``, sorted by key.

    Raises
    ------
    ConfigError
        ``root`` is not a folder, holds no store, or two stores share a stem.
    """
    folder = Path(root).expanduser()
    if not folder.is_dir():
        raise ConfigError(f"the cohort folder {folder} does not exist", field="data.root",
                          fix="point data.root at a folder of .lbp or .zarr recordings")
    found: dict[str, str] = {}
    for p in sorted(folder.iterdir()):
        if p.suffix in SUFFIXES and p.is_dir() and not p.name.startswith("."):
            if p.stem in found:
                raise ConfigError(f"two recordings are named {p.stem} ({found[p.stem]}, {p})",
                                  source=str(folder), field="data.root",
                                  fix="keep one backend per recording in a cohort folder")
            found[p.stem] = str(p)
    if not found:
        raise ConfigError(f"no .lbp or .zarr recording in {folder}", field="data.root",
                          fix="write recordings with lbpnet.recording.store or the simulator job")
    return found


def window_starts(recording, length_s: float, stride_s: float) -> np.ndarray:
    """Starts (s) of the ``length_s`` windows every ``stride_s`` while all streams have data.

    Returns
    -------
    ndarray of float, shape (W,)
    """
    t0, t1 = recording.start_time, recording.end_time
    n = int(np.floor((t1 - t0 - length_s) / stride_s + 1e-9)) + 1
    return t0 + stride_s * np.arange(max(n, 0), dtype=np.float64)
