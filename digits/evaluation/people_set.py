"""Digits as people make them: the second robustness set, built from real MNIST digits.

The first set (:mod:`digits.evaluation.robustness`) renders MNIST digits in new ways; real
pictures made by people fail in ways it never shows. This set renders the same digits the way
those failures look (each variant's settings are fixed here, from the issue that asked for them):

- **canvas_edge**: a 280x280 canvas, pen 15-30 px, two digits side by side, one of which runs off
  one edge of the canvas by 5-15% of its size (top, bottom, left, right in turn); read as a canvas
  drawing (``source="canvas"``) and scored as the two-digit number.
- **phone_light**: a digit in pen on paper under real light: a soft shadow band 20-50% of the page
  wide and 30-60% darker at a random angle, or a bright spot of radius 15-40% of the page up to
  40% brighter, or corners 20-40% darker; the show-through of a mirrored other digit at 8-15% of
  the ink's contrast; then noise, blur and JPEG as in the first set's "photo".
- **broken_stroke**: a digit with a gap of 1-3 px (at MNIST's 28x28 scale) cut across one stroke.
- **squared** and **ruled**: a digit on squared (or ruled: horizontal lines only) paper, lines every
  15-30 px, 1-2 px wide, their contrast 20-50% of the ink's.
- **frame_filling**: a bold digit (pen 20-30% of its height) whose box covers 60-95% of the
  picture, dark on light or light on dark.
- **two_tones**: a two-digit number, one digit's contrast 25-50% of the other's.
- **touching**: a handwritten two-digit number whose digits touch (overlap by 1-4 px).

- **printed**: a single digit printed in a font family of the set's split (see
  :mod:`digits.datasets.fonts`: families are split by a hash of their name), 40-200 px tall,
  regular, bold and outline in turn, on paper.
- **plate**: a house-number plate: 1-4 light printed digits on a dark plate that fills the
  picture, half of them with a light rim; scored as the number.
- **house_numbers**: 2-5 printed digits, regular or bold, dark on light; scored as the number.

And on its own row, never in the totals: **handwriting_fonts**, a single digit in a
handwriting-style typeface (:data:`digits.datasets.fonts.HANDWRITING_PACKAGES`), 40-200 px tall.

Build the set from the validation split (MNIST digits and font families) for every choice, and
from the test split for reported figures (as :func:`digits.evaluation.robustness.source_split`
gives them); the same seed gives the same set.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import numpy as np
from PIL import Image
from scipy import ndimage

from digits.datasets.fonts import HANDWRITING, printed_picture, split_fonts, upright
from digits.evaluation.robustness import (
    CANVAS_SIZE,
    PHOTO_BLUR,
    PHOTO_JPEG_QUALITY,
    PHOTO_NOISE,
    Sample,
    _bbox,
    _check,
    _near_centre,
    _order,
    crop_digit,
    paint,
    place,
    redraw_digit,
    render_digit,
    variant_rng,
)

#: The variants, in table order; each takes this many source digits.
PEOPLE_VARIANTS = {
    "canvas_edge": 2,
    "phone_light": 2,  # the second is the show-through
    "broken_stroke": 1,
    "squared": 1,
    "ruled": 1,
    "frame_filling": 1,
    "two_tones": 2,
    "touching": 2,
    "printed": 0,  # printed digits: fonts, not MNIST
    "plate": 0,
    "house_numbers": 0,
}
#: Reported on its own row, outside the totals: handwriting-style typefaces, evaluation only.
HANDWRITING_VARIANT = "handwriting_fonts"
#: Variants scored by the number read (the others by the single digit's label).
NUMBER_VARIANTS = ("canvas_edge", "two_tones", "touching", "plate", "house_numbers")
EDGES = ("top", "bottom", "left", "right")

CANVAS_EDGE_STROKE = (15.0, 30.0)
CANVAS_EDGE_OVERRUN = (0.05, 0.15)  # of the digit's size, past the edge
PHONE_SIZE = (240, 360)
SHADOW_WIDTH, SHADOW_DARKER = (0.20, 0.50), (0.30, 0.60)
SHADOW_SOFT = 0.25  # each soft edge of a shadow band, as a fraction of its width
SPOT_RADIUS, SPOT_BRIGHTER = (0.15, 0.40), (0.0, 0.40)
CORNERS_DARKER = (0.20, 0.40)
SHOW_THROUGH = (0.08, 0.15)
BROKEN_GAP = (1.0, 3.0)  # px at 28x28
PAPER_SIZE = (300, 400)
GRID_STEP, GRID_CONTRAST = (15, 30), (0.20, 0.50)
FRAME_STROKE, FRAME_COVER = (0.20, 0.30), (0.60, 0.95)
TWO_TONE_CONTRAST = (0.25, 0.50)
TOUCH_OVERLAP = (1, 4)
PRINTED_HEIGHT = (40.0, 200.0)
PRINTED_STYLES = ("regular", "bold", "outline")
PLATE_DIGITS, PLATE_HEIGHT = (1, 4), (40.0, 160.0)
HOUSE_DIGITS, HOUSE_HEIGHT = (2, 5), (40.0, 120.0)


def _on_big_canvas(inks: list[np.ndarray], tops: list[int], lefts: list[int], size: int) -> np.ndarray:
    """Inks placed at (top, left), which may run past the edges, cut to a size x size canvas."""
    big = np.zeros((3 * size, 3 * size), np.float32)
    for ink, top, left in zip(inks, tops, lefts, strict=True):
        window = big[size + top : size + top + ink.shape[0], size + left : size + left + ink.shape[1]]
        np.maximum(window, ink, out=window)
    return big[size : 2 * size, size : 2 * size]


def _clipped_box(ink: np.ndarray, top: int, left: int, size: int) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = _bbox(ink, top, left)
    return max(0, x0), max(0, y0), min(size, x1), min(size, y1)


def _canvas_edge(digits: list[np.ndarray], rng: np.random.Generator, index: int) -> tuple[np.ndarray, list, dict]:
    edge = EDGES[index % len(EDGES)]
    stroke = float(rng.uniform(*CANVAS_EDGE_STROKE))
    height = float(rng.uniform(140, 200))
    inks = [redraw_digit(crop_digit(d), height, stroke, max_width=115) for d in digits]
    size = CANVAS_SIZE
    tops = [(size - ink.shape[0]) // 2 + int(rng.integers(-15, 16)) for ink in inks]
    gap = int(rng.integers(10, 30))
    lefts = [int(rng.integers(5, 20)), 0]
    lefts[1] = lefts[0] + inks[0].shape[1] + gap
    runs_off = int(rng.integers(2)) if edge in ("top", "bottom") else (0 if edge == "left" else 1)
    ink = inks[runs_off]
    off = round(float(rng.uniform(*CANVAS_EDGE_OVERRUN)) * ink.shape[0])  # of the digit drawn, past the edge
    if edge == "top":
        tops[runs_off] = -off
    elif edge == "bottom":
        tops[runs_off] = size - ink.shape[0] + off
    elif edge == "left":
        shift = -round(float(rng.uniform(*CANVAS_EDGE_OVERRUN)) * ink.shape[1]) - lefts[0]
        lefts = [lefts[0] + shift, lefts[1] + shift]
    else:
        shift = size - (lefts[1] + ink.shape[1]) + round(float(rng.uniform(*CANVAS_EDGE_OVERRUN)) * ink.shape[1])
        lefts = [lefts[0] + shift, lefts[1] + shift]
    layer = _on_big_canvas(inks, tops, lefts, size)
    grey = paint(255.0, 0.0, layer)
    image = np.dstack([grey, grey, grey, np.full_like(grey, 255)])
    boxes = [_clipped_box(i, t, x, size) for i, t, x in zip(inks, tops, lefts, strict=True)]
    return image, boxes, {"source": "canvas", "edge": edge, "stroke_width": stroke}


def _jpeg(rgb: np.ndarray) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(buf, format="JPEG", quality=PHOTO_JPEG_QUALITY)
    buf.seek(0)
    with Image.open(buf) as decoded:
        return np.asarray(decoded.convert("RGB")).copy()


def _light(shape: tuple[int, int], rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """A multiplicative light field: a shadow band, a bright spot, or darker corners."""
    h, w = shape
    yy, xx = np.mgrid[:h, :w].astype(np.float32)
    kind = ("shadow", "spot", "corners")[int(rng.integers(3))]
    if kind == "shadow":
        width = float(rng.uniform(*SHADOW_WIDTH)) * max(h, w)
        darker = float(rng.uniform(*SHADOW_DARKER))
        theta = float(rng.uniform(0, np.pi))
        centre = float(rng.uniform(-0.3, 0.3)) * max(h, w)
        d = (xx - w / 2) * np.cos(theta) + (yy - h / 2) * np.sin(theta) - centre
        # Full darkness across the band's width, with soft edges a quarter of it wide (a smoothstep).
        t = np.clip((width / 2 + SHADOW_SOFT * width / 2 - np.abs(d)) / (SHADOW_SOFT * width), 0, 1)
        field = 1 - darker * t * t * (3 - 2 * t)
        return field, {"light": kind, "width": width, "darker": darker}
    if kind == "spot":
        radius = float(rng.uniform(*SPOT_RADIUS)) * max(h, w)
        brighter = float(rng.uniform(*SPOT_BRIGHTER))
        cy, cx = float(rng.uniform(0, h)), float(rng.uniform(0, w))
        field = 1 + brighter * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * (radius / 2) ** 2))
        return field, {"light": kind, "radius": radius, "brighter": brighter}
    darker = float(rng.uniform(*CORNERS_DARKER))
    r2 = ((yy - h / 2) / (h / 2)) ** 2 + ((xx - w / 2) / (w / 2)) ** 2  # 2 at the corners
    return 1 - darker * np.clip(r2 / 2, 0, 1) ** 1.5, {"light": kind, "darker": darker}


def _phone_light(digits: list[np.ndarray], rng: np.random.Generator, index: int) -> tuple[np.ndarray, list, dict]:
    h, w = (int(v) for v in rng.integers(PHONE_SIZE[0], PHONE_SIZE[1] + 1, size=2))
    height = float(rng.uniform(0.4, 0.7)) * h
    ink = render_digit(crop_digit(digits[0]), height, max_width=0.8 * w)
    top, left = _near_centre(rng, (h, w), ink.shape)
    layer = place((h, w), ink, top, left)
    behind = render_digit(crop_digit(digits[1]), height, max_width=0.8 * w)[:, ::-1]  # seen through the page
    btop, bleft = _near_centre(rng, (h, w), behind.shape)
    through = float(rng.uniform(*SHOW_THROUGH))
    layer = np.maximum(layer, through * place((h, w), behind, btop, bleft))
    rgb, params = _photographed(layer, rng)
    return _jpeg(rgb), [_bbox(ink, top, left)], params | {"show_through": through, "height": ink.shape[0]}


def _photographed(layer: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """Pen ink (``layer``, (H, W) in [0, 1]) on off-white paper, under one of :func:`_light`'s lights,
    with the camera's noise and blur: (H, W, 3) uint8 RGB, and the light's parameters."""
    paper = np.clip(np.array([238.0, 236.0, 230.0]) + rng.uniform(-10, 10), 0, 255) / 255.0
    pen = np.clip(rng.uniform(15, 60) + np.array([0.0, 0.0, rng.uniform(0, 25)]), 0, 255) / 255.0
    img = paper.astype(np.float32) + layer[..., None] * (pen - paper).astype(np.float32)
    field, params = _light(layer.shape, rng)
    img = img * field[..., None]
    img += rng.standard_normal(img.shape, dtype=np.float32) * np.float32(PHOTO_NOISE)
    img = ndimage.gaussian_filter(img, sigma=(PHOTO_BLUR, PHOTO_BLUR, 0))
    return np.clip(np.rint(img * 255), 0, 255).astype(np.uint8), params


def cut_stroke(digit: np.ndarray, gap: float, rng: np.random.Generator) -> np.ndarray:
    """``digit`` (28x28) with a gap ``gap`` px wide cut across the stroke at a random ink pixel,
    perpendicular to the stroke's local direction (the main axis of the ink within 3 px)."""
    d = digit.astype(np.float32) / 255.0
    ys, xs = np.nonzero(d > 0.5)
    k = int(rng.integers(len(ys)))
    cy, cx = float(ys[k]), float(xs[k])
    near = (np.abs(ys - cy) <= 3) & (np.abs(xs - cx) <= 3)
    coords = np.stack([ys[near] - cy, xs[near] - cx])
    evals, evecs = np.linalg.eigh(coords @ coords.T + 1e-6 * np.eye(2))
    along = evecs[:, int(np.argmax(evals))]  # the stroke's direction (dy, dx)
    yy, xx = np.mgrid[:28, :28].astype(np.float32)
    t = (yy - cy) * along[0] + (xx - cx) * along[1]  # position along the stroke
    across = np.abs((yy - cy) * along[1] - (xx - cx) * along[0])
    cut = (np.abs(t) <= gap / 2) & (across <= 3.5)
    return np.where(cut, 0.0, d)


