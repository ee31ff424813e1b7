"""Patients as sequences of sessions: measures and outcomes per session, and forecasting examples.

A *session table* lines up every patient's sessions (ordered by day): per-session measures
(:mod:`lbpnet.tasks.trajectory_measures`), the named outcomes (by default the simulator's
patient-reported outcomes ODI 0-100 and pain NRS 0-10; any instruments of an outcome folder,
:mod:`lbpnet.tasks.trajectory_table`; NaN where not reported), participant covariates and the
day. An *example* is one patient seen up to session ``k``: the features of sessions 1..k
(later sessions zeroed), the last reported outcomes, the outcomes of the sessions after ``k``
(the forecast targets) and the non-response label at the horizon session. Nothing after
session ``k`` enters the inputs.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import torch

from lbpnet.errors import ConfigError
from lbpnet.recording.recording import Recording
from lbpnet.tasks.trajectory_measures import session_measures
from lbpnet.tasks.trajectory_outcome import NonResponse

PROS = ("odi", "nrs")


@dataclass
class SessionTable:
    """Patients × sessions. ``S`` = most sessions of any patient; absent sessions are NaN.

    Attributes
    ----------
    patients : list of str, (P,)
    measure_names : list of str, (M,)
    measures : ndarray (P, S, M)
    pros : ndarray (P, S, O)   the outcomes ``outcomes`` (ODI and NRS by default), NaN where
                               not reported
    days : ndarray (P, S)      days since the patient's first session
    present : ndarray (P, S) bool
    outcomes : tuple of str, (O,)
    covariates : ndarray (P, C), optional   participant covariates as numbers (NaN: n/a)
    covariate_names : list of str, (C,)
    """

    patients: list[str]
    measure_names: list[str]
    measures: np.ndarray
    pros: np.ndarray
    days: np.ndarray
    present: np.ndarray
    outcomes: tuple = PROS
    covariates: np.ndarray | None = None
    covariate_names: list = field(default_factory=list)

    @property
    def n_sessions(self) -> int:
        """Sessions per patient (columns of the outcome table)."""
        return int(self.pros.shape[1])


def _outcomes(r: Recording, outcomes=PROS) -> tuple[list[float], float]:
    out = r.metadata.get("outcomes")
    if not isinstance(out, dict) or any(o not in out for o in outcomes):
        known = sorted(out) if isinstance(out, dict) else []
        raise ConfigError(f"recording carries no outcomes {list(outcomes)} "
                          f"(metadata['outcomes'] holds {known})", source=r.source,
                          field="data.outcomes",
                          fix="use a cohort with outcomes per session (the LBP simulator), or "
                              f"name outcomes among {known}")
    day = r.metadata.get("session_day")
    f = (lambda v: np.nan if v is None else float(v))
    return [f(out[o]) for o in outcomes], f(day)


def session_table(recordings: list[Recording], epoch_s: float = 2.0,
                  outcomes: tuple = PROS) -> SessionTable:
    """Measures and outcomes (``metadata["outcomes"]``) of every session, patients sorted by
    id, sessions by day."""
    outcomes = tuple(outcomes)
    by_patient: dict[str, list] = {}
    for r in recordings:
        vals, day = _outcomes(r, outcomes)
        key = (day if day == day else np.inf, str(r.session))
        by_patient.setdefault(r.subject, []).append(
            (key, vals, day, session_measures(r, epoch_s)))
    patients = sorted(by_patient)
    S = max(len(v) for v in by_patient.values())
    names = sorted({k for v in by_patient.values() for *_, m in v for k in m})
    P, M = len(patients), len(names)
    measures, pros = np.full((P, S, M), np.nan), np.full((P, S, len(outcomes)), np.nan)
    days, present = np.full((P, S), np.nan), np.zeros((P, S), bool)
    for p, pid in enumerate(patients):
        for s, (_, vals, day, m) in enumerate(sorted(by_patient[pid], key=lambda x: x[0])):
            measures[p, s] = [m.get(n, np.nan) for n in names]
            pros[p, s], days[p, s], present[p, s] = vals, day, True
    return SessionTable(patients, names, measures, pros, days, present, outcomes)


def raw_features(table: SessionTable, measures_as: str = "level") -> tuple[np.ndarray, list[str]]:
    """(P, S, F) unstandardised features: measures, each outcome (``pro/<name>``), its change
    since the first session (``pro/<name>_change``), weeks since the first session
    (``time/weeks``) and the participant covariates (``covariate/<name>``, the same at every
    session). NaN where unknown.

    ``measures_as``: ``"level"`` (the measures as measured), ``"change"`` (minus the
    patient's first session: within-person change, which removes fixed between-person
    differences such as electrode gain) or ``"both"``.
    """
    if measures_as not in ("level", "change", "both"):
        raise ConfigError(f"unknown measures_as '{measures_as}'",
                          field="data.module.measures_as", fix="use level, change or both")
    first = table.pros[:, :1]
    pro = np.concatenate([table.pros, table.pros - first, table.days[..., None] / 7.0], -1)
    pro_names = ([f"pro/{o}" for o in table.outcomes] + [f"pro/{o}_change" for o in table.outcomes]
                 + ["time/weeks"])
    if table.covariates is not None and table.covariates.shape[1]:
        cov = np.broadcast_to(table.covariates[:, None], (*table.days.shape,
                                                          table.covariates.shape[1]))
        pro = np.concatenate([pro, cov], -1)
        pro_names += [f"covariate/{c}" for c in table.covariate_names]
    level, change = table.measures, table.measures - table.measures[:, :1]
    names = list(table.measure_names)
    parts, labels = {"level": ([level], names),
                     "change": ([change], [f"{n}_change" for n in names]),
                     "both": ([level, change], names + [f"{n}_change" for n in names])
                     }[measures_as]
    return np.concatenate(parts + [pro], -1), labels + pro_names


def fit_standardizer(raw: np.ndarray, present: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and SD per feature over present sessions of the given patients, shape (F,) each."""
    x = raw[present]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)      # all-NaN feature: mean 0, SD 1
        mean, sd = np.nanmean(x, 0), np.nanstd(x, 0)
    mean, sd = np.nan_to_num(mean), np.where(np.isfinite(sd) & (sd > 1e-8), sd, 1.0)
    return mean, sd


