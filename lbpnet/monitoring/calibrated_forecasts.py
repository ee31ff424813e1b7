"""A trained trajectory model's forecasts, calibrated on held-out patients, as monitoring data.

For each number of sessions seen ``k``, the model forecasts the calibration patients (the
run's validation patients: never trained on) and the monitored patients; the intervals are
conformal-calibrated per step ahead × outcome (:class:`~lbpnet.monitoring.ConformalCalibrator`,
refusing a calibration patient that trained the model) and P(non-response) is recalibrated
(:class:`~lbpnet.monitoring.ProbabilityCalibrator`) on the same patients. The results are
:class:`~lbpnet.monitoring.rule_engine.Forecast` objects, ready for the rules.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from lbpnet.errors import ConfigError
from lbpnet.monitoring.conformal import ConformalCalibrator
from lbpnet.monitoring.model_forecasts import forecasts_at, mixed_model_forecasts_at
from lbpnet.monitoring.probability import ProbabilityCalibrator
from lbpnet.monitoring.rule_engine import Forecast
from lbpnet.tasks.trajectory_metrics import median_index


def calibrated_forecasts(task, dm, patients: Sequence[str], calibration_patients: Sequence[str],
                         training_patients: Sequence[str], prefixes: Sequence[int],
                         level: float = 0.8, method: str = "normalised",
                         probability: str = "platt", model_version: str = "",
                         forecaster: str = "gru", randomised: bool = True,
                         seed: int = 0) -> tuple[dict, dict]:
    """Calibrated forecasts of ``patients`` from each of ``prefixes`` sessions seen.

    Parameters
    ----------
    task, dm
        A :class:`~lbpnet.tasks.trajectory.TrajectoryForecast` with its weights and its set-up
        :class:`~lbpnet.tasks.trajectory_data.TrajectoryDataModule`.
    calibration_patients, training_patients : sequences of str
        Calibration (held-out) and training patients; a shared one is a LeakageError.
    level : float
        Nominal coverage of the calibrated intervals.
    method, probability : str
        Conformal score (``normalised`` | ``cqr``) and probability calibration
        (``platt`` | ``isotonic``).
    forecaster : {"gru", "mixed_model"}
        The run's model, or the linear mixed-effects model fitted on ``training_patients``
        (its quantiles at the task's levels; no P(non-response)).
    randomised, seed
        Smoothed conformal (exact coverage, interval ends drawn with ``seed``) or plain split
        conformal (conservative): :class:`~lbpnet.monitoring.ConformalCalibrator`.

    Returns
    -------
    (forecasts, calibration)
        ``forecasts["forecasts"]``: ``{patient: [Forecast, …]}`` (every step ahead, outcome
        and prefix); ``forecasts["non_response"]``: ``{patient: {"probability",
        "raw_probability", "calibrated", "made_at_session", "horizon_session", "outcome"}}``
        from the last prefix seen. ``calibration``: per prefix, the calibration patients and
        targets used.
    """
    if not calibration_patients:
        raise ConfigError("no calibration patients", field="split.val_fraction",
                          fix="train with a validation side to calibrate on")
    mid = median_index(task.quantiles)
    prefixes = [int(k) for k in prefixes]
    if forecaster == "gru":
        cal = forecasts_at(task, dm, calibration_patients, prefixes)
        mon = forecasts_at(task, dm, patients, prefixes)
    elif forecaster == "mixed_model":
        cal, mon = (mixed_model_forecasts_at(dm, training_patients, who, prefixes,
                                             task.quantiles)
                    for who in (calibration_patients, patients))
    else:
        raise ConfigError(f"unknown forecaster '{forecaster}'", field="forecaster",
                          fix="use gru (the run's model) or mixed_model")
    S = dm.table.n_sessions
    horizon = int(dm.horizon_session or S)
    judged = dm.non_response.outcome or dm.table.outcomes[0]
    out = {"forecasts": {str(p): [] for p in patients}, "non_response": {}}
    info = {"level": level, "method": method, "randomised": randomised,
            "probability": probability,
            "calibration_patients": len(set(map(str, calibration_patients))),
            "held_out_of_training": True, "by_session": {}}
    for k in prefixes:
        mk = mon["k"] == k if len(mon["k"]) else np.zeros(0, bool)
        ck = cal["k"] == k if len(cal["k"]) else np.zeros(0, bool)
        if not mk.any():
            continue
        mq = mon["quantiles"][mk][..., [0, mid, -1]]
        if ck.any():
            calib = ConformalCalibrator(level, method, randomised, seed).fit(
                cal["quantiles"][ck][..., [0, mid, -1]], cal["future"][ck], cal["patient"][ck],
                training_patients)
            mq, calibrated = calib.predict(mq), True
            n_targets = calib.n_calibration.tolist()
            iv_level = level
        else:                      # no calibration example at this prefix: say so, uncalibrated
            calibrated, n_targets = False, None
            iv_level = float(task.quantiles[-1] - task.quantiles[0])
        raw = mon["non_response_prob"][mk]
        prob, p_cal = raw.astype(float), False
        if ck.any() and np.isfinite(raw).any():
            known = ~np.isnan(cal["non_response"][ck])
            if known.any():
                pc = ProbabilityCalibrator(probability).fit(cal["non_response_prob"][ck],
                                                            cal["non_response"][ck])
                prob, p_cal = pc.predict(raw), True
        info["by_session"][str(k)] = {"calibration_examples": int(ck.sum()),
                                      "targets_per_step_and_outcome": n_targets,
                                      "intervals_calibrated": calibrated,
                                      "probability_calibrated": p_cal}
        for i, pid in enumerate(mon["patient"][mk]):
            pid = str(pid)
            for a in range(mq.shape[1]):
                h = k + a + 1
                if h > S:
                    break
                for o, name in enumerate(dm.table.outcomes):
                    lo, med, hi = (float(x) for x in mq[i, a, o])
                    out["forecasts"][pid].append(Forecast(name, h, k, lo, med, hi, iv_level,
                                                          model_version, calibrated))
            if not np.isfinite(raw[i]):
                continue                    # the forecaster gives no P(non-response)
            out["non_response"][pid] = {"probability": float(prob[i]),
                                        "raw_probability": float(raw[i]), "calibrated": p_cal,
                                        "made_at_session": k, "horizon_session": horizon,
                                        "outcome": judged}
    return out, info
