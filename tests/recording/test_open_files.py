"""Memory-mapped streams hold one file descriptor each: a low soft limit is raised, a low hard
limit is a clear ReaderError (each case in its own process: the limits are per process)."""

import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("resource")

SCRIPT = textwrap.dedent("""
    import resource, sys
    import numpy as np
    from lbpnet.errors import ReaderError
    from lbpnet.recording import Annotations, Recording, Stream
    from lbpnet.recording.store import read_recording, write_recording

    root, hard_too = sys.argv[1], sys.argv[2] == "hard"
    streams = {n: Stream(n, np.zeros((10, 1), np.float32), 10.0, ["c"], ["emg"], ["mV"])
               for n in ("a", "b", "c", "d")}
    paths = [write_recording(Recording(streams, Annotations([], [], []), subject=f"S{i}"),
                             f"{root}/r{i}.lbp") for i in range(40)]
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64 if hard_too else hard))
    try:
        held = [read_recording(p) for p in paths]        # 160 memory-mapped streams
    except ReaderError as err:
        print("ERROR", err)
    else:
        print("READ", len(held), resource.getrlimit(resource.RLIMIT_NOFILE)[0])
""")


def _run(tmp_path, mode: str) -> str:
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path), mode],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_a_low_soft_limit_is_raised_and_every_stream_read(tmp_path):
    import resource
    if resource.getrlimit(resource.RLIMIT_NOFILE)[1] < 1024:
        pytest.skip("this machine's hard limit on open files is below 1024")
    out = _run(tmp_path, "soft")
    assert out.startswith("READ 40 "), out
    assert int(out.split()[-1]) > 64


def test_a_low_hard_limit_names_the_file_field_and_fix(tmp_path):
    out = _run(tmp_path, "hard")
    assert out.startswith("ERROR"), out
    assert "too many open files" in out and "limit is 64" in out
    assert "streams." in out and ".npy" in out and "ulimit -n" in out
