"""The committed model: accuracy on the real test set, its card, and the card check."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from digits.datasets.mnist import to_model_input
from digits.network.card import ModelCardError, read_card, sha256_file
from digits.network.classifier import Classifier, baseline_model, default_model, softmax

from conftest import copy_app_model


def test_committed_model_accuracy(classifier, mnist_test):
    x, y = mnist_test
    logits = classifier.logits(to_model_input(x))
    assert logits.shape == (10000, 10) and logits.dtype == np.float32
    accuracy = float(np.mean(logits.argmax(axis=1) == y))
    assert accuracy >= 0.994
    # The card reports what the model really scores.
    assert classifier.card["test_accuracy"] == pytest.approx(accuracy, abs=1e-4)


def test_model_contract(classifier):
    import keras

    model = keras.models.load_model(classifier.model_path, compile=False)
    assert tuple(model.input_shape) == (None, 28, 28, 1)
    assert tuple(model.output_shape) == (None, 10)
    # Its features: the ``features`` layer, or each member's (``m1_features``, ...) in an ensemble.
    features = [layer for layer in model.layers if layer.name.split("_")[-1] == "features"]
    assert features and all(tuple(layer.output.shape) == (None, 128) for layer in features)
    # Logits, no softmax inside: a linear layer's, or the mean of its members' (a deep ensemble).
    last = model.get_layer("logits")
    assert last is model.layers[-1]
    heads = (
        [layer for layer in model.layers if layer.name.endswith("_logits")]
        if type(last).__name__ == "Average"
        else [last]
    )
    assert heads and all(h.get_config().get("activation") == "linear" for h in heads)


@pytest.mark.parametrize("path", [default_model(), baseline_model()], ids=["app model", "plain baseline"])
def test_card_hash_matches(path):
    card = read_card(path)
    assert card["sha256"] == sha256_file(path) and card["model_file"] == path.name
    for key in ("architecture", "parameters", "epochs", "seed", "training_seconds", "val_accuracy", "history"):
        assert key in card
    assert len(card["history"]["loss"]) == card["epochs"]


def test_app_model_had_outlier_exposure_and_the_baseline_did_not(classifier):
    """The non-digit page compares the app's network (trained with outlier exposure) with the
    same network trained on digits alone: the cards must say which is which."""
    baseline = Classifier(baseline_model())
    assert classifier.outlier_exposure and classifier.outlier_exposure["weight"] > 0
    assert baseline.outlier_exposure is None
    members = classifier.card.get("ensemble", {}).get("members") or [classifier.card]
    assert all(m["architecture"] == baseline.card["architecture"] for m in members)


def test_mismatched_card_is_refused(tmp_path):
    model = copy_app_model(tmp_path)
    card = json.loads(default_model().with_suffix(".json").read_text())
    card["sha256"] = "0" * 64
    model.with_suffix(".json").write_text(json.dumps(card))
    with pytest.raises(ModelCardError, match="does not match"):
        Classifier(model)


def test_changed_served_network_is_refused(tmp_path):
    """The card's SHA-256 covers the served (ONNX) file too: a served file changed without its
    card is refused, with a one-line message."""
    for path in (default_model(), default_model().with_suffix(".json"), default_model().with_suffix(".onnx")):
        shutil.copy(path, tmp_path / path.name)
    served = tmp_path / "mnist_cnn.onnx"
    served.write_bytes(served.read_bytes() + b"\0")
    with pytest.raises(ModelCardError, match="served network was changed") as e:
        Classifier(tmp_path / "mnist_cnn.keras")
    assert "\n" not in str(e.value)


def test_missing_model_says_what_to_do(tmp_path):
    with pytest.raises(ModelCardError, match=r"train\.py"):
        Classifier(tmp_path / "mnist_cnn.keras")


def test_softmax_known_values():
    p = softmax(np.array([0.0, np.log(3.0)]))
    assert np.allclose(p, [0.25, 0.75])
    half = softmax(np.array([0.0, np.log(3.0)]), temperature=2.0)  # exp(ln3 / 2) = sqrt(3)
    assert np.allclose(half, [1 / (1 + 3**0.5), 3**0.5 / (1 + 3**0.5)])
    assert np.allclose(softmax(np.array([[1000.0, 1000.0]])), [[0.5, 0.5]])  # stable
    with pytest.raises(ValueError):
        softmax(np.zeros(3), temperature=0)


def test_reading_on_preprocessed_paper_digits(classifier, mnist_test):
    """Real test digits printed on paper, small and off-centre, still read correctly."""
    from digits.reading.prepare import preprocess

    from helpers import on_paper

    x, y = mnist_test
    n = 200
    rng = np.random.default_rng(0)
    correct = 0
    for i in range(n):
        page = on_paper(x[i], height=int(rng.integers(30, 200)), at=tuple(rng.uniform(0.25, 0.75, 2)))
        correct += classifier.read(preprocess(page).image).label == y[i]
    assert correct / n >= 0.97


def test_features_off_for_most_non_digits_and_no_digit(classifier, mnist_test):
    """Outlier exposure asked for a uniform softmax on non-digits; the app's network gives it by
    switching every ReLU feature off. Then its logits are the last layer's bias: one and the same
    answer for every such picture (what the non-digit page says under a photo). Real Fashion-MNIST
    pictures, read as uploads, and real MNIST test digits."""
    from digits.datasets.fashion_mnist import load_fashion_mnist
    from digits.reading.prepare import prepare_batch

    fashion, _ = load_fashion_mnist("test")
    images, _ = prepare_batch(fashion[:200])
    off = np.array([classifier.read(x).features_off for x in images])
    assert off.mean() >= 0.8, off.mean()
    features, _ = classifier.forward(images)  # each reading says so from its own forward pass
    assert np.array_equal(off, ~features.any(axis=1))
    assert np.array_equal(off, [r.features_off for r in classifier.read_batch(images)])
    _, logits = classifier.forward(images[off])
    assert np.ptp(logits, axis=0).max() == 0  # the bias alone, the same for each
    x, _ = mnist_test
    assert not any(r.features_off for r in classifier.read_batch(x[:300] / 255.0))
