"""The monitoring section of a patient's report page, from an ``lbpnet-monitor`` summary.

:func:`monitoring_section` renders one ``monitoring.json``
(:func:`lbpnet.monitoring.patient_summary.patient_summary`): the flags raised (level, rule
and version, session, plain-language text, the evidence and its uncertainty, the recommended
action), the calibrated forecasts at the horizon, the change of each outcome since baseline
beside its smallest detectable change and minimal important change, P(non-response), and the
trajectory plot. :func:`read_patient_monitoring` reads the summaries of a run folder.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

from lbpnet.errors import ReaderError
from lbpnet.reports.html import esc, figure, table

LEVEL_CSS = {"urgent": "bad", "review": "uncertain", "info": "muted"}


def read_patient_monitoring(run_dir: str | Path) -> dict[str, tuple[dict, bytes | None]]:
    """``{patient: (summary, trajectory PNG bytes or None)}`` of every
    ``<run_dir>/monitoring/*/monitoring.json``; a file that is not a JSON object with a
    ``patient`` is a :class:`ReaderError` naming it."""
    out = {}
    for path in sorted(Path(run_dir).glob("monitoring/*/monitoring.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ReaderError(f"cannot read the monitoring summary ({type(err).__name__})",
                              source=str(path), fix="rewrite it with lbpnet-monitor") from err
        if not isinstance(doc, dict) or not doc.get("patient"):
            raise ReaderError("not a monitoring summary (no 'patient')", source=str(path),
                              field="patient", fix="rewrite it with lbpnet-monitor")
        png = path.parent / "trajectory.png"
        out[str(doc["patient"])] = (doc, png.read_bytes() if png.is_file() else None)
    return out


def _n(x, digits: int = 1) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def _evidence(flag: dict) -> str:
    ev, unc = flag.get("evidence") or {}, flag.get("uncertainty") or {}
    if "interval" in ev:
        return (f"{ev['outcome']}: baseline {_n(ev['baseline'])}, needed "
                f"{_n(ev['needed_value'])} (MIC {ev['mic']}); forecast for session "
                f"{ev['horizon_session']} made at session {ev['forecast_made_at_session']}: "
                f"median {_n(ev['forecast_median'])}, {100 * unc.get('interval_level', 0):.0f} % "
                f"interval {_n(ev['interval'][0])} to {_n(ev['interval'][1])}"
                f"{' (calibrated)' if unc.get('calibrated') else ' (uncalibrated)'}")
    if "measures" in ev:
        return "; ".join(f"{m['measure']}: change {', '.join(_n(c) for c in m['change'])} at "
                         f"sessions {m['sessions']} vs SDC95 {_n(m['sdc95'])} (SEM from "
                         f"{m['sem_source']})" for m in ev["measures"])
    if "missed_sessions" in ev:
        return f"no report at sessions {ev['missed_sessions']} of {ev['planned_sessions']}"
    return json.dumps(ev)[:300]


def _flags_table(summary: dict) -> str:
    flags = summary.get("flags") or []
    if not flags:
        return ('<p class="good" id="monitoring-no-flags">No rule of the rule set raised a flag '
                f"up to session {esc(summary.get('as_of_session'))}.</p>")
    rows = [(f'<span class="{LEVEL_CSS.get(f["level"], "")}">{esc(f["level"])}</span>',
             f"{f['rule_id']} v{f['rule_version']}", f["session"], f["text"], _evidence(f),
             f["action"]) for f in flags]
    return table(["level", "rule (version)", "session", "what", "evidence and uncertainty",
                  "action"], rows, raw_columns=(0,))


def _forecast_table(summary: dict) -> str:
    rows = [(f["outcome"], f["horizon_session"], _n(f["median"]),
             f"{_n(f['lower'])} to {_n(f['upper'])}" if f.get("bounded", True) else
             "unbounded (too few calibration patients)", f"{100 * f['level']:.0f} %",
             "yes" if f["calibrated"] else "no") for f in summary.get("forecasts") or []]
    return table(["outcome", "session", "median", "interval", "level", "calibrated"], rows,
                 numeric=(1, 2)) if rows else "<p class=\"muted\">No forecast.</p>"


