"""Plain-language sentences for clinicians: predictions with their uncertainty,
faithfulness of the explanation, signal quality."""

from __future__ import annotations

import numpy as np

FAITHFULNESS_WORDS = {
    "deletion_auc": "probability left while the most-attributed cells are removed first "
                    "(area under the curve; lower = more faithful)",
    "insertion_auc": "probability reached while the most-attributed cells are restored first "
                     "(area under the curve; higher = more faithful)",
    "comprehensiveness": "drop in probability when the top {k}% of cells are removed "
                         "(higher = more faithful)",
    "sufficiency": "drop in probability when only the top {k}% of cells are kept "
                   "(lower = more faithful)",
    "n_windows": "windows the scores were measured on",
    "ground_truth": "agreement of the attribution with the signal the simulator planted "
                    "({what}; synthetic data only)",
}


def describe_score(key: str) -> str:
    """What a faithfulness score means, in words (``""`` for an unknown key)."""
    random = key.startswith("random_")
    base = key[len("random_"):] if random else key
    if base.startswith("ground_truth_"):
        text = FAITHFULNESS_WORDS["ground_truth"].format(what=base[len("ground_truth_"):])
    elif base in FAITHFULNESS_WORDS:
        text = FAITHFULNESS_WORDS[base]
    else:
        name, _, k = base.rpartition("_")
        if name not in FAITHFULNESS_WORDS or not k.isdigit():
            return ""
        text = FAITHFULNESS_WORDS[name].format(k=k)
    return f"the same with a random ranking of the cells: {text}" if random else text


SCORE_NOTE = ("Scores are the model's outputs between 0 and 1 (sigmoid or softmax), not "
              "calibrated probabilities: no calibration was fitted, so a score of 0.8 does not "
              "mean an 80 % chance. Read them against the decision threshold, not as risks.")


def count_windows(n_explained: int, n_session: int | None) -> str:
    """``"8 explained windows of the 412 windows of this session"`` (or without the total
    when it is not known)."""
    text = f"{n_explained} explained window{'s' if n_explained != 1 else ''}"
    if n_session is not None:
        text += f" of the {n_session} window{'s' if n_session != 1 else ''} of this session"
    return text


def likelihood(probability: np.ndarray, threshold: float) -> tuple[str, str]:
    """``(words, css_class)`` for an output over a session's windows, by the model's own
    decision rule (probability at or above the output's threshold):

    - ``likely``: at least 70 % of the windows are above the threshold;
    - ``unlikely``: no window is;
    - ``present in part of the session``: the rest (some windows, not most).
    """
    p = np.asarray(probability, dtype=float)
    above = float((p >= threshold).mean())
    if above >= 0.7:
        return "likely", "likely"
    if above == 0:
        return "unlikely", "unlikely"
    return "present in part of the session", "uncertain"


def prediction_sentence(output_name: str, probability: np.ndarray | None, threshold: float,
                        multilabel: bool) -> tuple[str, str]:
    """One sentence on one output over a session's windows, and its css class.

    Examples
    --------
    >>> prediction_sentence("guarding", np.array([0.9, 0.8, 0.7]), 0.5, True)[0]
    'The model rates guarding as likely (3 of 3 explained windows of this session at or above the decision threshold 0.50; mean score of guarding over the 3 explained windows 0.80, range 0.70–0.90).'

    ``probability`` holds the model's (uncalibrated) score of the output in each explained
    window of the session; its mean is over those windows, not over the whole session.
    """
    name = output_name.split("/")[-1].replace("_", " ")
    if probability is None or len(probability) == 0:
        return (f"The model's score of {name} was not recorded with this explanation; "
                "only the attribution is shown.", "muted")
    p = np.asarray(probability, dtype=float)
    word, css = likelihood(p, threshold)
    n, above = len(p), int((p >= threshold).sum())
    spread = (f"range {p.min():.2f}–{p.max():.2f}" if n < 10 else
              f"middle 80% of them {np.quantile(p, 0.1):.2f}–{np.quantile(p, 0.9):.2f}")
    kind = "decision threshold" if multilabel else "threshold"
    text = (f"The model rates {name} as {word} ({above} of {n} explained "
            f"window{'s' if n != 1 else ''} of this session at or above the {kind} "
            f"{threshold:.2f}; mean score of {name} over the {n} explained "
            f"window{'s' if n != 1 else ''} {p.mean():.2f}, {spread}).")
    if 0.3 < above / n < 0.7 and n >= 3:
        text += " The windows disagree, so treat this finding as uncertain."
    elif above and abs(p.mean() - threshold) < 0.1 and p.max() - threshold < 0.1:
        text += " Every probability is close to the threshold, so this is uncertain."
    return text, css


def class_sentence(output_name: str, n_windows: int, n_total: int,
                   probability: np.ndarray) -> str:
    """Single-label tasks: how many explained windows the model assigns to a class, and its
    score of that class in those windows only (``probability``, one per assigned window)."""
    name = output_name.split("/")[-1].replace("_", " ")
    p = np.asarray(probability, dtype=float)
    return (f"The model classifies {n_windows} of {n_total} explained "
            f"window{'s' if n_total != 1 else ''} of this session as {name} (mean score of "
            f"{name} in those {n_windows} window{'s' if n_windows != 1 else ''} {p.mean():.2f}, "
            f"lowest {p.min():.2f}).")


def faithfulness_sentence(scores: dict) -> tuple[str, str]:
    """A verdict on the explanation's faithfulness, and a css class."""
    if not scores:
        return ("The faithfulness of this explanation was not measured: read the heat maps "
                "as a hypothesis, not as evidence.", "uncertain")
    parts, good, checks = [], 0, 0
    for key, better in (("deletion_auc", -1), ("insertion_auc", 1),
                        ("comprehensiveness_20", 1)):
        rand = scores.get(f"random_{key}")
        if key in scores and rand is not None:
            checks += 1
            ok = (scores[key] - rand) * better > 0
            good += ok
            parts.append(f"{key.replace('_', ' ')} {scores[key]:.3f} vs {rand:.3f} at random "
                         f"({'better' if ok else 'not better'} than random)")
    if not checks:
        return ("Faithfulness scores are listed below; no random-order reference was given to "
                "compare them with.", "uncertain")
    verdict = ("The highlighted channels and segments change the model's output more than "
               "random ones" if good == checks else
               "The highlighted parts do NOT consistently change the output more than random "
               "ones; do not rely on this heat map")
    return f"{verdict}: " + "; ".join(parts) + ".", "good" if good == checks else "bad"


def quality_text(value, flags: str = "") -> str:
    """A window's quality in words: a QC score (1 clean, 0 bad; :mod:`lbpnet.qc`) and the
    checks that flagged it; ``None``/NaN without flags → ``"not assessed"``."""
    flags = str(flags or "").strip()
    missing = value is None or (isinstance(value, (float, np.floating)) and np.isnan(value))
    if missing:
        return f"flags: {flags}" if flags else "not assessed"
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        v = float(value)
        label = "clean" if v >= 0.9 else "doubtful" if v >= 0.5 else "poor"
        text = f"{label} (QC score {v:.2f}, 1 = clean)"
    else:
        text = str(value).strip() or "no flag raised"
    return f"{text}; flags: {flags}" if flags else text
