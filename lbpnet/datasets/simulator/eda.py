"""Electrodermal activity (uS) and skin temperature (degC) at ~4 Hz.

Tonic skin conductance level 2-10 uS, drifting slowly; phasic skin conductance responses
(SCRs) of 0.05-1 uS, shaped as a Bateman function with rise ~0.75 s and decay ~2.5 s
(Benedek & Kaernbach, J Neurosci Methods 2010 190:80-91), non-specific SCRs 1-3 per minute
at rest, more with effort and pain (Boucsein, Electrodermal Activity, 2nd ed. 2012).
Skin temperature 32-34 degC with slow drift, falling slightly with sustained effort.
"""

from __future__ import annotations

import numpy as np

CHANNELS = ["eda", "skin_temperature"]
TYPES = ["EDA", "TEMP"]
UNITS = ["uS", "degC"]
TAU_RISE_S, TAU_DECAY_S = 0.75, 2.5


def plan_scrs(timeline, duration: float, nrs: float,
              rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """SCR onsets (s) and amplitudes (uS): Poisson, 1.5/min at rest, up to ~5/min."""
    grid = np.arange(0.0, duration + 60.0, 60.0)
    effort = timeline.evaluate(grid).effort
    onsets = []
    for t0, e in zip(grid, effort):
        rate = 1.5 + 3.0 * e + 0.2 * nrs
        k = rng.poisson(rate)
        onsets.extend(t0 + rng.uniform(0, 60, k))
    onsets = np.sort(np.array(onsets))
    onsets = onsets[onsets < duration]
    amps = rng.lognormal(np.log(0.2), 0.6, len(onsets)).clip(0.03, 1.5)
    return onsets, amps


class EDAGenerator:
    """Electrodermal activity of one session: skin conductance level (µS) with slow drift,
    effort-related rise and skin-conductance responses, plus skin temperature (°C).
    """
    def __init__(self, traits: dict, duration: float, nrs: float, difficulty: float,
                 timeline, rng: np.random.Generator) -> None:
        self.scl = traits["scl_us"]
        self.temp = traits["skin_temp_c"]
        self.rng = rng
        self.noise = 0.01 * np.sqrt(difficulty)
        self.onsets, self.amps = plan_scrs(timeline, duration, nrs, rng)
        self.periods = rng.uniform(300, 1200, 3)
        self.phases = rng.uniform(0, 2 * np.pi, 3)

    def chunk(self, ctrl) -> np.ndarray:
        """EDA (µS) and skin temperature (°C) at the times of ``ctrl`` (a :class:`Control`),
        shape ``(n, 2)``.
        """
        t = ctrl.t
        drift = sum(0.3 * np.sin(2 * np.pi * t / p + ph)
                    for p, ph in zip(self.periods, self.phases))
        eda = self.scl + drift + 0.5 * ctrl.effort
        lo, hi = np.searchsorted(self.onsets, [t[0] - 30.0, t[-1]]) if len(t) else (0, 0)
        for on, a in zip(self.onsets[lo:hi], self.amps[lo:hi]):
            dt = np.clip(t - on, 0, None)
            eda += a * 1.8 * (np.exp(-dt / TAU_DECAY_S) - np.exp(-dt / TAU_RISE_S))
        eda += self.noise * self.rng.standard_normal(len(t))
        temp = self.temp + 0.2 * np.sin(2 * np.pi * t / self.periods[0] + 1.0) \
            - 0.3 * ctrl.effort + 0.005 * self.rng.standard_normal(len(t))
        return np.column_stack([np.clip(eda, 0.05, None), temp]).astype(np.float32)
