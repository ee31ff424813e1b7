"""RR-interval checks: implausible intervals and ectopic (or missed) beats.

- range: an RR outside 300-2000 ms (200-30 bpm) is not a sinus beat of an adult at rest or
  in daily activity (a missed or a false R peak);
- ectopic: Malik's rule (Malik et al., Eur Heart J 1989 10:1060-1074; Kleiger et al.): a
  beat differing from the previous one by more than 20 % is not a normal-to-normal interval.

:func:`rr_beat_flags` works on a beat series (ms, one value per beat);
:func:`rr_stream_checks` on a tachogram stream (RR resampled at a fixed rate, e.g. 4 Hz),
where "the previous beat" is the sample one median RR earlier.
"""

from __future__ import annotations

import numpy as np

from lbpnet.errors import FeatureError
from lbpnet.qc.frames import iter_windows


def rr_beat_flags(rr_ms: np.ndarray, range_ms=(300.0, 2000.0),
                  malik: float = 0.2) -> dict[str, np.ndarray]:
    """Flags per beat of an RR series.

    Parameters
    ----------
    rr_ms : array of float, shape (n_beats,)
        RR (or NN) intervals in ms.

    Returns
    -------
    dict
        ``rr_range`` and ``rr_ectopic``: bool arrays (n_beats,); ``missing``: NaN/inf.

    Raises
    ------
    FeatureError
        An empty series.
    """
    rr = np.asarray(rr_ms, dtype=float).reshape(-1)
    if rr.size == 0:
        raise FeatureError("the RR series is empty", field="rr_ms",
                           fix="give at least two RR intervals in ms")
    missing = ~np.isfinite(rr)
    safe = np.where(missing, np.nan, rr)
    with np.errstate(invalid="ignore"):
        out_of_range = ~missing & ((safe < range_ms[0]) | (safe > range_ms[1]))
        change = np.abs(np.diff(safe)) / safe[:-1]
    ectopic = np.zeros(rr.size, dtype=bool)
    ectopic[1:] = np.nan_to_num(change, nan=0.0) > malik
    return {"missing": missing, "rr_range": out_of_range, "rr_ectopic": ectopic}


def rr_stream_checks(stream, cols, starts, length_s, cfg, skipped):
    """Yield ``missing``, ``rr_range`` and ``rr_ectopic`` per window of a tachogram."""
    fs = float(stream.sampling_rate)
    lo, hi = cfg.rr_range_ms
    finite = np.asarray(stream.data[:, cols], dtype=float)
    med = np.nanmedian(np.where(np.isfinite(finite), finite, np.nan)) if finite.size else np.nan
    lag = int(round((med if np.isfinite(med) else 1000.0) / 1000.0 * fs)) or 1
    miss, out, ect = [], [], []
    for _, w, ok in iter_windows(stream, starts, length_s, cols, cfg.chunk_samples):
        miss.append(1.0 - ok.mean(axis=-1))
        out.append((((w < lo) | (w > hi)) & ok).mean(axis=-1))
        if w.shape[-1] > lag:
            prev = w[..., :-lag]
            change = np.abs(w[..., lag:] - prev) / np.maximum(prev, 1.0)
            ect.append(change.max(axis=-1))
        else:
            ect.append(np.zeros(w.shape[:2]))
    if w.shape[-1] <= lag:
        skipped["rr_ectopic"] = f"a window holds fewer samples than one RR ({lag} at {fs:g} Hz)"
    miss, out, ect = np.concatenate(miss), np.concatenate(out), np.concatenate(ect)
    if cfg.enabled("missing"):
        yield "missing", cols, miss, miss > 0
    if cfg.enabled("rr_range"):
        yield "rr_range", cols, out, out > 0
    if cfg.enabled("rr_ectopic") and "rr_ectopic" not in skipped:
        yield "rr_ectopic", cols, ect, ect > cfg.rr_malik
