"""Fixtures that write real EDF+/BDF+ files and small BIDS folders (test helpers only)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pyedflib
import pytest


def write_edf(path, signals, file_type="edf", annotations=(), patient_code="", duration_s=None):
    """Write ``signals`` = list of (label, rate Hz, unit, values, transducer) to ``path``.

    ``annotations`` = iterable of (onset s, duration s or -1, text).
    """
    path = Path(path)
    plus = {"edf": pyedflib.FILETYPE_EDFPLUS, "bdf": pyedflib.FILETYPE_BDFPLUS,
            "edf0": pyedflib.FILETYPE_EDF}[file_type]
    bdf = file_type == "bdf"
    writer = pyedflib.EdfWriter(str(path), len(signals), file_type=plus)
    headers = []
    for label, rate, unit, values, transducer in signals:
        values = np.asarray(values, dtype=float)
        bound = max(1.0, float(np.ceil(np.abs(values).max() * 1.1)))
        headers.append(dict(label=label, dimension=unit, sample_frequency=rate,
                            physical_max=bound, physical_min=-bound,
                            digital_max=8388607 if bdf else 32767,
                            digital_min=-8388608 if bdf else -32768,
                            transducer=transducer, prefilter=""))
    writer.setSignalHeaders(headers)
    if patient_code:
        writer.setPatientCode(patient_code)
    writer.writeSamples([np.asarray(s[3], dtype=float) for s in signals])
    for onset, duration, text in annotations:
        writer.writeAnnotation(onset, duration, text)
    writer.close()
    return path


def write_tsv(path, rows, header=None, gz=False):
    """Write rows (lists) as a tab-separated file, optionally with a header and gzip."""
    lines = []
    if header is not None:
        lines.append("\t".join(header))
    lines += ["\t".join(str(v) for v in row) for row in rows]
    text = "\n".join(lines) + "\n"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if gz:
        with gzip.open(path, "wt") as handle:
            handle.write(text)
    else:
        path.write_text(text)
    return path


def write_json(path, content):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content))
    return path


def write_bids_motion(folder, prefix, data, rate, channels, start_time=None, sidecar=None):
    """``channels`` = list of (name, type, units); writes _motion.tsv/.json/_channels.tsv."""
    folder = Path(folder)
    write_tsv(folder / f"{prefix}_motion.tsv", np.asarray(data).tolist())
    meta = {"SamplingFrequency": rate} if sidecar is None else dict(sidecar)
    if start_time is not None:
        meta["StartTime"] = start_time
    write_json(folder / f"{prefix}_motion.json", meta)
    write_tsv(folder / f"{prefix}_channels.tsv", channels, header=["name", "type", "units"])


def write_bids_physio(folder, prefix, data, rate, columns, start_time=0.0, units=None):
    folder = Path(folder)
    write_tsv(folder / f"{prefix}_physio.tsv.gz", np.asarray(data).tolist(), gz=True)
    meta = {"SamplingFrequency": rate, "StartTime": start_time, "Columns": list(columns)}
    for col, unit in (units or {}).items():
        meta[col] = {"Units": unit}
    write_json(folder / f"{prefix}_physio.json", meta)


def write_bids_events(folder, prefix, events, header=("onset", "duration", "trial_type")):
    write_tsv(Path(folder) / f"{prefix}_events.tsv", events, header=list(header))


@pytest.fixture
def files():
    """The writers above, as a fixture (test modules never import conftest)."""
    return SimpleNamespace(edf=write_edf, tsv=write_tsv, json=write_json,
                           motion=write_bids_motion, physio=write_bids_physio,
                           events=write_bids_events)
