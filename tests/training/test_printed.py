"""Printed training digits come from the training font families only, and the new augmentations
(stroke width, elastic distortion) change pictures in training and never at inference."""

from __future__ import annotations

import numpy as np

from digits.datasets import fonts
from digits.training import printed


def test_printed_pictures_use_training_families_only(monkeypatch):
    used = []
    real = fonts.printed_picture

    def spy(font, *args, **kwargs):
        used.append(font)
        return real(font, *args, **kwargs)

    monkeypatch.setattr(fonts, "printed_picture", spy)
    pictures, labels = printed.printed_pictures(24, seed=0)
    assert len(pictures) == 24 and labels.dtype == np.int32 and set(labels) <= set(range(10))
    assert used and all(fonts.family_split(f.family) == "train" for f in used)
    assert not {f.path for f in used} & {f.path for f in fonts.split_fonts("handwriting")}


def test_printed_digits_are_network_inputs_with_their_labels():
    x, y = printed.printed_digits(12, seed=1)
    assert x.shape == (12, 28, 28, 1) and x.dtype == np.float32 and len(y) == 12
    assert x.min() >= 0 and x.max() <= 1
    # Each is centred by its centre of mass, as MNIST is (within 2 px of the middle).
    for img in x[..., 0]:
        ys, xs = np.nonzero(img)
        w = img[ys, xs]
        assert abs(np.average(ys, weights=w) - 13.5) < 2 and abs(np.average(xs, weights=w) - 13.5) < 2
    again, y2 = printed.printed_digits(12, seed=1)
    assert np.array_equal(x, again) and np.array_equal(y, y2)


def test_augmentations_change_training_pictures_only(mnist):
    from digits.datasets.mnist import to_model_input
    from digits.training.loop import make_augmenter

    x = to_model_input(mnist[0][0][:64])
    aug = make_augmenter(1, elastic=True, stroke_width=True)
    assert np.array_equal(np.asarray(aug(x, training=False)), x)
    stroke = aug.get_layer("stroke_width")
    ink = np.asarray(stroke(x, training=True)).sum(axis=(1, 2, 3)) / x.sum(axis=(1, 2, 3))
    assert (ink > 1.05).any() and (ink < 0.95).any()  # some bolder, some thinner
    elastic = aug.get_layer("elastic")
    warped = np.asarray(elastic(x, training=True))
    changed = np.abs(warped - x).max(axis=(1, 2, 3)) > 0.1
    assert 0.2 < changed.mean() < 0.8  # about half are distorted
    # Distorted, not destroyed: the ink moves by a pixel or two, so it mostly overlaps the original.
    kept = (np.minimum(warped, x).sum(axis=(1, 2, 3)) / x.sum(axis=(1, 2, 3)))[changed]
    assert kept.mean() > 0.5
