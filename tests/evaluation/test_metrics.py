"""Detection and calibration metrics, checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from digits.evaluation.metrics import auroc, expected_calibration_error, fpr_at_95_tpr, rejection_rate
from digits.training.fitting import threshold_for_rejection_rate


def test_expected_calibration_error_by_hand():
    probs = [[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.4, 0.6]]
    labels = [0, 1, 0, 1]
    # bin of 0.9: accuracy 1/2, confidence 0.9, gap 0.4, weight 2/4; bin of 0.6: accuracy 1, gap 0.4, weight 2/4
    assert expected_calibration_error(probs, labels, n_bins=10) == pytest.approx(0.4)
    assert expected_calibration_error(probs, labels, n_bins=1) == pytest.approx(abs(0.75 - 0.75))
    assert expected_calibration_error([[1.0, 0.0], [0.0, 1.0]], [0, 1]) == 0.0
    assert expected_calibration_error([[1.0, 0.0], [0.0, 1.0]], [1, 0]) == pytest.approx(1.0)


def test_expected_calibration_error_of_calibrated_probabilities_is_small():
    rng = np.random.default_rng(4)
    p = rng.dirichlet(np.ones(10) * 0.3, size=20000)
    labels = (p.cumsum(axis=1) > rng.random((20000, 1))).argmax(axis=1)
    assert expected_calibration_error(p, labels) < 0.02


def test_expected_calibration_error_rejects_bad_input():
    with pytest.raises(ValueError):
        expected_calibration_error([[1.5, -0.5]], [0])
    with pytest.raises(ValueError):
        expected_calibration_error([[0.5, 0.5]], [0], n_bins=0)
    with pytest.raises(ValueError):
        expected_calibration_error(np.zeros((0, 2)), [])


def test_auroc_by_hand():
    assert auroc([0, 1, 2], [3, 4]) == 1.0
    assert auroc([3, 4], [0, 1, 2]) == 0.0
    assert auroc([1, 1, 1], [1, 1]) == 0.5
    # out 1 beats in 0, ties in 1, loses to 2 (1.5); out 3 beats all three (3): 4.5 of 6 pairs
    assert auroc([0, 1, 2], [1, 3]) == pytest.approx(0.75)


def test_auroc_matches_pairwise_count():
    rng = np.random.default_rng(5)
    a, b = rng.integers(0, 20, size=50).astype(float), rng.integers(5, 25, size=40).astype(float)
    pairs = (b[:, None] > a[None, :]).mean() + 0.5 * (b[:, None] == a[None, :]).mean()
    assert auroc(a, b) == pytest.approx(pairs)


def test_fpr_at_95_tpr_by_hand():
    scores_in = np.arange(20.0)  # 0..19; 95% of 20 = 19 accepted -> threshold 18
    scores_out = [18.0, 18.5, 19.0, 25.0, -1.0]  # accepted (<= 18): 18 and -1
    assert fpr_at_95_tpr(scores_in, scores_out) == pytest.approx(0.4)
    assert fpr_at_95_tpr(np.arange(100.0), np.arange(100.0)) == pytest.approx(0.95)
    assert fpr_at_95_tpr(np.arange(100.0), np.arange(100.0) + 1000) == 0.0
    assert fpr_at_95_tpr(np.arange(100.0) + 1000, np.arange(100.0)) == 1.0
    assert fpr_at_95_tpr([0, 1, 2, 3], [1.5], tpr=0.5) == 0.0  # 2 of 4 accepted: threshold 1


@pytest.mark.parametrize(
    "call",
    [
        lambda: auroc([], [1.0]),
        lambda: auroc([[1.0]], [1.0]),
        lambda: auroc([np.nan], [1.0]),
        lambda: fpr_at_95_tpr([1.0], []),
        lambda: fpr_at_95_tpr([1.0], [1.0], tpr=0.0),
        lambda: threshold_for_rejection_rate([], 0.1),
        lambda: threshold_for_rejection_rate([1.0], -0.1),
        lambda: rejection_rate([1.0], float("nan")),
    ],
)
def test_metrics_reject_bad_input(call):
    with pytest.raises(ValueError):
        call()
