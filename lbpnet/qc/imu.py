"""IMU checks: dropout (repeated samples), gravity norm and placement at rest.

An accelerometer at rest reads 1 g; its direction in the sensor frame says how the sensor
sits on the body. Sites are the channel-name prefix before ``_acc_`` (``trunk_l1_acc_x`` →
``trunk_l1``; ``acc_x`` → ``""``); a site needs its x, y and z channels. Units: ``g`` or
``m/s^2`` (divided by 9.80665); other units (e.g. ADC counts) skip the gravity checks with
the reason.
"""

from __future__ import annotations

import numpy as np

from lbpnet.qc import measures as ms
from lbpnet.qc.frames import iter_windows

G = 9.80665
AXES = {"x": 0, "y": 1, "z": 2}


def _scale(unit: str) -> float | None:
    u = unit.replace(" ", "").lower()
    if u == "g":
        return 1.0
    if u in ("m/s^2", "m/s2", "m/s**2", "ms^-2", "ms-2"):
        return 1.0 / G
    return None


def _sites(names: list[str], cols: list[int]) -> dict[str, list[int]]:
    """site -> [x, y, z] column positions (within ``cols``) of complete triads."""
    found: dict[str, dict[int, int]] = {}
    for pos, c in enumerate(cols):
        n = names[c].lower()
        head, sep, axis = n.rpartition("acc_") if "acc_" in n else ("", "", "")
        if not sep or axis not in AXES:
            continue
        site = head[:-1] if head.endswith("_") else head
        found.setdefault(site, {})[AXES[axis]] = pos
    return {s: [a[0], a[1], a[2]] for s, a in found.items() if len(a) == 3}




def gyro_checks(stream, cols, starts, length_s, cfg, skipped, accel=False):
    """missing; for ``accel`` also dropout, gravity_norm and placement.

    Dropout is a run of samples where the three axes of a site repeat *at once* (a lost
    packet repeats or zeroes the whole sample): a still sensor's accelerometer keeps its
    noise, whereas a still gyroscope may legitimately read a constant 0, so gyroscopes get
    no dropout test of their own (real BasicMotions data: still watches read 0 rad/s).
    """
    fs = float(stream.sampling_rate)
    sites = _usable_sites(stream, cols, skipped) if accel else {}
    triads = {s: t for s, (t, _) in sites.items()}
    gravity = {s: v for s, v in sites.items() if v[1] is not None} if (
        cfg.enabled("gravity_norm") or cfg.enabled("placement")) else {}
    miss, run = [], []
    means = {s: [] for s in gravity}
    spread = {s: [] for s in gravity}
    for _, w, finite in iter_windows(stream, starts, length_s, cols, cfg.chunk_samples):
        miss.append(1.0 - finite.mean(axis=-1))
        r = np.zeros(w.shape[:2])
        for triad in triads.values():
            r[:, triad] = ms.longest_run(w[:, triad], together=True) / fs
        run.append(r)
        for site, (triad, k) in gravity.items():
            a = w[:, triad, :] * k                                   # (W, 3, n) in g
            means[site].append(a.mean(axis=-1))
            norm_sd = np.sqrt((a ** 2).sum(axis=1)).std(axis=-1)
            spread[site].append(np.maximum(norm_sd, a.std(axis=-1).max(axis=1)))
    miss, run = np.concatenate(miss), np.concatenate(run)
    if cfg.enabled("missing"):
        yield "missing", cols, miss, miss > 0
    if cfg.enabled("dropout") and accel:
        yield "dropout", cols, run, run >= cfg.dropout_run_s
    for site, (triad, _) in gravity.items():
        yield from _gravity(site, [cols[p] for p in triad], np.concatenate(means[site]),
                            np.concatenate(spread[site]), cfg)


def accel_checks(stream, cols, starts, length_s, cfg, skipped):
    """The checks of an accelerometer stream's columns ``cols`` over the windows ``starts`` (s)
    of ``length_s`` s: missing, dropout, gravity norm and placement; yields ``(check,
    columns, score, flag)``.
    """
    yield from gyro_checks(stream, cols, starts, length_s, cfg, skipped, accel=True)


def _usable_sites(stream, cols, skipped):
    """site -> (triad positions, scale to g or None when the units are not g / m/s^2)."""
    sites = _sites(stream.channel_names, cols)
    if not sites:
        skipped["gravity_norm"] = "no complete acc_x/acc_y/acc_z triad in the channel names"
        skipped["dropout"] = skipped["gravity_norm"]
    out = {}
    for site, triad in sites.items():
        units = [stream.units[cols[p]] for p in triad]
        scales = {_scale(u) for u in units}
        scale = scales.pop() if len(scales) == 1 else None
        if scale is None:
            skipped["gravity_norm"] = f"site '{site}': units {units} are not g or m/s^2"
        out[site] = (triad, scale)
    return out


def _gravity(site, tcols, mean, spread, cfg):
    """Resting windows (neither the norm nor any axis varies by ``rest_std_g`` or more):
    |mean| vs 1 g, and the angle to the expected axis of ``site``."""
    rest = spread < cfg.rest_std_g
    if cfg.enabled("gravity_norm"):
        err = np.abs(np.linalg.norm(mean, axis=1) - 1.0) * rest
        yield ("gravity_norm", tcols, np.repeat(err[:, None], 3, 1),
               np.repeat((err > cfg.gravity_tolerance_g)[:, None], 3, 1))
    expected = (cfg.placement or {}).get(site)
    if cfg.enabled("placement") and expected:
        axis = np.zeros(3)
        axis[AXES[expected[1]]] = 1.0 if expected[0] == "+" else -1.0
        unit = mean / np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)
        angle = np.degrees(np.arccos(np.clip(unit @ axis, -1, 1))) * rest
        yield ("placement", tcols, np.repeat(angle[:, None], 3, 1),
               np.repeat((angle > cfg.placement_max_angle_deg)[:, None], 3, 1))
