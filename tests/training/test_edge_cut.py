"""Training digits cut at an edge: the part a stroke off the canvas leaves, normalised as the app
normalises a digit."""

from __future__ import annotations

import numpy as np
import pytest

from digits.reading.normalize import normalize_digit
from digits.training.edge_cut import SIDES, cut_digit, edge_cut_digits

from helpers import crop_digit


@pytest.mark.parametrize("side", SIDES)
def test_a_cut_removes_that_side_only(mnist_test, side):
    digit = crop_digit(mnist_test[0][0])  # a real 7, cropped to its ink
    rest = cut_digit(digit, side, 0.25)
    h, w = digit.shape
    if side in ("top", "bottom"):
        assert rest.shape[1] <= w and h - round(0.25 * h) - rest.shape[0] in (0, 1, 2)
    else:
        assert rest.shape[0] <= h and w - round(0.25 * w) - rest.shape[1] in (0, 1, 2)
    kept = {"top": digit[-1], "bottom": digit[0], "left": digit[:, -1], "right": digit[:, 0]}[side]
    gone = {"top": digit[0], "bottom": digit[-1], "left": digit[:, 0], "right": digit[:, -1]}[side]
    assert kept.max() > 0.5 and gone.max() > 0.5  # the far side stays, the near side's ink is gone
    with pytest.raises(ValueError, match="side"):
        cut_digit(digit, "middle", 0.1)


def test_cut_digits_are_normalised_network_inputs_with_their_labels(mnist):
    """Each is a training digit with a part cut off (not the whole digit re-normalised), still close
    to the whole, with that digit's label; the same seed gives the same digits."""
    (x, y), _ = mnist
    a, labels = edge_cut_digits(x[:500], y[:500], 40, seed=3)
    b, _ = edge_cut_digits(x[:500], y[:500], 40, seed=3)
    assert a.shape == (40, 28, 28, 1) and a.dtype == np.float32 and np.array_equal(a, b)
    assert a.min() >= 0 and a.max() <= 1
    picks = np.random.default_rng(3).choice(500, size=40, replace=False)
    assert np.array_equal(labels, y[picks])
    for image, i in zip(a[..., 0], picks, strict=True):
        whole = normalize_digit(crop_digit(x[i]), crop_digit(x[i]) > 0.5)[0]
        r = np.corrcoef(whole.ravel(), image.ravel())[0, 1]
        assert not np.array_equal(whole, image) and r > 0.3, r
