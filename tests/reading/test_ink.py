"""Ink and paper: polarity, transparency, and pictures with nothing to read."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from digits.reading.ink import to_grayscale
from digits.reading.prepare import preprocess

from helpers import corr, on_paper


def test_polarity_light_on_dark_equals_dark_on_light(mnist_test):
    x, _ = mnist_test
    page = on_paper(x[3], height=120)
    dark_on_light = preprocess(page)
    light_on_dark = preprocess(255 - page)
    assert corr(dark_on_light.image, light_on_dark.image) > 0.99
    assert corr(dark_on_light.steps["grayscale"], light_on_dark.steps["grayscale"]) > 0.99


@pytest.mark.parametrize(
    "picture",
    [
        np.full((280, 280), 255, np.uint8),
        np.zeros((280, 280), np.uint8),
        np.full((50, 70), 128, np.uint8),
        np.zeros((280, 280, 4), np.uint8),  # an untouched transparent canvas
        np.random.default_rng(0).integers(250, 256, (200, 200)).astype(np.uint8),  # paper grain only
    ],
    ids=["white", "black", "grey", "transparent", "faint-noise"],
)
def test_blank_is_nothing_to_read(picture):
    assert preprocess(picture) is None


def test_alpha_composited(mnist_test):
    """Black ink on a fully transparent background reads like black on white."""
    x, _ = mnist_test
    page = on_paper(x[7], height=150)
    rgba = np.zeros((*page.shape, 4), np.uint8)
    rgba[..., 3] = 255 - page  # ink opaque, paper transparent; colour channels black everywhere
    assert corr(preprocess(rgba).image, preprocess(page).image) > 0.99
    gray = to_grayscale(Image.fromarray(rgba, "RGBA"))
    assert gray[0, 0] == pytest.approx(1.0)  # transparent paper became white, behind dark ink


@pytest.mark.parametrize("dark", [True, False], ids=["dark-on-light", "light-on-dark"])
def test_frame_filling_bold_zero_keeps_its_polarity(classifier, dark):
    """A tightly cropped bold 0 whose ink covers most of the picture (61% here): the border, not
    the majority of pixels, says which side is paper, so the ring is the digit and not its hole."""
    from PIL import ImageDraw

    from digits.network.recognize import recognize
    from digits.reading.ink import dark_ink

    img = Image.new("L", (70, 100), 255)
    ImageDraw.Draw(img).ellipse((2, 2, 67, 97), outline=0, width=24)  # stroke 24% of the height
    page = np.asarray(img) if dark else 255 - np.asarray(img)
    assert ((page < 128) == dark).mean() > 0.5  # the ink is the majority
    assert dark_ink(page / 255.0) is dark
    reading = recognize(page, classifier).whole.reading
    assert reading.label == 0
