"""QC on real recordings: clean samples (false alarms), a BVP with motion artefacts (must be
flagged), a partly saturated EMG, and pyhrv's real NN series (RR checks).

All recordings are real: ``biosignalsnotebooks==0.6.14`` OpenSignals samples (PLUX) and the
NN series of ``pyhrv==0.5.0``.
"""

from __future__ import annotations

import numpy as np

from lbpnet.datasets.biosignalsnotebooks import load_opensignals_sample
from lbpnet.datasets.pyhrv_samples import load_nn_intervals
from lbpnet.qc import QCConfig, rr_beat_flags, score_recording
from lbpnet.windows.index import window_starts

# name -> (stream, kind or None, what the file's info JSON says)
CLEAN = {
    "emg_bursts": ("emg", None, "cyclic contractions, biceps brachii"),
    "emg_1000_hz_16_bits_solo": ("emg", None, "adductor pollicis, 1 kHz, 16 bit"),
    "emg_1000_hz_16_bits": ("emg", None, "adductor pollicis, 1 kHz, 16 bit (first device)"),
    "ecg_5_min": ("ecg", None, "ECG at rest, 5 min"),
    "ecg_20_sec_1000_Hz": ("ecg", None, "ECG at rest, lead II"),
    "ecg_4000_Hz": ("ecg", None, "ECG at rest, 4 kHz"),
    "signal_sample_single_hub_ECG_2018_7_5": ("ecg", None, "ECG, 7 min"),
    "bvp_rest": ("bvp", "PPG", "BVP at rest"),
    "signal_sample_single_hub_bvp_2017_1_17": ("bvp", "PPG", "BVP 'without undesired events'"),
}
# The loader names this file's stream 'raw' (its HDF5 'sensor' attribute says RAW); its info
# JSON says the signal is a BVP, so the kind is passed explicitly.
ARTEFACT = {"bvp_motion_artifact": ("raw", "PPG", "BVP 'containing some motion artifacts'")}
SATURATED = {"emg_fatigue": ("emg", None, "biceps, fatiguing, 'partly saturated' (12 bit)")}


def score_sample(name, stream, kind, length=2.0, stride=1.0, config=None):
    """QC of one sample: ``(starts, {check: bool (W,)}, skipped)``."""
    rec = load_opensignals_sample(name)
    starts = window_starts(rec.start_time, rec.streams[stream].end_time, length, stride)
    res = score_recording(rec, starts, length, config or QCConfig(), streams=[stream],
                          kinds={stream: kind} if kind else None)
    return starts, res.streams[stream].window_flags(), res.skipped()


def clean_rows(length=2.0, stride=1.0, config=None):
    """Per clean sample: windows, windows flagged (any check) and which checks fired."""
    rows = []
    for group, table in (("clean", CLEAN), ("saturated", SATURATED)):
        for name, (stream, kind, what) in table.items():
            starts, flags, skipped = score_sample(name, stream, kind, length, stride, config)
            bad = np.zeros(len(starts), bool)
            fired = {}
            for check, f in flags.items():
                bad |= f
                if f.any():
                    fired[check] = int(f.sum())
            rows.append({"group": group, "sample": name, "what": what, "windows": len(starts),
                         "flagged": int(bad.sum()), "checks": fired,
                         "not_scored": sorted(skipped)})
    return rows


def artefact_rows(length=2.0, stride=1.0, config=None):
    """The BVP with motion artefacts: which windows are flagged, by which check."""
    rows = []
    for name, (stream, kind, what) in ARTEFACT.items():
        starts, flags, _ = score_sample(name, stream, kind, length, stride, config)
        bad = np.zeros(len(starts), bool)
        for f in flags.values():
            bad |= f
        rows.append({"sample": name, "what": what, "windows": len(starts),
                     "flagged": int(bad.sum()),
                     "flagged_windows_s": [(float(s), float(s + length)) for s in starts[bad]],
                     "checks": {c: int(f.sum()) for c, f in flags.items() if f.any()}})
    return rows


def rr_rows(config=None):
    """pyhrv's real NN series: beats flagged per RR check, as loaded and with one planted
    premature beat (RR x 0.6 then the compensatory pause x 1.4) every 100 beats."""
    cfg = config or QCConfig()
    rows = []
    for which in ("short", "long"):
        nn = load_nn_intervals(which)
        for variant in ("as loaded", "ectopics planted"):
            rr = nn.copy()
            planted = np.arange(50, len(rr) - 1, 100)
            if variant != "as loaded":
                rr[planted] *= 0.6
                rr[planted + 1] *= 1.4
            f = rr_beat_flags(rr, cfg.rr_range_ms, cfg.rr_malik)
            row = {"series": which, "variant": variant, "beats": len(rr),
                   "rr_range": int(f["rr_range"].sum()), "rr_ectopic": int(f["rr_ectopic"].sum())}
            if variant != "as loaded":
                row["planted_found"] = int(f["rr_ectopic"][planted].sum())
                row["planted"] = len(planted)
            rows.append(row)
    return rows


def hapt_rows(length=2.0, stride=1.0, config=None):
    """Real UCI HAPT waist IMU (61 recordings, 50 Hz, acc in g): windows flagged per IMU
    check as recorded (false alarms), and with the accelerometer turned upside down
    (acc -> -acc, an up/down placement swap constructed on the real data)."""
    from lbpnet.datasets import load_hapt

    cfg = config or QCConfig(placement={"": "+x"})     # HAPT: x points up when standing
    counts = {"as recorded": {}, "upside down": {}}
    windows = {"as recorded": 0, "upside down": 0}
    rest = {"as recorded": 0, "upside down": 0}
    for rec in load_hapt():
        starts = window_starts(rec.start_time, rec.end_time, length, stride)
        for variant in counts:
            if variant == "upside down":
                imu = rec.streams["imu"]
                flipped = np.asarray(imu.data).copy()
                flipped[:, :3] *= -1
                rec = type(rec)({"imu": type(imu)("imu", flipped, imu.sampling_rate,
                                                  imu.channel_names, imu.channel_types,
                                                  imu.units)}, rec.annotations, rec.subject)
            res = score_recording(rec, starts, length, cfg)
            q = res.streams["imu"]
            windows[variant] += len(starts)
            rest[variant] += int((q.scores["placement"][:, 0] > 0).sum()) if \
                "placement" in q.scores else 0
            for check, f in q.window_flags().items():
                counts[variant][check] = counts[variant].get(check, 0) + int(f.sum())
    return [{"variant": v, "windows": windows[v], "resting_windows_scored": rest[v],
             **{c: counts[v].get(c, 0) for c in ("missing", "dropout", "gravity_norm",
                                                  "placement")}} for v in counts]
