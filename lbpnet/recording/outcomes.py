"""Longitudinal outcomes in memory: participants × sessions × instruments, with their meaning.

Two on-disk formats give the same :class:`OutcomeTable`:

- a BIDS-style folder (``participants.tsv`` + per participant ``sub-<id>/sub-<id>_sessions.tsv``,
  ``sessions.json`` sidecars): :func:`lbpnet.recording.outcomes_bids.read_outcomes_bids`;
- a long table ``participant_id, session_id, <time>, instrument, value`` (TSV or CSV):
  :func:`lbpnet.recording.outcomes_long.read_outcomes_long`.

:func:`read_outcomes` picks the reader from the path. Times are in weeks since the
participant's first session (``time_unit == "weeks"``), or the session's position
(0, 1, 2, …; ``time_unit == "sessions"``) when the data carry no time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from lbpnet.errors import ConfigError, ReaderError


@dataclass
class Instrument:
    """What one outcome column means (from a ``sessions.json`` sidecar).

    Parameters
    ----------
    name : str
        Column name (``odi``, ``nrs``, ``self_assessment``…).
    long_name, units, description : str, optional
        BIDS ``LongName``, ``Units``, ``Description``.
    higher_is_worse : bool, optional
        lbpnet key ``HigherIsWorse``: True for ODI, pain NRS, seizure counts. It sets the
        direction of improvement; None when the sidecar does not say.
    minimal_important_change : float, optional
        lbpnet key ``MinimalImportantChange``, in the instrument's points.
    minimal_important_fraction : float, optional
        lbpnet key ``MinimalImportantChangeFraction``: the relative improvement (of the
        baseline value) that counts, e.g. 0.5 for a 50 % seizure reduction.
    """

    name: str
    long_name: str | None = None
    units: str | None = None
    description: str | None = None
    higher_is_worse: bool | None = None
    minimal_important_change: float | None = None
    minimal_important_fraction: float | None = None


@dataclass
class OutcomeTable:
    """Outcomes of many participants over their sessions.

    ``P`` participants, ``S`` = the most sessions of any participant, ``I`` instruments.

    Attributes
    ----------
    participants : list of str, (P,)
        Participant labels without ``sub-``, sorted.
    sessions : list of list of str
        Per participant, the session labels (without ``ses-``) in time order.
    instruments : list of str, (I,)
    values : ndarray, float (P, S, I)
        Scores in the instrument's units; NaN where missing (``n/a``) or no such session.
    times : ndarray, float (P, S)
        Weeks since the participant's first session (or the session's position, see
        ``time_unit``); NaN where no such session.
    time_unit : {"weeks", "sessions"}
    time_source : str
        Where the times came from (``acq_time``, a column name, or ``session order``).
    covariates : dict of str to ndarray (P,) of object
        ``participants.tsv`` columns: floats where numeric, str otherwise, None for ``n/a``.
    info : dict of str to Instrument
        Meaning of each instrument (an empty :class:`Instrument` where no sidecar says).
    files : list of str, (P,)
        The file each participant's sessions came from (for error messages).
    rows : ndarray, int (P, S)
        Line number (1-based, header = 1) of each session in its file; -1 where absent.
    source : str
        The folder or long table read.
    synthetic : bool
        True for simulated data.
    """

    participants: list[str]
    sessions: list[list[str]]
    instruments: list[str]
    values: np.ndarray
    times: np.ndarray
    time_unit: str
    time_source: str
    covariates: dict[str, np.ndarray] = field(default_factory=dict)
    info: dict[str, Instrument] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    rows: np.ndarray | None = None
    source: str = "<in memory>"
    synthetic: bool = False

    @property
    def n_sessions(self) -> int:
        """``S``: the most sessions of any participant."""
        return int(self.values.shape[1])

    @property
    def present(self) -> np.ndarray:
        """(P, S) bool: the participant has this session."""
        return np.array([[s < len(ses) for s in range(self.n_sessions)] for ses in self.sessions],
                        dtype=bool).reshape(len(self.participants), self.n_sessions)

    def instrument_index(self, name: str) -> int:
        """Column of ``name`` in ``values``; a :class:`ConfigError` naming the known ones."""
        if name not in self.instruments:
            raise ConfigError(f"outcome '{name}' is not in the data (instruments: "
                              f"{self.instruments})", source=self.source, field="data.outcomes",
                              fix=f"name outcomes among {self.instruments}")
        return self.instruments.index(name)

    def select(self, outcomes: Sequence[str] | None) -> "OutcomeTable":
        """The same table with only ``outcomes`` (in that order); None keeps all."""
        if outcomes is None:
            return self
        names = [str(o) for o in outcomes]
        if not names:
            raise ConfigError("no outcome named", source=self.source, field="data.outcomes",
                              fix=f"name outcomes among {self.instruments}, or null for all")
        cols = [self.instrument_index(o) for o in names]
        return OutcomeTable(self.participants, self.sessions, names, self.values[..., cols],
                            self.times, self.time_unit, self.time_source, self.covariates,
                            {o: self.info.get(o, Instrument(o)) for o in names}, self.files,
                            self.rows, self.source, self.synthetic)

    def check_sessions(self, observed_sessions: int) -> None:
        """Every participant has at least ``observed_sessions`` sessions, else an error
        naming the participant's file and the sessions it holds."""
        for pid, ses, f in zip(self.participants, self.sessions,
                               self.files or [self.source] * len(self.participants)):
            if len(ses) < observed_sessions:
                raise ReaderError(
                    f"participant {pid} has {len(ses)} session(s) {ses} but the forecast sees "
                    f"{observed_sessions} (data.module.observed_sessions)", source=f,
                    field="session_id",
                    fix=f"lower data.module.observed_sessions to {max(len(ses), 1)}, or remove "
                        f"sub-{pid} from participants.tsv")


def read_outcomes(path: str | Path, time_column: str | None = None) -> OutcomeTable:
    """Read longitudinal outcomes from a BIDS-style folder or a long table.

    Parameters
    ----------
    path : str or Path
        A ``.tsv``/``.csv`` long table; a folder holding ``outcomes.tsv``/``outcomes.csv``
        (read as that long table, with the folder's ``participants.tsv`` as covariates);
        or a folder with ``participants.tsv`` and ``sub-*/sub-*_sessions.tsv`` (BIDS-style).
    time_column : str, optional
        Column holding the session time. Default: ``acq_time`` (ISO date-time, converted
        to weeks since the first session) if present, else a numeric ``weeks`` column, else
        the session order.

    Returns
    -------
    OutcomeTable
    """
    from lbpnet.recording.outcomes_bids import read_outcomes_bids
    from lbpnet.recording.outcomes_long import read_outcomes_long

    p = Path(path).expanduser()
    if p.is_dir():
        for name in ("outcomes.tsv", "outcomes.csv"):
            if (p / name).is_file():
                return read_outcomes_long(p / name, time_column)
        if (p / "participants.tsv").is_file():
            return read_outcomes_bids(p, time_column)
        raise ReaderError("folder holds neither participants.tsv (BIDS-style outcomes) nor "
                          "outcomes.tsv/.csv (a long table)", source=str(p), field="data.root",
                          fix="point data.root at an outcome folder or a long table")
    if p.is_file():
        return read_outcomes_long(p, time_column)
    raise ReaderError("no such file or folder", source=str(p), field="data.root",
                      fix="check the path")
