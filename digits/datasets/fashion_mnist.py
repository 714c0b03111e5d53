"""Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, arXiv:1708.07747), **evaluation only**, from its IDX files.

Zalando's pictures of clothes, MNIST-shaped, installed by Debian's ``dataset-fashion-mnist``. They
are never used to train, tune or choose anything: they measure the "not a digit" detector.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from digits.datasets.mnist import DataError, read_idx

#: Default Fashion-MNIST directory (Debian package ``dataset-fashion-mnist``).
FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
#: Fashion-MNIST class names, by label (Xiao, Rasul & Vollgraf 2017).
FASHION_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)


def load_fashion_mnist(split: str = "test", directory: str | Path = FASHION_MNIST_DIR) -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST (Xiao, Rasul & Vollgraf 2017), **evaluation only**, from its IDX files.

    The pictures are MNIST-shaped: (N, 28, 28) uint8, light object (up to 255) on black, so they
    can go to the model directly (like MNIST test digits) or through
    :func:`digits.reading.prepare.preprocess` like an upload.

    Args:
        split: "train" (60,000) or "test" (10,000).
        directory: folder with the four IDX files, gzipped or not.

    Returns:
        ``(images, labels)``: (N, 28, 28) uint8 and (N,) uint8 in [0, 9] (see
        :data:`FASHION_CLASSES`).

    Raises:
        ValueError: unknown split.
        DataError: a file is missing (with the install hint) or malformed.
    """
    if split not in FASHION_FILES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    directory = Path(directory)
    arrays = []
    for stem in FASHION_FILES[split]:
        path = next((directory / name for name in (stem, stem + ".gz") if (directory / name).exists()), None)
        if path is None:
            raise DataError(
                f"Fashion-MNIST not found: {directory} has no {stem}(.gz); "
                "install it with `apt-get install dataset-fashion-mnist`"
            )
        arrays.append(read_idx(path))
    images, labels = arrays
    if images.ndim != 3 or images.shape[1:] != (28, 28) or labels.shape != (len(images),):
        raise DataError(f"Fashion-MNIST {split}: unexpected shapes {images.shape} and {labels.shape}")
    return images, labels