def _broken_stroke(digits: list[np.ndarray], rng: np.random.Generator, index: int) -> tuple[np.ndarray, list, dict]:
    gap = float(rng.uniform(*BROKEN_GAP))
    broken = cut_stroke(digits[0], gap, rng)
    height = float(rng.uniform(80, 200))
    ink = render_digit(crop_digit((broken * 255).astype(np.uint8)), height, max_width=0.8 * PAPER_SIZE[1])
    top, left = _near_centre(rng, PAPER_SIZE, ink.shape)
    level = float(rng.uniform(0, 50))
    image = paint(255.0, level, place(PAPER_SIZE, ink, top, left))
    return image, [_bbox(ink, top, left)], {"gap": gap, "height": ink.shape[0]}


def _grid(digits: list[np.ndarray], rng: np.random.Generator, squared: bool) -> tuple[np.ndarray, list, dict]:
    height = float(rng.uniform(80, 160))
    ink = render_digit(crop_digit(digits[0]), height, max_width=0.6 * PAPER_SIZE[1])
    top, left = _near_centre(rng, PAPER_SIZE, ink.shape)
    layer = place(PAPER_SIZE, ink, top, left)
    step = int(rng.integers(GRID_STEP[0], GRID_STEP[1] + 1))
    contrast = float(rng.uniform(*GRID_CONTRAST))
    width = int(rng.integers(1, 3))
    lines = np.zeros(PAPER_SIZE, np.float32)
    off_y, off_x = (int(v) for v in rng.integers(0, step, size=2))
    for k in range(width):
        lines[off_y + k :: step, :] = 1.0
        if squared:
            lines[:, off_x + k :: step] = 1.0
    level = float(rng.uniform(0, 50))
    image = paint(255.0, level, np.maximum(layer, contrast * lines))
    return image, [_bbox(ink, top, left)], {"step": step, "line_contrast": contrast, "line_width": width}


