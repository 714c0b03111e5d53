"""Evaluate the "not a digit" detector and the calibration, side by side, on held-out sets.

Every set goes through the same preprocessing as an upload. In-distribution: the MNIST test
digits. Out-of-distribution: Fashion-MNIST test (Xiao et al. 2017), letters rendered in the
Liberation fonts (never used for tuning), in two groups (digit-like O o I l S Z B g q, and the
rest), uniform and Gaussian noise, and scikit-image's sample photos (whole, and random crops).
A picture that preprocessing finds blank counts as rejected.

Reported per set and per score (MSP, energy, Mahalanobis, combined): AUROC, FPR at 95% TPR
(the share of the set accepted as digits when 95% of MNIST test digits are accepted), and, for
the chosen score, FPR at the card's threshold. Also: the rejection rate of real renderings of
digits (the robustness set of :mod:`digits.evaluation.robustness`, built from the test split), and the
expected calibration error (15 bins) before and after temperature scaling on the test set and
on the robustness set.

For the app's model, writes score samples per set to ``model/ood_scores.json`` for the non-digit
page's chart, with the SHA-256 of the model they were measured on; for another model (``--model``),
only where ``--samples-out`` says.

Usage:
    python -m digits.evaluation.evaluate_ood --data-dir ../shared/data/mnist
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from digits import cli
from digits.evaluation.metrics import auroc, expected_calibration_error, fpr_at_95_tpr, rejection_rate
from digits.evaluation.ood_sets import BLANK_SCORE, ood_sets, scores_of

#: The command a user types, for the usage line and the one-line errors.
PROG = "python -m digits.evaluation.evaluate_ood"


def samples_path(model: str | None, samples_out: str | None) -> Path | None:
    """Where the score samples go: ``samples_out`` if given; else ``model/ood_scores.json`` when
    ``model`` is the app's network (None or its path), and nowhere (None) for another network, whose
    samples must never stand in for the app's."""
    from digits.network.card import SCORES_FILE
    from digits.network.classifier import default_model, model_dir

    if samples_out:
        return Path(samples_out)
    if model is None or Path(model).resolve() == default_model().resolve():
        return model_dir() / SCORES_FILE
    return None


def _rejected(scores: np.ndarray, threshold: float) -> list[int]:
    """``[called not a digit, pictures]`` among the non-blank pictures of one set's scores (blanks
    have :data:`digits.evaluation.ood_sets.BLANK_SCORE`; the app says "nothing to read" to them)."""
    read = scores[scores < BLANK_SCORE]
    return [int((read > threshold).sum()), len(read)]


def _pct(x: float) -> str:
    return f"{x:.1%}" if x >= 0.001 or x == 0 else f"{x:.2%}"


