"""R-peak detection in ECG and the RR/NN intervals between beats.

A Pan-Tompkins-style detector (Pan & Tompkins, "A real-time QRS detection algorithm",
*IEEE Trans. Biomed. Eng.* 32:230-236, 1985), written zero-phase for offline use:

1. band-pass 5-15 Hz (Butterworth order 2, forward-backward), which keeps the QRS energy
   and rejects baseline wander, T waves and mains;
2. derivative, squaring and a 150 ms moving-window integration ``m(t)``;
3. candidate QRS complexes: local maxima of ``m`` at least ``refractory_s`` (200 ms) apart;
4. adaptive threshold over the candidates in time order: a signal level ``SPK`` and noise
   level ``NPK`` (exponential averages, weight 1/8), ``THR = NPK + 0.25 (SPK - NPK)``;
   a candidate above ``THR`` is a beat, otherwise noise; when no beat was found for
   1.66 x the mean of the last 8 RR intervals, the largest candidate above ``THR / 2`` in
   that stretch is taken (search-back);
5. each beat is moved to the largest deflection of the 0.5-40 Hz filtered ECG within
   +-``search_s`` (75 ms), in the polarity that dominates the record (inverted leads work).

RR intervals are ``diff(peaks) / fs`` (ms). :func:`nn_intervals` marks implausible ones
(outside 300-2000 ms) and those differing from the median of their neighbours by more than
20 % (Kamath & Fallen, "Correction of the heart rate variability signal for ectopics and
missing beats", in Malik & Camm (eds.), *Heart Rate Variability*, Futura 1995) as gaps
(NaN), which :mod:`lbpnet.features.hrv` then handles.
"""

from __future__ import annotations

import numpy as np
from scipy import signal
from scipy.ndimage import median_filter, uniform_filter1d

from lbpnet.errors import FeatureError
from lbpnet.features._checks import positive_rate, time_last


def _detect_one(ecg: np.ndarray, fs: float, refractory_s: float, search_s: float) -> np.ndarray:
    qrs = signal.sosfiltfilt(signal.butter(2, (5.0, 15.0), "bandpass", fs=fs, output="sos"), ecg)
    energy = uniform_filter1d(np.gradient(qrs) ** 2, max(1, int(round(0.15 * fs))))
    cand, _ = signal.find_peaks(energy, distance=max(1, int(round(refractory_s * fs))))
    if cand.size == 0:
        return cand
    heights = energy[cand]
    first = cand < 2 * fs
    spk = np.max(heights[first]) if first.any() else np.max(heights)
    npk = np.median(heights)
    thr = npk + 0.25 * (spk - npk)
    beats: list[int] = []
    last_i = -1  # index into cand of the last beat
    for i, (c, h) in enumerate(zip(cand, heights)):
        if beats and len(beats) >= 2:
            rr = np.diff(beats[-9:]).mean()
            if c - beats[-1] > 1.66 * rr:  # search back for a missed beat
                between = np.arange(last_i + 1, i)
                between = between[heights[between] > thr / 2]
                if between.size:
                    j = between[np.argmax(heights[between])]
                    beats.append(int(cand[j]))
                    last_i = j
                    spk = 0.25 * heights[j] + 0.75 * spk
        if h > thr:
            beats.append(int(c))
            last_i = i
            spk = 0.125 * h + 0.875 * spk
        else:
            npk = 0.125 * h + 0.875 * npk
        thr = npk + 0.25 * (spk - npk)
    beats = np.asarray(sorted(set(beats)), dtype=int)
    wide = signal.sosfiltfilt(signal.butter(2, (0.5, 40.0), "bandpass", fs=fs, output="sos"), ecg)
    half = max(1, int(round(search_s * fs)))
    idx = np.clip(beats[:, None] + np.arange(-half, half + 1)[None], 0, ecg.size - 1)
    seg = wide[idx]
    polarity = 1.0 if np.median(seg.max(1)) >= np.median(-seg.min(1)) else -1.0
    peaks = idx[np.arange(len(beats)), np.argmax(polarity * seg, axis=1)]
    keep = np.r_[True, np.diff(peaks) > refractory_s * fs]  # refined peaks can collide
    return np.unique(peaks[keep])


