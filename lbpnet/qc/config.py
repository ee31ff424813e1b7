"""Thresholds of the signal-quality checks, as one plain dataclass (``conf/qc/default.yaml``).

Every threshold is in the field's own units (s, Hz, g, ms, %, ratios) and says which way it
cuts. Defaults were set on a tuning cohort of the (synthetic) simulator and on clean real
recordings; ``experiments/qc_validation`` reports how they do on held-out data.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from lbpnet.errors import ConfigError
from lbpnet.numbers import is_finite_number as _finite

CHECKS = ("missing", "flat_line", "clipping", "powerline", "baseline_wander", "motion",
          "ecg_contamination", "electrode_pop", "low_snr", "placement", "dropout",
          "gravity_norm", "rr_range", "rr_ectopic", "signal_loss")
"""Every check name; a flag column is ``"<stream>/<check>"``."""


@dataclass
class QCConfig:
    """Which checks run and where each one cuts.

    Parameters
    ----------
    checks : list of str, optional
        Checks to run (default: all of :data:`CHECKS` that apply to a stream's kind).
    flat_run_s : dict
        ``flat_line``: a run of identical samples at least this long (s) flags the window,
        per kind (``EMG``, ``ECG``, ``PPG``); slow, coarsely quantised signals (a 10-bit
        BVP at 1 kHz) hold a value for tens of ms at each peak, hence the longer PPG run.
    clip_fraction, clip_tolerance : float
        ``clipping``: share of the window's samples sitting on a plateau at its maximum or
        minimum (within ``clip_tolerance`` x the window's range) at or above which it is
        flagged.
    clip_min_samples : int
        ``clipping``: fewest samples on the plateau that count (a peak is not a plateau).
    mains_hz : list of float
        ``powerline``: candidate mains frequencies (Hz); the worse one counts.
    powerline_ratio : float
        ``powerline``: power density within +/-1 Hz of the mains (or its 3rd harmonic) over
        the density 3-8 Hz either side; at or above flags (a clean EMG/ECG gives ~1).
    wander_hz : float
        ``baseline_wander``: upper edge (Hz) of the baseline band.
    wander_share : dict
        ``baseline_wander``: share of the window's power (mean removed) below ``wander_hz``
        at or above which it is flagged, per kind (``EMG``, ``ECG``).
    low_band_hz : list of float
        EMG: the band (Hz) below the EMG (surface EMG has little power under ~20 Hz) where
        movement, electrode pops and the ECG's QRS live; its share of the window's power
        and the kurtosis and peaks of the band-passed signal tell them apart.
    spiky_kurtosis : float
        Kurtosis of the low-band signal at or above which the contamination is a transient
        (QRS, pop) rather than smooth movement (Gaussian noise gives 3).
    motion_share : float
        ``motion`` (EMG): low-band share at or above which a smooth (not spiky)
        contamination flags.
    motion_range_ratio : float
        ``motion`` (PPG/BVP): the window's range (0.5-99.5 percentile) over the median range
        of the recording's windows; at or above flags.
    ecg_share : float
        ``ecg_contamination``: low-band share at or above which a spiky contamination with
        at least ``ecg_min_beats`` peaks flags.
    ecg_min_beats : int
        Least number of QRS-like peaks in the window (at least 0.3 s apart).
    ecg_channels : list of str, optional
        EMG channels checked for ECG (names or name prefixes, e.g. trunk muscles); default
        every EMG channel.
    pop_share : float
        ``electrode_pop``: low-band share at or above which a single spiky transient (a step
        decaying back, or one large spike) or an abrupt jump flags.
    pop_jump_ratio : float
        ``electrode_pop``: largest sample-to-sample jump over the RMS of the jumps in the
        window at or above which the low-band contamination counts as abrupt (Gaussian
        noise: ~4 over a few thousand samples; a step of 10x the EMG: far more).
    snr_min_db : float
        ``low_snr`` (EMG, per recording and channel): 20 log10 of the 90th over the 10th
        percentile of window RMS (activity over rest); below flags every window.
    swap_log_ratio : float
        ``placement`` (EMG ``*_left``/``*_right`` pairs): the log RMS ratio left/right has the
        opposite sign of the recording's median and differs from it by at least this much.
    dropout_run_s : float
        ``dropout`` (IMU): a run of repeated samples (e.g. 0 from lost packets) this long (s).
    rest_std_g : float
        IMU windows whose acceleration norm and every axis vary less than this (g, std)
        count as rest.
    gravity_tolerance_g : float
        ``gravity_norm``: at rest, ``| |a| - 1 g |`` above this flags.
    placement : dict, optional
        ``placement`` (IMU): expected gravity axis at rest per body site, e.g.
        ``{"trunk_l1": "+x", "pelvis_s1": "+x"}``; site = channel name before ``_acc_``.
    placement_max_angle_deg : float
        ``placement`` (IMU): angle (deg) between the resting gravity and the expected axis
        above which flags (an up/down swap gives ~180).
    rr_range_ms : list of float
        ``rr_range``: plausible RR (ms); outside flags.
    rr_malik : float
        ``rr_ectopic``: a beat differing from the previous by more than this fraction
        (Malik et al. 1989: 20 %) flags.
    tsi_range : list of float
        ``signal_loss`` (NIRS ``%`` channels): plausible tissue saturation (%); outside flags.
    nirs_flat_run_s : float
        ``signal_loss`` (NIRS): a run of identical samples this long (s) flags.
    chunk_samples : int
        Samples (windows x channels x time) scored at once; bounds memory.
    """

    checks: list[str] | None = None
    flat_run_s: dict[str, float] = field(
        default_factory=lambda: {"EMG": 0.1, "ECG": 0.2, "PPG": 0.5})
    clip_fraction: float = 0.01
    clip_tolerance: float = 0.002
    clip_min_samples: int = 4
    mains_hz: list[float] = field(default_factory=lambda: [50.0, 60.0])
    powerline_ratio: float = 20.0
    wander_hz: float = 1.0
    wander_share: dict[str, float] = field(default_factory=lambda: {"EMG": 0.3, "ECG": 0.6})
    low_band_hz: list[float] = field(default_factory=lambda: [1.0, 20.0])
    spiky_kurtosis: float = 8.0
    motion_share: float = 0.3
    motion_range_ratio: float = 3.0
    ecg_share: float = 0.05
    ecg_min_beats: int = 2
    ecg_channels: list[str] | None = None
    pop_share: float = 0.1
    pop_jump_ratio: float = 10.0
    snr_min_db: float = 3.0
    swap_log_ratio: float = 1.5
    dropout_run_s: float = 0.25
    rest_std_g: float = 0.03
    gravity_tolerance_g: float = 0.15
    placement: dict[str, str] | None = None
    placement_max_angle_deg: float = 100.0
    rr_range_ms: list[float] = field(default_factory=lambda: [300.0, 2000.0])
    rr_malik: float = 0.2
    tsi_range: list[float] = field(default_factory=lambda: [30.0, 95.0])
    nirs_flat_run_s: float = 2.0
    chunk_samples: int = 8_000_000

    def __post_init__(self) -> None:
        self.validate()

    def enabled(self, check: str) -> bool:
        """Whether ``check`` runs (every check runs when ``checks`` is None)."""
        return self.checks is None or check in self.checks

    def validate(self) -> "QCConfig":
        """Raise :class:`ConfigError` naming the ``qc.<field>`` at fault and the fix."""
        if self.checks is not None:
            self.checks = [str(c) for c in self.checks]
            unknown = [c for c in self.checks if c not in CHECKS]
            if unknown:
                raise ConfigError(f"unknown checks {unknown}", field="qc.config.checks",
                                  fix=f"use names among {', '.join(CHECKS)}")
        positive = ("powerline_ratio", "wander_hz", "motion_range_ratio",
                    "spiky_kurtosis", "pop_jump_ratio", "swap_log_ratio", "dropout_run_s",
                    "rest_std_g", "gravity_tolerance_g", "placement_max_angle_deg",
                    "rr_malik", "nirs_flat_run_s", "chunk_samples")
        for name in positive:
            v = getattr(self, name)
            if not _finite(v) or float(v) <= 0:
                raise ConfigError(f"{name} must be a positive number (got {v!r})",
                                  field=f"qc.config.{name}", fix=f"set {name} > 0")
        for name in ("clip_fraction", "clip_tolerance", "motion_share", "ecg_share",
                     "pop_share"):
            v = getattr(self, name)
            if not _finite(v) or not 0 < float(v) < 1:
                raise ConfigError(f"{name} must be a fraction in (0, 1) (got {v!r})",
                                  field=f"qc.config.{name}", fix=f"set {name} between 0 and 1")
        for name in ("low_band_hz", "rr_range_ms", "tsi_range"):
            v = list(getattr(self, name))
            if len(v) != 2 or not all(_finite(x) for x in v) or not 0 <= v[0] < v[1]:
                raise ConfigError(f"{name} must be [low, high] with 0 <= low < high (got {v!r})",
                                  field=f"qc.config.{name}", fix="give two increasing numbers")
            setattr(self, name, [float(x) for x in v])
        self.mains_hz = [float(f) for f in self.mains_hz]
        if not self.mains_hz or any(f not in (50.0, 60.0) for f in self.mains_hz):
            raise ConfigError(f"mains_hz must list 50 and/or 60 (got {self.mains_hz!r})",
                              field="qc.config.mains_hz", fix="use [50], [60] or [50, 60]")
        for kind, v in dict(self.flat_run_s).items():
            if not _finite(v) or float(v) <= 0:
                raise ConfigError(f"flat_run_s of {kind} must be > 0 s (got {v!r})",
                                  field=f"qc.config.flat_run_s.{kind}", fix="give seconds > 0")
        for kind, v in dict(self.wander_share).items():
            if not _finite(v) or not 0 < float(v) < 1:
                raise ConfigError(f"wander_share of {kind} must be in (0, 1) (got {v!r})",
                                  field=f"qc.config.wander_share.{kind}",
                                  fix="give a fraction between 0 and 1")
        if int(self.clip_min_samples) < 2:
            raise ConfigError("clip_min_samples must be >= 2", field="qc.config.clip_min_samples",
                              fix="use e.g. 4")
        if int(self.ecg_min_beats) < 1:
            raise ConfigError("ecg_min_beats must be >= 1", field="qc.config.ecg_min_beats",
                              fix="use e.g. 2")
        for site, axis in dict(self.placement or {}).items():
            if str(axis) not in ("+x", "-x", "+y", "-y", "+z", "-z"):
                raise ConfigError(f"placement of '{site}' must be a signed axis (got {axis!r})",
                                  field=f"qc.config.placement.{site}",
                                  fix="use one of +x, -x, +y, -y, +z, -z")
        return self

    def to_dict(self) -> dict:
        """The thresholds as a plain dict of fields (JSON-ready)."""
        return asdict(self)
