"""Transparent baseline for strategy detection: interpretable window measures + logistic
regression, one per strategy, on exactly lbpnet's windows and patient split (SYNTHETIC data).

    python experiments/synthetic_strategy/feature_baseline.py experiment=synthetic_strategy [OUT.json]

Features are computed once for every window of the cohort; then, for each fold of the
experiment's split (``split.k`` folds when the split has them, else the one split), the
classifiers are fitted and scored on that fold's sides. Per fold and label the output also
holds the number of test patients with a positive window and a 95 % interval of the AUROC
from a bootstrap over test patients (strategies are planted per patient: windows of one
patient are not independent evidence).

Measures per window (lbpnet.features where they exist):
- EMG, per channel: log RMS, median frequency (Welch, 20–450 Hz);
- co-contraction: log(flexor RMS / extensor RMS), mean over sides;
- asymmetry: |log(left RMS / right RMS)| per muscle;
- IMU, per channel: mean, standard deviation, range.
Fit on train+val patients (val picks each label's F1 threshold first), scored on test patients.
Needs scikit-learn (lbpnet[dev]).
"""

from __future__ import annotations

import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, f1_score, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import torch
from hydra.utils import instantiate

from lbpnet.atomic import atomic_write_json
from lbpnet.cli.compose import fitted_datamodule
from lbpnet.features import emg_spectral_frequencies
from lbpnet.tasks.strategy import subject_bootstrap_auroc

FLEXORS = ("rectus_abdominis", "external_oblique", "internal_oblique")


def emg_features(x: np.ndarray, names: list[str], fs: float) -> np.ndarray:
    """``x`` (n, C, T) EMG → (n, n_features) interpretable measures."""
    rms = np.sqrt((x.astype(np.float64) ** 2).mean(-1)) + 1e-6
    mdf = np.asarray(emg_spectral_frequencies(x, fs, band=(20.0, min(450.0, fs / 2 - 1)),
                                              on_invalid="mask")["median_frequency_hz"]
                     .filled(np.nan))
    flex = [i for i, n in enumerate(names) if n.startswith(FLEXORS)]
    ext = [i for i, n in enumerate(names) if i not in flex and not n.startswith("gluteus")]
    cocon = np.log(rms[:, flex].mean(1) / rms[:, ext].mean(1))[:, None]
    pairs = [(names.index(n), names.index(n[:-4] + "right")) for n in names
             if n.endswith("_left") and n[:-4] + "right" in names]
    asym = np.abs(np.log(rms[:, [a for a, _ in pairs]] / rms[:, [b for _, b in pairs]]))
    return np.concatenate([np.log(rms), mdf, cocon, asym], axis=1)


