"""The naive way to feed a picture to an MNIST network, kept as the benchmarks' baseline."""

from __future__ import annotations

import numpy as np
from PIL import Image
from skimage import transform

from digits.reading.ink import to_grayscale
from digits.reading.normalize import SIZE


def naive_preprocess(img: Image.Image | np.ndarray) -> np.ndarray:
    """The naive baseline: grayscale, resize the whole picture to 28x28, invert.

    Args:
        img: a PIL image or an array accepted by :func:`digits.reading.ink.to_grayscale`.

    Returns:
        (28, 28) float32 in [0, 1]. For comparison only; :func:`digits.reading.prepare.prepare` is
        what the app uses.
    """
    gray = to_grayscale(img, colour=False)
    small = transform.resize(gray, (SIZE, SIZE), anti_aliasing=True)
    return (1.0 - small).astype(np.float32)
