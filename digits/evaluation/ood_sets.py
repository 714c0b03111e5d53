"""The out-of-distribution sets the "not a digit" detector is measured on, never trained or tuned on.

Fashion-MNIST test (Xiao et al. 2017), letters rendered in the Liberation fonts in two groups
(digit-like O o I l S Z B g q, and the rest), uniform and Gaussian noise, and scikit-image's sample
photos (whole, and random crops). Every picture goes through the same reading as an upload.
"""

from __future__ import annotations

import numpy as np
from skimage import transform

from digits.datasets import outliers
from digits.datasets.fashion_mnist import load_fashion_mnist
from digits.datasets.photos import PHOTO_NAMES, photo
from digits.reading.prepare import prepare_batch

#: Stand-in score for pictures that preprocessing finds blank: they are rejected.
BLANK_SCORE = 1e300


def scores_of(classifier, pictures) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Every score for pictures read as uploads; blanks get :data:`BLANK_SCORE`.

    Returns:
        ``(scores, logits, kept)``: score name -> (N,) array, (M, 10) logits of the non-blank
        pictures, (N,) bool marking them.
    """
    images, kept = prepare_batch(pictures)
    features, logits = classifier.forward(images)
    scores = {}
    for name, values in classifier.detector.scores(logits, features).items():
        full = np.full(len(kept), BLANK_SCORE)
        full[kept] = values
        scores[name] = full
    return scores, logits, kept


def photo_crops(n: int, rng: outliers.Seed, size: int = 96) -> np.ndarray:
    """Random square crops of scikit-image's bundled sample photos (:data:`PHOTO_NAMES`),
    **evaluation only**.

    Per picture: a photo drawn uniformly, a square crop whose side is drawn from [0.25, 1] of the
    photo's shorter side at a random place, resized to ``size`` with anti-aliasing.

    Returns:
        (n, size, size, 3) uint8 RGB.
    """
    outliers._check_n(n, size)
    g = outliers._rng(rng)
    out = []
    for _ in range(n):
        img = photo(PHOTO_NAMES[int(g.integers(len(PHOTO_NAMES)))])
        h, w = img.shape[:2]
        side = max(28, round(g.uniform(0.25, 1.0) * min(h, w)))
        y, x = int(g.integers(0, h - side + 1)), int(g.integers(0, w - side + 1))
        crop = transform.resize(img[y : y + side, x : x + side], (size, size), anti_aliasing=True)
        out.append(np.round(crop * 255).astype(np.uint8))
    return outliers._stack(out, (size, size, 3))


def ood_sets(n: int, seed: int) -> dict[str, list[np.ndarray]]:
    """The evaluation-only out-of-distribution sets (see the module docstring)."""
    rng = np.random.default_rng(seed)
    fashion, _ = load_fashion_mnist("test")
    digit_like, _ = outliers.random_letters(
        n, rng, family=outliers.EVALUATION_FONTS, letters=outliers.DIGIT_LIKE_LETTERS, dark_ink=None
    )
    other, _ = outliers.random_letters(
        n, rng, family=outliers.EVALUATION_FONTS, letters=outliers.OTHER_LETTERS, dark_ink=None
    )
    whole = [photo(name) for name in PHOTO_NAMES]
    return {
        "Fashion-MNIST test": list(fashion),
        "letters, others (Liberation)": list(other),
        "letters, digit-like (Liberation)": list(digit_like),
        "uniform noise": list(outliers.uniform_noise(n // 2, rng)),
        "Gaussian noise": list(outliers.gaussian_noise(n // 2, rng)),
        "photos (scikit-image, whole and crops)": whole + list(photo_crops(n // 2, rng)),
    }
