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
    import tensorflow as tf

    from digits.datasets.mnist import to_model_input
    from digits.training.loop import make_augmenter

    x = to_model_input(mnist[0][0][:64])
    aug = make_augmenter(1, elastic=True, stroke_width=True)
    assert np.array_equal(np.asarray(aug(x, training=False)), x)

    def compiled(layer):
        # As in a compiled fit step, where the batch size is unknown until run time.
        spec = [tf.TensorSpec((None, 28, 28, 1), tf.float32)]
        return tf.function(lambda a: layer(a, training=True), input_signature=spec)(tf.constant(x)).numpy()

    ink = compiled(aug.get_layer("stroke_width")).sum(axis=(1, 2, 3)) / x.sum(axis=(1, 2, 3))
    assert (ink > 1.05).any() and (ink < 0.95).any()  # some bolder, some thinner
    warped = compiled(aug.get_layer("elastic"))
    changed = np.abs(warped - x).max(axis=(1, 2, 3)) > 0.1
    assert 0.2 < changed.mean() < 0.8  # about half are distorted
    # Each distorted picture is still its own digit, moved by a pixel or so: it matches itself far
    # better than any other picture of the batch.
    # (Compared blurred by 1.5 px, so that a stroke moved by a pixel still meets itself.)
    from scipy import ndimage

    flat_w, flat_x = (ndimage.gaussian_filter(a[..., 0], (0, 1.5, 1.5)).reshape(64, -1) for a in (warped, x))
    corr = np.corrcoef(flat_w, flat_x)[:64, 64:]
    assert (corr.argmax(axis=1) == np.arange(64))[changed].mean() > 0.6  # (two plain 1s may match each other)
    assert np.diag(corr)[changed].mean() > 0.6
