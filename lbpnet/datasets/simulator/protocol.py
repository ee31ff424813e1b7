"""The session timeline and the kinematics/activation profile of each task.

A session is a list of :class:`Segment` (one task each: the standardised protocol, then
optional free-living bouts). Each segment is cut into *cycles* (strides, repetitions) whose
durations and amplitudes vary cycle to cycle; :meth:`Timeline.evaluate` turns any vector of
times into the control signals the sensor models need. It is a pure function of time, so
chunks can be generated independently and in any order.

Kinematics (degrees, sagittal flexion positive forward):
- trunk flexion in a toe-touch to ~60-80 deg of trunk (pelvis ~1/3, lumbar ~2/3) in controls
  (Neblett et al., Spine 2003 28:1435-1446; Colloca & Hinrichs, J Manipulative Physiol Ther
  2005 28:623-631); guarded patients reach less, move slower and stiffer.
- gait: step frequency 1.8-2.0 Hz, vertical acceleration at L1 ~0.2-0.4 g peak at step
  frequency, AP ~0.15 g, mediolateral at stride frequency (Moe-Nilssen, Gait Posture 1998;
  Zijlstra & Hof, Gait Posture 2003).
Activation (% MVC): standing erector spinae 2-5 %, walking bursts 10-20 % at heel strike
(Callaghan et al., Clin Biomech 1999 14:203-216), eccentric flexion 15-25 %, full flexion
silent (< ~3 %) when flexion-relaxation is present, re-extension 25-40 %, lifting 30-50 %.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lbpnet.datasets.simulator.config import TASKS, SimulatorConfig

TASK_INDEX = {t: i for i, t in enumerate(TASKS)}
REPETITIVE = ("walking", "flexion_extension", "lifting", "rotation", "sit_to_stand")
# nominal cycle length (s) per task: stride, repetition
CYCLE_SECONDS = {"walking": 1.05, "flexion_extension": 6.0, "lifting": 5.0, "rotation": 3.0,
                 "sit_to_stand": 4.0}
FULL_FLEXION = (0.35, 0.55)   # phase window of the flexion-extension cycle held at full flexion
ROLES = ("extensor", "flexor", "hip", "shoulder")


@dataclass
class Segment:
    """One task of the protocol: ``label``, ``onset`` and ``duration`` (s), its movement cycle
    boundaries (s, absolute, length n_cycles + 1) and each cycle's relative amplitude.
    """
    label: str
    onset: float
    duration: float
    bounds: np.ndarray            # cycle boundaries (s, absolute), length n_cycles + 1
    amp: np.ndarray               # relative amplitude of each cycle (~1)
    in_free_living: bool = False

    @property
    def end(self) -> float:
        """End time of the segment (s)."""
        return self.onset + self.duration


@dataclass
class Control:
    """Control signals at times ``t`` (s), shape (n,) unless noted."""

    t: np.ndarray
    task: np.ndarray              # task index, -1 outside every segment
    flex: np.ndarray              # trunk (L1) flexion (deg)
    pelvis: np.ndarray            # pelvis (S1) tilt (deg)
    yaw: np.ndarray               # axial rotation (deg)
    lat: np.ndarray               # lateral bend (deg)
    lin_trunk: np.ndarray         # (n, 3) linear acceleration at L1 (g), sensor x/y/z
    lin_pelvis: np.ndarray        # (n, 3) at S1 (g)
    act: dict = field(default_factory=dict)   # role -> (n, 2) %MVC [left, right]
    full_flex: np.ndarray = None  # weight 0..1 of the full-flexion hold
    fatigue_progress: np.ndarray = None       # 0..1 progress through a sustained task
    effort: np.ndarray = None     # 0..1 whole-body effort (heart rate, NIRS)


@dataclass
class Timeline:
    """The tasks of one session in order, with the patient-session's peak trunk flexion ``rom``
    (deg), movement ``speed`` (1 = nominal) and step frequency ``step_hz`` (Hz).
    """
    segments: list[Segment]
    rom: float                    # peak trunk flexion (deg) for this patient-session
    speed: float                  # 1 = nominal, < 1 slower (guarding)
    step_hz: float

    @property
    def duration(self) -> float:
        """Length of the session (s): the end of its last segment."""
        return self.segments[-1].end if self.segments else 0.0

    def evaluate(self, t: np.ndarray) -> Control:
        """The control signals (trunk angle, effort, muscle drives, …) at times ``t`` (s), shape
        (n,): a :class:`Control`.
        """
        t = np.asarray(t, dtype=float)
        n = len(t)
        z = np.zeros(n)
        c = Control(t, np.full(n, -1), z.copy(), z.copy(), z.copy(), z.copy(),
                    np.zeros((n, 3)), np.zeros((n, 3)),
                    {r: np.zeros((n, 2)) for r in ROLES}, z.copy(), z.copy(), z.copy())
        c.lin_trunk[:, 0] = 0.0
        if n == 0:
            return c
        onsets = np.array([s.onset for s in self.segments])
        first = max(int(np.searchsorted(onsets, t[0], side="right")) - 1, 0)
        for seg in self.segments[first:]:
            if seg.onset > t[-1]:
                break
            lo, hi = np.searchsorted(t, [seg.onset, seg.end])
            if hi > lo:
                _fill(c, slice(lo, hi), seg, self)
        return c


def _phase(seg: Segment, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cycle index, phase in [0, 1) and cycle amplitude at times ``t``."""
    k = np.clip(np.searchsorted(seg.bounds, t, side="right") - 1, 0, len(seg.amp) - 1)
    start, stop = seg.bounds[k], seg.bounds[k + 1]
    p = np.clip((t - start) / np.maximum(stop - start, 1e-9), 0, 1 - 1e-12)
    return k, p, seg.amp[k]


