"""Metrics of a detector and of a calibration: AUROC, FPR at 95% TPR, rejection rate, ECE.

From scores of in-distribution samples ``scores_in`` and OOD samples ``scores_out`` (higher = more
likely OOD, as :mod:`digits.network.scores` computes them): :func:`auroc`, :func:`fpr_at_95_tpr`
(the OOD literature's FPR95) and :func:`rejection_rate`. From probabilities and labels:
:func:`expected_calibration_error` (Naeini, Cooper & Hauskrecht 2015, "Obtaining well calibrated
probabilities using Bayesian binning", AAAI; binned as in Guo et al. 2017).

Bad shapes, empty or non-finite inputs raise ``ValueError`` with a one-line message.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

from digits.network.scores import _fraction, _labels, _logits, _scores


def expected_calibration_error(probs: Any, labels: Any, n_bins: int = 15) -> float:
    """Expected calibration error with equal-width confidence bins.

    ``ECE = sum_b (|B_b| / N) |acc(B_b) - conf(B_b)|`` (Naeini, Cooper & Hauskrecht 2015; Guo et
    al. 2017, eq. 3), where the confidence of a sample is its largest probability, its prediction
    the argmax, and bin ``b`` holds confidences in ``((b-1)/n_bins, b/n_bins]`` (the first bin
    also holds 0). Empty bins contribute nothing.

    Args:
        probs: (N, K) probabilities, each row in [0, 1] (rows need not sum exactly to 1).
        labels: (N,) true labels in [0, K).
        n_bins: number of bins, >= 1 (15 as in Guo et al. 2017).

    Returns:
        ECE in [0, 1], a Python float.

    Raises:
        ValueError: bad shapes, empty input, probabilities outside [0, 1], labels out of range.
    """
    p = _logits(probs, "probs")
    if p.min() < 0 or p.max() > 1:
        raise ValueError("probs must lie in [0, 1]")
    y = _labels(labels, len(p), p.shape[1])
    if int(n_bins) != n_bins or n_bins < 1:
        raise ValueError(f"n_bins must be a positive integer, got {n_bins}")
    conf = p.max(axis=1)
    correct = (p.argmax(axis=1) == y).astype(np.float64)
    edges = np.linspace(0.0, 1.0, int(n_bins) + 1)
    bins = np.searchsorted(edges[1:-1], conf, side="left")  # conf in (edges[b], edges[b + 1]]
    count = np.bincount(bins, minlength=n_bins)
    gap = np.abs(np.bincount(bins, correct, minlength=n_bins) - np.bincount(bins, conf, minlength=n_bins))
    # sum_b |B_b|/N * |acc_b - conf_b| = sum_b |sum_{i in b} (correct_i - conf_i)| / N
    return float(gap[count > 0].sum() / len(p))


def auroc(scores_in: Any, scores_out: Any) -> float:
    """Area under the ROC curve for telling OOD (positive) from in-distribution by score.

    Equal to the probability that a random OOD sample scores higher than a random in-distribution
    one, ties counting one half: the Mann-Whitney U statistic divided by ``n_in * n_out``
    (Hanley & McNeil 1982, "The meaning and use of the area under a ROC curve"). Symmetric in
    which class is called positive, as long as higher scores mean OOD.

    Args:
        scores_in: (n_in,) scores of in-distribution samples.
        scores_out: (n_out,) scores of OOD samples.

    Returns:
        AUROC in [0, 1]: 1 when every OOD sample scores above every in-distribution one, 0 when
        the reverse, 0.5 when all scores tie.

    Raises:
        ValueError: a score array is not 1-D, is empty or contains NaN.
    """
    s_in, s_out = _scores(scores_in, "scores_in"), _scores(scores_out, "scores_out")
    ranks = stats.rankdata(np.concatenate([s_out, s_in]))  # average ranks for ties
    n_out, n_in = len(s_out), len(s_in)
    u = ranks[:n_out].sum() - n_out * (n_out + 1) / 2.0
    return float(u / (n_out * n_in))


def _kth(n: int, fraction: float) -> int:
    """ceil(fraction * n), guarded against rounding (0.95 * 100 = 95.00000000000001), at least 1."""
    return max(1, math.ceil(fraction * n - 1e-9))


def fpr_at_95_tpr(scores_in: Any, scores_out: Any, tpr: float = 0.95) -> float:
    """FPR95 as OOD papers report it: the fraction of OOD samples accepted as in-distribution
    when 95% of the in-distribution samples are accepted.

    This is the convention of Hendrycks & Gimpel 2017, Liang, Li & Srikant 2018 ("Enhancing the
    reliability of out-of-distribution image detection in neural networks", ODIN, ICLR) and Liu
    et al. 2020: **in-distribution is the positive class**. A sample is accepted when its score
    is ``<= t``, and ``t`` is the smallest in-distribution score such that at least ``tpr`` of
    the in-distribution scores are ``<= t`` (the ``ceil(tpr * n_in)``-th smallest). The result
    is the fraction of ``scores_out`` that are ``<= t`` (ties with the threshold are accepted).
    Lower is better; 0 means the OOD samples all score above 95% of the digits. Codebases differ
    in how they interpolate between thresholds; that only matters for a few hundred samples or
    fewer.

    Args:
        scores_in: (n_in,) scores of in-distribution samples (higher = more OOD).
        scores_out: (n_out,) scores of OOD samples.
        tpr: the fraction of in-distribution samples accepted, in (0, 1]; 0.95 for FPR95.

    Returns:
        A fraction in [0, 1].

    Raises:
        ValueError: a score array is not 1-D, is empty or contains NaN; ``tpr`` outside (0, 1].
    """
    s_in, s_out = _scores(scores_in, "scores_in"), _scores(scores_out, "scores_out")
    tpr = _fraction(tpr, "tpr", open_low=True)
    t = np.sort(s_in)[_kth(len(s_in), tpr) - 1]
    return float(np.mean(s_out <= t))


def rejection_rate(scores: Any, threshold: float) -> float:
    """Fraction of ``scores`` strictly above ``threshold`` (rejected as OOD).

    Raises:
        ValueError: ``scores`` not 1-D, empty or with NaN; ``threshold`` NaN.
    """
    s = _scores(scores, "scores")
    if math.isnan(threshold):
        raise ValueError("threshold is NaN")
    return float(np.mean(s > threshold))
