"""A seeded, labelled robustness set: real MNIST digits rendered the way users upload them.

MNIST digits are 20x20 light-on-dark boxes centred by mass in 28x28; what reaches the app is a
280x280 canvas drawing, a photo of a page, a small digit in the corner of a big image, an
inverted or transparent PNG, coloured ink on coloured paper, a tilted digit, or several digits in
a row. This module renders real MNIST digits (from the validation split for tuning, from the test
set for reported figures, see :func:`source_split`) in each of those ways, with known labels and
digit boxes, so that the whole recognition pipeline can be measured on them.

Every digit is cropped to its bounding box (pixels of at least :data:`CROP_LEVEL` of the peak,
plus 1 px of context so strokes taper off) and scaled with its aspect ratio kept, to the exact
height asked for (:func:`render_digit`: bicubic, then a smoothstep on the ink level so that
upscaled strokes get crisp, pen-like edges). Ink below :data:`INK_FLOOR` and faint interpolation
ripples are zeroed, so every recorded box is exactly the box of the pixels that differ from the
background in the uint8 image (before noise, blur and JPEG in the "photo" variant). Stray marks
that are part of an MNIST image (some have them) are part of its digit and its box.

Variants (:data:`VARIANTS` single digits, and "strings"), with the image each gives:

==============  ===========================================================================
canvas          (280, 280, 4) RGBA, opaque: like ``st_canvas(...).image_data``: black on
                white, digit 150-230 px tall (at most ~255 wide), re-drawn along its skeleton (Zhang & Suen via
                ``skimage.morphology.skeletonize``) with a disc of a random width in [15, 30]
                px, 1 px anti-aliased edge plus a Gaussian blur of 0.5 px.
corner          (300, 400) grey: dark ink (0-60), digit 40-80 px tall anywhere on white.
photo           (H, W, 3) RGB, H and W in [200, 320]: dark pen ink on off-white paper, a
                linear lighting gradient dimming by 30-60% across the image in a random
                direction, Gaussian noise sigma 8/255, Gaussian blur sigma 1 px, JPEG quality 60
                (encoded and decoded with Pillow).
inverted        (300, 300, 3) RGB: light ink (225-255) on black (0-30), digit 60-150 px tall,
                its box centre at least 20 px from the image centre.
transparent     (280, 280, 4) RGBA: RGB black everywhere, alpha = ink coverage, digit
                120-220 px tall with a margin of at least 8 px (alpha 0 at the border).
colour          (H, W, 3) RGB, H and W in [200, 320]: coloured ink on coloured paper, random
                hues, BT.601 luminance contrast |Y_paper - Y_ink| in [0.30, 0.60] (measured on
                the uint8 colours), either polarity.
rotated         (200, 200) grey: dark on white, digit 100-150 px tall before a rotation by a
                uniform angle in [-15, +15] degrees (positive = counter-clockwise).
strings         (H, W) grey: 2-6 digits left to right on white, dark ink, base height 40-70 px
                with +-8% height and +-3 px baseline jitter per digit, 2-12 px between boxes,
                never touching (checked after placement with a 1 px dilation).
==============  ===========================================================================

Reproducibility: :func:`build_set` gives each variant its own generator, derived from the seed
and the variant's name (``SeedSequence(seed, spawn_key=(crc32(name),))``), so the number of
samples of one variant never changes another, and within a variant sample ``i`` is the same for
any ``n > i`` (strings: within each length). :func:`iter_variant` and :func:`iter_strings` yield
the same samples one at a time: the full default set holds about 1.5 GB of pixels.

No TensorFlow, no Streamlit: numpy, scipy, scikit-image and Pillow only.
"""

from __future__ import annotations

import io
import os
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage
from skimage import morphology, transform

from digits.datasets.mnist import load_mnist, train_val_split
from digits.reading.boxes import bounding_box, crop_to_ink

#: The single-digit variants, in the order :func:`build_set` builds them.
VARIANTS = ("canvas", "corner", "photo", "inverted", "transparent", "colour", "rotated")
#: The multi-digit variant.
STRINGS = "strings"
#: Everything :func:`build_set` returns, in order.
ALL_VARIANTS = (*VARIANTS, STRINGS)

