"""The review round trip through a real Label Studio server on localhost (slow).

Label Studio pins many packages, so it lives in its own venv under the lbpnet cache
(``<cache>/label_studio/venv``, installed with pip on the first run), never in
lbpnet's environment. The test starts the server (sqlite, a temporary data dir, a
user with a legacy API token), creates the project with label-studio-sdk, imports
lbpnet's tasks (their CSVs served through Label Studio's local-files storage and fetched
back byte for byte), posts an annotation as a reviewer would, exports the project as JSON
and imports it into lbpnet's label store: intervals, labels, annotator and reasons
must come back exactly. Skipped, with the reason, when the server cannot be
installed or started.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from lbpnet.curation.label_store import LabelStore
from lbpnet.curation.label_studio_export import write_label_studio_project
from lbpnet.curation.label_studio_import import import_labels
from lbpnet.curation.queue import ReviewTask
from lbpnet.curation.queue_files import read_queue, write_queue
from lbpnet.datasets.cache import cache_root
from lbpnet.hashing import file_sha256

sys.path.insert(0, str(Path(__file__).parent))
from test_label_studio_export import recording  # noqa: E402  (SYNTHETIC recording)

pytestmark = pytest.mark.slow
REVIEWER = Path(__file__).parent / "label_studio" / "reviewer.py"
TOKEN = "lbpnet-test-token-0123456789"
USER, PASSWORD = "reviewer@lbpnet.test", "lbpnet-test-pw-1"


def label_studio_python() -> Path:
    """The python of Label Studio's venv, installed with pip on the first run."""
    venv = cache_root() / "label_studio" / "venv"
    python = venv / "bin" / "python"
    if not (venv / "bin" / "label-studio").is_file():
        venv.parent.mkdir(parents=True, exist_ok=True)
        try:
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
            subprocess.run([str(python), "-m", "pip", "install", "-q", "label-studio",
                            "label-studio-sdk"], check=True, timeout=1800)
        except (subprocess.SubprocessError, OSError) as err:
            pytest.skip(f"cannot install label-studio into {venv}: {err}")
    return python


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    python = label_studio_python()
    data = tmp_path_factory.mktemp("label_studio_data")
    queue_dir = tmp_path_factory.mktemp("queue")       # served as Label Studio's local files
    port = free_port()
    env = {**os.environ, "LABEL_STUDIO_BASE_DATA_DIR": str(data), "DJANGO_DB": "sqlite",
           "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
           "LABEL_STUDIO_USERNAME": USER, "LABEL_STUDIO_PASSWORD": PASSWORD,
           "LABEL_STUDIO_USER_TOKEN": TOKEN, "LOCAL_FILES_SERVING_ENABLED": "true",
           "LOCAL_FILES_DOCUMENT_ROOT": str(queue_dir)}
    log = open(data / "server.log", "w")
    proc = subprocess.Popen([str(python.parent / "label-studio"), "start", "--no-browser",
                             "--port", str(port), "--data-dir", str(data), "--username", USER,
                             "--password", PASSWORD, "--user-token", TOKEN],
                            env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 600             # first start migrates the sqlite database
    try:
        while True:
            try:
                with urllib.request.urlopen(url + "/health", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                tail = (data / "server.log").read_text()[-1500:]
                pytest.skip(f"Label Studio did not start on {url} (exit {proc.poll()}): {tail}")
            time.sleep(3)
        yield url, python, queue_dir
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def test_round_trip_through_label_studio(server, tmp_path):
    url, python, queue_dir = server
    classes = ["sitting", "standing"]
    tasks = [ReviewTask("t1abc", "sub-01", 4.0, 9.0, 4, 1.0, "novel (knn) x4", "sitting", 0.7),
             ReviewTask("t2def", "sub-01", 12.0, 16.0, 3, 0.5, "uncertain x3", "standing", 0.6)]
    write_queue(tasks, queue_dir, "q-test", classes, "ckpt-test")
    project = queue_dir / "label_studio"
    write_label_studio_project(tasks, {"sub-01": recording()}, classes, project, "q-test",
                               "ckpt-test")
    regions = {"t1abc": [[4.25, 6.5, "standing", "stood up from the chair"],
                         [6.5, 9.0, "sitting", "sat down again"]],
               "t2def": [[12.0, 15.75, "standing", "upright, still"]]}
    (tmp_path / "regions.json").write_text(json.dumps(regions))
    out = subprocess.run([str(python), str(REVIEWER), url, TOKEN, str(project),
                          str(tmp_path / "regions.json"), str(tmp_path / "export.json"),
                          str(project / "csv")], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    who = json.loads(out.stdout.strip().splitlines()[-1])
    assert who["user"] == USER and who["n_tasks"] == 2
    # the labelling page gets each task's CSV from the server, byte for byte
    assert who["csv_sha256"] == {t.task_id: file_sha256(project / "csv" / f"{t.task_id}.csv")
                                 for t in tasks}
    store = LabelStore(tmp_path / "store", classes)
    version, added, _ = import_labels(tmp_path / "export.json", store,
                                      queue=read_queue(queue_dir),
                                      annotators={str(who["user_id"]): who["user"]})
    _, entries = store.label_set(version)
    got = sorted((e.source["task"], e.start_s, e.end_s, e.label, e.annotator, e.reason)
                 for e in entries)
    want = sorted((tid, s, e, lab, USER, reason) for tid, rs in regions.items()
                  for s, e, lab, reason in rs)
    assert added == 3 and got == want
    assert all(e.source["queue"] == "q-test" and e.source["model_version"] == "ckpt-test"
               and e.recording == "sub-01" for e in entries)
