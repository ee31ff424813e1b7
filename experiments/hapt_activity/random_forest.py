"""Random-forest baseline on per-channel window statistics, on exactly lbpnet's windows and split.

    python experiments/hapt_activity/random_forest.py experiment=hapt_activity [OUT.json]

Composes the same Hydra config as ``lbpnet-train`` (data, window, split), so the
windows and subjects are identical to the deep model's; fits on train+val
subjects, scores on the test subjects. Needs scikit-learn (``lbpnet[dev]``).
"""

from __future__ import annotations

import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, f1_score

from lbpnet.atomic import atomic_write_json
from lbpnet.cli.compose import fitted_datamodule


def window_statistics(batch: dict) -> np.ndarray:
    """Per channel: mean, std, min, max, 10/25/50/75/90th percentiles → (n_windows, 9 * C)."""
    feats = []
    for x in batch["signals"].values():
        x = x.numpy()
        feats += [x.mean(-1), x.std(-1), x.min(-1), x.max(-1)]
        feats += list(np.percentile(x, [10, 25, 50, 75, 90], axis=-1))
    return np.concatenate(feats, axis=1)


def features(dm, side: str) -> tuple[np.ndarray, np.ndarray]:
    ds = dm.datasets[side]
    batch = ds.__getitems__(np.arange(len(ds)))
    return window_statistics(batch), batch["label"].numpy()


def main(argv: list[str]) -> dict:
    out = next((a for a in argv if a.endswith(".json")), None)
    overrides = [a for a in argv if not a.endswith(".json")]
    cfg, dm = fitted_datamodule(overrides, prefix="lbpnet-rf-")
    xs, ys = zip(*(features(dm, s) for s in ("train", "val") if s in dm.datasets))
    x_train, y_train = np.concatenate(xs), np.concatenate(ys)
    x_test, y_test = features(dm, "test")
    t0 = time.perf_counter()
    rf = RandomForestClassifier(n_estimators=300, n_jobs=-1, random_state=cfg.seed)
    rf.fit(x_train, y_train)
    pred = rf.predict(x_test)
    channels = {m: len(dm.recordings[0].streams[m].channel_names) for m in dm.channels()}
    result = {"model": f"random forest (300 trees) on per-channel statistics of {channels} channels",
              "test/acc": float(accuracy_score(y_test, pred)),
              "test/f1_macro": float(f1_score(y_test, pred, average="macro")),
              "fit_seconds": round(time.perf_counter() - t0, 1),
              "train_windows": int(len(y_train)), "test_windows": int(len(y_test)),
              "test_subjects": sorted({dm.recordings[i].subject for i in dm.split.test}),
              "overrides": overrides}
    print(result)
    if out:
        atomic_write_json(out, result)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
