import math

import numpy as np
import pytest
import torch

from lbpnet.errors import ConfigError
from lbpnet.preprocess import RmsEnvelope


def test_rms_of_a_sine_and_derivative_ratio_tracks_frequency():
    fs = 1000.0
    t = torch.arange(2000) / fs
    env = RmsEnvelope(window=200, stride=100, with_derivative=True, log=False)
    ratios = []
    for f in (50.0, 100.0):
        x = torch.sin(2 * math.pi * f * t)[None, None]
        out = env(x)
        assert out.shape == (1, 2, 18)
        np.testing.assert_allclose(out[0, 0].numpy(), 1 / math.sqrt(2), rtol=0.02)
        ratios.append((out[0, 1] / out[0, 0]).mean().item())
    # RMS(diff)/RMS(x) = 2 sin(pi f / fs): doubles (almost) with the frequency
    np.testing.assert_allclose(ratios, [2 * math.sin(math.pi * f / fs) for f in (50, 100)], rtol=0.02)


def test_too_short_window_is_named():
    with pytest.raises(ConfigError, match="shorter than the RMS window"):
        RmsEnvelope(window=100)(torch.randn(1, 2, 50))
