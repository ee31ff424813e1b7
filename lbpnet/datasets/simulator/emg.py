"""Surface EMG: band-limited Gaussian noise with a Shwedyk spectrum, amplitude-modulated.

Model (Shwedyk, Balasubramanian & Scott, IEEE Trans Biomed Eng 1977 24:417-424; the
parametrisation also used by Merletti & Lo Conte, J Electromyogr Kinesiol 1997)::

    P(f) = K fh^4 f^2 / ((f^2 + fl^2)(f^2 + fh^2)^2)

realised as the analogue filter ``H(s) = wh^2 s / ((s + wl)(s + wh)^2)`` (bilinear transform)
in series with a 2nd-order 20 Hz high-pass (electrode/amplifier band, SENIAM). With
fl = 45 Hz, fh = 95 Hz the median frequency is ~78 Hz and the mean ~100 Hz; a per-channel
spectral scale of 0.88-1.12 spreads the median over ~69-88 Hz, inside the 60-100 Hz of
trunk muscles (Roy et al., Spine 1989 14:992-1001).

Amplitude: RMS (uV) = MVC RMS (100-400 uV, see :data:`.config.MUSCLES`) x activation
(%MVC) / 100, i.e. ~5-200 uV over the protocol; approximately linear for trunk muscles
(Lawrence & De Luca, J Appl Physiol 1983 54:1653-1659). Baseline noise 2-4 uV RMS.

Fatigue: conduction velocity falls, the spectrum compresses: the median frequency falls
10-25 % over a sustained trunk-extensor contraction while RMS rises (Mannion & Dolan,
Spine 1994 19:1223-1229; Roy et al. 1989). Realised without breaking the filter state:
the output mixes a fresh branch and a branch compressed by :data:`FATIGUED_SCALE`,
``sqrt(1-a) y_fresh + sqrt(a) y_fatigued``, whose median frequency falls monotonically with
``a``; ``a`` is chosen per sample so the median frequency falls by the wanted fraction.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import signal

from lbpnet.datasets.simulator.config import MUSCLES, SimulatorConfig

FL_HZ, FH_HZ, HP_HZ = 45.0, 95.0, 20.0
FATIGUED_SCALE = 0.62          # spectral scale of the fully fatigued branch
ENVELOPE_HZ = 200.0            # activation is evaluated on this grid, then interpolated


@lru_cache(maxsize=512)
def _cached_sos(fs: float, scale: float) -> np.ndarray:
    return shwedyk_sos(fs, scale)


def shwedyk_sos(fs: float, scale: float = 1.0) -> np.ndarray:
    """Second-order sections of the Shwedyk filter (unit output RMS for unit white input)."""
    wl, wh = 2 * np.pi * FL_HZ * scale, 2 * np.pi * FH_HZ * scale
    z, p, k = signal.bilinear_zpk([0.0], [-wl, -wh, -wh], wh * wh, fs)
    sos = np.vstack([signal.zpk2sos(z, p, k), signal.butter(2, HP_HZ, "highpass", fs=fs,
                                                            output="sos")])
    _, h = signal.sosfreqz(sos, worN=8192, fs=fs)
    sos[0, :3] /= np.sqrt(np.mean(np.abs(h) ** 2))
    return sos


def shwedyk_psd(f: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """The model's PSD shape (arbitrary units) including the 20 Hz high-pass."""
    fl, fh = FL_HZ * scale, FH_HZ * scale
    return fh ** 4 * f ** 2 / ((f ** 2 + fl ** 2) * (f ** 2 + fh ** 2) ** 2) \
        * f ** 4 / (f ** 4 + HP_HZ ** 4)


def _mixture_table() -> tuple[np.ndarray, np.ndarray]:
    """Relative median-frequency decline of the mixture for mixing weights a in [0, 1]."""
    f = np.linspace(0.5, 1000, 20000)
    p1 = shwedyk_psd(f) / shwedyk_psd(f).sum()
    p2 = shwedyk_psd(f, FATIGUED_SCALE) / shwedyk_psd(f, FATIGUED_SCALE).sum()
    a = np.linspace(0, 1, 101)
    mf = []
    for w in a:
        c = np.cumsum((1 - w) * p1 + w * p2)
        mf.append(f[np.searchsorted(c, 0.5)])
    mf = np.array(mf)
    return 1 - mf / mf[0], a


_DECLINE, _WEIGHT = _mixture_table()


def mixing_weight(decline: np.ndarray) -> np.ndarray:
    """Mixing weight giving a median-frequency decline ``decline`` (fraction)."""
    return np.interp(decline, _DECLINE, _WEIGHT)


def fatigue_decline(progress: np.ndarray, strength: float, base: float) -> np.ndarray:
    """Median-frequency decline (fraction) at ``progress`` (0..1) through a sustained task.

    Everyone fatigues a little (``base`` 2-6 %); the fatigue strategy adds up to 20 %
    (a labelled patient: 10-26 % in all; Mannion & Dolan 1994 report 10-30 %).
    """
    return progress * (base + 0.2 * strength)


