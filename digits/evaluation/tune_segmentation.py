"""Choose the segmentation priors on validation: read once, replay the choice with other values.

The priors that settle segmentation hypotheses (:mod:`digits.network.recognize`: ``MERGE_COST``,
``BASELINE_COST``, ``SPLIT_COST`` and the others) act after the network, so the network need not read
a picture again to try another value: each picture of the validation-built "as people make them"
set (:mod:`digits.evaluation.people_set`) is prepared and its hypotheses read once
(:func:`digits.network.recognize.read_hypotheses`), then :func:`digits.network.recognize.choose_reading`
is replayed with each value asked for, in a fraction of a second per value. The set is always
built from the validation split: settings are never chosen on the test set.

What it cannot replay: settings that change which hypotheses exist (``MERGE_GAP``, ``MERGE_ASPECT``,
``SPLIT_ASPECT``, ``EDGE_EXTEND``: patch them in :mod:`digits.reading.segment` or
:mod:`digits.reading.prepare` and run it again).

Usage:
    python -m digits.evaluation.tune_segmentation --data-dir ../shared/data/mnist \\
        --try SPLIT_COST=0.5,0.75,1.25 --try BASELINE_COST=0,0.5,2
"""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack
from dataclasses import replace
from unittest import mock

import numpy as np

from digits import cli

PROG = "python -m digits.evaluation.tune_segmentation"
#: The constants of :mod:`digits.network.recognize` that :func:`replay` can change.
PRIORS = (
    "NOT_A_DIGIT_COST",
    "MERGE_COST",
    "ROW_COST",
    "ROW_ABUT",
    "BASELINE_COST",
    "HEIGHT_COST",
    "HEIGHT_RATIO",
    "ASPECT_COST",
    "ASPECT_FREE",
    "EXTEND_COST",
    "SPLIT_COST",
    "SPLIT_CROSSED_COST",
    "CANVAS_SPLIT_COST",
    "CANVAS_SPLIT_JOIN_COST",
)


def read_set(variants: dict[str, list], classifier) -> dict[str, list]:
    """Prepare each sample and read its hypotheses once.

    Args:
        variants: variant name -> its samples (:class:`digits.evaluation.robustness.Sample`, with
            ``params["source"]`` for the canvas variant).
        classifier: the loaded model.

    Returns:
        Variant -> ``[(label, hypotheses or None when blank), ...]``, the hypotheses without their
        pictures (only boxes and readings are kept: a thousand pictures take a few MB).
    """
    from digits.network.recognize import read_hypotheses
    from digits.reading.prepare import prepare

    out = {}
    for name, samples in variants.items():
        rows = []
        for s in samples:
            prepared = prepare(s.image, source=s.params.get("source", "upload"))
            rows.append((s.label, None if prepared.blank else _light(read_hypotheses(prepared, classifier))))
        out[name] = rows
    return out


def _light(h):
    """The hypotheses with each digit's image and steps dropped (boxes and readings kept)."""
    from digits.network.recognize import DigitResult
    from digits.reading.prepare import Digit

    def strip(d: DigitResult) -> DigitResult:
        return DigitResult(Digit(np.zeros((0, 0), np.float32), d.digit.box), d.reading)

    return replace(
        h,
        whole=strip(h.whole),
        singles=[strip(d) for d in h.singles],
        merges={i: strip(d) for i, d in h.merges.items()},
        splits={
            i: [c._replace(left=strip(c.left), right=strip(c.right)) for c in cuts] for i, cuts in h.splits.items()
        },
        extended={i: strip(d) for i, d in h.extended.items()},
        underlined={i: strip(d) for i, d in h.underlined.items()},
    )


def answer(hypotheses) -> str:
    """What a user sees (as :func:`digits.evaluation.benchmark_robustness.people_answer`): the digits
    chosen, left to right ("" for a blank picture)."""
    from digits.network.recognize import choose_reading

    if hypotheses is None:
        return ""
    return "".join(str(d.reading.label) for d in choose_reading(hypotheses))


