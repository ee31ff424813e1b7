"""No identifier or date of an EDF+ header leaves lbpnet: train -> explain -> report on EDF+
files whose headers hold hospital record numbers, a start date, a name, a birth date, a
technician and an equipment serial; every file (and file name) written is searched."""

from __future__ import annotations

import datetime
import gzip
import io
import json
import os
import zipfile
from pathlib import Path

import numpy as np
import pyedflib
import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

from lbpnet.cli.compose import compose_train_config
from lbpnet.cli.config_path import CONFIG_DIR
from lbpnet.cli.explain import explain
from lbpnet.cli.report import report
from lbpnet.cli.train import train
from lbpnet.recording.folders import load_edf_folder
from lbpnet.recording.pseudonym import pseudonym
from lbpnet.recording.store import write_recording

CODES = [f"MRN-004821{i}" for i in range(3, 8)]
START = datetime.datetime(2003, 7, 19, 11, 22, 33)
BIRTH = datetime.date(1961, 2, 27)
# every way a code, the start date-time or another header field could be written
SECRETS = [*CODES, *(c.split("-")[1] for c in CODES),
           "2003-07-19", "20030719", "19.07.03", "19.07.2003", "19-jul-2003", "19/07/2003",
           "07/19/2003", "2003/07/19", "jul 19", "19 jul", "11:22:33", "11.22.33", "1058613753",
           "1961-02-27", "19610227", "27.02.61", "27-feb-1961", "27/02/1961",
           "Jane_Doe", "Smithers", "TechnicianQuill", "EquipSerial-77Q", "ADM-55512"]
TRAIN = ["window=default", "split=holdout", "preprocess=none", "model=cnn",
         "task.augment.triples=null",              # HAPT's 12-channel rotation groups (item 9)
         "trainer.max_epochs=1", "+trainer.limit_train_batches=2", "logger=csv",
         "trainer.accelerator=cpu"]


