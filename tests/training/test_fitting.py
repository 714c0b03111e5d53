"""Fitting the detector and the calibration: Mahalanobis, temperature, threshold, standardizer."""

from __future__ import annotations

import numpy as np
import pytest

from digits.evaluation.metrics import rejection_rate
from digits.network.scores import mahalanobis_score
from digits.training.fitting import TEMPERATURE_BOUNDS, fit_mahalanobis, fit_temperature, threshold_for_rejection_rate

FEATURES = np.array([[1.0, 1.0], [-1.0, -1.0], [11.0, 0.0], [9.0, 0.0]])


LABELS = np.array([0, 0, 1, 1])


def test_fit_mahalanobis_by_hand():
    params = fit_mahalanobis(FEATURES, LABELS, num_classes=2, ridge=0.0)
    np.testing.assert_allclose(params.means, [[0, 0], [10, 0]], atol=1e-12)
    np.testing.assert_allclose(params.precision, [[2, -2], [-2, 4]], atol=1e-12)
    assert (params.num_classes, params.dim) == (2, 2)


def test_mahalanobis_ridge_keeps_dead_units_finite():
    """A ReLU unit that never fires has zero variance; the ridge keeps the precision finite, and
    an input that fires it scores far out."""
    rng = np.random.default_rng(0)
    x = np.abs(rng.normal(size=(200, 4)))
    x[:, 3] = 0.0  # dead unit
    y = np.arange(200) % 2
    params = fit_mahalanobis(x, y, num_classes=2)
    assert np.isfinite(params.precision).all()
    np.testing.assert_allclose(params.precision, params.precision.T)
    inside, fired = x[:1].copy(), x[:1].copy()
    fired[0, 3] = 1.0
    assert mahalanobis_score(fired, params)[0] > 100 * mahalanobis_score(inside, params)[0] + 100
    with pytest.raises(ValueError, match="singular"):
        fit_mahalanobis(x, y, num_classes=2, ridge=0.0)


def test_mahalanobis_gaussian_in_distribution_scores_near_dimension():
    rng = np.random.default_rng(1)
    d, k = 8, 3
    means = rng.normal(scale=10, size=(k, d))
    y = rng.integers(k, size=4000)
    x = means[y] + rng.normal(size=(4000, d))
    params = fit_mahalanobis(x, y, num_classes=k)
    scores = mahalanobis_score(x, params)
    assert d - 1 < scores.mean() < d + 0.5  # chi-squared(d) mean, minus a little for the min


@pytest.mark.parametrize(
    "features, labels, k",
    [
        (FEATURES, LABELS, 3),  # class 2 has no samples
        (FEATURES, [0, 0, 1, 2], 2),  # label out of range
        (FEATURES, [0, 0, 1], 2),  # length mismatch
        (FEATURES[:, 0], LABELS, 2),  # 1-D features
        (np.zeros((0, 2)), [], 2),  # empty
        (np.where(FEATURES == 1, np.nan, FEATURES), LABELS, 2),  # NaN
        (FEATURES, [0, 0, 1, 1.5], 2),  # non-integer label
    ],
)
def test_fit_mahalanobis_rejects_bad_input(features, labels, k):
    with pytest.raises(ValueError):
        fit_mahalanobis(features, labels, num_classes=k)


def test_fit_temperature_recovers_a_known_temperature():
    rng = np.random.default_rng(3)
    logits = rng.normal(scale=4.0, size=(4000, 10))
    p = np.exp(logits / 2.0)
    p /= p.sum(axis=1, keepdims=True)
    labels = (p.cumsum(axis=1) > rng.random((4000, 1))).argmax(axis=1)  # labels ~ softmax(z / 2)
    assert fit_temperature(logits, labels) == pytest.approx(2.0, rel=0.08)


def test_fit_temperature_respects_bounds():
    # every label is the argmax: the NLL keeps falling as T -> 0, so the lower bound is returned
    logits = np.array([[3.0, 0.0], [0.0, 3.0]])
    assert fit_temperature(logits, [0, 1]) == pytest.approx(TEMPERATURE_BOUNDS[0], rel=1e-3)
    assert fit_temperature(logits, [0, 1], bounds=(0.5, 4)) == pytest.approx(0.5, rel=1e-3)
    with pytest.raises(ValueError):
        fit_temperature(logits, [0, 1], bounds=(0, 4))
    with pytest.raises(ValueError):
        fit_temperature(logits, [0, 2])


def test_threshold_for_rejection_rate():
    scores = np.random.default_rng(6).permutation(np.arange(1.0, 1001.0))
    t = threshold_for_rejection_rate(scores, 0.005)
    assert t == 995.0
    assert rejection_rate(scores, t) == pytest.approx(0.005)
    assert rejection_rate(scores, t - 1) > 0.005  # the smallest such threshold
    assert threshold_for_rejection_rate(scores, 0.0) == 1000.0
    assert threshold_for_rejection_rate(scores, 1.0) == 1.0
    assert threshold_for_rejection_rate(np.zeros(10), 0.3) == 0.0  # ties: nothing rejected
    assert threshold_for_rejection_rate([5.0], 0.5) == 5.0
    assert rejection_rate([1, 2, 3, 4], 2) == 0.5
