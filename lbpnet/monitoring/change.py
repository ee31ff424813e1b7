"""Within-person change: baseline, change from baseline, SEM, SDC95, reliable change, MIC.

Definitions (de Vet et al., *Measurement in Medicine*, Cambridge 2011, ch. 5 and 8;
Jacobson & Truax, J Consult Clin Psychol 1991 59:12-19):

- SEM (standard error of measurement) from a test-retest of stable people:
  ``SEM = SD(x2 - x1) / sqrt(2)`` (:func:`sem_test_retest`), from repeated measurements within
  one session: ``SEM = sqrt(mean within-person variance)`` (:func:`sem_within_session`), or
  from a published ICC: ``SEM = SD * sqrt(1 - ICC)`` (:func:`sem_from_icc`). Where a SEM comes
  from is the caller's to record (:class:`MeasureSpec`'s ``sem_source``).
- SDC95 (smallest detectable change) = ``1.96 * sqrt(2) * SEM`` (:func:`sdc95`).
- Reliable change index (Jacobson-Truax) = ``change / (sqrt(2) * SEM)``; ``|RCI| > 1.96`` is a
  change beyond measurement error at 95 % (the same as ``|change| > SDC95``).
- MIC (minimal important change): a clinical threshold per instrument (e.g. ODI 10 points),
  not a measurement property; a change is *important* when its improvement reaches it.

Arrays: ``values`` ``(P, S, M)`` patients × sessions × measures (NaN: missing); ``change`` is
``values - baseline`` with the sign of the measure; ``worsening`` uses each measure's direction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from lbpnet.errors import ConfigError, FeatureError

Z95 = 1.959963984540054


def sem_test_retest(first: np.ndarray, second: np.ndarray) -> float:
    """SEM from two measurements of the same stable people, shapes (n,) each (NaN pairs
    dropped): ``SD(second - first) / sqrt(2)``.

    Raises
    ------
    FeatureError
        Fewer than 3 complete pairs.
    """
    d = np.asarray(second, float) - np.asarray(first, float)
    d = d[~np.isnan(d)]
    if d.size < 3:
        raise FeatureError(f"{d.size} complete test-retest pairs; a SEM needs at least 3",
                           field="test_retest", fix="give more stable people measured twice")
    return float(np.std(d, ddof=1) / np.sqrt(2))


def sem_within_session(repeats: np.ndarray) -> float:
    """SEM from repeated measurements within one session, ``(n_people, n_repeats)``:
    the square root of the mean within-person variance (NaN repeats ignored; people with
    fewer than 2 repeats dropped)."""
    r = np.asarray(repeats, float)
    keep = (~np.isnan(r)).sum(1) >= 2
    if keep.sum() < 2:
        raise FeatureError("fewer than 2 people with 2 or more repeats", field="repeats",
                           fix="give repeated measurements (e.g. several trials) per person")
    return float(np.sqrt(np.nanmean(np.nanvar(r[keep], axis=1, ddof=1))))


def sem_from_icc(sd: float, icc: float) -> float:
    """SEM = ``sd * sqrt(1 - icc)`` (``sd`` between people, ``icc`` in [0, 1])."""
    if not 0 <= icc <= 1:
        raise ConfigError(f"ICC {icc} outside [0, 1]", field="icc", fix="give an ICC in [0, 1]")
    return float(sd * np.sqrt(1 - icc))


def sdc95(sem: float | np.ndarray) -> float | np.ndarray:
    """Smallest detectable change at 95 %: ``1.96 * sqrt(2) * SEM`` (units of the measure)."""
    return Z95 * np.sqrt(2.0) * np.asarray(sem, float) if np.ndim(sem) else \
        float(Z95 * np.sqrt(2.0) * sem)


def reliable_change_index(change: np.ndarray, sem: float | np.ndarray) -> np.ndarray:
    """Jacobson-Truax RCI: ``change / (sqrt(2) * SEM)``, same shape as ``change``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(change, float) / (np.sqrt(2.0) * np.asarray(sem, float))


def baseline(values: np.ndarray, n_first: int = 1) -> np.ndarray:
    """(P, M): mean of each measure over the first ``n_first`` sessions that have it."""
    v = np.asarray(values, float)
    if n_first < 1:
        raise ConfigError(f"baseline over {n_first} sessions", field="monitoring.baseline_sessions",
                          fix="use 1 (first session) or more")
    ok = ~np.isnan(v)
    rank = np.cumsum(ok, axis=1)                          # 1 at the first present session
    use = ok & (rank <= n_first)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(use, v, 0).sum(1) / use.sum(1)


