"""Plain-language sentences: likelihood words, counts, faithfulness verdicts, quality."""

import numpy as np

from lbpnet.reports.wording import (faithfulness_sentence, likelihood, prediction_sentence,
                                    quality_text)


def test_likelihood_words_follow_the_decision_rule():
    assert likelihood(np.array([0.9, 0.8, 0.85]), 0.5)[0] == "likely"
    assert likelihood(np.array([0.1, 0.2, 0.05]), 0.5)[0] == "unlikely"
    assert likelihood(np.array([0.55, 0.45, 0.6]), 0.5)[0] == "present in part of the session"
    # a high threshold (chosen on validation data) with a few windows above it
    assert likelihood(np.array([0.99, 0.98, 0.1, 0.0, 0.2, 0.1, 0.3, 0.0]), 0.95)[0] == \
        "present in part of the session"
    assert likelihood(np.array([0.4, 0.42]), 0.3)[0] == "likely"
    assert likelihood(np.array([0.29]), 0.3)[0] == "unlikely"


def test_prediction_sentence_counts_windows_and_flags_disagreement():
    text, css = prediction_sentence("strategy/co_contraction", np.array(
        [0.9, 0.8, 0.2, 0.3, 0.85, 0.1]), 0.5, True)
    assert text.startswith("The model rates co contraction as present in part of the session")
    assert "3 of 6 explained windows" in text and "windows disagree" in text and css == "uncertain"
    text, _ = prediction_sentence("guarding", np.array([0.52, 0.55, 0.51]), 0.5, True)
    assert "close to the threshold" in text
    text, _ = prediction_sentence("guarding", None, 0.5, True)
    assert "not recorded" in text


def test_faithfulness_verdict_against_random():
    good, css = faithfulness_sentence({"deletion_auc": 0.2, "random_deletion_auc": 0.5})
    assert good.startswith("The highlighted channels") and css == "good"
    bad, css = faithfulness_sentence({"deletion_auc": 0.6, "random_deletion_auc": 0.5,
                                      "insertion_auc": 0.7, "random_insertion_auc": 0.5})
    assert "do NOT" in bad and css == "bad"
    assert "not measured" in faithfulness_sentence({})[0]


def test_quality_words():
    assert quality_text(None) == "not assessed"
    assert quality_text(float("nan")) == "not assessed"
    assert quality_text(0.95).startswith("clean")
    assert quality_text(0.2, "emg/powerline").startswith("poor") and "emg/powerline" in \
        quality_text(0.2, "emg/powerline")
