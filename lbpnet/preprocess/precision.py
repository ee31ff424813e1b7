"""Full float32 precision inside the preprocessing ops, whatever the run set globally.

Lightning users often call ``torch.set_float32_matmul_precision("high")``, and cuDNN
convolutions allow TF32 by default on Ampere and later GPUs: TF32 keeps 10 mantissa bits,
which would put errors of ~1e-3 into a filter. The ops run their products inside
:func:`full_precision`, which restores the caller's settings on exit.
"""

from __future__ import annotations

from contextlib import contextmanager

import torch


@contextmanager
def full_precision():
    """Disable TF32 for matrix products and cuDNN convolutions; restore afterwards."""
    matmul = torch.get_float32_matmul_precision()
    cudnn_tf32 = torch.backends.cudnn.allow_tf32
    try:
        if matmul != "highest":
            torch.set_float32_matmul_precision("highest")
        torch.backends.cudnn.allow_tf32 = False
        yield
    finally:
        if matmul != "highest":
            torch.set_float32_matmul_precision(matmul)
        torch.backends.cudnn.allow_tf32 = cudnn_tf32
