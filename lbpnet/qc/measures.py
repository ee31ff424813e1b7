"""Per-window measures behind the checks, vectorised over ``(windows, channels, time)``.

Every function takes float32 windows ``w`` of shape (W, C, n) sampled at ``fs`` Hz and
returns an array of shape (W, C); none returns NaN (a constant or all-zero window gives 0
power shares and 1 kurtosis).
"""

from __future__ import annotations

import numpy as np
import scipy.fft as sfft

from lbpnet.errors import WindowError

_EPS = 1e-20


def longest_run(w: np.ndarray, tolerance: float = 0.0, together: bool = False) -> np.ndarray:
    """Longest run of repeated samples (consecutive ``|diff| <= tolerance``), in samples,
    shape (W, C); with ``together``, runs where every channel repeats at once, (W, 1)."""
    same = np.abs(np.diff(w, axis=-1)) <= tolerance                   # (W, C, n - 1)
    if together:
        same = same.all(axis=1, keepdims=True)
    pos = np.arange(same.shape[-1], dtype=np.int32)
    reset = np.where(same, np.int32(-1), pos)
    last = np.maximum.accumulate(reset, axis=-1)
    run = np.where(same, pos - last, 0)
    return run.max(axis=-1) + 1                                        # samples, >= 1


def plateau_fraction(w: np.ndarray, tolerance: float, min_samples: int = 4) -> np.ndarray:
    """Share of samples within ``tolerance`` x range of the window's max or min (0 when the
    window is constant — that is a flat line, not clipping — or when fewer than
    ``min_samples`` samples sit there: one peak and its neighbour are not a plateau)."""
    hi, lo = w.max(axis=-1, keepdims=True), w.min(axis=-1, keepdims=True)
    span = hi - lo
    tol = tolerance * span
    top = (w >= hi - tol).sum(axis=-1)
    bottom = (w <= lo + tol).sum(axis=-1)
    most = np.maximum(top, bottom)
    return np.where((span[..., 0] > 0) & (most >= min_samples), most / w.shape[-1], 0.0)


def rms(w: np.ndarray) -> np.ndarray:
    """RMS about the window mean (signal units)."""
    return w.std(axis=-1)


def robust_range(w: np.ndarray) -> np.ndarray:
    """0.5-99.5 percentile range (signal units)."""
    lo, hi = np.percentile(w, [0.5, 99.5], axis=-1)
    return hi - lo


def jump_ratio(w: np.ndarray) -> np.ndarray:
    """Largest ``|x[t+1] - x[t]|`` over the RMS of all of them (0 for a constant window): a
    step (electrode pop) stands out, smooth movement does not."""
    d = np.abs(np.diff(w, axis=-1))
    r = np.sqrt((d.astype(np.float64) ** 2).mean(axis=-1))
    return np.where(r > 0, d.max(axis=-1) / np.maximum(r, _EPS), 0.0)


class Spectrum:
    """Hann-tapered power spectrum of mean-removed windows, shape (W, C, F)."""

    def __init__(self, w: np.ndarray, fs: float) -> None:
        self.fs, self.n = float(fs), w.shape[-1]
        x = w - w.mean(axis=-1, keepdims=True)
        taper = np.hanning(self.n).astype(np.float32)
        self.power = np.abs(sfft.rfft(x * taper, axis=-1)) ** 2
        self.freqs = sfft.rfftfreq(self.n, 1.0 / self.fs)
        self.total = self.power[..., 1:].sum(axis=-1)

    def band(self, lo: float, hi: float) -> np.ndarray:
        """Summed power of the bins with ``lo <= f <= hi`` (DC excluded), shape (W, C)."""
        m = (self.freqs >= lo) & (self.freqs <= hi) & (self.freqs > 0)
        return self.power[..., m].sum(axis=-1)

    def share(self, lo: float, hi: float) -> np.ndarray:
        """Share of the total power in ``[lo, hi]`` Hz (0 for a constant window)."""
        return self.band(lo, hi) / np.maximum(self.total, _EPS) * (self.total > 0)

    def line_ratio(self, mains_hz: list[float]) -> np.ndarray:
        """Worst ratio of the power density within +/-1 Hz of a mains frequency (or its 3rd
        harmonic) to the density 3-8 Hz either side (1 for noise, large for hum)."""
        best = np.zeros(self.power.shape[:2])
        for f0 in mains_hz:
            for f in (f0, 3 * f0):
                if f + 8 >= self.fs / 2:
                    continue
                on = (np.abs(self.freqs - f) <= 1.0)
                off = (np.abs(self.freqs - f) >= 3.0) & (np.abs(self.freqs - f) <= 8.0)
                ratio = (self.power[..., on].mean(-1)) / np.maximum(
                    self.power[..., off].mean(-1), _EPS)
                best = np.maximum(best, ratio * (self.total > 0))
        return best