def window_features(dm, side: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features (n, F), targets (n, L) and recording position (n,) of the windows of ``side``."""
    ds = dm.datasets[side]
    rec = dm.recordings[0]
    feats, targets, recordings = [], [], []
    for start in range(0, len(ds), 512):
        batch = ds.__getitems__(np.arange(start, min(start + 512, len(ds))))
        parts = []
        for m, x in batch["signals"].items():
            x = x.numpy()
            if m == "emg":
                parts.append(emg_features(x, rec.streams[m].channel_names,
                                          rec.streams[m].sampling_rate))
            else:
                parts += [x.mean(-1), x.std(-1), x.max(-1) - x.min(-1)]
        feats.append(np.concatenate(parts, axis=1))
        targets.append(batch["targets"].numpy())
        recordings.append(batch["recording"].numpy())
    return (np.nan_to_num(np.concatenate(feats)), np.concatenate(targets),
            np.concatenate(recordings))


def logistic_regression():
    """The per-label classifier: balanced, L2-regularised logistic regression on z-scores."""
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, C=0.1,
                                                              class_weight="balanced"))


def fit_and_score(x: dict, targets: list[str], make_classifier=logistic_regression,
                  test_subjects=None) -> dict:
    """One classifier per label: fit on train (val picks the F1 threshold and is scored),
    refit on train+val, score AUROC / AUPRC / F1 on test. ``x[side] = (features, targets)``;
    ``test_subjects`` (n_test,): the patient of each test window, for the patient-level
    counts and bootstrap interval."""
    result = {"test_windows": int(len(x["test"][1])), "test/auroc": {}, "test/auprc": {},
              "test/f1": {}, "test/positives": {}, "val/auroc": {}}
    for k, name in enumerate(targets):
        def fit(sides):
            xs = np.concatenate([x[s][0] for s in sides])
            ys = np.concatenate([x[s][1][:, k] for s in sides])
            return make_classifier().fit(xs, ys > 0.5) if len(set(ys > 0.5)) == 2 else None
        threshold = 0.5
        clf = fit(["train"])
        if clf is not None and "val" in x and len(set(x["val"][1][:, k] > 0.5)) == 2:
            pv = clf.predict_proba(x["val"][0])[:, 1]
            result["val/auroc"][name] = float(roc_auc_score(x["val"][1][:, k] > 0.5, pv))
            grid = np.linspace(0.05, 0.95, 19)
            threshold = float(grid[np.argmax([f1_score(x["val"][1][:, k] > 0.5, pv >= t)
                                              for t in grid])])
        clf = fit([s for s in ("train", "val") if s in x]) or clf
        y = x["test"][1][:, k] > 0.5
        p = clf.predict_proba(x["test"][0])[:, 1] if clf is not None else np.zeros(len(y))
        both = len(set(y)) == 2
        result["test/auroc"][name] = float(roc_auc_score(y, p)) if both else None
        result["test/auprc"][name] = float(average_precision_score(y, p)) if both else None
        result["test/f1"][name] = float(f1_score(y, p >= threshold))
        result["test/positives"][name] = int(y.sum())
        if test_subjects is not None:
            result.setdefault("test/positive_subjects", {})[name] = len(set(test_subjects[y]))
            low, high = subject_bootstrap_auroc(torch.tensor(p)[:, None],
                                                torch.tensor(y, dtype=torch.float64)[:, None],
                                                test_subjects)
            result.setdefault("test/auroc_ci_low", {})[name] = None if low[0] != low[0] \
                else float(low[0])
            result.setdefault("test/auroc_ci_high", {})[name] = None if high[0] != high[0] \
                else float(high[0])
    for key in ("test/auroc", "test/auprc", "test/f1", "val/auroc"):
        values = [v for v in result[key].values() if v is not None]
        result[f"{key}_macro"] = float(np.mean(values)) if values else None
    return result


def fold_splits(cfg, recordings) -> list:
    """The experiment's split for every fold (``split.k`` folds), or its one split."""
    k = cfg.split.get("k") if "fold" in cfg.split else None
    if k is None:
        return [instantiate(cfg.split)(recordings)]
    return [instantiate(cfg.split, fold=f)(recordings) for f in range(int(k))]


def main(argv: list[str]) -> dict:
    out = next((a for a in argv if a.endswith(".json")), None)
    overrides = [a for a in argv if not a.endswith(".json")]
    cfg, dm = fitted_datamodule(overrides, prefix="lbpnet-features-")
    parts = [window_features(dm, s) for s in dm.datasets]     # every window, once
    feats, targets, recs = (np.concatenate([p[i] for p in parts]) for i in range(3))
    subject = np.array([dm.recordings[i].subject for i in recs])
    result = {"model": "logistic regression on interpretable window measures (per label)",
              "synthetic": True, "overrides": overrides, "folds": []}
    for split in fold_splits(cfg, dm.recordings):
        sides = {s: np.isin(recs, split.side(s)) for s in ("train", "val", "test")}
        x = {s: (feats[m], targets[m]) for s, m in sides.items() if m.any()}
        fold = fit_and_score(x, list(dm.targets), test_subjects=subject[sides["test"]])
        fold["split"] = split.name
        result["folds"].append(fold)
        print(split.name, {k: v for k, v in fold.items() if "macro" in k})
    if out:
        atomic_write_json(out, result)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
