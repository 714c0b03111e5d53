"""The out-of-distribution evaluation sets."""

from __future__ import annotations

import numpy as np

from digits.datasets.photos import PHOTO_NAMES
from digits.evaluation.ood_sets import photo_crops


def test_photo_crops_are_rgb():
    pics = photo_crops(4, 11, size=64)
    assert pics.shape == (4, 64, 64, 3) and pics.dtype == np.uint8
    assert "text" not in PHOTO_NAMES and "page" not in PHOTO_NAMES
