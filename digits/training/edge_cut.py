"""Digits cut by the edge of the canvas, for training.

Issue 14: people draw "as big as the box", and a stroke that runs off the canvas leaves a digit with
a part missing. The reading keeps what is on the canvas and normalises it like any digit
(:func:`digits.reading.normalize.normalize_digit`), so the network sees a digit whose top, bottom,
left or right 5-15% is gone, scaled up to fill the 20x20 box: something that MNIST never shows it.
Training adds such digits, cut from the MNIST *training* digits and normalised by the app's own code.
"""

from __future__ import annotations

import numpy as np

from digits.reading.boxes import crop_to_ink
from digits.reading.normalize import normalize_digit

#: How much of a digit is cut off, as a fraction of its height (top, bottom) or width (left, right):
#: the overrun of the canvas_edge pictures (:data:`digits.evaluation.people_set.CANVAS_EDGE_OVERRUN`).
CUT = (0.05, 0.15)
#: The sides a digit is cut at, in turn.
SIDES = ("top", "bottom", "left", "right")


def cut_digit(digit: np.ndarray, side: str, fraction: float) -> np.ndarray:
    """A digit with ``fraction`` of its extent cut off at ``side``.

    Args:
        digit: (h, w) float32 in [0, 1], light ink on dark, cropped to its ink.
        side: one of :data:`SIDES`.
        fraction: in [0, 1): the share of the height (top, bottom) or width (left, right) cut off;
            at least one row or column goes.

    Returns:
        (h', w') float32, the rest, cropped to its ink (empty when nothing is left).

    Raises:
        ValueError: an unknown ``side``.
    """
    if side not in SIDES:
        raise ValueError(f"side must be one of {SIDES}, got {side!r}")
    extent = digit.shape[0] if side in ("top", "bottom") else digit.shape[1]
    k = min(extent - 1, max(1, round(fraction * extent)))
    rest = {"top": digit[k:], "bottom": digit[:-k], "left": digit[:, k:], "right": digit[:, :-k]}[side]
    return crop_to_ink(rest) if rest.max() > 0.5 else rest[:0, :0]


def edge_cut_digits(images: np.ndarray, labels: np.ndarray, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` MNIST digits cut at an edge (:func:`cut_digit`, the sides in turn, :data:`CUT` at
    random) and normalised as the reading normalises a digit.

    Args:
        images: (N, 28, 28) uint8 MNIST *training* digits (ink = 255).
        labels: (N,) their digits.
        n: how many (0 <= n <= N), drawn without replacement.
        seed: random seed; the same seed gives the same digits.

    Returns:
        ``(x, y)``: (M, 28, 28, 1) float32 in [0, 1] and (M,) int32, M <= n (a digit with nothing
        left after the cut is dropped).
    """
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(images), size=n, replace=False)
    x, y = [], []
    for i, index in enumerate(picks):
        digit = crop_to_ink(images[index].astype(np.float32) / 255.0)
        rest = cut_digit(digit, SIDES[i % len(SIDES)], float(rng.uniform(*CUT)))
        if rest.size == 0:
            continue
        x.append(normalize_digit(rest, rest > 0.5)[0])
        y.append(labels[index])
    return np.asarray(x, np.float32).reshape(-1, 28, 28, 1), np.asarray(y, np.int32)
