"""Check an audit log: the hash chain, the entry count of ``<log>.head`` and every file an
entry recorded (inputs and outputs, by SHA-256). The first entry that fails is named."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from lbpnet.audit.entry import GENESIS, entry_hash
from lbpnet.audit.log import head_path
from lbpnet.hashing import file_sha256


@dataclass
class Verdict:
    """The outcome of :func:`verify_log`.

    Attributes
    ----------
    ok : bool
        True when the chain, the head and every recorded file check out.
    n_entries : int
        Entries read.
    entry : int or None
        0-based position (``seq``) of the first entry that fails; None when ok, or when
        only the head disagrees.
    line : int or None
        1-based line of that entry in the log.
    problem : str
        What failed, in words (empty when ok).
    """

    ok: bool
    n_entries: int
    entry: int | None = None
    line: int | None = None
    problem: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"ok: {self.n_entries} entries, chain intact, every recorded file unchanged"
        where = f"entry {self.entry} (line {self.line})" if self.entry is not None else "log"
        return f"FAILED at {where}: {self.problem}"


def _describe(entry: dict) -> str:
    return f"{entry.get('command', '?')} at {entry.get('time_utc', '?')}"


def _check_files(entry: dict) -> str | None:
    for role in ("inputs", "outputs"):
        for rec in entry.get(role) or []:
            path = Path(rec.get("path", ""))
            if not path.is_file():
                return f"{role[:-1]} {path} recorded by {_describe(entry)} no longer exists"
            now = file_sha256(path)
            if now != rec.get("sha256"):
                return (f"{role[:-1]} {path} recorded by {_describe(entry)} changed since "
                        f"(sha256 now {now[:12]}…, recorded {str(rec.get('sha256'))[:12]}…)")
    return None


def verify_log(path: str | os.PathLike, check_files: bool = True) -> Verdict:
    """Verify the audit log at ``path``.

    Parameters
    ----------
    path : str or Path
        The log (``audit.jsonl``).
    check_files : bool
        Also re-hash every recorded input and output file.

    Returns
    -------
    Verdict
        ``ok`` or the first failing entry and why: not JSON, edited (its hash does not
        match its content), deleted or reordered (``seq``/``prev`` break), a file changed
        or removed since, or fewer entries than ``<log>.head`` records.
    """
    path = Path(path)
    if not path.is_file():
        return Verdict(False, 0, problem=f"no audit log at {path}")
    prev, count, line_no = GENESIS, 0, 0
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as exc:
            return Verdict(False, count, count, line_no,
                           f"not JSON ({exc.msg}): edited by hand or a truncated write")
        if not isinstance(entry, dict) or "hash" not in entry:
            return Verdict(False, count, count, line_no, "not an audit entry (no hash)")
        if entry_hash(entry) != entry["hash"]:
            return Verdict(False, count, count, line_no,
                           f"{_describe(entry)} was edited: its content does not match its hash")
        if entry.get("seq") != count:
            return Verdict(False, count, count, line_no,
                           f"{_describe(entry)} has seq {entry.get('seq')} where {count} was "
                           f"expected: an entry before it was deleted, or entries reordered")
        if entry.get("prev") != prev:
            return Verdict(False, count, count, line_no,
                           f"{_describe(entry)} does not link to the entry before it (prev "
                           f"{str(entry.get('prev'))[:12]}…, expected {prev[:12]}…): an entry was "
                           f"replaced, deleted or reordered")
        if check_files:
            problem = _check_files(entry)
            if problem:
                return Verdict(False, count, count, line_no, problem)
        prev, count = entry["hash"], count + 1
    head = head_path(path)
    if head.is_file():
        try:
            recorded = json.loads(head.read_text())
        except json.JSONDecodeError:
            return Verdict(False, count, problem=f"{head} is not JSON")
        if recorded.get("entries") != count or recorded.get("hash") != prev:
            return Verdict(False, count, problem=(
                f"{head} records {recorded.get('entries')} entries ending in "
                f"{str(recorded.get('hash'))[:12]}…, the log has {count} ending in {prev[:12]}…: "
                f"the last entries were removed or replaced"))
    elif count:
        return Verdict(False, count, problem=f"{head} is missing (it records the entry count)")
    return Verdict(True, count)
