"""Random-number state that travels with a checkpoint, so that a resumed run equals an
uninterrupted one.

Two kinds of state decide what a training epoch draws:

- the **global generators** (Python ``random``, NumPy's legacy global, torch's CPU and
  CUDA generators): dropout, augmentation (:mod:`lbpnet.tasks.augmentation`) and anything
  else calling ``torch.rand*`` draw from them. :class:`RngState` saves them with every
  checkpoint and puts them back when training resumes.
- the **shuffle generator** of the training loader (``torch.Generator``, seeded once per
  fit with the data module's ``seed``): it draws the order of the windows and the base
  seed of the loader's workers each epoch. :class:`ShuffleState` saves it with the data
  module's checkpoint entry.

Both are stored as tensors, ints and tuples only, so checkpoints stay loadable with
``torch.load(weights_only=True)``.
"""

from __future__ import annotations

import random

import numpy as np
import pytorch_lightning as pl
import torch


def global_rng_state() -> dict:
    """The state of Python's, NumPy's and torch's global generators (CUDA: every device)."""
    kind, key, pos, has_gauss, gauss = np.random.get_state(legacy=True)
    state = {"python": random.getstate(),
             "numpy": {"kind": str(kind), "key": torch.from_numpy(key.astype(np.int64)),
                       "pos": int(pos), "has_gauss": int(has_gauss), "gauss": float(gauss)},
             "torch": torch.get_rng_state()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_global_rng_state(state: dict) -> None:
    """Put back a :func:`global_rng_state` (the CUDA part only where CUDA runs now)."""
    random.setstate(_as_tuples(state["python"]))
    n = state["numpy"]
    np.random.set_state((n["kind"], n["key"].numpy().astype(np.uint32), n["pos"],
                         n["has_gauss"], n["gauss"]))
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def _as_tuples(value):
    """``random.setstate`` wants tuples; a checkpoint round trip may give lists."""
    if isinstance(value, (list, tuple)):
        return tuple(_as_tuples(v) for v in value)
    return value


class RngState(pl.Callback):
    """Saves the global generators with each checkpoint; restores them when fitting resumes.

    The state is taken when the checkpoint is written (end of an epoch) and put back
    at ``on_train_start`` of the resumed run, i.e. after the sanity validation, just
    before the first resumed training batch: the draws of the resumed epoch are then
    those the uninterrupted run made.
    """

    def __init__(self) -> None:
        self._pending: dict | None = None

    def state_dict(self) -> dict:
        """Every global random generator's state (Python, numpy, torch), saved with the
        checkpoint.
        """
        return global_rng_state()

    def load_state_dict(self, state_dict: dict) -> None:
        """Keep a saved generator state, restored when training starts."""
        self._pending = state_dict

    def on_train_start(self, trainer, pl_module) -> None:
        """Restore the generator state of the resumed checkpoint, if any."""
        if self._pending is not None:
            set_global_rng_state(self._pending)
            self._pending = None


class ShuffleState:
    """Mixin of a LightningDataModule: the training loader's shuffle generator, saved with
    the checkpoint (``state_dict``) and restored into the loader of the resumed run.

    The data module calls :meth:`shuffle_generator` when it builds its training loader
    and passes the generator to ``DataLoader(generator=...)``; it needs ``self.seed``.
    """

    _train_generator: torch.Generator | None = None
    _pending_shuffle: torch.Tensor | None = None

    def shuffle_generator(self) -> torch.Generator:
        """A generator seeded with ``self.seed``, or in the state a checkpoint restored."""
        g = torch.Generator().manual_seed(int(self.seed))
        if self._pending_shuffle is not None:
            g.set_state(self._pending_shuffle)
            self._pending_shuffle = None
        self._train_generator = g
        return g

    def state_dict(self) -> dict:
        """The training loader's shuffle generator state (empty before the first loader)."""
        if self._train_generator is None:
            return {}
        return {"train_shuffle_generator": self._train_generator.get_state()}

    def load_state_dict(self, state_dict: dict) -> None:
        """Keep a saved shuffle generator state for the next training loader."""
        state = state_dict.get("train_shuffle_generator")
        if state is not None:
            self._pending_shuffle = state
