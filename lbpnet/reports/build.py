"""Write the reports of one explanation: a page per session, a cohort page, a manifest."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Mapping

import numpy as np

from lbpnet.atomic import atomic_write_json
from lbpnet.errors import ConfigError
from lbpnet.explain.result import ChannelSegmentAttribution
from lbpnet.reports.cohort import render_cohort
from lbpnet.reports.folder import report_folder
from lbpnet.reports.html import safe_filename, write_page
from lbpnet.reports.session import DetailSignals, SessionInfo, render_session
from lbpnet.reports.signals import WindowSignals


def detail_rows(result: ChannelSegmentAttribution, rows: np.ndarray,
                n: int) -> dict[int, list[int]]:
    """Per explained output, the ``n`` windows of ``rows`` to draw in detail: the most
    probable (or, without probabilities, the most attributed) first."""
    targets = np.asarray(result.target)[rows]
    p = result.windows.get("probability")
    out = {}
    for t in sorted(set(targets.tolist())):
        r = rows[targets == t]
        score = (np.asarray(p, dtype=float)[r] if p is not None
                 else result.matrix[r].clip(min=0).sum(axis=(1, 2)))
        out[t] = [int(x) for x in r[np.argsort(-score, kind="stable")[:n]]]
    return out


def write_reports(result: ChannelSegmentAttribution, sessions: Mapping[int, SessionInfo],
                  out_dir: str | os.PathLike, provenance: Mapping[str, object],
                  thresholds: Mapping[str, float] | None = None, multilabel: bool = True,
                  load_signals: Callable[[list[int]], WindowSignals] | None = None,
                  n_detail: int = 2, extra: Callable[[Path], None] | None = None) -> dict:
    """Write ``<out_dir>/<session>.html`` per recording, ``index.html`` and ``report.json``.

    Everything is written into a hidden temporary sibling of ``out_dir`` that is renamed
    to ``out_dir`` at the end (:func:`lbpnet.reports.folder.report_folder`): a run that
    fails or is killed half way leaves no ``out_dir`` with some pages missing.

    Parameters
    ----------
    result : ChannelSegmentAttribution
        ``result.windows["recording"]`` keys ``sessions``.
    sessions : dict of int to SessionInfo
        Recording index → who/what it is.
    provenance : dict
        Shown on every page and written to ``report.json`` (run id, hashes, versions).
    load_signals : callable, optional
        ``load_signals(result_rows) -> WindowSignals`` with one signal row per result row
        asked for; ``None`` draws heat maps without signals.
    n_detail : int
        Windows drawn in detail per session and output.
    extra : callable, optional
        ``extra(folder)`` writes further files of the report (its manifest, the
        explanation shown) into the temporary folder after the pages, before it is renamed.

    Returns
    -------
    dict
        ``{"index": path, "sessions": {recording key: path}}``.
    """
    if "recording" not in result.windows or "start" not in result.windows:
        raise ConfigError("the attribution lacks window metadata 'recording' and 'start'",
                          field="windows", fix="explain with lbpnet.explain, which records them")
    recording = np.asarray(result.windows["recording"]).astype(int)
    unknown = sorted(set(recording.tolist()) - set(sessions))
    if unknown:
        raise ConfigError(f"the attribution refers to recordings {unknown[:10]} that the data "
                          f"does not have (it has {len(sessions)})", field="windows.recording",
                          fix="report with the data the explanation was computed on")
    out_dir = Path(out_dir)
    with report_folder(out_dir) as tmp:
        summary = _write_pages(result, sessions, tmp, out_dir, provenance, dict(thresholds or {}),
                               multilabel, load_signals, n_detail)
        if extra is not None:
            extra(tmp)
    return summary


def _write_pages(result, sessions, tmp: Path, out_dir: Path, provenance, thresholds,
                 multilabel, load_signals, n_detail) -> dict:
    """The pages and ``report.json`` into ``tmp``; the paths named are those in ``out_dir``."""
    recording = np.asarray(result.windows["recording"]).astype(int)
    pages, written = [], {}
    used = set()
    for rec in sorted(set(recording.tolist())):
        info = sessions[rec]
        rows = np.flatnonzero(recording == rec)
        detail = detail_rows(result, rows, n_detail)
        signals = None
        if load_signals is not None:
            wanted = sorted({r for rs in detail.values() for r in rs})
            signals = DetailSignals({r: i for i, r in enumerate(wanted)}, load_signals(wanted))
        html = render_session(result, rows, info, provenance, thresholds, multilabel,
                              signals, detail)
        name = safe_filename(info.key)
        while name in used or name == "index.html":
            name = name[:-5] + "_.html"
        used.add(name)
        write_page(tmp / name, html)
        written[info.key] = str(out_dir / name)
        pages.append((info, rows, name))
    write_page(tmp / "index.html", render_cohort(result, pages, provenance, thresholds))
    summary = {"index": str(out_dir / "index.html"), "sessions": written,
               "provenance": dict(provenance),
               "method": result.method, "faithfulness": dict(result.faithfulness),
               "synthetic": any(info.synthetic for info, _, _ in pages)}
    atomic_write_json(tmp / "report.json", summary)
    return summary