def detect_r_peaks(ecg, fs: float, refractory_s: float = 0.2, search_s: float = 0.075,
                   axis: int = -1) -> np.ndarray:
    """R-peak sample indices of each ECG trace.

    Parameters
    ----------
    ecg : array, shape (..., n_samples) with time on ``axis``
        ECG (any unit), at least 2 s long.
    fs : float
        Sampling rate (Hz), at least 100 Hz.
    refractory_s : float
        Shortest RR interval accepted (s); 200 ms allows up to 300 bpm.
    search_s : float
        Half-width (s) of the window in which a beat is moved to the R-wave extremum.
    axis : int
        Time axis.

    Returns
    -------
    ndarray of int (1-D ECG), or object array of shape (...) of int arrays
        Sample indices of the R peaks, increasing.
    """
    fs = positive_rate(fs)
    if fs < 100:
        raise FeatureError(f"ECG at {fs:g} Hz is too slow for QRS detection", field="fs",
                           fix="use ECG sampled at 100 Hz or more")
    x = time_last(ecg, "ecg", int(2 * fs), axis)
    flat = x.reshape(-1, x.shape[-1])
    if (np.ptp(flat, axis=-1) == 0).any():
        raise FeatureError("a constant ECG trace has no beats", field="ecg",
                           fix="exclude flat-line channels with the quality mask")
    found = [_detect_one(row, fs, refractory_s, search_s) for row in flat]
    if x.ndim == 1:
        return found[0]
    out = np.empty(len(found), dtype=object)
    out[:] = found
    return out.reshape(x.shape[:-1])


def nn_intervals(peaks, fs: float, plausible_ms=(300.0, 2000.0),
                 max_deviation: float = 0.2, neighbours: int = 5) -> np.ndarray:
    """RR intervals (ms) of beat indices, with implausible and ectopic ones set to NaN.

    Parameters
    ----------
    peaks : array of int, shape (n_beats,)
        R-peak sample indices.
    fs : float
        Sampling rate of the indices (Hz).
    plausible_ms : (float, float)
        Accepted RR range (ms).
    max_deviation : float
        Largest relative difference from the running median of ``neighbours`` intervals
        (0.2 = the 20 % rule); ``None`` disables it.
    neighbours : int
        Length of the running median (odd).

    Returns
    -------
    ndarray, shape (n_beats - 1,)
        NN intervals (ms); NaN marks a gap (missed, extra or ectopic beat).
    """
    fs = positive_rate(fs)
    p = np.asarray(peaks)
    if p.ndim != 1 or p.size < 2:
        raise FeatureError(f"need at least 2 beats, got {p.size}", field="peaks",
                           fix="use a longer ECG segment")
    rr = np.diff(p.astype(np.float64)) * 1000.0 / fs
    bad = (rr < plausible_ms[0]) | (rr > plausible_ms[1])
    if max_deviation is not None and rr.size >= 3:
        med = median_filter(np.where(bad, np.median(rr), rr), size=neighbours, mode="nearest")
        bad |= np.abs(rr - med) > max_deviation * med
    return np.where(bad, np.nan, rr)


def hrv_from_ecg(ecg, fs: float, on_invalid: str = "mask") -> dict:
    """R peaks → NN intervals → HRV time- and frequency-domain measures of one ECG trace.

    Parameters
    ----------
    ecg : array, shape (n_samples,)
        One ECG lead (any unit).
    fs : float
        Sampling rate (Hz).
    on_invalid : {"raise", "mask"}
        Passed to :func:`~lbpnet.features.hrv.hrv_time_domain` and
        :func:`~lbpnet.features.hrv.hrv_frequency_domain`: a too-short or gappy series
        raises, or gives NaN values with ``valid=False`` and a ``reason``.

    Returns
    -------
    dict
        ``"peaks"`` (sample indices), ``"nn_ms"`` (NaN = gap), ``"time"`` (mean NN, SDNN,
        RMSSD in ms, pNN50 in %) and ``"frequency"`` (LF, HF in ms^2, LF/HF) dicts.
    """
    from lbpnet.features.hrv import hrv_frequency_domain, hrv_time_domain

    x = time_last(ecg, "ecg", 2)
    if x.ndim != 1:
        raise FeatureError(f"expected one ECG trace, got shape {x.shape}", field="ecg",
                           fix="call once per lead/recording")
    peaks = detect_r_peaks(x, fs)
    nn = nn_intervals(peaks, fs)
    return {"peaks": peaks, "nn_ms": nn,
            "time": hrv_time_domain(nn, on_invalid=on_invalid),
            "frequency": hrv_frequency_domain(nn, on_invalid=on_invalid)}
