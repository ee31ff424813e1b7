"""A planted-signal toy (SYNTHETIC): two-rate recordings where class ``burst`` windows
carry an EMG burst in one channel during one segment, and a tiny model trained on them.

Test modules import these from here (never from conftest, whose name is not unique)."""

from __future__ import annotations

import numpy as np
import torch

from lbpnet.models.conv_encoder import ConvEncoder1d
from lbpnet.models.multimodal import MultimodalClassifier
from lbpnet.recording.annotations import Annotations
from lbpnet.recording.recording import Recording
from lbpnet.recording.stream import Stream
from lbpnet.windows.dataset import WindowDataset
from lbpnet.windows.index import make_windows

EMG_HZ, IMU_HZ, LENGTH = 200.0, 20.0, 2.0
EMG = ["multifidus_left", "multifidus_right", "rectus_abdominis_left"]
IMU = ["trunk_l1_acc_x", "trunk_l1_gyro_x"]
PLANTED = ("emg/multifidus_right", 2)          # channel, segment (1.0–1.5 s of 4 segments)


def toy_recordings(n_subjects: int = 4, n_windows: int = 16, seed: int = 0) -> list[Recording]:
    rng = np.random.default_rng(seed)
    recs = []
    for s in range(n_subjects):
        n = n_windows
        emg = rng.normal(0, 1.0, size=(int(n * LENGTH * EMG_HZ), len(EMG))).astype(np.float32)
        imu = rng.normal(0, 1.0, size=(int(n * LENGTH * IMU_HZ), len(IMU))).astype(np.float32)
        labels = np.array(["rest", "burst"] * (n // 2))
        for w in np.flatnonzero(labels == "burst"):
            a = int((w * LENGTH + 1.0) * EMG_HZ)
            emg[a:a + int(0.5 * EMG_HZ), 1] *= 4.0                 # the planted burst
        onsets = np.arange(n) * LENGTH
        ann = Annotations(onsets, np.full(n, LENGTH), labels)
        streams = {"emg": Stream("emg", emg, EMG_HZ, EMG, ["EMG"] * 3, ["uV"] * 3),
                   "imu": Stream("imu", imu, IMU_HZ, IMU, ["ACCEL", "GYRO"], ["g", "rad/s"])}
        recs.append(Recording(streams, ann, subject=f"S{s}", session="1",
                              source=f"<toy S{s}>", metadata={"synthetic": True}))
    return recs


def toy_dataset(seed: int = 0) -> WindowDataset:
    recs = toy_recordings(seed=seed)
    index = make_windows(recs, LENGTH, LENGTH, classes=["rest", "burst"])
    return WindowDataset(recs, index, ["emg", "imu"])


def tiny_model(seed: int = 0) -> MultimodalClassifier:
    torch.manual_seed(seed)
    enc = lambda c: ConvEncoder1d(c, widths=(8,), kernel_size=(5,))   # noqa: E731
    return MultimodalClassifier({"emg": len(EMG), "imu": len(IMU)}, 2, encoder=enc, dropout=0.0)


def train(model, dataset, labels=None, epochs: int = 30, seed: int = 0):
    """Full-batch Adam on every window (seconds on a CPU); ``labels`` overrides the true ones."""
    torch.manual_seed(seed)
    batch = dataset.__getitems__(np.arange(len(dataset)))
    y = batch["label"] if labels is None else torch.as_tensor(labels)
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    model.train()
    for _ in range(epochs):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(batch["signals"]), y)
        loss.backward()
        opt.step()
    return model.eval()
