"""Write an :class:`~lbpnet.recording.outcomes.OutcomeTable` as a BIDS-style outcome folder.

The inverse of :func:`lbpnet.recording.outcomes_bids.read_outcomes_bids`: ``participants.tsv``
(+ ``participants.json``), ``sessions.json`` at the root, ``dataset_description.json``, and
``sub-<id>/sub-<id>_sessions.tsv`` with ``session_id``, ``weeks`` (when the table has
times in weeks) and one column per instrument (``n/a`` where missing). Every file is
written atomically (temporary file, then rename).
"""

from __future__ import annotations

import math
from pathlib import Path

from lbpnet.atomic import atomic_write_json, atomic_write_text
from lbpnet.recording.outcomes import OutcomeTable
from lbpnet.recording.outcomes_sidecar import SIDECAR_KEYS


def _cell(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    if isinstance(v, float):
        return f"{v:.6g}" if not v.is_integer() else str(int(v))
    return str(v)


def write_outcomes_bids(table: OutcomeTable, root: str | Path,
                        participants_json: dict | None = None,
                        description: dict | None = None) -> Path:
    """Write ``table`` into the folder ``root`` (created; existing files replaced).

    Parameters
    ----------
    table : OutcomeTable
    root : str or Path
    participants_json : dict, optional
        Meaning of the covariate columns (``{column: {"Description": …, "Levels": …}}``).
    description : dict, optional
        ``dataset_description.json`` (``Name``, ``License``, ``ReferencesAndLinks``…);
        ``GeneratedBy`` lbpnet and ``lbpnet.synthetic`` (from the table) are added.

    Returns
    -------
    Path
        ``root``.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    covs = list(table.covariates)
    lines = ["\t".join(["participant_id", *covs])]
    for p, pid in enumerate(table.participants):
        lines.append("\t".join([f"sub-{pid}", *(_cell(table.covariates[c][p]) for c in covs)]))
    atomic_write_text(root / "participants.tsv", "\n".join(lines) + "\n")
    if participants_json:
        atomic_write_json(root / "participants.json", participants_json)
    sidecar = {}
    for name in table.instruments:
        info = table.info.get(name)
        keys = {key: getattr(info, attr) for key, attr in SIDECAR_KEYS.items()
                if info is not None and getattr(info, attr) is not None}
        sidecar[name] = keys
    with_time = table.time_unit == "weeks"
    if with_time:
        sidecar["weeks"] = {"LongName": "time since the participant's first session",
                            "Units": "weeks"}
    atomic_write_json(root / "sessions.json", sidecar)
    desc = {"Name": "outcomes", "BIDSVersion": "1.9.0", **(description or {}),
            "GeneratedBy": [{"Name": "lbpnet"}]}
    desc["lbpnet"] = {"synthetic": bool(table.synthetic), **desc.get("lbpnet", {})}
    atomic_write_json(root / "dataset_description.json", desc)
    header = ["session_id", *(["weeks"] if with_time else []), *table.instruments]
    for p, pid in enumerate(table.participants):
        rows = ["\t".join(header)]
        for s, ses in enumerate(table.sessions[p]):
            cells = [f"ses-{ses}"]
            if with_time:
                cells.append(_cell(round(float(table.times[p, s]), 4)))
            cells += [_cell(float(v)) for v in table.values[p, s]]
            rows.append("\t".join(cells))
        atomic_write_text(root / f"sub-{pid}" / f"sub-{pid}_sessions.tsv", "\n".join(rows) + "\n")
    return root
