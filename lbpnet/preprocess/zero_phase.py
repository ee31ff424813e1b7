"""Zero-phase (forward-backward) SOS filtering as a torch module: ``scipy.signal.sosfiltfilt``.

The same steps as scipy: extend both ends by ``padlen`` samples (odd extension by default,
``padlen = 3 * (2 n_sections + 1)`` less the trailing zero coefficients), filter forwards
from the steady state ``sosfilt_zi * x[0]``, then backwards from
``sosfilt_zi * y[-1]`` (scipy reverses, filters and reverses back; here the backward pass
runs anti-causally in place), and cut the extensions off. Each pass is the exact blocked
recurrence of :mod:`lbpnet.preprocess.linear_recurrence`; gradients flow through it.
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.signal import sosfilt_zi
from torch import nn

from lbpnet.errors import ConfigError
from lbpnet.preprocess.checks import check_signal
from lbpnet.preprocess.linear_recurrence import RecurrenceKernels, TorchKernels, sosfilt
from lbpnet.preprocess.precision import full_precision

PADTYPES = ("odd", "even", "constant", None)


def default_padlen(sos: np.ndarray) -> int:
    """scipy's default edge: ``3 * ntaps`` with ``ntaps = 2 n_sections + 1`` less trailing zeros."""
    ntaps = 2 * len(sos) + 1 - min(int((sos[:, 2] == 0).sum()), int((sos[:, 5] == 0).sum()))
    return 3 * ntaps


def extend(x: torch.Tensor, edge: int, padtype: str | None, front: int = 0) -> torch.Tensor:
    """``(N, T)`` → ``(N, front + T + 2 edge)``: ``front`` zeros (chunk alignment), then the
    signal with scipy's odd/even/constant extension of ``edge`` samples at each end."""
    zeros = [x.new_zeros(x.shape[0], front)] if front else []
    if padtype is None or edge == 0:
        return torch.cat(zeros + [x], dim=-1) if front else x
    first, last = x[:, :1], x[:, -1:]
    if padtype == "constant":
        left, right = first.expand(-1, edge), last.expand(-1, edge)
    else:
        left, right = x[:, 1:edge + 1].flip(-1), x[:, -edge - 1:-1].flip(-1)
        if padtype == "odd":
            left, right = 2 * first - left, 2 * last - right
    return torch.cat(zeros + [left, x, right], dim=-1)


class ZeroPhaseSos(nn.Module):
    """Zero-phase filtering of ``(batch, channels, time)`` by an SOS cascade (sosfiltfilt).

    Parameters
    ----------
    sos : array, shape (n_sections, 6)
        Second-order sections (``scipy.signal`` layout), e.g. from ``butter(..., output="sos")``.
    padtype : {"odd", "even", "constant", None}
        Extension of both ends before filtering (scipy's ``padtype``).
    padlen : int, optional
        Samples added at each end; ``None`` is scipy's default (:func:`default_padlen`).
    check_finite : bool
        Raise :class:`~lbpnet.errors.FeatureError` on NaN/inf input (one reduction per call).
    name : str
        Used in error messages (the config field of this step).

    Input ``(..., time)``, float32 or float64 (float16/bfloat16 are filtered in float32 and
    cast back); output of the same shape, dtype and device. The signal needs more than
    ``padlen`` samples.
    """

    def __init__(self, sos, padtype: str | None = "odd", padlen: int | None = None,
                 check_finite: bool = True, name: str = "preprocess.filter") -> None:
        super().__init__()
        sos = np.atleast_2d(np.asarray(sos, dtype=np.float64))
        if sos.ndim != 2 or sos.shape[1] != 6 or not np.isfinite(sos).all():
            raise ConfigError(f"SOS must be finite with shape (n_sections, 6), got {sos.shape}",
                              field=f"{name}.sos", fix="design it with scipy.signal.butter(..., "
                                                       "output='sos') or tf2sos")
        if padtype not in PADTYPES:
            raise ConfigError(f"unknown padtype {padtype!r}", field=f"{name}.padtype",
                              fix=f"use one of {list(PADTYPES)}")
        if padlen is not None and int(padlen) < 0:
            raise ConfigError(f"padlen must be >= 0, got {padlen}", field=f"{name}.padlen",
                              fix="use null for scipy's default")
        self.name, self.padtype, self.check_finite = name, padtype, bool(check_finite)
        self.padlen = 0 if padtype is None else (default_padlen(sos) if padlen is None
                                                 else int(padlen))
        self.register_buffer("sos", torch.as_tensor(sos), persistent=False)
        self._zi = sosfilt_zi(sos).reshape(-1)                    # (2 n_sections,) float64
        self._kernels = RecurrenceKernels(sos)
        self._cache: dict = {}

    def extra_repr(self) -> str:
        """The filter's parameters for ``repr`` (second-order sections, padding type and
        length).
        """
        return f"sections={self.sos.shape[0]}, padtype={self.padtype!r}, padlen={self.padlen}"

    def _torch_kernels(self, like: torch.Tensor) -> tuple[TorchKernels, torch.Tensor]:
        key = (like.dtype, like.device)
        if key not in self._cache:
            self._cache[key] = (TorchKernels(self._kernels, like),
                                torch.as_tensor(self._zi, dtype=like.dtype, device=like.device))
        return self._cache[key]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(..., time)`` → same shape, filtered forwards and backwards along time."""
        check_signal(x, f"'{self.name}' (zero-phase filter)", self.padlen + 1, self.check_finite)
        shape, dtype = x.shape, x.dtype
        work = x if dtype in (torch.float32, torch.float64) else x.float()
        with torch.autocast(device_type=work.device.type, enabled=False), full_precision():
            flat = work.reshape(-1, shape[-1])
            kernels, zi = self._torch_kernels(flat)
            edge, length = self.padlen, shape[-1]
            # zeros in front align the extended signal to whole chunks: the forward pass
            # starts after them, the backward pass starts at the aligned last sample
            front = (-(length + 2 * edge)) % kernels.source.chunk
            ext = extend(flat, edge, self.padtype, front)
            y = sosfilt(ext, kernels, zi * ext[:, front:front + 1], start=front)
            y = sosfilt(y, kernels, zi * y[:, -1:], reverse=True)   # backwards, no flip
            y = y[:, front + edge:front + edge + length].contiguous()
        return y.reshape(shape).to(dtype)
