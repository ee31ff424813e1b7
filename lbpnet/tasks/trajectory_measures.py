"""Interpretable per-session measures: one vector of numbers per recorded session.

The response-trajectory task does not learn from raw windows: each session becomes a short
vector of measures a clinician can read (EMG amplitude and median frequency per muscle,
trunk movement, heart-rate variability, skin conductance), computed with
:mod:`lbpnet.features`. A measure that cannot be computed for a session (stream absent, too
short, flat) is NaN; the data module imputes it and keeps a record of it.

Measures (names are ``<measure>/<channel or site>``):

``emg_log_rms/<ch>``        log10 RMS (log10 uV) over the repetitive tasks
``emg_median_freq/<ch>``    median frequency (Hz), 20-450 Hz band, median over ``epoch_s``
                            epochs of ``lifting`` (fatigue lowers it)
``trunk_acc_sd/walking``    SD of the trunk acceleration magnitude (g) while walking, median
                            over ``epoch_s`` epochs (:func:`~lbpnet.features.acc_magnitude_stats`)
``trunk_gyro_rms/flexion``  RMS of the trunk angular-rate magnitude (rad/s) in
                            ``flexion_extension`` (guarded patients move slower)
``hrv/mean_nn_ms``, ``hrv/rmssd_ms``   from the session's NN intervals
                            (:func:`~lbpnet.features.hrv_time_domain`)
``eda/mean_us``             mean skin conductance (uS)
"""

from __future__ import annotations

import numpy as np

from lbpnet.features import acc_magnitude_stats, emg_spectral_frequencies, hrv_time_domain
from lbpnet.features.imu import acc_magnitude
from lbpnet.recording.recording import Recording

REPETITIVE = ("walking", "flexion_extension", "lifting", "rotation", "sit_to_stand")


def task_spans(recording: Recording, label: str | tuple[str, ...]) -> list[tuple[float, float]]:
    """``(start_s, end_s)`` of every annotation with this label (or one of these labels)."""
    labels = (label,) if isinstance(label, str) else tuple(label)
    a = recording.annotations
    keep = np.isin(a.label.astype(str), labels)
    return [(float(o), float(o + d)) for o, d in zip(a.onset[keep], a.duration[keep])]


def _samples(stream, spans, channels=None) -> np.ndarray:
    """Samples of ``stream`` inside ``spans`` (s), concatenated: ``(n_samples, channels)``."""
    cols = slice(None) if channels is None else channels
    parts = []
    for start, end in spans:
        i = max(0, stream.sample_at(start))
        j = min(stream.n_samples, stream.sample_at(end))
        if j > i:
            parts.append(np.asarray(stream.data[i:j, cols], dtype=np.float64))
    width = stream.n_channels if channels is None else len(channels)
    return np.concatenate(parts) if parts else np.zeros((0, width))


def _epochs(x: np.ndarray, fs: float, epoch_s: float) -> np.ndarray:
    """Non-overlapping epochs of ``epoch_s``: ``(n_epochs, channels, n)`` from ``(n, channels)``."""
    n = int(round(epoch_s * fs))
    k = x.shape[0] // n if n > 0 else 0
    return x[: k * n].reshape(k, n, x.shape[1]).transpose(0, 2, 1)


def emg_measures(recording: Recording, epoch_s: float) -> dict[str, float]:
    """Per-muscle EMG measures of one session (log10 RMS in the EMG's unit and median
    frequency in Hz during the repetitive tasks), by measure name.
    """
    out: dict[str, float] = {}
    emg = recording.streams.get("emg")
    if emg is None:
        return out
    active = _samples(emg, task_spans(recording, REPETITIVE))
    rms = np.sqrt(np.nanmean(active ** 2, axis=0)) if len(active) else \
        np.full(emg.n_channels, np.nan)
    lifting = _epochs(_samples(emg, task_spans(recording, "lifting")), emg.sampling_rate, epoch_s)
    if len(lifting):
        mdf = emg_spectral_frequencies(lifting, emg.sampling_rate, band=(20.0, 450.0),
                                       on_invalid="mask")["median_frequency_hz"]
        mdf = np.ma.median(mdf, axis=0).filled(np.nan)
    else:
        mdf = np.full(emg.n_channels, np.nan)
    for c, name in enumerate(emg.channel_names):
        out[f"emg_log_rms/{name}"] = float(np.log10(rms[c])) if rms[c] > 0 else np.nan
        out[f"emg_median_freq/{name}"] = float(mdf[c])
    return out


def imu_measures(recording: Recording, epoch_s: float, site: str = "trunk_l1") -> dict[str, float]:
    """Trunk IMU measures of one session: acceleration SD while walking (g) and angular-rate RMS
    during flexion (rad/s) at ``site``; NaN when absent.
    """
    out = {"trunk_acc_sd/walking": np.nan, "trunk_gyro_rms/flexion": np.nan}
    imu = recording.streams.get("imu")
    if imu is None:
        return out
    names = imu.channel_names
    acc = [names.index(f"{site}_acc_{a}") for a in "xyz" if f"{site}_acc_{a}" in names]
    gyro = [names.index(f"{site}_gyro_{a}") for a in "xyz" if f"{site}_gyro_{a}" in names]
    if len(acc) == 3:
        walk = _samples(imu, task_spans(recording, "walking"), acc)
        if len(walk) >= epoch_s * imu.sampling_rate and np.isfinite(walk).all():
            sd = acc_magnitude_stats(walk, imu.sampling_rate, window_s=epoch_s)["sd_g"]
            out["trunk_acc_sd/walking"] = float(np.median(sd))
    if len(gyro) == 3:
        flex = _samples(imu, task_spans(recording, "flexion_extension"), gyro)
        if len(flex):
            out["trunk_gyro_rms/flexion"] = float(np.sqrt(np.nanmean(acc_magnitude(flex) ** 2)))
    return out


def hrv_measures(recording: Recording) -> dict[str, float]:
    """From ``metadata["rr_intervals_ms"]`` (NN intervals) when the source provides them."""
    nn = recording.metadata.get("rr_intervals_ms")
    if nn is None or len(nn) < 2:
        return {"hrv/mean_nn_ms": np.nan, "hrv/rmssd_ms": np.nan}
    hrv = hrv_time_domain(np.asarray(nn, dtype=float), on_invalid="mask")
    return {"hrv/mean_nn_ms": float(hrv["mean_nn_ms"]), "hrv/rmssd_ms": float(hrv["rmssd_ms"])}


def eda_measures(recording: Recording) -> dict[str, float]:
    """Mean skin conductance of one session (µS), NaN without an ``eda`` channel."""
    eda = recording.streams.get("eda")
    if eda is None or "eda" not in eda.channel_names:
        return {"eda/mean_us": np.nan}
    x = np.asarray(eda.data[:, eda.channel_names.index("eda")], dtype=np.float64)
    return {"eda/mean_us": float(np.nanmean(x)) if x.size else np.nan}


def session_measures(recording: Recording, epoch_s: float = 2.0) -> dict[str, float]:
    """Every measure of one session (see the module docstring); NaN where not computable.

    Parameters
    ----------
    recording : Recording
        One session, with task annotations (``walking``, ``lifting``...).
    epoch_s : float
        Epoch length (s) for the median frequency and the walking acceleration SD.
    """
    return {**emg_measures(recording, epoch_s), **imu_measures(recording, epoch_s),
            **hrv_measures(recording), **eda_measures(recording)}
