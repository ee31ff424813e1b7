"""EMG power spectrum (Welch) and its mean and median frequency, batched over channels.

Surface-EMG spectral measures (Phinyomark, Thongpanja, Hu, Phukpattaranont & Limsakul,
"The usefulness of mean and median frequencies in electromyography analysis", in
*Computational Intelligence in Electromyography Analysis*, InTech 2012; Merletti & Parker,
*Electromyography: Physiology, Engineering, and Noninvasive Applications*, Wiley 2004):

* mean frequency ``MNF = integral(f P(f) df) / integral(P(f) df)`` (Hz);
* median frequency ``MDF``: the frequency splitting the power in two equal halves,
  ``integral_0^MDF P(f) df = integral_MDF^fmax P(f) df`` (Hz).

Both integrals are trapezoidal on the Welch grid restricted to ``band``; MDF is linearly
interpolated between grid points. Typical surface-EMG values during voluntary
contraction lie within ~50-150 Hz (Phinyomark et al. 2012), and fall with fatigue.
"""

from __future__ import annotations

import numpy as np
from scipy import signal
from scipy.integrate import cumulative_trapezoid, trapezoid

from lbpnet.errors import FeatureError


def _default_nperseg(fs: float) -> int:
    return max(8, int(round(0.25 * fs)))


def welch_psd(x: np.ndarray, fs: float, nperseg: int | None = None,
              axis: int = -1) -> tuple[np.ndarray, np.ndarray]:
    """One-sided Welch power spectral density, batched.

    Parameters
    ----------
    x : array, shape (..., n_samples) with time on ``axis``
        Signal in any unit ``U`` (EMG: uV or mV). A Stream's ``(n_samples, n_channels)``
        data is passed with ``axis=0``.
    fs : float
        Sampling rate (Hz).
    nperseg : int, optional
        Segment length (samples); default ``0.25 s * fs`` (4 Hz resolution). Hann window,
        50 % overlap, mean removed per segment.
    axis : int
        Time axis of ``x``.

    Returns
    -------
    freqs : ndarray, shape (n_freqs,)
        Frequencies (Hz), 0 to ``fs / 2``.
    psd : ndarray, shape (..., n_freqs)
        Power spectral density (``U**2 / Hz``); the time axis is replaced by the last axis.

    Raises
    ------
    FeatureError
        Fewer samples than ``nperseg``, or non-finite samples.
    """
    x = np.moveaxis(np.asarray(x, dtype=np.float64), axis, -1)
    if fs is None or not np.isfinite(fs) or fs <= 0:
        raise FeatureError(f"sampling rate must be positive, got {fs!r}", field="fs",
                           fix="give the stream's sampling rate in Hz")
    nperseg = _default_nperseg(fs) if nperseg is None else int(nperseg)
    n = x.shape[-1]
    if n < nperseg:
        raise FeatureError(
            f"window of {n} samples ({n / fs:.3f} s) is too short for a Welch spectrum with "
            f"{nperseg}-sample segments", field="window",
            fix=f"use windows of at least {nperseg / fs:.3f} s or a smaller nperseg")
    if not np.isfinite(x).all():
        raise FeatureError(f"{int((~np.isfinite(x)).sum())} NaN/inf samples in the window",
                           field="data", fix="interpolate or exclude the gap (quality mask)")
    return signal.welch(x, fs=fs, window="hann", nperseg=nperseg, noverlap=nperseg // 2,
                        detrend="constant", axis=-1)


