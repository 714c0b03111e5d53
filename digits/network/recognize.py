"""From a picture to an answer: preprocessing plus the classifier, shared by the app and the CLI."""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image

from digits.network.classifier import Classifier, Reading
from digits.reading.boxes import reaches_ends, run_past_ends
from digits.reading.decode import ImageError, load_image
from digits.reading.ink import WORK_SIZE
from digits.reading.prepare import EDGE_EXTEND, Cut, Digit, Prepared, prepare


@dataclass
class DigitResult:
    """One digit: what the network saw (``digit``) and what it read (``reading``)."""

    digit: Digit
    reading: Reading


@dataclass
class Result:
    """The reading of a picture: as one digit, and digit by digit.

    Attributes:
        whole: the picture read as one digit, or None when there is nothing to read.
        digits: each digit found, left to right (empty when blank).
        shape: (height, width) of the input picture, the frame of each digit's ``box``.
        texture: when blank although there is ink, why (too many separate marks to be digits),
            one line; None otherwise.
    """

    whole: DigitResult | None
    digits: list[DigitResult] = field(default_factory=list)
    shape: tuple[int, int] = (0, 0)
    texture: str | None = None

    @property
    def blank(self) -> bool:
        return self.whole is None

    def read_whole_with(self, classifier: Classifier | None) -> Reading | None:
        """Another network's reading of the same 28x28 image (the picture read as one digit),
        for side-by-side comparisons; None when the picture is blank or ``classifier`` is None."""
        return None if self.whole is None or classifier is None else classifier.read(self.whole.digit.image)

    @property
    def number(self) -> str:
        """The digits read left to right, e.g. "504192"; "" when there are none."""
        return "".join(str(d.reading.label) for d in self.digits)

    def to_json(self, temperature: float = 1.0) -> dict[str, Any]:
        """The fields of ``predict.py --json`` but ``file`` and ``number`` (the number as the app
        shows it is wording: :func:`digits.ui.wording.result_fields` adds it).

        ``label``, ``confidence`` and ``probabilities`` (10 floats, calibrated at the classifier's
        temperature, which ``temperature`` is to record) read the whole picture as one digit, with
        ``raw_confidence`` (temperature 1), ``is_digit`` and ``ood_score`` (higher = less like a
        digit); ``digits`` lists ``{"label", "confidence", "box": [x0, y0, x1, y1], "is_digit",
        "ood_score"}`` in input pixels. A blank picture gives None for the reading, ``is_digit`` False
        and ``ood_score`` None, and ``texture`` (last) says why when there was ink in too many marks to
        read (otherwise it is absent).
        """
        if self.whole is None:
            return {
                "label": None,
                "confidence": None,
                "probabilities": None,
                "raw_confidence": None,
                "temperature": temperature,
                "is_digit": False,
                "ood_score": None,
                "digits": [],
            } | ({"texture": self.texture} if self.texture else {})
        r = self.whole.reading
        return {
            "label": r.label,
            "confidence": _round(r.confidence),
            "probabilities": [_round(p) for p in r.probabilities],
            "raw_confidence": _round(r.raw_confidence),
            "temperature": temperature,
            "is_digit": r.is_digit,
            "ood_score": _round(r.ood_score),
            "digits": [
                {
                    "label": d.reading.label,
                    "confidence": _round(d.reading.confidence),
                    "box": list(d.digit.box),
                    "is_digit": d.reading.is_digit,
                    "ood_score": _round(d.reading.ood_score),
                }
                for d in self.digits
            ],
        }


