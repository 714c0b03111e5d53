"""Helpers for building test pictures from real MNIST digits."""

from __future__ import annotations

import numpy as np


def on_paper(digit: np.ndarray, height: int, canvas=(300, 400), at=(0.5, 0.5)) -> np.ndarray:
    """An MNIST digit drawn as dark ink on white paper: scaled to ``height`` px, its box centred
    at fractional position ``at`` (row, col) of a ``canvas`` (H, W); a digit too wide for the canvas
    at that height is drawn as large as fits. Returns (H, W) uint8."""
    from skimage.transform import resize

    rows, cols = np.flatnonzero(digit.any(1)), np.flatnonzero(digit.any(0))
    crop = digit[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1].astype(np.float32) / 255
    s = min(height / crop.shape[0], canvas[1] / crop.shape[1], canvas[0] / crop.shape[0])
    big = resize(crop, (max(1, round(crop.shape[0] * s)), max(1, round(crop.shape[1] * s))), order=1)
    page = np.ones(canvas, np.float32)
    h, w = big.shape
    top = int(np.clip(at[0] * canvas[0] - h / 2, 0, canvas[0] - h))
    left = int(np.clip(at[1] * canvas[1] - w / 2, 0, canvas[1] - w))
    page[top : top + h, left : left + w] -= big
    return (np.clip(page, 0, 1) * 255).astype(np.uint8)


def crop_digit(digit: np.ndarray) -> np.ndarray:
    """An MNIST digit (28, 28) uint8 cropped to its ink's bounding box, float in [0, 1]."""
    rows, cols = np.flatnonzero(digit.any(1)), np.flatnonzero(digit.any(0))
    return digit[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1].astype(np.float32) / 255


def string_on_paper(digits: list[np.ndarray], height: int = 80, gap: int = 8, margin: int = 30) -> np.ndarray:
    """MNIST digits side by side, ``gap`` px apart, dark on white paper. Returns (H, W) uint8."""
    return string_with_columns(digits, height, gap, margin)[0]


def string_with_columns(
    digits: list[np.ndarray], height: int = 80, gap: int = 8, margin: int = 30
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """:func:`string_on_paper`, and each digit's columns ``(x0, x1)`` (x1 exclusive), left to right."""
    from skimage.transform import resize

    pieces = []
    for d in digits:
        c = crop_digit(d)
        pieces.append(resize(c, (height, max(1, round(c.shape[1] * height / c.shape[0]))), order=1))
    width = sum(p.shape[1] for p in pieces) + gap * (len(pieces) - 1) + 2 * margin
    page = np.ones((height + 2 * margin, width), np.float32)
    x, columns = margin, []
    for p in pieces:
        page[margin : margin + height, x : x + p.shape[1]] -= p
        columns.append((x, x + p.shape[1]))
        x += p.shape[1] + gap
    return (np.clip(page, 0, 1) * 255).astype(np.uint8), columns


def corr(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two arrays' pixels."""
    return float(np.corrcoef(np.ravel(a), np.ravel(b))[0, 1])


def png_bytes(img, **kw) -> bytes:
    """A PIL image encoded in memory (PNG unless ``format=`` says otherwise)."""
    import io

    buf = io.BytesIO()
    img.save(buf, format=kw.pop("format", "PNG"), **kw)
    return buf.getvalue()


def canvas_drawing(digits: list[np.ndarray], lefts: list[int], tops: list[int], height: int = 190) -> np.ndarray:
    """MNIST digits re-drawn with a 22 px round pen (the app's default stroke), black on a white
    280x280 canvas with its top-left corners at ``lefts`` and ``tops``: negative values or
    positions near 280 make a stroke run off the canvas. Returns (280, 280, 4) uint8 RGBA, as the
    canvas sends it."""
    from digits.evaluation.robustness import crop_digit as mnist_crop
    from digits.evaluation.robustness import redraw_digit

    size = 280
    big = np.zeros((3 * size, 3 * size), np.float32)
    for digit, left, top in zip(digits, lefts, tops, strict=True):
        ink = redraw_digit(mnist_crop(digit), height, 22.0)
        y, x = size + top, size + left
        big[y : y + ink.shape[0], x : x + ink.shape[1]] = np.maximum(
            big[y : y + ink.shape[0], x : x + ink.shape[1]], ink
        )
    gray = ((1.0 - big[size : 2 * size, size : 2 * size]) * 255).round().astype(np.uint8)
    return np.dstack([gray, gray, gray, np.full_like(gray, 255)])


def digits_in_boxes(
    digits: list[np.ndarray | None],
    box: int = 80,
    wall: int = 3,
    gap: int = 0,
    grey: float = 0.6,
    touching: bool = True,
) -> np.ndarray:
    """MNIST digits written in a row of printed boxes (a form's comb field when ``gap`` is 0, the
    boxes sharing their walls; else boxes ``gap`` px apart), black on white paper, the lines
    ``grey`` as dark as the ink; a box whose digit is None is left empty. Each digit is 0.9 of the
    box's height, and with ``touching`` it stands on the box's bottom line and touches its left
    wall. Returns (H, W) uint8."""
    from digits.evaluation.robustness import crop_digit as mnist_crop
    from digits.evaluation.robustness import paint, place, render_digit

    margin, n = 30, len(digits)
    h, w = box + wall + 2 * margin, n * box + (n - 1) * gap + wall + 2 * margin
    ink, lines = np.zeros((h, w), np.float32), np.zeros((h, w), np.float32)
    for k, digit in enumerate(digits):
        x0, y0 = margin + k * (box + gap), margin
        lines[y0 : y0 + wall, x0 : x0 + box + wall] = lines[y0 + box : y0 + box + wall, x0 : x0 + box + wall] = 1
        lines[y0 : y0 + box + wall, x0 : x0 + wall] = lines[y0 : y0 + box + wall, x0 + box : x0 + box + wall] = 1
        if digit is None:
            continue
        glyph = render_digit(mnist_crop(digit), 0.9 * box, max_width=box - 2 * wall)
        top = y0 + box + wall - glyph.shape[0] if touching else y0 + (box - glyph.shape[0]) // 2
        left = x0 + wall if touching else x0 + (box - glyph.shape[1]) // 2
        ink = np.maximum(ink, place((h, w), glyph, top, left))
    return paint(255.0, 0.0, np.maximum(ink, grey * lines)).astype(np.uint8)
