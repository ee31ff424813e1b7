"""Novelty (out-of-distribution) scores of windows from a model's logits and embeddings.

Every score is "higher = more novel", one number per window, computed with numpy from
arrays the model produced (:mod:`lbpnet.curation.run_outputs` gets them from a run):

- :func:`msp_score` — one minus the maximum softmax probability (the baseline;
  Hendrycks & Gimpel, ICLR 2017);
- :func:`energy_score` — the negative free energy ``-T logsumexp(logits / T)``
  (Liu et al., NeurIPS 2020);
- :class:`MahalanobisDetector` — the smallest squared Mahalanobis distance of the
  embedding to a class mean, one covariance shared by all classes (Lee et al.,
  NeurIPS 2018), fitted on training windows;
- :class:`KNNDetector` — the distance of the L2-normalised embedding to its k-th nearest
  training embedding (Sun et al., ICML 2022);
- :func:`label_uncertainty` / :func:`joint_energy_score` — the multi-label variants
  (per label, and summed over labels; Wang et al., NeurIPS 2021) for strategy detection.

Thresholds come from in-distribution (validation) windows at a stated retention:
:func:`threshold_at_retention`. :func:`auroc` and :func:`fpr_at_tpr` score a detector
against known novel windows.
"""

from __future__ import annotations

import numpy as np
import torch

from lbpnet.errors import ConfigError


def _logits(logits) -> np.ndarray:
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim != 2 or not np.isfinite(z).all():
        raise ConfigError(f"logits must be a finite (n_windows, n_outputs) array, got shape "
                          f"{z.shape}", field="logits",
                          fix="pass the model's outputs for a batch of windows")
    return z


def _logsumexp(z: np.ndarray) -> np.ndarray:
    top = z.max(axis=1, keepdims=True)
    return (top + np.log(np.exp(z - top).sum(axis=1, keepdims=True)))[:, 0]


def softmax(logits) -> np.ndarray:
    """Class probabilities (n_windows, n_classes) from logits (n_windows, n_classes)."""
    z = _logits(logits)
    return np.exp(z - _logsumexp(z)[:, None])


def msp_score(logits) -> np.ndarray:
    """``1 - max softmax probability``, (n_windows,), in [0, 1 - 1/n_classes]."""
    return 1.0 - softmax(logits).max(axis=1)


def energy_score(logits, temperature: float = 1.0) -> np.ndarray:
    """Negative free energy ``-T * logsumexp(logits / T)``, (n_windows,), unbounded."""
    z = _logits(logits)
    return -float(temperature) * _logsumexp(z / float(temperature))


def label_uncertainty(logits) -> np.ndarray:
    """Per-label uncertainty of a multi-label model, (n_windows, n_labels), in [0, 0.5]:
    ``1 - max(p, 1 - p)`` with ``p = sigmoid(logit)`` — 0.5 where the model cannot tell
    whether the label applies."""
    p = 1.0 / (1.0 + np.exp(-_logits(logits)))
    return 1.0 - np.maximum(p, 1.0 - p)


def joint_energy_score(logits) -> np.ndarray:
    """Multi-label energy ``-sum_l log(1 + exp(logit_l))``, (n_windows,): windows on which
    no label is confidently present score high."""
    z = _logits(logits)
    return -np.logaddexp(0.0, z).sum(axis=1)


def _features(x, name: str = "features") -> np.ndarray:
    f = np.asarray(x, dtype=np.float64)
    if f.ndim != 2 or not np.isfinite(f).all():
        raise ConfigError(f"{name} must be a finite (n_windows, dim) array, got shape "
                          f"{f.shape}", field=name, fix="pass the model's window embeddings")
    return f


class MahalanobisDetector:
    """Class-conditional Gaussians with one shared (tied) covariance on embeddings.

    Parameters
    ----------
    ridge : float
        Added to the covariance's diagonal, relative to its mean variance, so that a
        singular covariance (fewer windows than dimensions) stays invertible.
    """

    def __init__(self, ridge: float = 1e-3) -> None:
        self.ridge = float(ridge)
        self.means: np.ndarray | None = None
        self.precision: np.ndarray | None = None

    def fit(self, features, labels) -> "MahalanobisDetector":
        """Fit on training embeddings (n, dim) with their class labels (n,) int.

        Windows with a negative label (unlabelled) are left out."""
        f = _features(features)
        y = np.asarray(labels).astype(int).reshape(-1)
        keep = y >= 0
        f, y = f[keep], y[keep]
        classes = np.unique(y)
        if classes.size == 0:
            raise ConfigError("no labelled training windows to fit class means on",
                              field="labels", fix="fit on labelled windows")
        self.classes = classes
        self.means = np.stack([f[y == c].mean(axis=0) for c in classes])
        centred = f - self.means[np.searchsorted(classes, y)]
        cov = centred.T @ centred / max(len(f), 1)
        cov += np.eye(cov.shape[0]) * self.ridge * max(float(np.trace(cov)) / len(cov), 1e-12)
        self.precision = np.linalg.inv(cov)
        return self

    def distances(self, features) -> np.ndarray:
        """Squared Mahalanobis distance to each class mean, (n_windows, n_classes)."""
        if self.means is None:
            raise ConfigError("the Mahalanobis detector is not fitted", field="fit",
                              fix="call fit(training features, labels) first")
        f = _features(features)
        d = f[:, None, :] - self.means[None]
        return np.einsum("ncd,de,nce->nc", d, self.precision, d)

    def score(self, features) -> np.ndarray:
        """Smallest squared distance to a class mean, (n_windows,)."""
        return self.distances(features).min(axis=1)


