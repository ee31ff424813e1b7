"""Window-level precision and recall of the QC checks on the simulator's labelled artefacts.

SYNTHETIC data. Ground truth: the simulator's ``artefact/<kind>`` annotations. A window is a
positive for a kind when one of its events covers at least ``MIN_OVERLAP_S`` of it (for
``electrode_pop``: when the pop's onset, the step, lies inside it — the simulated pop decays
with a 0.2 s time constant, so its tail is < 1 % after 1 s); a window that touches an event
less than that is left out of that kind's counts (neither positive nor negative); every other
window is a negative.
"""

from __future__ import annotations

import numpy as np

from lbpnet.datasets.simulator import load_synthetic_lbp
from lbpnet.qc import QCConfig, score_recording
from lbpnet.windows.index import window_starts

MIN_OVERLAP_S = 0.5
CHECK_OF = {"powerline": "emg/powerline", "ecg_contamination": "emg/ecg_contamination",
            "motion": "emg/motion", "electrode_pop": "emg/electrode_pop",
            "clipping": "emg/clipping", "flat_line": "emg/flat_line",
            "imu_dropout": "imu/dropout", "sensor_swap": "emg/placement"}


def _overlap(starts, length, onsets, durations):
    ov = np.zeros(len(starts))
    for on, du in zip(onsets, durations):
        ov = np.maximum(ov, np.clip(np.minimum(starts + length, on + du)
                                    - np.maximum(starts, on), 0, None))
    return ov


def truth(rec, starts, length):
    """Per kind: 1 positive, 0 negative, -1 left out; plus 'clean' (no artefact, no novel
    pattern) and 'novel' (a novel pattern, no artefact)."""
    ann = rec.annotations
    out = {}
    touched_any = np.zeros(len(starts), bool)
    for kind in CHECK_OF:
        m = ann.label == f"artefact/{kind}"
        ov = _overlap(starts, length, ann.onset[m], ann.duration[m])
        if kind == "electrode_pop":
            pos = np.zeros(len(starts), bool)
            for on in ann.onset[m]:
                pos |= (on >= starts) & (on < starts + length - 0.1)
        else:
            pos = ov >= MIN_OVERLAP_S
        lab = np.where(pos, 1, np.where(ov > 0, -1, 0))
        out[kind] = lab
        touched_any |= ov > 0
    novel = np.array([lab.startswith("novel/") for lab in ann.label], bool)
    near_novel = _overlap(starts, length, ann.onset[novel], ann.duration[novel]) > 0
    out["novel"] = near_novel & ~touched_any          # a novel pattern and no artefact
    out["clean"] = ~touched_any & ~near_novel
    return out


def evaluate(seed=1, n_patients=4, n_sessions=2, artefact_rate=3.0, novel_rate=0.3,
             length=2.0, stride=1.0, root=None, config=None):
    """Rows of the results table, and a summary (mask-level counts, clean/novel false
    alarms, and the per-recording :class:`RecordingQuality` results)."""
    recs = load_synthetic_lbp(root=root, n_patients=n_patients, n_sessions=n_sessions,
                              seed=seed, artefact_rate=artefact_rate, novel_rate=novel_rate)
    cfg = config or QCConfig()
    acc = {k: dict(tp=0, fp=0, fn=0, fp_other=0, left_out=0, events=0) for k in CHECK_OF}
    clean_n, clean_flag, novel_n, novel_flag = 0, {}, 0, {}
    mask = dict(tp=0, fp=0, fn=0, tp_no_swap=0, fn_no_swap=0)
    n_windows = 0
    results = []
    cross: dict[str, dict[str, int]] = {}
    for rec in recs:
        assert rec.metadata.get("synthetic") is True
        starts = window_starts(rec.start_time, rec.end_time, length, stride)
        res = score_recording(rec, starts, length, cfg)
        results.append(res)
        names, flags = res.flag_table()
        col = {n: flags[:, j] for j, n in enumerate(names)}
        gt = truth(rec, starts, length)
        n_windows += len(starts)
        any_art = np.zeros(len(starts), bool)
        no_swap = np.zeros(len(starts), bool)
        for kind, check in CHECK_OF.items():
            f, lab = col.get(check, np.zeros(len(starts), bool)), gt[kind]
            a = acc[kind]
            a["events"] += int((rec.annotations.label == f"artefact/{kind}").sum())
            a["tp"] += int((f & (lab == 1)).sum())
            a["fn"] += int((~f & (lab == 1)).sum())
            a["fp"] += int((f & (lab == 0)).sum())
            other = np.zeros(len(starts), bool)
            for k2 in CHECK_OF:
                if k2 != kind:
                    other |= gt[k2] != 0
            a["fp_other"] += int((f & (lab == 0) & other).sum())
            a["left_out"] += int((lab == -1).sum())
            any_art |= lab == 1
            if kind != "sensor_swap":
                no_swap |= lab == 1
        bad = res.quality() == 0
        clean_n += int(gt["clean"].sum())
        novel_n += int(gt["novel"].sum())
        for n, f in col.items():
            c = cross.setdefault(n, {"flagged": 0})
            c["flagged"] += int(f.sum())
            for kind in CHECK_OF:
                c[kind] = c.get(kind, 0) + int((f & (gt[kind] == 1)).sum())
            clean_flag[n] = clean_flag.get(n, 0) + int((f & gt["clean"]).sum())
            novel_flag[n] = novel_flag.get(n, 0) + int((f & gt["novel"]).sum())
        clean_flag["any"] = clean_flag.get("any", 0) + int((bad & gt["clean"]).sum())
        novel_flag["any"] = novel_flag.get("any", 0) + int((bad & gt["novel"]).sum())
        mask["tp"] += int((bad & any_art).sum())
        mask["fn"] += int((~bad & any_art).sum())
        mask["fp"] += int((bad & gt["clean"]).sum())
        mask["tp_no_swap"] += int((bad & no_swap).sum())
        mask["fn_no_swap"] += int((~bad & no_swap).sum())
    rows = []
    for kind, a in acc.items():
        p = a["tp"] / (a["tp"] + a["fp"]) if a["tp"] + a["fp"] else float("nan")
        r = a["tp"] / (a["tp"] + a["fn"]) if a["tp"] + a["fn"] else float("nan")
        rows.append({"artefact": kind, "check": CHECK_OF[kind], "events": a["events"],
                     "positives": a["tp"] + a["fn"], "tp": a["tp"], "fp": a["fp"],
                     "fp_in_other_artefact": a["fp_other"], "fn": a["fn"],
                     "left_out": a["left_out"], "precision": p, "recall": r})
    summary = {"recordings": len(recs), "windows": n_windows, "clean_windows": clean_n,
               "novel_windows": novel_n, "clean_flagged": clean_flag,
               "novel_flagged": novel_flag, "mask": mask, "results": results,
               "cross": {n: c for n, c in cross.items() if c["flagged"]}}
    return rows, summary
