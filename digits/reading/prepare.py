"""Prepare a picture for the network: ink, then digits, then each digit normalised like MNIST.

The last stage of the reading pipeline, and the only one the rest of the package needs to call:
:func:`prepare` runs :func:`digits.reading.ink.extract_ink`, :func:`digits.reading.segment.find_digits`
and :func:`digits.reading.normalize.normalize_digit`, in that order, for the whole picture (all the
kept ink read as one digit) and for each digit found. Decoding a file comes before it
(:func:`digits.reading.decode.load_image`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
from PIL import Image
from scipy import ndimage

from digits.reading.boxes import bounding_box
from digits.reading.decode import full_size
from digits.reading.ink import WORK_SIZE, Ink, extract_ink
from digits.reading.normalize import MNIST_STROKE_FRACTION, NOTHING_BEYOND, SIZE, STROKE_RANGE, normalize_digit_each
from digits.reading.segment import (
    CANVAS_MERGE_ASPECT,
    CANVAS_NARROW_SPLIT_ASPECT,
    CANVAS_NARROW_SPLIT_JOIN,
    CANVAS_SPLIT_ASPECT,
    CANVAS_SPLIT_JOIN,
    MERGE_ASPECT,
    SPLIT_ASPECT,
    TextureError,
    bridge,
    close_gap,
    cut_in_two,
    find_digits,
    group_mask,
    merge_candidates,
    ridge_width,
    split_candidates,
)

#: Pieces of one digit's ink at least this share of its largest piece's area are joined to it
#: across their gap (see :func:`digits.reading.segment.bridge`).
HEAL_AREA = 0.1
#: A digit in more such pieces than this is dots or dashes, not strokes broken across: nothing is
#: joined (each join costs two distance transforms of the digit's box).
HEAL_PIECES = 6
#: A canvas digit that touches the canvas's edge may run off it: it is also normalised as if it went on
#: past each edge it touches by this fraction of its height (that space left blank, so that the part in
#: view is scaled as part of a larger digit), and the network's more plausible reading is kept
#: (:func:`digits.network.recognize.recognize`). On 300 validation-built canvas_edge pictures, 0.1,
#: 0.2 and 0.3 each read 3 more right (90.0 -> 91.0%); 0.3 left the fewest rejected (7.0 -> 6.0%).
EDGE_EXTEND = 0.3
#: The pictures a prepared digit keeps of each step, in order: "input" and "grayscale" for the
#: whole picture only (see :func:`prepare`).
STEPS = ("input", "grayscale", "crop", "box20", "centred")
#: Longest side, in pixels, of the "input" step's picture (what the app shows of an upload).
DISPLAY_SIZE = 640


@dataclass
class Digit:
    """One digit made ready for the classifier.

    Attributes:
        image: (28, 28) float32 in [0, 1], light ink on dark, centred by mass: the network's input.
        box: (x0, y0, x1, y1) of the digit in input pixels (x1, y1 exclusive).
        steps: pictures of each step for display, name (one of :data:`STEPS`) -> 2-D float array
            in [0, 1] (or an RGB/RGBA uint8 array for "input").
    """

    image: np.ndarray
    box: tuple[int, int, int, int]
    steps: dict[str, np.ndarray] = field(default_factory=dict)


class Cut(NamedTuple):
    """One piece cut in two, as two touching digits would be (a segmentation hypothesis).

    Attributes:
        left, right: the two halves, each normalised as a digit (:class:`Digit`; once read, the
            network's :class:`digits.network.recognize.DigitResult` in their place).
        join: the share, in [0, 1], of the piece's height spanned by the ink the cut runs through
            (from its first row in ink to its last): for the straight cut, its column's
            (:func:`digits.reading.segment.split_candidates`); small where two digits touch, about
            1 across the middle of a wide 0, whose top and bottom a path crosses too. Only the
            canvas's split prior reads it.
        crossed: how much of the piece's height this cut runs through ink (:func:`_crossed`):
            ``join`` for the straight cut, the share of the rows in which it is in ink for a path,
            thin strokes counted at MNIST's width; only the uploads' split prior reads it (on the
            canvas it is not measured, and is ``join``).
    """

    left: Any
    right: Any
    join: float
    crossed: float


@dataclass
class Prepared:
    """A picture made ready for the classifier, read whole and digit by digit.

    Attributes:
        whole: the picture read as one digit (all the kept ink), or None when blank.
        digits: each digit found by :func:`digits.reading.segment.find_digits`, left to right.
        ink: the extracted ink (see :class:`digits.reading.ink.Ink`).
        merges: hypotheses: ``i`` -> ``digits[i]`` and ``digits[i + 1]`` normalised as one digit
            (see :func:`digits.reading.segment.merge_candidates`), for the network to accept or not.
        splits: hypotheses: ``i`` -> ``digits[i]`` cut in two touching digits, one or more ways
            (a list of :class:`Cut`: the straight cut of
            :func:`digits.reading.segment.split_candidates`, then the path of
            :func:`digits.reading.segment.cut_in_two` where it cuts other halves).
        extended: hypotheses, canvas only: ``i`` -> ``digits[i]``, which touches the canvas's edge,
            normalised as if it ran on past that edge (see :data:`EDGE_EXTEND`), where that
            changes its scale (:func:`_run_off`).
        shape: (height, width) of the input picture in pixels, the frame of every ``Digit.box``.
        texture: why nothing was read although there is ink (too many separate marks, see
            :class:`digits.reading.segment.TextureError`), one line; None otherwise.
        underlined: hypotheses, uploads only: ``i`` -> ``digits[i]`` with the bar set aside under
            it (``Group.under``: an underline, or the base of a 2 broken off), joined to it.
        source: where the picture came from, "upload" or "canvas" (see :func:`prepare`).
        closed: hypotheses: ``i`` -> ``digits[i]`` with a gap cut across one of its strokes closed
            (:func:`digits.reading.segment.close_gap`: a loop cut open), where it has one.
    """

    whole: Digit | None
    digits: list[Digit]
    ink: Ink
    merges: dict[int, Digit] = field(default_factory=dict)
    splits: dict[int, list[Cut]] = field(default_factory=dict)
    extended: dict[int, Digit] = field(default_factory=dict)
    shape: tuple[int, int] = (0, 0)
    texture: str | None = None
    underlined: dict[int, Digit] = field(default_factory=dict)
    source: str = "upload"
    closed: dict[int, Digit] = field(default_factory=dict)

    @property
    def blank(self) -> bool:
        return self.whole is None


def _to_input_box(box: tuple[int, int, int, int], scale: float, shape_in: tuple[int, int]) -> tuple[int, ...]:
    x0, y0, x1, y1 = box
    h, w = shape_in
    return (
        int(np.floor(x0 * scale)),
        int(np.floor(y0 * scale)),
        min(w, int(np.ceil(x1 * scale))),
        min(h, int(np.ceil(y1 * scale))),
    )


def _input_shape(img: Image.Image | np.ndarray) -> tuple[int, int]:
    """(height, width) of the picture as the file holds it (see :func:`digits.reading.decode.full_size`)."""
    return full_size(img)[::-1] if isinstance(img, Image.Image) else tuple(np.asarray(img).shape[:2])


def _display_input(img: Image.Image | np.ndarray) -> np.ndarray:
    if isinstance(img, Image.Image):
        # Opaque pictures are made small first (the same pixels, a third of the time for a photo);
        # others gain their alpha first, so that a palette's transparency is resampled with it.
        thumb = img.copy() if img.mode in ("RGB", "L") else img.convert("RGBA")
        thumb.thumbnail((DISPLAY_SIZE, DISPLAY_SIZE))
        return np.asarray(thumb.convert("RGBA"))
    return np.asarray(img)


def _crossed(share: float, rows: int, width: float, height: int) -> float:
    """How much of a piece's height a cut runs through its ink (:attr:`Cut.crossed`), counted on the
    strokes as the network will see them: strokes thinner than the normalisation leaves as they are
    (below ``STROKE_RANGE[0]`` x ``MNIST_STROKE_FRACTION`` of the height, see
    :mod:`digits.reading.normalize`) are re-drawn at MNIST's width, so each one crossed counts at
    least ``MNIST_STROKE_FRACTION`` of the height (a 1-px pencil line, crossed in a row or two, is
    still a stroke cut through).

    Args:
        share: in [0, 1], the straight cut's ``join``, or for a path the share of the piece's rows
            in which it is in ink.
        rows: the number of rows in which the cut is in ink.
        width: the piece's stroke width in px (:func:`digits.reading.segment.ridge_width`).
        height: the piece's height in px.

    Returns:
        >= 0, about 0.05-0.15 where two digits touch, 0.2 and more through one digit's strokes.
    """
    if rows and width < STROKE_RANGE[0] * MNIST_STROKE_FRACTION * height:
        return max(share, rows / width * MNIST_STROKE_FRACTION)
    return share


def _digit_from(
    ink: Ink, keep: np.ndarray, shape_in: tuple[int, int], steps: dict, beyond: tuple[float, ...] = NOTHING_BEYOND
) -> Digit:
    """Normalise the ink under ``keep`` (bool mask): soft edges within 2 px of it survive. ``beyond``:
    blank kept beyond its top, bottom, left and right, as fractions of its height (see
    :func:`digits.reading.normalize.normalize_digit` and :func:`_run_off`)."""
    return _digits_from(ink, keep, shape_in, steps, (beyond,))[0]


def _digits_from(
    ink: Ink, keep: np.ndarray, shape_in: tuple[int, int], steps: dict, beyonds: Sequence[tuple[float, ...]]
) -> list[Digit]:
    """:func:`_digit_from` for each of ``beyonds``, cropped and stroke-normalised once."""
    x0, y0, x1, y1 = bounding_box(keep)
    # Dilated within its box and 2 px around it (the same pixels as dilating the whole picture).
    h, w = keep.shape
    bx0, by0, bx1, by1 = max(0, x0 - 2), max(0, y0 - 2), min(w, x1 + 2), min(h, y1 + 2)
    near = ndimage.binary_dilation(keep[by0:by1, bx0:bx1], iterations=2)[y0 - by0 : y1 - by0, x0 - bx0 : x1 - bx0]
    crop, mask = np.where(near, ink.ink[y0:y1, x0:x1], 0.0).astype(np.float32), keep[y0:y1, x0:x1]
    box = _to_input_box((x0, y0, x1, y1), ink.scale, shape_in)
    return [Digit(image, box, steps | norm_steps) for image, norm_steps in normalize_digit_each(crop, mask, beyonds)]


def _run_off(keep: np.ndarray, extend: float = EDGE_EXTEND) -> tuple[float, float, float, float] | None:
    """How the ink under ``keep`` ((H, W) bool, not empty) may run off the picture: ``extend`` beyond
    each side of the picture it reaches (top, bottom, left, right), or None when it reaches none, or
    when that blank would not lengthen its longer side (a wide digit cut at its top or bottom, a tall
    one at its left or right): then the 20x20 fit, and so the network's input, would not change."""
    x0, y0, x1, y1 = bounding_box(keep)
    beyond = tuple(extend * side for side in (y0 == 0, y1 == keep.shape[0], x0 == 0, x1 == keep.shape[1]))
    h, w = y1 - y0, x1 - x0
    if max(h * (1 + beyond[0] + beyond[1]), w + h * (beyond[2] + beyond[3])) <= max(h, w):
        return None
    return beyond


def _heal(ink: Ink, keep: np.ndarray) -> tuple[Ink, np.ndarray]:
    """Join a digit's pieces: each piece of at least :data:`HEAL_AREA` of the largest one's area,
    largest first, is joined to those before it by :func:`digits.reading.segment.bridge` (a stroke
    broken across, a 4 whose stem stands apart).

    Args:
        ink: the picture's ink (working resolution).
        keep: (H, W) bool, the digit's ink pixels (not empty).

    Returns:
        ``(ink, keep)`` with the joints drawn in as full-strength ink (new arrays); the same objects
        when the digit is one piece, more than :data:`HEAL_PIECES` pieces, or no gap is bridged.
    """
    x0, y0, x1, y1 = bounding_box(keep)
    labels, n = ndimage.label(keep[y0:y1, x0:x1], structure=np.ones((3, 3), int))
    if n < 2:
        return ink, keep
    sizes = np.bincount(labels.ravel())[1:]
    big = [k + 1 for k in np.argsort(sizes)[::-1] if sizes[k] >= HEAL_AREA * sizes.max()]
    if len(big) > HEAL_PIECES:  # dots or dashes, not a stroke broken across: left as they are
        return ink, keep
    joined, joints = labels == big[0], np.zeros(labels.shape, bool)
    for k in big[1:]:
        piece = labels == k
        joint = bridge(joined, piece)
        joined |= piece | joint
        joints |= joint
    if not joints.any():
        return ink, keep
    whole = np.zeros(keep.shape, bool)
    whole[y0:y1, x0:x1] = joints
    return _joined(ink, keep, whole)


def _joined(ink: Ink, keep: np.ndarray, joints: np.ndarray) -> tuple[Ink, np.ndarray]:
    """``(ink, keep)`` with ``joints`` ((H, W) bool) drawn in as full-strength ink (new arrays)."""
    strokes, mask = ink.ink.copy(), ink.mask | joints
    strokes[joints] = 1.0
    return Ink(strokes, mask, ink.scale), keep | joints


def _healed(ink: Ink, keep: np.ndarray, shape_in: tuple[int, int]) -> Digit:
    """One digit (``keep``, (H, W) bool, not empty), its pieces joined (:func:`_heal`), normalised by
    :func:`_digit_from`; ``shape_in`` is the input picture's (height, width), for its box."""
    return _digit_from(*_heal(ink, keep), shape_in, {})


def prepare(img: Image.Image | np.ndarray, work_size: int = WORK_SIZE, source: str = "upload") -> Prepared:
    """Extract the ink, segment it into digits, and normalise the whole and each digit like MNIST.

    Args:
        img: a PIL image (e.g. from :func:`digits.reading.decode.load_image`) or an array accepted
            by :func:`digits.reading.ink.to_grayscale`: (H, W), (H, W, 3) or (H, W, 4), uint8 in
            [0, 255] or float in [0, 1].
        work_size: see :func:`digits.reading.ink.extract_ink`.
        source: "upload" (a photo, a scan, a file) or "canvas" (the app's drawing canvas, where no
            paper edge or frame can be); see :func:`digits.reading.segment.find_digits`.

    Returns:
        :class:`Prepared`, blank (with its ``texture`` said) when the ink is in too many separate
        marks to be digits. With one digit found, ``whole`` is that digit (its pieces joined, see
        :func:`_heal`), sharing its image. The whole picture's ``steps`` are "input", "grayscale" (light ink on
        dark, after the polarity decision), "crop", "box20" and "centred"; each digit's are
        "crop", "box20" and "centred".

    Raises:
        ValueError: unknown ``source``.
    """
    canvas = source == "canvas"
    ink = extract_ink(img, work_size, paper=not canvas)
    shape_in = _input_shape(img)
    try:
        labels, groups = find_digits(ink.mask, source, run_on=EDGE_EXTEND if canvas else 0.0)
    except TextureError as e:
        return Prepared(None, [], ink, shape=shape_in, texture=str(e), source=source)
    if not groups:
        return Prepared(None, [], ink, shape=shape_in, source=source)
    masks = [group_mask(labels, [g]) for g in groups]
    healed = [_heal(ink, m) for m in masks]
    # Each digit as it is; on the canvas, one that runs off its edge also as running on past it (its
    # stroke width set once for both readings); and one with a stroke cut across, still in one piece
    # (a loop cut open), also closed.
    run_off = {i: _run_off(m) for i, m in enumerate(masks)} if canvas else {}
    digits, extended, closed = [], {}, {}
    for i, (h_ink, h_keep) in enumerate(healed):
        beyond = run_off.get(i)
        read = _digits_from(h_ink, h_keep, shape_in, {}, (NOTHING_BEYOND, beyond) if beyond else (NOTHING_BEYOND,))
        digits.append(read[0])
        if beyond:
            extended[i] = read[1]
        joint = close_gap(h_keep)
        if joint is not None:
            closed[i] = _digit_from(*_joined(h_ink, h_keep, joint), shape_in, {})
    steps = {"input": _display_input(img), "grayscale": ink.ink}
    if len(digits) == 1:
        # One digit: the whole picture is that digit, joined across its gaps, normalised once (the
        # same image object, so that the network reads it once too).
        whole = Digit(digits[0].image, digits[0].box, steps | digits[0].steps)
    else:
        whole = _digit_from(ink, group_mask(labels, groups), shape_in, steps)
    merges = {
        i: _healed(ink, masks[i] | masks[i + 1], shape_in)
        for i in merge_candidates(groups, CANVAS_MERGE_ASPECT if canvas else MERGE_ASPECT)
    }
    splits = {}
    if canvas:
        cuts = split_candidates(
            labels, groups, aspect=CANVAS_NARROW_SPLIT_ASPECT, most_join=CANVAS_NARROW_SPLIT_JOIN, run_on=EDGE_EXTEND
        ) | split_candidates(labels, groups, aspect=CANVAS_SPLIT_ASPECT, most_join=CANVAS_SPLIT_JOIN)
    else:
        cuts = split_candidates(labels, groups, aspect=SPLIT_ASPECT)
    for i, (cut, join) in cuts.items():
        # The straight cut in the middle third and the cut along the cheapest path
        # (segment.cut_in_two): the network's readings settle which (recognize.choose_reading). Where
        # the path cuts the same halves (about one piece in ten), they are normalised and read once.
        straight_left, straight_right = masks[i].copy(), masks[i].copy()
        straight_left[:, cut:], straight_right[:, :cut] = False, False
        *path, route = cut_in_two(masks[i], groups[i].box)
        # Where each cut runs through ink: the span of the path's rows in ink (its join, as the
        # straight cut's), and for the uploads' split prior their share of the piece's height (the
        # canvas reads join only; the stroke width would cost it a distance transform a piece).
        x0, y0, x1, y1 = groups[i].box
        height, piece = y1 - y0, masks[i][y0:y1, x0:x1]
        inked = np.unique(route[piece[route[:, 0], route[:, 1]], 0])
        span = float(inked[-1] - inked[0] + 1) / height if inked.size else 0.0
        if canvas:
            crossed = (join, span)
        else:
            width = ridge_width(ndimage.distance_transform_edt(piece))
            crossed = (
                _crossed(join, int(piece[:, cut - x0].sum()), width, height),
                _crossed(inked.size / height, inked.size, width, height),
            )
        straight = (straight_left, straight_right, join, crossed[0])
        same = all(np.array_equal(a, b) for a, b in zip(straight[:2], path, strict=True))
        pairs = [straight] if same else [straight, (*path, span, crossed[1])]
        found = [
            Cut(_digit_from(ink, left, shape_in, {}), _digit_from(ink, right, shape_in, {}), spanned, through)
            for left, right, spanned, through in pairs
            if left.any() and right.any()
        ]
        if found:
            splits[i] = found
    underlined = {
        i: _healed(ink, masks[i] | np.isin(labels, g.under), shape_in) for i, g in enumerate(groups) if g.under
    }
    return Prepared(
        whole, digits, ink, merges, splits, extended, shape_in, underlined=underlined, source=source, closed=closed
    )


def preprocess(img: Image.Image | np.ndarray, work_size: int = WORK_SIZE) -> Digit | None:
    """Read a whole picture as one digit, normalised the way MNIST was.

    Returns:
        The ``whole`` :class:`Digit` of :func:`prepare`, or None when there is nothing to read
        (blank canvas, empty or uniform image).
    """
    return prepare(img, work_size).whole


def prepare_batch(pictures: np.ndarray | Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Run each picture through :func:`preprocess`, as an upload would be.

    Args:
        pictures: (N, H, W) or (N, H, W, 3) uint8, or a sequence of such pictures.

    Returns:
        ``(images, kept)``: (M, 28, 28) float32 in [0, 1], the network inputs of the pictures
        that were not blank, and (N,) bool marking which pictures those were (M = kept.sum()).
        A blank picture is one the app answers with "nothing to read" before any classifier.
    """
    images, kept = [], []
    for pic in pictures:
        digit = preprocess(np.asarray(pic))
        kept.append(digit is not None)
        if digit is not None:
            images.append(digit.image)
    x = np.stack(images).astype(np.float32) if images else np.zeros((0, SIZE, SIZE), np.float32)
    return x, np.array(kept, dtype=bool)
