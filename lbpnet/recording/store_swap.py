"""Crash-safe folder writes for the native store: temp folders that name their writer, a
journalled overwrite, and the recovery of both after a kill.

A writer works in ``.<name>.<pid>.<host>.<random>.tmp`` beside the target. Replacing an
existing ``<name>`` takes two renames; before them a journal ``.<name>.swap.json`` (written
atomically) records the new and the backup folder::

    journal written  ->  <name> -> .<name>.<pid>.<host>.<random>.old  ->  tmp -> <name>
                     ->  backup removed  ->  journal removed

A kill anywhere in between leaves the journal; :func:`recover` (run by the next write or
read of ``<name>``) finishes the swap when the new folder is there and otherwise puts the
backup back, so ``<name>`` always ends up a complete recording. :func:`clean_dead_writers`
removes the temp folders of writers whose process is gone (same host only: a pid on another
machine cannot be checked).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import tempfile
import time
from pathlib import Path

import psutil

from lbpnet.atomic import atomic_write_json

_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.(?P<host>[A-Za-z0-9-]+)\.[A-Za-z0-9_]+"
                   r"\.(?:tmp|old)$")
STALE_S = 30.0
"""A journal left by another host is recovered once it is this old (s)."""


def host() -> str:
    """This machine's name with every character but letters, digits and ``-`` as ``-``."""
    return re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname()) or "host"


def make_temp(target: Path, kind: str = "tmp") -> Path:
    """A new empty folder ``.<target>.<pid>.<host>.<random>.<kind>`` beside ``target``."""
    return Path(tempfile.mkdtemp(prefix=f".{target.name}.{os.getpid()}.{host()}.",
                                 suffix=f".{kind}", dir=target.parent))


def journal_of(target: Path) -> Path:
    """The journal file of an overwrite of ``target`` (``.<name>.swap.json`` beside it)."""
    return target.with_name(f".{target.name}.swap.json")


def _alive(pid: int, on_host: str) -> bool:
    """Whether writer ``pid`` may still run (a process on another host cannot be checked)."""
    return on_host != host() or pid == os.getpid() or psutil.pid_exists(pid)


def replace_dir(new: Path, target: Path) -> None:
    """Move the complete folder ``new`` to ``target``, replacing it recoverably."""
    if not target.exists():
        os.rename(new, target)
        return
    backup = make_temp(target, "old")
    backup.rmdir()
    journal = journal_of(target)
    atomic_write_json(journal, {"new": new.name, "old": backup.name, "pid": os.getpid(),
                                "host": host()})
    try:
        os.rename(target, backup)
        os.rename(new, target)
    except BaseException:
        try:
            recover(target, force=True, roll_back=True)
        except OSError:
            pass                                # the journal stays: the next open recovers
        raise
    shutil.rmtree(backup, ignore_errors=True)
    journal.unlink(missing_ok=True)


def recover(target: Path, force: bool = False, wait_s: float = 5.0,
            roll_back: bool = False) -> bool:
    """Finish (or, with ``roll_back``, undo) an interrupted overwrite of ``target``.

    Returns True if a journal was found. Without ``force`` a swap whose writer still runs
    on this host is waited for up to ``wait_s`` seconds and left alone after that.
    """
    journal = journal_of(target)
    deadline = time.monotonic() + wait_s
    while True:
        try:
            entry = json.loads(journal.read_text())
            names = [str(entry["new"]), str(entry["old"])]
            pid, on_host = int(entry["pid"]), str(entry["host"])
        except FileNotFoundError:
            return _recover_legacy(target)
        except (OSError, ValueError, KeyError, TypeError):
            names = None
        if names is None or not all((m := _TEMP.match(n)) and m["name"] == target.name
                                    for n in names):
            journal.unlink(missing_ok=True)     # written atomically, so never half: foreign
            return False
        if force or pid == os.getpid() or not _alive(pid, on_host):
            break
        if on_host != host() and time.time() - journal.stat().st_mtime > STALE_S:
            break
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    new, old = (target.with_name(n) for n in names)
    if not target.exists():
        for source in ((old, new) if roll_back else (new, old)):
            if source.is_dir():                 # the new copy is complete once journalled
                os.rename(source, target)
                break
    for leftover in (new, old):
        if leftover.exists():
            shutil.rmtree(leftover, ignore_errors=True)
    journal.unlink(missing_ok=True)
    return True


def _recover_legacy(target: Path) -> bool:
    """Before journals, a kill between the renames left only ``.<name>.old``: put it back."""
    legacy = target.with_name(f".{target.name}.old")
    if not legacy.is_dir():
        return False
    if target.exists():
        shutil.rmtree(legacy, ignore_errors=True)
    else:
        os.rename(legacy, target)
    return True


def clean_dead_writers(folder: Path) -> list[Path]:
    """Recover interrupted swaps in ``folder``, then remove temp folders of dead writers."""
    if not folder.is_dir():
        return []
    for journal in folder.glob(".*.swap.json"):
        recover(journal.with_name(journal.name[1:-len(".swap.json")]), wait_s=0.0)
    removed = []
    for entry in folder.iterdir():
        match = _TEMP.match(entry.name)
        if not match or not entry.is_dir() or journal_of(folder / match["name"]).exists():
            continue
        if not _alive(int(match["pid"]), match["host"]):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed
