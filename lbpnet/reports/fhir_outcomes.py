"""Trajectory runs in the FHIR export: an :class:`~lbpnet.recording.outcomes.OutcomeTable`
as sessions, and the code, display and unit of each outcome instrument.

A trajectory run on named outcomes (``experiment=pro_trajectory``: a BIDS-style outcome
folder, a long table, or a packaged REAL trial) has no sensor recordings: its data source
returns an ``OutcomeTable``. :func:`table_sessions` turns it into one stream-less
``Recording`` per participant-session (``metadata["outcomes"]``, the session's time), so
the bundle builder writes one PRO ``Observation`` per instrument and session.

Codes (:func:`outcome_code`): ODI and pain NRS take their LOINC codes
(:data:`lbpnet.reports.fhir_codes.OUTCOME_CODES`); any other instrument is coded in lbpnet's
outcome code system by its column name, displayed with the sidecar's ``LongName`` and
given the sidecar's ``Units`` (as UCUM where the unit is one, else a UCUM annotation
``{...}`` that keeps the text).
"""

from __future__ import annotations

from lbpnet.reports import fhir_codes as codes


def is_outcome_table(source) -> bool:
    """True when a data source returned an ``OutcomeTable`` (a trajectory run on named
    outcomes) rather than a list of recordings."""
    from lbpnet.recording.outcomes import OutcomeTable

    return isinstance(source, OutcomeTable)


def table_sessions(table) -> list:
    """One stream-less ``Recording`` per participant-session of ``table``.

    Parameters
    ----------
    table : OutcomeTable
        ``P`` participants × ``S`` sessions × ``I`` instruments.

    Returns
    -------
    list of Recording
        In participant then session order; ``metadata`` holds ``outcomes``
        (instrument → score, NaN where missing), ``synthetic`` and the session's time:
        ``session_week`` (weeks since the participant's first session) when the table's
        ``time_unit`` is weeks, else ``session_index`` (0, 1, 2, … in session order).
    """
    from lbpnet.tasks.trajectory_table import table_recordings

    recs = table_recordings(table)
    if table.time_unit != "weeks":
        for rec in recs:
            rec.metadata["session_index"] = rec.metadata.pop("session_week", None)
    return recs


def outcome_code(name: str, instruments: dict | None = None) -> tuple:
    """``(system, code, display, unit quantity fields)`` of one outcome instrument.

    Parameters
    ----------
    name : str
        The instrument's column name (``odi``, ``nrs``, ``self_assessment``…).
    instruments : dict of str to Instrument, optional
        The table's sidecar meaning of each instrument (``long_name``, ``units``).

    Returns
    -------
    tuple
        ``(system, code, display, unit)`` where ``unit`` is ``{"unit": text, "system":
        UCUM, "code": UCUM code}`` for a ``Quantity``.
    """
    info = (instruments or {}).get(name)
    known = codes.OUTCOME_CODES.get(str(name).lower())
    if known is not None:
        system, code, display, ucum_code = known
        return system, code, display, {"unit": ucum_code, "system": codes.UCUM,
                                       "code": ucum_code}
    long_name = getattr(info, "long_name", None)
    units = getattr(info, "units", None)
    display = f"{long_name} ({name})" if long_name else f"{name} (outcome instrument)"
    ucum_code = codes.ucum(units) if units else "{score}"
    return (codes.OUTCOMES, str(name), display,
            {"unit": str(units) if units else ucum_code, "system": codes.UCUM,
             "code": ucum_code})
