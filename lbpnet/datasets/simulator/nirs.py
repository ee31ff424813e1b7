"""Paraspinal NIRS at ~10 Hz: tissue saturation index (TSI, %) and O2Hb/HHb changes (uM).

Resting paraspinal TSI 60-75 % (Kovacs et al., Spine 2001 26:1680-1685). During sustained
extensor contraction (> ~20-30 %MVC) the muscle de-oxygenates: TSI falls 5-20 points with
HHb rising and O2Hb falling by a few uM (Jensen et al., Eur J Appl Physiol 1999 80:
556-563; Olivier et al., Clin Physiol Funct Imaging 2013). Recovery half-time after
contraction ~10-30 s; slower in deconditioned (fatigue-limited) patients (Kell &
Bhambhani, Eur J Appl Physiol 2006 96:241-248). The oxygen deficit follows first-order
kinetics with a de-oxygenation time constant of ~8 s and a recovery time constant
tau_rec = t_half / ln 2. Mayer waves ~0.1 Hz and a cardiac pulsation ride on top.
"""

from __future__ import annotations

import numpy as np

CHANNELS = ["paraspinal_left_tsi", "paraspinal_right_tsi", "paraspinal_left_o2hb",
            "paraspinal_right_o2hb", "paraspinal_left_hhb", "paraspinal_right_hhb"]
TYPES = ["NIRS"] * 6
UNITS = ["%", "%", "uM", "uM", "uM", "uM"]
TAU_DEOX_S = 8.0


class NIRSGenerator:
    """Muscle NIRS of one session at ``fs`` Hz: tissue saturation index (%) falling with effort
    and recovering with a half-time of 15–40 s (longer with stronger fatigue).
    """
    def __init__(self, fs: float, traits: dict, fatigue_strength: float, difficulty: float,
                 rng: np.random.Generator) -> None:
        self.fs, self.rng = fs, rng
        self.tsi_rest = traits["tsi_rest"]
        half = 15.0 + 25.0 * fatigue_strength               # 15-40 s
        self.tau_rec = half / np.log(2)
        self.half_time_s = half
        self.deficit = np.zeros(2)                          # 0..1 per side
        self.noise = 0.3 * np.sqrt(difficulty)
        self.phase = rng.uniform(0, 2 * np.pi)

    def chunk(self, ctrl, ext_act: np.ndarray, hr_hz: np.ndarray) -> np.ndarray:
        """``ext_act``: mean extensor activation (n, 2) in %MVC at the NIRS samples."""
        dt = 1 / self.fs
        n = len(ctrl.t)
        target = np.clip((ext_act - 8.0) / 40.0, 0, 1)      # demand above ~8 %MVC
        out_def = np.empty((n, 2))
        d = self.deficit
        for i in range(n):
            tau = np.where(target[i] > d, TAU_DEOX_S, self.tau_rec)
            d = d + (target[i] - d) * (1 - np.exp(-dt / tau))
            out_def[i] = d
        self.deficit = d
        t = ctrl.t
        mayer = 0.6 * np.sin(2 * np.pi * 0.1 * t + self.phase)
        pulse = 0.15 * np.sin(2 * np.pi * np.cumsum(hr_hz) * dt)
        tsi = self.tsi_rest - 18.0 * out_def + mayer[:, None] \
            + self.noise * self.rng.standard_normal((n, 2))
        hhb = 6.0 * out_def + 0.3 * mayer[:, None] + 0.1 * self.rng.standard_normal((n, 2))
        o2hb = -5.0 * out_def + 0.5 * mayer[:, None] + pulse[:, None] \
            + 0.1 * self.rng.standard_normal((n, 2))
        return np.column_stack([tsi, o2hb, hhb]).astype(np.float32)
