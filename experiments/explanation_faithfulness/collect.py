"""Write results.md from results/<task>.json (written by evaluate.py).

The default method for reports is chosen here, from the numbers, by this rule:
among rows whose attribution (a) beats the random ranking on both deletion and insertion
and (b) decorrelates after full model randomisation (|Spearman| < 0.3, signed), take the
one with the largest faithfulness gain (random deletion AUC − deletion AUC) +
(insertion AUC − random insertion AUC), summed over tasks.
"""

from __future__ import annotations

import json
from pathlib import Path

from lbpnet.atomic import atomic_write_text

HERE = Path(__file__).parent
TASKS = {"synthetic_strategy": "synthetic strategy detection (SYNTHETIC, simulator)",
         "hapt_activity": "HAPT activity recognition (real)"}


def fmt(x, digits=3) -> str:
    if x is None or (isinstance(x, float) and x != x):
        return "–"
    return f"{x:.{digits}f}"


def gain(r: dict) -> float:
    return (r["random_deletion_auc"] - r["deletion_auc"]) + (
        r["insertion_auc"] - r["random_insertion_auc"])


def passes(r: dict) -> bool:
    return (r["deletion_auc"] < r["random_deletion_auc"]
            and r["insertion_auc"] > r["random_insertion_auc"]
            and abs(r.get("cascade_100_spearman", 1.0)) < 0.3)


def table(res: dict) -> list[str]:
    gt = any("gt_auprc" in r for r in res["rows"])
    head = ["method (attribution baseline)", "deletion AUC ↓ (random)",
            "insertion AUC ↑ (random)", "compr.@10 % ↑ (random)", "suff.@10 % ↓ (random)"]
    if gt:
        head += ["GT AUPRC (chance)", "GT AUP", "GT AUR"]
    head += ["ρ re-run (magnitude)", "ρ head+ (~25 %) randomised", "ρ fully randomised (magnitude)"]
    if any("random_labels_spearman" in r for r in res["rows"]):
        head += ["ρ random labels (magnitude)"]
    head += ["s / window"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in res["rows"]:
        first = min((k for k in r if k.startswith("cascade_") and k.endswith("_spearman")),
                    key=lambda k: int(k.split("_")[1]))
        cells = [f"{r['method']} ({r['baseline']})",
                 f"{fmt(r['deletion_auc'])} ({fmt(r['random_deletion_auc'])})",
                 f"{fmt(r['insertion_auc'])} ({fmt(r['random_insertion_auc'])})",
                 f"{fmt(r['comprehensiveness_10'])} ({fmt(r['random_comprehensiveness_10'])})",
                 f"{fmt(r['sufficiency_10'])} ({fmt(r['random_sufficiency_10'])})"]
        if gt:
            cells += [f"{fmt(r.get('gt_auprc'))} ({fmt(r.get('gt_auprc_chance'))})",
                      fmt(r.get("gt_aup")), fmt(r.get("gt_aur"))]
        cells += [f"{fmt(r.get('rerun_spearman'), 2)} ({fmt(r.get('rerun_spearman_abs'), 2)})",
                  fmt(r[first], 2),
                  f"{fmt(r['cascade_100_spearman'], 2)} ({fmt(r['cascade_100_spearman_abs'], 2)})"]
        if "random_labels_spearman" in r:
            cells += [f"{fmt(r['random_labels_spearman'], 2)} "
                      f"({fmt(r['random_labels_spearman_abs'], 2)})"]
        elif any("random_labels_spearman" in x for x in res["rows"]):
            cells += ["–"]
        cells += [fmt(r["seconds_per_window"], 2)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def choose_default(results: dict) -> tuple[str | None, dict]:
    scores: dict[str, float] = {}
    ok: dict[str, bool] = {}
    for res in results.values():
        for r in res["rows"]:
            key = f"{r['method']} ({r['baseline']})"
            scores[key] = scores.get(key, 0.0) + gain(r)
            ok[key] = ok.get(key, True) and passes(r)
    eligible = {k: v for k, v in scores.items() if ok[k]}
    best = max(eligible, key=eligible.get) if eligible else None
    return best, scores


def main() -> None:
    results = {t: json.loads((HERE / "results" / f"{t}.json").read_text())
               for t in TASKS if (HERE / "results" / f"{t}.json").is_file()}
    out = ["# Explanation faithfulness — results", "",
           "Written by `collect.py` from `results/*.json` (`evaluate.py`, `run.sh`). "
           "Cells are channel × one of 4 equal segments of the window; removed cells are replaced by the same cells "
           "of another window of the batch (`permuted`, in-distribution) for every method. "
           "Probabilities are those of the explained output. ρ = mean Spearman rank correlation "
           "per window between the original attribution and the one after randomisation "
           "(signed; in brackets of magnitudes); a faithful method goes towards 0.", ""]
    for task, res in results.items():
        out += [f"## {TASKS[task]}", "",
                f"{res['n_windows']} test windows; {len(res['channels'])} channels × "
                f"{len(res['segments']) - 1} segments; checkpoint sha256 "
                f"`{res['checkpoint_sha256'][:12]}`; synthetic: {res['synthetic']}.", ""]
        out += table(res) + [""]
    best, scores = choose_default(results)
    out += ["## Default method for reports", "",
            "Rule (in `collect.py`): beats the random ranking on deletion and insertion in "
            "every task, decorrelates after full model randomisation (|ρ| < 0.3), and has the "
            "largest summed gain (random deletion AUC − deletion AUC) + (insertion AUC − "
            "random insertion AUC).", "",
            "| method (baseline) | summed gain |", "|---|---|"]
    out += [f"| {k} | {v:.3f} |" for k, v in sorted(scores.items(), key=lambda kv: -kv[1])]
    out += ["", f"**Default: {best}**" if best else "**No method passes the rule.**", ""]
    atomic_write_text(HERE / "results.md", "\n".join(out))
    print("\n".join(out))


if __name__ == "__main__":
    main()