def _squared(digits: list[np.ndarray], rng: np.random.Generator, index: int) -> tuple[np.ndarray, list, dict]:
    return _grid(digits, rng, squared=True)


def _ruled(digits: list[np.ndarray], rng: np.random.Generator, index: int) -> tuple[np.ndarray, list, dict]:
    return _grid(digits, rng, squared=False)


def _frame_filling(digits: list[np.ndarray], rng: np.random.Generator, index: int) -> tuple[np.ndarray, list, dict]:
    height = float(rng.uniform(100, 200))
    stroke = float(rng.uniform(*FRAME_STROKE)) * height
    ink = redraw_digit(crop_digit(digits[0]), height, stroke)
    cover = float(rng.uniform(*FRAME_COVER))
    h, w = (int(np.ceil(s / np.sqrt(cover))) for s in ink.shape)
    top, left = (h - ink.shape[0]) // 2, (w - ink.shape[1]) // 2
    dark = bool(rng.integers(2))
    paper, pen = (255.0, float(rng.uniform(0, 40))) if dark else (float(rng.uniform(0, 40)), 255.0)
    image = paint(paper, pen, place((h, w), ink, top, left))
    return image, [_bbox(ink, top, left)], {"cover": ink.size / (h * w), "stroke_width": stroke, "dark_ink": dark}