def l2_normalise(features) -> np.ndarray:
    """Rows scaled to unit length, (n, dim); an all-zero row stays zero."""
    f = _features(features)
    return f / np.maximum(np.linalg.norm(f, axis=1, keepdims=True), 1e-12)


class KNNDetector:
    """Distance to the k-th nearest training embedding, on L2-normalised embeddings.

    Parameters
    ----------
    k : int
        Which neighbour (1 = the nearest).
    max_reference : int, optional
        Keep at most this many training embeddings (a seeded random subset).
    seed : int
    """

    def __init__(self, k: int = 10, max_reference: int | None = 20000, seed: int = 0) -> None:
        if int(k) < 1:
            raise ConfigError(f"k must be >= 1, got {k}", field="k", fix="use k=1 or more")
        self.k, self.max_reference, self.seed = int(k), max_reference, int(seed)
        self.reference: torch.Tensor | None = None

    def fit(self, features) -> "KNNDetector":
        """Keep the normalised training embeddings (n, dim)."""
        f = l2_normalise(features)
        if self.max_reference and len(f) > self.max_reference:
            pick = np.random.default_rng(self.seed).choice(len(f), self.max_reference,
                                                           replace=False)
            f = f[np.sort(pick)]
        if len(f) < self.k:
            raise ConfigError(f"{len(f)} training windows for k={self.k}", field="k",
                              fix="use a smaller k or more training windows")
        self.reference = torch.from_numpy(f)
        return self

    def score(self, features, chunk: int = 2048) -> np.ndarray:
        """Euclidean distance (of unit vectors, in [0, 2]) to the k-th neighbour, (n,)."""
        if self.reference is None:
            raise ConfigError("the kNN detector is not fitted", field="fit",
                              fix="call fit(training features) first")
        q = torch.from_numpy(l2_normalise(features))
        out = []
        for i in range(0, len(q), chunk):
            d = torch.cdist(q[i:i + chunk], self.reference)
            out.append(d.topk(self.k, dim=1, largest=False).values[:, -1])
        return torch.cat(out).numpy() if out else np.zeros(0)


def threshold_at_retention(scores, retention: float = 0.95) -> float:
    """The score below or at which ``retention`` of in-distribution windows fall.

    A window is novel when its score is strictly above the threshold, so at least
    ``retention`` of the windows given here are kept as in-distribution.
    """
    s = np.asarray(scores, dtype=np.float64).reshape(-1)
    if not 0.0 < float(retention) <= 1.0:
        raise ConfigError(f"retention must be in (0, 1], got {retention}", field="retention",
                          fix="give the share of in-distribution windows to keep, e.g. 0.95")
    s = s[np.isfinite(s)]
    if s.size == 0:
        raise ConfigError("no finite scores to set a threshold on", field="scores",
                          fix="give the scores of in-distribution (validation) windows")
    return float(np.quantile(s, float(retention), method="higher"))


def _check_truth(scores, is_novel) -> tuple[np.ndarray, np.ndarray]:
    s = np.asarray(scores, dtype=np.float64).reshape(-1)
    y = np.asarray(is_novel, dtype=bool).reshape(-1)
    if s.shape != y.shape or not (y.any() and (~y).any()):
        raise ConfigError(f"need scores and truth of one shape with both novel and "
                          f"in-distribution windows (got {s.shape}, {int(y.sum())} novel of "
                          f"{y.size})", field="is_novel",
                          fix="score a set holding both kinds of windows")
    return s, y


def auroc(scores, is_novel) -> float:
    """Area under the ROC curve of ``scores`` separating novel (True) from in-distribution
    windows; ties count one half (0.5 = chance, 1 = every novel window scores higher)."""
    from scipy.stats import rankdata

    s, y = _check_truth(scores, is_novel)
    ranks = rankdata(s)
    n1, n0 = int(y.sum()), int((~y).sum())
    return float((ranks[y].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def fpr_at_tpr(scores, is_novel, tpr: float = 0.95) -> float:
    """Share of in-distribution windows flagged when the threshold flags ``tpr`` of the
    novel ones (FPR@95TPR with novel windows as positives; lower is better)."""
    s, y = _check_truth(scores, is_novel)
    novel = np.sort(s[y])
    # the largest threshold t with share(novel >= t) >= tpr
    t = novel[int(np.floor((1.0 - float(tpr)) * len(novel)))]
    return float((s[~y] >= t).mean())
