"""Model cards: one Markdown and one HTML page per registered version, written from what
the registry recorded and what the run folder holds (explanations, QC, novelty scores).

Every section says "not available" when the run does not hold what it needs, rather
than guessing. No date and no original identifier is written: subjects appear only as
counts (their ids are already keyed pseudonyms).
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path

from lbpnet.atomic import atomic_write_text

INTENDED_USE = ("Research decision support for low-back-pain care from wearable biosensing: "
                "it shows patterns in sensor data to a researcher or clinician who judges them. "
                "It is not a diagnosis, not a medical device, and not validated for clinical "
                "decisions.")
NOT_AVAILABLE = "not available"


def _fmt(v) -> str:
    return f"{v:.4f}" if isinstance(v, float) else str(v)


def _training_data(record: dict) -> list:
    cfg = record.get("config") or {}
    data = record.get("data") or {}
    source = ((cfg.get("data") or {}).get("module") or {}).get("source") or {}
    n, n_syn = data.get("n_recordings"), data.get("n_synthetic")
    share = (f"{n_syn} of {n} recordings synthetic ({n_syn / n:.0%})" if n and n_syn is not None
             else ("synthetic (at least one recording)" if record.get("synthetic")
                   else "no recording marked synthetic") + " (per-recording share not recorded)")
    rows = [["source", str(source.get("_target_", NOT_AVAILABLE))],
            ["recordings", str(n if n is not None else NOT_AVAILABLE)],
            ["synthetic share", share],
            ["data fingerprint (sha256)", str(data.get("sha256", NOT_AVAILABLE))]]
    return [("h2", "Training data"), ("table", ["", ""], rows)]


def _split(record: dict) -> list:
    split = record.get("split") or {}
    rows = [[side, str(len((split.get(side) or {}).get("subjects", []))),
             str((split.get(side) or {}).get("windows"))]
            for side in ("train", "val", "test") if side in split]
    return [("h2", "Split protocol"),
            ("p", f"Split '{split.get('name')}' by {split.get('by')}: no subject on two sides "
                  "(checked by lbpnet-train's leakage check)."),
            ("table", ["side", "subjects", "windows"], rows)]


def _metrics(record: dict, metrics_json: dict) -> list:
    m = record.get("metrics") or {}
    rows = [[k, _fmt(v)] for k, v in m.items()]
    out = [("h2", "Metrics"), ("p", "Overall, on the test subjects of the split"
                                    + (" (synthetic data)" if record.get("synthetic") else "")),
           ("table", ["metric", "value"], rows or [[NOT_AVAILABLE, ""]])]
    per_class = metrics_json.get("test/f1_per_class")
    if isinstance(per_class, dict) and per_class:
        out += [("p", "Per class (F1):"),
                ("table", ["class", "F1"], [[k, _fmt(v)] for k, v in per_class.items()])]
    evaluation = record.get("evaluation") or {}
    groups = evaluation.get("subgroups") or {}
    missing = [a for a in ("sex", "age_band", "site") if a not in groups]
    if groups:
        rows = [[attr, value, str(s["subjects"]), str(s["windows"]),
                 ", ".join(f"{k} {_fmt(v)}" for k, v in s.items()
                           if k not in ("subjects", "windows"))]
                for attr, table in groups.items() for value, s in table.items()]
        out += [("p", "Per subgroup (test side, scored again at registration):"),
                ("table", ["attribute", "value", "subjects", "windows", "scores"], rows)]
    if missing:
        out.append(("p", f"Per subgroup ({', '.join(missing)}): {NOT_AVAILABLE} — "
                         + ("the recordings' metadata does not hold them." if evaluation else
                            "the version was registered without evaluate=true (no per-window "
                            "test predictions).")))
    cal = evaluation.get("calibration")
    out.append(("h2", "Calibration"))
    if cal:
        out += [("p", f"Expected calibration error {cal['ece']:.4f} over {cal['n']} "
                      "forecasts (10 equal-width bins):"),
                ("table", ["bin", "forecasts", "mean forecast", "observed"],
                 [[f"{b[0]:.1f}-{b[1]:.1f}", str(b[2]), _fmt(b[3]), _fmt(b[4])]
                  for b in cal["bins"]])]
    else:
        out.append(("p", f"{NOT_AVAILABLE}: no test predictions were scored (register with "
                         "evaluate=true); scores are uncalibrated."))
    return out


def _failure_modes(run: Path, metrics_json: dict) -> list:
    items = []
    quality = metrics_json.get("quality") or {}
    for side in ("train", "val", "test"):
        q = quality.get(side) or {}
        if q.get("windows"):
            items.append(f"QC, {side}: {q.get('windows_flagged', 0)} of {q['windows']} windows "
                         f"flagged, {q.get('windows_excluded', 0)} excluded")
    per_class = metrics_json.get("test/f1_per_class")
    if isinstance(per_class, dict) and per_class:
        worst = min(per_class, key=per_class.get)
        items.append(f"weakest class on test: {worst} (F1 {_fmt(per_class[worst])})")
    for path in sorted(run.glob("**/novelty*.json"))[:5]:
        try:
            summary = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        keys = {k: v for k, v in summary.items() if isinstance(v, (int, float))} \
            if isinstance(summary, dict) else {}
        items.append(f"novelty ({path.relative_to(run)}): {json.dumps(keys)[:300]}")
    return [("h2", "Known failure modes"),
            ("ul", items) if items else ("p", f"{NOT_AVAILABLE}: no QC, per-class or novelty "
                                              "results in the run folder.")]


def _explanations(run: Path) -> list:
    rows = []
    for path in sorted((run / "explain").glob("*.json"))[:5]:
        try:
            meta = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        faith = meta.get("faithfulness") or {}
        rows.append([path.stem, str(meta.get("method")),
                     ", ".join(f"{k} {_fmt(v)}" for k, v in sorted(faith.items())) or
                     "not measured"])
    return [("h2", "Explanation"),
            ("table", ["result", "method", "faithfulness"], rows) if rows else
            ("p", f"{NOT_AVAILABLE}: no lbpnet-explain result in the run folder.")]


def lineage_text(lineage: dict | None) -> str:
    """One line of a run's lineage (``metrics.json["lineage"]``): the label set, the parent
    checkpoint and the names of the config keys changed against the parent run."""
    if not lineage:
        return "none recorded"
    parts = []
    labels = lineage.get("labels") or {}
    if labels:
        parts.append(f"labels {labels.get('store')}@{labels.get('version')} "
                     f"({len(labels.get('recordings') or [])} recordings, {labels.get('mode')})")
    parent = lineage.get("parent_checkpoint") or {}
    if parent:
        parts.append(f"{parent.get('via')} {parent.get('model') or parent.get('path')} "
                     f"(sha256 {str(parent.get('sha256'))[:12]}…)")
        diff = parent.get("config_diff") or {}
        keys = sorted(k for kind in ("changed", "added", "removed") for k in diff.get(kind) or {})
        if diff:
            parts.append(f"config changes vs the parent run: {', '.join(keys) or 'none'}")
    return "; ".join(parts) or json.dumps(lineage)


def card_blocks(record: dict) -> list:
    """The card as blocks: ``("h1"|"h2"|"p", text)``, ``("ul", items)``,
    ``("table", header, rows)``."""
    run = Path(record["run_dir"])
    try:
        metrics_json = json.loads((run / "metrics.json").read_text())
    except (OSError, json.JSONDecodeError):
        metrics_json = {}
    model = (record.get("config") or {}).get("model") or {}
    lineage = record.get("lineage")
    return [("h1", f"Model card: {record['name']} version {record['version']}"),
            ("h2", "Intended use"), ("p", INTENDED_USE),
            ("h2", "Model"),
            ("table", ["", ""], [["architecture", str(model.get("_target_", NOT_AVAILABLE))],
                                 ["encoder", str(model.get("encoder", NOT_AVAILABLE))],
                                 ["checkpoint sha256", record["checkpoint"]["sha256"]],
                                 ["config sha256", record["config_sha256"]],
                                 ["parent version", str(record.get("parent_version"))],
                                 ["lineage", lineage_text(lineage)]]),
            *_training_data(record), *_split(record), *_metrics(record, metrics_json),
            *_failure_modes(run, metrics_json), *_explanations(run)]


def to_markdown(blocks: list) -> str:
    """Markdown text of :func:`card_blocks`."""
    out = []
    for kind, *rest in blocks:
        if kind in ("h1", "h2"):
            out.append(("# " if kind == "h1" else "## ") + rest[0])
        elif kind == "p":
            out.append(rest[0])
        elif kind == "ul":
            out.append("\n".join(f"- {item}" for item in rest[0]))
        elif kind == "table":
            header, rows = rest
            esc = [[str(c).replace("|", "\\|") for c in r] for r in rows]
            out.append("\n".join(["| " + " | ".join(header) + " |",
                                  "|" + "---|" * len(header),
                                  *("| " + " | ".join(r) + " |" for r in esc)]))
    return "\n\n".join(out) + "\n"


def to_html(blocks: list) -> str:
    """A self-contained HTML page of :func:`card_blocks`."""
    e, body = html.escape, []
    for kind, *rest in blocks:
        if kind in ("h1", "h2", "p"):
            body.append(f"<{kind}>{e(rest[0])}</{kind}>")
        elif kind == "ul":
            body.append("<ul>" + "".join(f"<li>{e(i)}</li>" for i in rest[0]) + "</ul>")
        elif kind == "table":
            header, rows = rest
            head = "".join(f"<th>{e(h)}</th>" for h in header)
            body.append(f"<table><tr>{head}</tr>" + "".join(
                "<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in r) + "</tr>" for r in rows)
                + "</table>")
    title = e(blocks[0][1]) if blocks else "Model card"
    style = ("body{font-family:sans-serif;max-width:60em;margin:2em auto}"
             "table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px}")
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}"
            f"</title><style>{style}</style></head><body>{''.join(body)}</body></html>\n")


def write_model_card(record: dict, folder: str | os.PathLike) -> tuple[Path, Path]:
    """Write ``model_card.md`` and ``model_card.html`` of a version record into ``folder``
    (atomically); return both paths."""
    blocks = card_blocks(record)
    folder = Path(folder)
    return (atomic_write_text(folder / "model_card.md", to_markdown(blocks)),
            atomic_write_text(folder / "model_card.html", to_html(blocks)))
