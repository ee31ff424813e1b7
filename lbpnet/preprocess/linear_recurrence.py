"""Exact IIR filtering in torch: a cascade of biquads run as a blocked state-space recurrence.

A cascade of ``K`` second-order sections (SOS, transposed direct form II, as in
``scipy.signal.sosfilt``) is one linear time-invariant system with ``S = 2K`` states::

    s[n+1] = A s[n] + B x[n]        y[n] = C s[n] + D x[n]

where ``s`` holds the two delay registers of every section in scipy's order, so that
``scipy.signal.sosfilt_zi`` gives the initial state directly.

The signal is cut into chunks of ``L`` samples (here 64). Inside chunk ``j``, with state
``s_j`` on entry::

    y_chunk = T x_chunk + P s_j          s_{j+1} = G x_chunk + A^L s_j

``T`` is the ``L x L`` lower-triangular Toeplitz matrix of the first ``L`` samples of the
impulse response, ``P`` stacks ``C A^k`` and ``G`` stacks ``A^(L-1-k) B``. ``T`` and ``G``
are one matrix product over all chunks at once. The chunk states then obey the same kind of
recurrence (state matrix ``A^L``, input ``G x_chunk``), solved by the same blocking one
level up (16 chunks per block) until a single block remains: no per-sample or per-chunk
Python loop, only ``log16(n / L)`` levels of matrix products, on CPU or GPU.

Nothing is truncated: up to floating-point rounding the result equals the sample-by-sample
recursion (tests: ``scipy.signal.sosfilt`` to ~1e-14 in float64). The matrices are built in
float64 with numpy from the SOS coefficients and cast once per dtype and device.
"""

from __future__ import annotations

import math

import numpy as np
import torch

CHUNK = 64
"""Samples per chunk (``L``) of cascades with more than 4 states; 32 for smaller ones.

The Toeplitz product costs ``2 L`` flops per sample and the first scan level
``2 BLOCK S^2 / L``; these sizes were the fastest on a 2-core x86 CPU
(``benchmarks/preprocess_filters.py``)."""
BLOCK = 16
"""Chunk states per block at each higher level of the scan."""


