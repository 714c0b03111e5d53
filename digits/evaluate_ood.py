"""Evaluate the "not a digit" detector and the calibration, side by side, on held-out sets.

Every set goes through the same preprocessing as an upload. In-distribution: the MNIST test
digits. Out-of-distribution: Fashion-MNIST test (Xiao et al. 2017), letters rendered in the
Liberation fonts (never used for tuning), in two groups (digit-like O o I l S Z B g q, and the
rest), uniform and Gaussian noise, and scikit-image's sample photos (whole, and random crops).
A picture that preprocessing finds blank counts as rejected.

Reported per set and per score (MSP, energy, Mahalanobis, combined): AUROC, FPR at 95% TPR
(the share of the set accepted as digits when 95% of MNIST test digits are accepted), and, for
the chosen score, FPR at the card's threshold. Also: the rejection rate of real renderings of
digits (the robustness set of :mod:`digits.robustness`, built from the test split), and the
expected calibration error (15 bins) before and after temperature scaling on the test set and
on the robustness set.

Writes score samples per set to ``model/ood_scores.json`` for the non-digit page's chart.

Usage:
    python -m digits.evaluate_ood --data-dir ../shared/data/mnist
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

from digits import ood, outliers

#: Stand-in score for pictures that preprocessing finds blank: they are rejected.
BLANK_SCORE = 1e300


def scores_of(classifier, pictures) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Every score for pictures read as uploads; blanks get :data:`BLANK_SCORE`.

    Returns:
        ``(scores, logits, kept)``: score name -> (N,) array, (M, 10) logits of the non-blank
        pictures, (N,) bool marking them.
    """
    images, kept = outliers.preprocess_batch(pictures)
    features, logits = classifier.forward(images)
    scores = {}
    for name, values in classifier.detector.scores(logits, features).items():
        full = np.full(len(kept), BLANK_SCORE)
        full[kept] = values
        scores[name] = full
    return scores, logits, kept


