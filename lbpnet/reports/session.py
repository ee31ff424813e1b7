"""The report of one patient session: what the model says, what drove it, how clean the
signal was, how far to trust the explanation, and where it all came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from lbpnet.explain.result import ChannelSegmentAttribution
from lbpnet.reports import figures
from lbpnet.reports.html import channel_label, esc, figure, output_label, page, table
from lbpnet.reports.signals import WindowSignals
from lbpnet.reports.wording import (SCORE_NOTE, class_sentence, count_windows, describe_score,
                                    faithfulness_sentence, prediction_sentence, quality_text)

PROVENANCE_ROWS = [("run_id", "report run id"), ("training_run", "training run"),
                   ("checkpoint_sha256", "model checkpoint (SHA-256)"),
                   ("config_sha256", "configuration (SHA-256)"),
                   ("data_sha256", "data fingerprint (SHA-256)"),
                   ("lbpnet_version", "lbpnet version"), ("git_commit", "code version (git)"),
                   ("method", "attribution method"), ("created_utc", "created (UTC)")]


@dataclass
class SessionInfo:
    """Who and what a session is (pseudonymous ids only).

    ``n_windows`` counts every window of the session on the reported split side,
    explained or not (``None``: not known); the explained ones are a sample of them.
    """

    subject: str
    session: str | None
    key: str
    synthetic: bool
    n_windows: int | None = None
    monitoring_html: str | None = None      # lbpnet.reports.monitoring_section, if monitored

    @property
    def title(self) -> str:
        """The page title: ``Patient <pseudonym>[, session <s>]``."""
        ses = f", session {self.session}" if self.session is not None else ""
        return f"Patient {self.subject}{ses}"


def clock(seconds: float) -> str:
    """``h:mm:ss.s`` or ``m:ss.s`` on the recording clock."""
    h, rest = divmod(float(seconds), 3600)
    m, s = divmod(rest, 60)
    return f"{int(h)}:{int(m):02d}:{s:04.1f}" if h else f"{int(m)}:{s:04.1f}"


def window_quality(windows: Mapping[str, np.ndarray], row: int, modality: str) -> str:
    """Quality of window ``row`` for ``modality``: the score ``quality/<modality>`` (else
    ``quality``) and the flags of ``quality_flags`` (``"emg/powerline; imu/gravity"``)
    that concern this modality."""
    score = None
    for key in (f"quality/{modality}", "quality"):
        if key in windows:
            score = np.asarray(windows[key])[row]
            break
    flags = ""
    if "quality_flags" in windows:
        given = [f.strip() for f in str(np.asarray(windows["quality_flags"])[row]).split(";")]
        flags = "; ".join(f for f in given
                          if f and ("/" not in f or f.partition("/")[0] == modality))
    if score is None and not flags:
        return "not assessed"
    return quality_text(score, flags.strip())


def _probability(result: ChannelSegmentAttribution, rows: np.ndarray):
    """Probability of the explained output of each window in ``rows``, or None."""
    p = result.windows.get("probability")
    return None if p is None else np.asarray(p, dtype=float)[rows]


def output_probability(result: ChannelSegmentAttribution, rows: np.ndarray, target: int):
    """Probability of output ``target`` over every window in ``rows`` when the result
    carries ``probability/<output>``; else over the windows that explain ``target``."""
    key = f"probability/{result.output_names[target]}"
    if key in result.windows:
        return np.asarray(result.windows[key], dtype=float)[rows]
    return _probability(result, rows[np.asarray(result.target)[rows] == target])


def findings(result: ChannelSegmentAttribution, rows: np.ndarray,
             thresholds: Mapping[str, float], multilabel: bool) -> list[tuple[int, str, str]]:
    """``(output index, sentence, css class)`` per output worth stating, most probable
    first: every output (multi-label) or the classes windows were assigned to."""
    outputs = range(len(result.output_names))
    have_all = all(f"probability/{n}" in result.windows for n in result.output_names)
    if not have_all:
        outputs = sorted(set(np.asarray(result.target)[rows].tolist()))
    out = []
    if multilabel or not have_all:
        for t in outputs:
            p = output_probability(result, rows, t)
            name = result.output_names[t]
            text, css = prediction_sentence(name, p, float(thresholds.get(name, 0.5)),
                                            multilabel)
            out.append((t, text, css, -1.0 if p is None or not len(p) else float(p.mean())))
    else:
        probs = np.stack([output_probability(result, rows, t) for t in outputs], axis=1)
        best = probs.argmax(axis=1)
        for t in outputs:
            hit = best == t
            if hit.any():
                out.append((t, class_sentence(result.output_names[t], int(hit.sum()), len(rows),
                                              probs[hit, t]), "finding", float(hit.mean())))
    return [(t, text, css) for t, text, css, _ in sorted(out, key=lambda x: -x[3])]


def _top_channels(a: np.ndarray, channels: Sequence[str], output: str, k: int) -> tuple:
    magnitude = np.abs(a).sum(axis=(0, 2))
    share = magnitude / (magnitude.sum() or 1.0)
    net = a.sum(axis=(0, 2))
    order = np.argsort(-magnitude, kind="stable")[:k]
    rows = [(i + 1, channel_label(channels[c]), f"{100 * share[c]:.1f}%",
             f"towards {output_label(output)}" if net[c] >= 0
             else f"against {output_label(output)}")
            for i, c in enumerate(order)]
    return order, table(["rank", "channel (modality/name)", "share of attribution",
                         "net direction"], rows, numeric=(0, 2))


def _top_segments(result, rows, a, output, k) -> str:
    edges, starts = result.segment_edges_s, np.asarray(result.windows["start"], dtype=float)
    p = _probability(result, rows)
    scale = float(np.abs(a).max()) or 1.0
    flat = np.argsort(-a, axis=None, kind="stable")[:k]
    out = []
    for g, c, s in zip(*np.unravel_index(flat, a.shape)):
        if a[g, c, s] <= 0:
            break
        t0 = starts[rows[g]] + edges[s]
        modality = result.channels[c].partition("/")[0]
        out.append((f"{clock(t0)} – {clock(starts[rows[g]] + edges[s + 1])}",
                    channel_label(result.channels[c]),
                    f"{a[g, c, s] / scale:.2f}",
                    "n/a" if p is None else f"{p[g]:.2f}",
                    window_quality(result.windows, int(rows[g]), modality)))
    if not out:
        return f"<p>No segment pushed the output towards {esc(output_label(output))}.</p>"
    return table(["time in recording", "channel", "relative attribution",
                  f"model score of {output_label(output)} in the window", "signal quality"],
                 out, numeric=(2, 3))


def _output_section(result, rows, output, threshold, signals, detail_rows,
                    k_channels, k_segments) -> str:
    a = result.matrix[rows]
    p = _probability(result, rows)
    top, channel_table = _top_channels(a, result.channels, output, k_channels)
    n = len(rows)
    parts = [f'<h2>Why: {esc(output_label(output))} '
             f'<span class="muted">({esc(output)})</span></h2>',
             f"<p>Attribution of the model's output <b>{esc(output_label(output))}</b> in the "
             f"{n} window{'s' if n != 1 else ''} of this session where it was explained "
             f"(method: {esc(result.method)}).</p>",
             "<h3>Channels that drove it</h3>", channel_table,
             "<h3>Moments that drove it, and their signal quality</h3>",
             _top_segments(result, rows, a, output, k_segments)]
    starts = np.asarray(result.windows["start"], dtype=float)[rows]
    if len(rows) > 1:
        uri = figures.session_timeline(starts, a, result.segment_edges_s, result.channels, p,
                                       threshold if p is not None else None, output)
        parts.append(figure(uri, f"session timeline of {output}",
                            "Top: the model's score per explained window (not a calibrated "
                            "probability). Bottom: attribution per channel over the session; "
                            "red pushes towards the finding, blue against it."))
    for r in detail_rows:
        g = int(np.flatnonzero(rows == r)[0])
        top_here = list(np.argsort(-np.abs(a[g]).sum(axis=1), kind="stable")[:3])
        srow = None if signals is None else signals.rows.get(int(r))
        uri = figures.window_figure(a[g], result.channels, result.segment_edges_s,
                                    None if srow is None else signals.signals, srow or 0,
                                    top_here, output, float(starts[g]))
        prob = "" if p is None else f", model score {p[g]:.2f}"
        parts.append(figure(uri, f"attribution heat map, window at {starts[g]:.1f} s",
                            f"Window {clock(starts[g])}{prob}: channel × segment attribution "
                            "(red towards, blue against) above its three most attributed "
                            "channels, each drawn raw as recorded (grey, in its units) and, on "
                            "its own axes below, as the model sees it (blue); the shaded band "
                            "marks each channel's most attributed segment (red towards, blue "
                            "against)."))
    return '<section class="output">' + "".join(parts) + "</section>"


def quality_summary(windows: Mapping[str, np.ndarray], rows: np.ndarray) -> str:
    """One sentence on the signal quality of a session's reported windows."""
    if "quality" not in windows and "quality_flags" not in windows:
        return ("Signal quality was not assessed for this run (no quality control); "
                "check the raw signals below before trusting a finding.")
    n = len(rows)
    bad = (np.asarray(windows["quality"], dtype=float)[rows] <= 0.5
           if "quality" in windows else np.zeros(n, dtype=bool))
    flags = sorted({f.strip() for row in (np.asarray(windows["quality_flags"])[rows]
                                          if "quality_flags" in windows else [])
                    for f in str(row).split(";") if f.strip()})
    text = (f"Signal quality: {int(bad.sum())} of {n} explained window{'s' if n != 1 else ''} "
            "failed quality control")
    return text + (f" (checks that fired: {', '.join(flags)})." if flags else ".")


