"""Killed store writers: debris of dead writers is removed, an interrupted overwrite recovers."""

import os
import signal
import subprocess
import sys

import numpy as np
import pytest

from lbpnet.recording import Recording, Stream
from lbpnet.recording.store import RecordingWriter, read_recording, write_recording
from lbpnet.recording.store_swap import host, journal_of

KILL_AT_RENAME = """
import os, signal, sys
import numpy as np
from lbpnet.recording import Recording, Stream
from lbpnet.recording.store import write_recording
kill_at, real, calls = int(sys.argv[2]), os.rename, []
def rename(a, b):
    calls.append(a)
    if len(calls) == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
    real(a, b)
os.rename = rename
emg = Stream("emg", np.full((50, 1), 2.0, np.float32), 100.0, ["a"])
write_recording(Recording({"emg": emg}, subject="new"), sys.argv[1])
"""


def recording(subject, value):
    emg = Stream("emg", np.full((50, 1), value, np.float32), 100.0, ["a"])
    return Recording({"emg": emg}, subject=subject)


def dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_temp_folders_of_dead_writers_are_removed(tmp_path):
    dead = tmp_path / f".a.lbp.{dead_pid()}.{host()}.x1y2.tmp"
    alive = tmp_path / f".a.lbp.{os.getpid()}.{host()}.k3j4.tmp"
    other_host = tmp_path / f".b.lbp.{dead_pid()}.elsewhere-host.zz9.tmp"
    for folder in (dead, alive, other_host):
        folder.mkdir()
        (folder / "emg.npy").write_bytes(b"\0" * 1000)
    write_recording(recording("01", 1.0), tmp_path / "a.lbp")
    assert not dead.exists()
    assert alive.exists() and other_host.exists()      # may still be running: kept


def test_failed_second_rename_keeps_the_old_recording(tmp_path, monkeypatch):
    path = write_recording(recording("old", 1.0), tmp_path / "a.lbp")
    real, calls = os.rename, []

    def rename(a, b):
        calls.append(a)
        if len(calls) == 2:
            raise OSError("simulated failure between the renames")
        real(a, b)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(OSError, match="simulated"):
        write_recording(recording("new", 2.0), path)
    monkeypatch.setattr(os, "rename", real)
    assert read_recording(path).subject == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.lbp"]


def kill_writer(path, at):
    code = subprocess.run([sys.executable, "-c", KILL_AT_RENAME, str(path), str(at)],
                          env={**os.environ, "OMP_NUM_THREADS": "1"}).returncode
    assert code == -signal.SIGKILL


@pytest.mark.parametrize("at, survivor", [(1, "old"), (2, "new")])
def test_overwrite_killed_at_a_rename_is_recovered_by_the_next_read(tmp_path, at, survivor):
    path = write_recording(recording("old", 1.0), tmp_path / "a.lbp")
    kill_writer(path, at)
    assert journal_of(path).exists()                  # the kill left an unfinished swap
    if at == 2:
        assert not path.exists()                      # before: nothing at the destination
    back = read_recording(path)
    assert back.subject == survivor
    assert float(back.streams["emg"].data[0, 0]) == (1.0 if survivor == "old" else 2.0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.lbp"]


def test_overwrite_killed_between_renames_is_recovered_by_the_next_write(tmp_path):
    path = write_recording(recording("old", 1.0), tmp_path / "a.lbp")
    kill_writer(path, 2)
    with RecordingWriter(tmp_path / "b.lbp", subject="other") as w:
        w.create_stream("emg", 10, 100.0, ["a"])[:] = 0
    assert read_recording(path).subject == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.lbp", "b.lbp"]


def test_legacy_backup_left_between_renames_is_put_back(tmp_path):
    path = write_recording(recording("old", 1.0), tmp_path / "a.lbp")
    os.rename(path, tmp_path / ".a.lbp.old")          # what the pre-journal writer left
    assert read_recording(path).subject == "old"
