"""Heart rhythm: RR intervals beat by beat, a 4 Hz tachogram stream and optional ECG.

Storage choice: the exact beat-to-beat RR series (ms) goes to
``metadata["rr_intervals_ms"]`` with the beat times in ``metadata["r_peak_times_s"]``
(time-domain HRV such as RMSSD needs the beats, not an interpolation), and an evenly
resampled tachogram ``rr`` stream (channel ``rr_interval``, ms, 4 Hz; Task Force of the
ESC/NASPE, Circulation 1996 93:1043-1065, recommends interpolation at 4 Hz for spectral
HRV) joins the other streams on the recording clock.

Model: RR_n = 60 / HR(t_n) + RSA + LF + noise.
- resting HR 60-75 bpm (RR 800-1000 ms); +~35 bpm with effort (walking, lifting) and
  +1 bpm per NRS point of pain (Koenig et al., Clin J Pain 2016 32:218-225: lower vagal
  tone in chronic pain).
- RMSSD 20-60 ms at rest in adults (Nunan et al., Pacing Clin Electrophysiol 2010
  33:1407-1417), lowered by effort (up to -60 %) and pain (-4 % per NRS point).
- respiratory sinus arrhythmia at the breathing frequency 0.2-0.3 Hz (HF band 0.15-0.4 Hz),
  and a ~0.1 Hz baroreflex (Mayer) oscillation in the LF band 0.04-0.15 Hz.
ECG morphology: sum of Gaussian P, Q, R, S, T waves (McSharry et al., IEEE Trans Biomed Eng
2003 50:289-294), R amplitude ~1.2 mV.
"""

from __future__ import annotations

import numpy as np

# (time offset from R, s; amplitude mV; width s) for P, Q, R, S, T
ECG_WAVES = ((-0.2, 0.12, 0.025), (-0.03, -0.12, 0.01), (0.0, 1.2, 0.012),
             (0.03, -0.25, 0.01), (0.25, 0.3, 0.05))


def simulate_beats(timeline, duration: float, traits: dict, nrs: float, difficulty: float,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """R-peak times (s) and RR intervals (ms) covering ``[0, duration]``."""
    grid = np.arange(0.0, duration + 2.0, 1.0)
    effort = timeline.evaluate(grid).effort
    hr = traits["rest_hr_bpm"] + 35 * effort + 1.0 * nrs
    rmssd = traits["rmssd_ms"] * (1 - 0.04 * nrs) * (1 - 0.6 * effort)
    f_resp, phase_lf = traits["resp_hz"], rng.uniform(0, 2 * np.pi)
    n_max = int(duration * 200 / 60) + 10
    noise = rng.standard_normal(n_max)
    times, rrs = [], []
    t, i = 0.0, 0
    while t <= duration and i < n_max:
        j = min(int(t), len(grid) - 1)
        r = rmssd[j]
        rr = 60000.0 / hr[j] + 0.89 * r * np.sin(2 * np.pi * f_resp * t) \
            + 20.0 * np.sin(2 * np.pi * 0.1 * t + phase_lf) + 0.42 * r * noise[i] \
            * np.sqrt(difficulty)
        rr = float(np.clip(rr, 300.0, 2000.0))
        t += rr / 1000.0
        times.append(t)
        rrs.append(rr)
        i += 1
    return np.array(times), np.array(rrs)


def tachogram(beat_times: np.ndarray, rr_ms: np.ndarray, t: np.ndarray) -> np.ndarray:
    """RR (ms) interpolated at times ``t``, shape (n, 1) float32."""
    return np.interp(t, beat_times, rr_ms).astype(np.float32)[:, None]


def qrs_train(t: np.ndarray, beat_times: np.ndarray, waves=ECG_WAVES) -> np.ndarray:
    """ECG-like waveform (mV) at times ``t`` from the beats near them, shape (n,)."""
    out = np.zeros(len(t))
    if len(t) == 0:
        return out
    lo, hi = np.searchsorted(beat_times, [t[0] - 0.5, t[-1] + 0.5])
    for b in beat_times[lo:hi]:
        a, z = np.searchsorted(t, [b - 0.4, b + 0.5])
        dt = t[a:z] - b
        for off, amp, width in waves:
            out[a:z] += amp * np.exp(-0.5 * ((dt - off) / width) ** 2)
    return out


def ecg_chunk(t: np.ndarray, beat_times: np.ndarray, rng: np.random.Generator,
              difficulty: float) -> np.ndarray:
    """Single-lead ECG (mV) at times ``t`` with baseline wander and noise, (n, 1) float32."""
    x = qrs_train(t, beat_times) + 0.05 * np.sin(2 * np.pi * 0.25 * t) \
        + 0.01 * np.sqrt(difficulty) * rng.standard_normal(len(t))
    return x.astype(np.float32)[:, None]