@dataclass
class DetailSignals:
    """Signals of the detailed windows: ``rows`` maps a result row to a row of ``signals``."""

    rows: dict[int, int]
    signals: WindowSignals


def provenance_table(provenance: Mapping[str, object]) -> str:
    """HTML table of the run's provenance (run id, checkpoint and config SHA-256, data
    fingerprint, versions); absent entries say 'not recorded'.
    """
    rows = [(label, f"<code>{esc(provenance.get(key, 'not recorded'))}</code>")
            for key, label in PROVENANCE_ROWS]
    return table(["what", "value"], rows, raw_columns=(1,))


def faithfulness_section(scores: Mapping[str, float], method: str) -> str:
    """HTML section 'How far to trust the explanation': a plain-words verdict on the
    faithfulness ``scores`` of ``method`` and the table of scores with their meaning.
    """
    sentence, css = faithfulness_sentence(dict(scores))
    rows = [(k, f"{v:.4g}" if isinstance(v, (int, float)) else v,
             describe_score(k)) for k, v in sorted(scores.items())]
    body = table(["score", "value", "meaning"], rows, numeric=(1,)) if rows else ""
    return (f'<h2 id="faithfulness">How far to trust the explanation</h2>'
            f"<p>Attribution method: <b>{esc(method)}</b>. The scores below were measured on "
            "all explained windows of this run together.</p>"
            f'<p class="finding {css}">{esc(sentence)}</p>{body}')


