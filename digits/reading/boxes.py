"""Bounding boxes of ink: the one helper every stage of the reading (and the test-set renderers) uses."""

from __future__ import annotations

import numpy as np


def bounding_box(mask: np.ndarray) -> tuple[int, int, int, int]:
    """The box of the non-zero pixels of a 2-D array.

    Args:
        mask: (H, W) array of any dtype; non-zero (or True) pixels are ink.

    Returns:
        ``(x0, y0, x1, y1)`` in pixels, 0-indexed, with ``x1`` and ``y1`` exclusive (so the ink is
        ``mask[y0:y1, x0:x1]``).

    Raises:
        ValueError: ``mask`` is not 2-D, or has no non-zero pixel.
    """
    a = np.asarray(mask)
    if a.ndim != 2:
        raise ValueError(f"expected a 2-D array, got shape {a.shape}")
    rows, cols = np.flatnonzero(a.any(axis=1)), np.flatnonzero(a.any(axis=0))
    if rows.size == 0:
        raise ValueError("the array has no ink: it has no bounding box")
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def crop_to_ink(image: np.ndarray) -> np.ndarray:
    """``image`` cropped to the bounding box of its non-zero pixels (a view, not a copy).

    Raises:
        ValueError: see :func:`bounding_box`.
    """
    x0, y0, x1, y1 = bounding_box(image)
    return image[y0:y1, x0:x1]
