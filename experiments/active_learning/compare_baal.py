"""Do baal's heuristics score toy MC-dropout predictions as lbpnet.curation does?

    PYTHONPATH=<folder with baal 2.1.0 and structlog, installed --no-deps> \
        python experiments/active_learning/compare_baal.py

Toy case (synthetic): Dirichlet probabilities for 500 windows, 4 classes, 20 passes.
"""

import numpy as np

from lbpnet.curation.al_strategies import bald_scores, entropy_scores, margin_scores


def main() -> None:
    from baal.active.heuristics import BALD, Entropy, Margin

    rng = np.random.default_rng(0)
    mc = rng.dirichlet(np.full(4, 0.7), size=(20, 500))       # (passes, n, classes)
    baal_in = np.transpose(mc, (1, 2, 0))                      # baal: (n, classes, passes)
    pairs = {"bald": (bald_scores(mc), BALD().compute_score(baal_in)),
             "entropy": (entropy_scores(mc.mean(0)), Entropy().compute_score(baal_in)),
             # baal's Margin scores the gap top1 - top2 (it ranks small gaps first);
             # lbpnet's is 1 - gap (higher = label sooner): compared as 1 - baal's
             "margin": (margin_scores(mc.mean(0)), 1.0 - Margin().compute_score(baal_in))}
    for name, (ours, theirs) in pairs.items():
        theirs = np.asarray(theirs, dtype=float)
        rank = np.corrcoef(np.argsort(np.argsort(ours)), np.argsort(np.argsort(theirs)))[0, 1]
        print(f"{name}: max |lbpnet - baal| = {np.abs(ours - theirs).max():.3g}, "
              f"rank correlation {rank:.4f}")


if __name__ == "__main__":
    main()