def replay(read: dict[str, list], **priors: float) -> dict[str, list[bool]]:
    """Variant -> whether each picture is read right, with the given priors in place of the
    module's (names from :data:`PRIORS`).

    Raises:
        ValueError: a name not in :data:`PRIORS`.
    """
    from digits.network import recognize

    unknown = set(priors) - set(PRIORS)
    if unknown:
        raise ValueError(f"unknown prior {', '.join(sorted(unknown))}; expected one of {', '.join(PRIORS)}")
    with ExitStack() as stack:
        for name, value in priors.items():
            stack.enter_context(mock.patch.object(recognize, name, value))
        return {name: [answer(h) == label for label, h in rows] for name, rows in read.items()}


def compare(base: dict[str, list[bool]], other: dict[str, list[bool]]) -> str:
    """One line: the share right over all variants, and per variant the pictures won and lost
    against ``base``."""
    right = [x for rows in other.values() for x in rows]
    moves = []
    for name, rows in other.items():
        won = sum(o and not b for o, b in zip(rows, base[name], strict=True))
        lost = sum(b and not o for o, b in zip(rows, base[name], strict=True))
        if won or lost:
            moves.append(f"{name} +{won} -{lost}")
    return f"{100 * np.mean(right):.2f}%  " + (", ".join(moves) or "no picture changes")


def parse_try(text: str) -> tuple[str, list[float]]:
    """``"NAME=v1,v2"`` -> ``(NAME, [v1, v2])``; raises ValueError for anything else."""
    name, sep, values = text.partition("=")
    if not sep or name not in PRIORS:
        raise ValueError(f"--try wants NAME=v1,v2,... with NAME one of {', '.join(PRIORS)}, got {text!r}")
    try:
        return name, [float(v) for v in values.split(",")]
    except ValueError:
        raise ValueError(f"--try {name}: values must be numbers, got {values!r}") from None


def parse_args(argv=None):
    p = cli.parser(PROG, __doc__.splitlines()[0])
    p.add_argument("--data-dir", default=None, help="MNIST IDX directory; default: $MNIST_DIR")
    p.add_argument("--n", type=int, default=300, help="validation-built pictures per variant")
    p.add_argument("--seed", type=int, default=0, help="seed of the set")
    p.add_argument("--variants", default=None, help="comma-separated variants; default: all of the people set")
    p.add_argument("--try", dest="tries", action="append", default=[], help="NAME=v1,v2,... (repeatable)")
    args = p.parse_args(argv)
    if args.n < 1:
        p.error("--n must be at least 1")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from digits.datasets.mnist import DataError
    from digits.evaluation.people_set import PEOPLE_VARIANTS, iter_people
    from digits.evaluation.robustness import source_split, variant_rng
    from digits.network.card import ModelCardError
    from digits.network.classifier import Classifier

    try:
        tries = [parse_try(t) for t in args.tries]
        names = args.variants.split(",") if args.variants else list(PEOPLE_VARIANTS)
        unknown = set(names) - set(PEOPLE_VARIANTS)
        if unknown:
            raise ValueError(f"unknown variant {', '.join(sorted(unknown))}; expected {', '.join(PEOPLE_VARIANTS)}")
        images, labels = source_split("validation", args.data_dir)
        classifier = Classifier()
    except (ValueError, DataError, ModelCardError) as e:
        return cli.fail(PROG, e)
    variants = {
        name: list(iter_people(name, images, labels, args.n, variant_rng(args.seed, f"people/{name}"), "validation"))
        for name in names
    }
    read = read_set(variants, classifier)
    base = replay(read)
    rows = ", ".join(f"{name} {100 * np.mean(right):.1f}%" for name, right in base.items())
    print(f"Validation-built, {args.n} per variant, seed {args.seed}. As the module stands: {compare(base, base)}")
    print(f"  ({rows})")
    for name, values in tries:
        for value in values:
            print(f"{name} = {value:g}: {compare(base, replay(read, **{name: value}))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
