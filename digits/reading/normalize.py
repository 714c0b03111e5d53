"""Normalise one digit the way MNIST was made: stroke width, a 20x20 box, centre of mass in 28x28.

MNIST's own recipe (LeCun, Bottou, Bengio & Haffner 1998, "Gradient-based learning applied to
document recognition", and http://yann.lecun.com/exdb/mnist/): "The original black and white
(bilevel) images from NIST were size normalized to fit in a 20x20 pixel box while preserving
their aspect ratio. The resulting images contain grey levels as a result of the anti-aliasing
technique used by the normalization algorithm. The images were centered in a 28x28 image by
computing the center of mass of the pixels, and translating the image so as to position this
point at the center of the 28x28 field."

The fourth stage of the reading pipeline, for one digit cropped to its ink:

1. **Stroke width** (:func:`normalize_stroke`): MNIST strokes are about a seventh of the digit's
   height. A drawing whose strokes are far thinner is re-drawn along its skeleton (Zhang & Suen
   1984, via ``skimage.morphology.skeletonize``) at that width; far thicker ink is eroded to that
   width, so that a loop closed up with ink stays a blob rather than becoming a line.
2. **Scale** (:func:`fit_box`) to fit a 20x20 box, aspect ratio kept, with anti-aliasing
   (``skimage.transform.resize``).
3. **Centre** (:func:`center_by_mass`): placed in 28x28 so that its centre of mass
   (``scipy.ndimage.center_of_mass``) is at (14, 14), 0-indexed (row, col), by a whole-pixel
   translation as in MNIST (real MNIST test digits measure (13.99, 14.01) with a spread of 0.29 px,
   the spread of rounding).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import ndimage
from skimage import measure, morphology, transform

from digits.reading.boxes import bounding_box, crop_to_ink

#: Side of the box a digit is scaled into, and of the final image (MNIST's numbers).
BOX = 20
SIZE = 28
#: Stroke width as a fraction of the digit's height (longer side): the median on MNIST training
#: digits (1st-99th percentiles 0.10-0.22), measured with :func:`stroke_width`.
MNIST_STROKE_FRACTION = 0.14
#: Strokes narrower or wider than these multiples of the MNIST width are re-drawn.
STROKE_RANGE = (0.45, 1.6)
#: A digit's crop is brought down to at most this many pixels on its longer side (see :func:`shrink`)
#: before its strokes are measured and re-drawn: six times the 20 px box it ends in, so that the
#: skeleton, the distance transforms and the final fit cost about the same for a digit 60 px tall and
#: one 400 px tall (on the canvas they were half a reading's time). Chosen on the validation-built
#: tables with the committed network: at 80, 7 of 1,650 "as people make them" pictures fewer were
#: read right; at 120, 3 fewer; the first table's single digits and strings read the same.
STROKE_WORK = 120
#: Ink wider than this fraction of its extent is a solid shape, not a stroke: it is left as it is
#: (re-drawing its skeleton would turn a blob, a shirt or a cat into a line drawing, and hide from
#: the detector that it is not a digit). 99.9% of MNIST training digits measure 0.30 or less.
SOLID_FRACTION = 0.32
#: A hole in the ink is the body of a hollow (outline) glyph, to be filled, when it is a long thin
#: strip, its area at least this many times the square of its width (twice its largest inscribed
#: radius; a round counter, such as the hole of a 6 or a 0, measures 1-2, a hollow glyph's body 8 or
#: more), and the ink around it is a thin contour: strokes at most :data:`HOLLOW_STROKE` of the
#: digit's longer side (outlines are drawn 0.04-0.08 of the height wide; MNIST's pen is 0.14, so
#: the narrow loop of a handwritten 0 or 8 stays open).
HOLLOW_ELONGATION = 4.0
HOLLOW_STROKE = 0.1


def stroke_width(mask: np.ndarray, skeleton: np.ndarray | None = None) -> float:
    """Median stroke width of a binary drawing, in pixels (twice the distance from the skeleton
    to the edge; Blum's medial axis). 0 for an empty mask.

    Args:
        mask: (h, w) bool, the ink.
        skeleton: (h, w) bool, ``skimage.morphology.skeletonize(mask)`` when the caller has it.
    """
    if not mask.any():
        return 0.0
    if skeleton is None:
        skeleton = morphology.skeletonize(mask)
    dist = ndimage.distance_transform_edt(mask)
    values = dist[skeleton]
    return float(2.0 * np.median(values)) if values.size else 0.0


def normalize_stroke(ink: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Re-draw a cropped digit at MNIST's relative stroke width when its strokes are far off.

    Args:
        ink: (h, w) float32 in [0, 1], cropped light-on-dark ink.
        mask: (h, w) bool, its ink pixels.

    Returns:
        (h', w') float32 in [0, 1]: ``ink`` unchanged when its stroke width is within
        :data:`STROKE_RANGE` times the MNIST width (:data:`MNIST_STROKE_FRACTION` of the longer
        side) or when it is a solid shape (wider than :data:`SOLID_FRACTION`); strokes too thin
        re-drawn along their skeleton at the MNIST width; strokes too thick eroded to that width
        (distance transform), so that a loop closed up with ink keeps its mass and outline instead
        of becoming a line (``ink`` unchanged when no pixel is that thick). Cropped to the new ink.
    """
    h, w = mask.shape
    skeleton = morphology.skeletonize(mask)  # once: for the width, and to re-draw along
    width = stroke_width(mask, skeleton)
    if width <= 0 or max(h, w) < 8:
        return ink
    lo, hi = STROKE_RANGE
    ratio = width / max(h, w)
    if lo * MNIST_STROKE_FRACTION <= ratio <= hi * MNIST_STROKE_FRACTION or ratio > SOLID_FRACTION:
        return ink
    x0, y0, x1, y1 = bounding_box(skeleton)
    extent = max(y1 - y0, x1 - x0)
    # Width w around a skeleton of extent e gives a digit of height e + w; w = f * (e + w).
    target = MNIST_STROKE_FRACTION * extent / (1.0 - MNIST_STROKE_FRACTION)
    pad = int(np.ceil(target / 2)) + 1
    if ratio > hi * MNIST_STROKE_FRACTION:
        # Too thick: eroded to the target width (1 px anti-aliased edge), in the ink's own frame.
        # The skeleton would turn a loop closed up with ink (a bold 6 or 9) into a line; drawn over
        # the eroded ink, its spurs into every corner squared off a filled loop, and cut to the
        # skeleton's box, the eroded ink lost the top of such a loop (a 9 read as 7).
        inside = ndimage.distance_transform_edt(np.pad(mask, pad))
        redrawn = np.clip(inside - (width - target) / 2 + 0.5, 0.0, 1.0).astype(np.float32)
        if not redrawn.any():  # nothing is thicker than the erosion (a row of dots): left as it is
            return ink
    else:
        # A soft-edged disc of the target width around the skeleton (1 px anti-aliased edge).
        dist = ndimage.distance_transform_edt(~np.pad(skeleton, pad))
        redrawn = np.clip(target / 2 + 0.5 - dist, 0.0, 1.0).astype(np.float32)
    return crop_to_ink(redrawn)


def fill_hollow(ink: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fill the body of a hollow (outline) glyph, so that it is read as the solid digit it outlines.

    An outline digit is two thin contours around the glyph's body; left as they are, re-drawing
    them at MNIST's stroke width (:func:`normalize_stroke`) merges them into a blob that also closes
    the glyph's counters. Each hole of the mask (``scipy.ndimage.binary_fill_holes``) that is a long
    thin strip (:data:`HOLLOW_ELONGATION`) is filled with the ink's level (its 95th percentile);
    round holes, the counters of 0, 6, 8 and 9, stay open. Ink drawn with a pen wider than
    :data:`HOLLOW_STROKE` of its extent is left as it is (its stroke width, a skeleton, is measured
    only when some hole is long and thin).

    Args:
        ink: (h, w) float32 in [0, 1], cropped light-on-dark ink.
        mask: (h, w) bool, its ink pixels.

    Returns:
        ``(ink, mask)``: the same arrays when no hole is filled, else filled copies.
    """
    holes = ndimage.binary_fill_holes(mask) & ~mask
    labels, n = ndimage.label(holes)
    if n == 0:
        return ink, mask
    inside = ndimage.distance_transform_edt(holes)
    radius = ndimage.maximum(inside, labels, np.arange(1, n + 1))
    area = ndimage.sum_labels(holes, labels, np.arange(1, n + 1))
    width = 2.0 * np.asarray(radius)
    fill = np.asarray(area) >= HOLLOW_ELONGATION * width**2
    if not fill.any() or stroke_width(mask) > HOLLOW_STROKE * max(mask.shape):
        return ink, mask
    body = np.isin(labels, np.flatnonzero(fill) + 1)
    ink = np.where(body, np.float32(np.percentile(ink[mask], 95)), ink).astype(np.float32)
    return ink, mask | body


def fit_box(ink: np.ndarray, box: int = BOX) -> np.ndarray:
    """Scale a cropped digit to fit a ``box`` x ``box`` square, aspect ratio kept, anti-aliased.

    Args:
        ink: (h, w) float32 in [0, 1], light ink on dark, cropped to its bounding box.

    Returns:
        (h', w') float32 in [0, 1] with max(h', w') == ``box`` and the ink's peak at 1.
    """
    h, w = ink.shape
    s = box / max(h, w)
    size = (max(1, round(h * s)), max(1, round(w * s)))
    out = transform.resize(ink, size, order=1, anti_aliasing=s < 1, preserve_range=True)
    peak = out.max()
    return (out / peak if peak > 0 else out).astype(np.float32)


def center_by_mass(digit: np.ndarray, size: int = SIZE) -> np.ndarray:
    """Place a digit in a ``size`` x ``size`` field with its centre of mass at the centre.

    The translation is a whole number of pixels, as in MNIST, so the centre of mass lands within
    half a pixel of (size/2, size/2) = (14, 14) (0-indexed row, col, as
    ``scipy.ndimage.center_of_mass`` reports it). Ink pushed past the edge is cut, as in MNIST.

    Args:
        digit: (h, w) float32, h and w <= ``size``, not all zero.

    Returns:
        (size, size) float32.
    """
    h, w = digit.shape
    cy, cx = ndimage.center_of_mass(digit)
    top, left = round(size / 2 - cy), round(size / 2 - cx)
    out = np.zeros((size, size), dtype=np.float32)
    y0, x0 = max(top, 0), max(left, 0)
    y1, x1 = min(top + h, size), min(left + w, size)
    out[y0:y1, x0:x1] = digit[y0 - top : y1 - top, x0 - left : x1 - left]
    return out


def shrink(ink: np.ndarray, mask: np.ndarray, size: int = STROKE_WORK) -> tuple[np.ndarray, np.ndarray]:
    """A cropped digit brought down to at most ``size`` pixels on its longer side.

    Reduced by a whole factor ``k`` (the smallest that fits) in blocks of k x k pixels
    (``skimage.measure.block_reduce``): the ink by their mean (a box filter, anti-aliased; a
    partial block at the right or bottom edge by the mean of the pixels it has), the mask
    by their maximum, so that a pen line thinner than a block stays a connected line (by the mean,
    a 2 px line on a 400 px digit would fall apart).

    Args:
        ink: (h, w) float32 in [0, 1], light ink on dark.
        mask: (h, w) bool, its ink pixels.
        size: the longest side wanted, px.

    Returns:
        ``(ink, mask)``: unchanged when they are no bigger than ``size``; else (ceil(h / k),
        ceil(w / k)) float32 and bool.
    """
    k = -(-max(mask.shape) // size)  # ceil
    if k <= 1:
        return ink, mask
    # The mean of each block over its own pixels: block_reduce pads a partial block at the right and
    # bottom edges with zeros, which would dim the crop's last row and column.
    # (The pixels per block: k x k, fewer in the last row and column of blocks.)
    rows, cols = (np.minimum(k, n - k * np.arange(-(-n // k))) for n in ink.shape)
    count = np.outer(rows, cols).astype(np.float32)
    small = (measure.block_reduce(ink, (k, k), np.sum) / count).astype(np.float32)
    return small, measure.block_reduce(mask, (k, k), np.max).astype(bool)


#: No blank beyond any side of a digit (see :func:`normalize_digit`): the digit read as it is.
NOTHING_BEYOND = (0.0, 0.0, 0.0, 0.0)


def normalize_digit(
    ink: np.ndarray, mask: np.ndarray, beyond: tuple[float, float, float, float] = NOTHING_BEYOND
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """MNIST normalisation of one cropped digit: stroke width, 20x20 fit, centre of mass.

    Args:
        ink: (h, w) float32 in [0, 1], light ink on dark, cropped to the digit's bounding box.
        mask: (h, w) bool, the digit's ink pixels.
        beyond: blank kept beyond each side (top, bottom, left, right) of the digit, as a fraction
            (>= 0) of its height after stroke normalisation: a digit that runs off the picture on
            that side is scaled as the part in view of a larger digit
            (:data:`digits.reading.prepare.EDGE_EXTEND`). Added after the stroke width is set (which
            is measured on the digit's own size), before the 20x20 fit; the centre of mass ignores
            blank, so only the scale can change.

    Returns:
        ``(image, steps)``: the (28, 28) float32 network input, and the intermediate pictures
        "crop" (``ink``), "box20" (blank beyond included) and "centred".
    """
    return normalize_digit_each(ink, mask, (beyond,))[0]


def normalize_digit_each(
    ink: np.ndarray, mask: np.ndarray, beyonds: Sequence[tuple[float, float, float, float]]
) -> list[tuple[np.ndarray, dict[str, np.ndarray]]]:
    """:func:`normalize_digit` of one digit for each blank ``beyond`` in ``beyonds``, its stroke
    width set once (most of the work: a digit at a canvas's edge is read both as it is and as
    running on past the edge).

    Returns:
        One ``(image, steps)`` per ``beyond``, in order, each as :func:`normalize_digit` gives it.
    """
    small, small_mask = fill_hollow(*shrink(ink, mask, STROKE_WORK))
    stroked = normalize_stroke(small, small_mask)
    out = []
    for beyond in beyonds:
        padded = stroked
        if any(beyond):
            top, bottom, left, right = (round(f * stroked.shape[0]) for f in beyond)
            padded = np.pad(stroked, ((top, bottom), (left, right)))
        box20 = fit_box(padded)
        centred = center_by_mass(box20)
        out.append((centred, {"crop": ink, "box20": box20, "centred": centred}))
    return out
