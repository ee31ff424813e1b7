"""``lbpnet-curate``: import and agreement from the command line (fast), and the whole
loop on a tiny trained run (slow): queue -> reviewer export -> store -> retrain on it."""

import csv
import json
import sys

import pytest
from hydra.core.global_hydra import GlobalHydra

from lbpnet.cli.curate import main

QUEUE = {"queue": "q1", "classes": ["sitting", "standing"], "model_version": "m1",
         "run_dir": "", "settings": {},
         "tasks": [{"task_id": f"t{i}", "recording": "sub-01", "start_s": 10.0 * i,
                    "end_s": 10.0 * i + 10} for i in range(4)]}


def curate(monkeypatch, capsys, *args):
    """Run the console script in this process; returns (exit status, printed JSON or stderr)."""
    monkeypatch.setattr(sys, "argv", ["lbpnet-curate", *args])
    try:
        main()
        code = 0
    except SystemExit as stop:
        code = stop.code
    finally:
        GlobalHydra.instance().clear()
    out = capsys.readouterr()
    return code, (json.loads(out.out[out.out.index("{"):]) if code == 0 else out.err)


def filled_csv(path, annotator, labels):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["task_id", "recording", "start_s", "end_s", "label", "annotator", "reason"])
        for i, lab in enumerate(labels):
            w.writerow([f"t{i}", "sub-01", 10.0 * i, 10.0 * i + 10, lab, annotator, ""])
    return path


def test_import_two_raters_then_agreement(tmp_path, monkeypatch, capsys):
    (tmp_path / "queue").mkdir()
    (tmp_path / "queue" / "queue.json").write_text(json.dumps(QUEUE))
    store = tmp_path / "store"
    a = filled_csv(tmp_path / "a.csv", "rater_a", ["sitting", "sitting", "standing", "standing"])
    b = filled_csv(tmp_path / "b.csv", "rater_b", ["sitting", "standing", "standing", "standing"])
    code, first = curate(monkeypatch, capsys, "import", f"export={a}", f"store={store}",
                         f"queue={tmp_path / 'queue'}")
    assert code == 0 and first["added"] == 4
    code, second = curate(monkeypatch, capsys, "import", f"export={b}", f"store={store}",
                          f"queue={tmp_path / 'queue'}")
    assert code == 0 and second["version"] != first["version"]
    assert second["train_with"] == f"data.labels={store}@{second['version']}"
    code, out = curate(monkeypatch, capsys, "agreement", f"store={store}")
    assert code == 0 and out["agreement"]["method"] == "cohen"
    assert out["agreement"]["n_items"] == 4 and out["agreement"]["observed_agreement"] == 0.75
    assert out["adjudicated_intervals"] == {"majority": 3, "exclude": 3}
    code, old = curate(monkeypatch, capsys, "agreement", f"store={store}",
                       f"version={first['version']}")
    assert code == 2 and "two raters" in old


def test_user_errors_exit_2(tmp_path, monkeypatch, capsys):
    code, err = curate(monkeypatch, capsys, "agreement", f"store={tmp_path}/none")
    assert code == 2 and "not a label store" in err
    code, err = curate(monkeypatch, capsys, "import", f"store={tmp_path}/s")
    assert code == 2 and "needs export=" in err
    code, err = curate(monkeypatch, capsys, "relabel")
    assert code == 2 and "usage: lbpnet-curate" in err


TINY_RUN = ["data=synthetic_lbp", "data.n_patients=6", "data.n_sessions=1",
            "trainer.max_epochs=1", "+trainer.limit_train_batches=2", "~callbacks.early_stopping",
            "logger=none", "trainer.accelerator=cpu", "trainer.enable_progress_bar=false",
            "audit.enabled=false"]


@pytest.mark.slow
def test_queue_import_retrain(tmp_path, monkeypatch, capsys, lbpnet_train_here):
    """SYNTHETIC cohort: train 1 epoch, queue the test side, a reviewer labels the first
    task's first 4 s (as a Label Studio export), retrain on that label-set version."""
    lbpnet_train_here(*TINY_RUN, "hydra.run.dir=run")
    capsys.readouterr()
    code, q = curate(monkeypatch, capsys, "queue", f"run_dir={tmp_path / 'run'}", "top_k=3",
                     "queue_id=q-e2e", "rate_hz=50")
    assert code == 0 and 1 <= q["tasks"] <= 3
    review = tmp_path / "run" / "review" / "q-e2e"
    tasks = json.loads((review / "label_studio" / "tasks.json").read_text())
    header = (review / "label_studio" / "csv" / f"{tasks[0]['data']['task_id']}.csv"
              ).read_text().splitlines()[0].split(",")
    assert header[0] == "time" and len(header) > 10
    data = tasks[0]["data"]
    start, end = data["start_s"], data["start_s"] + 4.0
    label = json.loads((review / "queue.json").read_text())["classes"][0]
    export = [{"id": 1, "data": data, "annotations": [{"completed_by": {"email": "dr_a"},
               "created_at": "2026-12-02T07:00:00Z", "result": [
                   {"id": "r1", "type": "timeserieslabels", "from_name": "label",
                    "to_name": "ts", "value": {"start": start, "end": end,
                                               "timeserieslabels": [label]}}]}]}]
    (tmp_path / "export.json").write_text(json.dumps(export))
    code, imp = curate(monkeypatch, capsys, "import", f"export={tmp_path / 'export.json'}",
                       f"store={tmp_path / 'store'}", f"queue={review}")
    assert code == 0 and imp["added"] == 1
    lbpnet_train_here(*TINY_RUN, "hydra.run.dir=run2", imp["train_with"],
                      f"ckpt_path={tmp_path / 'run' / 'checkpoints' / 'last.ckpt'}",
                      "trainer.max_epochs=2")
    metrics = json.loads((tmp_path / "run2" / "metrics.json").read_text())
    lineage = metrics["lineage"]
    assert lineage["labels"]["version"] == imp["version"]
    assert lineage["labels"]["recordings"] == [data["recording"]]
    assert lineage["parent_checkpoint"]["via"] == "ckpt_path"
