"""The "not a digit" detector and the temperature, as read from the model card."""

from __future__ import annotations

import json

import numpy as np
import pytest

from digits.network.card import read_card, write_card
from digits.network.classifier import Classifier, default_model, softmax
from digits.network.detector import SCORES, Detector
from digits.network.scores import MahalanobisParams
from digits.ui.wording import explain, score_line, verdict

from conftest import copy_app_model


def test_committed_card_has_detector_and_temperature(classifier):
    card = read_card(default_model())
    det = classifier.detector
    assert det is not None and det.score_name == card["ood"]["score"] in SCORES
    assert det.threshold == card["ood"]["threshold"]
    assert classifier.temperature == card["calibration"]["temperature"] > 0
    # The threshold was set on validation so that at most 0.5% of its digits are rejected.
    assert card["ood"]["validation_rejection"] <= 0.005
    # The chosen score had the best AUROC on the tuning outliers.
    aurocs = card["ood"]["tuning_auroc"]
    assert aurocs[det.score_name] == max(aurocs.values())


def test_card_values_are_what_the_classifier_uses(tmp_path):
    model = copy_app_model(tmp_path)
    card = read_card(default_model())
    card["calibration"]["temperature"] = 2.5
    card["ood"]["threshold"] = -1e9  # rejects everything
    write_card(model, card)
    clf = Classifier(model)
    assert clf.temperature == 2.5 and clf.detector.threshold == -1e9
    image = np.zeros((28, 28), np.float32)
    image[4:24, 13:15] = 1.0  # a plain "1"
    reading = clf.read(image)
    assert np.allclose(reading.probabilities, softmax(reading.logits, 2.5))
    assert reading.raw_confidence == pytest.approx(softmax(reading.logits).max())
    assert reading.is_digit is False and reading.ood_score > -1e9


def test_card_without_detector(tmp_path):
    model = copy_app_model(tmp_path)
    card = {k: v for k, v in read_card(default_model()).items() if k not in ("ood", "calibration")}
    write_card(model, card)
    clf = Classifier(model)
    assert clf.detector is None and clf.temperature == 1.0
    reading = clf.read(np.zeros((28, 28), np.float32))
    assert reading.is_digit is None and reading.ood_score is None
    assert verdict(None) == "unchecked" and "calibration" in explain(None, None)


def test_detector_scores_by_hand():
    """Mahalanobis with identity precision is the squared distance to the nearest class mean."""
    params = MahalanobisParams(means=np.array([[0.0, 0.0], [4.0, 0.0]]), precision=np.eye(2))
    det = Detector("mahalanobis", threshold=2.0, mahalanobis=params)
    features = np.array([[1.0, 1.0], [3.0, 0.0], [2.0, 3.0]])
    logits = np.zeros((3, 10))
    assert np.allclose(det.score(logits, features), [2.0, 1.0, 13.0])
    assert det.accepts(2.0) and det.accepts(1.0) and not det.accepts(13.0)
    scores = det.scores(logits, features)
    assert np.allclose(scores["msp"], 0.9) and np.allclose(scores["energy"], -np.log(10))
    assert json.loads(json.dumps(det.to_card()))["score"] == "mahalanobis"
    assert Detector.from_card({"ood": det.to_card()}).threshold == 2.0


def test_combined_score_by_hand():
    params = MahalanobisParams(means=np.zeros((1, 2)), precision=np.eye(2))
    det = Detector("combined", 0.0, params, standardizer={"mean": [-2.0, 1.0], "std": [1.0, 2.0]})
    logits = np.zeros((1, 10))  # energy = -ln 10
    features = np.array([[1.0, 2.0]])  # Mahalanobis = 5
    expected = (-np.log(10) + 2.0) / 1.0 + (5.0 - 1.0) / 2.0
    assert det.score(logits, features)[0] == pytest.approx(expected)


def test_unknown_score_in_card_is_refused():
    with pytest.raises(ValueError, match="unknown score"):
        Detector.from_card({"ood": {"score": "vibes", "threshold": 1, "mahalanobis": {}}})


def test_a_second_network_reads_the_same_input(classifier, mnist_test):
    """The non-digit page sets the plain network's reading beside the app's, on one 28x28 input."""
    from digits.network.recognize import recognize

    from helpers import on_paper

    x, y = mnist_test
    result = recognize(on_paper(x[0], height=120), classifier)
    again = result.read_whole_with(classifier)
    assert again.label == result.whole.reading.label == y[0]
    assert np.allclose(again.logits, result.whole.reading.logits, atol=1e-4)
    assert result.read_whole_with(None) is None
    blank = recognize(np.full((60, 60), 255, np.uint8), classifier)
    assert blank.blank and blank.read_whole_with(classifier) is None


def test_the_verdict_line_names_the_number_it_shows(classifier):
    """A plain 1 read at ~100%: the line a user sees must not call its tiny MSP score the maximum
    softmax probability (the score is 1 - that probability; a page once printed "maximum softmax
    probability score 2.09e-06" under a digit read at 100%)."""
    image = np.zeros((28, 28), np.float32)
    image[4:24, 13:15] = 1.0
    reading = classifier.read(image)
    line = explain(reading.ood_score, classifier.detector)
    if classifier.detector.score_name == "msp":
        top = softmax(reading.logits).max()
        assert reading.ood_score == pytest.approx(1 - top, abs=1e-6)
        assert line.startswith("1 − maximum softmax probability score")
    assert f"{reading.ood_score:.3g}" in line
    # The short form the Draw tab shows under each digit, with the line above as its help.
    assert score_line(reading.ood_score, classifier.detector) == (
        f"Score {reading.ood_score:.3g} ≤ threshold {classifier.detector.threshold:.3g}"
    )
