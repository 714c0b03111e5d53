"""Real photos of things that are not digits, from scikit-image's bundled sample data (no download).

The one loader of these photos: the non-digit page's gallery (:mod:`digits.ui.gallery`) and the OOD
evaluation's photo set (:mod:`digits.evaluation.ood_sets`) both read them through :func:`photo`.
"""

from __future__ import annotations

import functools

import numpy as np

#: scikit-image sample photos used by :func:`photo_crops` (evaluation only). Pictures that may
#: hold characters (text, page, clock) are left out.
PHOTO_NAMES = (
    "chelsea",
    "astronaut",
    "coffee",
    "rocket",
    "stereo_motorcycle",
    "horse",
    "camera",
    "hubble_deep_field",
    "coins",
    "moon",
    "immunohistochemistry",
    "retina",
    "colorwheel",
    "brick",
    "grass",
    "gravel",
)


@functools.lru_cache(maxsize=len(PHOTO_NAMES))
def photo(name: str) -> np.ndarray:
    """A scikit-image sample photo as (H, W, 3) uint8 (grey and binary pictures are repeated)."""
    from skimage import data

    img = getattr(data, name)()
    if isinstance(img, tuple):  # stereo_motorcycle: (left, right, disparity)
        img = img[0]
    img = np.asarray(img)
    if img.dtype == bool:
        img = img.astype(np.uint8) * 255
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=2)
    img = img[..., :3]
    img.setflags(write=False)
    return img
