"""Per-window interpretable measures (lbpnet.features) for the transparent baselines.

Every column is one named measure with a unit; nothing is learned here. A masked measure
(no gait, silent muscle) becomes NaN plus, where useful, a 0/1 "valid" column; gradient
boosting handles NaN natively, logistic regression gets the training median.
"""

from __future__ import annotations

import numpy as np

from lbpnet.features import (activity_counts, angular_velocity, antagonist_agonist_ratio,
                             asymmetry_index, co_contraction_index, complementary_sagittal_angle,
                             emg_spectral_frequencies, fatigue_index, flexion_relaxation_ratio,
                             inclination, log_dimensionless_jerk, lumbar_flexion, moving_rms,
                             rms, rms_jerk, sagittal_angle, step_cadence, time_in_posture,
                             vertical_horizontal_acceleration, waveform_length,
                             zero_crossings)

FLEXORS = ("rectus_abdominis", "external_oblique", "internal_oblique")
EXTENSORS = ("erector_spinae", "multifidus")


def _filled(x) -> np.ndarray:
    return np.ma.filled(np.ma.asarray(x, dtype=np.float64), np.nan)


def hapt_measures(imu: np.ndarray, names: list[str], fs: float) -> tuple[np.ndarray, list[str]]:
    """Measures of waist-phone IMU windows (UCI HAPT after lbpnet's gravity split).

    Parameters
    ----------
    imu : array, shape (n_windows, channels, time)
        Channels ``acc_*`` (g), ``gyro_*`` (rad/s), ``gravity_*`` (g, 0.3 Hz low-pass of
        acc), ``body_acc_*`` (g).
    names : list of str
        Channel names.
    fs : float
        Sampling rate (Hz).

    Returns
    -------
    x : ndarray, shape (n_windows, n_measures)
    columns : list of str
        ``"<measure> [unit]"``.
    """
    pick = lambda prefix: imu[:, [names.index(f"{prefix}_{a}") for a in "xyz"], :].astype(np.float64)
    acc, gyro, grav, body = pick("acc"), pick("gyro"), pick("gravity"), pick("body_acc")
    cols: dict[str, np.ndarray] = {}
    tilt = inclination(grav, up_axis=0)
    cols["inclination of the phone x axis, mean [deg]"] = tilt.mean(-1)
    cols["angle in the x-z plane, mean [deg]"] = sagittal_angle(grav, 0, 2).mean(-1)
    cols["angle in the x-y plane, mean [deg]"] = sagittal_angle(grav, 0, 1).mean(-1)
    mag = np.linalg.norm(acc, axis=1)
    cols["acc magnitude, mean [g]"] = mag.mean(-1)
    cols["acc magnitude, SD [g]"] = mag.std(-1)
    cols["acc magnitude, 5th percentile [g]"] = np.percentile(mag, 5, axis=-1)
    cols["acc magnitude, 95th percentile [g]"] = np.percentile(mag, 95, axis=-1)
    w = angular_velocity(gyro)
    cols["angular velocity, mean [deg/s]"] = w["mean_deg_s"]
    cols["angular velocity, peak [deg/s]"] = w["peak_deg_s"]
    vh = vertical_horizontal_acceleration(body, grav)
    cols["vertical body acc, SD [g]"] = vh["vertical_g"].std(-1)
    cols["vertical body acc, 5th percentile [g]"] = np.percentile(vh["vertical_g"], 5, axis=-1)
    cols["vertical body acc, 95th percentile [g]"] = np.percentile(vh["vertical_g"], 95, axis=-1)
    cols["horizontal body acc, mean [g]"] = vh["horizontal_g"].mean(-1)
    cols["RMS jerk of body acc [g/s]"] = rms_jerk(body, fs)
    cols["log dimensionless jerk of body acc [-]"] = log_dimensionless_jerk(
        body, fs, kind="acceleration", vector=True)
    cols["activity counts [g s per window]"] = activity_counts(
        acc, fs, epoch_s=acc.shape[-1] / fs)["counts_g_s"][:, 0]
    steps = step_cadence(acc, fs, min_steps=3)
    cols["step cadence [steps/min]"] = _filled(steps["cadence_steps_per_min"])
    cols["steps in window [count]"] = steps["n_steps"].astype(np.float64)
    for band, v in time_in_posture(tilt, fs).items():
        cols[f"time with x-axis tilt {band.replace('_', ' ')} [fraction]"] = v["fraction"]
    return np.stack(list(cols.values()), axis=1), list(cols)


