"""The review queue: windows worth an expert's look, grouped into reviewer tasks.

A window is *flagged* for any of three reasons, each stated in the task:

``novel``
    one or more novelty detectors flag it (``WindowScores.is_novel``); a window
    that fails quality control is an artefact, never a novelty, and is left out;
``uncertain``
    its predictive uncertainty is above the ``uncertainty_quantile`` of the scored
    windows (only when the scores carry an uncertainty);
``disagrees``
    it carries a label (``label >= 0``) the model does not predict.

Its priority is the share of detectors that flag it, plus 1 for a disagreement,
plus the uncertainty's rank (0..1) when uncertain. Flagged windows of one
recording are merged into one contiguous segment while the gap to the next is at
most ``gap_s`` and the segment stays within ``max_segment_s``; a task's priority
is the highest of its windows. Tasks are ranked by priority, cut to ``top_k`` and
to ``budget_minutes`` of reviewer time at ``seconds_per_task`` each.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass

import numpy as np

from lbpnet.errors import ConfigError


@dataclass
class ReviewTask:
    """One reviewer task: one contiguous stretch of one recording.

    Parameters
    ----------
    task_id : str
        Stable id (hash of queue id, recording and interval).
    recording : str
        The recording key.
    start_s, end_s : float
        The segment (s, recording clock).
    n_windows : int
        Flagged windows merged into it.
    priority : float
        Highest window priority (see module docstring).
    reasons : str
        e.g. ``"novel (knn, energy) x3; disagrees: labelled sitting, predicted standing x1"``.
    predicted : str
        The model's most frequent prediction over the windows.
    confidence : float
        Mean top-class probability over the windows (0..1).
    existing_label : str
        The most frequent existing label ('' if none).
    """

    task_id: str
    recording: str
    start_s: float
    end_s: float
    n_windows: int
    priority: float
    reasons: str
    predicted: str
    confidence: float
    existing_label: str = ""

    def to_dict(self) -> dict:
        """The task as a plain dict (CSV row, JSON)."""
        return asdict(self)


def window_reasons(scores, uncertainty_quantile: float = 0.95):
    """Per window: priority (n,), flagged (n,) bool and a list of reason tuples.

    ``scores`` is a :class:`lbpnet.curation.window_scores.WindowScores` (or anything with
    its fields: ``recording``, ``start_s``, ``end_s``, ``label``, ``probs``,
    ``classes``, ``is_novel``, ``qc_failed``, ``uncertainty``).
    """
    n = len(scores.start_s)
    probs = np.asarray(scores.probs, dtype=float)
    pred = probs.argmax(axis=1)
    label = np.asarray(scores.label).astype(int)
    qc_failed = np.asarray(scores.qc_failed, dtype=bool)
    detectors = sorted(scores.is_novel)
    novel = (np.stack([np.asarray(scores.is_novel[d], bool) for d in detectors], axis=1)
             if detectors else np.zeros((n, 0), bool)) & ~qc_failed[:, None]
    priority = novel.mean(axis=1) if detectors else np.zeros(n)
    disagrees = (label >= 0) & (label != pred) & ~qc_failed
    priority = priority + disagrees
    uncertain = np.zeros(n, bool)
    if getattr(scores, "uncertainty", None) is not None:
        u = np.asarray(scores.uncertainty, dtype=float)
        uncertain = (u > np.quantile(u, uncertainty_quantile)) & ~qc_failed
        rank = u.argsort().argsort() / max(n - 1, 1)
        priority = priority + uncertain * rank
    reasons = []
    for i in range(n):
        r = []
        if novel[i].any():
            r.append(("novel", ", ".join(d for d, f in zip(detectors, novel[i]) if f)))
        if uncertain[i]:
            r.append(("uncertain", ""))
        if disagrees[i]:
            r.append(("disagrees", f"labelled {scores.classes[label[i]]}, predicted "
                                   f"{scores.classes[pred[i]]}"))
        reasons.append(r)
    flagged = novel.any(axis=1) | uncertain | disagrees
    return priority, flagged, reasons


def _describe(reasons: list[list[tuple]]) -> str:
    counts: dict[str, int] = {}
    for r in reasons:
        for kind, detail in r:
            key = f"{kind} ({detail})" if kind == "novel" else (
                f"{kind}: {detail}" if detail else kind)
            counts[key] = counts.get(key, 0) + 1
    return "; ".join(f"{k} x{v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))


def build_queue(scores, queue_id: str = "queue", gap_s: float = 2.0, max_segment_s: float = 60.0,
                top_k: int | None = None, budget_minutes: float | None = None,
                seconds_per_task: float = 60.0,
                uncertainty_quantile: float = 0.95) -> list[ReviewTask]:
    """Rank flagged windows and group them into reviewer tasks.

    Parameters
    ----------
    scores : WindowScores
        Per-window scores of a trained run (n windows).
    queue_id : str
        Names the queue (it goes into every task id and every label's source).
    gap_s : float
        Flagged windows of one recording closer than this (s, end to start) join one task.
    max_segment_s : float
        Longest task (s); a longer stretch is cut into several tasks.
    top_k : int, optional
        At most this many tasks.
    budget_minutes : float, optional
        Reviewer time available; at most ``floor(60 * budget_minutes / seconds_per_task)``
        tasks.
    seconds_per_task : float
        Reviewer time one task takes (s).
    uncertainty_quantile : float
        Windows above this quantile of uncertainty are flagged ``uncertain``.

    Returns
    -------
    list of ReviewTask
        Highest priority first.
    """
    if gap_s < 0 or max_segment_s <= 0 or seconds_per_task <= 0:
        raise ConfigError("gap_s must be >= 0, max_segment_s and seconds_per_task > 0",
                          field="queue", fix="give positive durations in seconds")
    priority, flagged, reasons = window_reasons(scores, uncertainty_quantile)
    probs = np.asarray(scores.probs, dtype=float)
    start, end = np.asarray(scores.start_s, float), np.asarray(scores.end_s, float)
    recording = np.asarray([str(r) for r in scores.recording], dtype=object)
    label = np.asarray(scores.label).astype(int)
    tasks = []
    for rec in sorted(set(recording[flagged].tolist())):
        idx = np.flatnonzero(flagged & (recording == rec))
        idx = idx[np.argsort(start[idx], kind="stable")]
        group = [idx[0]]
        for i in list(idx[1:]) + [None]:
            seg_end = max(end[g] for g in group)
            if i is not None and start[i] - seg_end <= gap_s and \
                    max(end[i], seg_end) - start[group[0]] <= max_segment_s:
                group.append(i)
                continue
            tasks.append(_task(queue_id, rec, group, start, end, priority, reasons, probs,
                               label, scores.classes))
            if i is not None:
                group = [i]
    tasks.sort(key=lambda t: (-t.priority, t.recording, t.start_s))
    limit = len(tasks)
    if top_k is not None:
        limit = min(limit, int(top_k))
    if budget_minutes is not None:
        limit = min(limit, int(np.floor(60.0 * float(budget_minutes) / seconds_per_task)))
    return tasks[:limit]


def _task(queue_id, rec, group, start, end, priority, reasons, probs, label, classes):
    g = np.asarray(group)
    s, e = float(start[g].min()), float(end[g].max())
    pred = probs[g].argmax(axis=1)
    known = label[g][label[g] >= 0]
    tid = hashlib.sha256(f"{queue_id}|{rec}|{s:.3f}|{e:.3f}".encode()).hexdigest()[:12]
    return ReviewTask(task_id=tid, recording=rec, start_s=s, end_s=e, n_windows=len(g),
                      priority=round(float(priority[g].max()), 6),
                      reasons=_describe([reasons[i] for i in g]),
                      predicted=classes[int(np.bincount(pred).argmax())],
                      confidence=round(float(probs[g].max(axis=1).mean()), 4),
                      existing_label=classes[int(np.bincount(known).argmax())]
                      if known.size else "")
