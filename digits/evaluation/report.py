"""Write each shipped network's report (:mod:`digits.network.report`) and print the README's table.

For every network: its layers (from the Keras file), its confusion matrix, per-class precision and
recall, test accuracy and expected calibration error (15 bins, at the card's temperature) on the
10,000 MNIST test digits as the network receives them; the training images per digit; and on the
Fashion-MNIST test set (Xiao et al. 2017) read as uploads, the AUROC of the network's "not a digit"
detector against the MNIST test digits read the same way, the mean top softmax probability (card's
temperature) and the share of items above 90%. The pictures are read once and shared by all networks.

Usage::

    python -m digits.evaluation.report --data-dir ../shared/data/mnist            # every shipped network
    python -m digits.evaluation.report --data-dir DIR --model model/lenet.keras   # one (repeatable)
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from digits import cli
from digits.evaluation.metrics import auroc, expected_calibration_error
from digits.network.card import training_totals
from digits.network.report import MISTAKES_SHOWN, encode_png, report_path_for

#: Fashion-MNIST items counted as "confident" above this top softmax probability.
CONFIDENT = 0.9


#: The command a user types, for the usage line and the one-line errors.
PROG = "python -m digits.evaluation.report"


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray, k: int = 10) -> np.ndarray:
    """(k, k) int64 counts: row = true label, column = prediction (both ints in [0, k))."""
    return np.bincount(np.asarray(labels) * k + np.asarray(predictions), minlength=k * k).reshape(k, k)


def precision_recall(confusion: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-class precision (column-wise) and recall (row-wise) of a confusion matrix, each (k,)
    float64 in [0, 1]; 0 where a class was never predicted."""
    c = np.asarray(confusion, dtype=np.float64)
    tp = np.diag(c)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(c.sum(0) > 0, tp / c.sum(0), 0.0)
        recall = np.where(c.sum(1) > 0, tp / c.sum(1), 0.0)
    return precision, recall


def layer_table(model_path: Path) -> list[dict[str, Any]]:
    """One row per layer of the Keras model: name, type, output shape (batch axis as "N"), parameters."""
    import keras

    model = keras.models.load_model(model_path, compile=False)
    rows = []
    for layer in model.layers:
        shape = tuple(layer.output.shape)
        rows.append(
            {
                "layer": layer.name,
                "type": type(layer).__name__,
                "output_shape": "(" + ", ".join("N" if d is None else str(d) for d in shape) + ")",
                "parameters": int(layer.count_params()),
            }
        )
    return rows


def build_report(classifier, x_test: np.ndarray, y_test: np.ndarray, train_labels: np.ndarray, reads) -> dict:
    """The report of one network (see :mod:`digits.network.report`).

    Args:
        classifier: a :class:`digits.network.classifier.Classifier` with its card's detector.
        x_test: (10000, 28, 28) uint8 MNIST test digits; y_test: (10000,) their labels.
        train_labels: labels of the training split (for the per-digit counts).
        reads: ``{"mnist": pictures_prepared, "fashion": pictures_prepared}``, each
            ``(images (M, 28, 28) float32, kept (N,) bool)`` from the upload preprocessing.
    """
    from digits.datasets.mnist import to_model_input
    from digits.network.classifier import softmax
    from digits.network.detector import SCORE_NAMES

    t = classifier.temperature
    logits = classifier.logits(to_model_input(x_test))
    probs = softmax(logits, t)
    pred = probs.argmax(1)
    conf = confusion_matrix(y_test, pred)
    precision, recall = precision_recall(conf)
    wrong = np.flatnonzero(pred != y_test)
    worst = wrong[np.argsort(-probs[wrong].max(1), kind="stable")][:MISTAKES_SHOWN]

    det = classifier.detector
    scores = {}
    for name, (images, _) in reads.items():
        features, z = classifier.forward(images)
        scores[name] = (det.score(z, features), softmax(z, t).max(1))
    fashion_top = scores["fashion"][1]
    return {
        "model_sha256": classifier.card["sha256"],
        "model_file": classifier.model_path.name,
        "layers": layer_table(classifier.model_path),
        "test_digits": len(y_test),
        "test_accuracy": float((pred == y_test).mean()),
        "temperature": t,
        "test_ece": expected_calibration_error(probs, y_test),
        "test_ece_temperature_1": expected_calibration_error(softmax(logits), y_test),
        "confusion": conf.tolist(),
        "precision": [round(float(v), 5) for v in precision],
        "recall": [round(float(v), 5) for v in recall],
        "train_counts": np.bincount(train_labels, minlength=10).tolist(),
        "mistakes": [
            {
                "index": int(i),
                "label": int(y_test[i]),
                "prediction": int(pred[i]),
                "confidence": round(float(probs[i].max()), 5),
                "png": encode_png(x_test[i]),
            }
            for i in worst
        ],
        "fashion_mnist": {
            "detector": SCORE_NAMES[det.score_name],
            "auroc": auroc(scores["mnist"][0], scores["fashion"][0]),
            "mean_top_probability": float(fashion_top.mean()),
            "share_above_90": float((fashion_top > CONFIDENT).mean()),
            "items": len(fashion_top),
            "read_as": "uploads (the app's preprocessing); blank pictures left out",
        },
    }


def main(argv=None) -> int:
    p = cli.parser(PROG, "Write every shipped network's report (the 'Inside the network' page) and print the table.")
    p.add_argument("--model", action="append", help="a .keras file (repeatable); default: every shipped network")
    p.add_argument("--data-dir", default=None, help="MNIST IDX directory; default: $MNIST_DIR")
    args = p.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

    from digits.datasets.fashion_mnist import load_fashion_mnist
    from digits.datasets.mnist import DataError, load_mnist, train_val_split
    from digits.network.card import ModelCardError
    from digits.network.classifier import Classifier, shipped_models
    from digits.network.zoo import title
    from digits.reading.prepare import prepare_batch

    t0 = time.perf_counter()
    try:
        (x_all, y_all), (x_test, y_test) = load_mnist(args.data_dir)
        fashion, _ = load_fashion_mnist("test")
        classifiers = [Classifier(m) for m in (args.model or shipped_models())]
    except (ModelCardError, DataError, OSError) as e:
        return cli.fail(PROG, e)
    (_, y_train), _ = train_val_split(x_all, y_all)
    reads = {"mnist": prepare_batch(list(x_test)), "fashion": prepare_batch(list(fashion))}
    print(f"Read {len(x_test)} MNIST and {len(fashion)} Fashion-MNIST test pictures as uploads.\n")
    print(
        "| network | parameters | training time | test accuracy | ECE | Fashion-MNIST AUROC (detector) | "
        "mean top probability | above 90% |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for classifier in classifiers:
        report = build_report(classifier, x_test, y_test, y_train, reads)
        path = report_path_for(classifier.model_path)
        path.write_text(json.dumps(report, indent=1) + "\n")
        card, f = classifier.card, report["fashion_mnist"]
        print(
            f"| {title(Path(classifier.model_path).stem)} | {card['parameters']:,} | "
            f"{training_totals(card)[0] / 60:.1f} min | {report['test_accuracy']:.2%} | {report['test_ece']:.2%} | "
            f"{f['auroc']:.4f} ({f['detector']}) | {f['mean_top_probability']:.1%} | {f['share_above_90']:.1%} |"
        )
    print(f"\nWrote {len(classifiers)} report(s); {time.perf_counter() - t0:.0f} s in all.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
