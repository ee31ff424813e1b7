"""Attribution time per window, batched vs a naive per-window loop, for every method.

Input (SYNTHETIC, random normal values: timing does not depend on content): 16 EMG
channels × 2 s at 2 kHz (4000 samples) + IMU 6 channels × 2 s at 100 Hz (200
samples); the model is the ``experiment=synthetic_strategy`` architecture (EMG RMS
envelope front end → ResNet-1d, IMU → ResNet-1d, 5 outputs), untrained. Grouping:
28 channels × 4 segments of 0.5 s.

For each method the same :class:`lbpnet.explain.Explainer` explains ``--batch``
windows in one call (Captum batched; ``internal_batch_size`` = batch × steps) and,
as the reference, ``--naive`` windows one call per window. Both are memory-bounded the
same way: at most ``--internal`` window copies go through the model at once. The ratio is naive time
per window / batched time per window (goal ≥ 10). Nothing is asserted.

    python benchmarks/attribution.py [--batch 32] [--naive 4] [--methods ...] [--device cpu]
"""

from __future__ import annotations

import argparse
import platform
import time

import torch
from hydra.utils import instantiate

from lbpnet.cli.compose import compose_train_config
from lbpnet.explain.attribute import ExplainConfig, Explainer
from lbpnet.explain.grouping import ChannelLayout, segment_edges
from lbpnet.explain.methods import METHODS

EMG = [f"m{i}_{s}" for i in range(8) for s in ("left", "right")]
IMU = [f"trunk_l1_{a}" for a in ("acc_x", "acc_y", "acc_z", "gyro_x", "gyro_y", "gyro_z")]


def build_model(tmp: str):
    cfg = compose_train_config(["experiment=synthetic_strategy"], tmp)
    model = instantiate(cfg.model, channels={"emg": 16, "imu": 6}, n_outputs=5,
                        _convert_="all")
    return model.eval()


def timed(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--naive", type=int, default=4, help="windows explained one by one")
    ap.add_argument("--methods", nargs="+", default=list(METHODS))
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--n-steps", type=int, default=32)
    ap.add_argument("--internal", type=int, default=256,
                    help="most window copies per forward pass (IG internal_batch_size; "
                         "ablation: perturbations_per_eval = internal // windows)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    import tempfile

    model = build_model(tempfile.mkdtemp(prefix="lbpnet-bench-attr-"))
    layout = ChannelLayout({"emg": EMG, "imu": IMU}, {"emg": 2000.0, "imu": 100.0}, 2.0)
    edges = segment_edges(2.0, 4)
    g = torch.Generator().manual_seed(0)
    signals = {"emg": torch.randn(a.batch, 16, 4000, generator=g) * 50.0,
               "imu": torch.randn(a.batch, 6, 200, generator=g) * 0.1}
    print(f"# {platform.node()} {platform.processor() or platform.machine()}, torch "
          f"{torch.__version__}, device {a.device}, threads {a.threads}, batch {a.batch}, "
          f"naive loop over {a.naive} windows, IG steps {a.n_steps}, at most {a.internal} "
          f"window copies per forward pass, SYNTHETIC random input")
    print("| method | batched s/window | naive s/window | ratio (naive / batched) |")
    print("|---|---|---|---|")
    for method in a.methods:
        def explainer(n_windows):
            cfg = ExplainConfig(method=method, baseline="mean", target=0, n_steps=a.n_steps,
                                n_samples=16, internal_batch_size=a.internal,
                                perturbations_per_eval=max(1, a.internal // n_windows),
                                batch_size=a.batch)
            return Explainer(model, layout, edges, [f"y{i}" for i in range(5)], cfg,
                             multi_label=True, device=a.device)
        ex, ex1 = explainer(a.batch), explainer(1)
        one = {m: x[:1] for m, x in signals.items()}
        ex1.explain_batch(one)                                  # warm-up
        batched = timed(lambda: ex.explain_batch(signals), a.repeats) / a.batch

        def naive():
            for i in range(a.naive):
                ex1.explain_batch({m: x[i:i + 1] for m, x in signals.items()})
        per_window = timed(naive, a.repeats) / a.naive
        print(f"| {method} | {batched:.4f} | {per_window:.4f} | {per_window / batched:.1f}× |",
              flush=True)


if __name__ == "__main__":
    main()
