"""Segmentation settled by the network: pieces that are one digit written in two strokes, and
neighbours that are two digits."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from digits.network.recognize import choose_segmentation, recognize
from digits.reading.prepare import prepare


def strokes(lines: list[list[tuple[int, int]]], width: int = 14, size=(280, 280)) -> np.ndarray:
    """Black polylines on white paper, (H, W) uint8."""
    img = Image.new("L", (size[1], size[0]), 255)
    draw = ImageDraw.Draw(img)
    for line in lines:
        draw.line(line, fill=0, width=width, joint="curve")
    return np.asarray(img)


def test_two_stroke_four_is_one_digit(classifier):
    """A 4 whose stem stands apart from its "L" (6 px of paper between them) is two pieces of ink,
    read as one digit, not as "41"."""
    four = strokes([[(60, 40), (35, 150), (88, 150)], [(108, 60), (108, 245)]])
    assert len(prepare(four).digits) == 2  # two pieces: the hypothesis is needed
    result = recognize(four, classifier)
    assert result.number == "4" and len(result.digits) == 1
    assert result.digits[0].digit.box[0] < 40 < 110 < result.digits[0].digit.box[2]


@pytest.mark.parametrize("gap", [12, 30])
def test_two_ones_side_by_side_stay_two_digits(classifier, gap):
    """Two strong 1s close together are two digits: merging them buys no plausibility."""
    ones = strokes([[(100, 40), (98, 240)], [(100 + gap + 14, 40), (98 + gap + 14, 240)]])
    assert recognize(ones, classifier).number == "11"


def test_choose_segmentation_by_hand():
    # Pieces 0 and 1 are weak alone and strong together; piece 2 is strong alone.
    assert choose_segmentation([1.0, 0.1, 0.05], {0: 0.2}) == [(0, "merge"), (2, "one")]
    # Both strong alone: the merged reading must be cheaper than both together to win.
    assert choose_segmentation([0.05, 0.05], {0: 0.2}) == [(0, "one"), (1, "one")]
    assert choose_segmentation([0.3, 0.3], {0: 0.6}) == [(0, "one"), (1, "one")]  # a tie keeps them apart
    # Overlapping hypotheses: 0+1 or 1+2, never both.
    assert choose_segmentation([2.0, 2.0, 2.0], {0: 0.1, 1: 0.1}) in (
        [(0, "merge"), (2, "one")],
        [(0, "one"), (1, "merge")],
    )
    # A wide piece read better as two digits is split; a strong single digit is not.
    assert choose_segmentation([3.0, 0.1], {}, {0: 0.5}) == [(0, "split"), (1, "one")]
    assert choose_segmentation([0.1], {}, {0: 0.5}) == [(0, "one")]
    assert choose_segmentation([], {}) == []


def test_touching_zeros_are_two_digits(classifier):
    """Two 0s whose rings touch are one piece of ink, read as "00", not as one wide digit."""
    zeros = strokes([])  # a blank page to draw on
    img = Image.fromarray(zeros)
    draw = ImageDraw.Draw(img)
    draw.ellipse((30, 60, 130, 220), outline=0, width=16)
    draw.ellipse((122, 60, 222, 220), outline=0, width=16)  # overlaps the first ring by 8 px
    page = np.asarray(img)
    assert len(prepare(page).digits) == 1  # one piece: the hypothesis is needed
    result = recognize(page, classifier)
    assert result.number == "00"
