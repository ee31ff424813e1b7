"""The report of a trajectory run: one page per monitored patient and a cohort index.

A trajectory run has no signal windows to explain; its report is the monitoring that
``lbpnet-monitor`` wrote (``<run_dir>/monitoring/<patient>/monitoring.json`` and
``trajectory.png``): per patient a page with the monitoring section
(:mod:`lbpnet.reports.monitoring_section`) and the provenance, and ``index.html`` listing
the patients with their flags. Written as a folder that appears whole or not at all
(:func:`lbpnet.reports.folder.report_folder`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

from lbpnet.atomic import atomic_write_json
from lbpnet.errors import ConfigError
from lbpnet.reports.folder import report_folder
from lbpnet.reports.html import esc, page, safe_filename, table, write_page
from lbpnet.reports.monitoring_section import monitoring_section, read_patient_monitoring
from lbpnet.reports.session import provenance_table

ORDER = {"urgent": 0, "review": 1, "info": 2}


def _patient_page(summary: dict, png: bytes | None, provenance: Mapping) -> str:
    title = f"Patient {summary['patient']}"
    body = (f"<h1>{esc(title)}</h1><p class=\"muted\"><a href=\"index.html\">cohort summary</a>"
            "</p>" + monitoring_section(summary, png)
            + '<h2 id="provenance">Provenance</h2>' + provenance_table(provenance))
    return page(f"lbpnet report: {title}", body, bool(summary.get("synthetic")))


def write_monitoring_reports(run_dir: str | os.PathLike, out_dir: str | os.PathLike,
                             provenance: Mapping[str, object], extra=None) -> dict:
    """Write ``<out_dir>/<patient>.html`` per monitored patient, ``index.html`` and
    ``report.json``; ``extra(folder)`` writes further files before the folder is renamed.

    Returns
    -------
    dict
        ``{"index": path, "patients": {patient: path}, "synthetic": bool}``.
    """
    found = read_patient_monitoring(run_dir)
    if not found:
        raise ConfigError(f"no monitoring summaries in {Path(run_dir) / 'monitoring'}",
                          source=str(run_dir), field="run_dir",
                          fix=f"run lbpnet-monitor run_dir={run_dir} first")
    out_dir = Path(out_dir)
    synthetic = any(bool(s.get("synthetic")) for s, _ in found.values())
    written, rows = {}, []
    with report_folder(out_dir) as tmp:
        for pid, (summary, png) in sorted(found.items()):
            name = safe_filename(f"patient-{pid}")
            write_page(tmp / name, _patient_page(summary, png, provenance))
            written[pid] = str(out_dir / name)
            flags = summary.get("flags") or []
            top = min((f["level"] for f in flags), key=lambda x: ORDER.get(x, 9), default="none")
            nr = (summary.get("non_response") or {}).get("probability")
            rows.append((f'<a href="{esc(name)}">Patient {esc(pid)}</a>', len(flags), esc(top),
                         "—" if nr is None else f"{100 * nr:.0f} %"))
        body = ("<h1>Monitored patients</h1>"
                '<h2 id="patients">Patients</h2>'
                + table(["patient", "flags", "highest level", "P(non-response)"], rows,
                        numeric=(1,), raw_columns=(0,))
                + '<h2 id="provenance">Provenance</h2>' + provenance_table(provenance))
        write_page(tmp / "index.html", page("lbpnet report: monitored patients", body,
                                            synthetic))
        summary = {"index": str(out_dir / "index.html"), "patients": written,
                   "provenance": dict(provenance), "synthetic": synthetic}
        atomic_write_json(tmp / "report.json", summary)
        if extra is not None:
            extra(tmp)
    return summary