def _bump(p, a, b):
    """Smooth 0->1->0 raised-cosine bump on phase window [a, b)."""
    x = np.clip((p - a) / (b - a), 0, 1)
    return np.where((p >= a) & (p < b), 0.5 - 0.5 * np.cos(2 * np.pi * x), 0.0)


def _flexion_profile(p: np.ndarray) -> np.ndarray:
    """0..1 flexion over a toe-touch cycle: down, hold, up, upright."""
    down = 0.5 - 0.5 * np.cos(np.pi * np.clip(p / FULL_FLEXION[0], 0, 1))
    up = 0.5 + 0.5 * np.cos(np.pi * np.clip((p - FULL_FLEXION[1]) / 0.35, 0, 1))
    return np.where(p < FULL_FLEXION[0], down, np.where(p < FULL_FLEXION[1], 1.0, up))


def _fill(c: Control, sl: slice, seg: Segment, tl: Timeline) -> None:
    t = c.t[sl]
    task = seg.label
    c.task[sl] = TASK_INDEX[task]
    a = {r: c.act[r][sl] for r in ROLES}
    if task == "quiet_standing":
        c.flex[sl] = 3 + 0.6 * np.sin(2 * np.pi * 0.2 * t)        # postural sway
        a["extensor"][:] = 3.0; a["flexor"][:] = 1.5; a["hip"][:] = 3.0; a["shoulder"][:] = 1.5
        c.effort[sl] = 0.1
    elif task == "sitting":
        c.flex[sl] = 12.0; c.pelvis[sl] = -12.0
        a["extensor"][:] = 2.0; a["flexor"][:] = 1.5; a["hip"][:] = 1.0; a["shoulder"][:] = 1.0
        c.effort[sl] = 0.0
    elif task == "walking":
        k, p, amp = _phase(seg, t)
        step = 2 * np.pi * 2 * p                                     # two steps per stride
        c.flex[sl] = 5 + 2 * amp * np.sin(step)
        c.yaw[sl] = 4 * amp * np.sin(2 * np.pi * p)                  # pelvic/trunk rotation
        c.lat[sl] = 3 * amp * np.sin(2 * np.pi * p + 0.5)
        c.pelvis[sl] = 4 + 2 * amp * np.sin(step + 0.8)
        c.lin_trunk[sl, 0] = 0.28 * amp * np.cos(step)              # vertical, 0.2-0.4 g
        c.lin_trunk[sl, 2] = 0.15 * amp * np.sin(step)              # AP
        c.lin_trunk[sl, 1] = 0.08 * amp * np.sin(2 * np.pi * p)     # ML at stride freq
        c.lin_pelvis[sl] = c.lin_trunk[sl] * 1.3
        heel_l, heel_r = _bump(p, 0.0, 0.2), _bump(p, 0.5, 0.7)
        a["extensor"][:, 0] = 4 + 14 * amp * (heel_l + heel_r)       # bursts near heel strike
        a["extensor"][:, 1] = 4 + 14 * amp * (heel_l + heel_r)
        a["hip"][:, 0] = 3 + 20 * amp * _bump(p, 0.0, 0.4)           # stance, left
        a["hip"][:, 1] = 3 + 20 * amp * _bump(p, 0.5, 0.9)
        a["flexor"][:] = 2.5 + 2 * amp[:, None] * np.abs(np.sin(step))[:, None]
        a["shoulder"][:] = 2 + 4 * amp[:, None] * np.abs(np.sin(np.pi * 2 * p))[:, None]
        c.effort[sl] = 0.45
    elif task == "flexion_extension":
        k, p, amp = _phase(seg, t)
        shape = _flexion_profile(p)
        c.flex[sl] = 3 + tl.rom * amp * shape
        c.pelvis[sl] = tl.rom * 0.35 * amp * shape
        hold = _bump(p, FULL_FLEXION[0] - 0.05, FULL_FLEXION[1] + 0.05) ** 0.3 * \
            ((p >= FULL_FLEXION[0]) & (p < FULL_FLEXION[1]))
        down = (p < FULL_FLEXION[0]) & (p > 0.02)
        up = (p >= FULL_FLEXION[1]) & (p < FULL_FLEXION[1] + 0.35)
        ext = np.where(down, 20.0, np.where(up, 32.0, 4.0)) * amp
        a["extensor"][:] = ext[:, None]
        a["flexor"][:] = 2.5; a["hip"][:] = (3 + 8 * shape)[:, None]
        a["shoulder"][:] = 2.0
        c.full_flex[sl] = hold
        c.effort[sl] = 0.35
    elif task == "lifting":
        k, p, amp = _phase(seg, t)
        bend = _bump(p, 0.0, 0.6)
        c.flex[sl] = 5 + 0.65 * tl.rom * amp * bend
        c.pelvis[sl] = 0.3 * tl.rom * amp * bend
        c.lin_trunk[sl, 0] = 0.1 * _bump(p, 0.3, 0.5)
        lift = _bump(p, 0.25, 0.6)
        ext = 18 + 30 * amp * lift                                   # holding + lift, %MVC
        a["extensor"][:] = ext[:, None]
        a["flexor"][:] = 4.0; a["hip"][:] = (6 + 20 * lift)[:, None]
        a["shoulder"][:] = (8 + 15 * lift)[:, None]
        c.fatigue_progress[sl] = np.clip((t - seg.onset) / seg.duration, 0, 1)
        c.effort[sl] = 0.7
    elif task == "rotation":
        k, p, amp = _phase(seg, t)
        c.yaw[sl] = 35 * amp * np.sin(2 * np.pi * p) * tl.rom / 70
        c.flex[sl] = 4.0
        rot = np.sin(2 * np.pi * p)
        a["extensor"][:] = (7 + 5 * np.abs(rot))[:, None]
        # rotation to one side: contralateral external + ipsilateral internal oblique
        a["flexor"][:, 0] = 4 + 16 * amp * np.clip(rot, 0, None)
        a["flexor"][:, 1] = 4 + 16 * amp * np.clip(-rot, 0, None)
        a["hip"][:] = 4.0; a["shoulder"][:] = (5 + 8 * np.abs(rot))[:, None]
        c.effort[sl] = 0.3
    elif task == "sit_to_stand":
        k, p, amp = _phase(seg, t)
        seated = (p < 0.25) | (p >= 0.85)
        lean = _bump(p, 0.2, 0.55)
        c.flex[sl] = np.where(seated, 12.0, 3.0) + 35 * amp * lean
        c.pelvis[sl] = np.where(seated, -12.0, 0.0) + 15 * amp * lean
        c.lin_trunk[sl, 0] = 0.2 * amp * _bump(p, 0.35, 0.55)
        c.lin_pelvis[sl, 0] = 0.25 * amp * _bump(p, 0.35, 0.55)
        a["extensor"][:] = (3 + 25 * amp * _bump(p, 0.3, 0.6))[:, None]
        a["hip"][:] = (3 + 30 * amp * _bump(p, 0.3, 0.6))[:, None]
        a["flexor"][:] = (2 + 5 * lean)[:, None]; a["shoulder"][:] = 2.0
        c.effort[sl] = 0.5


