"""Review queue: reasons per window, contiguous tasks, top_k and budget (hand-made scores)."""

import numpy as np
import pytest

from lbpnet.curation.queue import build_queue, window_reasons
from lbpnet.curation.queue_files import read_queue, write_queue
from lbpnet.curation.window_scores import WindowScores
from lbpnet.errors import ConfigError

CLASSES = ["sitting", "standing"]


def scores(n=20, novel=(), disagree=(), qc=(), rec="sub-01", uncertainty=None):
    """n 2-s windows at 1-s stride on one recording; all predicted sitting (p=0.8),
    labelled sitting except ``disagree`` (labelled standing)."""
    probs = np.tile([0.8, 0.2], (n, 1))
    label = np.zeros(n, int)
    label[list(disagree)] = 1
    flag = np.zeros(n, bool)
    flag[list(novel)] = True
    qc_failed = np.zeros(n, bool)
    qc_failed[list(qc)] = True
    return WindowScores([rec] * n, np.arange(n, dtype=float), np.arange(n) + 2.0, label, probs,
                        CLASSES, {"knn": flag * 1.0, "energy": flag * 1.0},
                        {"knn": 0.5, "energy": 0.5},
                        {"knn": flag & ~qc_failed, "energy": flag.copy() & ~qc_failed},
                        qc_failed, uncertainty)


def test_adjacent_windows_become_one_task_with_reasons():
    tasks = build_queue(scores(novel=[3, 4, 5, 6], disagree=[15]), gap_s=1.0)
    assert [(t.start_s, t.end_s, t.n_windows) for t in tasks] == [(3, 8, 4), (15, 17, 1)]
    assert tasks[0].priority == 1.0 and "novel (energy, knn) x4" in tasks[0].reasons
    assert "disagrees: labelled standing, predicted sitting x1" in tasks[1].reasons
    assert tasks[0].predicted == "sitting" and tasks[1].existing_label == "standing"


def test_max_segment_and_gap_split_tasks():
    tasks = build_queue(scores(n=40, novel=range(0, 30)), gap_s=0.0, max_segment_s=10.0)
    assert all(t.end_s - t.start_s <= 10.0 for t in tasks)
    assert sum(t.n_windows for t in tasks) == 30 and len(tasks) >= 3
    far = build_queue(scores(novel=[2, 12]), gap_s=3.0)    # 12 - 4 = 8 s apart: two tasks
    assert len(far) == 2


def test_qc_failed_is_artefact_not_novelty():
    ws = scores(novel=[3, 4], qc=[3, 4], disagree=[4])
    assert build_queue(ws) == []
    _, flagged, _ = window_reasons(ws)
    assert not flagged.any()


def test_top_k_and_budget():
    ws = scores(n=60, novel=[0, 10, 20, 30, 40], disagree=[10, 30])
    assert len(build_queue(ws)) == 5
    top = build_queue(ws, top_k=2)
    assert [t.start_s for t in top] == [10, 30]            # novel + disagreement rank first
    assert len(build_queue(ws, budget_minutes=3, seconds_per_task=60)) == 3
    assert len(build_queue(ws, top_k=4, budget_minutes=1.5, seconds_per_task=30)) == 3
    with pytest.raises(ConfigError):
        build_queue(ws, seconds_per_task=0)


def test_uncertain_windows_flagged():
    u = np.zeros(20)
    u[7] = 3.0
    tasks = build_queue(scores(uncertainty=u), uncertainty_quantile=0.9)
    assert [(t.start_s, t.reasons) for t in tasks] == [(7.0, "uncertain x1")]


def test_queue_files_round_trip(tmp_path):
    tasks = build_queue(scores(novel=[3, 4]))
    write_queue(tasks, tmp_path, "q1", CLASSES, "abc123", settings={"top_k": None})
    q = read_queue(tmp_path)
    assert q["queue"] == "q1" and q["tasks"][0]["task_id"] == tasks[0].task_id
    header = (tmp_path / "queue.csv").read_text().splitlines()[0]
    assert header.endswith("label,annotator,reason")
