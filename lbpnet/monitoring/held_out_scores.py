"""Calibrated test scores of a trajectory run, beside the uncalibrated ones (``metrics.json``).

``lbpnet-train`` calls :func:`calibrated_test_scores` after testing a trajectory task. Every
forecaster — the run's model (GRU), LOCF, last report + training median change, and the
linear mixed-effects model (:class:`~lbpnet.monitoring.MixedEffectsForecaster`) — is fitted
on the training patients, its intervals are conformal-calibrated
(:class:`~lbpnet.monitoring.ConformalCalibrator`) and its P(non-response) Platt-calibrated on
the **validation patients** (held out of training; a shared patient is a LeakageError), and
it is scored on the **test patients** only. Keys (``<o>`` an outcome, level 0.8 unsuffixed,
other levels suffixed, e.g. ``coverage90_<o>``)::

    test/mae_<o>, test/coverage_<o>, test/width_<o>, test/coverage90_<o>, test/width90_<o>
    test/auroc_non_response, test/brier                       the model, calibrated
    test/conservative/...                                     plain split conformal intervals
    test/uncalibrated/...                                     the model as it forecasts
    test/baseline_<name>/... and test/baseline_<name>/uncalibrated/...
    test/calibration                                          who calibrated, how

An uncalibrated interval at a level is the model's quantile pair ``(1 - L) / 2, (1 + L) / 2``
when it has one (else no uncalibrated key for that level); the calibrated one starts from that
pair, or from the outermost pair. The calibrated intervals are smoothed conformal (coverage
exactly nominal in expectation, for any number of calibration patients and for discrete scores:
:mod:`lbpnet.monitoring.smoothed_conformal`), their random ends drawn from ``seed``; the plain,
conservative split-conformal intervals are under ``conservative/``.
"""

from __future__ import annotations

import numpy as np
import torch

from lbpnet.monitoring.conformal import ConformalCalibrator
from lbpnet.monitoring.mixed_model import MixedEffectsForecaster
from lbpnet.monitoring.probability import ProbabilityCalibrator
from lbpnet.tasks.trajectory_baselines import CarriedForward, EarlyChangeLogistic
from lbpnet.tasks.trajectory_metrics import median_index, non_response_scores

LEVELS = (0.8, 0.9)


def _suffix(level: float) -> str:
    return "" if abs(level - 0.8) < 1e-9 else f"{round(100 * level)}"


def _pair(quantiles, level: float) -> tuple[int, int, bool]:
    """Indices of the quantile pair of ``level`` (exact: True) or the outermost pair."""
    q = list(quantiles)
    lo = [i for i, x in enumerate(q) if abs(x - (1 - level) / 2) < 1e-6]
    hi = [i for i, x in enumerate(q) if abs(x - (1 + level) / 2) < 1e-6]
    return (lo[0], hi[0], True) if lo and hi else (0, len(q) - 1, False)


def interval_keys(q: np.ndarray, y: np.ndarray, outcomes, prefix: str, suffix: str) -> dict:
    """MAE, coverage and width per outcome of ``q`` (n, A, O, 3) against ``y`` (n, A, O)."""
    out = {}
    for o, name in enumerate(outcomes):
        ok = ~np.isnan(y[:, :, o])
        inside = (y[:, :, o] >= q[:, :, o, 0]) & (y[:, :, o] <= q[:, :, o, 2]) & ok
        n = max(int(ok.sum()), 1)
        if not suffix:
            out[f"{prefix}mae_{name}"] = float(np.abs(q[:, :, o, 1] - y[:, :, o])[ok].mean()) \
                if ok.any() else float("nan")
        out[f"{prefix}coverage{suffix}_{name}"] = float(inside.sum() / n) if ok.any() \
            else float("nan")
        w = (q[:, :, o, 2] - q[:, :, o, 0])[ok]
        out[f"{prefix}width{suffix}_{name}"] = float(w.mean()) if ok.any() else float("nan")
    out.setdefault(f"{prefix}targets", int((~np.isnan(y)).sum()))
    return out


def _prob_keys(p: np.ndarray, y: np.ndarray, prefix: str) -> dict:
    s = non_response_scores(torch.as_tensor(p, dtype=torch.float32),
                            torch.as_tensor(y, dtype=torch.float32))
    return {f"{prefix}auroc_non_response": s["auroc"], f"{prefix}brier": s["brier"]}


def _side_arrays(dm, side: str, k: int) -> tuple[dict, np.ndarray]:
    ex = dm.datasets[side].tensors
    keep = (ex["k"] == k).numpy()
    return {n: v[torch.as_tensor(keep)] for n, v in ex.items()}, keep


def _weeks(dm) -> np.ndarray:
    """(P, S) weeks since each patient's first session (NaN: no such session)."""
    return np.where(dm.table.present, dm.table.days / 7.0, np.nan)


