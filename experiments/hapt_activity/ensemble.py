"""Average the class probabilities of several finished runs (a seed ensemble) on their test set.

    python experiments/hapt_activity/ensemble.py OUT.json RUN_DIR [RUN_DIR ...]

Each RUN_DIR is an ``lbpnet-train`` run directory (``config.yaml`` + ``checkpoints/last.ckpt``).
The runs must share data, windows and split (checked); the windows and split are rebuilt from
the first run's resolved config, and every model is scored on the same test windows.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch
from omegaconf import OmegaConf
from torchmetrics.functional.classification import multiclass_accuracy, multiclass_f1_score

from lbpnet.atomic import atomic_write_json
from lbpnet.cli.train import build_datamodule, build_task

SHARED = ("data", "window", "split", "preprocess")


def main(argv: list[str]) -> dict:
    out, runs = Path(argv[0]), [Path(a) for a in argv[1:]]
    cfgs = [OmegaConf.load(r / "config.yaml") for r in runs]
    for r, c in zip(runs[1:], cfgs[1:]):
        for key in SHARED:
            a, b = (OmegaConf.to_container(x[key], resolve=True) for x in (cfgs[0], c))
            for d in (a, b):                  # the seed may differ (it drives no data choice
                d.pop("seed", None)           # when the split names its test subjects)
                if isinstance(d.get("module"), dict):
                    d["module"] = {k: v for k, v in d["module"].items() if k != "seed"}
            if a != b:
                raise SystemExit(f"{r}: '{key}' differs from {runs[0]}; an ensemble needs the "
                                 "same data, windows and split")
    dm = build_datamodule(cfgs[0])
    dm.setup("test")
    probs, labels = [], None
    for run, cfg in zip(runs, cfgs):
        task = build_task(cfg, dm)
        state = torch.load(run / "checkpoints" / "last.ckpt", map_location="cpu",
                           weights_only=False)["state_dict"]
        task.load_state_dict(state)
        task.eval()
        p, y = [], []
        with torch.no_grad():
            for batch in dm.test_dataloader():
                p.append(task(batch["signals"]).softmax(-1))
                y.append(batch["label"])
        probs.append(torch.cat(p))
        labels = torch.cat(y)
    n = len(dm.classes)
    single = [(float(multiclass_accuracy(p, labels, n, average="micro")),
               float(multiclass_f1_score(p, labels, n, average="macro"))) for p in probs]
    mean = torch.stack(probs).mean(0)
    result = {"members": [str(r) for r in runs], "member_acc_f1": single,
              "test/acc": float(multiclass_accuracy(mean, labels, n, average="micro")),
              "test/f1_macro": float(multiclass_f1_score(mean, labels, n, average="macro")),
              "test_windows": int(len(labels)),
              "test_subjects": sorted({dm.recordings[i].subject for i in dm.split.test})}
    print({k: v for k, v in result.items() if k.startswith("test/")})
    atomic_write_json(out, result)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
