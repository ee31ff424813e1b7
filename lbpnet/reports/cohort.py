"""The cohort summary page: one row per session, linking the session reports."""

from __future__ import annotations

from typing import Mapping, Sequence
from urllib.parse import quote

import numpy as np

from lbpnet.explain.result import ChannelSegmentAttribution
from lbpnet.reports.html import esc, page, table
from lbpnet.reports.session import (SessionInfo, faithfulness_section, output_probability,
                                    provenance_table)
from lbpnet.reports.wording import likelihood


def session_findings(result: ChannelSegmentAttribution, rows: np.ndarray,
                     thresholds: Mapping[str, float]) -> list[tuple[str, str, float | None]]:
    """``(output, word, mean probability)`` per output of a session, most probable first
    (word is likely / uncertain / unlikely, or ``"explained"`` without probabilities).
    Every output when the result carries ``probability/<output>``, else the explained ones."""
    outputs = range(len(result.output_names))
    if not all(f"probability/{n}" in result.windows for n in result.output_names):
        outputs = sorted(set(np.asarray(result.target)[rows].tolist()))
    out = []
    for t in outputs:
        name = result.output_names[t]
        probs = output_probability(result, rows, t)
        if probs is None or not len(probs):
            out.append((name, "explained", None))
            continue
        out.append((name, likelihood(probs, float(thresholds.get(name, 0.5)))[0],
                    float(probs.mean())))
    return sorted(out, key=lambda f: -(f[2] if f[2] is not None else 0))


def render_cohort(result: ChannelSegmentAttribution,
                  sessions: Sequence[tuple[SessionInfo, np.ndarray, str]],
                  provenance: Mapping[str, object], thresholds: Mapping[str, float]) -> str:
    """The HTML of the cohort page; ``sessions`` holds ``(info, rows, file name)``."""
    rows = []
    for info, r, filename in sessions:
        findings = session_findings(result, r, thresholds)
        text = "; ".join(f"{name.split('/')[-1].replace('_', ' ')}: {word}"
                         + (f" ({p:.2f})" if p is not None else "")
                         for name, word, p in findings)
        link = f'<a href="{esc(quote(filename))}">{esc(info.title)}</a>'
        rows.append((link, info.subject, info.session if info.session is not None else "–",
                     len(r), text))
    synthetic = any(info.synthetic for info, _, _ in sessions)
    body = (f"<h1>Cohort summary</h1><p>{len(sessions)} session report"
            f"{'s' if len(sessions) != 1 else ''}; model outputs: "
            f"{esc(', '.join(result.output_names))}. A finding's probability is its mean over "
            "the reported windows of the session; open a session for the details.</p>"
            '<h2 id="sessions">Sessions</h2>'
            + table(["report", "patient", "session", "windows", "findings (mean probability)"],
                    rows, numeric=(3,), raw_columns=(0,))
            + faithfulness_section(result.faithfulness, result.method)
            + '<h2 id="provenance">Provenance</h2>' + provenance_table(provenance))
    return page("lbpnet cohort summary", body, synthetic)
