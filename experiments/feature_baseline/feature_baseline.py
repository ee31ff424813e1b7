"""Transparent baselines on lbpnet's interpretable measures, on exactly the deep model's windows
and split.

    python experiments/feature_baseline/feature_baseline.py hapt [OVERRIDES...] OUT.json
    python experiments/feature_baseline/feature_baseline.py synthetic [OVERRIDES...] OUT.json

``hapt``: UCI HAPT (real), ``experiment=hapt_activity`` (6 activities, 2.56 s windows, UCI-HAR
subject split); per-window measures of :func:`window_measures.hapt_measures`; gradient-boosted
trees (scikit-learn HistGradientBoosting) and multinomial logistic regression fit on the 21
training subjects, scored (accuracy, macro-F1) on the 9 test subjects.

``synthetic``: the simulated LBP cohort (SYNTHETIC), ``experiment=synthetic_strategy``
(2 s windows, patient split stratified by phenotype); per-window measures of
:func:`window_measures.lbp_measures`; one classifier per strategy (logistic regression, and
HistGradientBoosting), validation patients choose each F1 threshold
(``experiments/synthetic_strategy/feature_baseline.fit_and_score``); AUROC/AUPRC/F1 on test
patients.

Runs on one thread (OMP_NUM_THREADS=1, torch 1 thread). Needs scikit-learn (``lbpnet[dev]``).
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from lbpnet.atomic import atomic_write_json  # noqa: E402
from lbpnet.cli.compose import fitted_datamodule  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from window_measures import hapt_measures, lbp_measures  # noqa: E402

HERE = Path(__file__).resolve().parent


def _synthetic_scoring():
    path = HERE.parent / "synthetic_strategy" / "feature_baseline.py"
    spec = importlib.util.spec_from_file_location("synthetic_strategy_feature_baseline", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.fit_and_score


def logistic():
    return make_pipeline(SimpleImputer(strategy="median"), StandardScaler(),
                         LogisticRegression(max_iter=3000, C=1.0, class_weight="balanced"))


def boosted_trees(seed: int = 0):
    return HistGradientBoostingClassifier(max_iter=100, learning_rate=0.1,
                                          class_weight="balanced", random_state=seed)


def _batches(ds, size: int = 512):
    for start in range(0, len(ds), size):
        yield ds.__getitems__(np.arange(start, min(start + size, len(ds))))


def hapt(overrides: list[str]) -> dict:
    cfg, dm = fitted_datamodule(["experiment=hapt_activity", *overrides], prefix="lbpnet-fb-")
    stream = dm.recordings[0].streams["imu"]
    t0 = time.perf_counter()
    data = {}
    for side in ("train", "val", "test"):
        if side not in dm.datasets or len(dm.datasets[side]) == 0:
            continue
        xs, ys = [], []
        for batch in _batches(dm.datasets[side]):
            x, columns = hapt_measures(batch["signals"]["imu"].numpy(), stream.channel_names,
                                       stream.sampling_rate)
            xs.append(x)
            ys.append(batch["label"].numpy())
        data[side] = (np.concatenate(xs), np.concatenate(ys))
    measure_s = time.perf_counter() - t0
    x_train = np.concatenate([data[s][0] for s in ("train", "val") if s in data])
    y_train = np.concatenate([data[s][1] for s in ("train", "val") if s in data])
    x_test, y_test = data["test"]
    result = {"dataset": "UCI HAPT (real)", "synthetic": False,
              "overrides": ["experiment=hapt_activity", *overrides], "classes": list(dm.classes),
              "measures": columns, "train_windows": int(len(y_train)),
              "test_windows": int(len(y_test)),
              "test_subjects": sorted({dm.recordings[i].subject for i in dm.split.test}),
              "measure_seconds": round(measure_s, 1), "models": {}}
    for name, make in (("gradient-boosted trees", lambda: boosted_trees(cfg.seed)),
                       ("logistic regression", logistic)):
        t0 = time.perf_counter()
        clf = make().fit(x_train, y_train)
        pred = clf.predict(x_test)
        result["models"][name] = {
            "test/acc": float(accuracy_score(y_test, pred)),
            "test/f1_macro": float(f1_score(y_test, pred, average="macro")),
            "test/f1_per_class": dict(zip(dm.classes, map(float, f1_score(
                y_test, pred, average=None, labels=range(len(dm.classes)))))),
            "confusion": confusion_matrix(y_test, pred, labels=range(len(dm.classes))).tolist(),
            "fit_seconds": round(time.perf_counter() - t0, 1)}
        print(name, {k: v for k, v in result["models"][name].items() if k in ("test/acc", "test/f1_macro")})
    return result


def synthetic(overrides: list[str]) -> dict:
    cfg, dm = fitted_datamodule(["experiment=synthetic_strategy", *overrides], prefix="lbpnet-fb-")
    rec = dm.recordings[0]
    emg, imu = rec.streams["emg"], rec.streams["imu"]
    train = dm.datasets["train"]
    sample = train.__getitems__(np.arange(0, len(train), max(1, len(train) // 1000)))
    reference = np.median(np.sqrt((sample["signals"]["emg"].numpy().astype(np.float64) ** 2)
                                  .mean(-1)), axis=0)                # (16,) uV, training patients
    t0 = time.perf_counter()
    data = {}
    for side in dm.datasets:
        xs, ys = [], []
        for batch in _batches(dm.datasets[side], 256):
            x, columns = lbp_measures(batch["signals"]["emg"].numpy(), emg.channel_names,
                                      emg.sampling_rate, batch["signals"]["imu"].numpy(),
                                      imu.channel_names, imu.sampling_rate, reference)
            xs.append(x)
            ys.append(batch["targets"].numpy())
        data[side] = (np.concatenate(xs), np.concatenate(ys))
    measure_s = time.perf_counter() - t0
    fit_and_score = _synthetic_scoring()
    result = {"dataset": "LBP cohort simulator (SYNTHETIC)", "synthetic": True,
              "overrides": ["experiment=synthetic_strategy", *overrides],
              "targets": list(dm.targets), "measures": columns,
              "measure_seconds": round(measure_s, 1), "models": {}}
    for name, make in (("logistic regression", logistic),
                       ("gradient-boosted trees", lambda: boosted_trees(cfg.seed))):
        t0 = time.perf_counter()
        scored = fit_and_score(data, list(dm.targets), make)
        scored["fit_seconds"] = round(time.perf_counter() - t0, 1)
        result["models"][name] = scored
        print(name, {k: v for k, v in scored.items() if "macro" in k})
    return result


def main(argv: list[str]) -> dict:
    torch.set_num_threads(1)
    if not argv or argv[0] not in ("hapt", "synthetic"):
        raise SystemExit(__doc__)
    out = next((a for a in argv[1:] if a.endswith(".json")), None)
    overrides = [a for a in argv[1:] if not a.endswith(".json")]
    result = hapt(overrides) if argv[0] == "hapt" else synthetic(overrides)
    if out:
        atomic_write_json(out, result)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