def main(argv=None) -> int:
    p = cli.parser(PROG, "Evaluate the 'not a digit' detector and the calibration on held-out sets.")
    p.add_argument("--model", default=None, help="the .keras model (default model/mnist_cnn.keras); its card is read")
    p.add_argument("--data-dir", default=None, help="MNIST IDX directory; default: $MNIST_DIR, else Keras download")
    p.add_argument("--n", type=int, default=1000, help="pictures per generated set (letters, noise, photo crops)")
    p.add_argument("--robustness-n", type=int, default=1000, help="robustness pictures per single-digit variant")
    p.add_argument("--seed", type=int, default=1, help="seed of the generated evaluation sets")
    p.add_argument(
        "--samples-out",
        default=None,
        help="score samples JSON; default model/ood_scores.json for the app's model, none for another --model",
    )
    args = p.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

    from digits.datasets.mnist import DataError, load_mnist
    from digits.evaluation.robustness import VARIANTS, build_set, source_split
    from digits.network.card import ModelCardError
    from digits.network.classifier import Classifier, softmax
    from digits.network.detector import SCORE_NAMES, SCORES

    t0 = time.perf_counter()
    try:
        classifier = Classifier(args.model) if args.model else Classifier()
        _, (x_test, y_test) = load_mnist(args.data_dir)
        sets = ood_sets(args.n, args.seed)
        rob_images, rob_labels = source_split("test", args.data_dir)
    except (ModelCardError, DataError) as e:
        return cli.fail(PROG, e)
    det = classifier.detector
    if det is None:
        return cli.fail(PROG, "the model card has no detector; run python -m digits.training.calibration")
    chosen, thr, temperature = det.score_name, det.threshold, classifier.temperature

    in_scores, in_logits, in_kept = scores_of(classifier, list(x_test))
    out = {name: scores_of(classifier, pictures)[0] for name, pictures in sets.items()}

    print(f"Chosen score: {SCORE_NAMES[chosen]}, threshold {thr:.4g}; temperature {temperature:.3f}.\n")
    print(
        f"MNIST test digits rejected at the threshold: {_pct(rejection_rate(in_scores[chosen], thr))} "
        f"({int((~in_kept).sum())} blank).\n"
    )
    print("| out-of-distribution set | pictures | AUROC | FPR at 95% TPR | FPR at the threshold |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, scores in out.items():
        s_out = scores[chosen]
        print(
            f"| {name} | {len(s_out)} | {auroc(in_scores[chosen], s_out):.4f} | "
            f"{_pct(fpr_at_95_tpr(in_scores[chosen], s_out))} | {_pct(1 - rejection_rate(s_out, thr))} |"
        )
    print("\nAUROC of every score (MNIST test vs each set; the chosen one was picked on tuning outliers):\n")
    print("| out-of-distribution set | " + " | ".join(SCORE_NAMES[s] for s in SCORES) + " |")
    print("| --- |" + " ---: |" * len(SCORES))
    for name, scores in out.items():
        print(f"| {name} | " + " | ".join(f"{auroc(in_scores[s], scores[s]):.4f}" for s in SCORES) + " |")
    print("\nFPR at 95% TPR of every score:\n")
    print("| out-of-distribution set | " + " | ".join(SCORE_NAMES[s] for s in SCORES) + " |")
    print("| --- |" + " ---: |" * len(SCORES))
    for name, scores in out.items():
        print(f"| {name} | " + " | ".join(_pct(fpr_at_95_tpr(in_scores[s], scores[s])) for s in SCORES) + " |")

    # Real renderings of digits: how many are wrongly rejected, and calibration on them.
    rob = build_set(rob_images, rob_labels, n_per_variant=args.robustness_n, n_strings_per_length=0, seed=0)
    print("\nRobustness set (test-built single digits) wrongly rejected as 'not a digit':\n")
    print("| variant | pictures | rejected |\n| --- | ---: | ---: |")
    rob_logits, rob_y, rejected_all = [], [], []
    for variant in VARIANTS:
        samples = rob[variant]
        scores, logits, kept = scores_of(classifier, [s.image for s in samples])
        rejected = scores[chosen] > thr
        rejected_all.append(rejected)
        rob_logits.append(logits)
        rob_y.append(np.array([int(s.label) for s in samples])[kept])
        print(f"| {variant} | {len(samples)} | {_pct(rejected.mean())} |")
    rejected_all = np.concatenate(rejected_all)
    print(f"| **all** | {len(rejected_all)} | {_pct(rejected_all.mean())} |")

    rob_logits, rob_y = np.concatenate(rob_logits), np.concatenate(rob_y)
    test_y = y_test[in_kept]
    print("\nExpected calibration error (15 bins):\n")
    print(f"| set | temperature 1 | temperature {temperature:.3f} (fitted on MNIST validation) |")
    print("| --- | ---: | ---: |")
    for name, logits, y in (("MNIST test", in_logits, test_y), ("robustness set", rob_logits, rob_y)):
        before = expected_calibration_error(softmax(logits), y)
        after = expected_calibration_error(softmax(logits, temperature), y)
        print(f"| {name} | {_pct(before)} | {_pct(after)} |")

    rng = np.random.default_rng(0)

    def sample(values: np.ndarray, k: int = 1000) -> list[float]:
        values = values[values < BLANK_SCORE]
        pick = rng.choice(len(values), size=min(k, len(values)), replace=False)
        return [float(f"{v:.4g}") for v in values[pick]]

    shown = {
        "MNIST test digits": in_scores[chosen],
        "Fashion-MNIST test": out["Fashion-MNIST test"][chosen],
        "photos (scikit-image)": out["photos (scikit-image, whole and crops)"][chosen],
        "letters (Liberation)": out["letters, others (Liberation)"][chosen],
    }
    samples = {
        "score": chosen,
        "threshold": thr,
        "model_sha256": classifier.card["sha256"],
        "note": f"1,000 pictures per set at most, seed {args.seed}",
        "sets": {name: sample(values) for name, values in shown.items()},
        # The page's table: every non-blank picture of each set, [called not a digit, pictures].
        "counts": {name: _rejected(values, thr) for name, values in shown.items()},
    }
    path = samples_path(args.model, args.samples_out)
    if path is None:
        print(f"\nWrote no score samples (another model: see --samples-out); {time.perf_counter() - t0:.0f} s in all.")
        return 0
    with open(path, "w") as f:
        json.dump(samples, f)
        f.write("\n")
    print(f"\nWrote {path}; {time.perf_counter() - t0:.0f} s in all.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
