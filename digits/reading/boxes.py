"""Bounding boxes of ink, and where ink lies against the picture's sides: helpers every stage of the
reading (and the test-set renderers) uses."""

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


def reaches_ends(box: tuple[float, ...], height: float) -> tuple[bool, bool]:
    """Whether a box ``(x0, y0, x1, y1)`` (px) reaches the top, and the bottom, of a frame ``height``
    px tall: a piece there may be cut by the frame's edge (a canvas stroke run off it)."""
    return box[1] <= 0, box[3] >= height


def run_past_ends(box: tuple[float, ...], height: float, extend: float) -> tuple[float, ...]:
    """A box as if its piece ran on past the top or bottom of a frame, where it reaches them
    (:func:`reaches_ends`): the digit as drawn, of which a canvas shows only what is in view.

    Args:
        box: (x0, y0, x1, y1) in px of the frame (x1, y1 exclusive).
        height: the frame's height in px.
        extend: how far the box runs on past each end it reaches, as a share (>= 0) of its height.

    Returns:
        (x0, y0, x1, y1): x0 and x1 as given, y0 and y1 moved out by ``extend`` times the box's
        height at each end reached (floats where moved); the box as it is where it reaches neither.
    """
    x0, y0, x1, y1 = box
    grow = extend * (y1 - y0)
    top, bottom = reaches_ends(box, height)
    return (x0, y0 - grow * top, x1, y1 + grow * bottom)


def crop_to_ink(image: np.ndarray) -> np.ndarray:
    """``image`` cropped to the bounding box of its non-zero pixels (a view, not a copy).

    Raises:
        ValueError: see :func:`bounding_box`.
    """
    x0, y0, x1, y1 = bounding_box(image)
    return image[y0:y1, x0:x1]


#: Ink holding at least this share of one side's border pixels runs along that side.
ALONG_SIDE = 0.6


def along_a_side(labels: np.ndarray, value: int | bool = True, share: float = ALONG_SIDE) -> bool:
    """Whether the pixels of ``labels`` equal to ``value`` (a component's label in a label image, or
    True in a bool mask) hold at least ``share`` (in [0, 1]) of one side of the picture's border (its
    first or last row or column): a paper edge, a table, a frame, a shadow along the border, not a
    digit drawn up to the edge (which touches a side, but not along it). Only the border is read.

    Args:
        labels: (H, W) int label image or bool mask.
    """
    return any(np.mean(side == value) >= share for side in _sides(labels))


def at_border(labels: np.ndarray) -> np.ndarray:
    """The labels of the components that touch the picture's border (its first or last row or
    column), read from the border only.

    Args:
        labels: (H, W) int label image (0: background), as ``scipy.ndimage.label`` makes it.

    Returns:
        (K,) int, sorted, without 0.
    """
    edge = np.unique(np.concatenate(_sides(labels)))
    return edge[edge > 0]


def _sides(image: np.ndarray) -> tuple[np.ndarray, ...]:
    """The picture's first and last rows and columns: (W,), (W,), (H,), (H,)."""
    return image[0], image[-1], image[:, 0], image[:, -1]
