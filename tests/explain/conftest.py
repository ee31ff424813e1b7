"""Fixtures of the explanation tests: the planted-signal toy of ``explain_toys``."""

from __future__ import annotations

import pytest
import torch

from explain_toys import toy_dataset, tiny_model, train   # same folder (on sys.path)


@pytest.fixture(scope="session")
def toy():
    torch.set_num_threads(1)
    ds = toy_dataset()
    model = train(tiny_model(), ds)
    return ds, model