#: Source ink (fraction of the digit's peak) below this is not part of the digit: it sets the crop
#: box, and it is where the rendered ink starts.
CROP_LEVEL = 0.2
#: Ink (coverage in [0, 1]) below this is set to 0, so that every pixel of ink is visible in uint8.
INK_FLOOR = 0.02
#: Canvas variant: stroke widths drawn, px (the issue's range), and the canvas side (as in app.py).
CANVAS_STROKE = (15.0, 30.0)
CANVAS_SIZE = 280
#: Canvas variant: smoothing (in MNIST pixels; 1.0 closed the small loops of 8s and 9s on the
#: validation split) and threshold of the digit before it is skeletonised.
SKELETON_SMOOTHING = 0.4
SKELETON_THRESHOLD = 0.35
#: Corner variant: digit height range, px, and the image (width, height).
CORNER_HEIGHT = (40, 80)
CORNER_SIZE = (400, 300)
#: Photo variant: lighting change across the image, noise sigma (on [0, 1]), blur sigma (px),
#: JPEG quality, and image side range (px).
PHOTO_GRADIENT = (0.30, 0.60)
PHOTO_NOISE = 8 / 255
PHOTO_BLUR = 1.0
PHOTO_JPEG_QUALITY = 60
PHOTO_SIZE = (200, 320)
#: Inverted variant: digit height range, image side, least distance of the box centre from the
#: image centre (px).
INVERTED_HEIGHT = (60, 150)
INVERTED_SIZE = 300
INVERTED_OFF_CENTRE = 20
#: Transparent variant: image side, digit height range, least margin (px).
TRANSPARENT_SIZE = 280
TRANSPARENT_HEIGHT = (120, 220)
TRANSPARENT_MARGIN = 8
#: Colour variant: luminance contrast range (BT.601 Y on [0, 1]) and image side range.
COLOUR_CONTRAST = (0.30, 0.60)
COLOUR_SIZE = (200, 320)
#: Rotated variant: angle range (degrees), image side, digit height before rotation.
ROTATED_ANGLE = (-15.0, 15.0)
ROTATED_SIZE = 200
ROTATED_HEIGHT = (100, 150)
#: Strings variant: digits per string, gap between boxes (px, inclusive), base digit height,
#: relative height jitter, baseline jitter (px), margin around the row (px).
STRING_LENGTHS = range(2, 7)
STRING_GAP = (2, 12)
STRING_HEIGHT = (40, 70)
STRING_HEIGHT_JITTER = 0.08
STRING_BASELINE_JITTER = 3
STRING_MARGIN = (10, 30)

_LUMA = np.array([0.299, 0.587, 0.114])


@dataclass
class Sample:
    """One rendered picture and what it shows.

    Attributes:
        image: what a user would upload: (H, W) uint8 grey, (H, W, 3) uint8 RGB or (H, W, 4)
            uint8 RGBA (see the module docstring for each variant's).
        label: the digit(s) shown, left to right, e.g. "7" or "504192".
        variant: the variant's name, one of :data:`ALL_VARIANTS`.
        boxes: (x0, y0, x1, y1) of each digit's ink in image pixels, x1 and y1 exclusive (as
            ``digits.reading.prepare.Digit.box``), left to right. For "photo" the box of the ink before
            noise, blur and JPEG (the blur spreads it by 2-3 px).
        source: index of each digit's MNIST image in the ``images`` the set was built from.
        params: the random settings used (e.g. "height", "angle", "stroke_width", "contrast").
    """

    image: np.ndarray
    label: str
    variant: str
    boxes: list[tuple[int, int, int, int]]
    source: tuple[int, ...] = ()
    params: dict = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# Digits


def crop_digit(digit: np.ndarray) -> np.ndarray:
    """Crop an MNIST digit to its bounding box, with 1 px of context around it.

    The box holds the pixels of at least :data:`CROP_LEVEL` of the peak ink (fainter ones vanish
    in :func:`render_digit` anyway); the 1 px of context (zero beyond the image) lets a stroke
    taper off at the box's edge instead of ending in a straight cut.

    Args:
        digit: (28, 28) uint8, ink = 255 (or any 2-D array with ink high).

    Returns:
        (h + 2, w + 2) float32 in [0, 1], light ink on dark, peak 1.

    Raises:
        ValueError: the digit is blank.
    """
    ink = np.asarray(digit, dtype=np.float32)
    peak = float(ink.max())
    if peak <= 0:
        raise ValueError("blank digit")
    ink = np.pad(ink / peak, 1)
    x0, y0, x1, y1 = bounding_box(ink >= CROP_LEVEL)
    return ink[y0 - 1 : y1 + 1, x0 - 1 : x1 + 1]


def _scale_to(shape: tuple[int, int], height: float, max_width: float | None = None) -> float:
    """The scale that makes ``shape`` ``height`` tall, or ``max_width`` wide if that is smaller."""
    h, w = shape
    s = height / h
    return min(s, max_width / w) if max_width is not None else s


