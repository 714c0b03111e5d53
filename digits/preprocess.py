"""Turn any picture of a digit into what an MNIST digit looks like.

MNIST's own recipe (LeCun, Bottou, Bengio & Haffner 1998, "Gradient-based learning applied to
document recognition", and http://yann.lecun.com/exdb/mnist/): "The original black and white
(bilevel) images from NIST were size normalized to fit in a 20x20 pixel box while preserving
their aspect ratio. The resulting images contain grey levels as a result of the anti-aliasing
technique used by the normalization algorithm. The images were centered in a 28x28 image by
computing the center of mass of the pixels, and translating the image so as to position this
point at the center of the 28x28 field."

A network trained on MNIST only works on input prepared the same way, so every input (canvas,
upload, camera photo) goes through these steps:

1. **Decode** (:func:`load_image`): EXIF orientation applied (``ImageOps.exif_transpose``), the
   first frame of an animation, Pillow's decompression-bomb guard at :data:`MAX_PIXELS`.
2. **Grayscale** (:func:`to_grayscale`): ITU-R BT.601 luminance; an alpha channel is
   composited onto a background that contrasts with the ink.
3. **Polarity and ink** (:func:`extract_ink`): the background level is estimated with a
   morphological closing (a "rolling ball" background estimate, which also removes uneven
   lighting), the ink is the difference from it, and polarity is decided by which side of
   Otsu's threshold (Otsu 1979) holds the majority of pixels: the background is the majority.
   Output: light ink on a dark background, as in MNIST.
4. **Crop** to the bounding box of the ink that is kept (components far too small are dropped).
5. **Stroke width**: MNIST strokes are about a tenth of the digit's height. A drawing whose
   strokes are far thinner or thicker is re-drawn along its skeleton (Zhang & Suen 1984, via
   ``skimage.morphology.skeletonize``) at that width; thick ink is also eroded to that width, so
   that a loop closed up with ink stays a blob rather than becoming a line.
6. **Scale** to fit a 20x20 box, aspect ratio kept, with anti-aliasing
   (``skimage.transform.resize``).
7. **Centre**: placed in 28x28 so that its centre of mass (``scipy.ndimage.center_of_mass``) is at
   (14, 14), 0-indexed (row, col), by a whole-pixel translation as in MNIST (real MNIST test
   digits measure (13.99, 14.01) with a spread of 0.29 px, the spread of rounding).
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError
from scipy import ndimage
from skimage import filters, morphology, transform

from digits.segment import find_digits, group_mask

#: Largest image accepted, in pixels (width x height). Pillow's decompression-bomb guard is set to
#: this: a bigger image is refused before it is decoded.
MAX_PIXELS = 50_000_000
#: Largest file accepted, in bytes (the app's upload limit in .streamlit/config.toml is the same).
MAX_FILE_BYTES = 25 * 1024 * 1024
#: Longest side, in pixels, at which ink is extracted; bigger inputs are downscaled first.
WORK_SIZE = 640
#: File types offered for upload (Pillow reads each of them).
UPLOAD_TYPES = ["png", "jpg", "jpeg", "webp", "bmp", "gif"]
#: Ink contrast (in [0, 1], 1 = black vs white) below which an image is "nothing to read".
MIN_CONTRAST = 0.12
#: Side of the box a digit is scaled into, and of the final image (MNIST's numbers).
BOX = 20
SIZE = 28
#: Stroke width as a fraction of the digit's height (longer side): the median on MNIST training
#: digits (1st-99th percentiles 0.10-0.22), measured with :func:`stroke_width`.
MNIST_STROKE_FRACTION = 0.14
#: Strokes narrower or wider than these multiples of the MNIST width are re-drawn.
STROKE_RANGE = (0.45, 1.6)
#: Ink wider than this fraction of its extent is a solid shape, not a stroke: it is left as it is
#: (re-drawing its skeleton would turn a blob, a shirt or a cat into a line drawing, and hide from
#: the detector that it is not a digit). 99.9% of MNIST training digits measure 0.30 or less.
SOLID_FRACTION = 0.32

Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class ImageError(ValueError):
    """Raised for input that is not a readable image; the message is one line, fit for a user."""


# --------------------------------------------------------------------------------------------
# Decoding


def load_image(source: bytes | str | os.PathLike | io.IOBase | Image.Image) -> Image.Image:
    """Decode an image file fully, with EXIF orientation applied.

    Args:
        source: encoded bytes, a path, a binary file object, or an already-open PIL image.

    Returns:
        A loaded ``PIL.Image.Image`` (first frame for animations), upright per its EXIF tag.

    Raises:
        ImageError: empty, truncated, unreadable, not an image, larger than
            :data:`MAX_FILE_BYTES` or :data:`MAX_PIXELS`.
    """
    if isinstance(source, Image.Image):
        img = source
    else:
        if isinstance(source, (bytes, bytearray)):
            data = bytes(source)
        elif isinstance(source, (str, os.PathLike)):
            try:
                if os.path.getsize(source) > MAX_FILE_BYTES:
                    raise ImageError(f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
                with open(source, "rb") as f:
                    data = f.read()
            except OSError as e:
                raise ImageError(f"cannot read file: {e.strerror or e}") from e
        else:
            data = source.read(MAX_FILE_BYTES + 1)
        if not data:
            raise ImageError("the file is empty")
        if len(data) > MAX_FILE_BYTES:
            raise ImageError(f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                img = Image.open(io.BytesIO(data))
                if img.width * img.height > MAX_PIXELS:
                    raise ImageError(
                        f"image is too large ({img.width}x{img.height} pixels; the limit is "
                        f"{MAX_PIXELS // 1_000_000} megapixels)"
                    )
                img.seek(0)
                img.load()
        except ImageError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
            raise ImageError(f"image is too large (limit {MAX_PIXELS // 1_000_000} megapixels)") from e
        except UnidentifiedImageError as e:
            raise ImageError("not an image file Pillow can read (png, jpg, webp, bmp, gif…)") from e
        except (OSError, SyntaxError, ValueError, EOFError) as e:
            raise ImageError(f"the image is damaged or truncated ({_one_line(e)})") from e
    if img.width < 1 or img.height < 1:
        raise ImageError("the image has no pixels")
    try:
        img = ImageOps.exif_transpose(img)
    except Exception as e:  # noqa: BLE001 - a bad EXIF block must not sink an otherwise good image
        warnings.warn(f"ignored unreadable EXIF data: {_one_line(e)}", stacklevel=2)
    return img


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__


# --------------------------------------------------------------------------------------------
# Grayscale and ink


def to_grayscale(img: Image.Image | np.ndarray) -> np.ndarray:
    """Luminance of an image with any alpha composited onto a contrasting background.

    A transparent background takes the opposite shade of the ink drawn on it (white behind dark
    ink, black behind light ink), so black ink on a transparent PNG reads as black on white.

    Args:
        img: PIL image of any mode, or an array (H, W), (H, W, 3) or (H, W, 4), uint8 in
            [0, 255] or float in [0, 1].

    Returns:
        (H, W) float32 in [0, 1], 1 = white.
    """
    if isinstance(img, Image.Image):
        if img.mode in ("I", "I;16", "I;16B", "F"):
            arr = np.asarray(img, dtype=np.float32)
            span = float(arr.max() - arr.min())
            return ((arr - arr.min()) / span if span > 0 else np.ones_like(arr)).astype(np.float32)
        has_alpha = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
        img = img.convert("RGBA" if has_alpha else "RGB")
        arr = np.asarray(img, dtype=np.float32) / 255.0
    else:
        arr = np.asarray(img)
        arr = arr.astype(np.float32) / 255.0 if arr.dtype == np.uint8 else arr.astype(np.float32)
    if arr.ndim == 2:
        return np.clip(arr, 0.0, 1.0)
    rgb = arr[..., :3]
    lum = rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    if arr.shape[-1] == 4:
        alpha = arr[..., 3]
        if alpha.min() < 0.99:
            opaque = alpha > 0.5
            ink_shade = float(np.average(lum, weights=alpha)) if alpha.sum() > 0 else 0.0
            if opaque.any() and not opaque.all():
                ink_shade = float(lum[opaque].mean())
            background = 1.0 if ink_shade < 0.5 else 0.0
            lum = alpha * lum + (1.0 - alpha) * background
    return np.clip(lum, 0.0, 1.0).astype(np.float32)


@dataclass
class Ink:
    """Ink extracted from a picture, at working resolution.

    Attributes:
        ink: (H, W) float32 in [0, 1], light ink (1) on a dark background (0), like MNIST.
        mask: (H, W) bool, the pixels that are ink.
        gray: (H, W) float32 in [0, 1], the grayscale picture (1 = white).
        dark_ink: True when the picture had dark ink on a light background.
        scale: input pixels per working pixel (>= 1; > 1 when the input was downscaled).
        contrast: ink contrast in [0, 1] (0 = nothing there).
    """

    ink: np.ndarray
    mask: np.ndarray
    gray: np.ndarray
    dark_ink: bool
    scale: float
    contrast: float

    @property
    def blank(self) -> bool:
        """True when there is nothing to read."""
        return not self.mask.any()

    @property
    def polarity(self) -> str:
        return "dark ink on a light background" if self.dark_ink else "light ink on a dark background"


def _downscale(img: Image.Image | np.ndarray, work_size: int) -> tuple[np.ndarray, float]:
    gray = to_grayscale(img)
    h, w = gray.shape
    scale = max(h, w) / work_size
    if scale <= 1.0:
        return gray, 1.0
    out = transform.resize(gray, (max(1, round(h / scale)), max(1, round(w / scale))), anti_aliasing=True)
    return out.astype(np.float32), scale


def extract_ink(img: Image.Image | np.ndarray, work_size: int = WORK_SIZE) -> Ink:
    """Separate ink from background, fix polarity, and normalise contrast.

    Args:
        img: a PIL image or an array accepted by :func:`to_grayscale`.
        work_size: longest side in pixels at which the work is done (bigger input is
            downscaled with anti-aliasing first).

    Returns:
        :class:`Ink`. Its ``mask`` is empty when the picture holds nothing to read (no
        contrast above :data:`MIN_CONTRAST`).
    """
    gray, scale = _downscale(img, work_size)
    h, w = gray.shape
    # Contrast on a lightly smoothed copy, so that lone noisy pixels don't count as ink.
    smooth = filters.gaussian(gray, sigma=1.0) if min(h, w) >= 8 else gray
    if np.ptp(smooth) < MIN_CONTRAST:
        empty = np.zeros_like(gray)
        return Ink(empty, empty.astype(bool), gray, True, scale, float(np.ptp(smooth)))

    # Polarity: the background is the majority side of Otsu's threshold.
    t = filters.threshold_otsu(smooth)
    dark_ink = np.mean(smooth > t) >= 0.5
    signal = (1.0 - gray) if dark_ink else gray  # ink is high
    ink = np.clip(signal - _background(signal), 0.0, None)

    # Contrast: the typical ink level among the strongest ink, measured on the smoothed ink.
    ink_smooth = filters.gaussian(ink, sigma=1.0) if min(h, w) >= 8 else ink
    strong = ink_smooth > 0.5 * ink_smooth.max()
    peak = float(np.percentile(ink[strong], 90)) if strong.any() else 0.0
    if ink_smooth.max() < MIN_CONTRAST / 2 or peak < MIN_CONTRAST:
        empty = np.zeros_like(gray)
        return Ink(empty, empty.astype(bool), gray, bool(dark_ink), scale, peak)
    ink = np.clip(ink / peak, 0.0, 1.0)
    # Noise floor: Otsu's threshold on the normalised ink separates strokes from paper texture.
    t_ink = filters.threshold_otsu(ink) if ink.max() > ink.min() else 0.5
    t_ink = float(np.clip(t_ink, 0.15, 0.6))
    mask = ink > t_ink
    # Below half the threshold is paper; above it, soft anti-aliased edges (as in MNIST) survive.
    floor = 0.5 * t_ink
    ink = np.clip((ink - floor) / (1.0 - floor), 0.0, 1.0).astype(np.float32)
    return Ink(ink, mask, gray, bool(dark_ink), scale, peak)


def _background(signal: np.ndarray, radius_frac: float = 0.25, small_side: int = 96) -> np.ndarray:
    """Background level of a signal whose ink is high: a grey opening with a window wider than any
    stroke (``radius_frac`` of the longer side) removes the ink and keeps the lighting, even a
    linear gradient, which an opening leaves unchanged. Computed on a copy at most
    ``small_side`` pixels long, for speed. When the lighting is even (the estimate varies by
    under 0.08) a constant is returned, so clean input is left untouched.
    """
    h, w = signal.shape
    f = min(1.0, small_side / max(h, w))
    small = transform.resize(signal, (max(1, round(h * f)), max(1, round(w * f))), anti_aliasing=True)
    r = max(1, round(radius_frac * max(small.shape)))
    # A square window: separable, so fast, and like a disc it leaves linear gradients unchanged.
    bg_small = filters.gaussian(ndimage.grey_opening(small, size=(2 * r + 1, 2 * r + 1)), sigma=r / 2)
    if np.ptp(bg_small) < 0.08:
        return np.full_like(signal, float(np.median(bg_small)))
    return transform.resize(bg_small, (h, w), order=1).astype(np.float32)


# --------------------------------------------------------------------------------------------
# Normalisation to MNIST


def stroke_width(mask: np.ndarray) -> float:
    """Median stroke width of a binary drawing, in pixels (twice the distance from the skeleton
    to the edge; Blum's medial axis). 0 for an empty mask."""
    if not mask.any():
        return 0.0
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
        side) or when it is a solid shape (wider than :data:`SOLID_FRACTION`), else its skeleton
        re-drawn at the MNIST width, cropped to the new ink. Strokes that are too thick are also
        eroded to that width (distance transform) and drawn with the skeleton, so that a loop
        closed up with ink keeps its mass instead of becoming a line.
    """
    h, w = mask.shape
    width = stroke_width(mask)
    if width <= 0 or max(h, w) < 8:
        return ink
    lo, hi = STROKE_RANGE
    ratio = width / max(h, w)
    if lo * MNIST_STROKE_FRACTION <= ratio <= hi * MNIST_STROKE_FRACTION or ratio > SOLID_FRACTION:
        return ink
    skeleton = morphology.skeletonize(mask)
    sy, sx = np.flatnonzero(skeleton.any(axis=1)), np.flatnonzero(skeleton.any(axis=0))
    extent = max(sy[-1] - sy[0], sx[-1] - sx[0]) + 1
    # Width w around a skeleton of extent e gives a digit of height e + w; w = f * (e + w).
    target = MNIST_STROKE_FRACTION * extent / (1.0 - MNIST_STROKE_FRACTION)
    pad = int(np.ceil(target / 2)) + 1
    skeleton = np.pad(skeleton[sy[0] : sy[-1] + 1, sx[0] : sx[-1] + 1], pad)
    dist = ndimage.distance_transform_edt(~skeleton)
    # A soft-edged disc of the target width around the skeleton (1 px anti-aliased edge).
    redrawn = np.clip(target / 2 + 0.5 - dist, 0.0, 1.0).astype(np.float32)
    if ratio > hi * MNIST_STROKE_FRACTION:
        # Too thick: the skeleton alone turns a loop closed up with ink (a bold 6 or 8) into a
        # line. The ink eroded to the target width keeps the shape's mass; draw both.
        inside = ndimage.distance_transform_edt(np.pad(mask, pad))
        inside = inside[sy[0] : sy[-1] + 1 + 2 * pad, sx[0] : sx[-1] + 1 + 2 * pad]
        eroded = np.clip(inside - (width - target) / 2 + 0.5, 0.0, 1.0).astype(np.float32)
        redrawn = np.maximum(redrawn, eroded)
    rows, cols = np.flatnonzero(redrawn.any(axis=1)), np.flatnonzero(redrawn.any(axis=0))
    return redrawn[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


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


@dataclass
class Digit:
    """One digit made ready for the classifier.

    Attributes:
        image: (28, 28) float32 in [0, 1], light ink on dark, centred by mass: the network's input.
        box: (x0, y0, x1, y1) of the digit in input pixels (x1, y1 exclusive).
        steps: pictures of each step for display, name -> 2-D float array in [0, 1]
            (or an RGB/RGBA uint8 array for "input").
    """

    image: np.ndarray
    box: tuple[int, int, int, int]
    steps: dict[str, np.ndarray] = field(default_factory=dict)


def normalize_digit(ink: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """MNIST normalisation of one cropped digit: stroke width, 20x20 fit, centre of mass.

    Args:
        ink: (h, w) float32 in [0, 1], light ink on dark, cropped to the digit's bounding box.
        mask: (h, w) bool, the digit's ink pixels.

    Returns:
        ``(image, steps)``: the (28, 28) float32 network input, and the intermediate pictures
        "crop", "box20" and "centred".
    """
    stroked = normalize_stroke(ink, mask)
    box20 = fit_box(stroked)
    centred = center_by_mass(box20)
    return centred, {"crop": ink, "box20": box20, "centred": centred}


def _bbox(mask: np.ndarray) -> tuple[int, int, int, int]:
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


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
    return (img.height, img.width) if isinstance(img, Image.Image) else tuple(np.asarray(img).shape[:2])


def _display_input(img: Image.Image | np.ndarray) -> np.ndarray:
    if isinstance(img, Image.Image):
        thumb = img.convert("RGBA")
        thumb.thumbnail((WORK_SIZE, WORK_SIZE))
        return np.asarray(thumb)
    return np.asarray(img)


@dataclass
class Prepared:
    """A picture made ready for the classifier, read whole and digit by digit.

    Attributes:
        whole: the picture read as one digit (all the kept ink), or None when blank.
        digits: each digit found by :func:`digits.segment.find_digits`, left to right.
        ink: the extracted ink (see :class:`Ink`).
    """

    whole: Digit | None
    digits: list[Digit]
    ink: Ink

    @property
    def blank(self) -> bool:
        return self.whole is None


def _digit_from(ink: Ink, keep: np.ndarray, shape_in: tuple[int, int], steps: dict) -> Digit:
    """Normalise the ink under ``keep`` (bool mask): soft edges within 2 px of it survive."""
    near = ndimage.binary_dilation(keep, iterations=2)
    x0, y0, x1, y1 = _bbox(keep)
    crop = np.where(near, ink.ink, 0.0)[y0:y1, x0:x1].astype(np.float32)
    image, norm_steps = normalize_digit(crop, keep[y0:y1, x0:x1])
    return Digit(image, _to_input_box((x0, y0, x1, y1), ink.scale, shape_in), steps | norm_steps)


def prepare(img: Image.Image | np.ndarray, work_size: int = WORK_SIZE) -> Prepared:
    """Extract the ink, segment it into digits, and normalise the whole and each digit like MNIST.

    Args:
        img: a PIL image (e.g. from :func:`load_image`) or an array accepted by
            :func:`to_grayscale`.
        work_size: see :func:`extract_ink`.

    Returns:
        :class:`Prepared`. The whole picture's ``steps`` are "input", "grayscale" (light ink on
        dark, after the polarity decision), "crop", "box20" and "centred"; each digit's are
        "crop", "box20" and "centred".
    """
    ink = extract_ink(img, work_size)
    labels, groups = find_digits(ink.mask)
    if not groups:
        return Prepared(None, [], ink)
    shape_in = _input_shape(img)
    keep = group_mask(labels, groups)
    whole = _digit_from(ink, keep, shape_in, {"input": _display_input(img), "grayscale": ink.ink})
    digits = [_digit_from(ink, group_mask(labels, [g]), shape_in, {}) for g in groups]
    return Prepared(whole, digits, ink)


def preprocess(img: Image.Image | np.ndarray, work_size: int = WORK_SIZE) -> Digit | None:
    """Read a whole picture as one digit, normalised the way MNIST was.

    Returns:
        The ``whole`` :class:`Digit` of :func:`prepare`, or None when there is nothing to read
        (blank canvas, empty or uniform image).
    """
    return prepare(img, work_size).whole


def naive_preprocess(img: Image.Image | np.ndarray) -> np.ndarray:
    """The naive baseline: grayscale, resize the whole picture to 28x28, invert.

    Returns:
        (28, 28) float32 in [0, 1]. For comparison only; :func:`preprocess` is what the app uses.
    """
    gray = to_grayscale(img)
    small = transform.resize(gray, (SIZE, SIZE), anti_aliasing=True)
    return (1.0 - small).astype(np.float32)


#: Names and captions of the preprocessing steps, in order, for display.
STEP_CAPTIONS = {
    "input": "Input",
    "grayscale": "Grayscale, polarity fixed (light ink on dark)",
    "crop": "Cropped to the ink",
    "box20": "Scaled to fit 20x20",
    "centred": "Centred by mass in 28x28",
}

__all__ = [
    "BOX",
    "MAX_FILE_BYTES",
    "MAX_PIXELS",
    "SIZE",
    "STEP_CAPTIONS",
    "UPLOAD_TYPES",
    "Digit",
    "ImageError",
    "Ink",
    "Prepared",
    "center_by_mass",
    "extract_ink",
    "fit_box",
    "load_image",
    "naive_preprocess",
    "normalize_digit",
    "normalize_stroke",
    "prepare",
    "preprocess",
    "stroke_width",
    "to_grayscale",
]
