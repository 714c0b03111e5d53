"""Each shipped network's report (the "Inside the network" page's figures): tied to its model,
and true to the real MNIST test set."""

from __future__ import annotations

import json

import numpy as np
import pytest

from digits.evaluation.report import confusion_matrix, precision_recall
from digits.network.card import ModelCardError, read_card
from digits.network.classifier import Classifier, shipped_models
from digits.network.report import MISTAKES_SHOWN, decode_png, read_report, report_path_for

MODELS = shipped_models()


def test_confusion_matrix_of_a_real_network(classifier, mnist_test):
    x, y = mnist_test
    pred = classifier.logits(x / 255.0).argmax(1)
    confusion = confusion_matrix(y, pred)
    assert confusion.sum() == 10000 and (confusion.sum(1) == np.bincount(y)).all()
    assert np.trace(confusion) == (pred == y).sum()
    precision, recall = precision_recall(confusion)
    d = 7
    assert precision[d] == ((pred == d) & (y == d)).sum() / (pred == d).sum()
    assert recall[d] == ((pred == d) & (y == d)).sum() / (y == d).sum()


@pytest.mark.parametrize("model", MODELS, ids=[m.stem for m in MODELS])
def test_committed_report_is_true_to_its_model_and_mnist(model, mnist):
    (_, y_all), (x_test, y_test) = mnist
    card = read_card(model)
    report = read_report(model, card["sha256"])
    confusion = np.array(report["confusion"])
    assert confusion.shape == (10, 10) and confusion.sum() == 10000
    assert (confusion.sum(1) == np.bincount(y_test)).all()
    assert abs(report["test_accuracy"] - card["test_accuracy"]) < 1e-3  # served vs Keras, same digits
    assert np.trace(confusion) / 10000 == pytest.approx(report["test_accuracy"])
    assert report["train_counts"] == np.bincount(y_all[:55000]).tolist()
    mistakes = report["mistakes"]
    assert len(mistakes) == MISTAKES_SHOWN
    confidences = [m["confidence"] for m in mistakes]
    assert confidences == sorted(confidences, reverse=True)
    classifier = Classifier(model)
    for m in mistakes[:5]:
        picture = decode_png(m["png"])
        assert (picture == x_test[m["index"]]).all() and m["label"] == y_test[m["index"]] != m["prediction"]
        reading = classifier.read(picture / 255.0)
        assert reading.label == m["prediction"] and reading.confidence == pytest.approx(m["confidence"], abs=1e-4)
    f = report["fashion_mnist"]
    assert 0.5 <= f["auroc"] <= 1 and 0 <= f["share_above_90"] <= 1 and f["items"] > 9000
    assert [r["layer"] for r in report["layers"]] == [line.split()[0] for line in card["architecture"]]
    assert sum(r["parameters"] for r in report["layers"]) == card["parameters"]


def test_report_of_another_model_is_refused(tmp_path):
    from conftest import copy_app_model

    model = copy_app_model(tmp_path)
    report_path_for(model).write_text(json.dumps({"model_sha256": "0" * 64}))
    with pytest.raises(ModelCardError, match="another version"):
        read_report(model, "f" * 64)
    report_path_for(model).unlink()
    with pytest.raises(ModelCardError, match=r"missing.*digits\.evaluation\.report"):
        read_report(model, "f" * 64)
