"""Transparent baseline for strategy detection: interpretable window measures + logistic
regression, one per strategy, on exactly lbpnet's windows and patient split (SYNTHETIC data).

    python experiments/synthetic_strategy/feature_baseline.py experiment=synthetic_strategy [OUT.json]

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

from lbpnet.atomic import atomic_write_json
from lbpnet.cli.compose import fitted_datamodule
from lbpnet.features import emg_spectral_frequencies

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


def window_features(dm, side: str) -> tuple[np.ndarray, np.ndarray]:
    ds = dm.datasets[side]
    rec = dm.recordings[0]
    feats, targets = [], []
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
    return np.nan_to_num(np.concatenate(feats)), np.concatenate(targets)


def logistic_regression():
    """The per-label classifier: balanced, L2-regularised logistic regression on z-scores."""
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, C=0.1,
                                                              class_weight="balanced"))


def fit_and_score(x: dict, targets: list[str], make_classifier=logistic_regression) -> dict:
    """One classifier per label: fit on train (val picks the F1 threshold), refit on
    train+val, score AUROC / AUPRC / F1 on test. ``x[side] = (features, targets)``."""
    result = {"test_windows": int(len(x["test"][1])), "test/auroc": {}, "test/auprc": {},
              "test/f1": {}, "test/positives": {}}
    for k, name in enumerate(targets):
        def fit(sides):
            xs = np.concatenate([x[s][0] for s in sides])
            ys = np.concatenate([x[s][1][:, k] for s in sides])
            return make_classifier().fit(xs, ys > 0.5) if len(set(ys > 0.5)) == 2 else None
        threshold = 0.5
        clf = fit(["train"])
        if clf is not None and "val" in x and len(set(x["val"][1][:, k] > 0.5)) == 2:
            pv = clf.predict_proba(x["val"][0])[:, 1]
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
    for key in ("auroc", "auprc", "f1"):
        values = [v for v in result[f"test/{key}"].values() if v is not None]
        result[f"test/{key}_macro"] = float(np.mean(values)) if values else None
    return result


def main(argv: list[str]) -> dict:
    out = next((a for a in argv if a.endswith(".json")), None)
    overrides = [a for a in argv if not a.endswith(".json")]
    cfg, dm = fitted_datamodule(overrides, prefix="lbpnet-features-")
    x = {s: window_features(dm, s) for s in dm.datasets}
    result = {"model": "logistic regression on interpretable window measures (per label)",
              "synthetic": True, "overrides": overrides}
    result.update(fit_and_score(x, list(dm.targets)))
    print({k: v for k, v in result.items() if "macro" in k})
    if out:
        atomic_write_json(out, result)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