def emg_spectral_frequencies(x: np.ndarray, fs: float, band: tuple[float, float] | None = None,
                             nperseg: int | None = None, axis: int = -1,
                             on_invalid: str = "raise") -> dict[str, np.ndarray]:
    """Mean and median frequency (Hz) of each channel/window, batched.

    Parameters
    ----------
    x : array, shape (..., n_samples) with time on ``axis``
        EMG (uV or mV; the unit cancels).
    fs : float
        Sampling rate (Hz).
    band : (float, float), optional
        Frequency band (Hz) the integrals run over, e.g. ``(20, 450)`` for surface EMG;
        default the whole spectrum 0 to ``fs / 2``.
    nperseg : int, optional
        Welch segment length (samples), see :func:`welch_psd`.
    axis : int
        Time axis of ``x``.
    on_invalid : {"raise", "mask"}
        A channel with no power in ``band`` (constant, flat-line) raises
        :class:`FeatureError`, or with ``"mask"`` gives a masked value and a reason.

    Returns
    -------
    dict
        ``"mean_frequency_hz"`` and ``"median_frequency_hz"``: arrays of shape ``x.shape``
        without the time axis (``np.ma.MaskedArray`` with ``on_invalid="mask"``);
        ``"reason"``: array of str, ``""`` where valid.
    """
    if on_invalid not in ("raise", "mask"):
        raise FeatureError(f"unknown on_invalid {on_invalid!r}", field="on_invalid",
                           fix="use 'raise' or 'mask'")
    freqs, psd = welch_psd(x, fs, nperseg, axis)
    lo, hi = (0.0, fs / 2.0) if band is None else (float(band[0]), float(band[1]))
    keep = (freqs >= lo) & (freqs <= hi)
    if lo < 0 or hi <= lo or keep.sum() < 3:
        raise FeatureError(f"band {band} holds fewer than 3 spectral bins (resolution "
                           f"{freqs[1] - freqs[0]:.2f} Hz, Nyquist {fs / 2:g} Hz)", field="band",
                           fix="widen the band, keep it below fs/2, or use longer segments")
    f, p = freqs[keep], psd[..., keep]
    cum = cumulative_trapezoid(p, f, axis=-1, initial=0.0)
    total = cum[..., -1]
    scale = np.max(np.abs(p), axis=-1)
    bad = ~(total > 1e-12 * np.maximum(scale, 1e-300) * (f[-1] - f[0])) | ~(total > 0)
    safe_total = np.where(bad, 1.0, total)
    mnf = trapezoid(p * f, f, axis=-1) / safe_total
    half = (safe_total / 2.0)[..., None]
    k = np.clip(np.argmax(cum >= half, axis=-1), 1, f.size - 1)
    c_lo = np.take_along_axis(cum, (k - 1)[..., None], -1)[..., 0]
    c_hi = np.take_along_axis(cum, k[..., None], -1)[..., 0]
    step = np.where(c_hi > c_lo, (half[..., 0] - c_lo) / np.where(c_hi > c_lo, c_hi - c_lo, 1), 0)
    mdf = f[k - 1] + step * (f[k] - f[k - 1])
    reason = np.where(bad, f"no power in {lo:g}-{hi:g} Hz (constant or flat-line channel)", "")
    if bad.any() and on_invalid == "raise":
        first = np.argwhere(np.atleast_1d(bad))[0]
        raise FeatureError(f"{int(np.sum(bad))} channel(s)/window(s) have no power in "
                           f"{lo:g}-{hi:g} Hz (constant or flat-line), first at index "
                           f"{tuple(int(i) for i in first)}", field="data",
                           fix="exclude flat-line channels with the quality mask, or pass "
                               "on_invalid='mask'")
    if on_invalid == "mask":
        mnf, mdf = np.ma.masked_array(mnf, bad), np.ma.masked_array(mdf, bad)
    return {"mean_frequency_hz": mnf, "median_frequency_hz": mdf, "reason": reason}


def mean_frequency(x: np.ndarray, fs: float, band: tuple[float, float] | None = None,
                   nperseg: int | None = None, axis: int = -1) -> np.ndarray:
    """Mean frequency ``MNF = sum(f P) / sum(P)`` (Hz) per channel/window.

    See :func:`emg_spectral_frequencies` for parameters; raises :class:`FeatureError` on
    too-short, non-finite or constant input.
    """
    return emg_spectral_frequencies(x, fs, band, nperseg, axis)["mean_frequency_hz"]


def median_frequency(x: np.ndarray, fs: float, band: tuple[float, float] | None = None,
                     nperseg: int | None = None, axis: int = -1) -> np.ndarray:
    """Median frequency (Hz), splitting the band power in two equal halves, per channel/window.

    See :func:`emg_spectral_frequencies` for parameters; raises :class:`FeatureError` on
    too-short, non-finite or constant input.
    """
    return emg_spectral_frequencies(x, fs, band, nperseg, axis)["median_frequency_hz"]
