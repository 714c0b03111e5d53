"""Reading MNIST from its original IDX files.

The MNIST database (LeCun, Cortes and Burges, http://yann.lecun.com/exdb/mnist/) ships as four
IDX files. This module reads them, gzipped or not, from a directory given as an argument or in the
``MNIST_DIR`` environment variable, and falls back to ``keras.datasets.mnist.load_data()`` (which
downloads the file and so needs internet access) when neither is given.
"""

from __future__ import annotations

import gzip
import os
import struct
from pathlib import Path

import numpy as np

FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}

#: Size of the validation split: the last 5,000 of the 60,000 training images.
VALIDATION_SIZE = 5000

# IDX type codes (third byte of the magic number) -> numpy dtype, big-endian.
_IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


class DataError(RuntimeError):
    """Raised when MNIST cannot be found or an IDX file is malformed."""


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one IDX file (optionally gzipped) into a numpy array.

    Args:
        path: file path; a ``.gz`` suffix means gzip-compressed.

    Returns:
        Array with the shape and dtype recorded in the file header, for MNIST
        ``(N, 28, 28)`` uint8 images or ``(N,)`` uint8 labels.

    Raises:
        DataError: the file is missing, has a bad magic number, or is truncated.

    Format: http://yann.lecun.com/exdb/mnist/ ("FILE FORMATS FOR THE MNIST DATABASE").
    """
    path = Path(path)
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise DataError(f"cannot read {path}: {e}") from e
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise DataError(f"{path} is not an IDX file (bad magic number)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = np.dtype(_IDX_DTYPES[raw[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - header != expected:
        raise DataError(f"{path} is truncated: {len(raw) - header} bytes of data, expected {expected}")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def _find(data_dir: Path, stem: str) -> Path:
    for name in (stem, stem + ".gz"):
        if (data_dir / name).exists():
            return data_dir / name
    raise DataError(f"{data_dir} has no {stem} (or {stem}.gz); see the README on finding MNIST offline")


def resolve_data_dir(data_dir: str | os.PathLike | None = None) -> Path | None:
    """The MNIST directory to use: ``data_dir`` if given, else ``$MNIST_DIR``, else None."""
    chosen = data_dir if data_dir else os.environ.get("MNIST_DIR")
    return Path(chosen).expanduser() if chosen else None


def load_mnist(
    data_dir: str | os.PathLike | None = None,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load MNIST as ``(x_train, y_train), (x_test, y_test)``, like ``keras.datasets.mnist``.

    Args:
        data_dir: directory holding the four IDX files (gzipped or not). When None, the
            ``MNIST_DIR`` environment variable is used; when that is unset too, the Keras
            loader, which downloads the data.

    Returns:
        ``x_train`` (60000, 28, 28) uint8 in [0, 255] with ink = 255, ``y_train`` (60000,)
        uint8 in [0, 9]; ``x_test`` (10000, 28, 28) uint8, ``y_test`` (10000,) uint8.

    Raises:
        DataError: a file is missing or malformed, images and labels disagree in count, or (with
            no directory given) the download fails.
    """
    directory = resolve_data_dir(data_dir)
    if directory is None:
        import keras

        try:
            return keras.datasets.mnist.load_data()
        except Exception as e:  # Keras raises a bare Exception for a failed download
            raise DataError(
                f"MNIST could not be downloaded ({' '.join(str(e).split())[:200]}); "
                "give its directory with --data-dir or MNIST_DIR"
            ) from e
    if not directory.is_dir():
        raise DataError(f"MNIST directory {directory} does not exist")
    arrays = {key: read_idx(_find(directory, stem)) for key, stem in FILES.items()}
    for split in ("train", "test"):
        n_img, n_lab = len(arrays[f"{split}_images"]), len(arrays[f"{split}_labels"])
        if n_img != n_lab:
            raise DataError(f"{split}: {n_img} images but {n_lab} labels")
    return (arrays["train_images"], arrays["train_labels"]), (arrays["test_images"], arrays["test_labels"])


def train_val_split(
    x: np.ndarray, y: np.ndarray, validation_size: int = VALIDATION_SIZE
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Split the training set: the first ``len(x) - validation_size`` train, the rest validate.

    Returns:
        ``(x_train, y_train), (x_val, y_val)``, views of the inputs in their original order.
    """
    cut = len(x) - validation_size
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])


def to_model_input(images: np.ndarray) -> np.ndarray:
    """Scale uint8 MNIST images (N, 28, 28) in [0, 255] to the model's (N, 28, 28, 1) float32 in [0, 1]."""
    return (np.asarray(images, dtype=np.float32) / 255.0)[..., None]
