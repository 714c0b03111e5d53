"""OOD scores, calibration and detection metrics on small inputs with hand-computed answers."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from digits import ood

LN3 = math.log(3.0)


# --------------------------------------------------------------------------------------------
# Logit scores


def test_msp_score_by_hand():
    # softmax([0, ln 3]) = [1/4, 3/4] -> 1 - 3/4
    assert ood.msp_score([[0.0, LN3]]) == pytest.approx([0.25])
    # T = 2 halves the logits: [0, 2 ln 3] / 2 = [0, ln 3]
    assert ood.msp_score([[0.0, 2 * LN3]], temperature=2.0) == pytest.approx([0.25])
    # uniform over 4 classes: 1 - 1/4; a huge margin: ~0
    np.testing.assert_allclose(ood.msp_score([[1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 1000.0]]), [0.75, 0.0], atol=1e-12)


def test_energy_score_by_hand():
    assert ood.energy_score([[0.0, 0.0]]) == pytest.approx([-math.log(2)])
    assert ood.energy_score([[0.0, LN3]]) == pytest.approx([-math.log(4)])  # -ln(1 + 3)
    assert ood.energy_score([[0.0, 0.0]], temperature=2.0) == pytest.approx([-2 * math.log(2)])
    # stable for large logits: -logsumexp([1000, 1000]) = -(1000 + ln 2)
    assert ood.energy_score([[1000.0, 1000.0]]) == pytest.approx([-1000 - math.log(2)])


def test_higher_scores_mean_less_confident():
    confident, unsure = [0.0, 0.0, 12.0], [1.0, 1.1, 0.9]
    for score in (ood.msp_score, ood.energy_score):
        s = score([confident, unsure])
        assert s[1] > s[0]


@pytest.mark.parametrize("score", [ood.msp_score, ood.energy_score])
@pytest.mark.parametrize(
    "logits, temperature",
    [([0.0, 1.0], 1.0), (np.zeros((0, 10)), 1.0), ([[0.0, np.nan]], 1.0), ([[0.0, 1.0]], 0.0), ([[0.0, 1.0]], -1.0)],
)
def test_logit_scores_reject_bad_input(score, logits, temperature):
    with pytest.raises(ValueError):
        score(logits, temperature=temperature)


# --------------------------------------------------------------------------------------------
# Mahalanobis

# Class 0: (1, 1), (-1, -1), mean (0, 0); class 1: (11, 0), (9, 0), mean (10, 0).
# Residuals (1, 1), (-1, -1), (1, 0), (-1, 0): Sigma = [[4, 2], [2, 2]] / 4 = [[1, .5], [.5, .5]],
# det = 1/4, so the precision is 4 [[.5, -.5], [-.5, 1]] = [[2, -2], [-2, 4]].
FEATURES = np.array([[1.0, 1.0], [-1.0, -1.0], [11.0, 0.0], [9.0, 0.0]])
LABELS = np.array([0, 0, 1, 1])


def test_fit_mahalanobis_by_hand():
    params = ood.fit_mahalanobis(FEATURES, LABELS, num_classes=2, ridge=0.0)
    np.testing.assert_allclose(params.means, [[0, 0], [10, 0]], atol=1e-12)
    np.testing.assert_allclose(params.precision, [[2, -2], [-2, 4]], atol=1e-12)
    assert (params.num_classes, params.dim) == (2, 2)


def test_mahalanobis_score_by_hand():
    params = ood.fit_mahalanobis(FEATURES, LABELS, num_classes=2, ridge=0.0)
    queries = [[1.0, 0.0], [0.0, 1.0], [5.0, 1.0], [10.0, 0.0]]
    # (1, 0): 2 to class 0, 81 * 2 = 162 to class 1.  (0, 1): 4 to class 0, (-10, 1): 200 + 40 + 4 to class 1.
    # (5, 1): 2*25 - 2*2*5 + 4 = 34 to class 0, 2*25 + 2*2*5 + 4 = 74 to class 1.  (10, 0): 0.
    np.testing.assert_allclose(ood.mahalanobis_distances(queries, params)[:, 0], [2, 4, 34, 200], atol=1e-9)
    np.testing.assert_allclose(ood.mahalanobis_distances(queries, params)[:, 1], [162, 244, 74, 0], atol=1e-9)
    np.testing.assert_allclose(ood.mahalanobis_score(queries, params), [2, 4, 34, 0], atol=1e-9)


def test_mahalanobis_ridge_keeps_dead_units_finite():
    """A ReLU unit that never fires has zero variance; the ridge keeps the precision finite, and
    an input that fires it scores far out."""
    rng = np.random.default_rng(0)
    x = np.abs(rng.normal(size=(200, 4)))
    x[:, 3] = 0.0  # dead unit
    y = np.arange(200) % 2
    params = ood.fit_mahalanobis(x, y, num_classes=2)
    assert np.isfinite(params.precision).all()
    np.testing.assert_allclose(params.precision, params.precision.T)
    inside, fired = x[:1].copy(), x[:1].copy()
    fired[0, 3] = 1.0
    assert ood.mahalanobis_score(fired, params)[0] > 100 * ood.mahalanobis_score(inside, params)[0] + 100
    with pytest.raises(ValueError, match="singular"):
        ood.fit_mahalanobis(x, y, num_classes=2, ridge=0.0)


def test_mahalanobis_gaussian_in_distribution_scores_near_dimension():
    rng = np.random.default_rng(1)
    d, k = 8, 3
    means = rng.normal(scale=10, size=(k, d))
    y = rng.integers(k, size=4000)
    x = means[y] + rng.normal(size=(4000, d))
    params = ood.fit_mahalanobis(x, y, num_classes=k)
    scores = ood.mahalanobis_score(x, params)
    assert d - 1 < scores.mean() < d + 0.5  # chi-squared(d) mean, minus a little for the min


def test_mahalanobis_json_round_trip():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(300, 5)) * [1, 2, 3, 0.1, 1e-3]
    y = np.arange(300) % 3
    params = ood.fit_mahalanobis(x, y, num_classes=3)
    data = ood.to_json(params)
    text = json.dumps(data)
    assert data["num_classes"] == 3 and data["dim"] == 5
    back = ood.from_json(json.loads(text))
    assert back.means.shape == (3, 5) and back.precision.shape == (5, 5)
    np.testing.assert_allclose(ood.mahalanobis_score(x, back), ood.mahalanobis_score(x, params), rtol=1e-4)
    assert ood.to_json(ood.fit_mahalanobis(FEATURES, LABELS, 2, ridge=0.0))["precision"] == [[2, -2], [-2, 4]]
    assert ood.mahalanobis_to_json is ood.to_json and ood.mahalanobis_from_json is ood.from_json


def test_mahalanobis_round_to_six_significant_digits():
    params = ood.MahalanobisParams(means=np.array([[2 / 3, -123456789.0]]), precision=np.eye(2) / 3)
    data = ood.to_json(params)
    assert data["means"] == [[0.666667, -123457000.0]]
    assert data["precision"][0] == [0.333333, 0.0]


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
        ood.fit_mahalanobis(features, labels, num_classes=k)


def test_mahalanobis_score_rejects_bad_input():
    params = ood.fit_mahalanobis(FEATURES, LABELS, num_classes=2)
    with pytest.raises(ValueError, match="dimensions"):
        ood.mahalanobis_score(np.zeros((1, 3)), params)
    with pytest.raises(ValueError):
        ood.mahalanobis_score(np.zeros((0, 2)), params)
    for bad in ({"means": [[0, 0]]}, {"means": [[0, 0]], "precision": [[1]]}, {"means": [[0, 0]], "precision": "x"}):
        with pytest.raises(ValueError):
            ood.from_json(bad)
    with pytest.raises(ValueError, match="dim"):
        ood.from_json({"means": [[0, 0]], "precision": [[1, 0], [0, 1]], "dim": 3})


# --------------------------------------------------------------------------------------------
# Calibration


def test_fit_temperature_recovers_a_known_temperature():
    rng = np.random.default_rng(3)
    logits = rng.normal(scale=4.0, size=(4000, 10))
    p = np.exp(logits / 2.0)
    p /= p.sum(axis=1, keepdims=True)
    labels = (p.cumsum(axis=1) > rng.random((4000, 1))).argmax(axis=1)  # labels ~ softmax(z / 2)
    assert ood.fit_temperature(logits, labels) == pytest.approx(2.0, rel=0.08)


def test_fit_temperature_respects_bounds():
    # every label is the argmax: the NLL keeps falling as T -> 0, so the lower bound is returned
    logits = np.array([[3.0, 0.0], [0.0, 3.0]])
    assert ood.fit_temperature(logits, [0, 1]) == pytest.approx(ood.TEMPERATURE_BOUNDS[0], rel=1e-3)
    assert ood.fit_temperature(logits, [0, 1], bounds=(0.5, 4)) == pytest.approx(0.5, rel=1e-3)
    with pytest.raises(ValueError):
        ood.fit_temperature(logits, [0, 1], bounds=(0, 4))
    with pytest.raises(ValueError):
        ood.fit_temperature(logits, [0, 2])


def test_expected_calibration_error_by_hand():
    probs = [[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.4, 0.6]]
    labels = [0, 1, 0, 1]
    # bin of 0.9: accuracy 1/2, confidence 0.9, gap 0.4, weight 2/4; bin of 0.6: accuracy 1, gap 0.4, weight 2/4
    assert ood.expected_calibration_error(probs, labels, n_bins=10) == pytest.approx(0.4)
    assert ood.expected_calibration_error(probs, labels, n_bins=1) == pytest.approx(abs(0.75 - 0.75))
    assert ood.expected_calibration_error([[1.0, 0.0], [0.0, 1.0]], [0, 1]) == 0.0
    assert ood.expected_calibration_error([[1.0, 0.0], [0.0, 1.0]], [1, 0]) == pytest.approx(1.0)


def test_expected_calibration_error_of_calibrated_probabilities_is_small():
    rng = np.random.default_rng(4)
    p = rng.dirichlet(np.ones(10) * 0.3, size=20000)
    labels = (p.cumsum(axis=1) > rng.random((20000, 1))).argmax(axis=1)
    assert ood.expected_calibration_error(p, labels) < 0.02


def test_expected_calibration_error_rejects_bad_input():
    with pytest.raises(ValueError):
        ood.expected_calibration_error([[1.5, -0.5]], [0])
    with pytest.raises(ValueError):
        ood.expected_calibration_error([[0.5, 0.5]], [0], n_bins=0)
    with pytest.raises(ValueError):
        ood.expected_calibration_error(np.zeros((0, 2)), [])


# --------------------------------------------------------------------------------------------
# Detection metrics


def test_auroc_by_hand():
    assert ood.auroc([0, 1, 2], [3, 4]) == 1.0
    assert ood.auroc([3, 4], [0, 1, 2]) == 0.0
    assert ood.auroc([1, 1, 1], [1, 1]) == 0.5
    # out 1 beats in 0, ties in 1, loses to 2 (1.5); out 3 beats all three (3): 4.5 of 6 pairs
    assert ood.auroc([0, 1, 2], [1, 3]) == pytest.approx(0.75)


def test_auroc_matches_pairwise_count():
    rng = np.random.default_rng(5)
    a, b = rng.integers(0, 20, size=50).astype(float), rng.integers(5, 25, size=40).astype(float)
    pairs = (b[:, None] > a[None, :]).mean() + 0.5 * (b[:, None] == a[None, :]).mean()
    assert ood.auroc(a, b) == pytest.approx(pairs)


def test_fpr_at_95_tpr_by_hand():
    scores_in = np.arange(20.0)  # 0..19; 95% of 20 = 19 accepted -> threshold 18
    scores_out = [18.0, 18.5, 19.0, 25.0, -1.0]  # accepted (<= 18): 18 and -1
    assert ood.fpr_at_95_tpr(scores_in, scores_out) == pytest.approx(0.4)
    assert ood.fpr_at_95_tpr(np.arange(100.0), np.arange(100.0)) == pytest.approx(0.95)
    assert ood.fpr_at_95_tpr(np.arange(100.0), np.arange(100.0) + 1000) == 0.0
    assert ood.fpr_at_95_tpr(np.arange(100.0) + 1000, np.arange(100.0)) == 1.0
    assert ood.fpr_at_95_tpr([0, 1, 2, 3], [1.5], tpr=0.5) == 0.0  # 2 of 4 accepted: threshold 1


def test_fpr_at_tpr_has_ood_as_the_positive_class():
    scores_out = np.arange(10.0, 30.0)  # 95% of 20 = 19 flagged -> threshold 11
    scores_in = [0.0, 5.0, 11.0, 12.0, 30.0]  # flagged (>= 11): 11, 12, 30
    assert ood.fpr_at_tpr(scores_in, scores_out) == pytest.approx(0.6)
    assert ood.fpr_at_tpr(scores_in, scores_out, tpr=1.0) == pytest.approx(0.6)  # threshold 10
    assert ood.fpr_at_tpr(scores_in, scores_out, tpr=0.05) == pytest.approx(0.2)  # threshold 29


def test_threshold_for_rejection_rate():
    scores = np.random.default_rng(6).permutation(np.arange(1.0, 1001.0))
    t = ood.threshold_for_rejection_rate(scores, 0.005)
    assert t == 995.0
    assert ood.rejection_rate(scores, t) == pytest.approx(0.005)
    assert ood.rejection_rate(scores, t - 1) > 0.005  # the smallest such threshold
    assert ood.threshold_for_rejection_rate(scores, 0.0) == 1000.0
    assert ood.threshold_for_rejection_rate(scores, 1.0) == 1.0
    assert ood.threshold_for_rejection_rate(np.zeros(10), 0.3) == 0.0  # ties: nothing rejected
    assert ood.threshold_for_rejection_rate([5.0], 0.5) == 5.0
    assert ood.rejection_rate([1, 2, 3, 4], 2) == 0.5


@pytest.mark.parametrize(
    "call",
    [
        lambda: ood.auroc([], [1.0]),
        lambda: ood.auroc([[1.0]], [1.0]),
        lambda: ood.auroc([np.nan], [1.0]),
        lambda: ood.fpr_at_95_tpr([1.0], []),
        lambda: ood.fpr_at_95_tpr([1.0], [1.0], tpr=0.0),
        lambda: ood.fpr_at_tpr([1.0], [1.0], tpr=1.5),
        lambda: ood.threshold_for_rejection_rate([], 0.1),
        lambda: ood.threshold_for_rejection_rate([1.0], -0.1),
        lambda: ood.rejection_rate([1.0], float("nan")),
    ],
)
def test_metrics_reject_bad_input(call):
    with pytest.raises(ValueError):
        call()


# --------------------------------------------------------------------------------------------
# Combining


def test_standardize_and_combine():
    scores_in = np.array([[0.0, 10.0], [2.0, 30.0], [4.0, 50.0]])  # means 2, 30; stds 2, 20
    st = ood.fit_standardizer(scores_in)
    assert st == {"mean": [2.0, 30.0], "std": [2.0, 20.0]}
    json.dumps(st)
    np.testing.assert_allclose(ood.combine_scores(scores_in, st), [-2, 0, 2])
    np.testing.assert_allclose(ood.combine_scores([[6.0, 30.0]], st, weights=[0.5, 1]), [1.0])
    assert ood.fit_standardizer([[1.0, 2.0], [1.0, 3.0]])["std"][0] == 1.0  # constant column
    with pytest.raises(ValueError):
        ood.combine_scores([[1.0, 2.0, 3.0]], st)
    with pytest.raises(ValueError):
        ood.fit_standardizer([[1.0, 2.0]])
