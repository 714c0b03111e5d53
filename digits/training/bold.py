"""Bold handwritten digits for training: MNIST training digits re-drawn with a broad pen.

Issue 14's "frame-filling" pictures are bold digits (a pen 20-30% of the digit's height) that fill
their picture. Such a pen closes the loops of a 6, 8 or 9 with ink, and the preprocessing
(:func:`digits.reading.normalize.normalize_stroke`) re-draws what is left at MNIST's stroke width;
MNIST itself has nothing like it, so the network answered "not a digit" or misread the closed
shapes. Training adds MNIST *training* digits re-drawn along their skeleton
(:func:`digits.evaluation.robustness.redraw_digit`) with a broader range of pens and covers than
the benchmark's, dark on light or light on dark, each through the upload preprocessing
(:func:`digits.reading.prepare.prepare_batch`) so that the network learns what the app really
gives it. Validation and test digits are never drawn here.
"""

from __future__ import annotations

import numpy as np

from digits.evaluation.robustness import crop_digit, paint, place, redraw_digit
from digits.training.uploads import each_drawn, prepared

#: Pen width as a fraction of the digit's height: from just above MNIST's median (0.14) to a marker.
PEN = (0.15, 0.34)
#: Height of the digit in px.
HEIGHT = (60.0, 200.0)
#: Fraction of the picture the digit's box covers (from a margin to a tight crop).
COVER = (0.25, 0.95)


def bold_pictures(digits: np.ndarray, labels: np.ndarray, n: int, seed: int) -> tuple[list[np.ndarray], np.ndarray]:
    """``n`` pictures of bold handwritten digits, as uploads.

    Args:
        digits: (N, 28, 28) uint8 MNIST *training* digits (ink = 255), N >= 1.
        labels: (N,) int, their labels.
        n: how many pictures (>= 0); source digits drawn at random with replacement.
        seed: random seed; the same seed gives the same pictures.

    Returns:
        ``(pictures, labels)``: a list of (H, W) uint8 grey pictures, and (n,) int32 digits.
    """
    return each_drawn(digits, labels, n, seed, _bold)


def _bold(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One digit re-drawn with a broad pen, in a picture it covers :data:`COVER` of, either polarity."""
    height = float(rng.uniform(*HEIGHT))
    ink = redraw_digit(crop_digit(digit), height, float(rng.uniform(*PEN)) * height)
    cover = float(rng.uniform(*COVER))
    h, w = (int(np.ceil(s / np.sqrt(cover))) for s in ink.shape)
    layer = place((h, w), ink, (h - ink.shape[0]) // 2, (w - ink.shape[1]) // 2)
    dark, faint = float(rng.uniform(0, 60)), float(rng.uniform(195, 255))
    paper, pen = (faint, dark) if rng.integers(2) else (dark, faint)
    return paint(paper, pen, layer)


def bold_digits(digits: np.ndarray, labels: np.ndarray, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` bold handwritten digits (see :func:`bold_pictures`) through the upload preprocessing.

    Args:
        digits, labels, n, seed: as for :func:`bold_pictures` (MNIST *training* digits only).

    Returns:
        ``(images, labels)``: (M, 28, 28, 1) float32 in [0, 1] (ink = 1) and (M,) int32, M <= n
        (a picture the preprocessing finds blank is dropped; none should be).
    """
    return prepared(*bold_pictures(digits, labels, n, seed))