def write_identified_edf(path: Path, code: str, seed: int) -> Path:
    """60 s of 3-axis acceleration at 50 Hz, 10 s walk/stand blocks as EDF+ annotations."""
    rng = np.random.default_rng(seed)
    t = np.arange(60 * 50) / 50.0
    walk = (t // 10) % 2 == 0
    signals = [np.where(walk, np.sin(2 * np.pi * 2 * t + k), 0.1 * np.sin(0.4 * np.pi * t))
               + 0.05 * rng.standard_normal(t.size) for k in range(3)]
    writer = pyedflib.EdfWriter(str(path), 3, file_type=pyedflib.FILETYPE_EDFPLUS)
    writer.setSignalHeaders([dict(label=f"ACC {axis}", dimension="g", sample_frequency=50,
                                  physical_max=3, physical_min=-3, digital_max=32767,
                                  digital_min=-32768, transducer="accelerometer", prefilter="")
                             for axis in "XYZ"])
    writer.setPatientCode(code)
    writer.setPatientName("Jane_Doe_Smithers")
    writer.setBirthdate(BIRTH)
    writer.setTechnician("TechnicianQuill")
    writer.setEquipment("EquipSerial-77Q")
    writer.setAdmincode("ADM-55512")
    writer.setStartdatetime(START)
    writer.writeSamples(signals)
    for k in range(6):
        writer.writeAnnotation(10.0 * k, 10.0, "walk" if k % 2 == 0 else "stand")
    writer.close()
    return path


def _contents(path: Path):
    """The bytes of a file, and of every member of a zip (checkpoints, .npz) or gzip."""
    data = path.read_bytes()
    yield data
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                yield name.encode()
                yield archive.read(name)
    elif data[:2] == b"\x1f\x8b":
        yield gzip.decompress(data)


def leaks(folder: Path) -> dict[str, list[str]]:
    """``{file (relative): [secrets found in its name or contents]}`` below ``folder``."""
    found = {}
    for path in sorted(p for p in folder.rglob("*")):
        rel = str(path.relative_to(folder))
        hits = {s for s in SECRETS if s.lower() in rel.lower()}
        if path.is_file():
            for blob in _contents(path):
                low = blob.lower()
                hits |= {s for s in SECRETS if s.lower().encode() in low}
        if hits:
            found[rel] = sorted(hits)
    return found


def _compose(name, *overrides):
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose(name, overrides=list(overrides))


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """Train, explain and report on five identified EDF+ files; the folder of every output."""
    root = tmp_path_factory.mktemp("privacy")
    edf = root / "edf"
    edf.mkdir()
    for i, code in enumerate(CODES):
        write_identified_edf(edf / f"night{i}.edf", code, seed=i)
    out = root / "out"
    out.mkdir()
    old = os.getcwd()
    os.chdir(out)
    try:
        train(compose_train_config(["data=edf", f"data.root={edf}", *TRAIN], out / "run", out))
        GlobalHydra.instance().clear()
        explain(_compose("explain", f"run_dir={out / 'run'}", "max_windows=8",
                         "segments.n_segments=2"))
        report(_compose("report", f"run_dir={out / 'run'}", f"output_dir={out / 'report'}",
                        "max_windows_per_session=3", "n_detail=1", "explain.n_samples=4",
                        "explain.batch_size=16"))
        for rec in load_edf_folder(edf):
            write_recording(rec, out / "store" / f"{rec.key}.lbp")
    finally:
        os.chdir(old)
        GlobalHydra.instance().clear()
    return edf, out


def test_the_search_finds_what_the_headers_hold(outputs):
    edf, out = outputs
    in_header = leaks(edf)["night0.edf"]
    assert {"MRN-0048213", "Jane_Doe", "19.07.03", "11.22.33", "EquipSerial-77Q"} <= set(in_header)
    metrics = json.loads((out / "run" / "metrics.json").read_text())
    subjects = {s for side in metrics["split"].values() if isinstance(side, dict)
                for s in side.get("subjects", [])}
    assert subjects == {pseudonym(code) for code in CODES}


def test_no_output_of_train_explain_report_or_the_store_holds_a_code_or_date(outputs):
    _, out = outputs
    written = [p for p in out.rglob("*") if p.is_file()]
    names = {p.name for p in written}
    assert {"metrics.json", "config.yaml", "report.json", "manifest.json", "index.html",
            "recording.json"} <= names and any(n.endswith(".ckpt") for n in names)
    assert any(n.startswith(f"sub-{pseudonym(CODES[0])}") for n in
               {p.name for p in out.rglob("*")})
    assert leaks(out) == {}


def test_no_fhir_bundle_holds_a_code_or_date_unless_dates_were_asked_for(outputs, tmp_path):
    """``lbpnet-export fhir`` of the identified EDF+ run (with a waveform excerpt): no code,
    name or date in any bundle; with ``keep_dates=true`` the start date is there (and only
    then, and only the date), so the search does see into the bundles."""
    from lbpnet.cli.export import export_fhir

    _, out = outputs
    summary = export_fhir(_compose("export", f"run_dir={out / 'run'}", f"out={out / 'fhir'}",
                                   "waveform_seconds=1"))
    assert len(summary["bundles"]) == len(CODES)
    assert {p.name for p in (out / "fhir").iterdir()} == {
        "export.json", *(f"bundle-{pseudonym(c)}.json" for c in CODES)}
    assert leaks(out / "fhir") == {}
    asked = export_fhir(_compose("export", f"run_dir={out / 'run'}", f"out={tmp_path}",
                                 "keep_dates=true"))
    assert asked["keep_dates"] is True
    assert set(leaks(tmp_path)) == {f"bundle-{pseudonym(c)}.json" for c in CODES}
    assert all(set(hits) == {"2003-07-19"} for hits in leaks(tmp_path).values())


def test_the_audit_log_registry_and_model_card_hold_no_code_or_date(outputs):
    """Issue 13 (governance): the audit entries of train/explain/report, a registry version
    and its model card (Markdown + HTML) are searched like every other output. The entries'
    own UTC times are the audit trail the user asked for (2026 runs: not a header date)."""
    from lbpnet.audit.log import read_entries
    from lbpnet.audit.registry import register
    from lbpnet.audit.verify import verify_log

    _, out = outputs
    log = out / "logs" / "audit.jsonl"
    register(out / "run", "privacy", out / "registry", audit_log=log)
    commands = [e["command"] for e in read_entries(log)]
    assert {"lbpnet-train", "lbpnet-explain", "lbpnet-report",
            "lbpnet-registry register"} <= set(commands)
    card = out / "registry" / "privacy" / "versions" / "1"
    assert (card / "model_card.md").is_file() and (card / "model_card.html").is_file()
    assert verify_log(log).ok
    assert leaks(out) == {}
