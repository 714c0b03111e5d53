"""Reading MNIST's IDX files."""

from __future__ import annotations

import gzip
import shutil

import numpy as np
import pytest

from digits.datasets.mnist import DataError, load_mnist, read_idx, to_model_input, train_val_split

from conftest import mnist_dir


def test_real_mnist_shapes_and_labels(mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert set(np.unique(y_train)) == set(range(10))
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_uncompressed_files_read_the_same(tmp_path):
    src = mnist_dir() / "t10k-labels-idx1-ubyte.gz"
    plain = tmp_path / "t10k-labels-idx1-ubyte"
    with gzip.open(src) as f, open(plain, "wb") as g:
        shutil.copyfileobj(f, g)
    assert np.array_equal(read_idx(plain), read_idx(src))


def test_split_is_last_5000_for_validation(mnist):
    (x, y), _ = mnist
    (xt, yt), (xv, _) = train_val_split(x, y)
    assert len(xt) == 55000 and len(xv) == 5000
    assert np.array_equal(xv, x[55000:]) and np.array_equal(yt, y[:55000])


def test_model_input_scaling(mnist_test):
    x = to_model_input(mnist_test[0][:3])
    assert x.shape == (3, 28, 28, 1) and x.dtype == np.float32 and x.max() == 1.0 and x.min() == 0.0


def test_errors(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        load_mnist(tmp_path / "nowhere")
    with pytest.raises(DataError, match="has no train-images"):
        load_mnist(tmp_path)
    bad = tmp_path / "bad"
    bad.write_bytes(b"\x00\x00\x08\x01\x00\x00\x00\x05abc")
    with pytest.raises(DataError, match="truncated"):
        read_idx(bad)
    bad.write_bytes(b"PK\x03\x04 zip file")
    with pytest.raises(DataError, match="not an IDX"):
        read_idx(bad)


def test_env_var_is_used(monkeypatch):
    monkeypatch.setenv("MNIST_DIR", str(mnist_dir()))
    (_, _), (_, y_test) = load_mnist()
    assert len(y_test) == 10000


def test_a_failed_download_is_a_data_error_and_the_benchmarks_say_one_line(monkeypatch, tmp_path):
    """With no directory given, Keras downloads MNIST; where that fails (no network, as on this
    project's machines), the error says how to give the files, and the benchmarks print it as one
    line and exit 1 (benchmark_speed showed a traceback)."""
    import subprocess
    import sys

    import keras

    def offline():
        raise Exception("URL fetch failure on https://example.invalid/mnist.npz: None")

    monkeypatch.delenv("MNIST_DIR", raising=False)
    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    with pytest.raises(DataError, match="--data-dir or MNIST_DIR"):
        load_mnist(None)
    for module in ("benchmark_speed", "benchmark_hostile"):
        run = subprocess.run(
            [sys.executable, "-m", f"digits.evaluation.{module}", "--data-dir", str(tmp_path / "none")],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert run.returncode == 1 and "Traceback" not in run.stderr
        assert f"{module}: error: MNIST directory" in run.stderr.strip().splitlines()[-1]