@dataclass
class MeasureSpec:
    """What a measure means for change: its SEM (and where it comes from), direction, MIC.

    Parameters
    ----------
    name : str
        E.g. ``odi``, ``co_contraction_index``.
    sem : float
        Standard error of measurement, in the measure's units.
    sem_source : str
        Where the SEM comes from (study, or "test-retest of N training patients").
    higher_is_worse : bool
        Direction (ODI, pain, co-contraction: True; flexion-relaxation ratio: False).
    mic : float, optional
        Minimal important change (points, an improvement), for outcomes.
    units : str
    """

    name: str
    sem: float
    sem_source: str
    higher_is_worse: bool = True
    mic: float | None = None
    units: str = ""

    @property
    def sdc(self) -> float:
        """SDC95 of the measure (its units): ``1.96 * sqrt(2) * sem``."""
        return sdc95(self.sem)


@dataclass
class ChangeReport:
    """Change from baseline of every measure, each with its SDC and RCI.

    Attributes (P patients, S sessions, M measures)
    ----------
    measures : list of MeasureSpec, (M,)
    baseline : (P, M)
    change : (P, S, M)          value - baseline (NaN: missing)
    sdc : (M,)                  SDC95 per measure
    rci : (P, S, M)             Jacobson-Truax RCI
    worsening : (P, S, M) bool  worse by more than the SDC (direction of the measure)
    improving : (P, S, M) bool  better by more than the SDC
    important : (P, S, M) bool  improvement reaching the MIC (False where no MIC)
    """

    measures: list
    baseline: np.ndarray
    change: np.ndarray
    sdc: np.ndarray
    rci: np.ndarray
    worsening: np.ndarray
    improving: np.ndarray
    important: np.ndarray
    n_baseline: int = 1
    notes: list = field(default_factory=list)

    def as_records(self, patients: Sequence[str], session: int) -> list[dict]:
        """Plain dicts for one session (0-based index): per patient and measure, the value
        change with its SDC, RCI, MIC and the verdicts (for ``monitoring.json``)."""
        out = []
        for p, pid in enumerate(patients):
            for m, spec in enumerate(self.measures):
                c = self.change[p, session, m]
                out.append({"patient": str(pid), "measure": spec.name,
                            "baseline": _f(self.baseline[p, m]), "change": _f(c),
                            "sdc95": float(self.sdc[m]), "rci": _f(self.rci[p, session, m]),
                            "mic": spec.mic, "sem_source": spec.sem_source,
                            "worse_beyond_sdc": bool(self.worsening[p, session, m]),
                            "better_beyond_sdc": bool(self.improving[p, session, m]),
                            "reaches_mic": bool(self.important[p, session, m])})
        return out


def _f(x) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


def within_person_change(values: np.ndarray, measures: Sequence[MeasureSpec],
                         n_baseline: int = 1) -> ChangeReport:
    """Change of every measure from each patient's baseline, judged against SDC and MIC.

    Parameters
    ----------
    values : ndarray (P, S, M)
        Measures (outcomes and sensor measures alike) per patient × session.
    measures : list of MeasureSpec, length M
    n_baseline : int
        Baseline = mean of the first ``n_baseline`` sessions (1: the first session).
    """
    v = np.asarray(values, float)
    if v.ndim != 3 or v.shape[2] != len(measures):
        raise ConfigError(f"values {v.shape} do not match {len(measures)} measures",
                          field="measures", fix="give values (patients, sessions, measures) "
                                                "and one MeasureSpec per measure")
    for spec in measures:
        if not (np.isfinite(spec.sem) and spec.sem > 0):
            raise ConfigError(f"measure '{spec.name}' has SEM {spec.sem}",
                              field=f"{spec.name}.sem", fix="give a SEM > 0 and its source")
    base = baseline(v, n_baseline)
    change = v - base[:, None]
    sem = np.array([m.sem for m in measures])
    worse_sign = np.array([1.0 if m.higher_is_worse else -1.0 for m in measures])
    sdc = sdc95(sem)
    toward_worse = change * worse_sign                       # > 0: worse
    mic = np.array([np.inf if m.mic is None else m.mic for m in measures])
    with np.errstate(invalid="ignore"):
        return ChangeReport(list(measures), base, change, sdc,
                            reliable_change_index(change, sem), toward_worse > sdc,
                            -toward_worse > sdc, -toward_worse >= mic, n_baseline)