def _pair(digits: list[np.ndarray], rng: np.random.Generator, gap: int) -> tuple[list[np.ndarray], list[tuple]]:
    """Two digits rendered at one height, on one baseline, ``gap`` px apart (negative: overlapping).

    Returns:
        ``(layers, boxes)``: each digit's ink on the picture's (H, W) frame, and its box.
    """
    height = float(rng.uniform(60, 120))
    inks = [render_digit(crop_digit(d), height) for d in digits]
    margin = int(rng.integers(15, 40))
    h = max(i.shape[0] for i in inks) + 2 * margin
    w = inks[0].shape[1] + inks[1].shape[1] + gap + 2 * margin
    lefts = [margin, margin + inks[0].shape[1] + gap]
    tops = [h - margin - ink.shape[0] for ink in inks]
    layers = [place((h, w), ink, t, x) for ink, t, x in zip(inks, tops, lefts, strict=True)]
    return layers, [_bbox(ink, t, x) for ink, t, x in zip(inks, tops, lefts, strict=True)]


def _two_tones(digits: list[np.ndarray], rng: np.random.Generator, index: int) -> tuple[np.ndarray, list, dict]:
    layers, boxes = _pair(digits, rng, int(rng.integers(8, 25)))
    faint = int(rng.integers(2))
    contrast = float(rng.uniform(*TWO_TONE_CONTRAST))
    layers[faint] = layers[faint] * contrast
    level = float(rng.uniform(0, 40))
    return paint(255.0, level, np.maximum(*layers)), boxes, {"faint": faint, "contrast": contrast}