def _last_reported(values: np.ndarray) -> np.ndarray:
    """Last non-NaN row of ``values`` (k, O) per column, NaN if none."""
    out = np.full(values.shape[1], np.nan)
    for c in range(values.shape[1]):
        ok = np.flatnonzero(~np.isnan(values[:, c]))
        if ok.size:
            out[c] = values[ok[-1], c]
    return out


def make_examples(table: SessionTable, features: np.ndarray, patients: list[int],
                  prefixes: list[int], horizon: int, non_response: NonResponse) -> dict:
    """Forecasting examples of ``patients`` seen up to each of ``prefixes`` sessions.

    Parameters
    ----------
    features : ndarray (P, S, F)
        Standardised features with NaN set to 0 (the reported flag is appended here).
    horizon : int
        Session (1-based) at which non-response is judged; only prefixes ``k < horizon``.

    Returns
    -------
    dict of tensors, ``n`` examples, ``A = S - 1`` sessions ahead, ``O`` outcomes:
        ``sessions`` (n, S, F + 1), ``observed`` (n, S) bool, ``anchor`` (n, O) last
        reported outcomes, ``first`` (n, O) first-session outcomes, ``future`` (n, A, O)
        (NaN: no report or no such session), ``history`` (n, S, O) the outcomes of
        sessions 1..k as reported (NaN after k and where missing), ``times`` (n, S) weeks
        since the first session of every session (NaN: no such session; planned times of
        later sessions are known), ``non_response`` (n,) (NaN: unknown), ``k`` (n,),
        ``patient`` (n,) row of ``table.patients``.
    """
    S = table.n_sessions
    A = max(S - 1, 1)
    O = table.pros.shape[-1]
    reported = (~np.isnan(table.pros).any(-1)).astype(float)[..., None]
    full = np.concatenate([features, reported], -1)
    labels = non_response.of_table(table.pros, table.outcomes, horizon)
    weeks = np.where(table.present, table.days / 7.0, np.nan)
    rows = {k: [] for k in ("sessions", "observed", "anchor", "first", "future", "history",
                            "times", "non_response", "k", "patient")}
    for p in patients:
        for k in prefixes:
            if k >= horizon or not table.present[p, :k].all():
                continue
            anchor = _last_reported(table.pros[p, :k])
            if np.isnan(anchor).any():
                continue                     # nothing reported yet: no anchor to forecast from
            x = full[p].copy()
            x[k:] = 0.0
            future = np.full((A, O), np.nan)
            history = np.where(np.arange(S)[:, None] < k, table.pros[p], np.nan)
            ahead = table.pros[p, k:k + A]
            future[: len(ahead)] = np.where(table.present[p, k:k + A, None], ahead, np.nan)
            for name, v in (("sessions", x), ("observed", np.arange(S) < k), ("anchor", anchor),
                            ("first", table.pros[p, 0]), ("future", future),
                            ("history", history), ("times", weeks[p]),
                            ("non_response", labels[p]), ("k", k), ("patient", p)):
                rows[name].append(v)
    if not rows["k"]:
        return {}
    out = {name: torch.as_tensor(np.stack(v) if name not in ("non_response", "k", "patient")
                                 else np.asarray(v)) for name, v in rows.items()}
    for name in ("sessions", "anchor", "first", "future", "history", "times", "non_response"):
        out[name] = out[name].float()
    return out