def ood_sets(n: int, seed: int) -> dict[str, list[np.ndarray]]:
    """The evaluation-only out-of-distribution sets (see the module docstring)."""
    rng = np.random.default_rng(seed)
    fashion, _ = outliers.load_fashion_mnist("test")
    digit_like, _ = outliers.random_letters(
        n, rng, family=outliers.EVALUATION_FONTS, letters=outliers.DIGIT_LIKE_LETTERS, dark_ink=None
    )
    other, _ = outliers.random_letters(
        n, rng, family=outliers.EVALUATION_FONTS, letters=outliers.OTHER_LETTERS, dark_ink=None
    )
    whole = [outliers.photo(name) for name in outliers.PHOTO_NAMES]
    return {
        "Fashion-MNIST test": list(fashion),
        "letters, others (Liberation)": list(other),
        "letters, digit-like (Liberation)": list(digit_like),
        "uniform noise": list(outliers.uniform_noise(n // 2, rng)),
        "Gaussian noise": list(outliers.gaussian_noise(n // 2, rng)),
        "photos (scikit-image, whole and crops)": whole + list(outliers.photo_crops(n // 2, rng)),
    }


def _pct(x: float) -> str:
    return f"{x:.1%}" if x >= 0.001 or x == 0 else f"{x:.2%}"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(
        description="Evaluate the 'not a digit' detector and the calibration on held-out sets.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--model", default=None, help="the .keras model (default model/mnist_cnn.keras); its card is read")
    p.add_argument("--data-dir", default=None, help="MNIST IDX directory; default: $MNIST_DIR, else Keras download")
    p.add_argument("--n", type=int, default=1000, help="pictures per generated set (letters, noise, photo crops)")
    p.add_argument("--robustness-n", type=int, default=1000, help="robustness pictures per single-digit variant")
    p.add_argument("--seed", type=int, default=1, help="seed of the generated evaluation sets")
    p.add_argument("--samples-out", default=None, help="score samples JSON (default model/ood_scores.json)")
    args = p.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

    from digits.card import ModelCardError
    from digits.classifier import Classifier, softmax
    from digits.data import DataError, load_mnist
    from digits.detector import SCORE_NAMES, SCORES, SCORES_FILE
    from digits.robustness import VARIANTS, build_set, source_split

    t0 = time.perf_counter()
    try:
        classifier = Classifier(args.model) if args.model else Classifier()
        _, (x_test, y_test) = load_mnist(args.data_dir)
        sets = ood_sets(args.n, args.seed)
        rob_images, rob_labels = source_split("test", args.data_dir)
    except (ModelCardError, DataError) as e:
        print(f"evaluate_ood: error: {e}", file=sys.stderr)
        return 1
    det = classifier.detector
    if det is None:
        print("evaluate_ood: error: the model card has no detector; run python -m digits.calibration", file=sys.stderr)
        return 1
    chosen, thr, temperature = det.score_name, det.threshold, classifier.temperature

    in_scores, in_logits, in_kept = scores_of(classifier, list(x_test))
    out = {name: scores_of(classifier, pictures)[0] for name, pictures in sets.items()}

    print(f"Chosen score: {SCORE_NAMES[chosen]}, threshold {thr:.4g}; temperature {temperature:.3f}.\n")
    print(
        f"MNIST test digits rejected at the threshold: {_pct(ood.rejection_rate(in_scores[chosen], thr))} "
        f"({int((~in_kept).sum())} blank).\n"
    )
    print("| out-of-distribution set | pictures | AUROC | FPR at 95% TPR | FPR at the threshold |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, scores in out.items():
        s_out = scores[chosen]
        print(
            f"| {name} | {len(s_out)} | {ood.auroc(in_scores[chosen], s_out):.4f} | "
            f"{_pct(ood.fpr_at_95_tpr(in_scores[chosen], s_out))} | {_pct(1 - ood.rejection_rate(s_out, thr))} |"
        )
    print("\nAUROC of every score (MNIST test vs each set; the chosen one was picked on tuning outliers):\n")
    print("| out-of-distribution set | " + " | ".join(SCORE_NAMES[s] for s in SCORES) + " |")
    print("| --- |" + " ---: |" * len(SCORES))
    for name, scores in out.items():
        print(f"| {name} | " + " | ".join(f"{ood.auroc(in_scores[s], scores[s]):.4f}" for s in SCORES) + " |")
    print("\nFPR at 95% TPR of every score:\n")
    print("| out-of-distribution set | " + " | ".join(SCORE_NAMES[s] for s in SCORES) + " |")
    print("| --- |" + " ---: |" * len(SCORES))
    for name, scores in out.items():
        print(f"| {name} | " + " | ".join(_pct(ood.fpr_at_95_tpr(in_scores[s], scores[s])) for s in SCORES) + " |")

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
        before = ood.expected_calibration_error(softmax(logits), y)
        after = ood.expected_calibration_error(softmax(logits, temperature), y)
        print(f"| {name} | {_pct(before)} | {_pct(after)} |")
        if name == "robustness set" and after > before:
            val_images, val_labels = source_split("validation", args.data_dir)
            val_rob = build_set(val_images, val_labels, n_per_variant=300, n_strings_per_length=0, seed=1)
            pics = [s for v in VARIANTS for s in val_rob[v]]
            _, v_logits, v_kept = scores_of(classifier, [s.image for s in pics])
            v_y = np.array([int(s.label) for s in pics])[v_kept]
            t_rob = ood.fit_temperature(v_logits, v_y)
            print(
                f"| robustness set, temperature {t_rob:.3f} fitted on the validation-built robustness set | "
                f"{_pct(before)} | {_pct(ood.expected_calibration_error(softmax(logits, t_rob), y))} |"
            )

    rng = np.random.default_rng(0)

    def sample(values: np.ndarray, k: int = 1000) -> list[float]:
        values = values[values < BLANK_SCORE]
        pick = rng.choice(len(values), size=min(k, len(values)), replace=False)
        return [float(f"{v:.4g}") for v in values[pick]]

    samples = {
        "score": chosen,
        "threshold": thr,
        "note": f"1,000 pictures per set at most, seed {args.seed}",
        "sets": {
            "MNIST test digits": sample(in_scores[chosen]),
            "Fashion-MNIST test": sample(out["Fashion-MNIST test"][chosen]),
            "photos (scikit-image)": sample(out["photos (scikit-image, whole and crops)"][chosen]),
            "letters (Liberation)": sample(out["letters, others (Liberation)"][chosen]),
        },
    }
    path = args.samples_out or SCORES_FILE
    with open(path, "w") as f:
        json.dump(samples, f)
        f.write("\n")
    print(f"\nWrote {path}; {time.perf_counter() - t0:.0f} s in all.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
