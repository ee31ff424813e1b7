"""The process's limit on open files, which memory-mapped streams count against.

Each memory-mapped ``.npy`` stream holds one file descriptor for as long as the array lives
(Python's ``mmap`` keeps a duplicate of it), so a data module that reads a whole cohort at
once — 200 patients × 6 sessions × 4 streams is 4 800 descriptors — passes the common soft
limit of 1 024 (256 on macOS). :func:`raise_open_file_limit` lifts the soft limit to the hard
one, as Dask and Ray do at start-up; the reader calls it once when a stream cannot be opened
for want of descriptors (``EMFILE``) and then retries.
"""

from __future__ import annotations

import errno


def is_too_many_open_files(err: BaseException) -> bool:
    """True for the ``EMFILE`` error (this process has no file descriptor left)."""
    return isinstance(err, OSError) and err.errno == errno.EMFILE


def raise_open_file_limit() -> tuple[int, int] | None:
    """Set the soft ``RLIMIT_NOFILE`` to the hard limit; returns ``(old, new)`` soft limits,
    or None where it cannot be raised (no ``resource`` module, already at the hard limit,
    or refused)."""
    try:
        import resource
    except ImportError:                  # Windows: no RLIMIT_NOFILE
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if target <= soft:
        return None
    for want in (target, 10240):         # macOS refuses above kern.maxfilesperproc
        if want <= soft:
            break
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
            return soft, want
        except (ValueError, OSError):
            continue
    return None


def current_open_file_limit() -> int | None:
    """The soft ``RLIMIT_NOFILE`` (None without the ``resource`` module)."""
    try:
        import resource
    except ImportError:
        return None
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]
