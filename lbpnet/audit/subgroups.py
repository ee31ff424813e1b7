"""Test-set results per subgroup and calibration, from per-window test predictions.

Subgroups are read from each recording's metadata where the data holds them: ``sex``,
``age`` (reported as a ten-year band, never the age itself), ``site`` and the simulator's
``patient`` covariates (e.g. ``phenotype``; SYNTHETIC). Nothing else is used, so no
identifier and no date enters a model card through this.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

ATTRIBUTES = ("sex", "age_band", "site", "phenotype")


def subgroup_values(metadata: Mapping) -> dict[str, str]:
    """The subgroup attributes of one recording's metadata (absent ones left out)."""
    meta = dict(metadata or {})
    nested = meta.get("patient") if isinstance(meta.get("patient"), Mapping) else {}
    pool = {**nested, **{k: v for k, v in meta.items() if k != "patient"}}
    out = {}
    for key in ("sex", "site", "phenotype"):
        if pool.get(key) not in (None, ""):
            out[key] = str(pool[key])
    age = pool.get("age")
    if isinstance(age, (int, float)) and np.isfinite(age):
        low = int(age // 10 * 10)
        out["age_band"] = f"{low}-{low + 9}"
    return out


def expected_calibration_error(probabilities: np.ndarray, outcomes: np.ndarray,
                               multilabel: bool, n_bins: int = 10) -> dict:
    """Expected calibration error and the reliability table.

    Parameters
    ----------
    probabilities : float array, shape (n_windows, n_outputs)
        Softmax (multi-class) or sigmoid (multi-label) outputs.
    outcomes : int array, shape (n_windows,) or (n_windows, n_outputs)
        The true class index (multi-class) or 0/1 targets (multi-label).
    multilabel : bool
        Multi-label: every (window, output) probability is one forecast; multi-class:
        the top-class confidence against whether the top class was right.
    n_bins : int
        Equal-width confidence bins on [0, 1].

    Returns
    -------
    dict
        ``{"ece": float, "n": forecasts, "bins": [[low, high, n, mean forecast,
        observed frequency], ...]}`` (empty bins left out).
    """
    p = np.asarray(probabilities, dtype=float)
    if multilabel:
        conf, hit = p.reshape(-1), np.asarray(outcomes, dtype=float).reshape(-1)
    else:
        conf = p.max(axis=1)
        hit = (p.argmax(axis=1) == np.asarray(outcomes)).astype(float)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    which = np.clip(np.digitize(conf, edges[1:-1]), 0, n_bins - 1)
    bins, ece = [], 0.0
    for b in range(n_bins):
        sel = which == b
        if sel.any():
            gap = abs(conf[sel].mean() - hit[sel].mean())
            ece += sel.mean() * gap
            bins.append([float(edges[b]), float(edges[b + 1]), int(sel.sum()),
                         float(conf[sel].mean()), float(hit[sel].mean())])
    return {"ece": float(ece), "n": int(conf.size), "bins": bins}


def _scores(p: np.ndarray, y: np.ndarray, multilabel: bool) -> dict:
    from sklearn.metrics import f1_score, roc_auc_score
    if multilabel:
        aucs = [roc_auc_score(y[:, j], p[:, j]) for j in range(y.shape[1])
                if 0 < y[:, j].sum() < len(y)]
        return {"auroc_macro": float(np.mean(aucs)) if aucs else None,
                "targets_scored": len(aucs)}
    pred = p.argmax(axis=1)
    return {"accuracy": float((pred == y).mean()),
            "f1_macro": float(f1_score(y, pred, labels=np.unique(y), average="macro"))}


def subgroup_metrics(probabilities: np.ndarray, outcomes: np.ndarray, multilabel: bool,
                     groups: Mapping[str, Sequence[str | None]],
                     subjects: Sequence[str]) -> dict:
    """Scores per value of each subgroup attribute.

    Parameters
    ----------
    probabilities, outcomes, multilabel
        As :func:`expected_calibration_error`.
    groups : mapping of attribute to sequence, each length n_windows
        The attribute's value for each window (None where unknown).
    subjects : sequence of str, length n_windows
        The (pseudonymous) subject of each window: counted per subgroup, never listed.

    Returns
    -------
    dict
        ``{attribute: {value: {"windows", "subjects", <scores>}}}``; multi-class scores
        are accuracy and macro-F1, multi-label the macro AUROC over targets with both
        outcomes present.
    """
    p, y = np.asarray(probabilities), np.asarray(outcomes)
    subjects = np.asarray(subjects)
    out = {}
    for attr, values in groups.items():
        values = np.asarray([v if v is not None else "" for v in values], dtype=object)
        table = {}
        for value in sorted(set(values) - {""}):
            sel = values == value
            table[str(value)] = {"windows": int(sel.sum()),
                                 "subjects": int(len(set(subjects[sel]))),
                                 **_scores(p[sel], y[sel], multilabel)}
        if table:
            out[attr] = table
    return out
