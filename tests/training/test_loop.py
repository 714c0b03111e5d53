"""train.py: a --limit smoke run writes artifacts that load, and a fixed seed gives the same weights."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from digits.network.card import read_card
from digits.network.classifier import Classifier

from conftest import ROOT, mnist_dir


def run_train(out, seed=3, *extra):
    cmd = [sys.executable, "train.py", "--data-dir", str(mnist_dir()), "--limit", "512", "--epochs", "1", *extra]
    cmd += ["--batch-size", "64", "--seed", str(seed), "--out", str(out), "--verbose", "0"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    """One smoke run (seed 3), trained once for the tests that start from it: ``(out_dir, proc)``.
    Tests read it and never write into it."""
    out = tmp_path_factory.mktemp("smoke") / "a"
    return out, run_train(out)


def test_smoke_run_writes_loadable_artifacts_and_is_deterministic(smoke_run, tmp_path):
    from digits.training.calibration import SMOKE_VALIDATION

    (a, proc), b = smoke_run, tmp_path / "b"
    assert "test accuracy" in proc.stdout
    card = read_card(a / "mnist_cnn.keras")  # verifies the hash
    assert card["config"]["limit"] == 512 and card["data"]["train"] == 512 and card["data"]["validation"] == 5000
    # A smoke run calibrates on part of the validation split (the digits preprocessing keeps).
    fitted = int(card["calibration"]["fitted_on"].rsplit("(", 1)[1].split()[0])
    assert 0.9 * SMOKE_VALIDATION <= fitted <= SMOKE_VALIDATION
    assert len(card["history"]["val_accuracy"]) == 1
    # train.py ended by fitting the temperature and the detector into the card.
    assert card["calibration"]["temperature"] > 0 and card["ood"]["score"] in card["ood"]["tuning_auroc"]
    clf = Classifier(a / "mnist_cnn.keras")
    assert clf.logits(np.zeros((2, 28, 28), np.float32)).shape == (2, 10)

    run_train(b)
    import keras

    wa = keras.models.load_model(a / "mnist_cnn.keras", compile=False).get_weights()
    wb = keras.models.load_model(b / "mnist_cnn.keras", compile=False).get_weights()
    assert all(np.array_equal(x, y) for x, y in zip(wa, wb, strict=True))
    assert read_card(b / "mnist_cnn.keras")["test_accuracy"] == card["test_accuracy"]


def test_outlier_exposure_smoke_run(tmp_path):
    run_train(tmp_path, 3, "--oe-weight", "0.5", "--printed", "40", "--bold", "30", "--elastic", "--stroke-width")
    card = read_card(tmp_path / "mnist_cnn.keras")
    assert card["printed_digits"]["count"] == 40 and card["bold_digits"]["count"] == 30 and card["data"]["train"] == 512
    assert card["bold_digits"]["source"] == "MNIST train"
    augmentation = card["config"]["augmentation"]
    assert augmentation["elastic"]["sigma"] > 0 and augmentation["stroke_width"]["dilate_max"] > 0
    oe = card["config"]["outlier_exposure"]
    assert oe["weight"] == 0.5 and oe["pool"] > 300 and oe["pool_seed"] != card["ood"]["seed"]
    clf = Classifier(tmp_path / "mnist_cnn.keras")
    assert clf.outlier_exposure == oe and clf.logits(np.zeros((1, 28, 28), np.float32)).shape == (1, 10)


def test_bad_data_dir_is_one_line_error(tmp_path):
    proc = subprocess.run(
        [sys.executable, "train.py", "--data-dir", str(tmp_path / "missing"), "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0 and "does not exist" in proc.stderr


def test_help_shows_defaults():
    out = subprocess.run([sys.executable, "train.py", "--help"], cwd=ROOT, capture_output=True, text=True).stdout
    for flag in ("--epochs", "--batch-size", "--seed", "--data-dir", "--out", "--limit"):
        assert flag in out
    assert "(default: 12)" in out and "(default: 128)" in out


def test_classic_network_smoke_run(tmp_path):
    """train.py --arch: a classic network built from the table, trained with its recipe (here on 512
    digits), exported with its convolutions' activations, calibrated with a detector on its logits."""
    import numpy as np

    from digits.network.classifier import Classifier
    from digits.network.zoo import CLASSIC_NETWORKS

    proc = subprocess.run(
        [
            sys.executable,
            "train.py",
            "--arch",
            "lenet",
            "--data-dir",
            str(mnist_dir()),
            "--limit",
            "512",
            "--out",
            str(tmp_path),
            "--verbose",
            "0",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    classifier = Classifier(tmp_path / "lenet.keras")
    card = classifier.card
    assert tuple(card["layers"]) == CLASSIC_NETWORKS["lenet"].layers and card["data"]["train"] == 512
    assert card["recipe"]["optimizer"] == "rmsprop" and len(card["history"]["loss"]) == 10
    assert card["served"]["outputs"] == ["logits", "conv1", "conv2", "conv3"] and classifier.feature_dim == 0
    assert classifier.detector.score_name in ("msp", "energy") and classifier.detector.mahalanobis is None
    maps = classifier.activations(np.zeros((28, 28), np.float32))
    assert [m.shape for m in maps.values()] == [(26, 26, 6), (11, 11, 16), (3, 3, 120)]


def test_fine_tuning_starts_from_the_given_network_and_records_it(smoke_run, tmp_path):
    (base, _), tuned = smoke_run, tmp_path / "tuned"
    base_card = read_card(base / "mnist_cnn.keras")
    run_train(tuned, 3, "--init", str(base / "mnist_cnn.keras"), "--lr", "1e-9")
    card = read_card(tuned / "mnist_cnn.keras")
    init = card["config"]["init"]
    assert init["file"] == "mnist_cnn.keras" and init["sha256"] == base_card["sha256"]
    assert init["config"] == base_card["config"] and init["training_seconds"] == base_card["training_seconds"]
    import keras

    # With a vanishing learning rate the trained weights are the base network's, not new ones (batch
    # normalisation's moving statistics are not learned by the optimizer, and do move).
    wa = [w.numpy() for w in keras.models.load_model(base / "mnist_cnn.keras", compile=False).trainable_weights]
    wb = [w.numpy() for w in keras.models.load_model(tuned / "mnist_cnn.keras", compile=False).trainable_weights]
    assert max(float(np.abs(x - y).max()) for x, y in zip(wa, wb, strict=True)) < 1e-4


@pytest.mark.parametrize(
    "extra", [["--out", "model"], ["--arch", "lenet", "--out", "elsewhere"]], ids=["own output", "classic"]
)
def test_fine_tuning_refuses_its_own_output_and_the_classic_networks(tmp_path, extra):
    cmd = [sys.executable, "train.py", "--init", "model/mnist_cnn.keras", *extra]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "--init" in proc.stderr.splitlines()[-1] and "Traceback" not in proc.stderr


def test_fine_tuning_from_a_file_without_card_is_one_line_error(tmp_path):
    (tmp_path / "x.keras").write_bytes(b"not a network")
    cmd = [sys.executable, "train.py", "--data-dir", str(mnist_dir()), "--init", str(tmp_path / "x.keras")]
    proc = subprocess.run([*cmd, "--out", str(tmp_path / "o")], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("train.py: error:") and proc.stderr.count("\n") == 1


@pytest.mark.parametrize("kind", ["bold", "broken"])
def test_bold_and_broken_digits_are_drawn_from_the_training_split_only(monkeypatch, mnist, tmp_path, kind):
    """train(bold=N) re-draws, train(broken=N) cuts, MNIST *training* digits: never a validation or
    test digit."""
    import importlib

    from digits.training import loop

    module = importlib.import_module(f"digits.training.{kind}")

    class SeenError(Exception):
        pass

    seen = {}

    def spy(digits, labels, n, seed):
        seen.update(digits=digits, labels=labels, n=n)
        raise SeenError  # what it was given is all this test needs: stop before training

    monkeypatch.setattr(module, f"{kind}_digits", spy)
    with pytest.raises(SeenError):
        loop.train(data_dir=str(mnist_dir()), out_dir=tmp_path, epochs=1, **{kind: 7})
    (x, y), _ = mnist
    assert seen["n"] == 7 and len(seen["digits"]) == 55000
    assert np.array_equal(seen["digits"], x[:55000]) and np.array_equal(seen["labels"], y[:55000])


def test_wise_ends_between_the_start_and_the_fine_tuned_network(smoke_run, tmp_path):
    """--wise ALPHA: the same fine-tuning (same seed), then (1 - ALPHA) x start + ALPHA x fine-tuned,
    batch-normalisation statistics included, and the card says so. Run as the app's network was
    made: with outlier exposure (the network trained inside an augmenting wrapper) and extra digits
    (broken strokes here, recorded in the card and kept by a later fine-tuning's card)."""
    import keras

    from digits.training.loop import _init_card

    (base, _), tuned, half = smoke_run, tmp_path / "tuned", tmp_path / "half"
    tune = ("--init", str(base / "mnist_cnn.keras"), "--lr", "1e-3", "--oe-weight", "0.25", "--broken", "16")
    run_train(tuned, 3, *tune)
    run_train(half, 3, *tune, "--wise", "0.5")
    assert read_card(tuned / "mnist_cnn.keras")["broken_digits"]["count"] == 16
    assert _init_card(tuned / "mnist_cnn.keras")["broken_digits"]["count"] == 16
    weights = [keras.models.load_model(d / "mnist_cnn.keras", compile=False).get_weights() for d in (base, tuned, half)]
    moved = max(float(np.abs(b - t).max()) for b, t in zip(weights[0], weights[1], strict=True))
    assert moved > 1e-3  # the fine-tuning did move the weights, so the midpoint is a new network
    for b, t, h in zip(*weights, strict=True):
        np.testing.assert_allclose(h, 0.5 * (b + t), rtol=0, atol=1e-6)
    card = read_card(half / "mnist_cnn.keras")
    assert card["config"]["weight_interpolation"]["alpha"] == 0.5
    assert read_card(tuned / "mnist_cnn.keras")["config"]["weight_interpolation"] is None
    # the card's validation accuracy is the interpolated network's own
    from digits.datasets.mnist import load_mnist, to_model_input, train_val_split

    _, (x_val, y_val) = train_val_split(*load_mnist(str(mnist_dir()))[0])
    logits = keras.models.load_model(half / "mnist_cnn.keras", compile=False).predict(to_model_input(x_val), verbose=0)
    assert card["val_accuracy"] == pytest.approx(float((logits.argmax(1) == y_val).mean()), abs=1e-6)


@pytest.mark.parametrize("extra", [["--wise", "0.5"], ["--init", "model/mnist_cnn.keras", "--wise", "1.5"]])
def test_wise_needs_init_and_a_weight_in_the_unit_interval(tmp_path, extra):
    cmd = [sys.executable, "train.py", *extra, "--out", str(tmp_path / "o")]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "--wise" in proc.stderr.splitlines()[-1] and "Traceback" not in proc.stderr


def test_interpolate_weights_refuses_other_architectures_and_weights_outside_0_1():
    from digits.training.loop import interpolate_weights

    a, b = [np.zeros((3, 3), np.float32)], [np.ones((3, 3), np.float32)]
    np.testing.assert_array_equal(interpolate_weights(a, b, 0.25)[0], np.full((3, 3), 0.25, np.float32))
    with pytest.raises(ValueError, match="weight"):
        interpolate_weights(a, b, -0.1)
    with pytest.raises(ValueError, match="architecture"):
        interpolate_weights(a, [np.ones((3, 4), np.float32)], 0.5)
