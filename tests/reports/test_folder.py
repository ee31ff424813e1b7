"""A report folder appears whole or not at all: failures and kills leave no half report."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from report_fixtures import PROVENANCE, SESSIONS, make_result

import lbpnet.reports.build as build
from lbpnet.errors import ConfigError
from lbpnet.reports import write_reports
from lbpnet.reports.folder import TEMP, remove_dead_temporaries, temp_name

HERE = Path(__file__).parent


def write(out, **kw):
    return write_reports(make_result(), SESSIONS, out, PROVENANCE, {"strategy/guarding": 0.5},
                         load_signals=None, n_detail=0, **kw)


def manifest(folder: Path) -> None:
    (folder / "manifest.json").write_text(json.dumps({"run_id": "x"}))


def test_a_page_writer_that_fails_midway_leaves_no_report(tmp_path, monkeypatch):
    calls = []
    real = build.write_page

    def second_page_fails(path, html):
        calls.append(path)
        if len(calls) == 2:
            raise OSError("disk full (simulated)")
        return real(path, html)

    monkeypatch.setattr(build, "write_page", second_page_fails)
    out = tmp_path / "reports" / "2026-01-01_00-00-00"
    with pytest.raises(OSError, match="simulated"):
        write(out, extra=manifest)
    assert len(calls) == 2 and not out.exists()
    assert list(tmp_path.rglob("*.html")) == [] and list(tmp_path.rglob("manifest.json")) == []
    monkeypatch.setattr(build, "write_page", real)
    summary = write(out, extra=manifest)            # the same folder, once it works
    assert Path(summary["index"]) == out / "index.html" and (out / "manifest.json").is_file()
    assert {Path(p).parent for p in summary["sessions"].values()} == {out}
    assert all(Path(p).is_file() for p in summary["sessions"].values())
    assert not any(TEMP.match(p.name) for p in out.parent.iterdir())


KILLED = """
import os, signal, sys
sys.path.insert(0, {here!r})
from report_fixtures import PROVENANCE, SESSIONS, make_result
import lbpnet.reports.build as build
real = build.write_page
calls = []
def write_page(path, html):
    calls.append(path)
    if len(calls) == 2:
        os.kill(os.getpid(), signal.SIGKILL)       # killed between two pages
    return real(path, html)
build.write_page = write_page
build.write_reports(make_result(), SESSIONS, {out!r}, PROVENANCE, {{}}, load_signals=None,
                    n_detail=0, extra=lambda d: (d / "manifest.json").write_text("{{}}"))
"""


def test_a_killed_report_leaves_only_a_temporary_folder_the_next_run_removes(tmp_path):
    out = tmp_path / "reports" / "2026-01-01_00-00-00"
    done = subprocess.run([sys.executable, "-c", KILLED.format(here=str(HERE), out=str(out))],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -9, done.stderr[-2000:]
    assert not out.exists()
    temps = [p for p in out.parent.iterdir() if TEMP.match(p.name)]
    assert len(temps) == 1 and list(temps[0].glob("*.html"))     # one page was written
    assert list(tmp_path.rglob("manifest.json")) == []
    summary = write(tmp_path / "reports" / "later")                # a later report cleans up
    assert Path(summary["index"]).is_file() and not temps[0].exists()


def test_a_live_writers_temporary_folder_is_kept(tmp_path):
    live = temp_name(tmp_path / "a", os.getppid())                 # our parent is alive
    live.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True)
    gone = temp_name(tmp_path / "b", int(dead.stdout))
    gone.mkdir()
    assert remove_dead_temporaries(tmp_path) == [gone]
    assert live.is_dir() and not gone.exists()


def test_an_existing_report_is_not_overwritten(tmp_path):
    out = tmp_path / "out"
    write(out)
    before = (out / "index.html").read_text()
    with pytest.raises(ConfigError, match="already exists"):
        write(out)
    assert (out / "index.html").read_text() == before
