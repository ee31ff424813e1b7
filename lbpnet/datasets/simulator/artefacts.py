"""Artefacts and atypical ("novel") patterns, planned per session and applied per chunk.

Each :class:`Event` carries its label (``artefact/<kind>`` or ``novel/<kind>``), interval,
the stream(s) and channels it touches (the attribution ground truth) and its parameters.
Kinds and sizes (surface EMG artefacts: Clancy et al., J Electromyogr Kinesiol 2002
12:1-16; De Luca et al., J Biomech 2010 43:1573-1579; ECG in trunk EMG: Drake & Callaghan,
J Electromyogr Kinesiol 2006 16:175-187):

- powerline: 50/60 Hz + 3rd harmonic, 5-40 uV, whole cable (all EMG channels of one side)
- ecg_contamination: QRS of 30-120 uV on left-side upper trunk channels (heart side)
- motion: 1-10 Hz cable/skin movement, 100-500 uV, one to three channels
- electrode_pop: a 200-1000 uV step decaying in ~0.2 s on one channel
- clipping: one channel driven into the amplifier range (flat tops)
- flat_line: one channel reads a constant (lead off)
- imu_dropout: one IMU site reads 0 for 1-10 s (lost packets)
- sensor_swap: a left/right EMG pair swapped for a stretch (misplacement)
- novel/tremor: 4-7 Hz oscillation of trunk extensors and trunk IMU (no training label)
- novel/spasm: an abrupt 1-3 s one-sided extensor burst (~60 %MVC) with a trunk jerk
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lbpnet.datasets.simulator.config import ARTEFACTS, NOVEL

DURATION_S = {"powerline": (5, 30), "ecg_contamination": (10, 60), "motion": (1, 5),
              "electrode_pop": (0.5, 2), "clipping": (2, 10), "flat_line": (2, 20),
              "imu_dropout": (1, 10), "sensor_swap": (10, 60), "tremor": (3, 10),
              "spasm": (1, 3)}
ORDER = {"tremor": 0, "spasm": 0, "powerline": 1, "ecg_contamination": 1, "motion": 1,
         "electrode_pop": 1, "sensor_swap": 2, "clipping": 3, "flat_line": 4, "imu_dropout": 4}
HEART_SIDE = ("erector_spinae_l1_left", "latissimus_dorsi_left", "rectus_abdominis_left",
              "external_oblique_left", "internal_oblique_left")


@dataclass
class Event:
    """A planted artefact or novel pattern: ``label`` (``artefact/<kind>`` or ``novel/<kind>``),
    ``onset`` and ``duration`` in seconds, the channels it touches per stream (``targets``)
    and its parameters.
    """
    label: str
    onset: float
    duration: float
    targets: dict                       # stream -> list of channel names
    params: dict = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """The kind of event, the part of ``label`` after the first ``/``."""
        return self.label.split("/", 1)[1]

    @property
    def end(self) -> float:
        """End time of the event (s)."""
        return self.onset + self.duration


def plan_events(duration: float, emg_channels: list[str], imu_channels: list[str],
                artefact_rate: float, novel_rate: float, difficulty: float,
                rng: np.random.Generator) -> list[Event]:
    """Poisson numbers of artefacts and novel patterns over ``duration`` s."""
    events = []
    minutes = duration / 60.0
    n_art = rng.poisson(artefact_rate * minutes * np.sqrt(difficulty))
    n_nov = rng.poisson(novel_rate * minutes)
    kinds = [("artefact", str(k)) for k in rng.choice(ARTEFACTS, n_art)] + \
        [("novel", str(k)) for k in rng.choice(NOVEL, n_nov)]
    extensors = [c for c in emg_channels if c.startswith(("erector", "multifidus"))]
    for prefix, kind in kinds:
        lo, hi = DURATION_S[kind]
        d = float(min(rng.uniform(lo, hi), duration * 0.5))
        onset = float(rng.uniform(0, duration - d))
        pick = lambda k, pool: sorted(rng.choice(pool, min(k, len(pool)), replace=False).tolist(),
                                      key=pool.index)
        p = {"seed": int(rng.integers(2**31))}
        if kind == "powerline":
            side = str(rng.choice(["left", "right"]))
            tg = {"emg": [c for c in emg_channels if c.endswith(side)] or emg_channels}
            p.update(amp=float(rng.uniform(5, 40)), phase=float(rng.uniform(0, 6.28)))
        elif kind == "ecg_contamination":
            tg = {"emg": [c for c in emg_channels if c in HEART_SIDE] or emg_channels[:1]}
            p.update(amp=float(rng.uniform(30, 120)))
        elif kind == "motion":
            tg = {"emg": pick(int(rng.integers(1, 4)), emg_channels)}
            p.update(amp=float(rng.uniform(100, 500)))
        elif kind == "electrode_pop":
            tg = {"emg": pick(1, emg_channels)}
            p.update(amp=float(rng.uniform(200, 1000)) * rng.choice([-1, 1]))
        elif kind in ("clipping", "flat_line"):
            tg = {"emg": pick(1, emg_channels)}
            p.update(level=float(rng.uniform(30, 60)), value=float(rng.uniform(-5, 5)))
        elif kind == "imu_dropout":
            site = str(rng.choice(["trunk_l1", "pelvis_s1"]))
            tg = {"imu": [c for c in imu_channels if c.startswith(site)]}
        elif kind == "sensor_swap":
            pairs = [c[:-5] for c in emg_channels if c.endswith("_left")
                     and c[:-5] + "_right" in emg_channels]
            if not pairs:
                continue
            m = str(rng.choice(pairs))
            tg = {"emg": [m + "_left", m + "_right"]}
        elif kind == "tremor":
            tg = {"emg": extensors or emg_channels[:2],
                  "imu": [c for c in imu_channels if c.startswith("trunk_l1")]}
            p.update(freq=float(rng.uniform(4, 7)))
        else:  # spasm
            side = str(rng.choice(["left", "right"]))
            tg = {"emg": [c for c in extensors if c.endswith(side)] or emg_channels[:1],
                  "imu": [c for c in imu_channels if c.startswith("trunk_l1_gyro")]}
            p.update(level=float(rng.uniform(45, 75)))
        events.append(Event(f"{prefix}/{kind}", onset, d, tg, p))
    events.sort(key=lambda e: (ORDER[e.kind], e.onset))
    return events


def _span(e: Event, t0: float, n: int, fs: float) -> slice | None:
    a = max(int(np.ceil((e.onset - t0) * fs - 1e-9)), 0)
    b = min(int(np.ceil((e.end - t0) * fs - 1e-9)), n)
    return slice(a, b) if b > a else None


def envelope_modifier(events: list[Event], channels: list[str], mvc: np.ndarray):
    """A function ``(t, env) -> env`` adding the novel EMG patterns to the RMS envelope."""
    novel = [e for e in events if e.label.startswith("novel/") and "emg" in e.targets]
    index = {c: i for i, c in enumerate(channels)}

    def modify(t: np.ndarray, env: np.ndarray) -> np.ndarray:
        for e in novel:
            m = (t >= e.onset) & (t < e.end)
            if not m.any():
                continue
            cols = [index[c] for c in e.targets["emg"]]
            if e.kind == "tremor":
                burst = 1 + 1.5 * np.clip(np.sin(2 * np.pi * e.params["freq"] * t[m]), 0, None)
                env[np.ix_(m, cols)] *= burst[:, None]
            else:
                env[np.ix_(m, cols)] = np.maximum(env[np.ix_(m, cols)],
                                                  mvc[cols] * e.params["level"] / 100)
        return env
    return modify


def apply_emg(x: np.ndarray, t0: float, fs: float, events: list[Event], channels: list[str],
              beats: np.ndarray, mains_hz: float) -> None:
    """Add the EMG artefacts overlapping the chunk ``x`` (n, C) starting at ``t0``, in place."""
    from lbpnet.datasets.simulator.hrv import qrs_train
    index = {c: i for i, c in enumerate(channels)}
    n = len(x)
    for e in events:
        if "emg" not in e.targets or e.label.startswith("novel/"):
            continue
        sl = _span(e, t0, n, fs)
        if sl is None:
            continue
        cols = [index[c] for c in e.targets["emg"]]
        t = t0 + np.arange(sl.start, sl.stop) / fs
        k = e.kind
        if k == "powerline":
            hum = e.params["amp"] * (np.sin(2 * np.pi * mains_hz * t + e.params["phase"])
                                     + 0.3 * np.sin(2 * np.pi * 3 * mains_hz * t))
            x[sl, cols] += hum[:, None].astype(np.float32)
        elif k == "ecg_contamination":
            qrs = qrs_train(t, beats, waves=((-0.03, -0.12, 0.008), (0.0, 1.0, 0.008),
                                             (0.03, -0.25, 0.008)))
            x[sl, cols] += (e.params["amp"] * qrs)[:, None].astype(np.float32)
        elif k == "motion":
            r = np.random.default_rng(e.params["seed"])
            knots = np.arange(0, e.duration + 0.1, 0.05)   # 20 Hz knots -> 1-10 Hz content
            wave = np.interp(t - e.onset, knots, r.standard_normal(len(knots)))
            x[sl, cols] += (e.params["amp"] * wave * np.hanning(len(t) + 2)[1:-1])[:, None] \
                .astype(np.float32)
        elif k == "electrode_pop":
            x[sl, cols] += (e.params["amp"] * np.exp(-(t - e.onset) / 0.2))[:, None] \
                .astype(np.float32)
        elif k == "sensor_swap":
            x[sl, cols] = x[sl, cols[::-1]]
        elif k == "clipping":
            L = e.params["level"]
            x[sl, cols] = np.clip(x[sl, cols] * 4.0, -L, L)
        elif k == "flat_line":
            x[sl, cols] = e.params["value"]


def apply_imu(x: np.ndarray, t: np.ndarray, events: list[Event], channels: list[str]) -> None:
    """Apply IMU artefacts and novel patterns to the chunk ``x`` (n, 12) at times ``t``."""
    index = {c: i for i, c in enumerate(channels)}
    for e in events:
        if "imu" not in e.targets:
            continue
        m = (t >= e.onset) & (t < e.end)
        if not m.any():
            continue
        cols = [index[c] for c in e.targets["imu"]]
        if e.kind == "imu_dropout":
            x[np.ix_(m, cols)] = 0.0
        elif e.kind == "tremor":
            osc = np.sin(2 * np.pi * e.params["freq"] * t[m])
            scale = np.array([0.05 if "_acc_" in channels[c] else 0.3 for c in cols])
            x[np.ix_(m, cols)] += (osc[:, None] * scale).astype(np.float32)
        elif e.kind == "spasm":
            jerk = 1.2 * np.exp(-((t[m] - e.onset - 0.15) / 0.08) ** 2)
            x[np.ix_(m, cols)] += jerk[:, None].astype(np.float32)
