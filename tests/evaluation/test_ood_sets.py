"""The out-of-distribution evaluation sets."""

from __future__ import annotations

import numpy as np

from digits.datasets.photos import PHOTO_NAMES
from digits.evaluation.ood_sets import photo_crops


def test_photo_crops_are_rgb():
    pics = photo_crops(4, 11, size=64)
    assert pics.shape == (4, 64, 64, 3) and pics.dtype == np.uint8
    assert "text" not in PHOTO_NAMES and "page" not in PHOTO_NAMES


def test_the_page_counts_the_detectors_verdict_on_every_picture_read(classifier, mnist_test):
    """The counts the Not a digit page shows (``ood_scores.json``): of the pictures that are not blank
    (the app says "nothing to read" to those), how many the detector calls not a digit. Real MNIST
    test digits and Fashion-MNIST pictures, and three blank ones."""
    from digits.datasets.fashion_mnist import load_fashion_mnist
    from digits.evaluation.evaluate_ood import _rejected
    from digits.evaluation.ood_sets import BLANK_SCORE, scores_of

    x, _ = mnist_test
    fashion, _ = load_fashion_mnist("test")
    pictures = [*x[:100], *fashion[:100], *[np.zeros((28, 28), np.uint8)] * 3]
    scores, _, kept = scores_of(classifier, pictures)
    detector = classifier.detector
    values = scores[detector.score_name]
    rejected, read = _rejected(values, detector.threshold)
    assert read == kept.sum() == 200 and not kept[-3:].any()
    assert rejected == sum(not detector.accepts(v) for v in values[kept]) and 50 < rejected < 200
    t = detector.threshold  # at the threshold a digit, as the detector says; blanks left out
    assert _rejected(np.array([t, np.nextafter(t, np.inf), BLANK_SCORE]), t) == [1, 2]
    assert detector.accepts(t) and not detector.accepts(np.nextafter(t, np.inf))
