"""Novelty, uncertainty and quality of every window of a trained run: :func:`score_windows`.

The entry point the review queue calls. For one side of the run's split it returns a
:class:`WindowScores`: the model's probabilities, one novelty score per detector
(higher = more novel), a threshold per detector set on in-distribution windows at a
stated retention, which windows exceed it, which windows failed quality control, and the
MC-dropout uncertainty. :func:`session_summary` condenses it per recording.

Where the thresholds come from (``WindowScores.threshold_source``):

- ``"val"``: the run's validation windows (QC-passed ones of the model's classes); the detectors that need a
  fit (Mahalanobis, kNN) are fitted on the training windows;
- ``"train_holdout"``: a run without a validation side (e.g. HAPT's final fit on all
  training subjects): a fifth of the training recordings (seeded) is held out of the
  detectors' fit and sets the thresholds.

Quality control and novelty are kept apart: a window that failed QC is an artefact
(``qc_failed``) and is never marked novel (``is_novel`` is False there), whatever its score.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lbpnet.curation.mc_dropout import predictive_entropy
from lbpnet.curation.novelty import (KNNDetector, MahalanobisDetector, energy_score,
                                     joint_energy_score, label_uncertainty, msp_score,
                                     threshold_at_retention)
from lbpnet.curation.run_outputs import load_run, model_outputs
from lbpnet.errors import ConfigError

DETECTORS = ("msp", "energy", "mahalanobis", "knn")
MAX_FIT_WINDOWS = 8000      # training windows the Mahalanobis/kNN fit sees at most (seeded)


@dataclass
class WindowScores:
    """Per-window scores of one split side of a run (n windows, C model outputs).

    Attributes
    ----------
    recording : list of str, (n,)
        Recording key of each window.
    start_s, end_s : ndarray of float, (n,)
        Window start and end (s, recording clock).
    label : ndarray of int, (n,)
        Annotated class as an index into ``classes``; -1 when unlabelled, when the class is
        not one the model predicts (its name is in ``label_name``) or for a multi-label run.
    probs : ndarray of float, (n, C)
        Softmax probabilities (multi-class) or per-label sigmoid probabilities (multi-label).
    classes : list of str, (C,)
        The model's outputs.
    scores : dict of str to ndarray (n,)
        Novelty score per detector, higher = more novel; multi-label runs add
        ``label_uncertainty/<target>`` per label.
    thresholds : dict of str to float
        Per detector: the score above which a window is novel.
    is_novel : dict of str to ndarray of bool (n,)
        ``score > threshold`` and QC passed.
    qc_failed : ndarray of bool, (n,)
        Windows quality control flagged (all False for a run without QC).
    uncertainty : ndarray of float (n,) or None
        MC-dropout predictive entropy (nats) when ``mc_dropout_passes > 0`` and the model
        has dropout; else None.
    label_name : list of str, (n,)
        The annotated class name ("" when unlabelled).
    targets : ndarray (n, C) or None
        Multi-label ground truth (1/0) of a multi-label run.
    retention, threshold_source, side, run_dir, checkpoint
        How the thresholds were set and what was scored.
    """

    recording: list[str]
    start_s: np.ndarray
    end_s: np.ndarray
    label: np.ndarray
    probs: np.ndarray
    classes: list[str]
    scores: dict[str, np.ndarray]
    thresholds: dict[str, float]
    is_novel: dict[str, np.ndarray]
    qc_failed: np.ndarray
    uncertainty: np.ndarray | None = None
    label_name: list[str] = field(default_factory=list)
    targets: np.ndarray | None = None
    retention: float = 0.95
    threshold_source: str = "val"
    side: str = "test"
    run_dir: str = ""
    checkpoint: str = ""

    def __len__(self) -> int:
        return len(self.recording)


def _detector_scores(names, out: dict, fit: dict, labels_fit: np.ndarray,
                     multi_label: bool, seed: int) -> dict:
    """Scores per detector for each output set in ``out`` (name -> model outputs)."""
    fitted = {}
    if "mahalanobis" in names:
        fitted["mahalanobis"] = MahalanobisDetector().fit(
            fit["features"], np.zeros(len(labels_fit), int) if multi_label else labels_fit)
    if "knn" in names:
        fitted["knn"] = KNNDetector(k=10, seed=seed).fit(fit["features"])
    result = {}
    for key, o in out.items():
        s = {}
        for name in names:
            if name == "msp":
                s[name] = (label_uncertainty(o["logits"]).max(axis=1) if multi_label
                           else msp_score(o["logits"]))
            elif name == "energy":
                s[name] = (joint_energy_score(o["logits"]) if multi_label
                           else energy_score(o["logits"]))
            else:
                s[name] = fitted[name].score(o["features"])
        if multi_label:
            per = label_uncertainty(o["logits"])
            for j, target in enumerate(o["outputs"]):
                s[f"label_uncertainty/{target}"] = per[:, j]
        result[key] = s
    return result


def _labels(index, outputs: list[str], multi_label: bool) -> tuple[np.ndarray, list[str]]:
    names = [index.classes[i] if i >= 0 else "" for i in index.label.tolist()]
    if multi_label:
        return np.full(len(names), -1, dtype=int), names
    pos = {c: i for i, c in enumerate(outputs)}
    return np.asarray([pos.get(n, -1) for n in names], dtype=int), names


def score_windows(run_dir, side: str = "test",
                  detectors=("msp", "energy", "mahalanobis", "knn"), retention: float = 0.95,
                  mc_dropout_passes: int = 0, *, checkpoint: str = "best",
                  data_overrides=(), seed: int = 0, batch_size: int = 256) -> WindowScores:
    """Score every window of one side of a trained run for novelty.

    Parameters
    ----------
    run_dir : path
        A folder ``lbpnet-train`` wrote; its checkpoint is verified (SHA-256) before loading.
    side : {"train", "val", "test"}
        The split side to score.
    detectors : sequence of str
        Any of ``msp``, ``energy``, ``mahalanobis``, ``knn`` (:mod:`lbpnet.curation.novelty`).
    retention : float
        Share of in-distribution (calibration) windows kept below each threshold.
    mc_dropout_passes : int
        Dropout samples for ``uncertainty`` (0: none).
    checkpoint : str
        ``best``, ``last`` or a path inside the run folder.
    data_overrides : sequence of str
        Dot-list overrides of the data scored, e.g. ``["data.module.classes=[...]"]``.
    seed : int
        Seeds the fit subsample, the train hold-out and the dropout passes.

    Returns
    -------
    WindowScores
    """
    unknown = [d for d in detectors if d not in DETECTORS]
    if unknown or not detectors:
        raise ConfigError(f"unknown novelty detectors {unknown or list(detectors)}",
                          field="detectors", fix=f"choose from {', '.join(DETECTORS)}")
    run = load_run(run_dir, checkpoint, data_overrides)
    dm = run.datamodule
    if side not in dm.datasets:
        raise ConfigError(f"the run's split has no '{side}' side (it has {sorted(dm.datasets)})",
                          field="side", fix="use one of " + ", ".join(sorted(dm.datasets)))
    model, rng = run.task.model, np.random.default_rng(seed)
    train = dm.datasets["train"]
    t_lab, _ = _labels(train.index, run.outputs, run.multi_label)
    good = train.index.good() & ((t_lab >= 0) | run.multi_label)
    if "val" in dm.datasets:
        source = "val"
        fit_idx = np.flatnonzero(good)
        val = dm.datasets["val"]
        v_lab, _ = _labels(val.index, run.outputs, run.multi_label)
        # in distribution: windows of a class the model knows (others are left out)
        cal_ds = val
        cal_idx = np.flatnonzero(val.index.good() & ((v_lab >= 0) | run.multi_label))
    else:
        source = "train_holdout"
        recs = np.unique(train.index.recording)
        held = rng.choice(recs, max(1, len(recs) // 5), replace=False)
        is_held = np.isin(train.index.recording, held)
        fit_idx, cal_ds = np.flatnonzero(good & ~is_held), train
        cal_idx = np.flatnonzero(good & is_held)
    if len(fit_idx) > MAX_FIT_WINDOWS:
        fit_idx = np.sort(rng.choice(fit_idx, MAX_FIT_WINDOWS, replace=False))
    if len(cal_idx) == 0 or len(fit_idx) == 0:
        raise ConfigError("no quality-passed windows to fit or calibrate the detectors on",
                          field="split", fix="give the run validation windows that pass QC")
    ds = dm.datasets[side]
    kw = dict(batch_size=batch_size, multi_label=run.multi_label, seed=seed)
    outs = {"fit": model_outputs(model, train, fit_idx, **kw),
            "cal": model_outputs(model, cal_ds, cal_idx, **kw),
            "side": model_outputs(model, ds, None, mc_dropout_passes=mc_dropout_passes, **kw)}
    for o in outs.values():
        o["outputs"] = run.outputs
    scores = _detector_scores(list(detectors), outs, outs["fit"], t_lab[fit_idx],
                              run.multi_label, seed)
    thresholds = {k: threshold_at_retention(v, retention) for k, v in scores["cal"].items()}
    qc_failed = ~ds.index.good()
    is_novel = {k: (v > thresholds[k]) & ~qc_failed for k, v in scores["side"].items()}
    logits = outs["side"]["logits"]
    if run.multi_label:
        probs = 1.0 / (1.0 + np.exp(-logits))
    else:
        probs = np.exp(logits - logits.max(axis=1, keepdims=True))
        probs /= probs.sum(axis=1, keepdims=True)
    mc = outs["side"]["mc_probs"]
    label, names = _labels(ds.index, run.outputs, run.multi_label)
    keys = [r.key for r in dm.recordings]
    start = ds.index.start.astype(float)
    return WindowScores(
        recording=[keys[i] for i in ds.index.recording.tolist()], start_s=start,
        end_s=start + float(ds.index.length), label=label, probs=probs,
        classes=list(run.outputs), scores=scores["side"], thresholds=thresholds,
        is_novel=is_novel, qc_failed=qc_failed,
        uncertainty=None if mc is None else predictive_entropy(mc), label_name=names,
        targets=None if ds.index.targets is None else np.asarray(ds.index.targets),
        retention=float(retention), threshold_source=source, side=side,
        run_dir=str(run_dir), checkpoint=str(run.checkpoint))


def session_summary(ws: WindowScores) -> list[dict]:
    """Per recording (session): windows, QC failures, novel windows per detector, the
    largest score per detector and the mean uncertainty.

    Returns
    -------
    list of dict
        One dict per recording, in order of first appearance: ``recording``,
        ``windows``, ``qc_failed``, ``novel`` {detector: count}, ``novel_share``
        {detector: count / QC-passed windows}, ``max_score`` {detector: float},
        ``mean_uncertainty`` (float or None), ``start_s``/``end_s`` (s).
    """
    rec = np.asarray(ws.recording, dtype=object)
    out = []
    for key in dict.fromkeys(ws.recording):
        m = rec == key
        passed = int((m & ~ws.qc_failed).sum())
        novel = {d: int(v[m].sum()) for d, v in ws.is_novel.items()}
        out.append({
            "recording": key, "windows": int(m.sum()), "qc_failed": int(ws.qc_failed[m].sum()),
            "novel": novel,
            "novel_share": {d: (n / passed if passed else 0.0) for d, n in novel.items()},
            "max_score": {d: float(v[m].max()) for d, v in ws.scores.items()},
            "mean_uncertainty": (None if ws.uncertainty is None
                                 else float(ws.uncertainty[m].mean())),
            "start_s": float(ws.start_s[m].min()), "end_s": float(ws.end_s[m].max())})
    return out