def build_timeline(cfg: SimulatorConfig, strength: dict, traits: dict,
                   rng: np.random.Generator) -> Timeline:
    """The standardised protocol, then ``free_living_hours`` of activity bouts.

    Cycle-to-cycle variability: controls have a coefficient of variation of ~8-10 % in
    repetition amplitude and duration (e.g. Mokhtarinia et al., Hum Mov Sci 2016);
    ``reduced_variability`` strength s lowers it by up to 80 %. ``guarding`` strength
    lowers lumbar range (up to -40 %) and speed (up to -30 %) (van Dieen et al. 2003).
    """
    guard, var = strength["guarding"], strength["reduced_variability"]
    rom = 72.0 * traits["rom_scale"] * (1 - 0.4 * guard)
    speed = 1.0 - 0.3 * guard
    cv = 0.09 * (1 - 0.8 * var)
    step_hz = float(rng.uniform(1.8, 2.0))
    segments: list[Segment] = []
    t = 0.0
    for task in TASKS:
        d = cfg.task_seconds[task] * cfg.protocol_scale
        segments.append(_segment(task, t, d, speed, step_hz, cv, rng))
        t += d
    if cfg.free_living_hours > 0:
        end = t + cfg.free_living_hours * 3600.0
        # bout lengths and mix of a sedentary day (sitting dominates; Matthews et al. 2008)
        choices = ["sitting", "quiet_standing", "walking", "sit_to_stand", "flexion_extension",
                   "lifting"]
        probs = np.array([0.45, 0.2, 0.22, 0.05, 0.05, 0.03])
        mean_bout = {"sitting": 600, "quiet_standing": 120, "walking": 240, "sit_to_stand": 20,
                     "flexion_extension": 24, "lifting": 60}
        while t < end - 1e-9:
            task = choices[int(rng.choice(len(choices), p=probs))]
            d = float(np.clip(rng.exponential(mean_bout[task]), MIN_BOUT[task], 3600))
            d = min(d, end - t)
            if d < MIN_BOUT[task]:
                task, d = "sitting", end - t
            segments.append(_segment(task, t, d, speed, step_hz, cv, rng, free=True))
            t += d
    return Timeline(segments, rom, speed, step_hz)


MIN_BOUT = {"sitting": 0.5, "quiet_standing": 5.0, "walking": 10.0, "sit_to_stand": 8.0,
            "flexion_extension": 12.0, "lifting": 10.0, "rotation": 6.0}


def _segment(task, onset, duration, speed, step_hz, cv, rng, free=False) -> Segment:
    if task in REPETITIVE:
        nominal = 2.0 / step_hz if task == "walking" else CYCLE_SECONDS[task] / speed
        n = max(1, int(round(duration / nominal)))
        dur = np.maximum(nominal * (1 + cv * rng.standard_normal(n)), 0.2 * nominal)
        bounds = onset + np.concatenate([[0.0], np.cumsum(dur)]) * duration / dur.sum()
        amp = np.clip(1 + cv * rng.standard_normal(n), 0.6, 1.4)
    else:
        bounds, amp = np.array([onset, onset + duration]), np.ones(1)
    return Segment(task, float(onset), float(duration), bounds, amp, free)