def sos_state_space(sos: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """State-space ``(A, B, C, D)`` of an SOS cascade in transposed direct form II.

    Parameters
    ----------
    sos : array, shape (n_sections, 6)
        ``[b0, b1, b2, a0, a1, a2]`` per section (``scipy.signal`` layout).

    Returns
    -------
    A : array (S, S); B : array (S,); C : array (S,); D : float
        With ``S = 2 n_sections``; state ``2i`` and ``2i+1`` are the two delay registers of
        section ``i`` (the layout of ``scipy.signal.sosfilt_zi``).
    """
    sos = np.asarray(sos, dtype=np.float64)
    n_states = 2 * len(sos)
    a_mat = np.zeros((n_states, n_states))
    b_vec = np.zeros(n_states)
    c_vec = np.zeros(n_states)      # section input as a function of the state ...
    d = 1.0                         # ... and of the cascade input
    for i, (b0, b1, b2, a0, a1, a2) in enumerate(sos):
        b0, b1, b2, a1, a2 = b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0
        first, second = np.eye(n_states)[2 * i], np.eye(n_states)[2 * i + 1]
        # y = b0 v + z0;  z0' = b1 v - a1 y + z1;  z1' = b2 v - a2 y
        a_mat[2 * i] = (b1 - a1 * b0) * c_vec - a1 * first + second
        b_vec[2 * i] = (b1 - a1 * b0) * d
        a_mat[2 * i + 1] = (b2 - a2 * b0) * c_vec - a2 * first
        b_vec[2 * i + 1] = (b2 - a2 * b0) * d
        c_vec, d = b0 * c_vec + first, b0 * d
    return a_mat, b_vec, c_vec, float(d)


def _powers(m: np.ndarray, count: int) -> np.ndarray:
    """``[I, M, M^2, ..., M^(count-1)]`` as an array (count, S, S)."""
    out = np.empty((count,) + m.shape)
    out[0] = np.eye(len(m))
    for k in range(1, count):
        out[k] = out[k - 1] @ m
    return out


class RecurrenceKernels:
    """The float64 matrices of the blocked recurrence of one SOS cascade.

    Parameters
    ----------
    sos : array, shape (n_sections, 6)
        The filter.
    chunk : int, optional
        Samples per chunk ``L`` (default: :data:`CHUNK`, or 32 for up to 4 states).

    Attributes
    ----------
    chunk_matrix : array (L, L + S)
        ``[T^T | G^T]``: one product gives the zero-state outputs and end states of chunks.
    state_to_output : array (S, L)
        ``P^T``: output of a chunk from its initial state.
    levels : list of (W, Q)
        Per scan level: ``W`` (BLOCK*S, BLOCK*S) block-Toeplitz of powers of that level's
        state matrix, ``Q`` (S, BLOCK*S) the powers applied to a block's incoming state.
    """

    def __init__(self, sos: np.ndarray, chunk: int | None = None) -> None:
        a_mat, b_vec, c_vec, d = sos_state_space(sos)
        self.n_states = len(b_vec)
        self.chunk = int(chunk or (CHUNK if self.n_states > 4 else 32))
        powers = _powers(a_mat, self.chunk + 1)                          # A^0 .. A^L
        impulse = np.concatenate([[d], np.einsum("i,kij,j->k", c_vec, powers[:-2], b_vec)])
        lags = np.subtract.outer(np.arange(self.chunk), np.arange(self.chunk))  # i - j
        toeplitz = np.where(lags >= 0, impulse[np.clip(lags, 0, None)], 0.0)   # (L, L)
        to_state = np.einsum("kij,j->ki", powers[:-1][::-1], b_vec)      # row k: A^(L-1-k) B
        self.chunk_matrix = np.concatenate([toeplitz.T, to_state], axis=1)
        self.state_to_output = np.einsum("i,kij->jk", c_vec, powers[:-1])  # (S, L)
        self.chunk_transition = powers[-1]                               # A^L
        self.powers = powers
        self.levels: list[tuple[np.ndarray, np.ndarray]] = []
        self._next_transition = powers[-1]

    def level(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """Matrices ``(W, Q)`` of scan level ``index`` (built on first use)."""
        n = self.n_states
        while len(self.levels) <= index:
            pw = _powers(self._next_transition, BLOCK + 1)                # M^0 .. M^BLOCK
            w = np.zeros((BLOCK * n, BLOCK * n))
            for i in range(BLOCK):
                for j in range(i, BLOCK):
                    w[i * n:(i + 1) * n, j * n:(j + 1) * n] = pw[j - i].T
            q = np.concatenate([pw[j + 1].T for j in range(BLOCK)], axis=1)
            self.levels.append((w, q))
            self._next_transition = pw[-1]
        return self.levels[index]


def _cast(array: np.ndarray, like: torch.Tensor) -> torch.Tensor:
    """Cast to ``like``'s dtype and device. Entries below ``eps**2`` of that dtype are set to
    zero: the matrices are dimensionless with entries of order one, so they change no output
    beyond rounding, and their products would otherwise underflow into slow denormals."""
    tiny = torch.finfo(like.dtype).eps ** 2
    array = np.where(np.abs(array) < tiny, 0.0, array)
    return torch.as_tensor(array, dtype=like.dtype, device=like.device)


class TorchKernels:
    """:class:`RecurrenceKernels` cast to one dtype and device (cached per pair)."""

    def __init__(self, kernels: RecurrenceKernels, like: torch.Tensor) -> None:
        self.source, self.like = kernels, like
        toeplitz_t = kernels.chunk_matrix[:, :kernels.chunk]
        to_state_t = kernels.chunk_matrix[:, kernels.chunk:]
        readout = kernels.state_to_output
        # forwards, and reversed in time within a chunk (R T R, G R, R P with R the reversal)
        self._matrices = {
            False: tuple(_cast(np.ascontiguousarray(m), like)
                         for m in (toeplitz_t, to_state_t, readout)),
            True: tuple(_cast(np.ascontiguousarray(m), like)
                        for m in (toeplitz_t[::-1, ::-1], to_state_t[::-1], readout[:, ::-1]))}
        self.state_to_output = self._matrices[False][2]
        self.chunk_transition_t = _cast(kernels.chunk_transition.T, like)
        self._levels: list[tuple[torch.Tensor, torch.Tensor]] = []
        self._entry: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}

    def matrices(self, reverse: bool) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(T^T, G^T, P^T)`` of a forward pass, or of a reverse (anti-causal) pass."""
        return self._matrices[reverse]

    def _entry_pair(self, start: int) -> tuple[torch.Tensor, torch.Tensor]:
        if start not in self._entry:
            src = self.source
            readout = np.zeros_like(src.state_to_output)
            readout[:, start:] = src.state_to_output[:, :src.chunk - start]
            self._entry[start] = (_cast(src.powers[src.chunk - start].T, self.like),
                                  _cast(readout, self.like))
        return self._entry[start]

    def entry_transition_t(self, start: int) -> torch.Tensor:
        """``(A^(L - start))^T``: carries a state entering at ``start`` to the chunk's end."""
        return self.chunk_transition_t if start == 0 else self._entry_pair(start)[0]

    def entry_readout(self, start: int) -> torch.Tensor:
        """(S, L): output of the first chunk from a state entering at sample ``start``."""
        return self._entry_pair(start)[1]

    def level(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        """The kernels of scan level ``index`` as tensors of the target dtype and device (built
        once, then cached).
        """
        while len(self._levels) <= index:
            w, q = self.source.level(len(self._levels))
            self._levels.append((_cast(w, self.like), _cast(q, self.like)))
        return self._levels[index]


def _scan(inputs: torch.Tensor, kernels: TorchKernels, level: int) -> torch.Tensor:
    """States after each step of ``s[j+1] = M s[j] + u[j]`` from ``s[0] = 0``.

    ``inputs`` (N, J, S) → (N, J, S); ``M`` is this level's state matrix (``A^L`` at level
    0, raised to ``BLOCK`` at each level up).
    """
    n, steps, n_states = inputs.shape
    blocks = math.ceil(steps / BLOCK)
    padded = torch.nn.functional.pad(inputs, (0, 0, 0, blocks * BLOCK - steps))
    w, q = kernels.level(level)
    local = padded.reshape(n, blocks, BLOCK * n_states) @ w               # zero-state per block
    if blocks > 1:
        ends = _scan(local[..., -n_states:], kernels, level + 1)          # state after block b
        incoming = torch.nn.functional.pad(ends[:, :-1], (0, 0, 1, 0))    # state entering b
        local = local + incoming @ q
    return local.reshape(n, blocks * BLOCK, n_states)[:, :steps]


def sosfilt(x: torch.Tensor, kernels: TorchKernels, initial_state: torch.Tensor,
            start: int = 0, reverse: bool = False) -> torch.Tensor:
    """Filter ``x`` (N, T) along time from ``initial_state`` (N, S); returns (N, T).

    Forwards (``reverse=False``) the state enters at sample ``start`` (smaller than the
    chunk); the samples before it must be zero (alignment padding) and give zero output.
    Equal to ``scipy.signal.sosfilt(sos, x[:, start:], zi=initial_state)[0]`` up to rounding.
    With ``reverse=True`` the filter runs from the last sample to the first (anti-causal,
    ``start`` must be 0): equal to ``sosfilt`` of the time-reversed signal, reversed back,
    without reversing the signal in memory. A length that is not a multiple of the chunk
    is zero-padded at the end (forwards) or the start (reverse), one copy.
    """
    n, length = x.shape
    chunk = kernels.source.chunk
    n_chunks = max(1, math.ceil(length / chunk))
    if reverse and start:
        raise ValueError("a reverse pass starts at the last sample (start must be 0)")
    extra = n_chunks * chunk - length
    if extra:
        x = torch.nn.functional.pad(x, (extra, 0) if reverse else (0, extra))
    toeplitz_t, to_state_t, readout = kernels.matrices(reverse)
    rows = x.reshape(n * n_chunks, chunk)
    zero_state = (rows @ toeplitz_t).reshape(n, n_chunks, chunk)
    to_state = (rows @ to_state_t).reshape(n, n_chunks, -1)
    if reverse:                                         # the scan runs in processing order
        to_state = to_state.flip(1)
    first = to_state[:, :1] + (initial_state @ kernels.entry_transition_t(start))[:, None]
    ends = _scan(torch.cat([first, to_state[:, 1:]], dim=1), kernels, 0)  # after chunk j
    entry = initial_state[:, None] if start == 0 else torch.zeros_like(initial_state)[:, None]
    starts = torch.cat([entry, ends[:, :-1]], dim=1)                       # entering chunk j
    if reverse:
        starts = starts.flip(1)
    y = zero_state.baddbmm_(starts, readout.expand(n, *readout.shape))   # in place: no copy
    if start:
        y[:, 0] = y[:, 0] + initial_state @ kernels.entry_readout(start)
    y = y.reshape(n, n_chunks * chunk)
    return y[:, extra:] if reverse else y[:, :length]
