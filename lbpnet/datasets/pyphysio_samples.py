"""Real ECG / EDA / BVP / respiration recording shipped in the PyPI wheel ``pyphysio==2.4.3``.

pyphysio (Bizzego et al., "pyphysio: A physiological signal processing library for data
science approaches in physiology", *SoftwareX* 10:100287, 2019; GPL licence) ships one real
multi-signal recording, ``pyphysio/tests/data/medical.txt.bz2``: a bzip2-compressed,
tab-separated text table of 245760 rows and four columns, in this order ``ecg``, ``eda``,
``bvp``, ``resp`` (the order of its ``info_medical`` file). Only the data file is read here:
no pyphysio code is copied, installed or imported. The wheel is fetched with
``pip download --no-deps`` and only ``medical.txt.bz2`` and ``info_medical`` are extracted,
atomically, into ``$LBPNET_CACHE/pyphysio`` (default ``~/.cache/lbpnet/pyphysio``) by
:func:`lbpnet.datasets.pypi_files.fetch_package_files`.

Sampling rate: ``info_medical`` says ``fsamp: 1024`` but also ``length: 120 s``; 245760 rows
last 120 s only at **2048 Hz**, which is also the rate pyphysio's own beat-extraction test
uses for this ECG (mean inter-beat interval then ~0.86 s, a resting heart rate of ~70 bpm;
at 1024 Hz it would be 35 bpm). 2048 Hz is therefore used. The file states no units: every
channel is read as ``a.u.``.
"""

from __future__ import annotations

import bz2
import os
from pathlib import Path, PurePosixPath

import numpy as np

from lbpnet.datasets.cache import cache_root
from lbpnet.datasets.pypi_files import fetch_package_files
from lbpnet.errors import ReaderError
from lbpnet.recording.annotations import Annotations
from lbpnet.recording.recording import Recording
from lbpnet.recording.stream import Stream

PACKAGE = "pyphysio"
VERSION = "2.4.3"
DATA_FILE = "medical.txt.bz2"
INFO_FILE = "info_medical"
CHANNELS = ("ecg", "eda", "bvp", "resp")
SAMPLING_RATE = 2048.0
"""Hz; see the module docstring for why not the 1024 Hz of ``info_medical``."""
_TYPES = {"ecg": "ECG", "eda": "EDA", "bvp": "PPG", "resp": "RESP"}


def _wanted(member: str) -> bool:
    return (member.startswith("pyphysio/tests/data/")
            and PurePosixPath(member).name in (DATA_FILE, INFO_FILE))


def _data_path(cache_dir) -> Path:
    """Where ``medical.txt.bz2`` is (or will be) cached."""
    folder = (cache_root() / PACKAGE) if cache_dir is None else Path(cache_dir).expanduser()
    return folder / DATA_FILE


def load_medical_table(cache_dir: str | os.PathLike | None = None,
                       download: bool = True) -> np.ndarray:
    """The raw table of ``medical.txt.bz2``.

    Parameters
    ----------
    cache_dir : str or path-like, optional
        Folder of the extracted file (default ``$LBPNET_CACHE/pyphysio``).
    download : bool
        Allow ``pip download pyphysio==2.4.3`` when the file is not cached.

    Returns
    -------
    ndarray of float64, shape (n_samples, 4)
        Columns ``ecg``, ``eda``, ``bvp``, ``resp`` (a.u.), one row per sample at 2048 Hz.

    Raises
    ------
    ReaderError
        Download failure, or a corrupt / malformed file.
    """
    path = _data_path(cache_dir)
    if not path.is_file():
        if not download:
            raise ReaderError("the pyphysio sample is not cached", source=str(path),
                              field="cache_dir",
                              fix=f"allow the download, or copy {DATA_FILE} there")
        fetch_package_files(f"{PACKAGE}=={VERSION}", _wanted, path.parent)
    try:
        with bz2.open(path, "rt", encoding="ascii") as handle:
            table = np.loadtxt(handle, delimiter="\t", dtype=np.float64, ndmin=2)
    except (OSError, EOFError, ValueError, UnicodeDecodeError) as exc:
        raise ReaderError(f"not a readable bzip2 tab-separated table ({exc})", source=str(path),
                          field="file",
                          fix="delete the cached file and load it again to re-download") from None
    if table.shape[1] != len(CHANNELS) or table.shape[0] < SAMPLING_RATE:
        raise ReaderError(f"expected (n >= {SAMPLING_RATE:g}, {len(CHANNELS)}) values, got "
                          f"{table.shape}", source=str(path), field="columns",
                          fix="delete the cached file and load it again to re-download")
    if not np.isfinite(table).all():
        raise ReaderError("the table holds non-numeric or missing values", source=str(path),
                          field="values", fix="delete the cached file and load it again")
    return table


def load_medical_sample(cache_dir: str | os.PathLike | None = None,
                        download: bool = True) -> Recording:
    """pyphysio's real ECG, EDA, BVP and respiration recording as one Recording.

    Parameters
    ----------
    cache_dir, download
        See :func:`load_medical_table`.

    Returns
    -------
    Recording
        One stream ``"physio"`` (data ``(245760, 4)``, 2048 Hz, channels ``ecg``, ``eda``,
        ``bvp``, ``resp``, unit ``a.u.``); ``metadata["synthetic"]`` is False.
    """
    table = load_medical_table(cache_dir, download)
    stream = Stream(name="physio", data=table, sampling_rate=SAMPLING_RATE,
                    channel_names=list(CHANNELS), channel_types=[_TYPES[c] for c in CHANNELS],
                    units=["a.u."] * len(CHANNELS))
    source = str(_data_path(cache_dir))
    return Recording(streams={"physio": stream}, annotations=Annotations(), subject="pyphysio",
                     task="medical", source=source,
                     metadata={"dataset": f"{PACKAGE}=={VERSION} tests/data/{DATA_FILE}",
                               "synthetic": False, "source": source, "licence": "GPL",
                               "sampling_rate_note": "2048 Hz (info_medical says 1024 Hz, "
                                                     "inconsistent with its 120 s length)"}
                     ).validate()