def need_resolution(check: str, length_s: float, fs: float, resolution_hz: float,
                    top_hz: float) -> None:
    """Refuse a window too short (or a rate too low) for a spectral check.

    Raises
    ------
    WindowError
        Naming the check, the window length it needs and the fix.
    """
    if fs / 2 <= top_hz:
        raise WindowError(f"QC check '{check}' needs content up to {top_hz} Hz but the stream "
                          f"is sampled at {fs} Hz", field="qc.config.checks",
                          fix=f"drop '{check}' from qc.config.checks for this stream")
    if 1.0 / length_s > resolution_hz + 1e-9:
        raise WindowError(f"a {length_s} s window is too short for the spectral estimate of "
                          f"QC check '{check}' (needs >= {1.0 / resolution_hz:g} s)",
                          field="window.length_s",
                          fix=f"use windows of at least {1.0 / resolution_hz:g} s, or drop "
                              f"'{check}' from qc.config.checks")


def band_kurtosis(w: np.ndarray, fs: float, lo: float, hi: float
                  ) -> tuple[np.ndarray, np.ndarray, float]:
    """Kurtosis of the windows band-passed to ``[lo, hi]`` Hz (FFT mask), and the band signal.

    The band signal holds nothing above ``hi``, so it is rebuilt on a coarser grid of at
    least 8 x ``hi`` samples per second (a smaller inverse FFT; the kurtosis and the peaks
    are those of the band signal).

    Returns
    -------
    kurtosis : (W, C)
        3 for Gaussian noise, 1 for a constant window.
    band : (W, C, m)
        The band-passed windows on the coarse grid.
    band_fs : float
        Sampling rate (Hz) of ``band``.
    """
    n = w.shape[-1]
    spec = sfft.rfft(w - w.mean(axis=-1, keepdims=True), axis=-1)
    m = min(n, 2 * int(np.ceil(4.0 * hi * n / fs)))
    spec = spec[..., : m // 2 + 1].copy()
    f = sfft.rfftfreq(n, 1.0 / fs)[: m // 2 + 1]
    spec[..., (f < lo) | (f > hi)] = 0
    x = sfft.irfft(spec, n=m, axis=-1)
    x2 = x * x
    m2 = x2.mean(axis=-1)
    m4 = (x2 * x2).mean(axis=-1)
    kurt = np.where(m2 > _EPS, m4 / np.maximum(m2, _EPS) ** 2, 1.0)
    return kurt, x, fs * m / n


def peak_count(x: np.ndarray, fs: float, spacing_s: float = 0.3,
               level: float = 0.5) -> np.ndarray:
    """Number of peaks of ``|x|`` above ``level`` x the window's maximum, at most one per
    ``spacing_s`` block and not adjacent to a higher block (a QRS-train count), (W, C)."""
    k = max(1, int(round(spacing_s * fs / 2)))
    nb = x.shape[-1] // k
    if nb < 3:
        return np.zeros(x.shape[:2], dtype=np.int64)
    a = np.abs(x[..., :nb * k]).reshape(x.shape[:2] + (nb, k)).max(axis=-1)
    top = a.max(axis=-1, keepdims=True)
    left = np.concatenate([np.zeros_like(a[..., :1]), a[..., :-1]], axis=-1)
    right = np.concatenate([a[..., 1:], np.zeros_like(a[..., :1])], axis=-1)
    peak = (a >= level * top) & (a >= left) & (a > right) & (top > 0)
    return peak.sum(axis=-1)
