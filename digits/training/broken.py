"""Handwritten digits with a broken stroke, for training: MNIST training digits with a gap cut across
one stroke, as uploads.

Issue 14's "broken stroke" pictures are digits whose pen skipped: a gap of 1-3 px (at 28x28) across
one stroke. Cut across a loop, it opens it, and the network, which MNIST showed closed loops, read a
9 as 7 and a 6 as 5. Training adds MNIST *training* digits cut the same way
(:func:`digits.evaluation.people_set.cut_stroke`, with a slightly wider range of gaps), drawn on paper
40-200 px tall and read through the upload preprocessing (:func:`digits.reading.prepare.prepare_batch`),
so that the network learns what the app really gives it. Validation and test digits are never cut here.
"""

from __future__ import annotations

import numpy as np

from digits.evaluation.people_set import cut_stroke
from digits.evaluation.robustness import crop_digit, paint, place, render_digit
from digits.training.uploads import each_drawn, prepared

#: Width of the gap, in px at MNIST's 28x28 (the benchmark's is 1-3).
GAP = (1.0, 4.0)
#: Height of the digit in px.
HEIGHT = (40.0, 200.0)


def broken_pictures(digits: np.ndarray, labels: np.ndarray, n: int, seed: int) -> tuple[list[np.ndarray], np.ndarray]:
    """``n`` pictures of handwritten digits with one stroke cut, dark ink on light paper: the
    arguments and the result are :func:`digits.training.uploads.each_drawn`'s (MNIST *training*
    digits only; a list of (H, W) uint8 grey pictures, and (n,) int32 labels)."""
    return each_drawn(digits, labels, n, seed, _broken)


def _broken(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One digit with a gap in :data:`GAP` cut across one stroke, :data:`HEIGHT` px tall, dark on light."""
    cut = cut_stroke(digit, float(rng.uniform(*GAP)), rng)
    ink = render_digit(crop_digit((cut * 255).astype(np.uint8)), float(rng.uniform(*HEIGHT)))
    margin = int(rng.integers(8, 40))
    shape = (ink.shape[0] + 2 * margin, ink.shape[1] + 2 * margin)
    paper, pen = float(rng.uniform(200, 255)), float(rng.uniform(0, 60))
    return paint(paper, pen, place(shape, ink, margin, margin))


def broken_digits(digits: np.ndarray, labels: np.ndarray, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` digits with a broken stroke (see :func:`broken_pictures`) through the upload preprocessing.

    Args:
        digits, labels, n, seed: as for :func:`broken_pictures` (MNIST *training* digits only).

    Returns:
        ``(images, labels)``: (M, 28, 28, 1) float32 in [0, 1] (ink = 1) and (M,) int32, M <= n
        (a picture the preprocessing finds blank is dropped).
    """
    return prepared(*broken_pictures(digits, labels, n, seed))
