"""The comparison forecasters of the trajectory task, as one function returning arrays.

:func:`baseline_forecasts` fits every registered baseline on the training examples and
returns, per baseline, its per-example forecasts: ``quantiles`` (n, A, O, Q) in the
outcomes' points and/or ``non_response_prob`` (n,). The task scores each under
``test/baseline_<name>/…``. A new forecaster (e.g. a linear mixed-effects model from
``lbpnet.monitoring``, or a conformal calibration wrapped around one) is added with
:func:`register_baseline`: ``fit_predict(train, ex, quantiles, k) -> dict`` on the example
tensors of :func:`lbpnet.tasks.trajectory_sequences.make_examples` (``history`` and
``times`` hold each example's observed outcomes and session times in weeks).
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from lbpnet.tasks.trajectory_baselines import CarriedForward, EarlyChangeLogistic

Forecaster = Callable[[dict, dict, Sequence[float], int], dict]


def _carried(center: str) -> Forecaster:
    def fit_predict(train: dict, ex: dict, quantiles: Sequence[float], k: int) -> dict:
        q = CarriedForward(quantiles, center).fit(train, k).predict(ex["anchor"])
        return {"quantiles": q.numpy()}
    return fit_predict


def _logistic(train: dict, ex: dict, quantiles: Sequence[float], k: int) -> dict:
    return {"non_response_prob": EarlyChangeLogistic().fit(train, k).predict_proba(ex).numpy()}


#: name -> fit_predict; order = order in metrics.json
BASELINES: dict[str, Forecaster] = {"locf": _carried("last"),
                                    "median_change": _carried("median_change"),
                                    "logistic": _logistic}


def register_baseline(name: str, fit_predict: Forecaster) -> None:
    """Add (or replace) a baseline scored beside the model as ``test/baseline_<name>/…``.

    ``fit_predict(train, ex, quantiles, k)`` gets the training and evaluated example
    tensors, the model's quantile levels and the observed sessions ``k``; it returns
    ``{"quantiles": ndarray (n, A, O, Q)}`` and/or ``{"non_response_prob": ndarray (n,)}``.
    """
    BASELINES[str(name)] = fit_predict


def baseline_forecasts(train: dict, ex: dict, quantiles: Sequence[float],
                       k: int) -> dict[str, dict[str, np.ndarray]]:
    """Every registered baseline, fitted on ``train`` and applied to ``ex``.

    Parameters
    ----------
    train, ex : dict of tensors
        Training and evaluated examples (``make_examples``).
    quantiles : sequence of float
        Quantile levels, e.g. (0.1, 0.5, 0.9).
    k : int
        Sessions observed in ``ex``.

    Returns
    -------
    dict
        ``{name: {"quantiles": (n, A, O, Q), "non_response_prob": (n,)}}`` (either key
        may be absent).
    """
    return {name: fn(train, ex, quantiles, k) for name, fn in BASELINES.items()}
