"""The checks of one stream over a set of windows: measures → thresholds → flags.

Which checks run depends on the channels' kind (:func:`lbpnet.qc.frames.channel_kinds`):

========  ==================================================================================
EMG       missing, flat_line, clipping, powerline, baseline_wander, motion,
          ecg_contamination, electrode_pop, low_snr, placement (left/right pairs)
ECG       missing, flat_line, clipping, powerline, baseline_wander
PPG       missing, flat_line, motion (range outlier); no clipping: a coarsely quantised
          pulse holds its peak value for tens of ms, which a plateau test cannot tell
          from clipping
ACCEL     missing, dropout (all three axes of a site repeating at once), gravity_norm,
          placement (resting gravity direction)
GYRO      missing
NIRS      missing, signal_loss (TSI out of range, flat)
RR        missing, rr_range, rr_ectopic
other     missing
========  ==================================================================================

IMUs get no plateau (clipping) test: smooth, slowly varying IMU channels hold near-extreme
values for several samples (on the simulator's clean windows a plateau test fired on a
quarter of them); saturation at the sensor's configured range is what it would need.

A check that cannot run on this stream (a sampling rate too low for it, an IMU in
arbitrary units) is listed in ``skipped`` with the reason instead of passing silently, and a
stream whose channels all get nothing but ``missing`` (a ``MISC`` physio column, an
untyped EDF signal) raises a :class:`NoQualityChecksWarning` naming the stream and channels.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from lbpnet.qc import imu, measures as ms, nirs, rr
from lbpnet.qc.config import QCConfig
from lbpnet.qc.frames import channel_kinds, iter_windows
from lbpnet.recording.stream import Stream

KIND_CHECKS = {
    "EMG": ("missing", "flat_line", "clipping", "powerline", "baseline_wander", "motion",
            "ecg_contamination", "electrode_pop", "low_snr", "placement"),
    "ECG": ("missing", "flat_line", "clipping", "powerline", "baseline_wander"),
    "PPG": ("missing", "flat_line", "motion"),
    "ACCEL": ("missing", "dropout", "gravity_norm", "placement"),
    "GYRO": ("missing",),
    "NIRS": ("missing", "signal_loss"),
    "RR": ("missing", "rr_range", "rr_ectopic"),
    "OTHER": ("missing",),
}


class NoQualityChecksWarning(UserWarning):
    """A stream gets no quality check but ``missing``: its channel types say no known kind."""


def warn_missing_only(stream: Stream, kinds: list[str]) -> None:
    """Warn when every channel of ``stream`` is of a kind checked for ``missing`` only."""
    if kinds and all(KIND_CHECKS.get(k, ("missing",)) == ("missing",) for k in kinds):
        listed = ", ".join(f"{n} ({t})" for n, t in zip(stream.channel_names,
                                                        stream.channel_types))
        known = ", ".join(k for k, checks in KIND_CHECKS.items() if len(checks) > 1)
        warnings.warn(
            f"stream '{stream.name}': QC runs no check but 'missing' on its channels {listed}; "
            f"give them a channel type QC checks ({known}) in the reader (BIDS: _channels.tsv "
            f"type, data.physio_types) or name the stream's kind in qc.kinds",
            NoQualityChecksWarning, stacklevel=3)


@dataclass
class StreamQuality:
    """Flags of one stream: ``flags[check]`` bool (W, C) per window and channel, the score
    behind it ``scores[check]`` float (W, C) (0 where the check does not apply to a
    channel), and ``skipped[check]`` = reason for checks that could not run."""

    stream: str
    channels: list[str]
    flags: dict[str, np.ndarray] = field(default_factory=dict)
    scores: dict[str, np.ndarray] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    def window_flags(self) -> dict[str, np.ndarray]:
        """Per check, bool (W,): any channel flagged."""
        return {c: f.any(axis=1) for c, f in self.flags.items()}


def _put(q: StreamQuality, check: str, cols: list[int], score: np.ndarray,
         flag: np.ndarray, n_windows: int) -> None:
    if check not in q.flags:
        q.flags[check] = np.zeros((n_windows, len(q.channels)), dtype=bool)
        q.scores[check] = np.zeros((n_windows, len(q.channels)), dtype=np.float32)
    q.flags[check][:, cols] |= flag
    q.scores[check][:, cols] = np.maximum(q.scores[check][:, cols], score)


def _ecg_columns(names: list[str], cfg: QCConfig) -> np.ndarray:
    if cfg.ecg_channels is None:
        return np.ones(len(names), dtype=bool)
    return np.array([any(n == p or n.startswith(p) for p in cfg.ecg_channels) for n in names])


def _spectral_ok(q, check, cfg, length_s, fs, resolution, top, wanted):
    if not (wanted and cfg.enabled(check)):
        return False
    if fs / 2 <= top:
        q.skipped[check] = f"sampling rate {fs:g} Hz is too low for content up to {top:g} Hz"
        return False
    ms.need_resolution(check, length_s, fs, resolution, top)
    return True


def _emg_ecg_ppg(stream, kind, cols, starts, length_s, cfg, q, W):
    fs = float(stream.sampling_rate)
    checks = KIND_CHECKS[kind]
    names = [stream.channel_names[c] for c in cols]
    do = {c: cfg.enabled(c) and c in checks for c in checks}
    do["powerline"] = _spectral_ok(q, "powerline", cfg, length_s, fs, 1.0,
                                   min(cfg.mains_hz) + 8, do.get("powerline"))
    do["baseline_wander"] = _spectral_ok(q, "baseline_wander", cfg, length_s, fs,
                                         cfg.wander_hz / 2, cfg.wander_hz,
                                         do.get("baseline_wander"))
    low = False
    if kind == "EMG":
        for check in ("motion", "ecg_contamination", "electrode_pop"):
            do[check] = _spectral_ok(q, check, cfg, length_s, fs, 1.0, cfg.low_band_hz[1],
                                     do.get(check))
            low = low or do[check]
    ecg_cols = _ecg_columns(names, cfg)
    out = {k: np.zeros((W, len(cols)), np.float32) for k in
           ("missing", "run", "plateau", "line", "wander", "low", "kurt", "peaks", "rms",
            "range", "jump")}
    spectral = do.get("powerline") or do.get("baseline_wander") or low
    for rows, w, finite in iter_windows(stream, starts, length_s, cols, cfg.chunk_samples):
        out["missing"][rows] = 1.0 - finite.mean(axis=-1)
        out["rms"][rows] = ms.rms(w)
        if do.get("flat_line"):
            out["run"][rows] = ms.longest_run(w) / fs
        if do.get("clipping"):
            out["plateau"][rows] = ms.plateau_fraction(w, cfg.clip_tolerance,
                                                       cfg.clip_min_samples)
        if spectral:
            sp = ms.Spectrum(w, fs)
            if do.get("powerline"):
                out["line"][rows] = sp.line_ratio(cfg.mains_hz)
            if do.get("baseline_wander"):
                out["wander"][rows] = sp.share(0.0, cfg.wander_hz)
            if low:
                out["low"][rows] = sp.share(*cfg.low_band_hz)
        if low:
            kurt, band, band_fs = ms.band_kurtosis(w, fs, *cfg.low_band_hz)
            out["kurt"][rows] = kurt
            out["peaks"][rows] = ms.peak_count(band, band_fs)
            out["jump"][rows] = ms.jump_ratio(w)
        if kind == "PPG" and do.get("motion"):
            out["range"][rows] = ms.robust_range(w)
    if do.get("missing"):
        _put(q, "missing", cols, out["missing"], out["missing"] > 0, W)
    if do.get("flat_line"):
        cut = float(cfg.flat_run_s.get(kind, 0.1))
        _put(q, "flat_line", cols, out["run"], out["run"] >= cut, W)
    if do.get("clipping"):
        _put(q, "clipping", cols, out["plateau"], out["plateau"] >= cfg.clip_fraction, W)
    if do.get("powerline"):
        _put(q, "powerline", cols, out["line"], out["line"] >= cfg.powerline_ratio, W)
    if do.get("baseline_wander"):
        cut = float(cfg.wander_share.get(kind, 1.0))
        _put(q, "baseline_wander", cols, out["wander"], out["wander"] >= cut, W)
    if kind == "EMG":
        share, spiky = out["low"], out["kurt"] >= cfg.spiky_kurtosis
        periodic = out["peaks"] >= cfg.ecg_min_beats
        ecg = share >= cfg.ecg_share
        ecg &= spiky & periodic & ecg_cols[None, :]
        abrupt = out["jump"] >= cfg.pop_jump_ratio
        ecg &= ~abrupt
        pop = (share >= cfg.pop_share) & ((spiky & ~periodic) | abrupt)
        if do.get("ecg_contamination"):
            _put(q, "ecg_contamination", cols, share * ecg_cols[None, :], ecg, W)
        if do.get("electrode_pop"):
            _put(q, "electrode_pop", cols, out["jump"], pop, W)
        if do.get("motion"):
            smooth = (share >= cfg.motion_share) & ~ecg & ~pop
            _put(q, "motion", cols, share, smooth, W)
        if do.get("low_snr") and W >= 10:
            p90, p10 = np.percentile(out["rms"], [90, 10], axis=0)
            db = 20 * np.log10(np.maximum(p90, 1e-12) / np.maximum(p10, 1e-12))
            deficit = np.maximum(cfg.snr_min_db - db, 0.0)
            _put(q, "low_snr", cols, np.broadcast_to(deficit, (W, len(cols))),
                 np.broadcast_to(db < cfg.snr_min_db, (W, len(cols))), W)
        elif do.get("low_snr"):
            q.skipped["low_snr"] = f"needs >= 10 windows per recording (got {W})"
        if do.get("placement"):
            _emg_swaps(q, names, cols, out["rms"], cfg, W)
    if kind == "PPG" and do.get("motion"):
        ref = np.median(out["range"], axis=0, keepdims=True) if W else out["range"]
        ratio = out["range"] / np.maximum(ref, 1e-12)
        _put(q, "motion", cols, ratio, ratio >= cfg.motion_range_ratio, W)


def _emg_swaps(q, names, cols, rms, cfg, W):
    """Left/right pairs whose RMS ratio flips sign against the recording's median."""
    index = {n: i for i, n in enumerate(names)}
    for n, i in index.items():
        if not n.endswith("_left") or n[:-5] + "_right" not in index:
            continue
        j = index[n[:-5] + "_right"]
        d = np.log(np.maximum(rms[:, i], 1e-12) / np.maximum(rms[:, j], 1e-12))
        ref = np.median(d)
        dist = np.abs(d - ref)
        hit = (np.sign(d) != np.sign(ref)) & (dist >= cfg.swap_log_ratio)
        _put(q, "placement", [cols[i], cols[j]], np.repeat(dist[:, None], 2, 1),
             np.repeat(hit[:, None], 2, 1), W)


