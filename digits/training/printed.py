"""Printed digits for training: the training font families, as the network sees them.

Issue 14 asks that solid, bold, printed and hollow digits be read as digits. MNIST has none, so
training adds digits printed in the *training* font families of :mod:`digits.datasets.fonts`
(never the validation, test or handwriting families): regular and bold weights, hollow (outline)
digits, and light digits on a dark plate, each through the upload preprocessing
(:func:`digits.reading.prepare.prepare_batch`) so that the network learns what the app really
gives it.
"""

from __future__ import annotations

import numpy as np

from digits.datasets import fonts
from digits.training.uploads import prepared

#: The kinds of printed digit, drawn in turn.
KINDS = ("regular", "bold", "outline", "plate")
#: Height of the printed digits in px: from about MNIST's size to a close-up.
HEIGHT = (28.0, 160.0)


def printed_pictures(n: int, seed: int, split: str = "train") -> tuple[list[np.ndarray], np.ndarray]:
    """``n`` pictures of single printed digits, as uploads.

    Args:
        n: how many (>= 0); the kinds of :data:`KINDS` in turn, digits and fonts at random.
        seed: random seed; the same seed gives the same pictures.
        split: the font families: "train" for training; "validation" to check a model.

    Returns:
        ``(pictures, labels)``: a list of (H, W, 3) uint8 RGB pictures, and (n,) int32 digits.

    Raises:
        ValueError: no font of ``split`` is installed (see :data:`digits.datasets.fonts.PRINTED_PACKAGES`).
    """
    available = fonts.split_fonts(split)
    if not available:
        raise ValueError(f"no {split} fonts installed; apt-get install {' '.join(fonts.PRINTED_PACKAGES)}")
    any_weight, regular, bold = (fonts.upright(available, b) for b in (None, False, True))
    rng = np.random.default_rng(seed)
    pictures, labels = [], np.zeros(n, np.int32)
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        pool = bold if kind == "bold" else regular if kind == "outline" else any_weight
        font = pool[int(rng.integers(len(pool)))]
        labels[i] = int(rng.integers(10))
        height = float(rng.uniform(*HEIGHT))
        image, _ = fonts.printed_picture(
            font, str(labels[i]), height, rng, outline=kind == "outline", plate=kind == "plate"
        )
        pictures.append(image)
    return pictures, labels


def printed_digits(n: int, seed: int, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """``n`` printed digits (see :func:`printed_pictures`) through the upload preprocessing.

    Returns:
        ``(images, labels)``: (M, 28, 28, 1) float32 in [0, 1] (ink = 1) and (M,) int32, M <= n
        (a picture the preprocessing finds blank is dropped; none should be).
    """
    return prepared(*printed_pictures(n, seed, split))