class EMGGenerator:
    """Stateful EMG generator: call :meth:`chunk` on consecutive chunks.

    Parameters
    ----------
    channels : list of str
        ``<muscle>_<left|right>`` names.
    traits, strength : dict
        Patient traits and this session's planted strategy strengths (see :mod:`.cohort`).
    """

    def __init__(self, cfg: SimulatorConfig, traits: dict, strength: dict,
                 rng: np.random.Generator) -> None:
        self.fs = float(cfg.emg_rate)
        self.channels = list(cfg.emg_channels)
        self.rng = rng
        self.muscle = [c.rpartition("_")[0] for c in self.channels]
        self.side = np.array([0 if c.endswith("_left") else 1 for c in self.channels])
        self.role = [MUSCLES[m][0] for m in self.muscle]
        self.mvc = np.array([MUSCLES[m][1] for m in self.muscle]) * np.array(
            traits["channel_gain"])
        scales = [round(float(s), 3) for s in traits["spectral_scale"]]
        self.sos = [_cached_sos(self.fs, s) for s in scales]
        self.sos_fat = [_cached_sos(self.fs, round(s * FATIGUED_SCALE, 4)) for s in scales]
        self.zi = [np.zeros((s.shape[0], 2)) for s in self.sos]
        self.zi_fat = [np.zeros((s.shape[0], 2)) for s in self.sos_fat]
        self.strength = strength
        self.traits = traits
        self.noise_uv = 2.5 * np.sqrt(cfg.difficulty)
        self.ratio = int(max(1, round(self.fs / ENVELOPE_HZ)))
        asym = 1 + 0.8 * strength["asymmetry"]           # left/right amplitude ratio 1.0-1.8
        affected = 0 if traits["asym_side"] == "left" else 1
        self.side_gain = np.ones(len(self.channels))
        for i, (r, s) in enumerate(zip(self.role, self.side)):
            if r == "extensor":
                self.side_gain[i] = np.sqrt(asym) if s == affected else 1 / np.sqrt(asym)

    def envelope(self, ctrl, modifiers=None) -> tuple[np.ndarray, np.ndarray]:
        """RMS envelope (uV), shape (n, C), and fatigue decline (n,) on the control grid."""
        s = self.strength
        ext = ctrl.act["extensor"].copy()
        # flexion-relaxation: extensors fall silent at full flexion (1.5 %MVC) when present;
        # absent-FR strength keeps them active (Neblett 2003: FR ratio < ~2-3 when absent)
        fr_level = 1.5 + 30 * s["absent_flexion_relaxation"]
        ff = ctrl.full_flex[:, None]
        ext = ext * (1 - ff) + ff * fr_level
        ext = ext + 3 * s["guarding"]                       # raised extensor tone
        # co-contraction: antagonist activity follows agonist activity (gain 0.05-0.65)
        cc_gain = 0.05 + 0.6 * s["guarding"]
        flex = ctrl.act["flexor"] + cc_gain * ext
        acts = {"extensor": ext, "flexor": flex, "hip": ctrl.act["hip"],
                "shoulder": ctrl.act["shoulder"]}
        decline = fatigue_decline(ctrl.fatigue_progress, s["fatigue"],
                                  self.traits["base_fatigue_per_min"])
        env = np.empty((len(ctrl.t), len(self.channels)))
        for i, (r, sd) in enumerate(zip(self.role, self.side)):
            env[:, i] = acts[r][:, sd] * self.mvc[i] / 100 * self.side_gain[i]
            if r == "extensor":
                env[:, i] *= 1 + decline                    # amplitude rises with fatigue
        if modifiers is not None:
            env = modifiers(ctrl.t, env)
        return env, decline

    def chunk(self, ctrl, n: int, modifiers=None) -> np.ndarray:
        """``n`` samples (n, C) float32 in uV; ``ctrl`` is the control grid of the chunk at
        ``fs / ratio`` with ``ceil(n / ratio) + 1`` points starting at the chunk's first
        sample."""
        env, decline = self.envelope(ctrl, modifiers)
        r = self.ratio
        m = len(ctrl.t) - 1
        env_t = np.ascontiguousarray(env.T, dtype=np.float32)          # (C, m + 1)
        w = (np.arange(r, dtype=np.float32) / r)[None, None, :]
        env_f = (env_t[:, :-1, None] * (1 - w) + env_t[:, 1:, None] * w).reshape(
            len(env_t), m * r)[:, :n]                                     # (C, n)
        c = len(self.channels)
        white = self.rng.standard_normal((c, n), dtype=np.float32)
        out = np.empty((c, n), dtype=np.float32)
        mix = None
        if decline.max() > 0:
            a = mixing_weight(decline)
            a_f = np.interp(np.arange(n) / r, np.arange(m + 1), a)
            mix = (np.sqrt(1 - a_f), np.sqrt(a_f))
            white_fat = self.rng.standard_normal((c, n), dtype=np.float32)
        for i in range(c):
            y, self.zi[i] = signal.sosfilt(self.sos[i], white[i], zi=self.zi[i])
            if mix is not None and self.role[i] == "extensor":
                y2, self.zi_fat[i] = signal.sosfilt(self.sos_fat[i], white_fat[i],
                                                    zi=self.zi_fat[i])
                y = mix[0] * y + mix[1] * y2
            np.multiply(y, env_f[i], out=out[i], casting="unsafe")
        out += self.noise_uv * self.rng.standard_normal((c, n), dtype=np.float32)
        return out.T
