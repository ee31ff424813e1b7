"""Monitoring a patient (DESIGN step 8): baselines, within-person change, calibrated
forecasts, non-response flags from versioned rules, and profiles. Decision support for a
clinician's review, never a diagnosis.

Everything works on plain numpy arrays and small dataclasses (shapes in each module):

- :mod:`.forecasters` / :mod:`.mixed_model`: LOCF, last + median change, and a linear
  mixed-effects (random intercept + slope, BLUP) forecaster, ``(P, A, O, Q)`` forecasts;
- :mod:`.conformal`: split-conformal calibration on held-out patients per step × outcome;
- :mod:`.probability`: Platt / isotonic calibration of P(non-response), reliability, Brier;
- :mod:`.change`: baseline, change, SEM, SDC95, reliable change index, MIC;
- :mod:`.rules` / :mod:`.rule_engine`: rule files (``conf/monitoring/*.yaml``) and flags;
- :mod:`.profiles`: strategy outputs → rehabilitation profiles with bootstrap uncertainty.
"""

from lbpnet.monitoring.change import (MeasureSpec, baseline, reliable_change_index, sdc95,
                                      sem_from_icc, sem_test_retest, sem_within_session,
                                      within_person_change)
from lbpnet.monitoring.conformal import ConformalCalibrator, check_held_out, coverage_and_width
from lbpnet.monitoring.forecasters import LastObservation, future_targets, last_reported
from lbpnet.monitoring.mixed_model import MixedEffectsForecaster
from lbpnet.monitoring.probability import (ProbabilityCalibrator, brier_score,
                                           reliability_figure, reliability_table)
from lbpnet.monitoring.profiles import patient_profiles, session_profile
from lbpnet.monitoring.rule_engine import (Flag, Forecast, PatientSessions, evaluate,
                                           first_flag_session)
from lbpnet.monitoring.rules import RuleSet, load_rules, rule_set

__all__ = ["MeasureSpec", "baseline", "reliable_change_index", "sdc95", "sem_from_icc",
           "sem_test_retest", "sem_within_session", "within_person_change",
           "ConformalCalibrator", "check_held_out", "coverage_and_width", "LastObservation",
           "future_targets", "last_reported", "MixedEffectsForecaster",
           "ProbabilityCalibrator", "brier_score", "reliability_figure", "reliability_table",
           "patient_profiles", "session_profile", "Flag", "Forecast", "PatientSessions",
           "evaluate", "first_flag_session", "RuleSet", "load_rules", "rule_set"]
