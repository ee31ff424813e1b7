"""Count, per strategy and side, the patients and windows that carry it (SYNTHETIC data).

    python experiments/synthetic_strategy/positives.py OUT.json experiment=synthetic_strategy [...]

No training: builds the experiment's windows and, for every fold of its split (or its one
split), counts the distinct patients with at least one positive window and the positive
windows on the train / val / test sides. A window-level score on a side with one or two
positive patients measures those patients, not the detector; ``collect.py`` tabulates these
counts beside the scores.
"""

from __future__ import annotations

import sys

import numpy as np

from lbpnet.atomic import atomic_write_json
from lbpnet.cli.compose import fitted_datamodule

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from feature_baseline import fold_splits  # noqa: E402


def count(dm, split) -> dict:
    """``{side: {target: {"patients": n, "windows": n}}}`` for one split."""
    recs, targets = [], []
    for ds in dm.datasets.values():
        recs.append(np.asarray(ds.index.recording))
        targets.append(np.asarray(ds.index.targets) > 0.5)
    recs, targets = np.concatenate(recs), np.concatenate(targets)
    subject = np.array([dm.recordings[i].subject for i in recs])
    out = {"split": split.name}
    for side in ("train", "val", "test"):
        on = np.isin(recs, split.side(side))
        out[side] = {"patients": len(set(subject[on])), **{
            t: {"patients": len(set(subject[on & targets[:, k]])),
                "windows": int((on & targets[:, k]).sum())}
            for k, t in enumerate(dm.targets)}}
    return out


def main(argv: list[str]) -> dict:
    out = next(a for a in argv if a.endswith(".json"))
    overrides = [a for a in argv if not a.endswith(".json")]
    cfg, dm = fitted_datamodule(overrides, prefix="lbpnet-positives-")
    result = {"synthetic": True, "overrides": overrides,
              "folds": [count(dm, s) for s in fold_splits(cfg, dm.recordings)]}
    atomic_write_json(out, result)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
