"""SignalAugment: rotation groups that do not fit the data are a clear ConfigError."""

import pytest
import torch

from lbpnet.errors import ConfigError
from lbpnet.tasks.augmentation import SignalAugment


def test_hapt_triples_on_a_three_channel_imu_name_the_key_and_the_fix():
    # the HAPT recipe's groups (12 channels after GravitySplit) on a plain 3-axis IMU
    aug = SignalAugment(rotation=0.1, triples={"imu": [[0, 1, 2], [3, 4, 5], [6, 7, 8]]}).train()
    with pytest.raises(ConfigError, match=r"\[\[3, 4, 5\], \[6, 7, 8\]\].*3 channels") as err:
        aug({"imu": torch.randn(4, 3, 50)})
    assert err.value.field == "task.augment.triples" and "rotation=0" in err.value.fix


def test_a_modality_the_data_lacks_is_named():
    aug = SignalAugment(rotation=0.1, triples={"imu": [[0, 1, 2]]}).train()
    with pytest.raises(ConfigError, match="modality 'imu'.*modalities: \\['emg'\\]"):
        aug({"emg": torch.randn(4, 3, 50)})


def test_fitting_triples_rotate_and_keep_the_norm():
    aug = SignalAugment(rotation=0.3, triples={"imu": [[0, 1, 2]]}, scale=0, jitter=0).train()
    x = torch.randn(4, 4, 50)
    y = aug({"imu": x})["imu"]
    assert not torch.allclose(y[:, :3], x[:, :3])
    torch.testing.assert_close(y[:, :3].norm(dim=1), x[:, :3].norm(dim=1))
    torch.testing.assert_close(y[:, 3], x[:, 3])