def render_session(result: ChannelSegmentAttribution, rows: np.ndarray, info: SessionInfo,
                   provenance: Mapping[str, object], thresholds: Mapping[str, float],
                   multilabel: bool, signals: DetailSignals | None = None,
                   detail: Mapping[int, Sequence[int]] | None = None,
                   k_channels: int = 5, k_segments: int = 5) -> str:
    """The HTML page of one session.

    Parameters
    ----------
    result : ChannelSegmentAttribution
    rows : int array
        The result rows (windows) of this session.
    thresholds : dict of output name to float
        Decision threshold of each output (0.5 when absent).
    multilabel : bool
        Outputs are independent findings (True) or exclusive classes (False).
    signals, detail
        Signals of the windows drawn in detail, and per target index the result
        rows to draw.
    """
    rows = np.asarray(rows)
    targets = np.asarray(result.target)[rows]
    stated = findings(result, rows, thresholds, multilabel)
    glance = "".join(f'<li class="finding {css}">{esc(text)}</li>' for _, text, css in stated)
    sections = []
    order = [t for t, _, _ in stated if t in set(targets.tolist())]
    order += [t for t in sorted(set(targets.tolist())) if t not in order]
    for t in order:
        name = result.output_names[t]
        sections.append(_output_section(
            result, rows[targets == t], name,
            float(thresholds.get(name, 0.5)) if multilabel else None,
            signals, list((detail or {}).get(t, [])), k_channels, k_segments))
    head = (f"<h1>{esc(info.title)}</h1><p class=\"muted\">Recording <code>{esc(info.key)}"
            f"</code> · {esc(count_windows(len(rows), info.n_windows))} · "
            f'<a href="index.html">cohort summary</a></p>'
            '<h2 id="summary">At a glance</h2>'
            f"<ul>{glance}</ul>"
            f'<p class="muted" id="scores">{esc(SCORE_NOTE)}</p>'
            f'<p id="quality">{esc(quality_summary(result.windows, rows))}</p>'
            '<p class="muted">Below: which channels and moments drove each explained output, '
            "how clean those signals were, how far to trust the explanation, and where it all "
            "came from.</p>")
    body = (head + "".join(sections) + (info.monitoring_html or "")
            + faithfulness_section(result.faithfulness, result.method)
            + '<h2 id="provenance">Provenance</h2>' + provenance_table(provenance))
    return page(f"lbpnet report: {info.title}", body, info.synthetic)