def _touching_pair(digits: list[np.ndarray], rng: np.random.Generator, index: int) -> tuple[np.ndarray, list, dict]:
    overlap = int(rng.integers(TOUCH_OVERLAP[0], TOUCH_OVERLAP[1] + 1))
    layers, boxes = _pair(digits, rng, -overlap)
    level = float(rng.uniform(0, 40))
    return paint(255.0, level, np.maximum(*layers)), boxes, {"overlap": overlap}


def _number(rng: np.random.Generator, digits: tuple[int, int]) -> str:
    """A house number: ``digits[0]``-``digits[1]`` digits, the first never 0."""
    k = int(rng.integers(digits[0], digits[1] + 1))
    return str(int(rng.integers(1, 10))) + "".join(str(int(d)) for d in rng.integers(0, 10, size=k - 1))


def _pick(rng: np.random.Generator, fonts: list) -> object:
    return fonts[int(rng.integers(len(fonts)))]


def _font_sample(rng: np.random.Generator, fonts: list, text_of, heights: tuple[float, float], **picture_args):
    """One printed picture: a font of ``fonts``, a text ``text_of(rng)``, a height in ``heights`` px
    (drawn in that order), rendered by :func:`digits.datasets.fonts.printed_picture`."""
    font = _pick(rng, fonts)
    text = text_of(rng)
    height = float(rng.uniform(*heights))
    image, boxes = printed_picture(font, text, height, rng, **picture_args)
    return image, boxes, {"text": text, "font": f"{font.family} {font.style}", "height": height}


def _one_digit(rng: np.random.Generator) -> str:
    return str(int(rng.integers(10)))


def _printed(available: tuple, rng: np.random.Generator, index: int) -> tuple[np.ndarray, list, dict]:
    style = PRINTED_STYLES[index % len(PRINTED_STYLES)]
    fonts = upright(available, bold=style == "bold")
    image, boxes, params = _font_sample(rng, fonts, _one_digit, PRINTED_HEIGHT, outline=style == "outline")
    return image, boxes, params | {"style": style}


def _plate(available: tuple, rng: np.random.Generator, index: int) -> tuple[np.ndarray, list, dict]:
    return _font_sample(rng, upright(available), lambda r: _number(r, PLATE_DIGITS), PLATE_HEIGHT, plate=True)


def _house_numbers(available: tuple, rng: np.random.Generator, index: int) -> tuple[np.ndarray, list, dict]:
    return _font_sample(rng, upright(available), lambda r: _number(r, HOUSE_DIGITS), HOUSE_HEIGHT)


def _handwriting(available: tuple, rng: np.random.Generator, index: int) -> tuple[np.ndarray, list, dict]:
    return _font_sample(rng, list(available), _one_digit, PRINTED_HEIGHT)


_FONT_RENDER = {
    "printed": _printed,
    "plate": _plate,
    "house_numbers": _house_numbers,
    HANDWRITING_VARIANT: _handwriting,
}

_RENDER = {
    "canvas_edge": _canvas_edge,
    "phone_light": _phone_light,
    "broken_stroke": _broken_stroke,
    "squared": _squared,
    "ruled": _ruled,
    "frame_filling": _frame_filling,
    "two_tones": _two_tones,
    "touching": _touching_pair,
}


