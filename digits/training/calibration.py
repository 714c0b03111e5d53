"""Fit the temperature, the "not a digit" score and its threshold for a trained model; write them
into its card.

Everything here is fitted on the MNIST training and validation splits and on outliers generated
from *training/tuning* sources only (noise, blobs, strokes and shapes, scribbles, cut-up training
digits, DejaVu letters; see :mod:`digits.training.outlier_pool`). Fashion-MNIST, scikit-image's
photos and Liberation letters are kept for evaluation (:mod:`digits.evaluation.evaluate_ood`).

1. Mahalanobis parameters (Lee et al. 2018): class means and tied covariance of the ``features``
   layer on the 55,000 training digits (networks with that layer only; the classic networks have
   none, and get a detector on their logits alone: MSP or energy).
2. Each score of :data:`digits.network.detector.SCORES` (or :data:`~digits.network.detector.LOGIT_SCORES`)
   on the validation digits and on the tuning outliers, both through the upload preprocessing; the
   score with the highest AUROC is chosen.
3. Its threshold rejects at most 0.5% of the validation digits.
4. Temperature scaling (Guo et al. 2017) on the validation digits' logits.

Usage (refit an existing model; ``train.py`` does this at the end of every training run):
    python -m digits.training.calibration --data-dir ../shared/data/mnist
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

from digits import cli
from digits.datasets.mnist import load_mnist, to_model_input, train_val_split
from digits.evaluation.metrics import auroc, expected_calibration_error, rejection_rate
from digits.network.card import write_card
from digits.network.classifier import softmax
from digits.network.detector import COMBINED_PARTS, LOGIT_SCORES, SCORES, Detector, all_scores
from digits.network.scores import combine_scores
from digits.reading.prepare import prepare_batch
from digits.training.fitting import fit_mahalanobis, fit_standardizer, fit_temperature, threshold_for_rejection_rate
from digits.training.outlier_pool import tuning_outliers

#: At most this fraction of validation digits may be rejected as "not a digit".
MAX_REJECTION = 0.005


#: A smoke run (``limit``) fits on this many validation digits, not all 5,000: each is read as an
#: upload, and the 5,000 were most of a smoke run's time (over a minute on a slow machine).
SMOKE_VALIDATION = 1000

#: The command a user types, for the usage line and the one-line errors.
PROG = "python -m digits.training.calibration"


def fit(
    classifier, data_dir: str | None = None, n_outliers: int = 300, seed: int = 0, limit: int | None = None
) -> dict[str, Any]:
    """Fit temperature, OOD score and threshold for ``classifier``'s model.

    Args:
        classifier: a :class:`digits.network.classifier.Classifier`.
        data_dir: MNIST directory (see :func:`digits.datasets.mnist.load_mnist`).
        n_outliers: generated tuning pictures per source.
        seed: seed of the tuning outliers.
        limit: use only the first ``limit`` training digits for the Mahalanobis fit (as
            ``train.py --limit`` trains on them), the first :data:`SMOKE_VALIDATION` validation
            digits, and fewer outliers; for smoke runs.

    Returns:
        ``{"calibration": {...}, "ood": {...}}``, the card sections.

    Raises:
        digits.datasets.mnist.DataError: MNIST cannot be loaded.
    """
    (x_all, y_all), _ = load_mnist(data_dir)
    (x_train, y_train), (x_val, y_val) = train_val_split(x_all, y_all)
    if limit is not None:
        x_train, y_train, n_outliers = x_train[:limit], y_train[:limit], min(n_outliers, 50)
        x_val, y_val = x_val[:SMOKE_VALIDATION], y_val[:SMOKE_VALIDATION]

    # Networks with a ``features`` layer get the Mahalanobis score and the combined one; the classic
    # networks have only the scores of their logits.
    maha = None
    if classifier.feature_dim > 0:
        train_features, _ = classifier.forward(to_model_input(x_train))
        maha = fit_mahalanobis(train_features, y_train)
    candidates = SCORES if maha is not None else LOGIT_SCORES

    # Validation digits as uploads: each 28x28 picture through the app's preprocessing.
    val_images, kept = prepare_batch(x_val)
    val_labels = y_val[kept]
    val_features, val_logits = classifier.forward(val_images)
    val_scores = all_scores(val_logits, val_features, maha)

    tuning = tuning_outliers(x_train, n_outliers, seed)
    out_images = []
    for pictures in tuning.values():
        images, _ = prepare_batch(pictures)  # blank pictures are rejected anyway
        out_images.append(images)
    out_features, out_logits = classifier.forward(np.concatenate(out_images))
    out_scores = all_scores(out_logits, out_features, maha)

    standardizer = None
    if maha is not None:
        standardizer = fit_standardizer(np.stack([val_scores[k] for k in COMBINED_PARTS], axis=1))
        for scores in (val_scores, out_scores):
            scores["combined"] = combine_scores(np.stack([scores[k] for k in COMBINED_PARTS], axis=1), standardizer)
    aurocs = {name: auroc(val_scores[name], out_scores[name]) for name in candidates}
    best = max(candidates, key=lambda name: aurocs[name])
    threshold = threshold_for_rejection_rate(val_scores[best], MAX_REJECTION)
    detector = Detector(best, threshold, maha, standardizer)

    temperature = fit_temperature(val_logits, val_labels)
    ece_before = expected_calibration_error(softmax(val_logits), val_labels)
    ece_after = expected_calibration_error(softmax(val_logits, temperature), val_labels)
    return {
        "calibration": {
            "temperature": round(float(temperature), 4),
            "fitted_on": f"MNIST validation split through the upload preprocessing ({len(val_labels)} digits)",
            "validation_ece_before": round(ece_before, 5),
            "validation_ece_after": round(ece_after, 5),
        },
        "ood": detector.to_card()
        | {
            "max_validation_rejection": MAX_REJECTION,
            "validation_rejection": round(rejection_rate(val_scores[best], threshold), 5),
            "tuning_auroc": {name: round(a, 5) for name, a in aurocs.items()},
            "tuning_sets": {name: len(p) for name, p in tuning.items()},
            "seed": seed,
            "mahalanobis_fitted_on": None if maha is None else f"features of {len(x_train)} MNIST training digits",
        },
    }


def calibrate_model(
    model_path: str | os.PathLike, data_dir: str | None = None, seed: int = 0, limit: int | None = None
) -> dict[str, Any]:
    """Fit (see :func:`fit`) and rewrite the card of ``model_path`` with the results.

    Returns:
        The new card.

    Raises:
        digits.network.card.ModelCardError: the model or card cannot be loaded.
        digits.datasets.mnist.DataError: MNIST cannot be loaded.
    """
    from digits.network.card import read_card
    from digits.network.classifier import Classifier

    classifier = Classifier(model_path, calibrated=False)  # the raw network, whatever the old card said
    card = dict(classifier.card) | fit(classifier, data_dir, seed=seed, limit=limit)
    write_card(model_path, card)
    return read_card(model_path)


def parse_args(argv=None) -> argparse.Namespace:
    from digits.network.classifier import default_model

    p = cli.parser(PROG, "Refit the temperature, the OOD score and its threshold for a trained model.")
    p.add_argument("--model", default=str(default_model()), help="the .keras model; its card is rewritten")
    p.add_argument("--data-dir", default=None, help="MNIST IDX directory; default: $MNIST_DIR, else Keras download")
    p.add_argument("--seed", type=int, default=0, help="seed of the generated tuning outliers")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from digits.datasets.mnist import DataError
    from digits.network.card import ModelCardError

    try:
        card = calibrate_model(Path(args.model), args.data_dir, args.seed)
    except (ModelCardError, DataError) as e:
        return cli.fail(PROG, e)
    o, c = card["ood"], card["calibration"]
    print(
        f"score {o['score']} (tuning AUROC {o['tuning_auroc'][o['score']]:.4f}), threshold {o['threshold']:.4g}, "
        f"validation rejection {o['validation_rejection']:.2%}; temperature {c['temperature']:.3f} "
        f"(validation ECE {c['validation_ece_before']:.2%} -> {c['validation_ece_after']:.2%})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