def missing_only(stream, cols, starts, length_s, cfg, skipped):
    """Only the share of NaN/inf samples (kinds without their own checks)."""
    miss = np.concatenate([1.0 - f.mean(axis=-1) for _, _, f in
                           iter_windows(stream, starts, length_s, cols, cfg.chunk_samples)])
    if cfg.enabled("missing"):
        yield "missing", cols, miss, miss > 0


def score_stream(stream: Stream, starts: np.ndarray, length_s: float, cfg: QCConfig,
                 kind: str | None = None) -> StreamQuality:
    """Run every applicable check of ``cfg`` on the windows ``starts`` (s) of ``stream``.

    Parameters
    ----------
    stream : Stream
        Data (n_samples, n_channels) at its own rate.
    starts : array of float, shape (W,)
        Window starts (s, recording clock).
    length_s : float
        Window length (s).
    cfg : QCConfig
    kind : str, optional
        Kind of every channel (e.g. ``"PPG"``) when the channel types do not say it.

    Returns
    -------
    StreamQuality
    """
    starts = np.asarray(starts, dtype=float)
    W = len(starts)
    q = StreamQuality(stream.name, list(stream.channel_names))
    kinds = channel_kinds(stream, kind)
    if W == 0:
        return q
    warn_missing_only(stream, kinds)
    for k in dict.fromkeys(kinds):
        cols = [i for i, x in enumerate(kinds) if x == k]
        if k in ("EMG", "ECG", "PPG"):
            _emg_ecg_ppg(stream, k, cols, starts, length_s, cfg, q, W)
        else:
            run = {"ACCEL": imu.accel_checks, "GYRO": imu.gyro_checks,
                   "NIRS": nirs.nirs_checks, "RR": rr.rr_stream_checks}.get(k, missing_only)
            for check, c, score, flag in run(stream, cols, starts, length_s, cfg, q.skipped):
                _put(q, check, c, score, flag, W)
    return q