def iter_people(
    name: str, images: np.ndarray, labels: np.ndarray, n: int, rng: np.random.Generator, font_split: str = "test"
) -> Iterator[Sample]:
    """Render ``n`` samples of one variant, one at a time.

    Args:
        name: one of :data:`PEOPLE_VARIANTS` or :data:`HANDWRITING_VARIANT`.
        images: (N, 28, 28) uint8 MNIST digits, ink = 255.
        labels: (N,) their digits.
        n: how many samples.
        rng: the variant's generator (:func:`digits.evaluation.robustness.variant_rng`).
        font_split: the font families of the printed variants: "validation" or "test" (the
            handwriting variant always uses the handwriting typefaces).

    Yields:
        :class:`digits.evaluation.robustness.Sample` with ``variant`` = ``name``; ``label`` is the
        digit, or the digits left to right for :data:`NUMBER_VARIANTS`; ``params["source"]`` is
        "canvas" for the canvas variant; printed ones name their ``params["font"]``.

    Raises:
        ValueError: unknown variant or font split, images and labels that don't match, or no
            font of the split installed.
    """
    if name in _FONT_RENDER:
        if font_split not in ("validation", "test"):
            raise ValueError(f"font_split must be 'validation' or 'test', not {font_split!r}")
        available = split_fonts(HANDWRITING if name == HANDWRITING_VARIANT else font_split)
        if not available:
            raise ValueError(f"no fonts for {name} installed: see digits.datasets.fonts and .ci/run")
        for i in range(n):
            image, boxes, params = _FONT_RENDER[name](available, rng, i)
            yield Sample(image, params["text"], name, boxes, (), params)
        return
    if name not in _RENDER:
        raise ValueError(f"unknown variant {name!r}; expected one of {', '.join(PEOPLE_VARIANTS)}")
    images, labels = _check(images, labels)
    order = _order(rng, len(images))
    per = PEOPLE_VARIANTS[name]
    for i in range(n):
        idx = tuple(int(order[(i * per + j) % len(order)]) for j in range(per))
        image, boxes, params = _RENDER[name]([images[k] for k in idx], rng, i)
        shown = idx if name in NUMBER_VARIANTS else idx[:1]
        label = "".join(str(int(labels[k])) for k in shown)
        yield Sample(image, label, name, boxes, idx, params)


def build_people_set(
    images: np.ndarray,
    labels: np.ndarray,
    n_per_variant: int = 500,
    seed: int = 0,
    font_split: str = "test",
    handwriting: bool = False,
) -> dict[str, list[Sample]]:
    """Every variant of :data:`PEOPLE_VARIANTS`, ``n_per_variant`` samples each.

    Args:
        images, labels: the MNIST source digits (validation or test split).
        n_per_variant: samples per variant.
        seed: the same seed gives the same set.
        font_split: the font families of the printed variants, the same split as the digits.
        handwriting: add :data:`HANDWRITING_VARIANT` last (its own row, outside the totals).

    Returns:
        ``{variant: samples}`` in table order; each variant draws from its own generator
        (``variant_rng(seed, "people/" + name)``), so one variant never changes another.
    """
    names = [*PEOPLE_VARIANTS, *([HANDWRITING_VARIANT] if handwriting else [])]
    return {
        name: list(iter_people(name, images, labels, n_per_variant, variant_rng(seed, "people/" + name), font_split))
        for name in names
    }


#: A phone photo as the camera stores it: (height, width) in pixels, 12 megapixels.
FULL_PHOTO_SIZE = (3000, 4000)
FULL_PHOTO_QUALITY = 90


def full_size_photo(
    digits: list[np.ndarray], rng: np.random.Generator, shape: tuple[int, int] = FULL_PHOTO_SIZE
) -> tuple[bytes, list[tuple[int, int, int, int]]]:
    """A phone photo of a number written on paper, made at the camera's full size (not an upscaled
    thumbnail): every pixel has its own noise, the pen's edges are 1-2 px wide at full size, and the
    light is one of :func:`_light`'s (a shadow band, a bright spot or dark corners), encoded as a
    JPEG at quality :data:`FULL_PHOTO_QUALITY`, as a phone stores it.

    Args:
        digits: the MNIST digits to write, (28, 28) uint8 each, left to right.
        rng: the random generator (the light, the pen, the noise).
        shape: (height, width) of the photo in pixels.

    Returns:
        ``(jpeg, boxes)``: the JPEG bytes, and each digit's box (x0, y0, x1, y1) in its pixels, in
        writing order. The digits are 30% of the photo's height, a twentieth of its width apart.

    Raises:
        ValueError: the digits do not fit side by side in the photo's width.
    """
    h, w = shape
    inks = [render_digit(crop_digit(d), 0.3 * h) for d in digits]
    gap = w // 20
    left = (w - sum(i.shape[1] for i in inks) - gap * (len(inks) - 1)) // 2
    if left < 0:
        raise ValueError(f"{len(inks)} digits do not fit in a photo {w} px wide")
    layer, boxes = np.zeros((h, w), np.float32), []
    for ink in inks:
        top = int(rng.integers(int(0.3 * h), int(0.4 * h)))
        layer = np.maximum(layer, place((h, w), ink, top, left))
        boxes.append(_bbox(ink, top, left))
        left += ink.shape[1] + gap
    buf = io.BytesIO()
    Image.fromarray(_photographed(layer, rng)[0], "RGB").save(buf, format="JPEG", quality=FULL_PHOTO_QUALITY)
    return buf.getvalue(), boxes
