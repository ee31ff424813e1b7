"""The cohort summary page: one row per session, linking the session reports."""

from __future__ import annotations

from typing import Mapping, Sequence
from urllib.parse import quote

import numpy as np

from lbpnet.explain.result import ChannelSegmentAttribution
from lbpnet.reports.html import esc, output_label, page, table
from lbpnet.reports.session import (SessionInfo, faithfulness_section, output_probability,
                                    provenance_table)
from lbpnet.reports.wording import likelihood


def session_findings(result: ChannelSegmentAttribution, rows: np.ndarray,
                     thresholds: Mapping[str, float]) -> list[tuple[str, str, str]]:
    """``(output, word, detail)`` per output of a session, most windows above the
    threshold first; word is likely / present in part of the session / unlikely (or
    ``"explained"`` without probabilities), detail e.g. ``"6 of 8 windows, mean 0.81"``.
    Every output when the result carries ``probability/<output>``, else the explained ones."""
    outputs = range(len(result.output_names))
    if not all(f"probability/{n}" in result.windows for n in result.output_names):
        outputs = sorted(set(np.asarray(result.target)[rows].tolist()))
    out = []
    for t in outputs:
        name = result.output_names[t]
        probs = output_probability(result, rows, t)
        if probs is None or not len(probs):
            out.append((name, "explained", "", -1.0))
            continue
        threshold = float(thresholds.get(name, 0.5))
        above = int((probs >= threshold).sum())
        out.append((name, likelihood(probs, threshold)[0],
                    f"{above} of {len(probs)} windows, mean {probs.mean():.2f}",
                    above / len(probs) + probs.mean() / 100))
    return [(n, w, d) for n, w, d, _ in sorted(out, key=lambda f: -f[3])]


def findings_text(findings: list[tuple[str, str, str]]) -> str:
    """``"guarding: likely (6 of 8 windows, mean 0.81); not found: fatigue, asymmetry"``."""
    shown = [f"{output_label(n)}: {w}" + (f" ({d})" if d else "")
             for n, w, d in findings if w != "unlikely"]
    absent = sorted(output_label(n) for n, w, _ in findings if w == "unlikely")
    if absent:
        shown.append("not found: " + ", ".join(absent))
    return "; ".join(shown)


def render_cohort(result: ChannelSegmentAttribution,
                  sessions: Sequence[tuple[SessionInfo, np.ndarray, str]],
                  provenance: Mapping[str, object], thresholds: Mapping[str, float]) -> str:
    """The HTML of the cohort page; ``sessions`` holds ``(info, rows, file name)``."""
    rows = []
    for info, r, filename in sessions:
        text = findings_text(session_findings(result, r, thresholds))
        link = f'<a href="{esc(quote(filename))}">{esc(info.title)}</a>'
        rows.append((link, info.subject, info.session if info.session is not None else "–",
                     len(r), text))
    synthetic = any(info.synthetic for info, _, _ in sessions)
    body = (f"<h1>Cohort summary</h1><p>{len(sessions)} session report"
            f"{'s' if len(sessions) != 1 else ''}; model outputs: "
            f"{esc(', '.join(result.output_names))}. Each finding counts the reported windows of "
            "the session at or above the output's decision threshold; open a session for the "
            "details.</p>"
            '<h2 id="sessions">Sessions</h2>'
            + table(["report", "patient", "session", "windows", "findings (windows at or above the decision threshold)"],
                    rows, numeric=(3,), raw_columns=(0,))
            + faithfulness_section(result.faithfulness, result.method)
            + '<h2 id="provenance">Provenance</h2>' + provenance_table(provenance))
    return page("lbpnet cohort summary", body, synthetic)