def baseline_quantiles(dm, quantiles, k: int) -> dict[str, dict[str, np.ndarray]]:
    """The baselines' side arrays of :func:`forecaster_quantiles` (LOCF, last + median
    change, mixed model, early-change logistic), fitted on the training patients only; no
    trained model needed."""
    qs = list(quantiles)
    train_ex = dm.datasets["train"].tensors
    patients = np.asarray(dm.table.patients, dtype=object)
    train_rows = sorted(set(train_ex["patient"].tolist()))
    out: dict[str, dict] = {name: {} for name in ("locf", "median_change", "mixed_model",
                                                   "logistic")}
    locf = CarriedForward(qs, "last").fit(train_ex, k)
    drift = CarriedForward(qs, "median_change").fit(train_ex, k)
    logistic = EarlyChangeLogistic().fit(train_ex, k)
    weeks = _weeks(dm)
    mixed = MixedEffectsForecaster(qs).fit(weeks[train_rows], dm.table.pros[train_rows])
    for side in ("val", "test"):
        ex, _ = _side_arrays(dm, side, k)
        rows = ex["patient"].numpy().astype(int)
        common = {"future": ex["future"].numpy(), "patient": patients[rows],
                  "non_response": ex["non_response"].numpy()}
        out["locf"][side] = {**common, "q": locf.predict(ex["anchor"]).numpy()}
        out["median_change"][side] = {**common, "q": drift.predict(ex["anchor"]).numpy()}
        A = common["future"].shape[1]
        out["mixed_model"][side] = {**common,
                                    "q": mixed.predict(weeks[rows], dm.table.pros[rows], k)[:, :A]}
        out["logistic"][side] = {**common, "prob": logistic.predict_proba(ex).numpy()}
    return out


def forecaster_quantiles(task, dm, k: int) -> dict[str, dict[str, np.ndarray]]:
    """Per forecaster and side (``val``, ``test``): quantile forecasts (n, A, O, Q) and
    ``future`` (n, A, O), ``patient`` ids (n,), ``non_response`` (n,), and where the forecaster
    has one, ``prob`` (n,). The run's model first, then :func:`baseline_quantiles`."""
    base = baseline_quantiles(dm, task.quantiles, k)
    model = {}
    for side in ("val", "test"):
        pred = task.predict_side(dm, side)
        keep = pred["k"] == k
        common = {n: base["locf"][side][n] for n in ("future", "patient", "non_response")}
        model[side] = {**common, "q": pred["quantiles"][keep],
                       "prob": pred["non_response_prob"][keep]}
    return {"model": model, **base}


def calibration_keys(sides: dict, quantiles, outcomes, prefix: str, train_patients,
                     levels=LEVELS, method: str = "normalised", seed: int = 0) -> dict:
    """One forecaster's ``metrics.json`` keys under ``prefix``: its intervals conformal-
    calibrated on ``sides["val"]`` and scored on ``sides["test"]`` (smoothed, plain under
    ``conservative/``, its own under ``uncalibrated/``), and its P(non-response) raw and
    Platt-calibrated, where it has one."""
    qs = list(quantiles)
    mid = median_index(qs)
    val, test = sides["val"], sides["test"]
    res: dict = {}
    if "q" in test:
        for level in levels:
            lo, hi, exact = _pair(qs, level)
            cq, tq = val["q"][..., [lo, mid, hi]], test["q"][..., [lo, mid, hi]]
            sfx = _suffix(level)
            if exact:
                res.update(interval_keys(tq, test["future"], outcomes,
                                         f"{prefix}uncalibrated/", sfx))
            for randomised, where in ((True, prefix), (False, f"{prefix}conservative/")):
                cal = ConformalCalibrator(level, method, randomised, seed).fit(
                    cq, val["future"], val["patient"], train_patients)
                res.update(interval_keys(cal.predict(tq), test["future"], outcomes, where, sfx))
    if "prob" in test:
        res.update(_prob_keys(test["prob"], test["non_response"], f"{prefix}uncalibrated/"))
        known = ~np.isnan(val["non_response"])
        if known.any():
            pc = ProbabilityCalibrator("platt").fit(val["prob"], val["non_response"])
            res.update(_prob_keys(pc.predict(test["prob"]), test["non_response"], prefix))
    return res


def calibrated_test_scores(task, dm, levels=LEVELS, method: str = "normalised",
                           seed: int = 0) -> dict:
    """The ``metrics.json`` keys of the module docstring; ``{}`` for a task that is not a
    trajectory forecast, and only ``test/calibration`` (saying why) without validation
    patients."""
    if not hasattr(task, "predict_side") or not hasattr(dm, "table"):
        return {}
    if "val" not in dm.datasets or "test" not in dm.datasets:
        return {"test/calibration": {"calibrated": False,
                                     "why": "no validation patients to calibrate on"}}
    k = int(dm.observed_sessions)
    qs = list(task.quantiles)
    train_patients = [dm.table.patients[i] for i in
                      sorted(set(dm.datasets["train"].tensors["patient"].tolist()))]
    res: dict = {}
    by = forecaster_quantiles(task, dm, k)
    for name, sides in by.items():
        prefix = "test/" if name == "model" else f"test/baseline_{name}/"
        res.update(calibration_keys(sides, qs, list(dm.table.outcomes), prefix,
                                    train_patients, levels, method, seed))
    val_patients = sorted(set(map(str, by["model"]["val"]["patient"])))
    test_patients = sorted(set(map(str, by["model"]["test"]["patient"])))
    res["test/calibration"] = {
        "calibrated": True, "on": "validation patients (held out of training)",
        "calibration_patients": len(val_patients), "test_patients": len(test_patients),
        "shared_patients": len(set(val_patients) & set(test_patients)), "levels": list(levels),
        "interval_method": f"smoothed split conformal ({method}), per step ahead x outcome; "
                           "conservative/: plain split conformal", "seed": int(seed),
        "probability_method": "Platt scaling", "observed_sessions": k}
    return res
