"""Score one trained run's test windows for novelty and write AUROC / FPR@95TPR per detector.

    python experiments/novelty/score.py hapt <run_dir> <out.json>
    python experiments/novelty/score.py simulated <run_dir> <out.json>

hapt: the run was trained on the 6 basic HAPT activities; its test subjects' windows are
scored with the 12-class label set, so that the 6 postural transitions (label ids 7-12)
are present: in distribution = windows of the 6 basic activities, novel = transitions.
simulated (SYNTHETIC cohort): novel = windows overlapping a planted ``novel/*`` event by
at least half a window, artefact = windows overlapping an ``artefact/*`` event by as much
and no novel event, in distribution = windows touching neither.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from lbpnet.atomic import atomic_write_json
from lbpnet.curation.novelty import auroc, fpr_at_tpr
from lbpnet.curation.run_outputs import load_run
from lbpnet.curation.window_scores import score_windows

HAPT12 = ("data.module.classes=[walking,walking_upstairs,walking_downstairs,sitting,standing,"
          "laying,stand_to_sit,sit_to_stand,sit_to_lie,lie_to_sit,stand_to_lie,lie_to_stand]")
TRANSITIONS = {"stand_to_sit", "sit_to_stand", "sit_to_lie", "lie_to_sit", "stand_to_lie",
               "lie_to_stand"}


def overlap(ws, recordings, prefix: str) -> np.ndarray:
    """Seconds of each window covered by annotations whose label starts with ``prefix``."""
    by_key = {r.key: r for r in recordings}
    out = np.zeros(len(ws))
    for i, (key, a, b) in enumerate(zip(ws.recording, ws.start_s, ws.end_s)):
        ann = by_key[key].annotations
        sel = np.asarray([str(x).startswith(prefix) for x in ann.label], dtype=bool)
        if sel.any():
            lo = np.maximum(ann.onset[sel], a)
            hi = np.minimum(ann.onset[sel] + ann.duration[sel], b)
            out[i] = np.clip(hi - lo, 0, None).sum()
    return out


def evaluate(ws, novel: np.ndarray, inlier: np.ndarray) -> dict:
    keep = novel | inlier
    rows = {}
    scores = dict(ws.scores)
    if ws.uncertainty is not None:
        scores["mc_dropout_entropy"] = ws.uncertainty
    for name, s in scores.items():
        rows[name] = {"auroc": auroc(s[keep], novel[keep]),
                      "fpr_at_95tpr": fpr_at_tpr(s[keep], novel[keep]),
                      "flagged_novel": float(ws.is_novel[name][novel].mean())
                      if name in ws.is_novel else None,
                      "flagged_inlier": float(ws.is_novel[name][inlier].mean())
                      if name in ws.is_novel else None}
    return rows


def main(kind: str, run_dir: str, out: str) -> None:
    if kind == "hapt":
        ws = score_windows(run_dir, "test", mc_dropout_passes=10, data_overrides=[HAPT12])
        names = np.asarray(ws.label_name, dtype=object)
        novel = np.isin(names, list(TRANSITIONS))
        inlier = ws.label >= 0
        result = {"novel_vs_inlier": evaluate(ws, novel, inlier)}
    else:
        ws = score_windows(run_dir, "test", mc_dropout_passes=10)
        recs = load_run(run_dir).datamodule.recordings
        length = ws.end_s - ws.start_s
        nov = overlap(ws, recs, "novel/") >= 0.5 * length
        art = (overlap(ws, recs, "artefact/") >= 0.5 * length) & ~nov
        inlier = (overlap(ws, recs, "novel/") == 0) & (overlap(ws, recs, "artefact/") == 0)
        result = {"novel_vs_inlier": evaluate(ws, nov, inlier),
                  "artefact_vs_inlier": evaluate(ws, art, inlier),
                  "qc": {"artefact_windows_qc_failed": float(ws.qc_failed[art].mean()),
                         "novel_windows_qc_failed": float(ws.qc_failed[nov].mean()),
                         "inlier_windows_qc_failed": float(ws.qc_failed[inlier].mean())}}
        novel, inlier = nov, inlier
        result["counts_artefact"] = int(art.sum())
    result.update({"kind": kind, "run_dir": str(run_dir), "windows": len(ws),
                   "novel": int(novel.sum()), "inlier": int(inlier.sum()),
                   "retention": ws.retention, "threshold_source": ws.threshold_source,
                   "thresholds": ws.thresholds,
                   "synthetic": kind == "simulated"})
    atomic_write_json(Path(out), result)
    print(json.dumps({k: v["auroc"] for k, v in result["novel_vs_inlier"].items()}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
