"""An exclusive lock on a file's companion ``<file>.lock``, held across processes.

Used by the audit log and the model registry so that concurrent writers (a joblib
multirun, several DDP nodes sharing a folder, two shells) never interleave::

    with file_lock(log_path):
        ...read the last entry, append the next...

POSIX ``fcntl.flock`` (Linux, macOS): the lock is released when the holder exits,
even if it is killed, so a crash never leaves the log locked.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator

from lbpnet.errors import ConfigError


@contextlib.contextmanager
def file_lock(path: str | os.PathLike) -> Iterator[Path]:
    """Hold an exclusive lock on ``<path>.lock`` (created if missing) for the block.

    Parameters
    ----------
    path : str or Path
        The file being protected (the lock file sits beside it).

    Yields
    ------
    Path
        The protected file's path.
    """
    import fcntl

    path = Path(path)
    lock = path.with_name(path.name + ".lock")
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise ConfigError(f"cannot create the lock file ({exc})", source=str(lock),
                          fix="choose a writable folder (audit.log=... or registry=...)") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield path
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
