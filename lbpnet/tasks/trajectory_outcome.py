"""What counts as non-response: the outcome definition of the trajectory task, from config.

The minimal important change (MIC) of the Oswestry Disability Index (ODI, 0-100) is 10
points or 30 % of the baseline score (Ostelo et al., Spine 2008 33:90-94). A patient whose
ODI improvement from the first session to the horizon session misses it is a
*non-responder*. Optionally the pain NRS (0-10) must also improve by ``nrs_points`` for a
response (the simulator's responders meet both).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lbpnet.errors import ConfigError

RULES = ("either", "both")


@dataclass
class NonResponse:
    """Non-response by a horizon session.

    Parameters
    ----------
    points : float
        ODI improvement (points) that counts as a response (default 10).
    fraction : float
        Relative ODI improvement (of the baseline) that counts as a response (default 0.30).
    rule : {"either", "both"}
        ``"either"``: a response is an improvement of ``points`` OR ``fraction`` (so
        non-response is a change < ``points`` AND < ``fraction``); ``"both"``: both needed.
    nrs_points : float, optional
        When set, a response also needs the pain NRS to improve by at least this much.
    """

    points: float = 10.0
    fraction: float = 0.30
    rule: str = "either"
    nrs_points: float | None = None

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ConfigError(f"unknown non-response rule '{self.rule}'",
                              field="data.module.non_response.rule", fix="use either or both")
        if not (self.points >= 0 and 0 <= self.fraction <= 1):
            raise ConfigError(f"points {self.points} / fraction {self.fraction} out of range",
                              field="data.module.non_response",
                              fix="give points >= 0 and a fraction in [0, 1] (e.g. 10 and 0.3)")

    def __call__(self, odi_first, odi_at, nrs_first=None, nrs_at=None) -> np.ndarray:
        """1.0 for non-response, 0.0 for response, NaN where a score is missing.

        Parameters
        ----------
        odi_first, odi_at : array-like, shape (n,)
            ODI (0-100) at the first session and at the horizon session (NaN: not reported).
        nrs_first, nrs_at : array-like, shape (n,), optional
            Pain NRS (0-10), used only when ``nrs_points`` is set.
        """
        o0 = np.asarray(odi_first, dtype=float)
        o1 = np.asarray(odi_at, dtype=float)
        gain = o0 - o1
        with np.errstate(invalid="ignore", divide="ignore"):
            rel = np.where(o0 > 0, gain / np.where(o0 > 0, o0, 1.0), 0.0)
        by_points, by_fraction = gain >= self.points, (rel >= self.fraction) & (gain > 0)
        response = by_points | by_fraction if self.rule == "either" else by_points & by_fraction
        unknown = np.isnan(o0) | np.isnan(o1)
        if self.nrs_points is not None:
            if nrs_first is None or nrs_at is None:
                raise ConfigError("nrs_points is set but no NRS was given",
                                  field="data.module.non_response.nrs_points",
                                  fix="pass the NRS scores, or set nrs_points to null")
            n0, n1 = np.asarray(nrs_first, dtype=float), np.asarray(nrs_at, dtype=float)
            response = response & (n0 - n1 >= self.nrs_points)
            unknown = unknown | np.isnan(n0) | np.isnan(n1)
        return np.where(unknown, np.nan, (~response).astype(float))