def _fit_size(shape: tuple[int, int], height: float, max_width: float | None = None) -> tuple[int, int]:
    """(h, w) for scaling ``shape`` to ``height`` with its aspect ratio, narrowed to ``max_width``."""
    s = _scale_to(shape, height, max_width)
    return max(1, round(shape[0] * s)), max(1, round(shape[1] * s))


def _finish(ink: np.ndarray) -> np.ndarray:
    """Zero ink under :data:`INK_FLOOR`, set the peak to 1, drop faint islands (8-connected
    specks of ink that nowhere reach half the peak: interpolation ripples, not strokes) and crop
    to the remaining ink."""
    ink = np.clip(ink, 0.0, 1.0)
    ink[ink < INK_FLOOR] = 0.0
    peak = ink.max()
    if peak <= 0:
        raise ValueError("the rendering lost all ink")
    ink /= peak
    labels, n = ndimage.label(ink > 0, structure=np.ones((3, 3)))
    if n > 1:
        keep = np.zeros(n + 1, dtype=bool)
        keep[0] = True
        keep[labels[ink >= 0.5]] = True
        ink[~keep[labels]] = 0.0
    return np.ascontiguousarray(crop_to_ink(ink), dtype=np.float32)


def _render_at(crop: np.ndarray, scale: float) -> np.ndarray:
    size = (max(1, round(crop.shape[0] * scale)), max(1, round(crop.shape[1] * scale)))
    big = transform.resize(crop, size, order=3, anti_aliasing=scale < 1, preserve_range=True)
    t = np.clip((big - CROP_LEVEL) / (0.7 - CROP_LEVEL), 0.0, 1.0)
    return _finish(t * t * (3.0 - 2.0 * t))


def render_digit(crop: np.ndarray, height: float, max_width: float | None = None) -> np.ndarray:
    """Scale a cropped digit to ``height`` px, aspect ratio kept, with crisp pen-like edges.

    Bicubic scaling, then a smoothstep from ink level :data:`CROP_LEVEL` to 0.7, which turns the
    blur of a big upscale into a 1-2 px anti-aliased edge. The rendered ink (not the crop) is
    what gets the size asked for: the scale is searched for (a secant step, then bisection) until
    the ink is exactly ``round(height)`` tall, or exactly ``floor(max_width)`` wide where the width
    limit binds.

    Args:
        crop: (h, w) float32 in [0, 1] from :func:`crop_digit`.
        height: target height in px.
        max_width: the widest the result may be, px.

    Returns:
        (H, W) float32 ink in [0, 1], peak 1, cropped to its ink, no value in (0, INK_FLOOR),
        never taller than ``round(height)`` nor wider than ``max_width``; in the rare case that no
        scale gives the exact size (a pixel step is skipped), the largest rendering that fits.
    """
    tall = max(1, round(height))
    wide = max(1, int(max_width)) if max_width is not None else 1 << 30
    h, w = crop.shape
    # The crop has 1 px of context; the rendered ink reaches about 0.1 px into it (measured).
    scale = _scale_to((max(1.0, h - 1.8), max(1.0, w - 1.8)), tall, wide)
    lo = hi = best = None
    for _ in range(12):
        ink = _render_at(crop, scale)
        ih, iw = ink.shape
        if ih <= tall and iw <= wide:
            if ih == tall or iw == wide:
                return ink
            lo, best = scale, ink
        else:
            hi = scale
        scale = (lo + hi) / 2 if lo is not None and hi is not None else scale * _scale_to(ink.shape, tall, wide)
    while best is None:  # never fitted (not seen in practice): shrink until it does
        scale = 0.95 * (hi if hi is not None else scale)
        hi = scale
        ink = _render_at(crop, scale)
        if ink.shape[0] <= tall and ink.shape[1] <= wide:
            best = ink
    return best


