"""Out-of-distribution scores computed on every reading, checked by hand."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from digits.network.scores import (
    MahalanobisParams,
    combine_scores,
    energy_score,
    mahalanobis_distances,
    mahalanobis_from_json,
    mahalanobis_score,
    mahalanobis_to_json,
    msp_score,
)
from digits.training.fitting import fit_mahalanobis, fit_standardizer

LN3 = math.log(3.0)


# --------------------------------------------------------------------------------------------
# Logit scores


FEATURES = np.array([[1.0, 1.0], [-1.0, -1.0], [11.0, 0.0], [9.0, 0.0]])


LABELS = np.array([0, 0, 1, 1])


def test_msp_score_by_hand():
    # softmax([0, ln 3]) = [1/4, 3/4] -> 1 - 3/4
    assert msp_score([[0.0, LN3]]) == pytest.approx([0.25])
    # T = 2 halves the logits: [0, 2 ln 3] / 2 = [0, ln 3]
    assert msp_score([[0.0, 2 * LN3]], temperature=2.0) == pytest.approx([0.25])
    # uniform over 4 classes: 1 - 1/4; a huge margin: ~0
    np.testing.assert_allclose(msp_score([[1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 1000.0]]), [0.75, 0.0], atol=1e-12)


def test_energy_score_by_hand():
    assert energy_score([[0.0, 0.0]]) == pytest.approx([-math.log(2)])
    assert energy_score([[0.0, LN3]]) == pytest.approx([-math.log(4)])  # -ln(1 + 3)
    assert energy_score([[0.0, 0.0]], temperature=2.0) == pytest.approx([-2 * math.log(2)])
    # stable for large logits: -logsumexp([1000, 1000]) = -(1000 + ln 2)
    assert energy_score([[1000.0, 1000.0]]) == pytest.approx([-1000 - math.log(2)])


def test_higher_scores_mean_less_confident():
    confident, unsure = [0.0, 0.0, 12.0], [1.0, 1.1, 0.9]
    for score in (msp_score, energy_score):
        s = score([confident, unsure])
        assert s[1] > s[0]


@pytest.mark.parametrize("score", [msp_score, energy_score])
@pytest.mark.parametrize(
    "logits, temperature",
    [([0.0, 1.0], 1.0), (np.zeros((0, 10)), 1.0), ([[0.0, np.nan]], 1.0), ([[0.0, 1.0]], 0.0), ([[0.0, 1.0]], -1.0)],
)
def test_logit_scores_reject_bad_input(score, logits, temperature):
    with pytest.raises(ValueError):
        score(logits, temperature=temperature)


def test_mahalanobis_score_by_hand():
    params = fit_mahalanobis(FEATURES, LABELS, num_classes=2, ridge=0.0)
    queries = [[1.0, 0.0], [0.0, 1.0], [5.0, 1.0], [10.0, 0.0]]
    # (1, 0): 2 to class 0, 81 * 2 = 162 to class 1.  (0, 1): 4 to class 0, (-10, 1): 200 + 40 + 4 to class 1.
    # (5, 1): 2*25 - 2*2*5 + 4 = 34 to class 0, 2*25 + 2*2*5 + 4 = 74 to class 1.  (10, 0): 0.
    np.testing.assert_allclose(mahalanobis_distances(queries, params)[:, 0], [2, 4, 34, 200], atol=1e-9)
    np.testing.assert_allclose(mahalanobis_distances(queries, params)[:, 1], [162, 244, 74, 0], atol=1e-9)
    np.testing.assert_allclose(mahalanobis_score(queries, params), [2, 4, 34, 0], atol=1e-9)


def test_mahalanobis_json_round_trip():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(300, 5)) * [1, 2, 3, 0.1, 1e-3]
    y = np.arange(300) % 3
    params = fit_mahalanobis(x, y, num_classes=3)
    data = mahalanobis_to_json(params)
    text = json.dumps(data)
    assert data["num_classes"] == 3 and data["dim"] == 5
    back = mahalanobis_from_json(json.loads(text))
    assert back.means.shape == (3, 5) and back.precision.shape == (5, 5)
    np.testing.assert_allclose(mahalanobis_score(x, back), mahalanobis_score(x, params), rtol=1e-4)
    assert mahalanobis_to_json(fit_mahalanobis(FEATURES, LABELS, 2, ridge=0.0))["precision"] == [[2, -2], [-2, 4]]


def test_mahalanobis_round_to_six_significant_digits():
    params = MahalanobisParams(means=np.array([[2 / 3, -123456789.0]]), precision=np.eye(2) / 3)
    data = mahalanobis_to_json(params)
    assert data["means"] == [[0.666667, -123457000.0]]
    assert data["precision"][0] == [0.333333, 0.0]


def test_mahalanobis_score_rejects_bad_input():
    params = fit_mahalanobis(FEATURES, LABELS, num_classes=2)
    with pytest.raises(ValueError, match="dimensions"):
        mahalanobis_score(np.zeros((1, 3)), params)
    with pytest.raises(ValueError):
        mahalanobis_score(np.zeros((0, 2)), params)
    for bad in ({"means": [[0, 0]]}, {"means": [[0, 0]], "precision": [[1]]}, {"means": [[0, 0]], "precision": "x"}):
        with pytest.raises(ValueError):
            mahalanobis_from_json(bad)
    with pytest.raises(ValueError, match="dim"):
        mahalanobis_from_json({"means": [[0, 0]], "precision": [[1, 0], [0, 1]], "dim": 3})


def test_standardize_and_combine():
    scores_in = np.array([[0.0, 10.0], [2.0, 30.0], [4.0, 50.0]])  # means 2, 30; stds 2, 20
    st = fit_standardizer(scores_in)
    assert st == {"mean": [2.0, 30.0], "std": [2.0, 20.0]}
    json.dumps(st)
    np.testing.assert_allclose(combine_scores(scores_in, st), [-2, 0, 2])
    np.testing.assert_allclose(combine_scores([[6.0, 30.0]], st, weights=[0.5, 1]), [1.0])
    assert fit_standardizer([[1.0, 2.0], [1.0, 3.0]])["std"][0] == 1.0  # constant column
    with pytest.raises(ValueError):
        combine_scores([[1.0, 2.0, 3.0]], st)
    with pytest.raises(ValueError):
        fit_standardizer([[1.0, 2.0]])