def _round(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(float(value), digits)


def recognize(img: Image.Image | np.ndarray, classifier: Classifier, source: str = "upload") -> Result:
    """Preprocess a picture (see :func:`digits.reading.prepare.prepare`) and classify it, whole and
    digit by digit, in one batch.

    Args:
        img: a PIL image or an array accepted by :func:`digits.reading.ink.to_grayscale`.
        classifier: the loaded model.
        source: "upload" or "canvas" (see :func:`digits.reading.prepare.prepare`).

    Returns:
        :class:`Result`; ``blank`` when there is nothing to read.

    Raises:
        ValueError: unknown ``source``.
    """
    prepared = prepare(img, source=source)
    if prepared.blank:
        return Result(None, [], prepared.shape, prepared.texture)
    hypotheses = read_hypotheses(prepared, classifier)
    picked = choose_reading(hypotheses)
    whole = hypotheses.whole
    if len(picked) == 1:
        # One digit: the picture's reading is that digit's (its pieces joined across their gaps),
        # shown with the whole picture's steps.
        one = picked[0]
        whole = DigitResult(Digit(one.digit.image, one.digit.box, whole.digit.steps | one.digit.steps), one.reading)
    return Result(whole, picked, prepared.shape)


@dataclass
class Hypotheses:
    """A prepared picture's segmentation hypotheses (see :class:`digits.reading.prepare.Prepared`),
    each read by the network: what :func:`choose_reading` chooses from.

    Attributes:
        whole: the picture read as one digit.
        singles: each piece found, left to right, read as one digit.
        merges: ``i`` -> pieces ``i`` and ``i + 1`` read as one digit.
        splits: ``i`` -> piece ``i`` cut in two, each way prepared (a list of
            :class:`digits.reading.prepare.Cut`), both halves read (:class:`DigitResult`).
        extended: ``i`` -> canvas piece ``i`` read as if it ran on past the edge.
        height: the input picture's height in pixels (the frame of every box).
        underlined: ``i`` -> piece ``i`` read with the bar set aside under it.
        source: where the picture came from, "upload" or "canvas" (the split prior differs).
        closed: ``i`` -> piece ``i`` read with a gap across one of its strokes closed.
    """

    whole: DigitResult
    singles: list[DigitResult]
    merges: dict[int, DigitResult]
    splits: dict[int, list[Cut]]
    extended: dict[int, DigitResult]
    height: int
    underlined: dict[int, DigitResult] = field(default_factory=dict)
    source: str = "upload"
    closed: dict[int, DigitResult] = field(default_factory=dict)


def read_hypotheses(prepared: Prepared, classifier: Classifier) -> Hypotheses:
    """Read every hypothesis of a prepared picture (not blank) in one batch.

    Args:
        prepared: from :func:`digits.reading.prepare.prepare`, not blank.
        classifier: the loaded model.
    """
    merged_at, split_at, extended_at = sorted(prepared.merges), sorted(prepared.splits), sorted(prepared.extended)
    underlined_at, closed_at = sorted(prepared.underlined), sorted(prepared.closed)
    # One digit: the whole picture shares its image (see prepare), and is read once.
    shared = len(prepared.digits) == 1 and prepared.whole.image is prepared.digits[0].image
    digits = [
        *([] if shared else [prepared.whole]),
        *prepared.digits,
        *(prepared.merges[i] for i in merged_at),
        *(half for i in split_at for cut in prepared.splits[i] for half in (cut.left, cut.right)),
        *(prepared.extended[i] for i in extended_at),
        *(prepared.underlined[i] for i in underlined_at),
        *(prepared.closed[i] for i in closed_at),
    ]
    readings = classifier.read_batch(np.stack([d.image for d in digits]))
    results = [DigitResult(d, r) for d, r in zip(digits, readings, strict=True)]
    if shared:
        results.insert(0, DigitResult(prepared.whole, results[0].reading))
    rest = iter(results[1:])  # in the order they were stacked above

    def take(count: int) -> list[DigitResult]:
        return list(itertools.islice(rest, count))

    singles = take(len(prepared.digits))
    merges = dict(zip(merged_at, take(len(merged_at)), strict=True))
    splits = {}
    for i in split_at:
        halves = take(2 * len(prepared.splits[i]))
        splits[i] = [
            cut._replace(left=halves[2 * j], right=halves[2 * j + 1]) for j, cut in enumerate(prepared.splits[i])
        ]
    return Hypotheses(
        whole=results[0],
        singles=singles,
        merges=merges,
        splits=splits,
        extended=dict(zip(extended_at, take(len(extended_at)), strict=True)),
        height=prepared.shape[0],
        underlined=dict(zip(underlined_at, take(len(underlined_at)), strict=True)),
        source=prepared.source,
        closed=dict(zip(closed_at, take(len(closed_at)), strict=True)),
    )


def choose_reading(hypotheses: Hypotheses) -> list[DigitResult]:
    """The digits read, left to right: the cheapest path through the hypotheses
    (:func:`choose_segmentation`), with each reading's cost (:func:`_cost`) and the priors below
    (module constants, read at call time: ``digits.evaluation.tune_segmentation`` replays this
    function with other values)."""
    singles = list(hypotheses.singles)
    # A stroke cut across (a loop cut open): read closed when that reads another digit, more
    # plausibly. (The same digit read closed, only more confidently, would tilt the segmentation
    # towards single pieces: the stem of a 4 whose lower half is light, closed, made "11" cheaper
    # than the 4; on validation the condition changed no answer.)
    for i, r in hypotheses.closed.items():
        if r.reading.label != singles[i].reading.label and _cost(r.reading) + CLOSE_COST < _cost(singles[i].reading):
            singles[i] = r
    # A canvas digit that runs off the edge: read as cut there, or as going on past it (see
    # digits.reading.prepare.EDGE_EXTEND), whichever the network finds more plausible.
    for i, r in hypotheses.extended.items():
        if _cost(r.reading) + EXTEND_COST < _cost(singles[i].reading):
            singles[i] = r
    # A bar under one digit: an underline, or the digit's own base (a 2's, broken off its diagonal).
    # It stays with the digit unless the digit reads UNDERLINE_COST more plausibly without it.
    for i, r in hypotheses.underlined.items():
        if _cost(r.reading) <= _cost(singles[i].reading) + UNDERLINE_COST:
            singles[i] = r
    tallest = max(r.digit.box[3] - r.digit.box[1] for r in singles)

    canvas = hypotheses.source == "canvas"
    height = hypotheses.height

    def shape_cost(box: tuple[int, ...]) -> float:
        return _shape_cost(_run_on(box, height) if canvas else box, tallest)

    def split_cost(cut: Cut) -> float:
        halves = (cut.left, cut.right)
        if canvas:
            prior = CANVAS_SPLIT_COST + CANVAS_SPLIT_JOIN_COST * cut.join
        else:
            prior = SPLIT_COST + SPLIT_CROSSED_COST * cut.crossed
        return sum(_cost(h.reading) + shape_cost(h.digit.box) for h in halves) + prior

    def merge_cost(i: int, r: DigitResult) -> float:
        a, b = singles[i], singles[i + 1]
        # Two pieces that both run off one edge of the canvas may be one stroke that went out and
        # came back (the loop and the stem of a 9 cut at its top): the prior is waived.
        prior = 0.0 if canvas and _off_one_edge(a.digit.box, b.digit.box, height) else MERGE_COST
        return (
            _cost(r.reading) + prior - ROW_COST * _apart(a.digit.box, b.digit.box) - _baseline_discount(a, b, r, height)
        )

    # A piece cut more than one way: the cut whose halves are the more plausible two digits.
    cuts = {i: min(ways, key=split_cost) for i, ways in hypotheses.splits.items()}
    chosen = choose_segmentation(
        [_cost(r.reading) + shape_cost(r.digit.box) for r in singles],
        {i: merge_cost(i, r) for i, r in hypotheses.merges.items()},
        {i: split_cost(cut) for i, cut in cuts.items()},
    )
    read = {
        "one": lambda i: [singles[i]],
        "merge": lambda i: [hypotheses.merges[i]],
        "split": lambda i: [cuts[i].left, cuts[i].right],
    }
    return [d for i, kind in chosen for d in read[kind](i)]


#: Cost of reading as a digit what the detector calls "not a digit", added to its -log probability.
NOT_A_DIGIT_COST = 2.0
#: The prior against one digit written in two separate strokes, beside two digits close together
#: (-log of their odds): the merged reading must be this much more plausible to be kept.
MERGE_COST = 0.5
#: The prior that the digits of one number share a row: reading two neighbouring pieces as two digits
#: costs this much times the share of the shorter one that lies above or below the other (a slanted
#: 1 broken across leaves two pieces one above the other, each read as a confident 1: "11"). Chosen
#: on 300 validation-built pictures per variant: at 1.0, broken_stroke 94.7% -> 96.3% and nothing
#: else moved; at 2.0, canvas_edge lost 1.4 points (a digit cut by the edge joined to its neighbour).
ROW_COST = 1.0
#: ... and only for pieces whose columns are at most this fraction of the taller one's height apart
#: (a 0 high up to the left of a 1 on the canvas had been joined into a 9; validation broken_stroke
#: 96.3% -> 96.0%, the other rows unchanged).
ROW_ABUT = 0.05
#: The prior that the digits of one number share a baseline: reading two neighbouring pieces (a merge
#: hypothesis) as two digits costs this much times how far apart their bottoms are, as a share of the
#: taller one's height (:func:`_off_baseline`). A 4 broken where its arm meets the stem leaves the arm
#: hanging from the top beside the stem, and each piece is read as a confident 1 ("11") or the arm as
#: a 6. Chosen on validation-built pictures (1,000 each of broken_stroke, canvas_edge, touching and
#: two_tones, 300 of every other variant): 0.5 to 3 read 6 to 10 more broken 4s right (broken_stroke
#: 94.5% -> 95.5% at 1 to 3) and moved nothing else from 0.5 to 1.5; at 2, two canvas pictures were
#: lost. Without the exemption for pieces at the picture's top or bottom, 1.0 lost 11 canvas_edge
#: pictures (a digit cut by the edge has no bottom of its own). Only where the merged reading is a
#: digit that neither piece is read as alone (:func:`_baseline_discount`): an independent review
#: found the unconditioned prior swallowing small raised digits ("8" for an 8 with a small 0 as its
#: exponent, "7" for a small 1 written high beside a 7): 134 of some 2,400 such pictures read worse,
#: 8 with the condition. It costs 5 of the broken 4s whose arm alone reads 4 or 6 ("41", "64";
#: validation broken_stroke 96.2% -> 95.7% of 1,000, with MERGE_ASPECT).
BASELINE_COST = 1.0
#: The prior that the digits of one picture share a height: reading a piece as a digit of its own
#: costs this much per unit of log(height ratio) by which it is more than :data:`HEIGHT_RATIO` times
#: shorter than the tallest piece (a stroke broken across, whose short half, scaled up to 20x20 on
#: its own, looks like some digit).
HEIGHT_COST = 1.0
HEIGHT_RATIO = 2.0
#: The prior that a digit is no wider than tall: reading a piece as one digit costs this much per
#: unit of log(width / height) above log(:data:`ASPECT_FREE`) (two touching digits, "77", normalised
#: as one, can look like one wide digit).
ASPECT_COST = 4.0
ASPECT_FREE = 1.1
#: The prior against a canvas digit running on past the canvas's edge, beside the digit as it is in
#: view: the reading as if it ran on must be this much more plausible to be kept. None: on 300
#: validation-built canvas_edge pictures, 0.25 to 1 changed one answer (wrong both ways), -0.25 made one
#: right and one wrong.
EXTEND_COST = 0.0
#: The prior against a gap cut across one stroke of a digit, beside the digit as it is (see
#: :func:`digits.reading.segment.close_gap`): the closed reading must be this much more plausible.
#: Chosen on 300 validation-built pictures per variant: at 0, broken_stroke +5 (loops cut open: 6s
#: read 5, 0s read 8, a 9 read 7) but four pictures lost elsewhere (an open 4 closed into a 9, a 5
#: into a 6; and a real photographed 1 read 4); at 0.1, broken_stroke +4, two_tones +1, touching -2;
#: at 0.25, broken_stroke +2, touching -1. Holding the gap's direction to the stroke's own at its end
#: (30-75 degrees) kept the losses and gave up gains.
CLOSE_COST = 0.1
#: The prior that a bar set aside under one digit (see :func:`digits.reading.segment.find_digits`)
#: is the digit's own: the digit is read without it only when that is this much more plausible. An
#: underlined 6 read with its bar is no digit (cost 2 and more); a 2 whose base broke off reads "7"
#: without it, as confidently as "2" with it. Chosen on an independent review's pictures (792 MNIST
#: 2s with a broken base, alone and in strings; 20 underlined digits and numbers in four
#: handwriting fonts): at 0.5 and 0.25 no 2 was lost and two underlined 7s read "1"; at 0.1 the 7s
#: read right and 2 of the 2s were lost, at 0 four.
UNDERLINE_COST = 0.25
#: The prior against two touching digits, beside one wide digit: ``SPLIT_COST + SPLIT_CROSSED_COST *
#: crossed``, where ``crossed`` is the share of the piece's height in which the cut runs through ink
#: (:class:`digits.reading.prepare.Cut`; the straight cut's ``join``; strokes thinner than the
#: normalisation leaves as they are count at MNIST's width: a 1-px pencil 8 cut at its waist,
#: crossed in two rows, had been read "87"): the two halves' readings must be this much more plausible
#: than the whole. Each half is a digit, and pays the shape prior (:func:`_shape_cost`) as every digit
#: does: a line drawn across the canvas, cut in two, had been read as two rejected marks, "00", its
#: halves as wide for their height as the whole. The network reads two touching digits normalised
#: as one piece as confidently as its halves ("41" as 4, "99" as 9, "61" as 4), so the prior
#: decides. A cut along the path where two digits touch crosses ink in a short run (``crossed``
#: about 0.05-0.15); a cut through one wide digit crosses its strokes (a 0's top and bottom: about
#: 0.2 and more). Chosen on validation-built pictures (500 of each upload variant of the "as people
#: make them" set and 1,000 of the first table's strings, seed 0): from the flat 1.0 to 0 + 5
#: crossed, touching 486 -> 489 (+4; an "87" lost, read "81") and strings +1, nothing else moved (4
#: to 6 alike; 0 + 3 lost pictures in four variants). Checked on a second draw never used to choose
#: (seed 1: 1,000 touching, 750 strings, 500 each of frame_filling, two_tones and phone_light, 300
#: of printed and broken_stroke): touching 962 -> 976 (+16, -2: a "98" read "08", a "34" read
#: "21"), two_tones -1 (a "53" read "533", its 3 cut), nothing else moved; on the first table's
#: validation-built set (1,000 per variant, 400 strings) a canvas 4 read as an upload was lost
#: ("68") and a string won. The canvas keeps its own prior, below.
SPLIT_COST = 0.0
SPLIT_CROSSED_COST = 5.0
#: ... on the canvas, ``CANVAS_SPLIT_COST + CANVAS_SPLIT_JOIN_COST * join``, where ``join`` is the
#: share of the piece's height that its ink spans at the cut (:class:`digits.reading.prepare.Cut`):
#: two digits that touch meet in a short run of ink (join about 0.05-0.5), a cut across a wide 0
#: crosses its top and bottom (about 1). The network reads two touching digits normalised as one
#: piece as confidently as either half ("77" as 7 at 100%), so the prior decides, and with the flat
#: 1.0 a canvas "77", "73" or "21" was read as one digit. Chosen on validation-built pictures: 1,000
#: single canvas digits and 500 canvas pairs drawn close (their boxes overlapping 2-11 px, 163 of
#: them touching in ink; pens 15-30 px; canvas pieces cut from 0.9 of their height wide,
#: :data:`digits.reading.segment.CANVAS_SPLIT_ASPECT`) and 300 canvas_edge pictures: from the flat
#: 1.0 to 0.25 + 1.5 join, the pairs 86.8% -> 89.6%, nothing else moved; a flat 0 read 2 more pairs
#: and lost 4 single digits (a 0 cut into "67"), 0.5 + 1.0 read 5 more pairs. (Uploads read the
#: path's own ``crossed`` instead, above; on the canvas, ``crossed`` in place of ``join`` read 1 and 2
#: more pairs on two draws of 500 and cut a wide single 0 of 1,000 into "67". A cut along a path had
#: carried its piece's straight-cut ``join``; its own, the span of the ink it runs through, which
#: is about 1 through a 0's top and bottom, read 1 and 2 more pairs on the two draws, the 1,000
#: single digits and 500 canvas_edge pictures as before.) Since cuts across
#: more than :data:`digits.reading.segment.CANVAS_SPLIT_JOIN` of the piece's height are no longer
#: offered (a cut across a 0's ring), 0.25 -> 0: on the same sets
#: 89.6% -> 91.2% of the pairs ("77", "73", "17", "98" read as one confident digit, their halves as
#: two, touching in a point), and one single digit lost (an open 0 read "62"); on a second draw (500
#: other pairs, 1,000 other single digits) 86.6% -> 87.8% and again one single digit lost. -0.15
#: read 5 and 1 more pairs and lost one single digit more on each draw; canvas_edge did not move.
CANVAS_SPLIT_COST = 0.0
CANVAS_SPLIT_JOIN_COST = 1.5


def _cost(reading: Reading) -> float:
    """-log of the top softmax probability (temperature 1), plus :data:`NOT_A_DIGIT_COST` when the
    detector rejects it: how implausible it is that this piece of ink is one digit."""
    return -float(np.log(max(reading.raw_confidence, 1e-12))) + (NOT_A_DIGIT_COST if reading.is_digit is False else 0.0)


def _apart(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """The share of the shorter of two boxes ``(x0, y0, x1, y1)`` whose rows the other does not
    span: 0 for two digits side by side in one row, 1 for one above the other; 0 as well when their
    columns are further apart than :data:`ROW_ABUT` of the taller one's height (a small digit up to
    the left of another, as when one runs off the top of the canvas, is not one digit with it)."""
    taller = max(a[3] - a[1], b[3] - b[1], 1)
    if max(a[0], b[0]) - min(a[2], b[2]) > ROW_ABUT * taller:
        return 0.0
    shorter = max(min(a[3] - a[1], b[3] - b[1]), 1)
    shared = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    return 1.0 - min(shared / shorter, 1.0)


def _baseline_discount(a: DigitResult, b: DigitResult, merged: DigitResult, height: int) -> float:
    """How much cheaper :data:`BASELINE_COST` makes reading neighbours ``a`` and ``b`` as one digit
    (``merged``): their bottoms' distance (:func:`_off_baseline`) times the cost, but only when the
    merged reading is a digit that neither piece is read as alone. The two pieces of one digit make
    a new shape (a broken 4, its pieces read 1 and 1); a small digit raised beside a big one (an
    exponent, a small 1 written high) is swallowed by the merge, whose reading is the big one's."""
    if merged.reading.label in (a.reading.label, b.reading.label):
        return 0.0
    return BASELINE_COST * _off_baseline(a.digit.box, b.digit.box, height)


def _off_baseline(a: tuple[int, ...], b: tuple[int, ...], height: int) -> float:
    """How far apart the bottoms of two boxes ``(x0, y0, x1, y1)`` are, as a share of the taller
    one's height: 0 for two digits on one baseline, about 0.5 for the arm of a 4 beside its stem.
    0 as well when either box reaches the picture's top (y0 = 0) or bottom (y1 = ``height``, px): a
    digit cut there (running off the canvas, or the crop) has no bottom of its own."""
    if any(reaches_ends(a, height)) or any(reaches_ends(b, height)):
        return 0.0
    taller = max(a[3] - a[1], b[3] - b[1], 1)
    return abs(a[3] - b[3]) / taller


def _run_on(box: tuple[int, ...], height: int) -> tuple[float, ...]:
    """A canvas piece's box for the shape prior, as if the piece ran on past the canvas's top or
    bottom edge, where it reaches them, by :data:`digits.reading.prepare.EDGE_EXTEND` of its height:
    cut there, its box in view is shorter than the digit drawn, and the prior (:func:`_shape_cost`)
    would take it for a fragment, or for two digits side by side. (Cut at the left or right edge, a
    piece is only narrower, which the prior does not charge; and the box is run on whether or not
    the piece is also read run on, see :func:`digits.reading.prepare.prepare`.)

    Args:
        box: (x0, y0, x1, y1) of the piece, in px of the canvas.
        height: the canvas's height, in px.

    Returns:
        (x0, y0, x1, y1), float px, reaching beyond the canvas's top or bottom where the piece does.
    """
    return run_past_ends(box, height, EDGE_EXTEND)


def _off_one_edge(a: tuple[int, ...], b: tuple[int, ...], height: int) -> bool:
    """Whether boxes ``a`` and ``b`` (x0, y0, x1, y1, px) both reach the top, or both the bottom, of
    a canvas ``height`` px tall."""
    return any(x and y for x, y in zip(reaches_ends(a, height), reaches_ends(b, height), strict=True))


def _shape_cost(box: tuple[float, ...], tallest: int) -> float:
    """The shape prior for reading one piece as one digit: :data:`HEIGHT_COST` times how far (in log
    height ratio) the piece's height falls below ``tallest / HEIGHT_RATIO``, plus :data:`ASPECT_COST`
    times how far its log aspect ratio (width / height) exceeds log(:data:`ASPECT_FREE`); 0 for a
    piece about as tall as the tallest and no wider than tall.

    Args:
        box: (x0, y0, x1, y1) of the piece, in px.
        tallest: the height of the tallest piece of the picture, in the same px.
    """
    width, height = max(box[2] - box[0], 1), max(box[3] - box[1], 1)
    short = max(0.0, float(np.log(tallest / height / HEIGHT_RATIO)))
    wide = max(0.0, float(np.log(width / height / ASPECT_FREE)))
    return HEIGHT_COST * short + ASPECT_COST * wide


def choose_segmentation(
    single: list[float], merged: dict[int, float], split: dict[int, float] | None = None
) -> list[tuple[int, str]]:
    """The cheapest way to read a row of digit hypotheses (LeCun et al. 1998, section V: the path of
    least cost through the segmentation graph).

    Args:
        single: cost of reading piece ``i`` alone as one digit (see :func:`_cost`), left to right.
        merged: ``i`` -> cost of reading pieces ``i`` and ``i + 1`` together as one digit.
        split: ``i`` -> cost of reading piece ``i`` as two touching digits.

    Returns:
        ``[(i, kind), ...]`` left to right, ``kind`` one of "one" (piece ``i`` as one digit),
        "merge" (pieces ``i`` and ``i + 1`` as one digit) and "split" (piece ``i`` as two digits),
        covering every piece once, with the least total cost (ties: each piece as one digit).
    """
    split = split or {}
    best = [(0.0, [])]
    for i in range(1, len(single) + 1):
        one = min(single[i - 1], split.get(i - 1, np.inf))
        kind = "one" if single[i - 1] <= split.get(i - 1, np.inf) else "split"
        options = [(best[i - 1][0] + one, [*best[i - 1][1], (i - 1, kind)])]
        if i >= 2 and (i - 2) in merged:
            options.append((best[i - 2][0] + merged[i - 2], [*best[i - 2][1], (i - 2, "merge")]))
        best.append(min(options, key=lambda o: o[0]))
    return best[-1][1]


def recognize_file(source, classifier: Classifier) -> tuple[Result | None, str | None]:
    """Decode and recognize one file, never raising for bad input. A large JPEG is decoded at
    the smallest of 1/2, 1/4 or 1/8 of its size whose longer side still covers the working size
    (:data:`digits.reading.ink.WORK_SIZE`); the digits' boxes are in the file's pixels all the same.

    Args:
        source: encoded bytes, a path or a binary file object (see
            :func:`digits.reading.decode.load_image`).
        classifier: the loaded model.

    Returns:
        ``(result, None)`` on success, or ``(None, reason)`` with a one-line reason for a user
        when the file is not a readable image (or, as a last resort, when processing it failed;
        that case is also logged with its traceback).
    """
    try:
        return recognize(load_image(source, reduce_to=WORK_SIZE), classifier), None
    except ImageError as e:
        return None, str(e)
    except Exception as e:
        logging.getLogger(__name__).exception("processing failed")
        return None, f"could not process this image ({type(e).__name__})"
