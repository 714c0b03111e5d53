"""Separate ink from paper: grayscale, background, polarity.

The second stage of the reading pipeline. Output: light ink on a dark background, as in MNIST,
at a working resolution of at most :data:`WORK_SIZE` pixels, with the mask of the ink pixels.

1. **Grayscale** (:func:`to_grayscale`): ITU-R BT.601 luminance; an alpha channel is composited
   onto a background that contrasts with the ink.
2. **Polarity and ink** (:func:`extract_ink`): the background level is estimated with a
   morphological opening (a "rolling ball" background estimate, which also removes uneven
   lighting), the ink is the difference from it, and polarity is decided by the picture's border
   (:func:`dark_ink`): the side of Otsu's threshold (Otsu 1979) that holds most of the border is
   the paper, whatever share of the picture the ink covers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage
from skimage import filters, transform

#: Longest side, in pixels, at which ink is extracted; bigger inputs are downscaled first.
WORK_SIZE = 640
#: Ink contrast (in [0, 1], 1 = black vs white) below which an image is "nothing to read".
MIN_CONTRAST = 0.12
#: Width of the border that decides polarity, as a fraction of the picture's shorter side.
BORDER = 0.03


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
        mask: (H, W) bool, the pixels that are ink (all False when there is nothing to read).
        scale: input pixels per working pixel (>= 1; > 1 when the input was downscaled).
    """

    ink: np.ndarray
    mask: np.ndarray
    scale: float


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
        return Ink(empty, empty.astype(bool), scale)

    signal = (1.0 - gray) if dark_ink(smooth) else gray  # ink is high
    ink = np.clip(signal - _background(signal), 0.0, None)

    # Contrast: the typical ink level among the strongest ink, measured on the smoothed ink.
    ink_smooth = filters.gaussian(ink, sigma=1.0) if min(h, w) >= 8 else ink
    strong = ink_smooth > 0.5 * ink_smooth.max()
    peak = float(np.percentile(ink[strong], 90)) if strong.any() else 0.0
    if ink_smooth.max() < MIN_CONTRAST / 2 or peak < MIN_CONTRAST:
        empty = np.zeros_like(gray)
        return Ink(empty, empty.astype(bool), scale)
    ink = np.clip(ink / peak, 0.0, 1.0)
    # Noise floor: Otsu's threshold on the normalised ink separates strokes from paper texture.
    t_ink = filters.threshold_otsu(ink) if ink.max() > ink.min() else 0.5
    t_ink = float(np.clip(t_ink, 0.15, 0.6))
    mask = ink > t_ink
    # Below half the threshold is paper; above it, soft anti-aliased edges (as in MNIST) survive.
    floor = 0.5 * t_ink
    ink = np.clip((ink - floor) / (1.0 - floor), 0.0, 1.0).astype(np.float32)
    return Ink(ink, mask, scale)


def dark_ink(gray: np.ndarray) -> bool:
    """Polarity: True when the picture is dark ink on light paper.

    The border is the witness of the paper: a digit drawn or photographed on paper leaves most of
    the picture's border (its outer :data:`BORDER` of the shorter side, at least 1 px) on the paper's
    side of Otsu's threshold, even when a bold digit fills most of the frame. When the border is
    split (between 35% and 65% light), the majority of all pixels decides, as before.

    Args:
        gray: (H, W) float in [0, 1], 1 = white (lightly smoothed, so noise does not vote).

    Returns:
        True for dark ink on a light background, False for light ink on a dark one.
    """
    t = filters.threshold_otsu(gray) if np.ptp(gray) > 0 else 0.5
    h, w = gray.shape
    b = max(1, round(BORDER * min(h, w)))
    ring = np.concatenate([gray[:b].ravel(), gray[-b:].ravel(), gray[b:-b, :b].ravel(), gray[b:-b, -b:].ravel()])
    light = float(np.mean(ring > t))
    if light >= 0.65 or light <= 0.35:
        return light >= 0.65
    return bool(np.mean(gray > t) >= 0.5)


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
