"""Collect runs/*.json into results.md: AUROC and FPR@95TPR per detector, mean ± sd over seeds.

    python experiments/novelty/collect.py
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from lbpnet.atomic import atomic_write_text

HERE = Path(__file__).parent
DETECTORS = ["msp", "energy", "mahalanobis", "knn", "mc_dropout_entropy"]
SETS = [("hapt", "novel_vs_inlier", "(a) real UCI HAPT: postural transitions (unseen) vs the "
         "6 trained activities, UCI-HAR test subjects"),
        ("sim", "novel_vs_inlier", "(b) SYNTHETIC cohort: planted novel patterns (tremor, "
         "spasm) vs clean windows, test patients"),
        ("sim", "artefact_vs_inlier", "(b') SYNTHETIC cohort: planted artefacts vs clean "
         "windows (for contrast: artefacts are QC's job, not novelty's)")]


def ms(values) -> str:
    v = np.asarray(values, dtype=float)
    return f"{v.mean():.3f} ± {v.std(ddof=1) if len(v) > 1 else 0.0:.3f}"


def main() -> None:
    lines = ["# Novelty detectors: results", "",
             "Written by `collect.py` from `runs/*.json` (reproduce with `run.sh`). Mean ± sd "
             "over seeds (sample sd); AUROC: novel windows as positives (0.5 = chance); "
             "FPR@95TPR: share of in-distribution windows flagged when the threshold catches "
             "95 % of the novel ones (lower is better). `flagged` columns: share flagged by the "
             "threshold set on validation windows at 95 % retention.", ""]
    verdict = []
    for prefix, group, title in SETS:
        runs = [json.loads(p.read_text()) for p in sorted(HERE.glob(f"runs/{prefix}_seed*.json"))]
        if not runs:
            continue
        lines += [f"## {title}", "",
                  f"Seeds: {len(runs)}; test windows per seed: novel/artefact "
                  f"{[r['novel'] if group == 'novel_vs_inlier' else r['counts_artefact'] for r in runs]}"
                  f", in distribution {[r['inlier'] for r in runs]}.", "",
                  "| detector | AUROC | FPR@95TPR | flagged (novel) | flagged (in-dist.) |",
                  "|---|---|---|---|---|"]
        auc = {}
        for d in DETECTORS:
            rows = [r[group][d] for r in runs if d in r[group]]
            if not rows:
                continue
            auc[d] = [x["auroc"] for x in rows]
            fl = [x["flagged_novel"] for x in rows if x["flagged_novel"] is not None]
            fi = [x["flagged_inlier"] for x in rows if x["flagged_inlier"] is not None]
            lines.append(f"| {d} | {ms(auc[d])} | {ms([x['fpr_at_95tpr'] for x in rows])} | "
                         f"{ms(fl) if fl else '—'} | {ms(fi) if fi else '—'} |")
        if "qc" in runs[0] and group == "artefact_vs_inlier":
            q = {k: ms([r["qc"][k] for r in runs]) for k in runs[0]["qc"]}
            lines += ["", "Quality control (`qc=default`) flags, share of windows: "
                      + "; ".join(f"{k.replace('_', ' ')} {v}" for k, v in q.items()) + "."]
        if group == "novel_vs_inlier":
            best = max((d for d in auc if d != "msp"), key=lambda d: np.mean(auc[d]))
            gain = np.mean(auc[best]) - np.mean(auc["msp"])
            verdict.append(f"- {title.split(':')[0]}: best detector **{best}** AUROC "
                           f"{np.mean(auc[best]):.3f} vs MSP {np.mean(auc['msp']):.3f}: "
                           f"{gain:+.3f} — goal (≥ +0.05) {'met' if gain >= 0.05 else 'NOT met'}.")
        lines.append("")
    lines += ["## Verdict", ""] + verdict + [""]
    atomic_write_text(HERE / "results.md", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