def lbp_measures(emg: np.ndarray, emg_names: list[str], emg_fs: float, imu: np.ndarray,
                 imu_names: list[str], imu_fs: float,
                 reference_rms: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Measures of simulated trunk EMG + trunk/pelvis IMU windows (SYNTHETIC cohort).

    Parameters
    ----------
    emg : array, shape (n_windows, 16, time)
        Trunk EMG (uV).
    emg_names : list of str
    emg_fs : float
        EMG rate (Hz).
    imu : array, shape (n_windows, 12, time)
        ``trunk_l1_*`` and ``pelvis_s1_*`` acc (g) and gyro (rad/s); the simulator's frame
        is x up the spine, y left, z forward, gyro y positive in flexion.
    imu_names : list of str
    imu_fs : float
    reference_rms : array, shape (16,)
        Per-channel reference amplitude (uV) the envelopes are normalised to (the median
        window RMS of the training patients), standing in for % of a reference contraction.

    Returns
    -------
    x : ndarray, shape (n_windows, n_measures)
    columns : list of str
    """
    emg = emg.astype(np.float64)
    cols: dict[str, np.ndarray] = {}
    level = rms(emg)                                                    # (n, 16) uV
    spectral = emg_spectral_frequencies(emg, emg_fs, band=(20.0, min(450.0, emg_fs / 2 - 1)),
                                        on_invalid="mask")
    zc = zero_crossings(emg) / (emg.shape[-1] / emg_fs)
    wl = waveform_length(emg) / (emg.shape[-1] / emg_fs)
    for c, name in enumerate(emg_names):
        cols[f"{name}: log RMS [log uV]"] = np.log(level[:, c] + 1e-6)
        cols[f"{name}: median frequency [Hz]"] = _filled(spectral["median_frequency_hz"][:, c])
        cols[f"{name}: zero crossings [1/s]"] = zc[:, c].astype(np.float64)
        cols[f"{name}: waveform length [uV/s]"] = wl[:, c]
    env = moving_rms(emg, emg_fs, 0.1) / reference_rms[None, :, None]  # (n, 16, t), x reference
    flex = [i for i, n in enumerate(emg_names) if n.startswith(FLEXORS)]
    ext = [i for i, n in enumerate(emg_names) if n.startswith(EXTENSORS)]
    flexor, extensor = env[:, flex].mean(1), env[:, ext].mean(1)
    cols["co-contraction %COCON flexors vs extensors [%]"] = _filled(
        co_contraction_index(extensor, flexor, on_invalid="mask"))
    cols["antagonist/agonist ratio flexors/extensors [-]"] = _filled(
        antagonist_agonist_ratio(extensor, flexor, on_invalid="mask"))
    for name in emg_names:
        if name.endswith("_left") and name[:-4] + "right" in emg_names:
            muscle = name[:-5]
            ai = _filled(asymmetry_index(level[:, emg_names.index(name)] / reference_rms[emg_names.index(name)],
                                         level[:, emg_names.index(muscle + "_right")]
                                         / reference_rms[emg_names.index(muscle + "_right")],
                                         on_invalid="mask"))
            cols[f"{muscle}: asymmetry index L-R [%]"] = ai
            cols[f"{muscle}: |asymmetry index| [%]"] = np.abs(ai)
    fi = fatigue_index(emg[:, ext], emg_fs, epoch_s=0.5, on_invalid="mask")
    cols["extensor fatigue index (within window) [%/s]"] = _filled(
        fi["fatigue_index_pct_per_s"].mean(1))
    # IMU: sagittal angles by the complementary filter (the simulator's frame is left-handed,
    # so the planar filter is used rather than Madgwick; see lbpnet.features.orientation)
    ch = lambda site, a: imu[:, imu_names.index(f"{site}_{a}"), :].astype(np.float64)
    angles = {}
    for site in ("trunk_l1", "pelvis_s1"):
        acc = np.stack([ch(site, "acc_x"), ch(site, "acc_y"), ch(site, "acc_z")], axis=1)
        gyro = np.stack([ch(site, "gyro_x"), ch(site, "gyro_y"), ch(site, "gyro_z")], axis=1)
        angles[site] = complementary_sagittal_angle(acc, ch(site, "gyro_y"), imu_fs, tau_s=0.5)
        w = angular_velocity(gyro)
        cols[f"{site}: sagittal angle, mean [deg]"] = angles[site].mean(-1)
        cols[f"{site}: sagittal angle, SD [deg]"] = angles[site].std(-1)
        cols[f"{site}: angular velocity, mean [deg/s]"] = w["mean_deg_s"]
        cols[f"{site}: angular velocity, peak [deg/s]"] = w["peak_deg_s"]
        cols[f"{site}: RMS jerk [g/s]"] = rms_jerk(acc, imu_fs)
        cols[f"{site}: activity counts [g s per window]"] = activity_counts(
            acc, imu_fs, epoch_s=acc.shape[-1] / imu_fs)["counts_g_s"][:, 0]
    # each IMU axis: mean (tilt or steady rate), SD (intensity) and range, as in
    # experiments/synthetic_strategy/feature_baseline.py
    units = {"acc": "g", "gyro": "rad/s"}
    for c, name in enumerate(imu_names):
        unit = units[name.split("_")[-2]]
        x = imu[:, c].astype(np.float64)
        cols[f"{name}: mean [{unit}]"] = x.mean(-1)
        cols[f"{name}: SD [{unit}]"] = x.std(-1)
        cols[f"{name}: range [{unit}]"] = np.ptp(x, axis=-1)
    lumbar = lumbar_flexion(angles["trunk_l1"], angles["pelvis_s1"])
    cols["lumbar flexion range [deg]"] = lumbar["range_deg"]
    cols["lumbar flexion peak [deg]"] = lumbar["peak_deg"]
    for band, v in time_in_posture(angles["trunk_l1"], imu_fs).items():
        cols[f"time with trunk {band.replace('_', ' ')} [fraction]"] = v["fraction"]
    # flexion-relaxation within the window: peak extensor RMS over the window / mean RMS while
    # the trunk is within 90 % of its peak flexion in the window (Watson et al. 1997 on 2 s)
    trunk = angles["trunk_l1"]
    near = trunk >= trunk.max(-1, keepdims=True) - 0.1 * np.abs(trunk.max(-1, keepdims=True))
    first = np.argmax(near, axis=-1) / imu_fs
    last = (trunk.shape[-1] - np.argmax(near[:, ::-1], axis=-1)) / imu_fs
    es = [i for i, n in enumerate(emg_names) if n.startswith("erector_spinae_l3")]
    frr = flexion_relaxation_ratio(emg[:, es], emg_fs, (0.0, emg.shape[-1] / emg_fs),
                                   np.stack([first, np.maximum(last, first + 0.1)], -1)[:, None],
                                   window_s=0.25, on_invalid="mask")
    cols["erector spinae L3 flexion-relaxation ratio (within window), log [-]"] = np.log(
        _filled(frr)).mean(1)
    return np.stack(list(cols.values()), axis=1), list(cols)
