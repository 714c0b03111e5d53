"""Bold handwritten training digits: MNIST training digits re-drawn with a broad pen, as uploads."""

from __future__ import annotations

import numpy as np

from digits.reading.normalize import stroke_width
from digits.training import bold


def test_bold_pictures_are_broad_pen_digits_from_the_given_digits(mnist):
    (x, y), _ = mnist
    digits, labels = x[:50], y[:50]
    pictures, out = bold.bold_pictures(digits, labels, 40, seed=3)
    assert len(pictures) == 40 and out.dtype == np.int32 and set(out) <= set(labels)
    # Each picture is one of the given digits with its own label: with one digit given, every label is its.
    _, only = bold.bold_pictures(digits[:1], labels[:1], 5, seed=3)
    assert (only == labels[0]).all()
    ratios, papers = [], []
    for pic in pictures:
        assert pic.dtype == np.uint8 and pic.ndim == 2
        # The paper is the picture's border; the ink is the other tone, far from it.
        border = np.concatenate([pic[0], pic[-1], pic[:, 0], pic[:, -1]]).astype(float)
        paper = np.median(border)
        papers.append(paper)
        ink = np.abs(pic.astype(float) - paper) > 100
        assert ink.any() and not ink[0].any()
        ys, xs = np.nonzero(ink)
        extent = max(np.ptp(ys), np.ptp(xs)) + 1
        ratios.append(stroke_width(ink) / extent)
        # The digit is drawn HEIGHT px tall (to within its anti-aliased edge and blur).
        assert bold.HEIGHT[0] - 6 <= np.ptp(ys) + 1 <= bold.HEIGHT[1] + 6
        # The digit's box covers the share of the picture that COVER allows.
        cover = (np.ptp(ys) + 1) * (np.ptp(xs) + 1) / pic.size
        assert bold.COVER[0] - 0.1 <= cover <= bold.COVER[1] + 0.05
    # Both polarities: dark ink on light paper and light ink on dark.
    assert min(papers) < 70 and max(papers) > 190
    # A broad pen: bolder than MNIST's median stroke (0.14 of the height), about the middle of PEN.
    # (Measured along the skeleton, so a loop closed with ink reads wider than the pen.)
    assert np.percentile(ratios, 10) > 0.14 and 0.8 * np.mean(bold.PEN) < np.median(ratios) < 1.2 * np.mean(bold.PEN)
    again, out2 = bold.bold_pictures(digits, labels, 40, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(pictures, again, strict=True)) and np.array_equal(out, out2)


def test_bold_digits_are_network_inputs_the_network_mostly_reads(mnist, classifier):
    (x, y), _ = mnist
    images, labels = bold.bold_digits(x[:200], y[:200], 60, seed=4)
    assert images.shape == (60, 28, 28, 1) and images.dtype == np.float32 and len(labels) == 60
    assert images.min() >= 0 and images.max() <= 1
    # Still the digits they were drawn from: the app's network reads most of them.
    read = classifier.logits(images[..., 0]).argmax(axis=1)
    assert (read == labels).mean() >= 0.8
