"""Robustness benchmark: our preprocessing next to the naive one, on realistic renderings of MNIST.

Builds the labelled robustness set of :mod:`digits.evaluation.robustness` (seeded, reproducible) from the
validation split (for tuning) or the test split (for reported figures), reads every picture
through the app's pipeline (:func:`digits.network.recognize.recognize`) and through the naive baseline
(grayscale, resize the whole picture to 28x28, invert), and prints a table of accuracy per
variant. Strings count as read only when every digit is read, in order, and nothing else.

Usage:
    python -m digits.evaluation.benchmark_robustness --data-dir ../shared/data/mnist --split test
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass

import numpy as np


@dataclass
class Row:
    """Accuracy of one variant (or string length): ``ours`` and ``naive`` correct out of ``n``."""

    name: str
    n: int
    ours: int
    naive: int

    def line(self) -> str:
        return f"| {self.name} | {self.n} | {self.ours / self.n:.1%} | {self.naive / self.n:.1%} |"


def evaluate(samples_by_variant: dict, classifier) -> tuple[list[Row], dict[str, list[bool]]]:
    """Read every sample both ways.

    Returns:
        ``(rows, ours_correct)``: one :class:`Row` per single-digit variant, then one per string
        length, then the totals; and, per variant, whether each sample was read correctly by our
        pipeline (for inspection).
    """
    from digits.evaluation.naive import naive_preprocess
    from digits.network.recognize import recognize

    rows: list[Row] = []
    per_sample: dict[str, list[bool]] = {}
    string_rows: dict[int, Row] = {}
    for variant, samples in samples_by_variant.items():
        naive_images = np.stack([naive_preprocess(s.image) for s in samples])
        naive_labels = [str(r.label) for r in classifier.read_batch(naive_images)]
        ours, naive = [], []
        for s, naive_label in zip(samples, naive_labels, strict=True):
            result = recognize(s.image, classifier)
            if variant == "strings":
                ours.append(result.number == s.label)
            else:
                ours.append(result.whole is not None and str(result.whole.reading.label) == s.label)
            naive.append(naive_label == s.label)  # the naive way reads one digit: never a whole string
            if variant == "strings":
                row = string_rows.setdefault(len(s.label), Row(f"strings, {len(s.label)} digits", 0, 0, 0))
                row.n, row.ours, row.naive = row.n + 1, row.ours + ours[-1], row.naive + naive[-1]
        per_sample[variant] = ours
        if variant != "strings":
            rows.append(Row(variant, len(samples), sum(ours), sum(naive)))
    strings = [string_rows[k] for k in sorted(string_rows)]
    totals = [
        Row("**all single digits**", sum(r.n for r in rows), sum(r.ours for r in rows), sum(r.naive for r in rows)),
        Row("**all strings**", sum(r.n for r in strings), sum(r.ours for r in strings), sum(r.naive for r in strings)),
    ]
    return [*rows, totals[0], *strings, totals[1]], per_sample


def table(rows: list[Row]) -> str:
    """A Markdown table of the rows."""
    head = "| variant | images | ours | naive (grayscale, resize, invert) |\n| --- | ---: | ---: | ---: |"
    return "\n".join([head, *(r.line() for r in rows)])


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Accuracy on realistic renderings of MNIST digits: ours next to the naive preprocessing.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--split", choices=("test", "validation"), default="test", help="MNIST split the set is built from")
    p.add_argument("--data-dir", default=None, help="MNIST IDX directory; default: $MNIST_DIR, else Keras download")
    p.add_argument("--n", type=int, default=1000, help="images per single-digit variant")
    p.add_argument("--strings", type=int, default=100, help="strings per length (2-6 digits)")
    p.add_argument("--seed", type=int, default=0, help="seed of the set")
    p.add_argument("--examples", default=None, help="directory to save a few example pictures per variant")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from digits.datasets.mnist import DataError
    from digits.evaluation.robustness import build_set, save_examples, source_split
    from digits.network.card import ModelCardError
    from digits.network.classifier import Classifier

    try:
        images, labels = source_split(args.split, args.data_dir)
        classifier = Classifier()
    except (DataError, ModelCardError) as e:
        print(f"benchmark_robustness: error: {e}", file=sys.stderr)
        return 1
    t0 = time.perf_counter()
    samples = build_set(images, labels, n_per_variant=args.n, n_strings_per_length=args.strings, seed=args.seed)
    built = time.perf_counter() - t0
    if args.examples:
        save_examples(samples, args.examples)
    rows, _ = evaluate(samples, classifier)
    print(
        f"Robustness set from the MNIST {args.split} split, seed {args.seed} (built in {built:.0f} s, "
        f"read in {time.perf_counter() - t0 - built:.0f} s):\n"
    )
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
