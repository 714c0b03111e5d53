"""Fit the parameters of the "not a digit" detector and of the calibration, on held-out digits.

- :func:`fit_temperature`: temperature scaling; Guo, Pleiss, Sun & Weinberger 2017, "On
  calibration of modern neural networks" (ICML).
- :func:`fit_mahalanobis`: class means and a tied covariance of the ``features`` layer; Lee, Lee,
  Lee & Shin 2018 (NeurIPS).
- :func:`fit_standardizer`: means and spreads that put several scores on one scale.
- :func:`threshold_for_rejection_rate`: the threshold that rejects at most a given share of digits.

The scores these parameters serve are computed by :mod:`digits.network.scores`. Bad shapes, empty or
non-finite inputs raise ``ValueError`` with a one-line message.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import optimize, special

from digits.network.scores import MahalanobisParams, _features, _fraction, _labels, _logits, _scores

#: Bounds of the temperature searched by :func:`fit_temperature`.
TEMPERATURE_BOUNDS = (0.05, 20.0)
#: Default ridge of :func:`fit_mahalanobis`, as a fraction of the mean feature variance.
MAHALANOBIS_RIDGE = 1e-3


def fit_temperature(logits: Any, labels: Any, bounds: tuple[float, float] = TEMPERATURE_BOUNDS) -> float:
    """Temperature scaling: the T minimising the mean NLL of ``softmax(z / T)`` (Guo et al. 2017).

    Guo, Pleiss, Sun & Weinberger 2017 ("On calibration of modern neural networks", ICML,
    section 4.2) fit one scalar T > 0 on a held-out validation set; it leaves the argmax (the
    predicted label) unchanged. The search is over ``log T`` in ``log(bounds)`` with
    ``scipy.optimize.minimize_scalar(method="bounded")``; the NLL is convex in 1/T, so unimodal.

    Args:
        logits: (N, K) validation logits.
        labels: (N,) true labels in [0, K).
        bounds: (low, high), 0 < low < high; the result is clipped to them.

    Returns:
        T as a Python float.

    Raises:
        ValueError: bad shapes, empty or non-finite logits, labels out of range, bad bounds.
    """
    z = _logits(logits)
    y = _labels(labels, len(z), z.shape[1])
    low, high = (float(b) for b in bounds)
    if not (0 < low < high and math.isfinite(high)):
        raise ValueError(f"bounds must satisfy 0 < low < high, got {bounds}")
    rows = np.arange(len(z))

    def nll(log_t: float) -> float:
        return float(-special.log_softmax(z / math.exp(log_t), axis=1)[rows, y].mean())

    result = optimize.minimize_scalar(
        nll, bounds=(math.log(low), math.log(high)), method="bounded", options={"xatol": 1e-6}
    )
    # Brent's method stops where the NLL is flat to machine precision; prefer a bound that is lower.
    best = min((float(result.x), math.log(low), math.log(high)), key=nll)
    return float(np.clip(math.exp(best), low, high))


def fit_mahalanobis(
    features: Any, labels: Any, num_classes: int = 10, ridge: float = MAHALANOBIS_RIDGE
) -> MahalanobisParams:
    """Fit class means and a tied covariance to in-distribution features (Lee et al. 2018).

    Lee, Lee, Lee & Shin 2018 ("A simple unified framework for detecting out-of-distribution
    samples and adversarial attacks", NeurIPS, eq. 1): ``mu_k`` is the mean of class ``k`` and
    ``Sigma = (1/N) sum_i (x_i - mu_{y_i})(x_i - mu_{y_i})^T`` is shared by all classes. Here
    ``ridge * (trace(Sigma) / D) * I`` is added before inverting, so that dead ReLU units (zero
    variance) and collinear features leave the precision finite.

    Args:
        features: (N, D) penultimate-layer activations of training or validation digits.
        labels: (N,) integer labels in [0, num_classes).
        num_classes: K; every class must have at least one sample.
        ridge: >= 0, the ridge as a fraction of the mean variance.

    Returns:
        :class:`MahalanobisParams` with (K, D) means and the (D, D) precision.

    Raises:
        ValueError: bad shapes, empty or non-finite input, labels out of range, a class
            without samples, a negative ridge, or a singular covariance with ``ridge == 0``.
    """
    x = _features(features)
    if int(num_classes) != num_classes or num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer, got {num_classes}")
    num_classes = int(num_classes)
    y = _labels(labels, len(x), num_classes)
    if not (math.isfinite(ridge) and ridge >= 0):
        raise ValueError(f"ridge must be a non-negative number, got {ridge}")
    counts = np.bincount(y, minlength=num_classes)
    if (counts == 0).any():
        raise ValueError(f"classes {np.flatnonzero(counts == 0).tolist()} have no samples")
    means = np.zeros((num_classes, x.shape[1]))
    np.add.at(means, y, x)
    means /= counts[:, None]
    centred = x - means[y]
    cov = centred.T @ centred / len(x)
    d = cov.shape[0]
    scale = float(np.trace(cov)) / d
    cov[np.diag_indices(d)] += ridge * (scale if scale > 0 else 1.0)
    try:
        chol = np.linalg.cholesky(cov)
    except np.linalg.LinAlgError as e:
        raise ValueError("the tied covariance is singular; use a positive ridge") from e
    inv_chol = np.linalg.solve(chol, np.eye(d))  # L^-1, so precision = L^-T L^-1
    precision = inv_chol.T @ inv_chol
    return MahalanobisParams(means=means, precision=(precision + precision.T) / 2)


def fit_standardizer(scores_in: Any) -> dict[str, list[float]]:
    """Means and standard deviations of several scores on in-distribution (validation) samples.

    Scores on different scales (MSP in [0, 1], energy around -10, Mahalanobis around D) can be
    summed once each is z-scored against the digits; see :func:`combine_scores`.

    Args:
        scores_in: (N, M) matrix, one column per score, N >= 2.

    Returns:
        ``{"mean": [M floats], "std": [M floats]}``, JSON-ready; a constant column gets std 1.

    Raises:
        ValueError: not 2-D, fewer than 2 rows, or non-finite values.
    """
    s = _logits(scores_in, "scores_in")
    if len(s) < 2:
        raise ValueError("scores_in needs at least 2 rows to estimate a spread")
    std = s.std(axis=0, ddof=1)
    return {"mean": s.mean(axis=0).tolist(), "std": np.where(std > 0, std, 1.0).tolist()}


def threshold_for_rejection_rate(scores_in: Any, rate: float = 0.005) -> float:
    """The smallest threshold that rejects at most ``rate`` of the in-distribution samples.

    Samples with score strictly above the threshold are rejected as OOD. With ``n`` scores and
    ``m = floor(rate * n)`` (at most ``n - 1``), the threshold is the ``(m + 1)``-th largest
    score, so at most ``m`` scores lie strictly above it (fewer when scores tie with it), and
    any lower threshold would reject more than ``m``. Fit it on validation digits, not on the
    test set.

    Args:
        scores_in: (n,) in-distribution scores (higher = more OOD).
        rate: the largest tolerated fraction of digits rejected, in [0, 1].

    Returns:
        The threshold, a Python float (one of ``scores_in``).

    Raises:
        ValueError: ``scores_in`` not 1-D, empty or with NaN; ``rate`` outside [0, 1].
    """
    s = np.sort(_scores(scores_in, "scores_in"))
    rate = _fraction(rate, "rate")
    m = min(math.floor(rate * len(s) + 1e-9), len(s) - 1)
    return float(s[len(s) - 1 - m])
