"""Z-score from training data only, and EMG relative to a reference contraction."""

import io

import numpy as np
import pytest
import torch

from lbpnet.errors import ConfigError, FeatureError
from lbpnet.preprocess import LinearEnvelope, ReferenceContraction, ZScore


def windows(x: np.ndarray, n: int, length: int) -> torch.Tensor:
    """(n, channels, length) consecutive windows of a (channels, time) real signal."""
    return torch.as_tensor(x[:, :n * length].reshape(x.shape[0], n, length).transpose(1, 0, 2))


def test_zscore_uses_training_statistics_only(real_imu):
    x, _ = real_imu                                         # 6 HAPT channels
    train, test = windows(x, 40, 128), windows(x[:, 40 * 128:], 20, 128)
    z = ZScore().fit(train)
    flat = train.permute(1, 0, 2).reshape(6, -1).numpy()
    np.testing.assert_allclose(z.mean.numpy(), flat.mean(1), rtol=1e-12)
    np.testing.assert_allclose(z.std.numpy(), flat.std(1), rtol=1e-12)
    out = z(test).numpy()
    ref = (test.numpy() - flat.mean(1)[None, :, None]) / flat.std(1)[None, :, None]
    np.testing.assert_allclose(out, ref, rtol=1e-10, atol=1e-12)
    assert abs(out.mean()) > 1e-3                            # test data is not re-centred


def test_streaming_fit_equals_one_fit_and_stats_travel_in_the_state_dict(real_imu):
    x, _ = real_imu
    batches = [windows(x[:, i * 2560:], 20, 128) for i in range(3)]
    one = ZScore().fit(torch.cat(batches))
    streamed = ZScore().fit(iter(batches))
    np.testing.assert_allclose(streamed.mean.numpy(), one.mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(streamed.std.numpy(), one.std.numpy(), rtol=1e-12)
    buffer = io.BytesIO()
    torch.save(one.state_dict(), buffer)
    buffer.seek(0)
    fresh = ZScore()
    fresh.load_state_dict(torch.load(buffer))
    np.testing.assert_array_equal(fresh(batches[0]).numpy(), one(batches[0]).numpy())


def test_zscore_refuses_unfitted_flat_and_mismatched_input():
    with pytest.raises(ConfigError, match=r"no statistics yet.*Fix: call \.fit"):
        ZScore()(torch.randn(1, 2, 10))
    flat = torch.randn(4, 3, 50)
    flat[:, 1] = 7.0
    with pytest.raises(FeatureError, match=r"channels \[1\] are constant"):
        ZScore().fit(flat)
    z = ZScore().fit(torch.randn(4, 3, 50))
    with pytest.raises(FeatureError, match="fitted on 3 channels"):
        z(torch.randn(1, 2, 50))


def test_reference_contraction_in_percent_of_the_real_burst_rms(real_emg_bursts):
    x, fs = real_emg_bursts
    emg = torch.as_tensor(x)[None]                          # (1, 1, n) mV
    env = LinearEnvelope(fs, 6.0)(emg)
    peak = int(env[0, 0].argmax())                          # strongest real burst as reference
    segment = emg[..., max(0, peak - 500):peak + 500]
    norm = ReferenceContraction(percent=True).fit(segment)
    rms = float(np.sqrt((segment.numpy() ** 2).mean()))
    np.testing.assert_allclose(norm.reference.numpy(), [rms], rtol=1e-12)
    np.testing.assert_allclose(norm(emg).numpy(), emg.numpy() / rms * 100, rtol=1e-12)
    peak_norm = ReferenceContraction(statistic="peak").fit(env)
    assert float(peak_norm(env).max()) == pytest.approx(100.0)
    given = ReferenceContraction(reference=[rms], percent=False)
    np.testing.assert_allclose(given(emg).numpy(), emg.numpy() / rms, rtol=1e-12)
    fresh = ReferenceContraction()
    fresh.load_state_dict(norm.state_dict())
    np.testing.assert_allclose(fresh(emg).numpy(), norm(emg).numpy())


def test_reference_contraction_errors():
    with pytest.raises(FeatureError, match=r"channels \[1\] is not positive"):
        ReferenceContraction(reference=[0.2, 0.0])
    with pytest.raises(FeatureError, match="not positive"):
        ReferenceContraction().fit(torch.zeros(1, 1, 100))
    with pytest.raises(ConfigError, match="statistic"):
        ReferenceContraction(statistic="mean")
    with pytest.raises(ConfigError, match="no statistics yet"):
        ReferenceContraction()(torch.randn(1, 1, 5))
