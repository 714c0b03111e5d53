"""The non-digit page's gallery: six real photos of things that are not digits (scikit-image's samples)."""

from __future__ import annotations

import numpy as np

from digits.datasets.photos import photo

#: Caption -> ``skimage.data`` name of each gallery photo.
GALLERY = {
    "A cat (Chelsea)": "chelsea",
    "A motorcycle": "stereo_motorcycle",
    "A rocket": "rocket",
    "An astronaut": "astronaut",
    "A cup of coffee": "coffee",
    "A horse (silhouette)": "horse",
}


def non_digit_photos() -> dict[str, np.ndarray]:
    """The gallery: caption -> (H, W, 3) uint8 RGB photo, from ``skimage.data``.

    Images: Chelsea the cat, a stereo motorcycle (left view), the Falcon 9 rocket, Eileen Collins
    (astronaut), a cup of coffee, and a horse silhouette; all ship inside scikit-image.
    """
    return {caption: photo(name) for caption, name in GALLERY.items()}
