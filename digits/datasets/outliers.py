"""Synthetic and borrowed pictures that are *not* digits, for tuning and testing the OOD check.

Every generator returns uint8 pictures the way a user might upload them (grayscale (N, H, W) or
RGB (N, H, W, 3), H and W >= 28; dark ink on white paper unless ``dark_ink`` says otherwise), so
that they go through the same reading as an upload (:func:`digits.reading.prepare.prepare_batch`
does that for a batch). All randomness comes from a
``numpy.random.Generator`` passed in (or a seed), so every set can be reproduced.

Which source may be used for what -- keep the evaluation sources out of any fitting, threshold
or model choice, or the reported detection rates are optimistic:

=================================  =====================  ==========================================
source                             use                    what it is
=================================  =====================  ==========================================
:func:`uniform_noise`              training / tuning      i.i.d. uniform grey levels
:func:`gaussian_noise`             training / tuning      i.i.d. Gaussian grey levels
:func:`blobs`                      training / tuning      thresholded smoothed noise
:func:`strokes_and_shapes`         training / tuning      lines, ellipses, arcs, boxes, polygons
:func:`scribbles`                  training / tuning      one long smooth random pen stroke
:func:`silhouettes`                training / tuning      solid textured shapes, sometimes cut
:func:`cut_up_digits`              training / tuning      MNIST pieces re-arranged (pass train or
                                                          validation digits; test digits for tests)
letters, :data:`TUNING_FONTS`      training / tuning      DejaVu glyphs (:func:`render_letters`)
letters, :data:`EVALUATION_FONTS`  **evaluation only**    Liberation glyphs: unseen typefaces
photo crops                        **evaluation only**    :mod:`digits.evaluation.ood_sets`
Fashion-MNIST                      **evaluation only**    :mod:`digits.datasets.fashion_mnist`
=================================  =====================  ==========================================

Some outputs are unavoidably digit-like (a lone ellipse is a 0, a short bar a 1, some letters in
some fonts are 5s or 2s): :data:`DIGIT_LIKE_LETTERS` are kept apart from :data:`OTHER_LETTERS`,
and :func:`strokes_and_shapes` draws at least two parts by default, but a detector will still
accept a few per cent of these sets, and should.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from scipy import ndimage
from skimage import transform

from digits.datasets.mnist import DataError
from digits.reading.boxes import bounding_box

#: Letters that look like digits in common typefaces (O/o = 0, I/l = 1, S = 5, Z = 2, B = 8,
#: g/q = 9): keep them out of "not a digit" sets, or test them separately.
DIGIT_LIKE_LETTERS = "OoIlSZBgq"
#: Every other ASCII letter.
OTHER_LETTERS = "".join(c for c in string.ascii_letters if c not in DIGIT_LIKE_LETTERS)

#: Font families by name: (file-name prefix, Debian package that installs them).
FONT_FAMILIES = {"dejavu": ("DejaVu", "fonts-dejavu-core"), "liberation": ("Liberation", "fonts-liberation")}
#: Where :func:`font_files` looks (recursively).
FONT_ROOT = Path("/usr/share/fonts")
#: Font family for training/tuning, and the one held out for evaluation.
TUNING_FONTS = "dejavu"
EVALUATION_FONTS = "liberation"

Seed = np.random.Generator | int | None


# --------------------------------------------------------------------------------------------
# Helpers


def _rng(rng: Seed) -> np.random.Generator:
    return np.random.default_rng(rng)


def _check_n(n: int, size: int, min_size: int = 28) -> None:
    if int(n) != n or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n}")
    if int(size) != size or size < min_size:
        raise ValueError(f"size must be an integer >= {min_size}, got {size}")


def _paper(ink: np.ndarray, dark: bool) -> np.ndarray:
    """Ink in [0, 1] (1 = ink) as a uint8 picture: dark ink on white, or light ink on black."""
    ink = np.clip(ink, 0.0, 1.0)
    return np.round(255.0 * ((1.0 - ink) if dark else ink)).astype(np.uint8)


def _dark(dark_ink: bool | None, rng: np.random.Generator) -> bool:
    return bool(rng.random() < 0.5) if dark_ink is None else bool(dark_ink)


def _stack(pictures: list[np.ndarray], shape: tuple[int, ...]) -> np.ndarray:
    return np.stack(pictures) if pictures else np.zeros((0, *shape), np.uint8)


# --------------------------------------------------------------------------------------------
# Noise and blobs (training / tuning)


def uniform_noise(n: int, rng: Seed, size: int = 64) -> np.ndarray:
    """Pictures of i.i.d. uniform grey levels in [0, 255].

    Returns:
        (n, size, size) uint8.
    """
    _check_n(n, size)
    return _rng(rng).integers(0, 256, size=(n, size, size), dtype=np.uint8)


def gaussian_noise(n: int, rng: Seed, size: int = 64) -> np.ndarray:
    """Pictures of i.i.d. Gaussian grey levels; per picture the mean is drawn from [64, 192] and
    the standard deviation from [16, 80] grey levels, then values are clipped to [0, 255].

    Returns:
        (n, size, size) uint8.
    """
    _check_n(n, size)
    g = _rng(rng)
    mean = g.uniform(64, 192, size=(n, 1, 1))
    std = g.uniform(16, 80, size=(n, 1, 1))
    return np.clip(np.round(mean + std * g.standard_normal((n, size, size))), 0, 255).astype(np.uint8)


def blobs(n: int, rng: Seed, size: int = 96, dark_ink: bool | None = True) -> np.ndarray:
    """Random blobs: white noise smoothed by a Gaussian (sigma drawn from [size/24, size/10]),
    thresholded at a quantile drawn from [0.6, 0.9], with anti-aliased edges.

    Args:
        n: number of pictures.
        rng: generator or seed.
        size: side in pixels, >= 28.
        dark_ink: True for dark blobs on white, False for light on black, None for either at random.

    Returns:
        (n, size, size) uint8.
    """
    _check_n(n, size)
    g = _rng(rng)
    out = []
    for _ in range(n):
        field = ndimage.gaussian_filter(g.standard_normal((size, size)), g.uniform(size / 24, size / 10), mode="wrap")
        mask = field > np.quantile(field, g.uniform(0.6, 0.9))
        ink = ndimage.gaussian_filter(mask.astype(np.float64), 0.7)
        out.append(_paper(ink, _dark(dark_ink, g)))
    return _stack(out, (size, size))


def silhouettes(n: int, rng: Seed, size: int = 64, dark_ink: bool | None = None) -> np.ndarray:
    """Solid objects: a union of 1-4 filled rectangles, ellipses and polygons, often cut by 1-2
    thin slits, filled with a textured grey (a random level times smoothed noise), so that the
    detector sees solid, textured shapes of any aspect ratio and not only pen strokes.

    Args:
        n: number of pictures.
        rng: generator or seed.
        size: side in pixels, >= 28.
        dark_ink: True for dark objects on white, False for light on black, None for either at random.

    Returns:
        (n, size, size) uint8.
    """
    _check_n(n, size)
    g = _rng(rng)
    s = size * _SUPERSAMPLE
    out = []
    for _ in range(n):
        img, draw = _canvas(size)
        for _ in range(int(g.integers(1, 5))):
            kind = ("filled_rectangle", "filled_ellipse", "filled_polygon")[int(g.integers(3))]
            if kind == "filled_polygon":
                draw.polygon(_polygon(g, s, vertices=(3, 8), radius=(0.2, 0.45), bounds=(0, s - 1)), fill=255)
            else:
                _draw_shape(draw, kind, g, s, 1)
        for _ in range(int(g.integers(0, 3))):
            x = float(g.uniform(0.2, 0.8) * s)
            y0, y1 = sorted(g.uniform(0.1, 0.95, size=2) * s)
            w = float(g.uniform(0.01, 0.05) * s)
            box = [x - w, y0, x + w, y1]
            draw.rectangle(box if g.random() < 0.5 else [y0, x - w, y1, x + w], fill=0)
        shape = np.asarray(img.resize((size, size), Image.Resampling.BOX), dtype=np.float64) / 255
        texture = ndimage.gaussian_filter(g.standard_normal((size, size)), g.uniform(0.5, 3))
        texture = 1 + g.uniform(0, 0.8) * texture / (np.abs(texture).max() + 1e-9)
        ink = np.clip(shape * g.uniform(0.5, 1.0) * texture, 0, 1)
        out.append(_paper(ink, _dark(dark_ink, g)))
    return _stack(out, (size, size))


# --------------------------------------------------------------------------------------------
# Pen drawings (training / tuning)

_SUPERSAMPLE = 2  # drawings are made at twice the size and downscaled, for anti-aliased edges


def _canvas(size: int) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    img = Image.new("L", (size * _SUPERSAMPLE, size * _SUPERSAMPLE), 0)
    return img, ImageDraw.Draw(img)


def _finish(img: Image.Image, size: int, dark: bool) -> np.ndarray:
    small = img.resize((size, size), Image.Resampling.BOX)
    return _paper(np.asarray(small, dtype=np.float64) / 255.0, dark)


def _point(g: np.random.Generator, s: int, margin: float) -> tuple[float, float]:
    return tuple(g.uniform(margin * s, (1 - margin) * s, size=2).tolist())


def _box(g: np.random.Generator, s: int, margin: float) -> list[float]:
    (x0, x1), (y0, y1) = np.sort(g.uniform(margin * s, (1 - margin) * s, size=(2, 2)), axis=1)
    # at least a fifth of the picture wide and high, so that outlines do not fill in
    x1, y1 = max(x1, min(x0 + s / 5, (1 - margin) * s)), max(y1, min(y0 + s / 5, (1 - margin) * s))
    return [x0, y0, x1, y1]


SHAPES = ("line", "ellipse", "arc", "rectangle", "filled_rectangle", "polygon", "filled_ellipse", "zigzag")


def _polygon(
    g: np.random.Generator, s: int, vertices: tuple[int, int], radius: tuple[float, float], bounds: tuple[float, float]
) -> list[tuple[float, float]]:
    """Vertices of a random polygon on an ``s`` x ``s`` canvas: ``vertices`` = [low, high) vertex
    count, placed at sorted random angles around a random centre, at a radius drawn from ``radius``
    (fractions of ``s``), clipped to ``bounds`` (pixels)."""
    k = int(g.integers(*vertices))
    centre, r = np.array(_point(g, s, 0.3)), g.uniform(*radius) * s
    angles = np.sort(g.uniform(0, 2 * np.pi, size=k))
    pts = np.clip(centre + r * np.stack([np.cos(angles), np.sin(angles)], axis=1), *bounds)
    return [tuple(p) for p in pts.tolist()]


def _draw_shape(draw: ImageDraw.ImageDraw, kind: str, g: np.random.Generator, s: int, width: int) -> None:
    m = 0.08
    if kind == "line":
        draw.line([_point(g, s, m), _point(g, s, m)], fill=255, width=width)
    elif kind == "ellipse":
        draw.ellipse(_box(g, s, m), outline=255, width=width)
    elif kind == "filled_ellipse":
        draw.ellipse(_box(g, s, m), fill=255)
    elif kind == "arc":
        start = float(g.uniform(0, 360))
        draw.arc(_box(g, s, m), start, start + float(g.uniform(60, 300)), fill=255, width=width)
    elif kind == "rectangle":
        draw.rectangle(_box(g, s, m), outline=255, width=width)
    elif kind == "filled_rectangle":
        draw.rectangle(_box(g, s, m), fill=255)
    elif kind == "polygon":
        pts = _polygon(g, s, vertices=(3, 7), radius=(0.15, 0.4), bounds=(m * s, (1 - m) * s))
        draw.line([*pts, pts[0]], fill=255, width=width, joint="curve")
    elif kind == "zigzag":
        k = int(g.integers(4, 9))
        xs = np.linspace(m * s, (1 - m) * s, k)
        ys = g.uniform(m * s, (1 - m) * s, size=k)
        pts = np.stack([xs, ys], axis=1)
        if g.random() < 0.5:
            pts = pts[:, ::-1]
        draw.line([tuple(p) for p in pts.tolist()], fill=255, width=width, joint="curve")
    else:
        raise ValueError(f"unknown shape {kind!r}; choose from {SHAPES}")


def strokes_and_shapes(
    n: int, rng: Seed, size: int = 96, parts: tuple[int, int] = (2, 5), dark_ink: bool | None = True
) -> np.ndarray:
    """Pen drawings of random lines, ellipses, arcs, rectangles, polygons and zigzags.

    Each picture combines a number of parts drawn uniformly from ``parts`` (inclusive), with a
    pen width drawn from [0.04, 0.12] of the side, drawn with ``PIL.ImageDraw`` at twice the size
    and box-downscaled for anti-aliased edges. One part alone is often digit-like (an ellipse is
    a 0, a line a 1), hence the default of two or more.

    Args:
        n: number of pictures.
        rng: generator or seed.
        size: side in pixels, >= 28.
        parts: (min, max) number of parts per picture, 1 <= min <= max.
        dark_ink: True for dark ink on white, False for light on black, None for either at random.

    Returns:
        (n, size, size) uint8.
    """
    _check_n(n, size)
    lo, hi = parts
    if not 1 <= lo <= hi:
        raise ValueError(f"parts must be (min, max) with 1 <= min <= max, got {parts}")
    g = _rng(rng)
    s = size * _SUPERSAMPLE
    out = []
    for _ in range(n):
        img, draw = _canvas(size)
        width = max(2, round(g.uniform(0.04, 0.12) * s))
        for _ in range(int(g.integers(lo, hi + 1))):
            _draw_shape(draw, SHAPES[int(g.integers(len(SHAPES)))], g, s, width)
        out.append(_finish(img, size, _dark(dark_ink, g)))
    return _stack(out, (size, size))


def scribbles(n: int, rng: Seed, size: int = 96, dark_ink: bool | None = True) -> np.ndarray:
    """One long, smooth random pen stroke per picture: a walk of 40-100 steps whose heading turns
    by a random amount each step (Gaussian, spread drawn from [0.2, 0.7] rad), reflected at the
    borders, drawn with a pen width drawn from [0.04, 0.10] of the side.

    Returns:
        (n, size, size) uint8.
    """
    _check_n(n, size)
    g = _rng(rng)
    s = size * _SUPERSAMPLE
    out = []
    for _ in range(n):
        img, draw = _canvas(size)
        steps, spread = int(g.integers(40, 101)), g.uniform(0.2, 0.7)
        step = s / 25
        lo, hi = 0.1 * s, 0.9 * s
        pos, heading = np.array(_point(g, s, 0.3)), g.uniform(0, 2 * np.pi)
        pts = [tuple(pos)]
        for _ in range(steps):
            heading += g.normal(0.0, spread)
            pos = pos + step * np.array([np.cos(heading), np.sin(heading)])
            for axis in range(2):  # bounce off the borders
                if not lo <= pos[axis] <= hi:
                    pos[axis] = 2 * (lo if pos[axis] < lo else hi) - pos[axis]
                    heading = np.pi - heading if axis == 0 else -heading
            pts.append(tuple(pos))
        draw.line(pts, fill=255, width=max(2, round(g.uniform(0.04, 0.10) * s)), joint="curve")
        out.append(_finish(img, size, _dark(dark_ink, g)))
    return _stack(out, (size, size))


# --------------------------------------------------------------------------------------------
# Cut-up digits (training / tuning with training digits; evaluation with test digits)


def _derangement(k: int, g: np.random.Generator) -> np.ndarray:
    while True:
        p = g.permutation(k)
        if not (p == np.arange(k)).any():
            return p


def _shuffled_tiles(digit: np.ndarray, g: np.random.Generator) -> np.ndarray:
    """The digit cut into a 2x2 or 4x4 grid whose tiles are moved (no tile stays) and turned."""
    grid = int(g.choice([2, 4]))
    t = 28 // grid
    tiles = [digit[r * t : (r + 1) * t, c * t : (c + 1) * t] for r in range(grid) for c in range(grid)]
    out = np.zeros_like(digit)
    for dest, src in enumerate(_derangement(grid * grid, g)):
        r, c = divmod(dest, grid)
        out[r * t : (r + 1) * t, c * t : (c + 1) * t] = np.rot90(tiles[src], int(g.integers(4)))
    return out


def _overlapping(extent: tuple[int, int], length: int, g: np.random.Generator) -> int:
    """Start of a window of ``length`` in [0, 28) whose centre lies within the ink's extent
    (first, last), both inclusive."""
    lo = int(np.clip(extent[0] - length // 2, 0, 28 - length))
    hi = int(np.clip(extent[1] - length // 2, lo, 28 - length))
    return int(g.integers(lo, hi + 1))


def _collage(images: np.ndarray, g: np.random.Generator) -> np.ndarray:
    """Two to four pieces (8-16 px, turned or mirrored) of different digits, pasted at random."""
    out = np.zeros((28, 28), dtype=images.dtype)
    for _ in range(int(g.integers(2, 5))):
        digit = images[int(g.integers(len(images)))]
        h, w = (int(v) for v in g.integers(8, 17, size=2))
        if not digit.any():
            continue
        x0, y0, x1, y1 = bounding_box(digit)
        y, x = _overlapping((y0, y1 - 1), h, g), _overlapping((x0, x1 - 1), w, g)
        piece = np.rot90(digit[y : y + h, x : x + w], int(g.integers(4)))
        if g.random() < 0.5:
            piece = piece[:, ::-1]
        ph, pw = piece.shape
        ty, tx = int(g.integers(0, 28 - ph + 1)), int(g.integers(0, 28 - pw + 1))
        out[ty : ty + ph, tx : tx + pw] = np.maximum(out[ty : ty + ph, tx : tx + pw], piece)
    return out


def cut_up_digits(images: np.ndarray, n: int, rng: Seed, size: int = 84, dark_ink: bool | None = True) -> np.ndarray:
    """Digits cut into pieces and re-arranged: half of the pictures shuffle one digit's tiles
    (2x2 or 4x4 grid, every tile moved and turned by a random quarter turn), half paste 2-4
    pieces of different digits together. Pictures with under 20 strong ink pixels (of 784) are
    drawn again. Upscaled from 28x28 to ``size`` with bilinear interpolation.

    Args:
        images: (M, 28, 28) uint8 MNIST digits, ink = 255 (as :func:`digits.datasets.mnist.load_mnist`
            gives). Use training or validation digits for tuning, test digits for evaluation.
        n: number of pictures.
        rng: generator or seed.
        size: side in pixels, >= 28.
        dark_ink: True for dark ink on white, False for light on black (MNIST's look), None for
            either at random.

    Returns:
        (n, size, size) uint8.

    Raises:
        ValueError: ``images`` not (M, 28, 28) with M >= 1, or nearly blank.
    """
    _check_n(n, size)
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[1:] != (28, 28) or len(images) == 0:
        raise ValueError(f"images must be (M, 28, 28) MNIST digits, got shape {images.shape}")
    g = _rng(rng)
    out = []
    for _ in range(n):
        for _attempt in range(50):
            cut = _shuffled_tiles(images[int(g.integers(len(images)))], g) if g.random() < 0.5 else _collage(images, g)
            if np.count_nonzero(cut > 127) >= 20:
                break
        else:
            raise ValueError("images are (nearly) blank: no cut-up picture with enough ink")
        ink = transform.resize(cut.astype(np.float64) / 255.0, (size, size), order=1, anti_aliasing=False)
        out.append(_paper(ink, _dark(dark_ink, g)))
    return _stack(out, (size, size))


# --------------------------------------------------------------------------------------------
# Letters


def font_files(family: str, root: str | Path = FONT_ROOT) -> list[Path]:
    """Installed TrueType files of a font family, sorted by name.

    Args:
        family: "dejavu" (for training/tuning) or "liberation" (held out for evaluation).
        root: directory searched recursively (default /usr/share/fonts).

    Returns:
        Paths of the ``.ttf`` files whose names start with the family's name; DejaVu's math font
        (DejaVuMathTeXGyre, math italic letters) is left out.

    Raises:
        ValueError: unknown family.
        DataError: no file found, with the Debian package that installs them.
    """
    key = family.lower()
    if key not in FONT_FAMILIES:
        raise ValueError(f"unknown font family {family!r}; choose from {sorted(FONT_FAMILIES)}")
    prefix, package = FONT_FAMILIES[key]
    files = sorted(
        (p for p in Path(root).rglob(f"{prefix}*") if p.suffix.lower() == ".ttf" and "Math" not in p.name),
        key=lambda p: p.name,
    )
    if not files:
        raise DataError(f"no {prefix} fonts under {root}; install them with `apt-get install {package}`")
    return files


@functools.lru_cache(maxsize=64)
def _font(path: str, px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, px)


def render_letters(
    font_path: str | Path,
    letters: str | Sequence[str],
    size: int,
    rng: Seed,
    *,
    dark_ink: bool | None = True,
    rotate: float = 15.0,
) -> np.ndarray:
    """Render each letter as its own picture, in one TrueType font, at a random scale and place.

    Per letter: the glyph's larger side is drawn from [0.45, 0.8] of ``size``, its box is placed
    at a random position inside the picture, and the picture is turned by an angle drawn from
    [-rotate, rotate] degrees (bicubic). Drawn with ``PIL.ImageFont`` (FreeType anti-aliasing).

    Args:
        font_path: a .ttf file, e.g. from :func:`font_files`.
        letters: the characters to draw, one picture each (a string or a sequence of strings).
        size: side in pixels, >= 28.
        rng: generator or seed.
        dark_ink: True for dark ink on white, False for light on black, None for either at random.
        rotate: largest rotation in degrees, >= 0.

    Returns:
        (len(letters), size, size) uint8.

    Raises:
        ValueError: ``size`` below 28, an empty string among ``letters``, or a glyph the font
            draws as nothing.
        OSError: the font cannot be read.
    """
    _check_n(len(letters), size)
    g = _rng(rng)
    path = str(font_path)
    out = []
    for ch in letters:
        if not ch:
            raise ValueError("letters must not contain empty strings")
        x0, y0, x1, y1 = _font(path, 100).getbbox(ch)
        if x1 <= x0 or y1 <= y0:
            raise ValueError(f"{Path(path).name} draws {ch!r} as nothing")
        px = max(4, round(100 * g.uniform(0.45, 0.8) * size / max(x1 - x0, y1 - y0)))
        font = _font(path, px)
        x0, y0, x1, y1 = font.getbbox(ch)
        w, h = x1 - x0, y1 - y0
        margin = 0.05 * size  # room for the rotation
        left = g.uniform(min(margin, (size - w) / 2), max(margin, size - w - margin))
        top = g.uniform(min(margin, (size - h) / 2), max(margin, size - h - margin))
        img = Image.new("L", (size, size), 0)
        ImageDraw.Draw(img).text((left - x0, top - y0), ch, font=font, fill=255)
        angle = g.uniform(-rotate, rotate)
        img = img.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=0)
        out.append(_paper(np.asarray(img, dtype=np.float64) / 255.0, _dark(dark_ink, g)))
    return _stack(out, (size, size))


def random_letters(
    n: int,
    rng: Seed,
    family: str = TUNING_FONTS,
    letters: str = OTHER_LETTERS,
    size: int = 64,
    dark_ink: bool | None = True,
) -> tuple[np.ndarray, list[str]]:
    """``n`` letters, each drawn uniformly from ``letters`` in a font drawn from ``family``.

    Use ``family="dejavu"`` for training/tuning and ``"liberation"`` only for evaluation.

    Returns:
        ``(pictures, labels)``: (n, size, size) uint8 from :func:`render_letters`, and for each
        picture the letter and font file name, e.g. ``"a DejaVuSans-Bold.ttf"``.
    """
    _check_n(n, size)
    g = _rng(rng)
    fonts = font_files(family)
    out, labels = [], []
    for _ in range(n):
        font, ch = fonts[int(g.integers(len(fonts)))], letters[int(g.integers(len(letters)))]
        out.append(render_letters(font, ch, size, g, dark_ink=dark_ink)[0])
        labels.append(f"{ch} {font.name}")
    return _stack(out, (size, size)), labels
