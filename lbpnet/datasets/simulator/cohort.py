"""Patients, phenotypes, sessions and patient-reported outcome (PRO) trajectories.

Each patient has a phenotype, a responder status and, per movement strategy, a *planted
strength* in [0, 1] that sets the size of its signal in the EMG/IMU (see :mod:`.emg`,
:mod:`.imu`). A strategy is labelled in a session only where its strength reaches
:data:`LABEL_THRESHOLD`; controls carry sub-threshold strengths (mild co-contraction, a
little asymmetry) so that labels are not trivially separable, and ``difficulty`` widens the
overlap. Responders' strengths shrink with their recovery.

PROs: Oswestry Disability Index (ODI, 0-100) and pain numeric rating scale (NRS, 0-10).
Minimal important change (MIC): ODI >= 10 points or >= 30 %, NRS >= 2 points (Ostelo et al.,
Spine 2008 33:90-94). Baselines of chronic LBP rehabilitation cohorts: ODI ~20-50, NRS ~4-8
(e.g. Fairbank & Pynsent, Spine 2000 25:2940-2953).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lbpnet.datasets.simulator.config import STRATEGIES, SimulatorConfig

LABEL_THRESHOLD = 0.3
"""Planted strength at or above which a strategy is labelled."""

# phenotype -> (strategies always planted, strategies planted with probability 0.4)
PHENOTYPE_STRATEGIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "guarding": (("guarding",), ("absent_flexion_relaxation", "reduced_variability")),
    "coordination_deficit": (("asymmetry", "reduced_variability"), ("guarding",)),
    "fatigue_limited": (("fatigue",), ("asymmetry",)),
    "activity_sensitive": (("absent_flexion_relaxation",), ("guarding",)),
    "control": ((), ()),
}
ODI_MIC_POINTS, ODI_MIC_FRACTION, NRS_MIC_POINTS = 10.0, 0.30, 2.0


@dataclass
class SessionPlan:
    """One session of one patient: day, PROs and planted strengths."""

    index: int                   # 1..M
    day: int                     # days since the first session
    odi: float | None            # 0-100, None when not reported
    nrs: float | None            # 0-10, None when not reported
    odi_true: float
    nrs_true: float
    strength: dict[str, float]   # strategy -> planted strength in [0, 1]
    seed: int

    @property
    def labelled(self) -> list[str]:
        """The strategies planted strongly enough in this session to be labelled (strength >=
        ``LABEL_THRESHOLD``).
        """
        return [s for s in STRATEGIES if self.strength[s] >= LABEL_THRESHOLD]


@dataclass
class Patient:
    """A pseudonymous patient (``P001``) with fixed traits and their sessions."""

    id: str
    phenotype: str
    responder: bool
    traits: dict                 # fixed physiological traits (see make_patient)
    sessions: list[SessionPlan] = field(default_factory=list)

    def meta(self) -> dict:
        """The patient's metadata as stored with each recording: ``phenotype`` and
        ``responder``.
        """
        return {"phenotype": self.phenotype, "responder": bool(self.responder)}


def _patient_strength(rng: np.random.Generator, phenotype: str, difficulty: float) -> dict:
    """Baseline planted strength per strategy.

    Patients: ``0.3 + 0.7 u**difficulty`` (uniform on [0.3, 1] at difficulty 1, pushed toward
    the threshold when harder). Everyone else: sub-threshold ``0.27 u`` scaled by
    ``min(difficulty, 1.5)`` and capped below the threshold (healthy people show some
    co-contraction and asymmetry too; e.g. van Dieen et al., Spine 2003 28:834-841).
    """
    primary, secondary = PHENOTYPE_STRATEGIES[phenotype]
    out = {}
    for s in STRATEGIES:
        planted = s in primary or (s in secondary and rng.random() < 0.4)
        if planted:
            out[s] = float(LABEL_THRESHOLD + (1 - LABEL_THRESHOLD) * rng.random() ** difficulty)
        else:
            sub = 0.27 * rng.random() * min(difficulty, 1.5)
            out[s] = float(min(sub, LABEL_THRESHOLD - 0.01))
    return out


def make_patient(rng: np.random.Generator, index: int, phenotype: str, responder: bool,
                 cfg: SimulatorConfig) -> Patient:
    """Draw patient ``index`` (pseudonym ``P%03d``) of ``phenotype``: fixed traits (strategy
    strengths, asymmetric side, EMG channel gains, …) and the plans of their sessions, from
    ``rng``.
    """
    d = cfg.difficulty
    traits = {
        "strength": _patient_strength(rng, phenotype, d),
        "asym_side": str(rng.choice(["left", "right"])),
        # relative gain of each EMG channel: electrode placement, skin impedance (+-25 %)
        "channel_gain": rng.uniform(0.75, 1.25, len(cfg.emg_channels)).tolist(),
        # Shwedyk spectral scale per channel (+-12 %) -> median frequency spread ~60-100 Hz
        "spectral_scale": rng.uniform(0.88, 1.12, len(cfg.emg_channels)).tolist(),
        # natural fatigue rate of everyone: median-frequency fall per minute of sustained
        # loading, fraction (controls ~3-8 %/min at 25-40 %MVC; Mannion & Dolan, Spine 1994)
        "base_fatigue_per_min": float(rng.uniform(0.02, 0.06)),
        "rest_hr_bpm": float(rng.uniform(60, 75)),        # resting HR 60-75 bpm (RR 800-1000 ms)
        "rmssd_ms": float(rng.uniform(25, 55)),            # RMSSD 20-60 ms (Nunan et al. 2010)
        "resp_hz": float(rng.uniform(0.2, 0.3)),           # breathing 12-18 /min
        "tsi_rest": float(rng.uniform(62, 74)),            # paraspinal TSI 60-75 % (Kovacs 2001)
        "scl_us": float(rng.uniform(2.0, 8.0)),            # tonic skin conductance 2-10 uS
        "skin_temp_c": float(rng.uniform(32.0, 34.0)),     # 32-34 degC (torso/wrist)
        "rom_scale": float(rng.uniform(0.9, 1.1)),         # individual lumbar range of motion
        "height_scale": float(rng.uniform(0.9, 1.1)),
    }
    return Patient(f"P{index:03d}", phenotype, responder, traits)


def _pro_trajectory(rng, patient: Patient, cfg: SimulatorConfig) -> tuple[np.ndarray, np.ndarray]:
    """True ODI and NRS per session (before reporting noise), MIC-consistent by design."""
    m = cfg.n_sessions
    if patient.phenotype == "control":
        odi0, nrs0 = rng.uniform(0, 8), rng.uniform(0, 2)
    else:
        odi0, nrs0 = rng.uniform(22, 50), rng.uniform(4, 8)
    k = np.arange(m, dtype=float)
    shape = (1 - np.exp(-k / 1.5)) / (1 - np.exp(-(m - 1) / 1.5)) if m > 1 else np.zeros(1)
    if patient.responder and m > 1:
        # total improvement: comfortably above the MIC (>= 1.4x the larger of 10 pt / 30 %)
        d_odi = max(rng.uniform(0.45, 0.75) * odi0, 14.0)
        d_nrs = max(rng.uniform(0.4, 0.7) * nrs0, 2.8)
    else:
        # no response: drift within +-4 ODI points and +-0.8 NRS (well inside the MIC)
        d_odi = rng.uniform(-4, 4) if patient.phenotype != "control" else 0.0
        d_nrs = rng.uniform(-0.8, 0.8) if patient.phenotype != "control" else 0.0
    odi = np.clip(odi0 - d_odi * shape, 0, 100)
    nrs = np.clip(nrs0 - d_nrs * shape, 0, 10)
    return odi, nrs


def meets_mic(odi_first: float, odi_last: float, nrs_first: float, nrs_last: float) -> bool:
    """True when both ODI (10 points or 30 %) and NRS (2 points) improve by the MIC."""
    d_odi = odi_first - odi_last
    odi_ok = d_odi >= ODI_MIC_POINTS or (odi_first > 0 and d_odi / odi_first >= ODI_MIC_FRACTION
                                         and d_odi > 0)
    return bool(odi_ok and nrs_first - nrs_last >= NRS_MIC_POINTS)


def make_cohort(cfg: SimulatorConfig) -> list[Patient]:
    """All patients with their session plans; deterministic in ``cfg.seed``."""
    root = np.random.SeedSequence([int(cfg.seed), 0x1B9])
    patient_seqs = root.spawn(cfg.n_patients)
    names = list(cfg.phenotype_weights)
    w = np.array([cfg.phenotype_weights[p] for p in names])
    # phenotypes dealt in proportion to the weights, then shuffled: a small cohort still
    # holds every phenotype with a non-zero weight
    rng0 = np.random.default_rng(root.spawn(1)[0])
    counts = np.floor(w / w.sum() * cfg.n_patients).astype(int)
    while counts.sum() < cfg.n_patients:
        counts[np.argmax(w / w.sum() * cfg.n_patients - counts)] += 1
    phenos = rng0.permutation(np.repeat(names, counts)).tolist()
    patients = []
    for i, (seq, pheno) in enumerate(zip(patient_seqs, phenos), start=1):
        rng = np.random.default_rng(seq)
        responder = pheno != "control" and cfg.n_sessions > 1 \
            and rng.random() < cfg.responder_fraction
        p = make_patient(rng, i, pheno, responder, cfg)
        odi, nrs = _pro_trajectory(rng, p, cfg)
        session_seeds = seq.spawn(cfg.n_sessions)
        for k in range(cfg.n_sessions):
            # reporting noise (test-retest SD ~ 3-4 ODI points, 0.5-1 NRS)
            o = float(np.clip(odi[k] + rng.normal(0, 2.0), 0, 100))
            n = float(np.clip(nrs[k] + rng.normal(0, 0.4), 0, 10))
            missing = 0 < k < cfg.n_sessions - 1 and rng.random() < cfg.missing_pro_rate
            if k == cfg.n_sessions - 1 and cfg.n_sessions > 1:
                o, n = _keep_response_class(p, o, n, p.sessions[0])
            progress = (odi[0] - odi[k]) / max(odi[0] - odi[-1], 1e-9) if p.responder else 0.0
            strength = {s: float(np.clip(v * (1 - 0.8 * progress) + rng.normal(0, 0.03), 0, 1))
                        for s, v in p.traits["strength"].items()}
            if pheno == "control":   # never labelled, whatever the jitter
                strength = {s: min(v, LABEL_THRESHOLD - 0.01) for s, v in strength.items()}
            day = 0 if k == 0 else k * cfg.session_interval_days + int(rng.integers(-1, 2))
            ss = int(np.random.default_rng(session_seeds[k]).integers(2**63 - 1))
            p.sessions.append(SessionPlan(k + 1, day, None if missing else round(o, 1),
                                          None if missing else round(n, 1), float(odi[k]),
                                          float(nrs[k]), strength, ss))
        patients.append(p)
    return patients


def _keep_response_class(p: Patient, odi_last: float, nrs_last: float,
                         first: SessionPlan) -> tuple[float, float]:
    """Clip the last session's reporting noise so the observed change keeps the class."""
    o0, n0 = first.odi, first.nrs
    if p.responder:
        odi_last = min(odi_last, o0 - ODI_MIC_POINTS - 0.2, o0 * (1 - ODI_MIC_FRACTION) - 0.2) \
            if o0 - odi_last < ODI_MIC_POINTS else odi_last
        nrs_last = min(nrs_last, n0 - NRS_MIC_POINTS - 0.2)
    else:
        odi_last = max(odi_last, o0 - ODI_MIC_POINTS + 1.0, o0 * (1 - ODI_MIC_FRACTION) + 0.5)
        nrs_last = max(nrs_last, n0 - NRS_MIC_POINTS + 0.5)
    return float(np.clip(odi_last, 0, 100)), float(np.clip(nrs_last, 0, 10))
