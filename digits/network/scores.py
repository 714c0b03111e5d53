"""Out-of-distribution ("this is not a digit") scores, computed on every reading.

Pure numpy/scipy. Every score follows one convention: **higher means more likely out of
distribution (OOD)**, so that a picture is rejected when its score is above a threshold.

Scores, from the classifier's logits ``z`` (N, K) or its penultimate ``features`` (N, D):

- :func:`msp_score`: ``1 - max softmax(z / T)``; Hendrycks & Gimpel 2017, "A baseline for
  detecting misclassified and out-of-distribution examples in neural networks" (ICLR).
- :func:`energy_score`: ``-T logsumexp(z / T)``; Liu, Wang, Owens & Li 2020, "Energy-based
  out-of-distribution detection" (NeurIPS).
- :func:`mahalanobis_score`: the smallest squared Mahalanobis distance to a class mean under a
  covariance shared by all classes; Lee, Lee, Lee & Shin 2018, "A simple unified framework for
  detecting out-of-distribution samples and adversarial attacks" (NeurIPS).
- :func:`combine_scores`: a weighted sum of z-scored scores.

Their parameters are fitted by :mod:`digits.training.fitting`; the metrics that judge them are in
:mod:`digits.evaluation.metrics`. Bad shapes, empty or non-finite inputs raise ``ValueError`` with a
one-line message.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

# --------------------------------------------------------------------------------------------
# Input checks (shared with the fitting and the metrics)


def _matrix(values: Any, name: str, axes: str) -> np.ndarray:
    z = np.asarray(values, dtype=np.float64)
    if z.ndim != 2:
        raise ValueError(f"{name} must be 2-D {axes}, got shape {z.shape}")
    if z.shape[0] == 0 or z.shape[1] == 0:
        raise ValueError(f"{name} is empty (shape {z.shape})")
    if not np.isfinite(z).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return z


def _logits(logits: Any, name: str = "logits") -> np.ndarray:
    return _matrix(logits, name, "(N, K)")


def _temperature(temperature: float) -> float:
    t = float(temperature)
    if not (math.isfinite(t) and t > 0):
        raise ValueError(f"temperature must be a positive finite number, got {temperature}")
    return t


def _scores(scores: Any, name: str) -> np.ndarray:
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim != 1:
        raise ValueError(f"{name} must be 1-D (N,), got shape {s.shape}")
    if s.size == 0:
        raise ValueError(f"{name} is empty")
    if np.isnan(s).any():
        raise ValueError(f"{name} contains NaN")
    return s


def _labels(labels: Any, n: int, num_classes: int, name: str = "labels") -> np.ndarray:
    y = np.asarray(labels)
    if y.ndim != 1 or len(y) != n:
        raise ValueError(f"{name} must be 1-D with {n} entries, got shape {y.shape}")
    if y.size and not np.issubdtype(y.dtype, np.integer) and not np.all(np.mod(y, 1) == 0):
        raise ValueError(f"{name} must be integers")
    y = y.astype(np.int64)
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(f"{name} must lie in [0, {num_classes - 1}], got [{y.min()}, {y.max()}]")
    return y


def _fraction(value: float, name: str, *, open_low: bool = False) -> float:
    v = float(value)
    ok = (0.0 < v <= 1.0) if open_low else (0.0 <= v <= 1.0)
    if not ok:
        raise ValueError(f"{name} must be in {'(0, 1]' if open_low else '[0, 1]'}, got {value}")
    return v


# --------------------------------------------------------------------------------------------
# Logit scores


def msp_score(logits: Any, temperature: float = 1.0) -> np.ndarray:
    """Maximum-softmax-probability score: ``1 - max_k softmax(z / T)_k``.

    Hendrycks & Gimpel 2017 ("A baseline for detecting misclassified and out-of-distribution
    examples in neural networks", ICLR) use the maximum softmax probability as a confidence;
    here it is flipped so that higher means more likely OOD.

    Args:
        logits: (N, K) raw logits.
        temperature: T > 0 (see :func:`fit_temperature`).

    Returns:
        (N,) float64 in [0, 1 - 1/K]. Example: logits [0, ln 3] give probabilities
        [0.25, 0.75], so the score is 0.25.

    Raises:
        ValueError: ``logits`` not 2-D, empty or not finite; ``temperature`` not positive.
    """
    z = _logits(logits) / _temperature(temperature)
    return 1.0 - np.exp(special.log_softmax(z, axis=1).max(axis=1))


def energy_score(logits: Any, temperature: float = 1.0) -> np.ndarray:
    """Free-energy score: ``E(x) = -T logsumexp_k(z_k / T)``.

    Liu, Wang, Owens & Li 2020 ("Energy-based out-of-distribution detection", NeurIPS, eq. 1 and
    section 3): in-distribution inputs get lower energy (large logits); higher = more likely OOD.

    Args:
        logits: (N, K) raw logits.
        temperature: T > 0 (the paper uses T = 1).

    Returns:
        (N,) float64, unbounded. Example: logits [0, 0] give ``-ln 2``.

    Raises:
        ValueError: ``logits`` not 2-D, empty or not finite; ``temperature`` not positive.
    """
    t = _temperature(temperature)
    return -t * special.logsumexp(_logits(logits) / t, axis=1)


# --------------------------------------------------------------------------------------------
# Mahalanobis distance on features


@dataclass(frozen=True)
class MahalanobisParams:
    """Class-conditional Gaussians with a tied covariance (Lee et al. 2018).

    Attributes:
        means: (K, D) float64 class means of the features.
        precision: (D, D) float64, symmetric positive definite: the inverse of the tied
            covariance plus its ridge.
    """

    means: np.ndarray
    precision: np.ndarray

    @property
    def num_classes(self) -> int:
        return int(self.means.shape[0])

    @property
    def dim(self) -> int:
        return int(self.means.shape[1])


def _features(features: Any, name: str = "features") -> np.ndarray:
    return _matrix(features, name, "(N, D)")


def mahalanobis_distances(features: Any, params: MahalanobisParams) -> np.ndarray:
    """Squared Mahalanobis distances ``(x - mu_k)^T P (x - mu_k)`` to every class mean.

    Args:
        features: (N, D) features, D as in ``params``.
        params: from :func:`fit_mahalanobis` or :func:`mahalanobis_from_json`.

    Returns:
        (N, K) float64, >= 0.

    Raises:
        ValueError: bad shape, empty or non-finite features.
    """
    x = _features(features)
    if x.shape[1] != params.dim:
        raise ValueError(f"features have {x.shape[1]} dimensions, the parameters {params.dim}")
    xp = x @ params.precision
    mp = params.means @ params.precision
    d = (
        np.einsum("nd,nd->n", xp, x)[:, None]
        - 2.0 * xp @ params.means.T
        + np.einsum("kd,kd->k", mp, params.means)[None, :]
    )
    return np.maximum(d, 0.0)


def mahalanobis_score(features: Any, params: MahalanobisParams) -> np.ndarray:
    """Mahalanobis OOD score: ``min_k (x - mu_k)^T P (x - mu_k)`` (Lee et al. 2018, eq. 2).

    Only the closest class counts; higher = farther from every digit class = more likely OOD.
    (Lee et al. also perturb the input and combine layers; this is the plain single-layer score.)

    Args:
        features: (N, D) features from the same layer the parameters were fitted on.
        params: :class:`MahalanobisParams`.

    Returns:
        (N,) float64, >= 0. For D-dimensional in-distribution Gaussian features the score is
        about chi-squared with D degrees of freedom (mean near D), a little below it because
        of the minimum.

    Raises:
        ValueError: bad shape, empty or non-finite features.
    """
    return mahalanobis_distances(features, params).min(axis=1)


def _round_sig(a: np.ndarray, digits: int) -> list:
    """Nested lists of floats rounded to ``digits`` significant digits (compact in JSON)."""
    return np.vectorize(lambda v: float(f"{v:.{digits}g}"), otypes=[float])(a).tolist()


def mahalanobis_to_json(params: MahalanobisParams, digits: int = 6) -> dict[str, Any]:
    """JSON-ready dict of Mahalanobis parameters, for the model card.

    Args:
        params: :class:`MahalanobisParams`.
        digits: significant digits kept per number (6 is about float32 precision).

    Returns:
        ``{"num_classes": K, "dim": D, "means": K x D nested lists, "precision": D x D nested
        lists}``, plain Python ints and floats (for D = 128 and K = 10 about 200 kB of JSON).
    """
    return {
        "num_classes": params.num_classes,
        "dim": params.dim,
        "means": _round_sig(params.means, digits),
        "precision": _round_sig(params.precision, digits),
    }


def mahalanobis_from_json(data: dict[str, Any]) -> MahalanobisParams:
    """Rebuild :class:`MahalanobisParams` from :func:`mahalanobis_to_json`'s dict.

    Raises:
        ValueError: keys missing, shapes inconsistent or values not finite.
    """
    try:
        means = np.asarray(data["means"], dtype=np.float64)
        precision = np.asarray(data["precision"], dtype=np.float64)
    except (KeyError, TypeError, ValueError) as e:
        raise ValueError(f"not Mahalanobis parameters: {e}") from e
    if means.ndim != 2 or means.size == 0:
        raise ValueError(f"means must be a non-empty (K, D) matrix, got shape {means.shape}")
    d = means.shape[1]
    if precision.shape != (d, d):
        raise ValueError(f"precision must be ({d}, {d}) to match the means, got {precision.shape}")
    if not (np.isfinite(means).all() and np.isfinite(precision).all()):
        raise ValueError("Mahalanobis parameters contain NaN or infinite values")
    for key, value in (("num_classes", means.shape[0]), ("dim", d)):
        if key in data and int(data[key]) != value:
            raise ValueError(f"{key} is {data[key]} but the matrices say {value}")
    return MahalanobisParams(means=means, precision=(precision + precision.T) / 2)


# --------------------------------------------------------------------------------------------
# Combining scores


def combine_scores(scores: Any, standardizer: dict[str, Any], weights: Any = None) -> np.ndarray:
    """Weighted sum of z-scored scores: ``sum_m w_m (s_m - mean_m) / std_m``.

    A simple fusion of detectors whose errors differ (e.g. energy misses inputs with large logits
    far from the class means, which Mahalanobis catches). Each column keeps its "higher = more
    OOD" direction. Fit the standardizer and choose the threshold on validation data only.

    Args:
        scores: (N, M) matrix, columns in the order used by :func:`fit_standardizer`.
        standardizer: its output.
        weights: (M,) weights, default all 1.

    Returns:
        (N,) float64 combined score (higher = more OOD).

    Raises:
        ValueError: bad shapes or non-finite values.
    """
    s = _logits(scores, "scores")
    mean = np.asarray(standardizer["mean"], dtype=np.float64)
    std = np.asarray(standardizer["std"], dtype=np.float64)
    w = np.ones(s.shape[1]) if weights is None else np.asarray(weights, dtype=np.float64)
    if not (mean.shape == std.shape == w.shape == (s.shape[1],)):
        raise ValueError(
            f"scores have {s.shape[1]} columns but mean/std/weights have shapes {mean.shape}/{std.shape}/{w.shape}"
        )
    if (std <= 0).any():
        raise ValueError("standardizer std must be positive")
    return ((s - mean) / std) @ w
