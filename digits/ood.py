"""Out-of-distribution ("this is not a digit") scores, calibration and detection metrics.

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

Calibration: :func:`fit_temperature` (temperature scaling; Guo, Pleiss, Sun & Weinberger 2017,
"On calibration of modern neural networks", ICML) and :func:`expected_calibration_error`
(Naeini, Cooper & Hauskrecht 2015, "Obtaining well calibrated probabilities using Bayesian
binning", AAAI; binned as in Guo et al. 2017).

Metrics, from scores of in-distribution samples ``scores_in`` and OOD samples ``scores_out``:
:func:`auroc`, :func:`fpr_at_95_tpr` (the OOD literature's FPR95), :func:`fpr_at_tpr`,
:func:`threshold_for_rejection_rate` and :func:`rejection_rate`.

Bad shapes, empty or non-finite inputs raise ``ValueError`` with a one-line message.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize, special, stats

#: Bounds of the temperature searched by :func:`fit_temperature`.
TEMPERATURE_BOUNDS = (0.05, 20.0)
#: Default ridge of :func:`fit_mahalanobis`, as a fraction of the mean feature variance.
MAHALANOBIS_RIDGE = 1e-3


# --------------------------------------------------------------------------------------------
# Input checks


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


#: Short aliases, as in ``ood.to_json(params)``.
to_json = mahalanobis_to_json
from_json = mahalanobis_from_json


# --------------------------------------------------------------------------------------------
# Calibration


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


# --------------------------------------------------------------------------------------------
# Detection metrics (OOD = higher score)


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


def fpr_at_tpr(scores_in: Any, scores_out: Any, tpr: float = 0.95) -> float:
    """False-positive rate with **OOD as the positive class**: the fraction of in-distribution
    samples flagged (score ``>= t``) at the threshold ``t`` that flags ``tpr`` of the OOD samples.

    ``t`` is the largest OOD score such that at least ``tpr`` of the OOD scores are ``>= t``
    (the ``ceil(tpr * n_out)``-th largest). This is the anomaly-detection reading; it is *not*
    the FPR95 of OOD papers, which is :func:`fpr_at_95_tpr`.

    Args:
        scores_in: (n_in,) in-distribution scores (higher = more OOD).
        scores_out: (n_out,) OOD scores.
        tpr: the fraction of OOD samples to flag, in (0, 1].

    Returns:
        A fraction in [0, 1]: the share of in-distribution samples wrongly flagged.

    Raises:
        ValueError: a score array is not 1-D, is empty or contains NaN; ``tpr`` outside (0, 1].
    """
    s_in, s_out = _scores(scores_in, "scores_in"), _scores(scores_out, "scores_out")
    tpr = _fraction(tpr, "tpr", open_low=True)
    t = np.sort(s_out)[::-1][_kth(len(s_out), tpr) - 1]
    return float(np.mean(s_in >= t))


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


def rejection_rate(scores: Any, threshold: float) -> float:
    """Fraction of ``scores`` strictly above ``threshold`` (rejected as OOD).

    Raises:
        ValueError: ``scores`` not 1-D, empty or with NaN; ``threshold`` NaN.
    """
    s = _scores(scores, "scores")
    if math.isnan(threshold):
        raise ValueError("threshold is NaN")
    return float(np.mean(s > threshold))


# --------------------------------------------------------------------------------------------
# Combining scores


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


__all__ = [
    "MAHALANOBIS_RIDGE",
    "TEMPERATURE_BOUNDS",
    "MahalanobisParams",
    "auroc",
    "combine_scores",
    "energy_score",
    "expected_calibration_error",
    "fit_mahalanobis",
    "fit_standardizer",
    "fit_temperature",
    "fpr_at_95_tpr",
    "fpr_at_tpr",
    "from_json",
    "mahalanobis_distances",
    "mahalanobis_from_json",
    "mahalanobis_score",
    "mahalanobis_to_json",
    "msp_score",
    "rejection_rate",
    "threshold_for_rejection_rate",
    "to_json",
]
