"""Active learning on real UCI HAPT, the true labels playing the expert.

    python experiments/active_learning/run.py <seed> <out_dir> [strategy ...]

(one process per seed: the data are read once and every strategy starts from the same
initial weights and the same first 100 windows; writes <out_dir>/<strategy>_seed<seed>.json)

Pool: the windows of the 21 UCI-HAR training subjects (labels hidden until a segment is
"reviewed"); test: the 9 UCI-HAR test subjects (never in the pool, never used to choose).
Data and model: ``experiment=hapt_activity_cnn`` (6 activities, 2.56 s windows, gravity/
body split, the 1-D CNN). A segment is up to 8 contiguous windows (~10 s) of one recording.
Start: 100 windows of random segments (the same for every strategy at one seed); 5 rounds
add 100, 200, 400, 800, 1600 windows (labelled: 100 ... 3200). Each round trains
STEPS_PER_ROUND AdamW steps (batch 32) from the previous round's weights and scores test
macro-F1. BALD: 20 MC-dropout passes (the CNN's only dropout is before its head, so the
passes run the head on the eval-mode embeddings: the same distribution as whole-model passes).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import torch
from hydra.utils import instantiate
from sklearn.metrics import f1_score

from lbpnet.atomic import atomic_write_json
from lbpnet.cli.compose import compose_train_config
from lbpnet.cli.train import build_datamodule
from lbpnet.curation.active_learning import contiguous_segments, select_segments
from lbpnet.curation.mc_dropout import dropout_layers

START, ADDS = 100, (100, 200, 400, 800, 1600)
STEPS_PER_ROUND, BATCH, PASSES, SEGMENT_WINDOWS = 50, 32, 20, 8


def load(seed: int, root: Path):
    """Config, data module, all pool/test windows in memory, and the model factory."""
    cfg = compose_train_config(["experiment=hapt_activity_cnn", f"seed={seed}"],
                               root / "unused_run", root)
    dm = build_datamodule(cfg)
    dm.setup("fit")
    data = {}
    for side in ("train", "test"):
        ds = dm.datasets[side]
        batch = ds.__getitems__(np.arange(len(ds)))
        data[side] = {"x": batch["signals"], "y": ds.index.label.copy(),
                      "rec": ds.index.recording.copy(), "start": ds.index.start.copy()}
    stats = dm.channel_stats()                            # unsupervised: pool statistics

    def new_model():
        torch.manual_seed(seed)                           # same initial weights per strategy
        model = instantiate(cfg.model, channels=dm.channels(), n_outputs=len(dm.classes),
                            _convert_="all")
        for m, (mean, std) in stats.items():
            model.standardize[m].fit(mean, std)
        return model

    return cfg, dm, data, new_model


@torch.no_grad()
def predict(model, x: dict, passes: int = 0):
    model.eval()
    logits, feats = [], []
    n = len(next(iter(x.values())))
    for i in range(0, n, 512):
        z, f = model({m: v[i:i + 512] for m, v in x.items()}, return_features=True)
        logits.append(z)
        feats.append(f)
    logits, feats = torch.cat(logits), torch.cat(feats)
    mc = None
    if passes:
        head = model.head
        assert {id(m) for m in dropout_layers(model)} <= {id(m) for m in head.modules()}
        head.train()
        mc = torch.stack([torch.softmax(head(feats), 1) for _ in range(passes)]).numpy()
        head.eval()
    return torch.softmax(logits, 1).numpy(), feats.numpy(), mc


def train_round(model, x: dict, y: np.ndarray, idx: np.ndarray, gen: torch.Generator):
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-2)
    model.train()
    yt = torch.from_numpy(y)
    for _ in range(STEPS_PER_ROUND):
        pick = torch.from_numpy(idx)[torch.randint(len(idx), (BATCH,), generator=gen)]
        loss = torch.nn.functional.cross_entropy(
            model({m: v[pick] for m, v in x.items()}), yt[pick], label_smoothing=0.1)
        opt.zero_grad()
        loss.backward()
        opt.step()


def run_strategy(strategy: str, seed: int, cfg, dm, data, model, out: Path) -> None:
    t0 = time.time()
    gen = torch.Generator().manual_seed(seed)
    pool, test = data["train"], data["test"]
    seg = contiguous_segments(pool["rec"], pool["start"], float(cfg.window.stride_s),
                              SEGMENT_WINDOWS)
    labelled = np.zeros(len(seg), bool)
    start_rng = np.random.default_rng(seed)       # the same start for every strategy
    labelled[select_segments("random", seg, labelled, START, start_rng)] = True
    rng = np.random.default_rng(seed + 1000)
    curve = []
    for r in range(len(ADDS) + 1):
        train_round(model, pool["x"], pool["y"], np.flatnonzero(labelled), gen)
        p_test, _, _ = predict(model, test["x"])
        curve.append({"round": r, "labelled_windows": int(labelled.sum()),
                      "labelled_segments": int(np.unique(seg[labelled]).size),
                      "test_f1_macro": float(f1_score(test["y"], p_test.argmax(1),
                                                      average="macro")),
                      "test_acc": float((p_test.argmax(1) == test["y"]).mean())})
        print(strategy, seed, curve[-1], flush=True)
        if r == len(ADDS):
            break
        probs, feats, mc = predict(model, pool["x"], PASSES if strategy == "bald" else 0)
        new = select_segments(strategy, seg, labelled, ADDS[r], rng, probs=probs,
                              mc_probs=mc, features=feats)
        assert not labelled[new].any()
        labelled[new] = True
    atomic_write_json(Path(out), {
        "strategy": strategy, "seed": seed, "curve": curve, "pool_windows": len(seg),
        "test_windows": len(test["y"]), "steps_per_round": STEPS_PER_ROUND, "batch": BATCH,
        "segment_windows": SEGMENT_WINDOWS, "bald_passes": PASSES,
        "wall_s": round(time.time() - t0, 1), "synthetic": False,
        "test_subjects": sorted({dm.recordings[i].subject for i in dm.split.side("test")}),
        "pool_subjects": sorted({dm.recordings[i].subject for i in dm.split.side("train")})})


def main(seed: int, out_dir: str, strategies) -> None:
    torch.set_num_threads(1)
    out_dir = Path(out_dir)
    cfg, dm, data, new_model = load(seed, out_dir)
    for strategy in strategies:
        out = out_dir / f"{strategy}_seed{seed}.json"
        if not out.is_file():
            run_strategy(strategy, seed, cfg, dm, data, new_model(), out)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2],
         sys.argv[3:] or ["random", "entropy", "margin", "bald", "k_center"])
