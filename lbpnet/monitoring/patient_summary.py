"""One patient's monitoring summary: baseline, change with its SDC, forecasts, flags.

:func:`patient_summary` gathers, for one patient seen up to session ``as_of``, what a
clinician reviews (the ``monitoring.json`` that ``lbpnet-monitor`` writes and
``lbpnet-report`` / ``lbpnet-export fhir`` read):

- ``sessions``: each session's outcomes (sessions after ``as_of`` are listed as
  ``seen: false``: reported later, never used by the forecasts or the rules);
- ``baseline`` and ``changes``: change of every outcome from baseline at each session seen,
  with its SDC95, reliable change index and MIC (:mod:`lbpnet.monitoring.change`);
- ``forecasts``: the calibrated intervals made at ``as_of`` for every later session, and
  ``forecast_history``: those made at each earlier session;
- ``flags``: every flag of the rule set at sessions 1..``as_of``, each with its evidence,
  uncertainty, rule id/version and model version (:mod:`lbpnet.monitoring.rule_engine`).

:func:`outcome_specs` states each outcome's SEM (test-retest of stable training patients),
direction and MIC. Decision support for a clinician's review, never a diagnosis.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from lbpnet.monitoring.change import MeasureSpec, sem_test_retest, within_person_change
from lbpnet.monitoring.rule_engine import Forecast, PatientSessions, evaluate
from lbpnet.monitoring.rules import RuleSet


def outcome_specs(values: np.ndarray, outcomes: Sequence[str], info: Mapping,
                  stable: np.ndarray | None = None, what: str = "training patients"
                  ) -> dict[str, MeasureSpec]:
    """SEM, direction and MIC of each outcome.

    Parameters
    ----------
    values : ndarray (P, S, O)
        Outcomes of the patients the SEM is estimated on (training patients).
    outcomes : sequence of str, (O,)
    info : dict outcome -> Instrument
        ``higher_is_worse`` (None: taken as True, and said in ``sem_source``),
        ``minimal_important_change``, ``units``.
    stable : ndarray (P,) bool, optional
        Patients whose outcome did not change meaningfully (e.g. the non-responders): the SEM
        is the test-retest of sessions 1 → 2 of these (all patients when fewer than 3).
    """
    v = np.asarray(values, float)
    use = np.asarray(stable, bool) if stable is not None else np.ones(len(v), bool)
    label = f"stable {what} (non-responders)" if stable is not None else what
    if use.sum() < 3:
        use, label = np.ones(len(v), bool), what
    specs = {}
    for o, name in enumerate(outcomes):
        inst = info.get(name)
        hiw = getattr(inst, "higher_is_worse", None)
        try:
            sem = sem_test_retest(v[use, 0, o], v[use, 1, o])
            source = f"test-retest, sessions 1->2 of {int(use.sum())} {label}"
        except Exception:                         # noqa: BLE001 - too few pairs: say so
            sem, source = float("nan"), f"not estimable ({label}: < 3 complete pairs)"
        if hiw is None:
            source += "; direction not given by the data (HigherIsWorse), taken as higher = worse"
        specs[name] = MeasureSpec(name, sem if sem > 0 else float("nan"), source,
                                  True if hiw is None else bool(hiw),
                                  getattr(inst, "minimal_important_change", None),
                                  getattr(inst, "units", None) or "")
    return specs


def sensor_changes(values: np.ndarray, names: Sequence[str], train_values: np.ndarray,
                   as_of: int, n_baseline: int = 1, what: str = "training patients"
                   ) -> list[dict]:
    """Change from baseline of each sensor measure at sessions 1..``as_of``, beside its SDC95.

    The direction of a sensor measure (is a rise worse?) is not stated by the data, so the
    records say only whether a change exceeds the SDC95 (``beyond_sdc``), never better/worse.

    Parameters
    ----------
    values : ndarray (S, M)
        The patient's measures per session (NaN: not measured).
    train_values : ndarray (P, S, M)
        Training patients' measures: SEM by test-retest of sessions 1 -> 2.

    Returns
    -------
    list of dict
        ``session``, ``measure``, ``baseline``, ``change``, ``sdc95``, ``rci``, ``beyond_sdc``,
        ``sem_source`` (measures whose SEM cannot be estimated are left out).
    """
    from lbpnet.monitoring.change import baseline, reliable_change_index, sdc95
    v = np.asarray(values, float)[:as_of]
    base = baseline(v[None], n_baseline)[0]
    out = []
    for m, name in enumerate(names):
        try:
            sem = sem_test_retest(train_values[:, 0, m], train_values[:, 1, m])
        except Exception:                         # noqa: BLE001 - too few pairs: no SDC
            continue
        if not (np.isfinite(sem) and sem > 0 and np.isfinite(base[m])):
            continue
        sdc = float(sdc95(sem))
        for s in range(as_of):
            if not np.isfinite(v[s, m]):
                continue
            c = float(v[s, m] - base[m])
            out.append({"session": s + 1, "measure": str(name), "baseline": float(base[m]),
                        "change": c, "sdc95": sdc,
                        "rci": float(reliable_change_index(c, sem)),
                        "beyond_sdc": bool(abs(c) > sdc), "kind": "sensor",
                        "sem_source": f"test-retest, sessions 1->2 of {what}"})
    return out


def _num(x) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


def forecast_record(f: Forecast, patient: str, forecaster: str) -> dict:
    """A :class:`Forecast` as a ``monitoring.json`` entry (the FHIR export's fields)."""
    return {"patient": patient, "outcome": f.outcome, "made_at_session": f.made_at_session,
            "horizon_session": f.horizon_session, "median": _num(f.median),
            "lower": _num(f.lower), "upper": _num(f.upper), "level": f.level,
            "calibrated": f.calibrated, "model_version": f.model_version,
            "forecaster": forecaster,
            # an unbounded end: too few calibration patients for this level (honest, not hidden)
            "bounded": bool(np.isfinite(f.lower) and np.isfinite(f.upper))}


def patient_summary(patient: str, session_labels: Sequence[str], times: np.ndarray,
                    values: np.ndarray, outcomes: Sequence[str],
                    specs: Mapping[str, MeasureSpec], forecasts: Sequence[Forecast],
                    rules: RuleSet, as_of: int, horizon: int, n_baseline: int = 1,
                    forecaster: str = "gru") -> dict:
    """The monitoring summary of one patient seen up to session ``as_of`` (1-based).

    Parameters
    ----------
    session_labels : (S,) session ids; ``times`` (S,) weeks (NaN: no such session)
    values : ndarray (S, O)
        Outcome reports (NaN: missing); only sessions 1..``as_of`` are used.
    specs : dict outcome -> MeasureSpec
        An outcome whose SEM is NaN has no change records and no SDC-based flags.
    forecasts : list of Forecast
        Forecasts made at sessions 1..``as_of`` (``made_at_session``), any horizon.
    horizon : int
        The session the forecast rule judges (the non-response horizon).

    Returns
    -------
    dict
        JSON-ready: ``patient``, ``as_of_session``, ``horizon_session``, ``outcomes``,
        ``sessions``, ``baseline``, ``changes``, ``forecasts``, ``forecast_history``,
        ``flags``, ``rule_set``.
    """
    v = np.asarray(values, float)
    S = len(session_labels)
    seen = v.copy()
    seen[as_of:] = np.nan
    sessions = [{"session": s + 1, "session_id": str(session_labels[s]),
                 "weeks": _num(times[s]), "seen": s < as_of,
                 "values": {o: _num(v[s, j]) for j, o in enumerate(outcomes)}}
                for s in range(S)]
    usable = [o for o in outcomes if np.isfinite(specs[o].sem)]
    cols = [list(outcomes).index(o) for o in usable]
    changes, base = [], {}
    if usable:
        rep = within_person_change(seen[None, :, cols], [specs[o] for o in usable], n_baseline)
        base = {o: _num(rep.baseline[0, j]) for j, o in enumerate(usable)}
        for s in range(as_of):
            for r in rep.as_records([patient], s):
                if r["change"] is not None:
                    changes.append({"session": s + 1, **r})
    ps = PatientSessions(patient, {o: seen[:, list(outcomes).index(o)] for o in usable},
                         outcomes=tuple(usable) or tuple(outcomes))
    by_session: dict[int, dict[str, Forecast]] = {}
    for f in forecasts:
        if f.horizon_session == horizon:
            by_session.setdefault(f.made_at_session, {})[f.outcome] = f
    flags = []
    for s in range(1, as_of + 1):
        flags += [f.to_dict() for f in evaluate(rules, ps, s, {o: specs[o] for o in usable},
                                                by_session.get(s), n_baseline)]
    records = [forecast_record(f, patient, forecaster) for f in forecasts]
    return {"patient": patient, "as_of_session": int(as_of), "horizon_session": int(horizon),
            "outcomes": [{"name": o, "higher_is_worse": specs[o].higher_is_worse,
                          "mic": specs[o].mic, "units": specs[o].units,
                          "sem": _num(specs[o].sem), "sdc95": _num(specs[o].sdc),
                          "sem_source": specs[o].sem_source} for o in outcomes],
            "sessions": sessions,
            "baseline": {"sessions": n_baseline, "values": base},
            "changes": changes,
            "forecasts": [r for r in records if r["made_at_session"] == as_of],
            "forecast_history": [r for r in records if r["made_at_session"] < as_of],
            "flags": flags,
            "rule_set": {"id": rules.name, "version": rules.version, "source": rules.source}}
