"""Parameters of the LBP cohort simulator, with validation that speaks to the user.

Every physiological constant used by the simulator lives in the module that uses it, beside
its literature source; this file holds only what a user may change (rates, sizes, muscles,
rates of artefacts) and checks it. Rates are in Hz, durations in seconds, event rates in
events per minute of recording.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from lbpnet.errors import ConfigError
from lbpnet.numbers import is_finite_number as _finite

# muscle -> (role, MVC RMS amplitude in uV).
# Roles: "extensor" (agonist of trunk extension), "flexor" (antagonist: abdominals),
# "hip" and "shoulder". MVC surface-EMG RMS amplitudes of trunk muscles with bipolar
# electrodes are ~100-400 uV (e.g. McGill et al., Clin Biomech 1996 11:170-172; Ng et al.,
# J Orthop Sports Phys Ther 1998 27:389-402); the values below sit inside that range.
MUSCLES: dict[str, tuple[str, float]] = {
    "erector_spinae_l1": ("extensor", 220.0),
    "erector_spinae_l3": ("extensor", 260.0),
    "multifidus": ("extensor", 240.0),
    "rectus_abdominis": ("flexor", 160.0),
    "external_oblique": ("flexor", 200.0),
    "internal_oblique": ("flexor", 180.0),
    "gluteus_medius": ("hip", 200.0),
    "latissimus_dorsi": ("shoulder", 200.0),
}
SIDES = ("left", "right")
DEFAULT_EMG_CHANNELS: list[str] = [f"{m}_{s}" for m in MUSCLES for s in SIDES]

TASKS: tuple[str, ...] = ("quiet_standing", "sitting", "walking", "flexion_extension",
                          "lifting", "rotation", "sit_to_stand")
# Standardised protocol, seconds per task (short by default so that a small cohort
# generates in seconds; scale with ``protocol_scale``).
DEFAULT_TASK_SECONDS: dict[str, float] = {
    "quiet_standing": 10.0, "sitting": 10.0, "walking": 16.0, "flexion_extension": 24.0,
    "lifting": 30.0, "rotation": 12.0, "sit_to_stand": 12.0}
MIN_TASK_SECONDS: dict[str, float] = {
    "quiet_standing": 2.0, "sitting": 2.0, "walking": 4.0, "flexion_extension": 6.0,
    "lifting": 10.0, "rotation": 4.0, "sit_to_stand": 4.0}

PHENOTYPES: tuple[str, ...] = ("guarding", "coordination_deficit", "fatigue_limited",
                               "activity_sensitive", "control")
STRATEGIES: tuple[str, ...] = ("guarding", "asymmetry", "reduced_variability", "fatigue",
                               "absent_flexion_relaxation")
ARTEFACTS: tuple[str, ...] = ("powerline", "ecg_contamination", "motion", "electrode_pop",
                              "clipping", "flat_line", "imu_dropout", "sensor_swap")
NOVEL: tuple[str, ...] = ("tremor", "spasm")


@dataclass
class SimulatorConfig:
    """Everything :func:`simulate_cohort` can be asked for.

    Parameters
    ----------
    n_patients, n_sessions : int
        Cohort size and sessions per patient (weekly, ``session_interval_days`` apart).
    seed : int
        Master seed; every patient and session derives its own stream from it.
    difficulty : float
        > 0. 1.0 is the default; larger means more phenotype overlap (smaller planted effects,
        more sub-threshold strategies in controls) and more noise.
    emg_rate, imu_rate, nirs_rate, eda_rate, ecg_rate, rr_rate : float
        Sampling rates (Hz).
    emg_channels : list of str, optional
        Subset of ``<muscle>_<left|right>`` names (default all 16).
    with_ecg, with_eda, with_nirs : bool
        Optional streams.
    free_living_hours : float
        Hours of free-living activity appended after the standardised protocol.
    artefact_rate, novel_rate : float
        Expected artefacts / novel patterns per minute of recording.
    protocol_scale : float
        Multiplies every task duration of ``task_seconds``.
    task_seconds : dict, optional
        Override of :data:`DEFAULT_TASK_SECONDS`.
    phenotype_weights : dict, optional
        Relative frequency of each phenotype (default equal).
    responder_fraction, missing_pro_rate : float
        Fraction of patients who respond; probability that a PRO report is missing
        (never at the first and last session, which define response).
    mains_hz : float
        Power-line frequency for the hum artefact (50 or 60).
    chunk_seconds : float
        Seconds generated per chunk (bounds memory).
    """

    n_patients: int = 12
    n_sessions: int = 4
    seed: int = 0
    difficulty: float = 1.0
    emg_rate: float = 2000.0
    imu_rate: float = 100.0
    nirs_rate: float = 10.0
    eda_rate: float = 4.0
    ecg_rate: float = 250.0
    rr_rate: float = 4.0
    emg_channels: list[str] | None = None
    with_ecg: bool = False
    with_eda: bool = True
    with_nirs: bool = True
    free_living_hours: float = 0.0
    artefact_rate: float = 0.5
    novel_rate: float = 0.05
    protocol_scale: float = 1.0
    task_seconds: dict[str, float] | None = None
    phenotype_weights: dict[str, float] | None = None
    responder_fraction: float = 0.5
    missing_pro_rate: float = 0.1
    session_interval_days: int = 7
    mains_hz: float = 50.0
    chunk_seconds: float = 10.0
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.validate()

    # ------------------------------------------------------------------ checks
    def validate(self) -> "SimulatorConfig":
        """Check every field; raise :class:`ConfigError` naming the field and the fix; return
        ``self``.
        """
        src = "simulate_cohort"
        for name in ("n_patients", "n_sessions"):
            v = getattr(self, name)
            if not isinstance(v, (int,)) or isinstance(v, bool) or v < 1:
                raise ConfigError(f"{name} must be a whole number >= 1 (got {v!r})",
                                  source=src, field=name, fix=f"set {name} to 1 or more")
        if not _finite(self.difficulty) or self.difficulty <= 0:
            raise ConfigError(f"difficulty must be > 0 (got {self.difficulty!r})", source=src,
                              field="difficulty",
                              fix="use 1.0 for the default overlap, < 1 easier, > 1 harder")
        for name in ("emg_rate", "imu_rate", "nirs_rate", "eda_rate", "ecg_rate", "rr_rate"):
            v = getattr(self, name)
            if not _finite(v) or v <= 0:
                raise ConfigError(f"{name} must be a positive sampling rate in Hz (got {v!r})",
                                  source=src, field=name, fix=f"set {name} to a rate > 0 Hz")
        if self.emg_rate < 1000:
            raise ConfigError(
                f"emg_rate {self.emg_rate} Hz cannot carry surface EMG (power up to ~450 Hz)",
                source=src, field="emg_rate", fix="use at least 1000 Hz (default 2000)")
        if self.imu_rate < 20:
            raise ConfigError(f"imu_rate {self.imu_rate} Hz is too low for gait (~2 Hz steps)",
                              source=src, field="imu_rate", fix="use 20 Hz or more (default 100)")
        if self.with_ecg and self.ecg_rate < 100:
            raise ConfigError(f"ecg_rate {self.ecg_rate} Hz is too low for a QRS complex",
                              source=src, field="ecg_rate", fix="use 250 Hz or more")
        self.emg_channels = list(self.emg_channels or DEFAULT_EMG_CHANNELS)
        if not self.emg_channels:
            raise ConfigError("emg_channels is empty", source=src, field="emg_channels",
                              fix="leave it null for all 16 or name at least one channel")
        for ch in self.emg_channels:
            muscle, _, side = str(ch).rpartition("_")
            if muscle not in MUSCLES or side not in SIDES:
                raise ConfigError(
                    f"unknown EMG channel '{ch}'", source=src, field="emg_channels",
                    fix=f"name channels <muscle>_<left|right> with muscle one of "
                        f"{', '.join(MUSCLES)}")
        if len(set(self.emg_channels)) != len(self.emg_channels):
            raise ConfigError("emg_channels lists a channel twice", source=src,
                              field="emg_channels", fix="list each channel once")
        for name in ("free_living_hours", "artefact_rate", "novel_rate"):
            v = getattr(self, name)
            if not _finite(v) or v < 0:
                raise ConfigError(f"{name} must be >= 0 (got {v!r})", source=src, field=name,
                                  fix=f"set {name} to 0 (off) or a positive number")
        if self.free_living_hours > 24:
            raise ConfigError(f"free_living_hours {self.free_living_hours} exceeds one day",
                              source=src, field="free_living_hours", fix="use at most 24 h")
        if not _finite(self.protocol_scale) or self.protocol_scale <= 0:
            raise ConfigError(f"protocol_scale must be > 0 (got {self.protocol_scale!r})",
                              source=src, field="protocol_scale", fix="use e.g. 1.0")
        seconds = dict(DEFAULT_TASK_SECONDS)
        for task, v in (self.task_seconds or {}).items():
            if task not in seconds:
                raise ConfigError(f"unknown task '{task}'", source=src, field="task_seconds",
                                  fix=f"use tasks among {', '.join(TASKS)}")
            seconds[task] = v
        for task, v in seconds.items():
            d = float(v) * self.protocol_scale if _finite(v) else float("nan")
            if not _finite(d) or d < MIN_TASK_SECONDS[task]:
                raise ConfigError(
                    f"task '{task}' would last {d!r} s, shorter than the {MIN_TASK_SECONDS[task]}"
                    f" s it needs", source=src, field=f"task_seconds.{task}",
                    fix=f"give '{task}' at least {MIN_TASK_SECONDS[task]} s (after protocol_scale)")
        self.task_seconds = {t: float(seconds[t]) for t in TASKS}
        weights = dict(self.phenotype_weights or {p: 1.0 for p in PHENOTYPES})
        for p, w in weights.items():
            if p not in PHENOTYPES:
                raise ConfigError(f"unknown phenotype '{p}'", source=src,
                                  field="phenotype_weights", fix=f"use {', '.join(PHENOTYPES)}")
            if not _finite(w) or w < 0:
                raise ConfigError(f"weight of '{p}' must be >= 0", source=src,
                                  field=f"phenotype_weights.{p}", fix="give a weight >= 0")
        if sum(weights.values()) <= 0:
            raise ConfigError("all phenotype weights are 0", source=src,
                              field="phenotype_weights", fix="give at least one weight > 0")
        self.phenotype_weights = {p: float(weights.get(p, 0.0)) for p in PHENOTYPES}
        for name in ("responder_fraction", "missing_pro_rate"):
            v = getattr(self, name)
            if not _finite(v) or not 0 <= v <= 1:
                raise ConfigError(f"{name} must be in [0, 1] (got {v!r})", source=src,
                                  field=name, fix=f"give {name} as a fraction")
        if self.session_interval_days < 1:
            raise ConfigError("session_interval_days must be >= 1", source=src,
                              field="session_interval_days", fix="use e.g. 7 (weekly)")
        if self.mains_hz not in (50.0, 60.0, 50, 60):
            raise ConfigError(f"mains_hz must be 50 or 60 (got {self.mains_hz!r})", source=src,
                              field="mains_hz", fix="use 50 (Europe) or 60 (Americas)")
        if not _finite(self.chunk_seconds) or not 1 <= self.chunk_seconds <= 120:
            raise ConfigError(f"chunk_seconds must be in [1, 120] (got {self.chunk_seconds!r})",
                              source=src, field="chunk_seconds", fix="use e.g. 10")
        return self

    @property
    def protocol_seconds(self) -> float:
        """Length of the standardised protocol (s), without rests or free living."""
        return sum(self.task_seconds.values()) * self.protocol_scale

    def to_dict(self) -> dict:
        """Plain JSON-serialisable parameters (for the cache key and metadata)."""
        return asdict(self)
