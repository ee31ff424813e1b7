"""A report folder that appears whole or not at all.

A report is a folder of files that belong together (pages, ``report.json``,
``manifest.json``, the explanation shown). They are written into a hidden temporary
sibling, ``.<name>.tmp-<pid>``, which is renamed to ``<name>`` once everything is in
it: a killed run leaves no ``<name>/`` whose manifest points at pages that were never
written. A later run removes the temporary folders of writers that are no longer alive.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
from pathlib import Path
from typing import Iterator

import psutil

from lbpnet.errors import ConfigError

log = logging.getLogger("lbpnet.report")
TEMP = re.compile(r"^\.(?P<name>.+)\.tmp-(?P<pid>\d+)$")


def temp_name(final: Path, pid: int | None = None) -> Path:
    """The temporary sibling of ``final`` a process ``pid`` (default: this one) writes."""
    return final.parent / f".{final.name}.tmp-{os.getpid() if pid is None else pid}"


def remove_dead_temporaries(parent: Path) -> list[Path]:
    """Remove the ``.<name>.tmp-<pid>`` folders in ``parent`` whose writer ``pid`` is no
    longer running (a killed report); return what was removed."""
    removed = []
    if not parent.is_dir():
        return removed
    for path in parent.iterdir():
        match = TEMP.match(path.name)
        if not match or not path.is_dir() or psutil.pid_exists(int(match["pid"])):
            continue
        shutil.rmtree(path, ignore_errors=True)
        log.info("removed %s, left by a report that was stopped before it finished", path)
        removed.append(path)
    return removed


def check_new_folder(final: str | os.PathLike) -> Path:
    """Refuse a ``final`` that exists and is not an empty folder (a report is never
    overwritten); return it as a Path.

    Raises
    ------
    lbpnet.errors.ConfigError
    """
    final = Path(final)
    if final.exists() and not (final.is_dir() and not any(final.iterdir())):
        raise ConfigError("the report folder already exists and is not empty",
                          source=str(final), field="output_dir",
                          fix="give output_dir= a new folder (or leave it unset: each "
                              "run gets a folder named after its start time)")
    return final


@contextlib.contextmanager
def report_folder(final: str | os.PathLike) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``final``; rename it to ``final`` when the
    block ends without error, remove it when it raises.

    Raises
    ------
    lbpnet.errors.ConfigError
        ``final`` already exists and is not an empty folder (a report is never
        overwritten).
    """
    final = check_new_folder(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    remove_dead_temporaries(final.parent)
    tmp = temp_name(final)
    shutil.rmtree(tmp, ignore_errors=True)          # this pid's own leftover, if any
    tmp.mkdir()
    try:
        yield tmp
        check_new_folder(final)
        if final.is_dir():
            final.rmdir()                            # empty: replace it
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
