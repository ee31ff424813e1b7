"""Real lower-back walking with a reference gait analysis: the demo of ``gaitpy==1.6.1``.

GaitPy (Czech & Patel, "GaitPy: an open-source Python package for gait analysis using an
accelerometer on the lower back", *J. Open Source Softw.* 4:1778, 2019; MIT licence) ships
in its PyPI wheel ``gaitpy/demo/demo_data.csv``: a GENEActiv accelerometer worn on the lower
back ("Device Location Code: back"), 3 axes in g at 50 Hz, about 168 s of one adult
standing and walking; and ``gaitpy/demo/demo_gait_features.csv``: GaitPy's own output on
that file, i.e. the reference: three gait bouts (3-s windows classified as gait by its
gradient-boosting model, concatenated), and per gait cycle the initial contact (IC) time,
the bout's ``steps`` (the ICs kept by its IC/FC optimisation) and a per-step cadence
(60 / step duration). ICs come from the continuous wavelet transform of the vertical
acceleration (McCamley et al., *Gait Posture* 36:316-318, 2012).

The wheel is fetched with ``pip download --no-deps`` (GaitPy pins 2017-era numpy/pandas
and is never installed nor imported) and only the two CSV files are extracted into
``$LBPNET_CACHE/gaitpy`` with :func:`lbpnet.datasets.pypi_files.fetch_package_files`.
Dates are dropped: every time is seconds from the first sample.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

import numpy as np

from lbpnet.datasets.cache import cache_root
from lbpnet.datasets.pypi_files import fetch_package_files
from lbpnet.errors import ReaderError

PACKAGE = "gaitpy"
VERSION = "1.6.1"
SAMPLING_RATE = 50.0
DATA_FILE, FEATURES_FILE = "demo_data.csv", "demo_gait_features.csv"


@dataclass(frozen=True)
class GaitPyDemo:
    """The demo recording and GaitPy's reference analysis of it.

    Times are on the sample clock: sample ``k`` is at ``k / fs`` s (the file has one
    0.52 s gap between two samples, which the sample clock closes; reference times are
    mapped to the sample nearest to their time stamp).

    Attributes
    ----------
    acc : ndarray, shape (3, n_samples)
        Acceleration x, y, z (g), lower back.
    fs : float
        50 Hz.
    bout_start_s, bout_end_s : ndarray, shape (n_bouts,)
        GaitPy's bouts (s).
    bout_steps : ndarray of int, shape (n_bouts,)
        GaitPy's ``steps`` per bout.
    bout_cadence : ndarray, shape (n_bouts,)
        Mean of GaitPy's per-step cadence in each bout (steps/min).
    ic_s : ndarray, shape (n_ics,)
        GaitPy's initial contacts (s), sorted, unique.
    """

    acc: np.ndarray
    fs: float
    bout_start_s: np.ndarray
    bout_end_s: np.ndarray
    bout_steps: np.ndarray
    bout_cadence: np.ndarray
    ic_s: np.ndarray


def _wanted(member: str) -> bool:
    return member.startswith("gaitpy/demo/") and PurePosixPath(member).name in (DATA_FILE,
                                                                                FEATURES_FILE)


def _epoch_s(text: str, fmt: str, path: Path, field: str) -> float:
    try:
        return datetime.strptime(text.strip(), fmt).replace(tzinfo=timezone.utc).timestamp()
    except ValueError:
        raise ReaderError(f"{text!r} is not a time stamp ({fmt})", source=str(path), field=field,
                          fix="delete the cached file and load it again to re-download") from None


def _read_data(path: Path) -> tuple[np.ndarray, np.ndarray]:
    rows = [r for r in csv.reader(io.StringIO(path.read_text(encoding="latin-1")))
            if len(r) == 7 and r[0][:2] == "20"]
    if len(rows) < 1000:
        raise ReaderError(f"{len(rows)} sample rows (expected about 8400)", source=str(path),
                          field="samples", fix="delete the cached file and load it again")
    t = np.array([_epoch_s(r[0][:19], "%Y-%m-%d %H:%M:%S", path, "time")
                  + float(r[0][20:]) / 1000 for r in rows])
    try:
        acc = np.array([[float(v) for v in r[1:4]] for r in rows]).T
    except ValueError as exc:
        raise ReaderError(f"non-numeric acceleration ({exc})", source=str(path), field="x,y,z",
                          fix="delete the cached file and load it again") from None
    if not np.isfinite(acc).all() or np.abs(acc).max() > 8.5 or (np.diff(t) <= 0).any():
        raise ReaderError("acceleration outside the +-8 g range or time not increasing",
                          source=str(path), field="samples", fix="delete the cached file")
    return t, acc


def load_gaitpy_demo(cache_dir: str | os.PathLike | None = None,
                     download: bool = True) -> GaitPyDemo:
    """Load GaitPy's real lower-back demo recording with GaitPy's reference gait analysis.

    Parameters
    ----------
    cache_dir : str or path-like, optional
        Folder of the extracted files (default ``$LBPNET_CACHE/gaitpy``).
    download : bool
        Allow ``pip download gaitpy==1.6.1`` when the files are not cached.

    Returns
    -------
    GaitPyDemo

    Raises
    ------
    ReaderError
        Download failure, or a corrupt file (the message names it and the fix).
    """
    folder = (cache_root() / PACKAGE) if cache_dir is None else Path(cache_dir).expanduser()
    paths = folder / DATA_FILE, folder / FEATURES_FILE
    if not all(p.is_file() for p in paths):
        if not download:
            raise ReaderError("the GaitPy demo files are not cached", source=str(folder),
                              field="cache_dir", fix=f"allow the download, or copy {DATA_FILE} "
                                                     f"and {FEATURES_FILE} there")
        fetch_package_files(f"{PACKAGE}=={VERSION}", _wanted, folder)
    t, acc = _read_data(paths[0])
    try:
        table = list(csv.DictReader(io.StringIO(paths[1].read_text(encoding="utf-8"))))
        bouts: dict[int, dict] = {}
        ics = []
        for row in table:
            b = bouts.setdefault(int(row["bout_number"]), {
                "start": _epoch_s(row["bout_start_time"], "%Y-%m-%d %H:%M:%S.%f", paths[1],
                                  "bout_start_time"),
                "length": float(row["bout_length_sec"]), "steps": int(row["steps"]), "cad": []})
            b["cad"].append(float(row["cadence"]))
            ics.append(float(row["IC"]) / 1000)
    except (KeyError, ValueError, UnicodeDecodeError) as exc:
        raise ReaderError(f"not GaitPy's feature table ({exc!r})", source=str(paths[1]),
                          field="columns", fix="delete the cached file and load it again") from None
    if not bouts:
        raise ReaderError("no gait cycles", source=str(paths[1]), field="rows",
                          fix="delete the cached file and load it again")

    def on_sample_clock(epoch):
        return np.clip(np.searchsorted(t, np.asarray(epoch, dtype=float)), 0, t.size - 1) / SAMPLING_RATE

    order = sorted(bouts)
    start = np.array([bouts[k]["start"] for k in order])
    return GaitPyDemo(
        acc=acc, fs=SAMPLING_RATE, bout_start_s=on_sample_clock(start),
        bout_end_s=on_sample_clock(start + np.array([bouts[k]["length"] for k in order])),
        bout_steps=np.array([bouts[k]["steps"] for k in order], dtype=int),
        bout_cadence=np.array([np.mean(bouts[k]["cad"]) for k in order]),
        ic_s=on_sample_clock(np.unique(ics)))