def _change_table(summary: dict) -> str:
    s = summary["as_of_session"]
    rows = []
    for c in summary.get("changes") or []:
        if c["session"] != s:
            continue
        verdict = ("worse beyond the SDC" if c["worse_beyond_sdc"] else "better beyond the SDC"
                   if c["better_beyond_sdc"] else "within measurement error")
        if c["reaches_mic"]:
            verdict += "; reaches the MIC"
        rows.append((c["measure"], _n(c["baseline"]), _n(c["change"]), _n(c["sdc95"]),
                     _n(c["rci"], 2), "—" if c["mic"] is None else c["mic"], verdict))
    return table(["outcome", "baseline", f"change at session {s}", "SDC95", "RCI", "MIC",
                  "verdict"], rows, numeric=(1, 2, 3, 4)) if rows else ""


def _sensor_table(summary: dict) -> str:
    s = summary["as_of_session"]
    rows = [(c["measure"], _n(c["baseline"], 3), _n(c["change"], 3), _n(c["sdc95"], 3),
             _n(c["rci"], 2), "beyond the SDC" if c["beyond_sdc"] else "within measurement error")
            for c in summary.get("sensor_changes") or [] if c["session"] == s]
    if not rows:
        return ""
    return ('<h3 id="monitoring-sensors">Sensor measures: change since baseline</h3>'
            "<p class=\"muted\">Whether a rise or a fall of these measures is worse is not "
            "stated by the data; only whether the change exceeds measurement error.</p>"
            + table(["measure", "baseline", f"change at session {s}", "SDC95", "RCI",
                     "verdict"], rows, numeric=(1, 2, 3, 4)))


def monitoring_section(summary: dict, plot_png: bytes | None = None) -> str:
    """The HTML section ``<h2 id="monitoring">`` of one patient's summary (escaped)."""
    nr = summary.get("non_response") or {}
    prob = (f"<p id=\"monitoring-non-response\">Probability of non-response at session "
            f"{esc(nr.get('horizon_session'))} ({esc(nr.get('outcome'))}): "
            f"<b>{100 * nr['probability']:.0f} %</b>"
            f"{' (calibrated on held-out patients)' if nr.get('calibrated') else ' (uncalibrated)'}"
            f".</p>") if nr.get("probability") is not None else ""
    model = summary.get("model") or {}
    rule_set = summary.get("rule_set") or {}
    sem = "; ".join(f"{o['name']}: SEM {_n(o.get('sem'), 2)}, SDC95 {_n(o.get('sdc95'), 2)} "
                    f"({o.get('sem_source')})" for o in summary.get("outcomes") or [])
    img = ""
    if plot_png:
        uri = "data:image/png;base64," + base64.b64encode(plot_png).decode("ascii")
        img = figure(uri, f"trajectory of patient {summary['patient']}",
                     "Observed outcomes, the forecast median and its calibrated interval from "
                     "the last session seen, the minimal-important-change line and the flags.")
    return (f'<h2 id="monitoring">Monitoring: seen up to session '
            f"{esc(summary.get('as_of_session'))}</h2>"
            f"<p class=\"muted\">Rule set <code>{esc(rule_set.get('id'))}</code> version "
            f"{esc(rule_set.get('version'))}; forecaster {esc(model.get('forecaster', 'gru'))}, "
            f"model version <code>{esc(model.get('version'))}</code>. Every flag is for a "
            "clinician's review, never a diagnosis.</p>"
            f'<h3 id="monitoring-flags">Flags</h3>{_flags_table(summary)}{prob}'
            f'<h3 id="monitoring-forecasts">Forecasts</h3>{_forecast_table(summary)}'
            f'<h3 id="monitoring-change">Change since baseline</h3>{_change_table(summary)}'
            f'<p class="muted">{esc(sem)}</p>{_sensor_table(summary)}{img}')
