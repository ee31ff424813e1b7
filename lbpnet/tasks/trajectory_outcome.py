"""What counts as non-response: the outcome definition of the trajectory task, from config.

The minimal important change (MIC) of the Oswestry Disability Index (ODI, 0-100) is 10
points or 30 % of the baseline score (Ostelo et al., Spine 2008 33:90-94). A patient whose
improvement of the judged outcome (ODI by default; any named outcome, its direction from
``HigherIsWorse``) from the first session to the horizon session misses it is a
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
    """Non-response by a horizon session, judged on one named outcome.

    Parameters
    ----------
    points : float or None
        Improvement (in the outcome's points) that counts as a response (default 10, the
        ODI's); None drops this criterion.
    fraction : float or None
        Relative improvement (of the baseline value) that counts as a response (default
        0.30); None drops this criterion. ``points`` and ``fraction`` both None: the data
        module fills them from the outcome's ``MinimalImportantChange`` /
        ``MinimalImportantChangeFraction`` (:meth:`from_instrument`).
    rule : {"either", "both"}
        ``"either"``: a response is an improvement of ``points`` OR ``fraction`` (so
        non-response is a change < ``points`` AND < ``fraction``); ``"both"``: both needed.
        With one criterion left, that one decides.
    nrs_points : float, optional
        When set, a response also needs the pain NRS to improve by at least this much.
    outcome : str, optional
        The outcome judged (default: the first listed).
    higher_is_worse : bool
        Direction of the outcome (``HigherIsWorse``): improvement is a fall when True (ODI,
        NRS, seizure counts), a rise when False.
    """

    points: float | None = 10.0
    fraction: float | None = 0.30
    rule: str = "either"
    nrs_points: float | None = None
    outcome: str | None = None
    higher_is_worse: bool = True

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ConfigError(f"unknown non-response rule '{self.rule}'",
                              field="data.module.non_response.rule", fix="use either or both")
        if not ((self.points is None or self.points >= 0)
                and (self.fraction is None or 0 <= self.fraction <= 1)):
            raise ConfigError(f"points {self.points} / fraction {self.fraction} out of range",
                              field="data.module.non_response",
                              fix="give points >= 0 and a fraction in [0, 1] (e.g. 10 and 0.3)")

    def from_instrument(self, info, outcome: str) -> "NonResponse":
        """This definition for ``outcome`` with the direction of ``info``
        (:class:`~lbpnet.recording.outcomes.Instrument`), and points/fraction from its
        minimal important change when both are None."""
        points, fraction = self.points, self.fraction
        if points is None and fraction is None:
            points = getattr(info, "minimal_important_change", None)
            fraction = getattr(info, "minimal_important_fraction", None)
            if points is None and fraction is None:
                raise ConfigError(f"non-response of '{outcome}' has neither points nor fraction, "
                                  "and its sidecar gives no MinimalImportantChange",
                                  field="data.module.non_response",
                                  fix="set data.module.non_response.points or .fraction, or "
                                      f"MinimalImportantChange of {outcome} in sessions.json")
        hiw = getattr(info, "higher_is_worse", None)
        if hiw is None:
            raise ConfigError(f"the direction of '{outcome}' is unknown", field="HigherIsWorse",
                              fix=f"give {outcome}.HigherIsWorse (true/false) in sessions.json")
        return NonResponse(points, fraction, self.rule, self.nrs_points, outcome, bool(hiw))

    def __call__(self, odi_first, odi_at, nrs_first=None, nrs_at=None) -> np.ndarray:
        """1.0 for non-response, 0.0 for response, NaN where a score is missing.

        Parameters
        ----------
        odi_first, odi_at : array-like, shape (n,)
            The judged outcome (e.g. ODI 0-100) at the first and at the horizon session
            (NaN: not reported).
        nrs_first, nrs_at : array-like, shape (n,), optional
            Pain NRS (0-10), used only when ``nrs_points`` is set.
        """
        if self.points is None and self.fraction is None:
            raise ConfigError("non-response has neither points nor fraction",
                              field="data.module.non_response", fix="set points or fraction")
        o0 = np.asarray(odi_first, dtype=float)
        o1 = np.asarray(odi_at, dtype=float)
        gain = o0 - o1 if self.higher_is_worse else o1 - o0
        with np.errstate(invalid="ignore", divide="ignore"):
            rel = np.where(o0 != 0, gain / np.where(o0 != 0, np.abs(o0), 1.0), 0.0)
        crit = []
        if self.points is not None:
            crit.append(gain >= self.points)
        if self.fraction is not None:
            crit.append((rel >= self.fraction) & (gain > 0))
        response = crit[0]
        for c in crit[1:]:
            response = response | c if self.rule == "either" else response & c
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

    def of_table(self, values: np.ndarray, outcomes, horizon: int) -> np.ndarray:
        """Labels (P,) from outcomes ``values`` (P, S, O) named ``outcomes``, judged between
        the first session and session ``horizon`` (1-based)."""
        names = list(outcomes)
        name = self.outcome or names[0]
        if name not in names:
            raise ConfigError(f"non-response outcome '{name}' is not among {names}",
                              field="data.module.non_response.outcome",
                              fix=f"use one of {names} (or null: the first)")
        j = names.index(name)
        nrs = {}
        if self.nrs_points is not None:
            if "nrs" not in names:
                raise ConfigError("nrs_points is set but 'nrs' is not an outcome",
                                  field="data.module.non_response.nrs_points",
                                  fix="add nrs to data.outcomes, or set nrs_points to null")
            i = names.index("nrs")
            nrs = {"nrs_first": values[:, 0, i], "nrs_at": values[:, horizon - 1, i]}
        return self(values[:, 0, j], values[:, horizon - 1, j], **nrs)
