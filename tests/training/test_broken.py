"""Training digits with a broken stroke: MNIST training digits with a gap cut across one stroke, as uploads."""

from __future__ import annotations

import numpy as np

from digits.training import broken


def test_broken_pictures_are_the_given_digits_with_one_stroke_cut(mnist):
    (x, y), _ = mnist
    digits, labels = x[:50], y[:50]
    pictures, out = broken.broken_pictures(digits, labels, 30, seed=3)
    assert len(pictures) == 30 and out.dtype == np.int32 and set(out) <= set(labels)
    _, only = broken.broken_pictures(digits[:1], labels[:1], 5, seed=3)
    assert (only == labels[0]).all()
    for pic in pictures:
        assert pic.dtype == np.uint8 and pic.ndim == 2
        border = np.concatenate([pic[0], pic[-1], pic[:, 0], pic[:, -1]]).astype(float)
        ink = np.abs(pic.astype(float) - np.median(border)) > 100
        assert ink.any() and not ink[0].any() and np.median(border) > 190  # dark ink on light paper
        ys, _ = np.nonzero(ink)
        assert broken.HEIGHT[0] - 6 <= np.ptp(ys) + 1 <= broken.HEIGHT[1] + 6
    again, out2 = broken.broken_pictures(digits, labels, 30, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(pictures, again, strict=True)) and np.array_equal(out, out2)


def test_every_picture_is_cut_once_with_a_gap_in_range(mnist, monkeypatch):
    """Each picture is its source digit through ``cut_stroke`` (whose cut is tested with the people
    set), once, with a gap in :data:`broken.GAP`."""
    (x, y), _ = mnist
    calls = []

    def spy(digit, gap, rng):
        cut = real(digit, gap, rng)
        calls.append((digit, gap, cut))
        return cut

    real = broken.cut_stroke
    monkeypatch.setattr(broken, "cut_stroke", spy)
    _, labels = broken.broken_pictures(x[:20], y[:20], 15, seed=5)
    assert len(calls) == 15
    for (digit, gap, cut), label in zip(calls, labels, strict=True):
        assert broken.GAP[0] <= gap <= broken.GAP[1]
        source = [k for k in range(20) if np.array_equal(x[k], digit)]
        assert source and y[source[0]] == label
        assert ((digit > 127) & (cut <= 0)).any()  # ink was taken out


def test_broken_digits_are_network_inputs_the_network_mostly_reads(mnist, classifier):
    (x, y), _ = mnist
    images, labels = broken.broken_digits(x[:200], y[:200], 60, seed=4)
    assert images.shape == (60, 28, 28, 1) and images.dtype == np.float32 and len(labels) == 60
    assert images.min() >= 0 and images.max() <= 1
    # Still the digits they were cut from: the app's network reads most of them.
    read = classifier.logits(images[..., 0]).argmax(axis=1)
    assert (read == labels).mean() >= 0.8
