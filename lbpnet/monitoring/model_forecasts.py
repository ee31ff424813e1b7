"""A trained trajectory model's forecasts of chosen patients from each number of sessions seen.

The trajectory data module (:class:`lbpnet.tasks.trajectory_data.TrajectoryDataModule`)
builds the validation and test examples at one number of sessions seen (``k``). Monitoring
follows a patient session by session, so it needs the forecast made after session 1, 2, …:
:func:`examples_at` builds the examples of any patients at any prefixes with the data
module's own features (its training patients' standardisation), and :func:`forecasts_at`
runs the task on them without a Trainer.

Shapes: ``n`` examples (patient × prefix), ``S`` sessions, ``A = S - 1`` steps ahead, ``O``
outcomes, ``Q`` quantile levels.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from lbpnet.errors import ConfigError
from lbpnet.tasks.trajectory_sequences import make_examples, raw_features


def standardised_features(dm) -> np.ndarray:
    """(P, S, F) the features of every patient of ``dm.table`` as the data module feeds them
    to the model (training patients' mean/SD, NaN set to 0), without the reported flag."""
    raw, names = raw_features(dm.table, dm.measures_as)
    if dm.feature_groups is not None:
        keep = np.isin([n.split("/")[0] for n in names], dm.feature_groups)
        raw = raw[..., keep]
    if raw.shape[-1] != len(dm.feature_mean):
        raise ConfigError(f"{raw.shape[-1]} features rebuilt but the data module standardised "
                          f"{len(dm.feature_mean)}", field="data.module.feature_groups",
                          fix="monitor with the run's own data configuration")
    return np.nan_to_num((raw - dm.feature_mean) / dm.feature_sd)


def examples_at(dm, patients: Sequence[str], prefixes: Sequence[int]) -> dict:
    """Examples (``make_examples`` tensors) of ``patients`` (ids of ``dm.table.patients``)
    seen up to each of ``prefixes`` sessions; ``{}`` when none qualifies."""
    known = {p: i for i, p in enumerate(dm.table.patients)}
    missing = [p for p in patients if p not in known]
    if missing:
        raise ConfigError(f"patients {missing[:5]} are not in the data", field="patients",
                          fix=f"name patients among {list(known)[:5]}…")
    horizon = int(dm.horizon_session or dm.table.n_sessions)
    return make_examples(dm.table, standardised_features(dm), [known[p] for p in patients],
                         [int(k) for k in prefixes], horizon, dm.non_response)


@torch.no_grad()
def forecasts_at(task, dm, patients: Sequence[str], prefixes: Sequence[int]) -> dict:
    """The task's forecasts of ``patients`` from each of ``prefixes`` sessions seen.

    Returns
    -------
    dict
        :meth:`lbpnet.tasks.trajectory.TrajectoryForecast.predictions` arrays (``patient``
        ids, ``k``, ``quantiles`` (n, A, O, Q) in points, ``future`` (n, A, O),
        ``non_response_prob`` (n,), ...); every array empty (n = 0) when no example.
    """
    ex = examples_at(dm, patients, prefixes)
    if not ex:
        return {"patient": np.array([], dtype=object), "k": np.array([], dtype=int)}
    was_training = task.training
    task.eval()
    out = task(ex)
    task.train(was_training)
    ex.update(quantiles=out["quantiles"].cpu(), prob=out["non_response_prob"].cpu())
    return task.predictions(ex, dm)


def mixed_model_forecasts_at(dm, training_patients: Sequence[str], patients: Sequence[str],
                             prefixes: Sequence[int], quantiles: Sequence[float]) -> dict:
    """Forecasts of the linear mixed-effects model (:class:`~lbpnet.monitoring.
    MixedEffectsForecaster`, fitted on ``training_patients``) in the layout of
    :func:`forecasts_at`, for the same examples (``non_response_prob`` NaN: the mixed model
    gives none)."""
    from lbpnet.monitoring.mixed_model import MixedEffectsForecaster
    ex = examples_at(dm, patients, prefixes)
    if not ex:
        return {"patient": np.array([], dtype=object), "k": np.array([], dtype=int)}
    rows = {p: i for i, p in enumerate(dm.table.patients)}
    weeks = np.where(dm.table.present, dm.table.days / 7.0, np.nan)
    train = [rows[str(p)] for p in training_patients]
    model = MixedEffectsForecaster(quantiles).fit(weeks[train], dm.table.pros[train])
    r, k = ex["patient"].numpy().astype(int), ex["k"].numpy().astype(int)
    A = ex["future"].shape[1]
    q = np.full((len(r), A, len(dm.table.outcomes), len(quantiles)), np.nan)
    for kk in sorted(set(k.tolist())):
        sel = k == kk
        q[sel] = model.predict(weeks[r[sel]], dm.table.pros[r[sel]], kk)[:, :A]
    return {"patient": np.asarray(dm.table.patients, dtype=object)[r], "k": k,
            "quantiles": q, "future": ex["future"].numpy(),
            "non_response_prob": np.full(len(r), np.nan),
            "non_response": ex["non_response"].numpy()}
