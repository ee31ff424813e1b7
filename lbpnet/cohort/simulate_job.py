"""Cohort job ``simulate``: the SYNTHETIC LBP cohort, one patient-session per item.

Each item writes ``<out>/sub-<id>_ses-<k>.lbp`` through
:func:`lbpnet.datasets.simulator.session.simulate_session` (a temp folder, then a rename), so
the files equal :func:`lbpnet.datasets.simulator.simulate_cohort`'s with the same parameters,
whichever worker wrote them. Every recording is marked ``metadata["synthetic"] = True``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lbpnet.datasets.simulator.cohort import make_cohort
from lbpnet.datasets.simulator.config import SimulatorConfig
from lbpnet.datasets.simulator.session import simulate_session


@dataclass
class SimulateJob:
    """Generate a synthetic cohort in parallel.

    Parameters
    ----------
    n_patients, n_sessions, seed : int
        As :class:`~lbpnet.datasets.simulator.SimulatorConfig`.
    params : dict
        Further :class:`SimulatorConfig` fields (``free_living_hours``, ``emg_rate``,
        ``difficulty``, ``with_ecg``...).
    """

    n_patients: int = 12
    n_sessions: int = 4
    seed: int = 0
    params: dict = field(default_factory=dict)
    name: str = "simulate"

    def simulator_config(self) -> SimulatorConfig:
        """The :class:`SimulatorConfig` (validated: an impossible field is a ConfigError)."""
        return SimulatorConfig(n_patients=int(self.n_patients), n_sessions=int(self.n_sessions),
                               seed=int(self.seed), **dict(self.params))

    def items(self, root=None) -> dict:
        """``sub-<id>_ses-<k>`` → (patient, session plan), in patient then session order."""
        return {f"sub-{p.id}_ses-{plan.index}": (p, plan)
                for p in make_cohort(self.simulator_config()) for plan in p.sessions}

    def output(self, out_dir, key: str) -> Path:
        """``<out_dir>/<key>.lbp``."""
        return Path(out_dir) / f"{key}.lbp"

    def is_done(self, path: Path) -> bool:
        """The store's header exists (it appears only when the folder is renamed into place)."""
        return (Path(path) / "recording.json").is_file()

    def __call__(self, key: str, payload, path: Path) -> dict:
        """Simulate one patient-session into ``path``."""
        patient, plan = payload
        simulate_session(self.simulator_config(), patient, plan, Path(path))
        return {"path": str(path), "synthetic": True}
