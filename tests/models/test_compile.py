"""``torch.compile`` of every registered encoder × fusion (slow: compilation takes minutes on
a CPU). The ``aot_eager`` backend checks that Dynamo captures the model and AOTAutograd
differentiates it, without generating C++; one model also goes through the default
(inductor) backend."""

import shutil

import pytest
import torch

from lbpnet.models import ENCODERS, FUSIONS, MultimodalClassifier

LAYOUT = {"emg": (4, 400), "imu": (6, 128)}


def _model_and_batch(encoder: str, fusion: str):
    torch.manual_seed(0)
    model = MultimodalClassifier({m: c for m, (c, _) in LAYOUT.items()}, 3, encoder=encoder,
                                 fusion=fusion, missing_modalities="mask")
    batch = {m: torch.randn(2, c, n) for m, (c, n) in LAYOUT.items()}
    return model.eval(), batch


@pytest.mark.slow
@pytest.mark.parametrize("fusion", sorted(FUSIONS))
@pytest.mark.parametrize("encoder", sorted(ENCODERS))
def test_compiles_with_aot_eager_and_matches_eager(encoder, fusion):
    torch._dynamo.reset()
    model, batch = _model_and_batch(encoder, fusion)
    compiled = torch.compile(model, backend="aot_eager")
    present = {"emg": torch.tensor([True, False])}
    with torch.no_grad():
        assert torch.allclose(compiled(batch, present=present), model(batch, present=present),
                              atol=1e-5)
    compiled.train()
    compiled(batch).sum().backward()
    assert all(p.grad is not None for p in model.parameters())


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("cc") is None and shutil.which("gcc") is None,
                    reason="the inductor backend needs a C compiler on the CPU")
def test_cnn_compiles_with_inductor():
    torch._dynamo.reset()
    model, batch = _model_and_batch("cnn", "concat")
    compiled = torch.compile(model)
    with torch.no_grad():
        assert torch.allclose(compiled(batch), model(batch), atol=1e-4)
