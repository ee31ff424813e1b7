"""Profiles from strategy-detection outputs vs the planted phenotype (SYNTHETIC cohort).

    python experiments/monitoring_flags/profiles.py        # writes profiles.json, profiles.md

Cohort and split: ``experiment=synthetic_strategy`` (40 simulated patients, 8 per phenotype,
3 sessions, 2 s windows; 4 patient-disjoint folds stratified by phenotype, every patient
tested once). Strategy detector: the transparent one of
``experiments/synthetic_strategy/feature_baseline.py`` (interpretable window measures +
one logistic regression per strategy, fitted on the fold's training and validation patients'
windows and their strategy labels). Its per-window probabilities of each test patient's first
session are turned into a profile by :func:`lbpnet.monitoring.session_profile` (fixed
threshold 0.5, nothing tuned on test). Baseline ("features only"): a multinomial logistic
regression from the patient's session-1 mean window measures straight to the phenotype,
fitted on the same patients. Truth: the simulator's planted phenotype (``control`` ->
``no_dominant_profile``).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, confusion_matrix
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from lbpnet.atomic import atomic_write_json, atomic_write_text
from lbpnet.cli.compose import fitted_datamodule
from lbpnet.monitoring.profiles import NONE, PROFILE_STRATEGIES, STRATEGIES, session_profile

HERE = Path(__file__).resolve().parent
LABELS = list(PROFILE_STRATEGIES) + [NONE]


def _strategy_baseline():
    path = HERE.parent / "synthetic_strategy" / "feature_baseline.py"
    spec = importlib.util.spec_from_file_location("synthetic_strategy_feature_baseline", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main() -> None:
    fb = _strategy_baseline()
    cfg, dm = fitted_datamodule(["experiment=synthetic_strategy"], prefix="lbpnet-profiles-")
    targets = [t.split("/")[-1] for t in dm.targets]
    assert targets == list(STRATEGIES), targets
    parts = [fb.window_features(dm, s) for s in dm.datasets]
    feats, y_win, recs = (np.concatenate([p[i] for p in parts]) for i in range(3))
    recordings = dm.recordings
    subject = np.array([recordings[i].subject for i in recs])
    first = {}
    for i, r in enumerate(recordings):                      # each patient's first session
        key = (r.metadata.get("session_day", 0), str(r.session))
        if r.subject not in first or key < first[r.subject][0]:
            first[r.subject] = (key, i)
    pheno = {r.subject: r.metadata["patient"]["phenotype"] for r in recordings}
    truth = {p: (NONE if ph == "control" else ph) for p, ph in pheno.items()}
    rows = {"profile": {}, "features_only": {}}
    shares = []
    for split in fb.fold_splits(cfg, recordings):
        fit_w = np.isin(recs, list(split.side("train")) + list(split.side("val")))
        test_pat = sorted({recordings[i].subject for i in split.side("test")})
        probs = np.zeros((len(feats), len(STRATEGIES)))
        for k in range(len(STRATEGIES)):
            yk = y_win[fit_w, k] > 0.5
            clf = fb.logistic_regression().fit(feats[fit_w], yk)
            probs[:, k] = clf.predict_proba(feats)[:, 1]
        s1 = np.isin(recs, [first[p][1] for p in first])
        fit_pat = sorted({recordings[i].subject for i in np.unique(recs[fit_w])})
        mean_feat = {p: feats[s1 & (subject == p)].mean(0) for p in first}
        base = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=5000))
        base.fit(np.stack([mean_feat[p] for p in fit_pat]), [truth[p] for p in fit_pat])
        for p in test_pat:
            prof = session_profile(probs[s1 & (subject == p)], seed=0)
            rows["profile"][p] = prof.profile
            shares.append(prof.profile_share[prof.profile])
            rows["features_only"][p] = str(base.predict(mean_feat[p][None])[0])
    out = {"synthetic": True, "patients": len(truth), "labels": LABELS, "methods": {}}
    for name, pred in rows.items():
        pats = sorted(pred)
        yt, yp = [truth[p] for p in pats], [pred[p] for p in pats]
        out["methods"][name] = {"balanced_accuracy": float(balanced_accuracy_score(yt, yp)),
                                "confusion": confusion_matrix(yt, yp, labels=LABELS).tolist(),
                                "n": len(pats)}
    out["methods"]["profile"]["mean_share_of_assigned_profile"] = float(np.mean(shares))
    atomic_write_json(HERE / "profiles.json", out)
    L = ["# Profiles vs planted phenotype — SYNTHETIC simulated cohort", "",
         "**SYNTHETIC data.** Produced by `python experiments/monitoring_flags/profiles.py` "
         "(see its docstring for cohort, split and models). Each of the "
         f"{out['patients']} patients tested once (4 patient-disjoint folds), first session.", "",
         "| method | balanced accuracy (5 classes, chance 0.20) | patients |", "|---|---|---|"]
    for name, m in out["methods"].items():
        label = ("strategy detector (per-window logistic regression) → "
                 "`session_profile`") if name == "profile" else \
            "features only (session-mean measures → multinomial logistic regression)"
        L.append(f"| {label} | {m['balanced_accuracy']:.3f} | {m['n']} |")
    L += ["", "Mean bootstrap share of the assigned profile (its stability over resampled "
          f"windows): {out['methods']['profile']['mean_share_of_assigned_profile']:.2f}. "
          "That share measures only the sampling of a session's windows, not the detector's "
          "own error: stable assignments can still be wrong (compare the confusion matrix).",
          ""]
    for name, m in out["methods"].items():
        L += [f"Confusion matrix, {name} (rows: planted, columns: assigned):", "",
              "| planted \\ assigned | " + " | ".join(LABELS) + " |",
              "|---|" + "---|" * len(LABELS)]
        for lab, row in zip(LABELS, m["confusion"]):
            L.append(f"| {lab} | " + " | ".join(map(str, row)) + " |")
        L.append("")
    atomic_write_text(HERE / "profiles.md", "\n".join(L))
    print("\n".join(L))


if __name__ == "__main__":
    main()
