"""Rater agreement on a label set: Cohen's kappa (two raters) or Fleiss' kappa (more).

Items are intervals of recordings (see :mod:`lbpnet.recording.label_adjudication`).
Agreement is computed on the items every rater labelled (Fleiss' kappa needs the
same number of ratings per item); per class, each rating is recoded as "this
class or not" and the kappa of that binary rating is reported. Kappa comes from
scikit-learn (``cohen_kappa_score``) and statsmodels (``fleiss_kappa``), not
written here.
"""

from __future__ import annotations

import numpy as np

from lbpnet.errors import ConfigError
from lbpnet.recording.label_adjudication import votes_by_item
from lbpnet.recording.label_store_format import LabelEntry


def _kappa(ratings: np.ndarray, n_categories: int) -> float:
    """Kappa of ``ratings`` (items, raters) of category codes: Cohen's for 2 raters,
    Fleiss' for more. NaN when it is undefined (one category only)."""
    from sklearn.metrics import cohen_kappa_score
    from statsmodels.stats.inter_rater import fleiss_kappa

    if len(np.unique(ratings)) < 2:
        return float("nan")
    if ratings.shape[1] == 2:
        return float(cohen_kappa_score(ratings[:, 0], ratings[:, 1]))
    table = np.stack([(ratings == k).sum(axis=1) for k in range(n_categories)], axis=1)
    return float(fleiss_kappa(table, method="fleiss"))


def rater_agreement(entries: list[LabelEntry], classes: list[str]) -> dict:
    """Agreement of the raters over the items all of them labelled.

    Parameters
    ----------
    entries : list of LabelEntry
        Active entries of a label set.
    classes : list of str
        The class set (category order).

    Returns
    -------
    dict
        ``raters`` (sorted names), ``method`` (``cohen`` or ``fleiss``), ``n_items``
        (items every rater labelled), ``n_items_any`` (items anyone labelled),
        ``kappa`` (all classes), ``per_class`` ``{class: kappa}`` (one vs rest; NaN
        when undefined) and ``observed_agreement`` (share of items with one label).

    Raises
    ------
    ConfigError
        Fewer than two raters, or no item that every rater labelled.
    """
    items = votes_by_item(entries)
    raters = sorted({a for votes in items.values() for a in votes})
    if len(raters) < 2:
        raise ConfigError(f"agreement needs two raters or more; the label set has {raters}",
                          field="annotator", fix="have a second rater review the same queue")
    shared = [votes for votes in items.values() if all(r in votes for r in raters)]
    if not shared:
        raise ConfigError(f"no interval was labelled by every rater ({', '.join(raters)})",
                          field="annotator",
                          fix="give every rater the same review tasks (the same queue)")
    code = {c: i for i, c in enumerate(classes)}
    ratings = np.array([[code[v[r]] for r in raters] for v in shared])
    per_class = {c: _kappa((ratings == k).astype(int), 2) for c, k in code.items()}
    return {"raters": raters, "method": "cohen" if len(raters) == 2 else "fleiss",
            "n_items": len(shared), "n_items_any": len(items),
            "kappa": _kappa(ratings, len(classes)), "per_class": per_class,
            "observed_agreement": float(np.mean([len(set(r)) == 1 for r in ratings]))}
