"""Robustness benchmark: our preprocessing next to the naive one, on realistic renderings of MNIST.

Builds the labelled robustness set of :mod:`digits.evaluation.robustness` (seeded, reproducible) from the
validation split (for tuning) or the test split (for reported figures), reads every picture
through the app's pipeline (:func:`digits.network.recognize.recognize`) and through the naive baseline
(grayscale, resize the whole picture to 28x28, invert), and prints a table of accuracy per
variant. Strings count as read only when every digit is read, in order, and nothing else.
Then the same for the second set, digits "as people make them" (:mod:`digits.evaluation.people_set`:
strokes off the canvas edge, phone light, broken strokes, squared and ruled paper, frame-filling
bold digits, two tones, touching pairs, printed digits in unseen font families, house-number
plates and printed house numbers; handwriting typefaces on their own row), scored by what a user
sees.

Usage:
    python -m digits.evaluation.benchmark_robustness --data-dir ../shared/data/mnist --split test
    python -m digits.evaluation.benchmark_robustness --data-dir ../shared/data/mnist --split validation \
        --n 0 --strings 0 --people 300 --failures /tmp/failures   # what to look at, validation only
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from digits import cli


@dataclass
class Row:
    """Accuracy of one variant (or string length): ``ours`` and ``naive`` correct out of ``n``."""

    name: str
    n: int
    ours: int
    naive: int

    def line(self) -> str:
        return f"| {self.name} | {self.n} | {self.ours / self.n:.1%} | {self.naive / self.n:.1%} |"


#: The command a user types, for the usage line and the one-line errors.
PROG = "python -m digits.evaluation.benchmark_robustness"


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


def people_answer(result) -> str:
    """What a user sees: the number when several digits are found, else the whole picture's digit."""
    if len(result.digits) > 1:
        return result.number
    return "" if result.whole is None else str(result.whole.reading.label)


def evaluate_people(
    samples_by_variant: dict, classifier, failures: str | os.PathLike | None = None
) -> list[tuple[str, int, float, float, float]]:
    """Read the "as people make them" set both ways (see :mod:`digits.evaluation.people_set`).

    Every sample is scored by what a user sees (:func:`people_answer`), read with the sample's
    ``source`` ("canvas" for the canvas variant). The naive way reads one digit per picture.

    Args:
        samples_by_variant: variant -> its samples (:func:`digits.evaluation.people_set.build_people_set`).
        classifier: the loaded model.
        failures: a directory (made if missing) to write each picture our pipeline reads wrong to, as
            it was read (PNG, lossless), named ``{variant}_{index:04d}_{label}_{answer}.png``
            (``answer`` "blank" when nothing was read), to look at; None writes nothing.

    Returns:
        One ``(variant, pictures, ours, naive, rejected)`` per variant, a row for all of them,
        then the handwriting typefaces' row (outside that total) if the set has it; fractions in
        [0, 1]; ``rejected`` is the share of pictures in which a digit that was read (right or
        wrong) was called "not a digit".
    """
    from digits.evaluation.naive import naive_preprocess
    from digits.evaluation.people_set import HANDWRITING_VARIANT
    from digits.network.recognize import recognize

    rows, all_ours, all_naive, all_rejected, own_rows = [], [], [], [], []
    out = None
    if failures is not None:
        out = Path(failures)
        out.mkdir(parents=True, exist_ok=True)
    for variant, samples in samples_by_variant.items():
        naive_labels = [
            str(r.label) for r in classifier.read_batch(np.stack([naive_preprocess(s.image) for s in samples]))
        ]
        ours, rejected = [], []
        for i, s in enumerate(samples):
            result = recognize(s.image, classifier, source=s.params.get("source", "upload"))
            answer = people_answer(result)
            ours.append(answer == s.label)
            if out is not None and answer != s.label:
                Image.fromarray(s.image).save(out / f"{variant}_{i:04d}_{s.label}_{answer or 'blank'}.png")
            readings = (
                [d.reading for d in result.digits]
                if len(result.digits) > 1
                else [result.whole.reading]
                if result.whole
                else []
            )
            rejected.append(any(r.is_digit is False for r in readings))
        naive = [n == s.label for n, s in zip(naive_labels, samples, strict=True)]
        row = (variant, len(samples), float(np.mean(ours)), float(np.mean(naive)), float(np.mean(rejected)))
        if variant == HANDWRITING_VARIANT:  # evaluation-only typefaces: their own row, outside the total
            own_rows.append(row)
            continue
        rows.append(row)
        all_ours += ours
        all_naive += naive
        all_rejected += rejected
    rows.append(
        ("**all**", len(all_ours), float(np.mean(all_ours)), float(np.mean(all_naive)), float(np.mean(all_rejected)))
    )
    return rows + own_rows


def people_table(rows: list[tuple[str, int, float, float, float]]) -> str:
    """A Markdown table of :func:`evaluate_people`'s rows."""
    head = (
        "| variant | pictures | ours | naive (grayscale, resize, invert) | ours: rejected as not a digit |\n"
        "| --- | ---: | ---: | ---: | ---: |"
    )
    lines = [f"| {v} | {n} | {o:.1%} | {nv:.1%} | {r:.1%} |" for v, n, o, nv, r in rows]
    return "\n".join([head, *lines])


def table(rows: list[Row]) -> str:
    """A Markdown table of the rows."""
    head = "| variant | images | ours | naive (grayscale, resize, invert) |\n| --- | ---: | ---: | ---: |"
    return "\n".join([head, *(r.line() for r in rows)])


def parse_args(argv=None) -> argparse.Namespace:
    p = cli.parser(PROG, "Accuracy on realistic renderings of MNIST digits: ours next to the naive preprocessing.")
    p.add_argument("--split", choices=("test", "validation"), default="test", help="MNIST split the set is built from")
    p.add_argument("--data-dir", default=None, help="MNIST IDX directory; default: $MNIST_DIR, else Keras download")
    p.add_argument("--n", type=int, default=1000, help="images per single-digit variant (0: skip the first table)")
    p.add_argument("--strings", type=int, default=100, help="strings per length (2-6 digits)")
    p.add_argument("--seed", type=int, default=0, help="seed of the set")
    p.add_argument("--people", type=int, default=500, help="pictures per 'as people make them' variant (0: skip)")
    p.add_argument("--examples", default=None, help="directory to save a few example pictures per variant")
    p.add_argument(
        "--failures",
        default=None,
        help="directory to save the 'as people make them' pictures read wrong, the answer in the file name "
        "(validation split only: the test-built set is for reporting, never for looking into)",
    )
    args = p.parse_args(argv)
    if args.failures and args.split != "validation":
        p.error("--failures needs --split validation")
    if args.failures and args.people == 0:
        p.error("--failures saves the 'as people make them' pictures: it needs --people above 0")
    if min(args.n, args.people) < 0 or (args.n > 0 and args.strings < 1):
        p.error("--n and --people must be at least 0, and --strings at least 1 unless --n is 0")
    return args


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
        return cli.fail(PROG, e)
    if args.n > 0:
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
    if args.people > 0:
        from digits.evaluation.people_set import build_people_set

        t1 = time.perf_counter()
        people = build_people_set(
            images, labels, n_per_variant=args.people, seed=args.seed, font_split=args.split, handwriting=True
        )
        if args.examples:
            save_examples(people, args.examples)
        took = time.perf_counter() - t1
        print(f"\nAs people make them, from the MNIST {args.split} split, seed {args.seed} ({took:.0f} s):\n")
        print(people_table(evaluate_people(people, classifier, args.failures)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
