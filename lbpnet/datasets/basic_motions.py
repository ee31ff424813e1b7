"""UEA BasicMotions: four activities from a smart watch's accelerometer and gyroscope.

Four students wore a smart watch while standing, walking, running and playing
badminton, five times each; every case is 10 s of 3-D accelerometer and 3-D gyroscope
at 10 Hz (100 samples), 40 training and 40 test cases (UEA multivariate archive,
Bagnall et al. 2018; https://www.timeseriesclassification.com).

The archive gives **no subject ids** (nor the wrist, the watch model or the units), so
each case is its own pseudo-subject ``case-<split>-<i>``: a split by these ids is a split
by case, not by person, and may put one student on both sides. Units are ``"n/a"``.

The two ``.ts`` files are found, in order: in ``root``; in an installed ``aeon`` or
``sktime`` (located with ``importlib.util.find_spec``, never imported); in the cache
folder; else ``pip download --no-deps aeon==1.6.0`` fetches the wheel and only the two
files are extracted from it into the cache (written atomically).
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path, PurePosixPath

import numpy as np

from lbpnet.datasets.ts_format import read_ts
from lbpnet.datasets.cache import cache_root
from lbpnet.datasets.pypi_files import extract_members, fetch_package_files
from lbpnet.errors import ReaderError
from lbpnet.recording.annotations import Annotations
from lbpnet.recording.recording import Recording
from lbpnet.recording.stream import Stream

CLASSES: list[str] = ["standing", "running", "walking", "badminton"]
"""Annotation labels (lower-cased ``.ts`` class names, in header order)."""
SAMPLING_RATE = 10.0
CHANNELS = ["acc_x", "acc_y", "acc_z", "gyro_x", "gyro_y", "gyro_z"]
CHANNEL_TYPES = ["ACCEL"] * 3 + ["GYRO"] * 3
FILES = {"train": "BasicMotions_TRAIN.ts", "test": "BasicMotions_TEST.ts"}
AEON_VERSION = "1.6.0"
_PACKAGE_DIRS = {"aeon": ("datasets", "data", "BasicMotions"),
                 "sktime": ("datasets", "data", "BasicMotions")}


def _has_files(folder: Path) -> bool:
    return all((folder / name).is_file() for name in FILES.values())


def _find_installed() -> Path | None:
    for module, parts in _PACKAGE_DIRS.items():
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            continue
        for location in (spec.submodule_search_locations or []) if spec else []:
            folder = Path(location).joinpath(*parts)
            if _has_files(folder):
                return folder
    return None


def _is_member(member: str) -> bool:
    return "/BasicMotions/" in member and PurePosixPath(member).name in FILES.values()


def extract_from_wheel(wheel: str | os.PathLike, cache_dir: str | os.PathLike) -> Path:
    """Copy the two BasicMotions ``.ts`` files out of an aeon/sktime wheel.

    Parameters
    ----------
    wheel : path
        An ``aeon-*.whl`` or ``sktime-*.whl`` (a zip archive).
    cache_dir : path
        Destination folder; each file is written atomically (temporary file, rename).

    Returns
    -------
    Path
        ``cache_dir``, now holding ``BasicMotions_TRAIN.ts`` and ``BasicMotions_TEST.ts``.
    """
    written = {p.name for p in extract_members(Path(wheel), _is_member, Path(cache_dir))}
    missing = [n for n in FILES.values() if n not in written]
    if missing:
        raise ReaderError(f"the wheel lacks {missing}", source=str(wheel), field="BasicMotions",
                          fix=f"use aeon=={AEON_VERSION} or pass root= to the .ts files")
    return Path(cache_dir)


def _download(cache_dir: Path) -> Path:
    try:
        fetch_package_files(f"aeon=={AEON_VERSION}", _is_member, cache_dir)
    except ReaderError as err:
        raise ReaderError(
            f"BasicMotions is not installed or cached and the download failed ({err.problem})",
            source=err.source, field="data.root",
            fix="connect to the internet, or copy BasicMotions_TRAIN.ts and "
                f"BasicMotions_TEST.ts into {cache_dir} or a folder passed as data.root") from None
    if not _has_files(cache_dir):
        raise ReaderError("the aeon wheel lacks the BasicMotions files", source=str(cache_dir),
                          field="data.root", fix=f"pass data.root= to a folder holding "
                                                 f"{list(FILES.values())}")
    return cache_dir


def find_basic_motions(root: str | os.PathLike | None = None,
                       cache_dir: str | os.PathLike | None = None,
                       download: bool = True) -> Path:
    """Folder holding ``BasicMotions_TRAIN.ts`` and ``BasicMotions_TEST.ts``.

    Searches ``root`` (only, when given), else an installed aeon/sktime, else
    ``cache_dir`` (default ``$LBPNET_CACHE/basic_motions`` or
    ``~/.cache/lbpnet/basic_motions``), else downloads when ``download`` is true.
    """
    if root is not None:
        root = Path(root).expanduser()
        for folder in (root, root / "BasicMotions"):
            if _has_files(folder):
                return folder
        raise ReaderError("BasicMotions .ts files not found", source=str(root), field="data.root",
                          fix=f"point data.root at a folder holding {' and '.join(FILES.values())}")
    installed = _find_installed()
    if installed is not None:
        return installed
    cache = (cache_root() / "basic_motions") if cache_dir is None else Path(cache_dir).expanduser()
    if _has_files(cache):
        return cache
    if not download:
        raise ReaderError("BasicMotions is neither installed nor cached", source=str(cache),
                          field="data.root",
                          fix="allow the download, or pass data.root= to the .ts files")
    return _download(cache)


def load_basic_motions(root: str | os.PathLike | None = None,
                       cache_dir: str | os.PathLike | None = None,
                       download: bool = True) -> list[Recording]:
    """Load UEA BasicMotions as one :class:`Recording` per case (40 train + 40 test).

    Parameters
    ----------
    root : str or path-like, optional
        Folder holding ``BasicMotions_TRAIN.ts`` and ``BasicMotions_TEST.ts``. When
        ``None`` they are looked up (installed aeon/sktime, cache, download).
    cache_dir : str or path-like, optional
        Cache folder for the downloaded files (default ``~/.cache/lbpnet/basic_motions``).
    download : bool
        Allow ``pip download`` of the aeon wheel when nothing is found locally.

    Returns
    -------
    list of Recording
        Train cases then test cases. ``subject`` is ``"case-train-0"``… (the dataset has
        no subject ids), ``task`` ``"basic_motions"``, ``metadata["split"]`` ``"train"`` or
        ``"test"``. One stream ``"imu"``: data shape (100, 6) float32 at 10 Hz, channels
        ``acc_x, acc_y, acc_z`` (ACCEL) and ``gyro_x, gyro_y, gyro_z`` (GYRO), units
        ``"n/a"`` (undocumented). One annotation spans the whole case (0 s, 10 s) with the
        class, one of :data:`CLASSES`.

    Raises
    ------
    ReaderError
        Files missing and not downloadable, or malformed (names file, line and fix).
    """
    folder = find_basic_motions(root, cache_dir, download)
    recordings = []
    for split, name in FILES.items():
        path = folder / name
        ts = read_ts(path)
        if ts.labels is None:
            raise ReaderError("cases carry no class labels", source=str(path), field="@classLabel",
                              fix="use the original BasicMotions .ts files")
        for i, (values, label) in enumerate(zip(ts.series, ts.labels)):
            where = f"{path} [case {i}]"
            if values.shape[0] != len(CHANNELS):
                raise ReaderError(f"case has {values.shape[0]} dimensions, expected 6",
                                  source=where, field="@dimensions",
                                  fix="use the original BasicMotions .ts files")
            label = label.lower()
            if label not in CLASSES:
                raise ReaderError(f"unknown class {label!r}", source=where, field="label",
                                  fix=f"use one of {CLASSES}")
            data = np.ascontiguousarray(values.T, dtype=np.float32)
            stream = Stream("imu", data, SAMPLING_RATE, list(CHANNELS), list(CHANNEL_TYPES),
                            ["n/a"] * len(CHANNELS))
            annotations = Annotations([0.0], [stream.duration], [label])
            recordings.append(Recording(
                streams={"imu": stream}, annotations=annotations, subject=f"case-{split}-{i}",
                task="basic_motions", source=where,
                metadata={"dataset": "UEA BasicMotions", "split": split, "synthetic": False,
                          "case": i, "source": str(path),
                          "subject_ids": "none: the dataset does not give subject ids "
                                         "(four students); each case is its own pseudo-subject",
                          "units": "not documented by the dataset"}))
    return recordings
