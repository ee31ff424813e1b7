"""The trajectory task on named outcomes: an :class:`~lbpnet.recording.outcomes.OutcomeTable`
as the task's session table, and as one placeholder recording per session for the splitters.

``outcome_source`` is what ``conf/data/outcomes.yaml`` instantiates: a data root (BIDS-style
folder or long table) or one of the packaged REAL trials (``dataset=arthritis|epilepsy``,
:mod:`lbpnet.datasets.rdatasets`).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from lbpnet.errors import ConfigError
from lbpnet.recording.annotations import Annotations
from lbpnet.recording.outcomes import OutcomeTable, read_outcomes
from lbpnet.recording.recording import Recording
from lbpnet.tasks.trajectory_sequences import SessionTable


def outcome_source(root: str | None = None, dataset: str | None = None,
                   time_column: str | None = None) -> OutcomeTable:
    """The outcome table of ``root`` (preferred) or of the packaged trial ``dataset``.

    Parameters
    ----------
    root : str, optional
        BIDS-style outcome folder or long table (``data.root``).
    dataset : {"arthritis", "epilepsy"}, optional
        A REAL rdatasets trial, written once into the lbpnet cache (``data.dataset``).
    time_column : str, optional
        ``data.time_column`` (default: ``acq_time`` → weeks, else ``weeks``, else order).
    """
    if root is None:
        if dataset is None:
            raise ConfigError("no outcome data named", field="data.root",
                              fix="give data.root=PATH (an outcome folder or long table) or "
                                  "data.dataset=arthritis|epilepsy")
        from lbpnet.datasets.rdatasets import load_outcome_folder
        root = str(load_outcome_folder(str(dataset)))
    return read_outcomes(root, time_column)


def table_recordings(table: OutcomeTable) -> list[Recording]:
    """One stream-less :class:`Recording` per participant-session (subject, session,
    source file, ``metadata["outcomes"]``), so the subject splitters and the leakage
    check of :mod:`lbpnet.windows.splits` apply unchanged."""
    recs = []
    for p, (pid, ses) in enumerate(zip(table.participants, table.sessions)):
        covs = {k: v[p] for k, v in table.covariates.items()}
        for s, label in enumerate(ses):
            recs.append(Recording(streams={}, annotations=Annotations(), subject=pid,
                                  session=label, source=table.files[p] if table.files
                                  else table.source, metadata={
                                      "outcomes": dict(zip(table.instruments,
                                                           table.values[p, s].tolist())),
                                      "session_week": float(table.times[p, s]),
                                      "participant": covs, "synthetic": table.synthetic}))
    return recs


def covariate_matrix(table: OutcomeTable, names: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """(P, C) covariates as numbers: numeric columns as they are (NaN for ``n/a``),
    text columns one-hot per level (levels sorted; ``<name>=<level>``)."""
    cols, labels = [], []
    for name in names:
        if name not in table.covariates:
            raise ConfigError(f"covariate '{name}' is not a participants.tsv column "
                              f"(columns: {sorted(table.covariates)})", source=table.source,
                              field="data.covariates",
                              fix=f"name covariates among {sorted(table.covariates)}")
        v = table.covariates[name]
        if all(x is None or isinstance(x, float) for x in v):
            cols.append(np.array([np.nan if x is None else x for x in v], dtype=float))
            labels.append(name)
            continue
        for level in sorted({str(x) for x in v if x is not None}):
            cols.append(np.array([np.nan if x is None else float(str(x) == level) for x in v]))
            labels.append(f"{name}={level}")
    P = len(table.participants)
    return (np.stack(cols, 1) if cols else np.zeros((P, 0))), labels


def session_table_of(table: OutcomeTable, covariates: Sequence[str] = ()) -> SessionTable:
    """The task's :class:`SessionTable` of an outcome table: no sensor measures, the
    table's instruments as the outcomes, ``days`` = 7 × weeks, covariates as numbers."""
    P, S = len(table.participants), table.n_sessions
    cov, names = covariate_matrix(table, covariates)
    return SessionTable(list(table.participants), [], np.zeros((P, S, 0)), table.values.copy(),
                        table.times * 7.0, table.present, outcomes=tuple(table.instruments),
                        covariates=cov, covariate_names=names)
