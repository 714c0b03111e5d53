"""Generated non-digits for fitting: the tuning set that chooses the "not a digit" score, and the
outlier-exposure pool that training shows the network (Hendrycks, Mazeika & Dietterich 2019).

Both come from the training/tuning sources of :mod:`digits.datasets.outliers` only (noise, blobs,
shapes, scribbles, silhouettes, cut-up *training* digits, DejaVu letters), with different seeds.
"""

from __future__ import annotations

import numpy as np

from digits.datasets import outliers
from digits.reading.prepare import prepare_batch


def tuning_outliers(train_digits: np.ndarray, n: int, seed: int) -> dict[str, list[np.ndarray]]:
    """Generated outliers for choosing the score (training/tuning sources only).

    Args:
        train_digits: (M, 28, 28) uint8 MNIST *training* digits, for the cut-up set.
        n: pictures per source.
        seed: random seed.

    Returns:
        source name -> list of uint8 pictures, as uploads.
    """
    rng = np.random.default_rng(seed)
    letters, _ = outliers.random_letters(n, rng, family=outliers.TUNING_FONTS, letters=outliers.OTHER_LETTERS)
    return {
        "uniform noise": list(outliers.uniform_noise(n, rng)),
        "Gaussian noise": list(outliers.gaussian_noise(n, rng)),
        "blobs": list(outliers.blobs(n, rng, size=64, dark_ink=None)),
        "strokes and shapes": list(outliers.strokes_and_shapes(n, rng, size=64, dark_ink=None)),
        "scribbles": list(outliers.scribbles(n, rng, size=64, dark_ink=None)),
        "silhouettes": list(outliers.silhouettes(n, rng, size=64, dark_ink=None)),
        "cut-up digits": list(outliers.cut_up_digits(train_digits, n, rng, size=64, dark_ink=None)),
        "DejaVu letters": list(letters),
    }


def outlier_pool(train_digits: np.ndarray, per_source: int, seed: int) -> np.ndarray:
    """Generated non-digits for outlier exposure, as the network sees them.

    Args:
        train_digits: (M, 28, 28) uint8 MNIST *training* digits (for the cut-up set).
        per_source: pictures per source (see :func:`tuning_outliers`).
        seed: random seed; :func:`train` uses ``seed + OE_SEED_OFFSET``, never the tuning set's.

    Returns:
        (N, 28, 28, 1) float32 in [0, 1]: each picture through the upload preprocessing
        (blank ones dropped).
    """
    pictures = [p for source in tuning_outliers(train_digits, per_source, seed).values() for p in source]
    images, _ = prepare_batch(pictures)
    return images[..., None]
