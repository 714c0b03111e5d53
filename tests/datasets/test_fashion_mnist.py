"""Fashion-MNIST from Debian's IDX files, and its errors."""

from __future__ import annotations

import numpy as np
import pytest

from digits.datasets.fashion_mnist import FASHION_CLASSES, load_fashion_mnist
from digits.datasets.mnist import DataError


def test_load_fashion_mnist():
    images, labels = load_fashion_mnist()
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10000,) and set(np.unique(labels)) == set(range(10))
    assert len(FASHION_CLASSES) == 10
    assert images[:, 0, :].mean() < 20 and images.max() == 255  # light objects on black, like MNIST


def test_load_fashion_mnist_errors(tmp_path):
    with pytest.raises(DataError, match="apt-get install dataset-fashion-mnist"):
        load_fashion_mnist(directory=tmp_path)
    with pytest.raises(ValueError):
        load_fashion_mnist("validation")
