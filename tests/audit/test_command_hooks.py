"""``lbpnet-curate import`` and ``agreement`` append audit entries (export file and queue
by sha256, the label-set version) that ``lbpnet-audit verify`` accepts, and a changed
export file is named. The queue and ``lbpnet-export`` entries are checked on a trained
run in tests/cli/test_refresh.py (slow)."""

import csv
import json
import sys

from hydra.core.global_hydra import GlobalHydra

from lbpnet.audit.log import read_entries
from lbpnet.audit.verify import verify_log
from lbpnet.cli.audit import main as audit_main
from lbpnet.cli.curate import main as curate_main
from lbpnet.hashing import file_sha256

QUEUE = {"queue": "q1", "classes": ["sitting", "standing"], "model_version": "m1",
         "run_dir": "", "settings": {},
         "tasks": [{"task_id": f"t{i}", "recording": "sub-01", "start_s": 10.0 * i,
                    "end_s": 10.0 * i + 10} for i in range(3)]}


def curate(monkeypatch, capsys, *args):
    monkeypatch.setattr(sys, "argv", ["lbpnet-curate", *args])
    try:
        curate_main()
    finally:
        GlobalHydra.instance().clear()
    out = capsys.readouterr().out
    return json.loads(out[out.index("{"):])


def reviewer_csv(path, annotator, labels):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["task_id", "recording", "start_s", "end_s", "label", "annotator", "reason"])
        for i, lab in enumerate(labels):
            w.writerow([f"t{i}", "sub-01", 10.0 * i, 10.0 * i + 10, lab, annotator, ""])
    return path


def test_import_and_agreement_are_audited_and_verify(tmp_path, monkeypatch, capsys):
    queue = tmp_path / "queue"
    queue.mkdir()
    (queue / "queue.json").write_text(json.dumps(QUEUE))
    store = tmp_path / "store"
    a = reviewer_csv(tmp_path / "a.csv", "rater_a", ["sitting", "standing", "standing"])
    b = reviewer_csv(tmp_path / "b.csv", "rater_b", ["sitting", "sitting", "standing"])
    first = curate(monkeypatch, capsys, "import", f"export={a}", f"store={store}",
                   f"queue={queue}")
    second = curate(monkeypatch, capsys, "import", f"export={b}", f"store={store}",
                    f"queue={queue}")
    agreement = curate(monkeypatch, capsys, "agreement", f"store={store}")
    log = tmp_path / "audit.jsonl"                     # beside the store (no run known)
    entries = read_entries(log)
    assert [e["command"] for e in entries] == ["lbpnet-curate import"] * 2 + \
        ["lbpnet-curate agreement"]
    inputs = {r["path"]: r["sha256"] for r in entries[0]["inputs"]}
    assert inputs == {str(a): file_sha256(a), str(queue / "queue.json"):
                      file_sha256(queue / "queue.json")}
    assert [e["extra"]["label_set_version"] for e in entries] == \
        [first["version"], second["version"], agreement["version"]]
    assert entries[2]["extra"]["agreement"]["n_items"] == 3
    assert "export" in entries[0]["parameter_changes"]["changed"]    # vs conf/curate.yaml
    assert verify_log(log).ok
    assert audit_main(["verify", "--log", str(log)]) == 0
    a.write_text(a.read_text().replace("standing", "sitting"))   # the reviewer file changed
    verdict = verify_log(log)
    assert not verdict.ok and verdict.entry == 0 and str(a) in verdict.problem


def test_audit_disabled_writes_nothing(tmp_path, monkeypatch, capsys):
    queue = tmp_path / "queue"
    queue.mkdir()
    (queue / "queue.json").write_text(json.dumps(QUEUE))
    a = reviewer_csv(tmp_path / "a.csv", "rater_a", ["sitting", "standing", "standing"])
    curate(monkeypatch, capsys, "import", f"export={a}", f"store={tmp_path / 'store'}",
           f"queue={queue}", "audit.enabled=false")
    assert not (tmp_path / "audit.jsonl").exists()
