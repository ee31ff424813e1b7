"""The promotion gate: a version becomes ``production`` only if it is not worse than the
current production version, nor than its parent version, on the same frozen test set.

"Same frozen test set" means the same test subjects (``metrics.json["split"]["test"]
["subjects"]``) with the same curated labels on their recordings (a ``data.labels`` set that
relabelled test-side recordings, ``lineage.labels.test_recordings``, must be the one the
other version used); a version tested otherwise cannot be compared and is refused.
"Worse" is judged on one metric (default: the test counterpart of the run's monitored
validation metric, e.g. ``val/f1_macro`` -> ``test/f1_macro``; lower is better for names
holding loss, error, mae, mse, rmse, ece or brier) beyond ``tolerance`` (absolute). This
is the gate of a refreshed model (issue 12's gated refresh). Refusals are audit entries.
"""

from __future__ import annotations

import os

from lbpnet.audit.registry import (aliases, default_audit_log, move_alias, read_version,
                                   registry_root)
from lbpnet.errors import ConfigError

LOWER_IS_BETTER = ("loss", "error", "mae", "mse", "rmse", "ece", "brier")


class PromotionRefused(ConfigError):
    """A promotion the gate refused; ``numbers`` holds the comparison."""

    def __init__(self, problem: str, numbers: dict, **kw) -> None:
        super().__init__(problem, **kw)
        self.numbers = numbers


def gate_metric(record: dict, metric: str | None = None) -> str:
    """The metric the gate compares (``metric``, else ``test/<monitored name>``, else
    ``test/f1_macro``, else the record's first ``test/`` metric)."""
    if metric:
        return metric
    monitor = record.get("monitor") or ""
    candidates = ([f"test/{monitor.split('/', 1)[1]}"] if "/" in monitor else []) + \
        ["test/f1_macro"] + sorted(k for k in record["metrics"] if k.startswith("test/"))
    for name in candidates:
        if name in record["metrics"]:
            return name
    raise ConfigError(f"{record['name']}@{record['version']} has no test metric to compare",
                      field="metric", fix="register a run that was tested (a split with a "
                                          "test side), or name metric=...")


def compare(candidate: dict, reference: dict, metric: str, tolerance: float) -> dict:
    """The gate's numbers for ``candidate`` against ``reference``: ``{"metric", "candidate",
    "reference", "difference", "tolerance", "lower_is_better", "same_test_subjects",
    "same_test_labels", "worse"}`` (``worse`` True when beyond tolerance or not comparable:
    other test subjects, or test recordings relabelled by a curated label set the other
    version did not use)."""
    lower = any(w in metric.lower() for w in LOWER_IS_BETTER)
    same = sorted((candidate.get("split", {}).get("test") or {}).get("subjects", [])) == \
        sorted((reference.get("split", {}).get("test") or {}).get("subjects", []))
    labels = _test_labels(candidate) == _test_labels(reference)
    a, b = candidate["metrics"].get(metric), reference["metrics"].get(metric)
    diff = None if a is None or b is None else float(a) - float(b)
    worse = (not same or not labels or diff is None
             or (diff > tolerance if lower else diff < -tolerance))
    return {"metric": metric, "candidate": a, "reference": b, "difference": diff,
            "tolerance": float(tolerance), "lower_is_better": lower,
            "same_test_subjects": same, "same_test_labels": labels,
            "reference_version": reference["version"], "worse": bool(worse)}


def _test_labels(record: dict) -> tuple | None:
    """The curated labels a version's test recordings carried (label store, version,
    recordings; ``lineage.labels.test_recordings``), None when they carried none."""
    labels = (record.get("lineage") or {}).get("labels") or {}
    touched = labels.get("test_recordings") or []
    return (labels.get("store"), labels.get("version"), tuple(touched)) if touched else None


def promote(name: str, version: int, alias: str = "production", tolerance: float = 0.01,
            metric: str | None = None, root: str | os.PathLike | None = None,
            audit_log: str | os.PathLike | None = None) -> dict:
    """Move ``alias`` to ``name@version``; for ``production``, only through the gate.

    Parameters
    ----------
    name, version : str, int
        The registered version to promote.
    alias : str
        ``production`` (gated) or another alias such as ``candidate`` (not gated).
    tolerance : float
        How much worse (absolute, in the metric's units) is still accepted.
    metric : str, optional
        The compared metric (see :func:`gate_metric`).

    Returns
    -------
    dict
        The aliases after the move.

    Raises
    ------
    PromotionRefused
        Worse than the current production or the parent version beyond the tolerance,
        or tested on other subjects; the refusal, with its numbers, is in the audit log.
    """
    from lbpnet.audit.log import append_entry

    root_path = registry_root(root)
    record = read_version(name, int(version), root_path)
    checks = []
    if alias == "production":
        name_metric = gate_metric(record, metric)
        refs = {}
        current = aliases(name, root_path).get("production")
        if current is not None and current != record["version"]:
            refs["current production"] = read_version(name, current, root_path)
        if record.get("parent_version"):
            refs["parent"] = read_version(name, record["parent_version"], root_path)
        for role, ref in refs.items():
            checks.append({"against": role, **compare(record, ref, name_metric, tolerance)})
        failed = [c for c in checks if c["worse"]]
        if failed:
            c = failed[0]
            why = ("it was tested on other subjects than" if not c["same_test_subjects"] else
                   "its test recordings carry other curated labels (data.labels relabelled "
                   "test-side recordings: not the same frozen test set) than"
                   if not c["same_test_labels"] else
                   f"{c['metric']} {c['candidate']:.4f} vs {c['reference']:.4f} "
                   f"(difference {c['difference']:+.4f}, tolerance {c['tolerance']}) is worse than"
                   if c["difference"] is not None else f"{c['metric']} is missing in one of")
            log = default_audit_log(root_path) if audit_log is None else audit_log
            append_entry("lbpnet-registry promote", None, parent={"model": f"{name}@{version}"},
                         extra={"alias": alias, "refused": True, "checks": checks},
                         log_path=log)
            raise PromotionRefused(
                f"refused to make {name}@{version} {alias}: {why} the {c['against']} "
                f"{name}@{c['reference_version']}", checks,
                source=str(root_path / name), field="version",
                fix="promote a version that is not worse on the same test subjects, or "
                    "give a larger tolerance= deliberately (it is recorded)")
    return move_alias(name, alias, int(version), root_path, audit_log,
                      extra={"checks": checks, "tolerance": float(tolerance)})
