"""EMG fatigue index: the slope of the median frequency over time, normalised to its start.

During a sustained contraction the EMG power spectrum shifts to lower frequencies as
muscle-fibre conduction velocity falls (Merletti, Knaflitz & De Luca, "Myoelectric
manifestations of fatigue in voluntary and electrically elicited contractions",
*J. Appl. Physiol.* 69:1810-1820, 1990). For the back extensors the fatigue index is the
regression slope of the median frequency (MDF) against time divided by its initial value
(intercept) (Mannion & Dolan, "Electromyographic median frequency changes during isometric
contraction of the back extensors to fatigue", *Spine* 19:1223-1229, 1994):

    MDF(t) ~ MDF_0 + b t    (least squares over consecutive epochs)
    fatigue index = 100 * b / MDF_0   (%/s; x 60 for %/min)

Negative values mean fatigue. MDF per epoch comes from
:func:`lbpnet.features.emg_spectrum.emg_spectral_frequencies` (Welch, trapezoid).
"""

from __future__ import annotations

import numpy as np

from lbpnet.errors import FeatureError
from lbpnet.features._checks import positive_rate, time_last
from lbpnet.features.emg_spectrum import emg_spectral_frequencies


def median_frequency_course(x, fs: float, epoch_s: float = 1.0,
                            band: tuple[float, float] | None = (20.0, 450.0),
                            axis: int = -1, on_invalid: str = "raise"):
    """Median frequency of consecutive, non-overlapping epochs.

    Parameters
    ----------
    x : array, shape (..., n_samples) with time on ``axis``
        EMG of a sustained contraction (any unit).
    fs : float
        Sampling rate (Hz).
    epoch_s : float
        Epoch length (s); each epoch needs at least one Welch segment (0.25 s).
    band : (float, float)
        Band (Hz) of the spectral integrals, capped below ``fs / 2``.
    axis : int
        Time axis.
    on_invalid : {"raise", "mask"}
        An epoch without power in ``band`` (flat line) raises :class:`FeatureError`, or
        is masked.

    Returns
    -------
    t_s : ndarray, shape (n_epochs,)
        Epoch centres (s).
    mdf_hz : ndarray or MaskedArray, shape (..., n_epochs)
        Median frequency per epoch (Hz).
    """
    fs = positive_rate(fs)
    x = time_last(x, "x", 2, axis)
    width = int(round(epoch_s * fs))
    n_epochs = x.shape[-1] // max(width, 1)
    if width < 8 or n_epochs < 3:
        raise FeatureError(f"{x.shape[-1] / fs:.2f} s holds {n_epochs} epochs of {epoch_s:g} s; "
                           "a slope needs at least 3", field="epoch_s",
                           fix="use a longer contraction or shorter epochs")
    epochs = x[..., : n_epochs * width].reshape(*x.shape[:-1], n_epochs, width)
    if band is not None:
        band = (band[0], min(band[1], fs / 2 - fs / width))
    mdf = emg_spectral_frequencies(epochs, fs, band=band,
                                   on_invalid=on_invalid)["median_frequency_hz"]
    return (np.arange(n_epochs) + 0.5) * width / fs, mdf


def fatigue_index(x, fs: float, epoch_s: float = 1.0,
                  band: tuple[float, float] | None = (20.0, 450.0),
                  axis: int = -1, on_invalid: str = "raise") -> dict[str, np.ndarray]:
    """Median-frequency slope normalised to its start value (Mannion & Dolan 1994).

    Parameters
    ----------
    x, fs, epoch_s, band, axis
        See :func:`median_frequency_course`.
    on_invalid : {"raise", "mask"}
        A flat-line epoch, or a non-positive fitted start value, raises
        :class:`FeatureError`, or masks that channel's values.

    Returns
    -------
    dict
        ``"slope_hz_per_s"`` (b), ``"initial_mdf_hz"`` (MDF_0, the intercept at t = 0),
        ``"fatigue_index_pct_per_s"`` (100 b / MDF_0) and ``"fatigue_index_pct_per_min"``,
        each of shape ``(...)`` (MaskedArray with ``on_invalid="mask"``).
    """
    t, mdf = median_frequency_course(x, fs, epoch_s, band, axis, on_invalid)
    bad = np.ma.getmaskarray(mdf).any(axis=-1)
    mdf = np.ma.filled(mdf, 1.0)
    tc = t - t.mean()
    slope = np.sum(tc * (mdf - mdf.mean(-1, keepdims=True)), axis=-1) / np.sum(tc ** 2)
    intercept = mdf.mean(-1) - slope * t.mean()
    bad = bad | ~(intercept > 0)
    if bad.any() and on_invalid == "raise":
        raise FeatureError("the fitted initial median frequency is not positive",
                           field="x", fix="check the band and the contraction")
    pct = 100.0 * slope / np.where(bad, 1.0, intercept)
    out = {"slope_hz_per_s": slope, "initial_mdf_hz": intercept,
           "fatigue_index_pct_per_s": pct, "fatigue_index_pct_per_min": 60.0 * pct}
    if on_invalid == "mask":
        out = {k: np.ma.masked_array(v, bad) for k, v in out.items()}
    return out
