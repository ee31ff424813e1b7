"""The FHIR ``Provenance`` of an export, and the audit entry it names.

One ``Provenance`` per bundle targets every derived resource (measures, findings, flags,
waveform excerpts). Its agent is the model ``Device`` (checkpoint SHA-256, registry version
if one was given, lbpnet version); its entities are the checkpoint, the run's
``config.yaml`` and, when the audit log holds one, the ``lbpnet-train`` entry of the run
(sequence number and entry hash). ``recorded`` — a FHIR requirement — is the time of the
export (UTC), not a time of the patient's recordings.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from lbpnet.reports import fhir_codes as codes
from lbpnet.reports.fhir_subject import ref, resource_id


def find_audit_entry(log_path: str | Path | None, run_dir: Path,
                     checkpoint_sha256: str | None) -> dict | None:
    """The entry of a JSON-lines audit log (:mod:`lbpnet.audit.log`) that wrote the
    checkpoint (its hash among the outputs; the last such), else the last entry with an
    output under ``run_dir``; None when there is none.

    Read tolerantly: a missing log, an unreadable line or an entry of another shape is
    skipped (``lbpnet-audit verify`` is where the chain is checked)."""
    if not log_path or not Path(log_path).is_file():
        return None
    root = str(Path(run_dir).resolve())
    found, trained = None, None
    for line in Path(log_path).read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(entry, dict):
            continue
        files = [f for f in (entry.get("outputs") or []) if isinstance(f, dict)]
        if checkpoint_sha256 and any(f.get("sha256") == checkpoint_sha256 for f in files):
            trained = entry
        elif any(str(f.get("path", "")).startswith(root) for f in files):
            found = entry
    found = trained or found          # the entry that wrote the checkpoint, else the last
    if found is None:
        return None
    return {"seq": found.get("seq"), "hash": found.get("hash") or found.get("entry_hash"),
            "command": found.get("command"), "log": str(log_path)}


def make_provenance(bundle_key: str, targets: list, model_device_id: str, checkpoint: dict,
                    config_sha256: str | None, audit: dict | None,
                    registry_version: str | None, recorded: datetime | None = None):
    """A ``Provenance`` linking ``targets`` (references) to the model and the audit entry."""
    from fhir.resources.R4B.provenance import Provenance

    entities = [{"role": "source", "what": {
        "identifier": {"system": f"{codes.BASE}/sid/checkpoint-sha256",
                       "value": checkpoint["sha256"]},
        "display": f"checkpoint {checkpoint.get('name', '')}".strip()}}]
    if config_sha256:
        entities.append({"role": "source", "what": {
            "identifier": {"system": f"{codes.BASE}/sid/config-sha256", "value": config_sha256},
            "display": "the run's config.yaml"}})
    if registry_version:
        entities.append({"role": "source", "what": {
            "identifier": {"system": f"{codes.BASE}/sid/model-registry",
                           "value": registry_version}, "display": "model registry version"}})
    if audit and audit.get("hash"):
        entities.append({"role": "source", "what": {
            "identifier": {"system": f"{codes.BASE}/sid/audit-entry", "value": audit["hash"]},
            "display": f"audit entry {audit.get('seq')} ({audit.get('command')})"}})
    recorded = recorded or datetime.now(timezone.utc)
    return Provenance.model_validate({
        "id": resource_id("provenance", bundle_key, checkpoint["sha256"]),
        "target": targets or [ref("Device", model_device_id)],
        "recorded": recorded.isoformat(timespec="seconds"),
        "activity": {"coding": [{"system": codes.PROVENANCE_ACTIVITY, "code": "CREATE",
                                 "display": "create"}],
                     "text": "derived by lbpnet (research decision support, not a diagnosis)"},
        "agent": [{"type": {"coding": [{"system": codes.PROVENANCE_AGENT, "code": "assembler",
                                        "display": "Assembler"}]},
                   "who": ref("Device", model_device_id, "trained lbpnet model")}],
        "entity": entities})
