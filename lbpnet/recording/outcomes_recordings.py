"""Outcomes and sensor recordings of the same sessions: the join keys, both ways.

- :func:`outcome_table_of` expresses recordings that carry their outcomes in
  ``metadata["outcomes"]`` (the LBP cohort simulator: ODI, pain NRS) as an
  :class:`~lbpnet.recording.outcomes.OutcomeTable`;
- :func:`join_recordings` pairs an outcome folder's sessions with the sensor recordings the
  BIDS reader (:func:`lbpnet.recording.bids.read_bids`) found in ``sub-<id>/ses-<x>/…``.

The join key is ``(participant, session)``: ``Recording.subject`` / ``Recording.session``
(BIDS labels without ``sub-``/``ses-``) against ``OutcomeTable.participants`` /
``OutcomeTable.sessions``.
"""

from __future__ import annotations

import numpy as np

from lbpnet.errors import ReaderError
from lbpnet.recording.outcomes import Instrument, OutcomeTable
from lbpnet.recording.recording import Recording

#: meaning of the simulator's outcomes (ODI MIC: Ostelo et al., Spine 2008;33:90-94)
SIMULATED_INFO = {
    "odi": Instrument("odi", "Oswestry Disability Index", "points 0-100", None, True, 10.0, 0.30),
    "nrs": Instrument("nrs", "pain numeric rating scale", "points 0-10", None, True, 2.0, 0.30),
}


def outcome_table_of(recordings: list[Recording], outcomes=("odi", "nrs")) -> OutcomeTable:
    """One :class:`OutcomeTable` from recordings with ``metadata["outcomes"]`` and
    ``metadata["session_day"]`` (days; sessions ordered by it). Times in weeks.

    Parameters
    ----------
    recordings : list of Recording
        One per participant-session (more per session: the first is used).
    outcomes : sequence of str
        Keys of ``metadata["outcomes"]`` to keep (None values are missing reports).
    """
    per: dict[str, dict[str, tuple[float, list[float]]]] = {}
    for r in recordings:
        out = r.metadata.get("outcomes")
        if not isinstance(out, dict) or any(o not in out for o in outcomes):
            raise ReaderError(f"recording carries no outcomes {list(outcomes)} "
                              "(metadata['outcomes'])", source=r.source, field="metadata.outcomes",
                              fix="use a cohort with outcomes per session (the LBP simulator)")
        day = r.metadata.get("session_day")
        vals = [np.nan if out[o] is None else float(out[o]) for o in outcomes]
        per.setdefault(r.subject, {}).setdefault(
            str(r.session), (np.inf if day is None else float(day), vals))
    pids = sorted(per)
    order = [sorted(per[p], key=lambda s: (per[p][s][0], s)) for p in pids]
    S, I = max(len(o) for o in order), len(outcomes)
    values, times = np.full((len(pids), S, I), np.nan), np.full((len(pids), S), np.nan)
    for i, (pid, ses) in enumerate(zip(pids, order)):
        day0 = per[pid][ses[0]][0]
        for s, label in enumerate(ses):
            day, vals = per[pid][label]
            values[i, s], times[i, s] = vals, (day - day0) / 7.0
    synthetic = any(r.metadata.get("synthetic", False) for r in recordings)
    return OutcomeTable(pids, order, list(outcomes), values, times, "weeks", "session_day",
                        {}, {o: SIMULATED_INFO.get(o, Instrument(o)) for o in outcomes},
                        [recordings[0].source] * len(pids), None, "recordings", synthetic)


def join_recordings(table: OutcomeTable,
                    recordings: list[Recording]) -> dict[tuple[str, str], list[Recording]]:
    """Sensor recordings of each outcome session: ``{(participant, session): [Recording…]}``.

    Every recording must belong to a session of ``table`` (else a :class:`ReaderError`
    naming the recording's file and the sessions known for its participant); sessions
    without recordings are absent from the result.
    """
    known = {(p, s) for p, ses in zip(table.participants, table.sessions) for s in ses}
    joined: dict[tuple[str, str], list[Recording]] = {}
    for r in recordings:
        key = (str(r.subject), str(r.session))
        if key not in known:
            listed = next((ses for p, ses in zip(table.participants, table.sessions)
                           if p == key[0]), None)
            raise ReaderError(f"recording of sub-{key[0]} ses-{key[1]} has no row in the "
                              f"outcomes (sessions listed: {listed})", source=r.source,
                              field="session_id",
                              fix=f"add ses-{key[1]} to sub-{key[0]}_sessions.tsv")
        joined.setdefault(key, []).append(r)
    return joined