def _skeleton(crop: np.ndarray, scale: float) -> np.ndarray:
    """The skeleton of a cropped digit scaled by ``scale``: smoothed lightly first (by
    :data:`SKELETON_SMOOTHING` MNIST pixels: enough to drop spurs at ragged ends, little enough to
    keep small loops such as a 9's open; chosen on the validation split),
    thresholded, small holes filled, then ``skimage.morphology.skeletonize``. Never empty."""
    # Smoothed at the source's resolution (cheaper than after upscaling, and the same to the eye).
    soft = ndimage.gaussian_filter(np.pad(crop, 2), SKELETON_SMOOTHING)
    size = (max(1, round(soft.shape[0] * scale)), max(1, round(soft.shape[1] * scale)))
    scale = size[0] / soft.shape[0]
    mask = transform.resize(soft, size, order=1, preserve_range=True) >= SKELETON_THRESHOLD
    mask = morphology.remove_small_holes(mask, max_size=int((1.5 * scale) ** 2))
    skeleton = morphology.skeletonize(mask)
    if not skeleton.any():  # a speck: a dot
        skeleton[size[0] // 2, size[1] // 2] = True
    return crop_to_ink(skeleton)


def redraw_digit(crop: np.ndarray, height: float, stroke: float, max_width: float | None = None) -> np.ndarray:
    """Re-draw a cropped digit along its skeleton with a round pen ``stroke`` px wide.

    The digit's skeleton (see :func:`_skeleton`: smoothed by a Gaussian of
    :data:`SKELETON_SMOOTHING` source pixels, thresholded at :data:`SKELETON_THRESHOLD`, holes
    under 1.5x1.5 source pixels filled, ``skimage.morphology.skeletonize``) is measured on a small
    copy first, then taken at the scale that makes it span ``height - stroke`` px (or
    ``max_width - stroke`` across, if that is smaller), and re-drawn as every pixel within
    ``stroke / 2`` of it, with a 1 px anti-aliased edge and a Gaussian blur of 0.5 px.

    Returns:
        (H, W) float32 ink in [0, 1], peak 1, cropped to its ink; H is ``height`` to within a few
        px (or W is ``max_width``).
    """
    probe = 64 / crop.shape[0]
    sh, sw = _skeleton(crop, probe).shape
    scale = probe * max(1.0, height - stroke) / sh
    if max_width is not None:
        scale = min(scale, probe * max(1.0, max_width - stroke) / sw)
    skeleton = _skeleton(crop, scale)
    pad = int(np.ceil(stroke / 2)) + 3
    dist = ndimage.distance_transform_edt(~np.pad(skeleton, pad))
    ink = _finish(ndimage.gaussian_filter(np.clip(stroke / 2 + 0.5 - dist, 0.0, 1.0), 0.5))
    if max_width is not None and ink.shape[1] > max_width:
        # The skeleton at full scale can reach further than the small probe's (a spur): shrink.
        f = max_width / ink.shape[1]
        ink = _finish(transform.resize(ink, (max(1, round(ink.shape[0] * f)), int(max_width)), anti_aliasing=True))
    return ink


def _bbox(ink: np.ndarray, top: int, left: int) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = bounding_box(ink)
    return left + x0, top + y0, left + x1, top + y1


def place(shape: tuple[int, int], patch: np.ndarray, top: int, left: int) -> np.ndarray:
    """A (H, W) float32 layer holding ``patch`` at (top, left); the patch must fit."""
    layer = np.zeros(shape, dtype=np.float32)
    h, w = patch.shape
    if top < 0 or left < 0 or top + h > shape[0] or left + w > shape[1]:
        raise ValueError(f"a {h}x{w} patch at ({top}, {left}) does not fit in {shape}")
    layer[top : top + h, left : left + w] = patch
    return layer


def _random_spot(rng: np.random.Generator, shape: tuple[int, int], patch: tuple[int, int]) -> tuple[int, int]:
    """A uniform (top, left) at which a ``patch``-sized box fits in ``shape``."""
    return int(rng.integers(0, shape[0] - patch[0] + 1)), int(rng.integers(0, shape[1] - patch[1] + 1))


def _near_centre(rng: np.random.Generator, shape: tuple[int, int], patch: tuple[int, int]) -> tuple[int, int]:
    """(top, left) around the centre, jittered by up to a quarter of the free space either way."""
    free_y, free_x = shape[0] - patch[0], shape[1] - patch[1]
    top = free_y / 2 + rng.uniform(-0.25, 0.25) * free_y
    left = free_x / 2 + rng.uniform(-0.25, 0.25) * free_x
    return int(np.clip(round(top), 0, free_y)), int(np.clip(round(left), 0, free_x))


def paint(background: Sequence[float] | float, ink_colour: Sequence[float] | float, ink: np.ndarray) -> np.ndarray:
    """``background * (1 - ink) + ink_colour * ink`` on [0, 255], as uint8 (H, W) or (H, W, C)."""
    bg = np.asarray(background, dtype=np.float32)
    fg = np.asarray(ink_colour, dtype=np.float32)
    a = ink[..., None] if bg.ndim else ink
    out = bg * (1.0 - a) + fg * a
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


# --------------------------------------------------------------------------------------------
# Variants: each renders one sample from one MNIST digit (strings: several) and a generator.


def _canvas(digit: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, list, dict]:
    stroke = float(rng.uniform(*CANVAS_STROKE))
    height = float(rng.uniform(150, 230))
    ink = redraw_digit(crop_digit(digit), height, stroke, max_width=CANVAS_SIZE - 30)
    shape = (CANVAS_SIZE, CANVAS_SIZE)
    top, left = _near_centre(rng, shape, ink.shape)
    layer = place(shape, ink, top, left)
    grey = paint(255.0, 0.0, layer)
    image = np.dstack([grey, grey, grey, np.full(shape, 255, np.uint8)])
    return image, [_bbox(ink, top, left)], {"stroke_width": stroke, "height": ink.shape[0]}


def _corner(digit: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, list, dict]:
    height = int(rng.integers(CORNER_HEIGHT[0], CORNER_HEIGHT[1] + 1))
    crop = crop_digit(digit)
    ink = render_digit(crop, height)
    if ink.shape[0] < CORNER_HEIGHT[0]:  # a skipped pixel step at the bottom of the range
        ink = render_digit(crop, CORNER_HEIGHT[0] + 1)
    level = float(rng.uniform(0, 60))
    shape = (CORNER_SIZE[1], CORNER_SIZE[0])
    top, left = _random_spot(rng, shape, ink.shape)
    image = paint(255.0, level, place(shape, ink, top, left))
    return image, [_bbox(ink, top, left)], {"height": ink.shape[0], "ink_level": level}


def _photo(digit: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, list, dict]:
    h, w = (int(v) for v in rng.integers(PHOTO_SIZE[0], PHOTO_SIZE[1] + 1, size=2))
    height = float(rng.uniform(0.4, 0.7)) * h
    ink = render_digit(crop_digit(digit), height, max_width=0.8 * w)
    top, left = _near_centre(rng, (h, w), ink.shape)
    layer = place((h, w), ink, top, left)
    # Off-white paper (slightly warm or cool), dark pen ink (black, blue-black or graphite).
    paper = np.array([240.0, 238.0, 232.0]) + rng.uniform(-12, 12) + rng.uniform(-4, 4, size=3)
    pen = rng.uniform(15, 60) + rng.uniform(-10, 10, size=3) + np.array([0.0, 0.0, rng.uniform(0, 25)])
    paper, pen = np.clip(paper, 0, 255) / 255.0, np.clip(pen, 0, 255) / 255.0
    img = paper.astype(np.float32) + layer[..., None] * (pen - paper).astype(np.float32)
    # Lighting: brightness falls linearly by `drop` from one side to the other, in direction theta.
    drop = float(rng.uniform(*PHOTO_GRADIENT))
    theta = float(rng.uniform(0, 2 * np.pi))
    proj = np.arange(h, dtype=np.float32)[:, None] * np.sin(theta) + np.arange(w, dtype=np.float32) * np.cos(theta)
    proj = (proj - proj.min()) / max(float(np.ptp(proj)), 1e-6)
    img *= (1.0 - drop * proj)[..., None]
    img += rng.standard_normal(img.shape, dtype=np.float32) * np.float32(PHOTO_NOISE)
    img = ndimage.gaussian_filter(img, sigma=(PHOTO_BLUR, PHOTO_BLUR, 0))
    rgb = np.clip(np.rint(img * 255), 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(buf, format="JPEG", quality=PHOTO_JPEG_QUALITY)
    buf.seek(0)
    with Image.open(buf) as decoded:
        image = np.asarray(decoded.convert("RGB")).copy()
    params = {"height": ink.shape[0], "gradient": drop, "gradient_angle": float(np.degrees(theta))}
    return image, [_bbox(ink, top, left)], params


def _inverted(digit: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, list, dict]:
    height = int(rng.integers(INVERTED_HEIGHT[0], INVERTED_HEIGHT[1] + 1))
    ink = render_digit(crop_digit(digit), height, max_width=INVERTED_SIZE - 40)
    shape = (INVERTED_SIZE, INVERTED_SIZE)
    h, w = ink.shape
    for _ in range(1000):  # uniform over the spots whose box centre is off the image centre
        top, left = _random_spot(rng, shape, ink.shape)
        off = np.hypot(top + h / 2 - shape[0] / 2, left + w / 2 - shape[1] / 2)
        if off >= INVERTED_OFF_CENTRE:  # always reached within a few tries for these sizes
            break
    bg, fg = float(rng.uniform(0, 30)), float(rng.uniform(225, 255))
    grey = paint(bg, fg, place(shape, ink, top, left))
    return np.dstack([grey] * 3), [_bbox(ink, top, left)], {"height": h, "offset": float(off)}


def _transparent(digit: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, list, dict]:
    height = float(rng.uniform(*TRANSPARENT_HEIGHT))
    room = TRANSPARENT_SIZE - 2 * TRANSPARENT_MARGIN
    ink = render_digit(crop_digit(digit), min(height, room), max_width=room)
    shape = (TRANSPARENT_SIZE, TRANSPARENT_SIZE)
    inner = (room, room)
    top, left = _near_centre(rng, inner, ink.shape)
    top, left = top + TRANSPARENT_MARGIN, left + TRANSPARENT_MARGIN
    alpha = paint(0.0, 255.0, place(shape, ink, top, left))
    image = np.zeros((*shape, 4), dtype=np.uint8)
    image[..., 3] = alpha
    return image, [_bbox(ink, top, left)], {"height": ink.shape[0]}


def luminance(rgb: np.ndarray | Sequence[float]) -> np.ndarray:
    """BT.601 luminance Y = 0.299 R + 0.587 G + 0.114 B of uint8 colours, on [0, 1]."""
    return np.asarray(rgb, dtype=np.float64) @ _LUMA / 255.0


def _hsv_to_rgb(h: float, s: float, v: float) -> np.ndarray:
    """One HSV colour (each in [0, 1]) as RGB floats in [0, 1]."""
    k = (np.array([5.0, 3.0, 1.0]) + h * 6.0) % 6.0
    return v - v * s * np.clip(np.minimum(k, 4.0 - k), 0.0, 1.0)


def colour_pair(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, float]:
    """Paper and ink colours of random hues whose luminance contrast is in :data:`COLOUR_CONTRAST`.

    Returns:
        ``(paper, ink, contrast)``: uint8 RGB triples and |Y_paper - Y_ink| computed from them.
    """
    lo, hi = COLOUR_CONTRAST
    # Polarity and contrast are drawn once, so that rejected colours don't bias them.
    dark_ink = bool(rng.random() < 0.5)
    # Rounding to uint8 moves each luminance by at most 0.5/255, so the contrast by at most 0.004.
    target = rng.uniform(lo + 0.005, hi - 0.005)
    while True:
        value = rng.uniform(0.55, 1.0) if dark_ink else rng.uniform(0.15, 0.6)
        paper = np.rint(_hsv_to_rgb(rng.random(), rng.uniform(0.1, 0.8), value) * 255)
        y_paper = float(luminance(paper))
        y_ink = y_paper - target if dark_ink else y_paper + target
        # The ink's hue and saturation are random; its value V sets its luminance (Y is linear in V).
        hue, sat = rng.random(), rng.uniform(0.3, 1.0)
        y_unit = float(luminance(_hsv_to_rgb(hue, sat, 1.0) * 255))
        if not 0.0 <= y_ink <= y_unit:
            continue
        ink = np.rint(_hsv_to_rgb(hue, sat, y_ink / y_unit) * 255)
        contrast = abs(float(luminance(paper)) - float(luminance(ink)))
        if lo <= contrast <= hi:
            return paper.astype(np.uint8), ink.astype(np.uint8), contrast


def _colour(digit: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, list, dict]:
    h, w = (int(v) for v in rng.integers(COLOUR_SIZE[0], COLOUR_SIZE[1] + 1, size=2))
    height = float(rng.uniform(0.4, 0.75)) * h
    ink = render_digit(crop_digit(digit), height, max_width=0.8 * w)
    top, left = _near_centre(rng, (h, w), ink.shape)
    paper, pen, contrast = colour_pair(rng)
    image = paint(paper, pen, place((h, w), ink, top, left))
    params = {"height": ink.shape[0], "paper": tuple(int(c) for c in paper), "ink": tuple(int(c) for c in pen)}
    params["contrast"] = contrast
    return image, [_bbox(ink, top, left)], params


def _rotated(digit: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, list, dict]:
    angle = float(rng.uniform(*ROTATED_ANGLE))
    height = float(rng.uniform(*ROTATED_HEIGHT))
    upright = render_digit(crop_digit(digit), height, max_width=ROTATED_HEIGHT[1])
    ink = _finish(transform.rotate(upright, angle, resize=True, order=1, mode="constant", cval=0.0))
    shape = (ROTATED_SIZE, ROTATED_SIZE)
    top, left = _near_centre(rng, shape, ink.shape)
    level = float(rng.uniform(0, 50))
    image = paint(255.0, level, place(shape, ink, top, left))
    return image, [_bbox(ink, top, left)], {"angle": angle, "height": upright.shape[0]}


_SINGLE = {
    "canvas": _canvas,
    "corner": _corner,
    "photo": _photo,
    "inverted": _inverted,
    "transparent": _transparent,
    "colour": _colour,
    "rotated": _rotated,
}


def _order(rng: np.random.Generator, count: int) -> np.ndarray:
    """The order in which a variant draws its source digits: a permutation (no digit repeats
    before all have been used), drawn first so that it does not depend on how many are built."""
    if count < 1:
        raise ValueError("no source images")
    return rng.permutation(count)


def _check(images: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    images, labels = np.asarray(images), np.asarray(labels)
    if images.ndim != 3 or labels.shape != (len(images),):
        raise ValueError(f"expected images (N, H, W) and labels (N,), got {images.shape} and {labels.shape}")
    return images, labels


def iter_variant(
    name: str, images: np.ndarray, labels: np.ndarray, n: int, rng: np.random.Generator
) -> Iterator[Sample]:
    """:func:`build_variant` one sample at a time, to keep memory low (the full set is ~1.5 GB)."""
    if name not in _SINGLE:
        raise ValueError(f"unknown variant {name!r}; expected one of {', '.join(VARIANTS)}")
    images, labels = _check(images, labels)
    render = _SINGLE[name]
    order = _order(rng, len(images))
    for i in range(n):
        k = int(order[i % len(order)])
        image, boxes, params = render(images[k], rng)
        yield Sample(image, str(int(labels[k])), name, boxes, (k,), params)


def build_variant(name: str, images: np.ndarray, labels: np.ndarray, n: int, rng: np.random.Generator) -> list[Sample]:
    """Render ``n`` single-digit samples of one variant.

    Args:
        name: one of :data:`VARIANTS`.
        images: (N, 28, 28) uint8 MNIST digits, ink = 255.
        labels: (N,) their digits.
        n: how many samples.
        rng: the variant's generator (see :func:`variant_rng`); the same state gives the same
            samples, and sample ``i`` does not depend on ``n``.

    Returns:
        ``n`` :class:`Sample` objects; source digits are drawn without repetition (in a random
        order) until all N have been used.

    Raises:
        ValueError: unknown variant, or images and labels that don't match.
    """
    return list(iter_variant(name, images, labels, n, rng))


def _touching(layers: list[np.ndarray]) -> bool:
    """True when the ink of two digits overlaps or touches (8-connected): each digit's ink,
    dilated by 1 px, must miss every other digit's ink."""
    masks = [layer > 0 for layer in layers]
    count = np.sum(masks, axis=0)
    for m in masks:
        grown = ndimage.binary_dilation(m, structure=np.ones((3, 3), bool))
        if np.any(grown & (count - m > 0)):
            return True
    return False


def _string(
    digits: Sequence[np.ndarray], rng: np.random.Generator
) -> tuple[np.ndarray, list[tuple[int, int, int, int]], dict]:
    base = float(rng.uniform(*STRING_HEIGHT))
    inks, drops = [], []
    for d in digits:
        h = base * (1.0 + rng.uniform(-STRING_HEIGHT_JITTER, STRING_HEIGHT_JITTER))
        inks.append(render_digit(crop_digit(d), h))
        drops.append(int(rng.integers(-STRING_BASELINE_JITTER, STRING_BASELINE_JITTER + 1)))
    gaps = [int(g) for g in rng.integers(STRING_GAP[0], STRING_GAP[1] + 1, size=len(digits) - 1)]
    margin_x, margin_y = (int(v) for v in rng.integers(STRING_MARGIN[0], STRING_MARGIN[1] + 1, size=2))
    # Bottoms sit on a common baseline, each moved by its own jitter.
    tallest = max(ink.shape[0] for ink in inks)
    baseline = margin_y + tallest + STRING_BASELINE_JITTER
    height = baseline + STRING_BASELINE_JITTER + margin_y
    width = 2 * margin_x + sum(ink.shape[1] for ink in inks) + sum(gaps)
    shape = (height, width)
    layers, boxes, x = [], [], margin_x
    for i, ink in enumerate(inks):
        top = baseline + drops[i] - ink.shape[0]
        layers.append(place(shape, ink, top, x))
        boxes.append(_bbox(ink, top, x))
        x += ink.shape[1] + (gaps[i] if i < len(gaps) else 0)
    if _touching(layers):  # cannot happen with gaps >= 2, but the set promises it
        raise RuntimeError("digits of a string touch")
    level = float(rng.uniform(0, 50))
    image = paint(255.0, level, np.maximum.reduce(layers))
    return image, boxes, {"height": base, "gaps": gaps}


def iter_strings(
    images: np.ndarray,
    labels: np.ndarray,
    n_per_length: int,
    rng: np.random.Generator,
    lengths: Iterable[int] = STRING_LENGTHS,
) -> Iterator[Sample]:
    """:func:`build_strings` one sample at a time."""
    images, labels = _check(images, labels)
    lengths = [int(k) for k in lengths]
    if any(k < 1 for k in lengths):
        raise ValueError("string lengths must be >= 1")
    # One child generator per length, so that n_per_length changes no string of another length.
    for k, sub in zip(lengths, rng.spawn(len(lengths)), strict=True):
        order = _order(sub, len(images))
        for i in range(n_per_length):
            idx = tuple(int(order[(i * k + j) % len(order)]) for j in range(k))
            image, boxes, params = _string([images[j] for j in idx], sub)
            label = "".join(str(int(labels[j])) for j in idx)
            yield Sample(image, label, STRINGS, boxes, idx, params)


def build_strings(
    images: np.ndarray,
    labels: np.ndarray,
    n_per_length: int,
    rng: np.random.Generator,
    lengths: Iterable[int] = STRING_LENGTHS,
) -> list[Sample]:
    """Render strings of digits side by side: ``n_per_length`` of each length in ``lengths``.

    Args:
        images, labels: as for :func:`build_variant`.
        n_per_length: how many strings of each length.
        rng: the generator; each length draws from its own child of it (``rng.spawn``), so the
            strings of one length do not depend on ``n_per_length`` beyond their own index.
        lengths: digits per string, each >= 1.

    Returns:
        ``n_per_length * len(lengths)`` samples of variant "strings" (all of the first length,
        then the next...), label = the digits left to right, one box per digit left to right,
        boxes 2-12 px apart, ink never touching.

    Raises:
        ValueError: a length < 1, or images and labels that don't match.
    """
    return list(iter_strings(images, labels, n_per_length, rng, lengths))


def variant_rng(seed: int, name: str) -> np.random.Generator:
    """The generator :func:`build_set` uses for one variant: independent of every other variant's,
    and of the order in which they are built."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(zlib.crc32(name.encode()),)))


def build_set(
    images: np.ndarray,
    labels: np.ndarray,
    n_per_variant: int = 1000,
    n_strings_per_length: int = 100,
    seed: int = 0,
) -> dict[str, list[Sample]]:
    """Build the whole robustness set: every single-digit variant and the strings.

    Args:
        images, labels: the source digits, e.g. from :func:`source_split`.
        n_per_variant: samples of each of :data:`VARIANTS`.
        n_strings_per_length: strings of each length in :data:`STRING_LENGTHS`.
        seed: the same seed and sources give identical samples.

    Returns:
        ``{variant: samples}`` in the order of :data:`ALL_VARIANTS`. To stream instead, call
        ``iter_variant(name, images, labels, n, variant_rng(seed, name))`` (and
        :func:`iter_strings` with ``variant_rng(seed, "strings")``): the same samples.
    """
    out = {name: build_variant(name, images, labels, n_per_variant, variant_rng(seed, name)) for name in VARIANTS}
    out[STRINGS] = build_strings(images, labels, n_strings_per_length, variant_rng(seed, STRINGS))
    return out


def source_split(which: str, data_dir: str | os.PathLike | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The MNIST digits a set is built from.

    Args:
        which: "validation" (the last 5,000 training images: for tuning anything) or "test" (the
            10,000 test images: for reported figures only).
        data_dir: the MNIST directory (see :func:`digits.datasets.mnist.load_mnist`).

    Returns:
        ``(images, labels)``: (N, 28, 28) uint8 with ink = 255, and (N,) uint8.

    Raises:
        ValueError: ``which`` is neither. ``digits.datasets.mnist.DataError``: MNIST cannot be read.
    """
    if which not in ("validation", "test"):
        raise ValueError(f"which must be 'validation' or 'test', not {which!r}")
    (x_train, y_train), (x_test, y_test) = load_mnist(data_dir)
    if which == "test":
        return x_test, y_test
    _, (x_val, y_val) = train_val_split(x_train, y_train)
    return x_val, y_val


def save_examples(
    samples_by_variant: dict[str, list[Sample]], out_dir: str | os.PathLike, per_variant: int = 4
) -> list[Path]:
    """Write the first ``per_variant`` samples of each variant as PNGs to look at.

    Files are named ``{variant}_{i:02d}_{label}.png``; RGBA images keep their alpha.

    Returns:
        The paths written.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, samples in samples_by_variant.items():
        for i, s in enumerate(samples[:per_variant]):
            path = out_dir / f"{name}_{i:02d}_{s.label}.png"
            Image.fromarray(s.image).save(path)
            written.append(path)
    return written


__all__ = [
    "ALL_VARIANTS",
    "STRINGS",
    "VARIANTS",
    "Sample",
    "build_set",
    "build_strings",
    "build_variant",
    "colour_pair",
    "crop_digit",
    "iter_strings",
    "iter_variant",
    "luminance",
    "redraw_digit",
    "render_digit",
    "save_examples",
    "source_split",
    "variant_rng",
]
