"""Evaluate a rule set per patient-session; every flag carries its evidence and uncertainty.

Inputs are plain data:

- :class:`PatientSessions`: one patient's measures per session (outcomes and sensor measures
  alike, NaN where missing) and which planned sessions were attended;
- :class:`Forecast`: the calibrated interval of one outcome at the horizon session, made from
  the sessions seen so far (with the forecaster's version and the interval's level);
- :class:`~lbpnet.monitoring.change.MeasureSpec` per measure (SEM → SDC95, direction, MIC).

:func:`evaluate` returns the :class:`Flag` objects of one patient at one session (sessions
are 1-based: session ``s`` sees sessions ``1..s`` only). A rule whose measure a patient does
not have is skipped (no flag without its evidence); :func:`evaluate` refuses a rule whose
measure a patient has but that has no :class:`MeasureSpec` (no SDC, no direction).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Mapping, Sequence

import numpy as np

from lbpnet.errors import ConfigError
from lbpnet.monitoring.change import MeasureSpec, baseline
from lbpnet.monitoring.rules import Rule, RuleSet


@dataclass
class PatientSessions:
    """One patient's planned sessions.

    Parameters
    ----------
    patient : str
        Pseudonymous id.
    values : dict of str -> ndarray (S,)
        Each measure per planned session (NaN: missing or not measured).
    attended : ndarray (S,) bool, optional
        Whether each planned session took place; default: a session with any non-NaN outcome
        named in ``outcomes``.
    outcomes : sequence of str
        Which ``values`` are patient-reported outcomes (their absence is a missed report).
    """

    patient: str
    values: dict
    attended: np.ndarray | None = None
    outcomes: Sequence[str] = ("odi",)

    def reported(self) -> np.ndarray:
        """(S,) bool: a session with at least one outcome reported (or attended, if given)."""
        if self.attended is not None:
            return np.asarray(self.attended, bool)
        cols = [np.asarray(self.values[o], float) for o in self.outcomes if o in self.values]
        return np.any([~np.isnan(c) for c in cols], 0) if cols else np.zeros(0, bool)


@dataclass
class Forecast:
    """Calibrated forecast of one outcome at the horizon session.

    Parameters
    ----------
    outcome : str
    horizon_session : int       1-based session the forecast is for
    made_at_session : int       sessions seen (k)
    lower, median, upper : float  interval ends and median (outcome units)
    level : float               nominal coverage of ``[lower, upper]`` (e.g. 0.8)
    model_version : str         forecaster name + version/fingerprint
    calibrated : bool           conformal-calibrated on held-out patients
    """

    outcome: str
    horizon_session: int
    made_at_session: int
    lower: float
    median: float
    upper: float
    level: float
    model_version: str
    calibrated: bool = True


@dataclass
class Flag:
    """One raised flag: which rule, for whom, when, why (evidence) and how sure (uncertainty)."""

    rule_id: str
    rule_version: str
    rule_set: str
    rule_set_version: str
    level: str
    text: str
    action: str
    patient: str
    session: int
    evidence: dict
    uncertainty: dict
    model_version: str | None = None

    def __post_init__(self) -> None:
        if not self.uncertainty:
            raise ConfigError(f"flag of rule {self.rule_id} has no uncertainty",
                              field="uncertainty", fix="every flag states its uncertainty")

    def to_dict(self) -> dict:
        """Plain JSON-serialisable dict (for ``monitoring.json``)."""
        return asdict(self)


def _spec(specs: Mapping[str, MeasureSpec], name: str, rule: Rule, rules: RuleSet) -> MeasureSpec:
    if name not in specs:
        raise ConfigError(f"rule '{rule.id}' refers to '{name}', which has no MeasureSpec "
                          "(SEM, direction, MIC)", source=rules.source, field=f"{rule.id}.params",
                          fix=f"give a MeasureSpec for '{name}' or drop it from the rule")
    return specs[name]


def _worse(spec: MeasureSpec, change: float) -> float:
    return change if spec.higher_is_worse else -change


def _forecast_rule(rule, p, s, forecasts, specs, rules, n_baseline):
    name = rule.params["outcome"]
    f = (forecasts or {}).get(name)
    if f is None or name not in p.values:
        return None
    spec = _spec(specs, name, rule, rules)
    if spec.mic is None:
        return None
    base = float(baseline(np.asarray(p.values[name], float)[None, :s, None], n_baseline)[0, 0])
    if not (np.isfinite(base) and np.isfinite(f.lower) and np.isfinite(f.upper)):
        return None
    best = f.lower if spec.higher_is_worse else f.upper
    target = base - spec.mic if spec.higher_is_worse else base + spec.mic
    misses = best > target if spec.higher_is_worse else best < target
    if not misses:
        return None
    ev = {"outcome": name, "baseline": base, "mic": spec.mic, "needed_value": target,
          "horizon_session": f.horizon_session, "forecast_made_at_session": f.made_at_session,
          "forecast_median": f.median, "interval": [f.lower, f.upper]}
    unc = {"interval_level": f.level, "calibrated": f.calibrated,
           "interval": [f.lower, f.upper]}
    return ev, unc, f.model_version


def _worsening_rule(rule, p, s, specs, rules, n_baseline):
    n = rule.params["consecutive"]
    if s < n + n_baseline:
        return None
    hits = []
    for name in rule.params["measures"]:
        if name not in p.values:
            continue                                  # not measured for this patient
        spec = _spec(specs, name, rule, rules)
        v = np.asarray(p.values[name], float)[:s]
        base = float(baseline(v[None, :, None], n_baseline)[0, 0])
        last = v[s - n:s]
        if not np.isfinite(base) or np.isnan(last).any():
            continue
        worse = [_worse(spec, x - base) for x in last]
        if all(w > spec.sdc for w in worse):
            hits.append({"measure": name, "baseline": base,
                         "sessions": list(range(s - n + 1, s + 1)),
                         "values": [float(x) for x in last],
                         "change": [float(x - base) for x in last],
                         "sdc95": spec.sdc, "sem": spec.sem, "sem_source": spec.sem_source,
                         "rci": [float((x - base) / (np.sqrt(2) * spec.sem)) for x in last]})
    if not hits:
        return None
    unc = {"smallest_detectable_change_95": {h["measure"]: h["sdc95"] for h in hits},
           "reliable_change_index": {h["measure"]: h["rci"] for h in hits}}
    return {"measures": hits}, unc, None


def _missed_rule(rule, p, s):
    rep = p.reported()[:s]
    w = rule.params["within_last"]
    if s < w:
        return None
    recent = rep[s - w:s]
    missed = int((~recent).sum())
    if missed < rule.params["missed"]:
        return None
    sessions = [int(i) for i in np.arange(s - w + 1, s + 1)[~recent]]
    return ({"missed_sessions": sessions, "planned_sessions": list(range(s - w + 1, s + 1))},
            {"kind": "count", "note": "attendance is recorded, not estimated"}, None)


def _last_change_rule(rule, p, s, specs, rules, n_baseline):
    name = rule.params["outcome"]
    if name not in p.values:
        return None
    spec = _spec(specs, name, rule, rules)
    if spec.mic is None or s <= n_baseline:
        return None
    v = np.asarray(p.values[name], float)[:s]
    base = float(baseline(v[None, :, None], n_baseline)[0, 0])
    seen = np.flatnonzero(~np.isnan(v[n_baseline:])) + n_baseline
    if not np.isfinite(base) or not seen.size:
        return None
    last = float(v[seen[-1]])
    gain = -_worse(spec, last - base)
    if gain >= rule.params["fraction_of_mic"] * spec.mic:
        return None
    return ({"outcome": name, "baseline": base, "latest_session": int(seen[-1]) + 1,
             "latest_value": last, "improvement": gain, "mic": spec.mic},
            {"sdc95": spec.sdc, "sem_source": spec.sem_source}, None)


def evaluate(rules: RuleSet, patient: PatientSessions, session: int,
             specs: Mapping[str, MeasureSpec], forecasts: Mapping[str, Forecast] | None = None,
             n_baseline: int = 1) -> list[Flag]:
    """Flags of one patient at ``session`` (1-based; sees sessions ``1..session``).

    Parameters
    ----------
    forecasts : dict outcome -> Forecast, optional
        Forecasts made at this session (the forecast rule is skipped without one).
    n_baseline : int
        Baseline = mean of the first ``n_baseline`` sessions.
    """
    flags = []
    for rule in rules.rules:
        if rule.kind == "forecast_misses_mic":
            got = _forecast_rule(rule, patient, session, forecasts, specs, rules, n_baseline)
        elif rule.kind == "worsening_beyond_sdc":
            got = _worsening_rule(rule, patient, session, specs, rules, n_baseline)
        elif rule.kind == "missed_sessions":
            got = _missed_rule(rule, patient, session)
        else:
            got = _last_change_rule(rule, patient, session, specs, rules, n_baseline)
        if got is None:
            continue
        evidence, uncertainty, model = got
        flags.append(Flag(rule.id, rule.version, rules.name, rules.version, rule.level,
                          rule.text, rule.action, patient.patient, int(session), evidence,
                          uncertainty, model))
    return flags


def first_flag_session(flags: Sequence[Flag], levels: Sequence[str] = ("review", "urgent")
                       ) -> dict[str, int]:
    """Per patient, the first session with a flag at one of ``levels``."""
    out: dict[str, int] = {}
    for f in flags:
        if f.level in levels:
            out[f.patient] = min(out.get(f.patient, f.session), f.session)
    return out
