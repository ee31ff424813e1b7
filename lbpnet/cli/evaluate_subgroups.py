"""Per-window test predictions of a trained run, scored per subgroup and for calibration
(what ``lbpnet-registry register`` records in a version and its model card)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from lbpnet.audit.subgroups import (ATTRIBUTES, expected_calibration_error, subgroup_metrics,
                                    subgroup_values)


def evaluate_run(run_dir, checkpoint: str = "best", device: str = "cpu") -> dict | None:
    """Score the run's checkpoint on its test side again: per subgroup and calibration.

    Parameters
    ----------
    run_dir : path
        A folder ``lbpnet-train`` wrote.
    checkpoint : str
        ``best``, ``last`` or a path in the run (verified against ``metrics.json``).
    device : str
        Torch device.

    Returns
    -------
    dict or None
        ``{"windows", "subgroups": {attribute: {value: scores}}, "calibration": {"ece",
        "n", "bins"}, "attributes_available": [...]}``; None when the split has no test side.
    """
    from omegaconf import OmegaConf

    from lbpnet.cli.report import output_probabilities
    from lbpnet.cli.train import build_datamodule, build_task
    from lbpnet.explain.checkpoint import find_checkpoint, read_checkpoint

    run = Path(run_dir).expanduser().resolve()
    cfg = OmegaConf.load(run / "config.yaml")
    dm = build_datamodule(cfg)
    dm.setup("fit")
    if "test" not in dm.datasets:
        return None
    task = build_task(cfg, dm)
    task.load_state_dict(read_checkpoint(find_checkpoint(run, str(checkpoint)))["state_dict"])
    task.eval().to(device)
    ds = dm.datasets["test"]
    positions = np.arange(len(ds))
    multilabel = bool(dm.targets)
    with torch.no_grad():
        probs = output_probabilities(task.model, ds, positions, multilabel, device)
    outcomes = ds.index.targets if multilabel else ds.index.label
    recs = np.asarray(ds.index.recording, dtype=np.int64)
    values = [subgroup_values(r.metadata) for r in dm.recordings]
    groups = {a: [values[r].get(a) for r in recs] for a in ATTRIBUTES}
    subjects = [str(dm.recordings[r].subject) for r in recs]
    table = subgroup_metrics(probs, outcomes, multilabel, groups, subjects)
    return {"windows": int(len(ds)), "subgroups": table,
            "attributes_available": sorted(table),
            "calibration": expected_calibration_error(probs, outcomes, multilabel)}
