"""Faithfulness, ground truth and randomisation checks of every attribution method on
trained runs; writes one JSON per task into ``results/`` (``collect.py`` makes the table).

    python experiments/explanation_faithfulness/evaluate.py TASK RUN_DIR [RANDOM_LABEL_RUN]
        [--windows 64] [--sanity-windows 16]

TASK is ``synthetic_strategy`` (SYNTHETIC: windows of the test patients with at least one
planted strategy; each window explains the planted strategy the model finds most likely;
ground truth from the simulator) or ``hapt_activity`` (real: test windows, explaining
the predicted activity; no ground truth exists).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

from lbpnet.atomic import atomic_write_json
from lbpnet.cli.config_path import CONFIG_DIR
from lbpnet.cli.explain import load_explainer
from lbpnet.explain import sanity
from lbpnet.explain.attribute import ExplainConfig, Explainer
from lbpnet.explain.ground_truth import ground_truth_masks, localisation

HERE = Path(__file__).parent
# (method, attribution baseline); every row removes cells with the same "permuted" baseline
# (occlusion with one-segment windows ablates the same cells as feature_ablation: the tests
# check they agree, so it is not repeated here to save CPU)
ROWS = [("integrated_gradients", "mean"), ("integrated_gradients", "permuted"),
        ("gradient_shap", "permuted"), ("saliency", "mean"),
        ("feature_ablation", "mean"), ("feature_ablation", "permuted")]


def cfg_for(run_dir: str):
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose("explain", overrides=[f"run_dir={run_dir}", "device=cpu"])


def choose_windows(dm, explainer, task: str, n: int, seed: int):
    """(dataset, indices, per-window target output) on the test side."""
    ds = dm.datasets["test"]
    rng = np.random.default_rng(seed)
    if task != "synthetic_strategy":
        idx = np.sort(rng.choice(len(ds), min(n, len(ds)), replace=False))
        return ds, idx, None
    t = np.nan_to_num(ds.index.targets) > 0.5
    pos = np.flatnonzero(t.any(1))
    rare = [i for i in pos if t[i].sum() == 1 and t[i].argmax() in (3, 4)]   # fatigue, AFR
    rest = rng.permutation(np.setdiff1d(pos, rare))[: max(n - len(rare), 0)]
    idx = np.sort(np.concatenate([rare, rest]).astype(int))[:n]
    batch = ds.__getitems__(idx)
    with torch.no_grad():
        probs = explainer.forward.probabilities(
            *[batch["signals"][m] for m in explainer.layout.modalities]).numpy()
    targets = np.where(t[idx], probs, -1.0).argmax(1)      # the planted output most believed
    return ds, idx, targets


def run(task: str, run_dir: str, random_run: str | None, n: int, n_sanity: int,
        seed: int = 0) -> dict:
    torch.set_num_threads(1)
    base, dm, _, prov = load_explainer(cfg_for(run_dir))
    ds, idx, targets = choose_windows(dm, base, task, n, seed)
    random_model = None
    if random_run:
        random_model = load_explainer(cfg_for(random_run))[0].model
    out = {"task": task, "run_dir": run_dir, "checkpoint_sha256": prov["checkpoint_sha256"],
           "synthetic": prov["synthetic"], "n_windows": int(len(idx)),
           "segments": base.edges.tolist(), "channels": base.layout.channels,
           "outputs": base.output_names, "rows": []}
    for method, baseline in ROWS:
        cfg = ExplainConfig(method=method, baseline=baseline, target="predicted", batch_size=32,
                            n_steps=32, n_samples=16, perturbations_per_eval=16,
                            faithfulness=True, removal_baseline="permuted", seed=seed)

        def explainer(model):
            return Explainer(model, base.layout, base.edges, base.output_names, cfg,
                             base.multi_label, "cpu")
        t0 = time.perf_counter()
        torch.manual_seed(seed)
        res = explainer(base.model).explain_dataset(ds, idx, targets)
        row = {"method": method, "baseline": baseline,
               "seconds_per_window": (time.perf_counter() - t0) / len(idx), **res.faithfulness}
        if task == "synthetic_strategy":
            labels = [res.output_names[k] for k in res.target]
            truth = ground_truth_masks(ds, idx, res.channels, res.segment_edges_s, labels)
            row.update({f"gt_{k}": v for k, v in localisation(res.matrix, truth).items()})
        cfg.faithfulness = False
        sub = idx[:n_sanity]
        sub_t = res.target[:n_sanity]

        def matrix(model, seed_offset=0):
            # same windows, batches and seeds as the reference: only the model differs
            cfg.seed = seed + seed_offset
            torch.manual_seed(cfg.seed)
            return explainer(model).explain_dataset(ds, sub, sub_t).matrix
        ref = matrix(base.model)
        rerun = matrix(base.model, seed_offset=1)     # another draw of any random part
        row["rerun_spearman"] = sanity.rank_correlation(ref, rerun)["spearman_mean"]
        row["rerun_spearman_abs"] = sanity.rank_correlation(ref, rerun, True)["spearman_mean"]
        for name, frac, model in sanity.cascading(base.model, stages=4, seed=seed):
            m = matrix(model)
            key = f"cascade_{int(round(frac * 100))}"
            row[f"{key}_spearman"] = sanity.rank_correlation(ref, m)["spearman_mean"]
            row[f"{key}_spearman_abs"] = sanity.rank_correlation(ref, m, True)["spearman_mean"]
        if random_model is not None:
            m = matrix(random_model)
            row["random_labels_spearman"] = sanity.rank_correlation(ref, m)["spearman_mean"]
            row["random_labels_spearman_abs"] = sanity.rank_correlation(ref, m,
                                                                        True)["spearman_mean"]
        out["rows"].append(row)
        print(json.dumps({k: (round(v, 3) if isinstance(v, float) else v)
                          for k, v in row.items()}), flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("task", choices=["synthetic_strategy", "hapt_activity"])
    ap.add_argument("run_dir")
    ap.add_argument("random_run", nargs="?")
    ap.add_argument("--windows", type=int, default=64)
    ap.add_argument("--sanity-windows", type=int, default=16)
    a = ap.parse_args()
    result = run(a.task, a.run_dir, a.random_run, a.windows, a.sanity_windows)
    atomic_write_json(HERE / "results" / f"{a.task}.json", result)


if __name__ == "__main__":
    main()
