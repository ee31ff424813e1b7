"""Tolerant reading of monitoring summaries for the FHIR export.

``lbpnet-monitor`` writes ``<run_dir>/monitoring/<name>/monitoring.json``. The export
reads only what it needs and ignores every other key, so that the two can evolve apart::

    {"rule_set": {"id": "...", "version": "..."},          # optional defaults for flags
     "flags": [{"subject": "P003",                           # or "patient"
                "rule_id": "non_response_early",             # or "rule" / "rule": {"id", "version"}
                "rule_version": "1",                         # or "version"
                "status": "active",                          # active | inactive (default active)
                "severity": "high",                          # or "level"; optional
                "message": "ODI improved 2 points ...",      # or "text" / "reason"; optional
                "session": "3",                              # optional
                "evidence": {...} or [...],                  # optional, kept as JSON text
                "uncertainty": {...}, "action": "...",       # optional, kept
                "rule_set": "...", "rule_set_version": "..."}],   # optional
     "forecasts": [{"subject": "P003", "outcome": "odi",     # or "name"
                    "value": 31.0,                           # or "median" / "estimate"
                    "lower": 24.0, "upper": 39.0,            # the interval, optional
                    "level": 0.8, "session": "4",            # or "horizon_session"
                    "made_at_session": "2",                  # optional: sessions seen
                    "unit": "{score}", "calibrated": true, "model_version": "..."}]}

(the field names of :class:`lbpnet.monitoring.rule_engine.Flag` / ``Forecast`` are read).

``patients`` may also hold ``{subject: {"flags": [...], "forecasts": [...]}}``. A file that
is not JSON, a flag without a subject or rule id, or a forecast without a number is a
:class:`~lbpnet.errors.ReaderError` naming the file, the entry and the field.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from lbpnet.errors import ReaderError

FIX = "rewrite it with lbpnet-monitor, or correct the entry (see lbpnet/reports/fhir_monitoring.py)"


def _first(entry: dict, *keys):
    for k in keys:
        if entry.get(k) not in (None, ""):
            return entry[k]
    return None


def _flag(entry, where: str, source: str, defaults: dict, subject=None) -> dict:
    if not isinstance(entry, dict):
        raise ReaderError("a flag is not a JSON object", source=source, field=where, fix=FIX)
    subject = _first(entry, "subject", "patient", "subject_id") or subject
    rule = entry.get("rule")
    rule_id = _first(entry, "rule_id") or (rule.get("id") if isinstance(rule, dict) else rule) \
        or defaults.get("id")
    version = _first(entry, "rule_version", "version") or (
        rule.get("version") if isinstance(rule, dict) else None) or defaults.get("version")
    for value, field in ((subject, "subject"), (rule_id, "rule_id")):
        if value in (None, ""):
            raise ReaderError(f"the flag has no {field}", source=source, field=f"{where}.{field}",
                              fix=FIX)
    status = str(entry.get("status") or "active").lower()
    if status not in ("active", "inactive"):
        raise ReaderError(f"flag status '{status}' is neither active nor inactive",
                          source=source, field=f"{where}.status", fix=FIX)
    return {"subject": str(subject), "rule_id": str(rule_id),
            "rule_version": None if version is None else str(version), "status": status,
            "severity": _first(entry, "severity", "level"),
            "message": _first(entry, "message", "text", "reason", "description"),
            "session": None if entry.get("session") is None else str(entry["session"]),
            "evidence": entry.get("evidence"), "uncertainty": entry.get("uncertainty"),
            "action": entry.get("action"),
            "rule_set": _first(entry, "rule_set") or defaults.get("id"),
            "rule_set_version": _first(entry, "rule_set_version") or defaults.get("version")}


def _number(value, field: str, source: str, required: bool = False):
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ReaderError(f"'{value}' is not a finite number", source=source, field=field, fix=FIX)
    return float(value)


def _forecast(entry, where: str, source: str, subject=None) -> dict:
    if not isinstance(entry, dict):
        raise ReaderError("a forecast is not a JSON object", source=source, field=where, fix=FIX)
    subject = _first(entry, "subject", "patient", "subject_id") or subject
    outcome = _first(entry, "outcome", "name", "target")
    if subject in (None, "") or outcome in (None, ""):
        raise ReaderError("the forecast needs a subject and an outcome", source=source,
                          field=where, fix=FIX)
    value = _number(_first(entry, "value", "median", "estimate"), f"{where}.value", source,
                    required=True)
    lower = _number(entry.get("lower"), f"{where}.lower", source)
    upper = _number(entry.get("upper"), f"{where}.upper", source)
    if lower is not None and upper is not None and lower > upper:
        raise ReaderError(f"lower {lower} > upper {upper}", source=source, field=where, fix=FIX)
    return {"subject": str(subject), "outcome": str(outcome), "value": value, "lower": lower,
            "upper": upper, "level": _number(entry.get("level"), f"{where}.level", source),
            "session": None if _first(entry, "session", "horizon_session") is None
            else str(_first(entry, "session", "horizon_session")),
            "made_at_session": None if entry.get("made_at_session") is None
            else str(entry["made_at_session"]),
            "unit": entry.get("unit"), "calibrated": entry.get("calibrated"),
            "model_version": entry.get("model_version")}


def read_monitoring(path: str | Path) -> dict:
    """``{"flags": [...], "forecasts": [...]}`` of one ``monitoring.json`` (normalised as in
    the module docstring), each item with its ``source`` file."""
    path = Path(path)
    source = str(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ReaderError(f"cannot read the monitoring summary ({type(err).__name__}: {err})",
                          source=source, fix=FIX) from err
    if not isinstance(doc, dict):
        raise ReaderError("the monitoring summary is not a JSON object", source=source, fix=FIX)
    defaults = doc.get("rule_set") if isinstance(doc.get("rule_set"), dict) else {}
    flags, forecasts = [], []
    for key, sink, make in (("flags", flags, _flag), ("forecasts", forecasts, _forecast)):
        items = doc.get(key) or []
        if not isinstance(items, list):
            raise ReaderError(f"'{key}' is not a list", source=source, field=key, fix=FIX)
        for i, e in enumerate(items):
            args = (defaults,) if make is _flag else ()
            sink.append(make(e, f"{key}[{i}]", source, *args))
    patients = doc.get("patients") or {}
    if not isinstance(patients, dict):
        raise ReaderError("'patients' is not an object keyed by subject", source=source,
                          field="patients", fix=FIX)
    for subject, block in patients.items():
        block = block if isinstance(block, dict) else {}
        for i, e in enumerate(block.get("flags") or []):
            flags.append(_flag(e, f"patients.{subject}.flags[{i}]", source, defaults, subject))
        for i, e in enumerate(block.get("forecasts") or []):
            forecasts.append(_forecast(e, f"patients.{subject}.forecasts[{i}]", source, subject))
    for item in flags + forecasts:
        item["source"] = source
    return {"flags": flags, "forecasts": forecasts}


def read_monitoring_folder(run_dir: str | Path) -> dict:
    """All ``<run_dir>/monitoring/*/monitoring.json`` merged (none: empty lists)."""
    merged = {"flags": [], "forecasts": []}
    for path in sorted(Path(run_dir).glob("monitoring/*/monitoring.json")):
        part = read_monitoring(path)
        for k in merged:
            merged[k].extend(part[k])
    return merged
