"""Why the network answered: occlusion sensitivity, and the feature maps of its convolutions.

Occlusion sensitivity (Zeiler & Fergus 2014, "Visualizing and understanding convolutional
networks", section 4.2): a grey square is slid over the 28x28 input and the network is run on each
occluded copy; where covering the picture makes the predicted digit's probability drop, the network
relied on what was there. It needs only forward passes, so it works with any runtime that serves
the network (here ONNX Runtime).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: The occluding square: its side (px), its step (px) and its grey level (0 = background, 1 = ink).
PATCH = 9
STRIDE = 3
GREY = 0.5


def occluded_copies(image: np.ndarray, patch: int = PATCH, stride: int = STRIDE, grey: float = GREY):
    """Every occluded copy of a 28x28 picture, and where each square lies.

    The square's top-left corner runs from ``-patch // 2`` to ``28 - patch // 2`` in steps of
    ``stride`` on both axes, so that every pixel is covered, the edges as symmetrically as the
    middle (the part of a square outside the picture is dropped). 100 copies by default (10 x 10
    places): one batch of the app's network takes about 36 ms here, where steps of 2 px took 80 ms.

    Args:
        image: (28, 28) float in [0, 1], ink = 1.

    Returns:
        ``(copies, boxes)``: (M, 28, 28) float32 occluded pictures and (M, 4) int
        ``(row0, row1, col0, col1)`` of each square, clipped to the picture.

    Raises:
        ValueError: ``image`` is not (28, 28), or ``patch``/``stride`` are not positive.
    """
    x = np.asarray(image, dtype=np.float32)
    if x.shape != (28, 28):
        raise ValueError(f"expected a (28, 28) image, got shape {x.shape}")
    if patch < 1 or stride < 1:
        raise ValueError("patch and stride must be positive")
    starts = range(-(patch // 2), 28 - patch // 2 + 1, stride)
    boxes = np.array(
        [(max(r, 0), min(r + patch, 28), max(c, 0), min(c + patch, 28)) for r in starts for c in starts], dtype=int
    )
    copies = np.repeat(x[None], len(boxes), axis=0)
    for copy, (r0, r1, c0, c1) in zip(copies, boxes, strict=True):
        copy[r0:r1, c0:c1] = grey
    return copies, boxes


def occlusion_map(
    probabilities: Callable[[np.ndarray], np.ndarray],
    image: np.ndarray,
    label: int | None = None,
    patch: int = PATCH,
    stride: int = STRIDE,
    grey: float = GREY,
) -> tuple[np.ndarray, int]:
    """Occlusion sensitivity of one reading (Zeiler & Fergus 2014).

    Args:
        probabilities: maps (M, 28, 28) float32 pictures to (M, 10) softmax probabilities (any
            runtime: the served network, or a Keras model).
        image: (28, 28) float in [0, 1], ink = 1: the picture as the network receives it.
        label: the digit whose probability is followed; default: the network's prediction.
        patch, stride, grey: the occluding square (see :func:`occluded_copies`).

    Returns:
        ``(heat, label)``: (28, 28) float64, for each pixel the mean drop of ``label``'s probability
        over the squares that cover it (in [-1, 1]; positive = covering it lowers the probability),
        and the digit followed.

    Raises:
        ValueError: as :func:`occluded_copies`; ``label`` not in 0-9.
    """
    x = np.asarray(image, dtype=np.float32)
    copies, boxes = occluded_copies(x, patch, stride, grey)
    p = np.asarray(probabilities(np.concatenate([x[None], copies])), dtype=np.float64)
    if label is None:
        label = int(np.argmax(p[0]))
    if not 0 <= label <= 9:
        raise ValueError(f"label must be a digit 0-9, got {label}")
    drop = p[0, label] - p[1:, label]
    total, count = np.zeros((28, 28)), np.zeros((28, 28))
    for d, (r0, r1, c0, c1) in zip(drop, boxes, strict=True):
        total[r0:r1, c0:c1] += d
        count[r0:r1, c0:c1] += 1
    return total / np.maximum(count, 1), label


def most_active(maps: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` channels of (H, W, C) feature maps with the highest mean activation.

    Returns:
        ``(maps, channels)``: (H, W, min(k, C)) in decreasing order of mean activation, and their
        channel indices (int).
    """
    a = np.asarray(maps)
    order = np.argsort(-a.mean(axis=(0, 1)), kind="stable")[:k]
    return a[..., order], order


def feature_grid(maps: np.ndarray, columns: int = 8, gap: int = 1) -> np.ndarray:
    """The feature maps of one layer as one picture: a grid of its channels.

    Args:
        maps: (H, W, C) activations (after ReLU, >= 0).
        columns: channels per row.
        gap: pixels between maps (NaN, shown empty).

    Returns:
        (rows * (H + gap) - gap, columns * (W + gap) - gap) float64 in [0, 1] (activations divided by
        the layer's largest, so maps of one layer compare), NaN in the gaps and unused cells.

    Raises:
        ValueError: ``maps`` is not 3-D, or ``columns`` is not positive.
    """
    a = np.asarray(maps, dtype=np.float64)
    if a.ndim != 3 or columns < 1:
        raise ValueError(f"expected (H, W, C) maps and positive columns, got shape {a.shape}, columns {columns}")
    h, w, c = a.shape
    top = a.max()
    a = a / top if top > 0 else np.zeros_like(a)
    columns = min(columns, c)
    rows = -(-c // columns)
    grid = np.full((rows * (h + gap) - gap, columns * (w + gap) - gap), np.nan)
    for k in range(c):
        r, q = divmod(k, columns)
        grid[r * (h + gap) : r * (h + gap) + h, q * (w + gap) : q * (w + gap) + w] = a[..., k]
    return grid
